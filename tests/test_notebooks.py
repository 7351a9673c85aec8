from __future__ import annotations

import ast
from pathlib import Path

import pytest

from kg import analysis
from tests.sample_dataset import DOC, fill, sample_document

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
WHO = NOTEBOOKS / "01-who-is-connected.ipynb"
ALLOWED_IMPORTS = {"os", "pathlib"}  # besides kg itself


def _code(nb: object) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]  # type: ignore[attr-defined]


def _output_text(nb: object) -> str:
    parts = []
    for cell in nb.cells:  # type: ignore[attr-defined]
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.append(out.get("data", {}).get("text/plain", ""))
    return "".join(parts)


def _build_store(path: Path) -> None:
    """Write the sample into an Oxigraph store, through kg.rdf when it is there."""
    try:
        from kg import store
    except ImportError:
        pytest.skip("kg.store not yet available")
    pytest.importorskip("oxrdflib")
    with store.opened_dataset("oxigraph", path) as ds:
        try:
            from kg import rdf
        except ImportError:
            fill(ds)
        else:
            store.replace_document(ds, rdf.document_quads(sample_document()), DOC)


def _run(nb: object) -> object:
    client = nbclient.NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    return client.execute()


@pytest.mark.parametrize(
    "path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name
)
def test_notebooks_are_stored_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.id


@pytest.mark.parametrize(
    "path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name
)
def test_notebooks_import_kg_and_hold_no_logic(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
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
                assert root == "kg" or root in ALLOWED_IMPORTS, name


def test_who_is_connected_runs_on_a_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_path = tmp_path / "store"
    _build_store(store_path)
    from kg import store

    with store.opened_dataset(
        "oxigraph", store_path
    ) as ds:  # what the notebook should say
        g = analysis.to_networkx(ds)
    pair = analysis.connected_pair(g)
    assert pair is not None
    hops = analysis.shortest_path(g, *pair)
    assert len(hops) >= 2

    html_path = tmp_path / "view.html"
    monkeypatch.setenv("KG_STORE", str(store_path))
    monkeypatch.setenv("KG_HTML", str(html_path))
    nb = _run(nbformat.read(WHO, as_version=4))
    text = _output_text(nb)

    assert f"{g.number_of_nodes()} nodes, {g.number_of_edges()} edges" in text
    for type_, count in analysis.count_nodes_by_type(g).items():
        assert f"{type_:<18} {count:>5}" in text
    for _node, label, score in analysis.degree_centrality(g)[:10]:
        assert f"{score:.3f}  {label}" in text
    assert f"{len(analysis.communities(g))} communities" in text
    assert " → ".join(analysis.labels(g, pair)) in text
    for hop in hops:
        assert f"{hop.subject} —{hop.predicate}→ {hop.object}" in text
        assert f"evidence: {hop.evidence}" in text
    assert html_path.is_file()
    # the store is closed again: it can be reopened in this process
    with store.opened_dataset("oxigraph", store_path) as ds:
        assert len(ds) > 0


def test_who_is_connected_says_when_the_store_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nothing-here"
    monkeypatch.setenv("KG_STORE", str(missing))
    monkeypatch.delenv("KG_HTML", raising=False)
    with pytest.raises(nbclient.exceptions.CellExecutionError, match="no store here"):
        _run(nbformat.read(WHO, as_version=4))
    assert not missing.exists()  # nothing was created
