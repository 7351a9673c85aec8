"""Every notebook runs top to bottom on a store built from corpus/ (nbclient).

The notebooks hold no logic: these tests compute what each should say with
``kg.analysis`` in this process and look for it in the executed notebook's outputs.
"""

from __future__ import annotations

import ast
import base64
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kg import analysis

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"
SEED_GOLD = SHARED / "eval" / "seed.gold.json"
XWLB = SHARED / "data" / "xwlb" / "xwlb-2020-2021.jsonl"
ALLOWED_IMPORTS = {"os", "pathlib", "tempfile", "IPython"}  # besides kg itself
SCALE_N = 20  # stories of the xwlb sample in the test: keeps 04 to ~20 s
PNG = b"\x89PNG\r\n\x1a\n"
LABEL = re.compile(r'<span style="[^"]*">\s*(\w+)\s*</span>')  # displaCy's label


def _code(nb: Any) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def _outputs(nb: Any) -> list[Any]:
    return [out for cell in nb.cells for out in cell.get("outputs", [])]


def _text(nb: Any) -> str:
    """Return the printed text and the text/plain of every result, joined."""
    parts = []
    for out in _outputs(nb):
        parts.append(out.get("text", ""))
        parts.append(out.get("data", {}).get("text/plain", ""))
    return "".join(parts)


def _html(nb: Any) -> list[str]:
    return [
        out["data"]["text/html"]
        for out in _outputs(nb)
        if "text/html" in out.get("data", {})
    ]


def _pngs(nb: Any) -> list[bytes]:
    return [
        base64.b64decode(out["data"]["image/png"])
        for out in _outputs(nb)
        if "image/png" in out.get("data", {})
    ]


def _run(name: str) -> Any:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    return client.execute()


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build corpus/ into an Oxigraph store once for all the notebooks."""
    pytest.importorskip("oxrdflib")
    from kg import build

    path = tmp_path_factory.mktemp("notebooks") / "store"
    summary = build.build([CORPUS], path)
    assert summary.documents >= 1 and not summary.problems, summary.problems
    return path


@pytest.fixture
def env(
    corpus_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Path]:
    """Point the notebooks at the store; the kernel inherits this environment."""
    html = tmp_path / "view.html"
    monkeypatch.setenv("KG_STORE", str(corpus_store))
    monkeypatch.setenv("KG_HTML", str(html))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("KG_SCALE_N", str(SCALE_N))
    for name in ("KG_GOLD", "KG_CORPUS", "KG_SCALE_SOURCE"):
        monkeypatch.delenv(name, raising=False)
    return {"store": corpus_store, "html": html}


# -- what every notebook is -----------------------------------------------------------


@pytest.mark.parametrize(
    "path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name
)
def test_notebooks_are_stored_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.id


@pytest.mark.parametrize(
    "path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name
)
def test_notebooks_import_kg_and_hold_no_logic(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    imports_kg = False
    for source in _code(nb):
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                assert not isinstance(
                    node,
                    ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda,
                ), "a notebook defines no functions: put them in kg"
                continue
            for name in names:
                root = name.split(".")[0]
                imports_kg |= root == "kg"
                assert root == "kg" or root in ALLOWED_IMPORTS, name
    assert imports_kg


def test_every_notebook_is_executed_by_a_test() -> None:
    assert {p.name for p in NOTEBOOKS.glob("*.ipynb")} == set(CHECKS)


# -- each notebook, executed ----------------------------------------------------------


def check_who_is_connected(nb: Any, env: dict[str, Path]) -> None:
    g = analysis.load_graph(env["store"])
    text = _text(nb)
    assert f"{g.number_of_nodes()} nodes, {g.number_of_edges()} edges" in text
    for type_, count in analysis.count_nodes_by_type(g).items():
        assert f"{type_:<18} {count:>5}" in text
    players = analysis.centrality_frame(g)
    for measure in analysis.CENTRALITY_MEASURES:
        for label in players.nlargest(10, measure)["label"]:
            assert label in text, (measure, label)
    assert f"{len(analysis.communities(g))} communities" in text
    hubs = analysis.describe_communities(g)[0].hubs
    assert "、".join(hubs) in text
    pair = analysis.connected_pair(g)
    assert pair is not None
    hops = analysis.shortest_path(g, *pair)
    assert len(hops) >= 2
    assert " → ".join(analysis.labels(g, pair)) in text
    for hop in hops:
        assert f"{hop.subject} —{hop.predicate}→ {hop.object}" in text
        assert f"evidence: {hop.evidence or '(none stated)'}" in text
    chains = analysis.all_paths(g, *pair, cutoff=3, limit=5)
    assert f"{len(chains)} chains of at most 3 steps" in text
    centre = players["node"].iloc[0]
    ego = analysis.ego_network(g, centre)
    assert f"{ego.number_of_nodes() - 1} neighbours" in text
    org_project = analysis.organization_project_graph(g)
    assert f"organization ↔ project: {org_project.number_of_nodes()} nodes" in text
    co = analysis.co_mention_graph(g)
    assert f"{co.number_of_edges()} pairs named in the same article" in text
    assert env["html"].is_file()
    # the store was closed again: it can be reopened here
    assert analysis.load_graph(env["store"]).number_of_nodes() == g.number_of_nodes()


def check_investment(nb: Any, env: dict[str, Path]) -> None:
    with analysis.existing_store(env["store"]) as ds:
        largest = analysis.query_frame(ds, "largest-projects")
        by_region = analysis.query_frame(ds, "projects-by-region")
        investors = analysis.participations(ds)
    text = _text(nb)
    assert (
        f"{len(largest)} projects with an amount, {len(by_region)} regions with "
        f"projects, {len(investors)} links from organizations to projects"
    ) in text
    assert "font for Chinese labels: " in text
    for type_ in analysis.investment_by_type(investors)["organizationType"]:
        assert type_ in text
    pngs = _pngs(nb)
    assert len(pngs) == 4  # every plot rendered
    assert all(png.startswith(PNG) and len(png) > 2000 for png in pngs)


def check_extraction_explained(nb: Any, env: dict[str, Path]) -> None:
    text = _text(nb)
    assert "kg_sentences → kg_lac_ner" in text
    renders = [h for h in _html(nb) if 'class="entities"' in h]
    assert renders, "no displaCy render"
    types = set(LABEL.findall("".join(renders)))
    assert types and types <= set(analysis.entity_colours())
    counted = re.findall(r"^(\w+)\s+\d+$", text, flags=re.MULTILINE)
    assert "Region" in counted
    with analysis.existing_store(env["store"]) as ds:
        resolved = analysis.query_frame(ds, "entity-types")
    assert f"{env['store']}: {resolved['entities'].sum()} entities, from " in text
    if SEED_GOLD.is_file():
        assert f"scored against {SEED_GOLD}" in text
        assert "all micro" in text and "precision" in text
    else:
        assert "note: no gold file" in text and "skipping the evaluation" in text


def check_corpus_at_scale(nb: Any, env: dict[str, Path]) -> None:
    text = _text(nb)
    if not XWLB.is_file():
        assert "not found (../shared is absent" in text
        return
    assert f"{SCALE_N} of 10925 stories" in text
    assert "throughput: " in text and "characters/s" in text
    assert re.search(r"\d+ nodes, \d+ edges", text)
    assert re.search(r"\d+ communities", text)
    for step in ("build", "load graph", "centrality", "communities", "saved queries"):
        assert step in text, step
    assert [png for png in _pngs(nb) if png.startswith(PNG)]


CHECKS: dict[str, Callable[[Any, dict[str, Path]], None]] = {
    "01-who-is-connected.ipynb": check_who_is_connected,
    "02-investment.ipynb": check_investment,
    "03-extraction-explained.ipynb": check_extraction_explained,
    "04-corpus-at-scale.ipynb": check_corpus_at_scale,
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CHECKS))
def test_notebook_runs_on_the_corpus_store(name: str, env: dict[str, Path]) -> None:
    nb = _run(name)  # raises CellExecutionError on any error in any cell
    CHECKS[name](nb, env)


def test_a_notebook_says_when_the_store_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nothing-here"
    monkeypatch.setenv("KG_STORE", str(missing))
    monkeypatch.delenv("KG_HTML", raising=False)
    with pytest.raises(nbclient.exceptions.CellExecutionError, match="no store here"):
        _run("01-who-is-connected.ipynb")
    assert not missing.exists()  # nothing was created
