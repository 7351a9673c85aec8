from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest

from kg import analysis, visualize
from kg.errors import KGError
from tests.sample_dataset import XSS, XSS_EVIDENCE, iri, sample_dataset

ROOT = Path(__file__).resolve().parents[1]
ESCAPED_XSS = html.escape(XSS)


class _Tags(HTMLParser):
    """Collect every start tag with its attributes (script bodies are not parsed)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def _data(page: str, name: str) -> list[dict]:
    match = re.search(rf"^var {name} = (.*);$", page, flags=re.MULTILINE)
    assert match, name
    return json.loads(match.group(1))


@pytest.fixture(scope="module")
def g() -> nx.MultiDiGraph:
    return analysis.to_networkx(sample_dataset())


@pytest.fixture(scope="module")
def page_path(g: nx.MultiDiGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("viz") / "deep" / "graph.html"
    assert visualize.render_html(g, out, title="样例图谱") == out
    return out


@pytest.fixture(scope="module")
def page(page_path: Path) -> str:
    return page_path.read_text(encoding="utf-8")


def test_one_self_contained_file(page: str, page_path: Path) -> None:
    assert [p.name for p in page_path.parent.iterdir()] == ["graph.html"]  # no lib/
    tags = _tags(page)
    assert not [t for t, a in tags if "src" in a or "href" in a]
    assert not [t for t, _a in tags if t == "link"]
    scripts = [a for t, a in tags if t == "script"]
    assert len(scripts) == 3  # vis-network, the data, the page's own script
    for needle in (
        "<script src",
        "<link",
        "url(http",
        "url('http",
        'url("http',
        "@import",
    ):
        assert needle not in page
    assert not re.search(
        r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE
    )
    assert "sourceMappingURL" not in page
    for host in ("cdnjs", "jsdelivr", "unpkg", "googleapis", "bootstrap"):
        assert host not in page.lower()
    assert "vis.Network" in page  # the library is there, inline


def test_strings_from_articles_are_escaped(page: str) -> None:
    assert XSS not in page
    assert "<script>alert" not in page
    nodes = _data(page, "KG_NODES")
    (bad,) = [n for n in nodes if n["id"] == str(iri(XSS))]
    assert bad["label"] == XSS  # drawn on the canvas, where markup is text
    assert ESCAPED_XSS in bad["title"] and "<img" not in bad["title"]
    edges = _data(page, "KG_EDGES")
    (card,) = [e["title"] for e in edges if e["from"] == str(iri(XSS))]
    assert html.escape(XSS_EVIDENCE) in card and "<script" not in card
    assert f'<option value="{html.escape(XSS)}">' in page  # the search suggestions


def test_page_title_is_escaped(g: nx.MultiDiGraph, tmp_path: Path) -> None:
    text = visualize.render_html(g, tmp_path / "t.html", title="<b>图</b>").read_text()
    assert "<title>&lt;b&gt;图&lt;/b&gt;</title>" in text
    assert "<b>图</b>" not in text


def test_legend_lists_the_types_present(page: str, g: nx.MultiDiGraph) -> None:
    listed = [a["data-type"] for t, a in _tags(page) if t == "li" and "data-type" in a]
    present = {d["type"] for _n, d in g.nodes(data=True)}
    assert set(listed) == present
    assert "GovernmentAgency" not in listed
    assert listed.index("Person") < listed.index("Project") < listed.index("Article")


def test_search_box(page: str) -> None:
    tags = _tags(page)
    ids = {a.get("id") for _t, a in tags}
    assert {"kg-search", "kg-search-input", "kg-names"} <= ids
    options = {a["value"] for t, a in tags if t == "option"}
    assert {"青禾新材", "青禾新材料股份有限公司", "河湾"} <= options
    assert "selectNodes" in page and "focus(" in page


def test_physics_stops_after_stabilization(page: str) -> None:
    options = _data(page, "KG_OPTIONS")
    assert options["physics"]["enabled"] is True
    assert options["physics"]["stabilization"]["enabled"] is True
    assert options["layout"]["randomSeed"] == 0
    assert re.search(
        r'"stabilizationIterationsDone".{0,80}setOptions\(\{physics: false\}\)',
        page,
        re.S,
    )


def test_nodes_styled_by_type_and_sized_by_degree(
    page: str, g: nx.MultiDiGraph
) -> None:
    nodes = {n["id"]: n for n in _data(page, "KG_NODES")}
    assert list(nodes) == sorted(g)
    for node, data in g.nodes(data=True):
        colour, shape, _glyph = visualize.TYPE_STYLES[data["type"]]
        assert (nodes[node]["color"], nodes[node]["shape"]) == (colour, shape)
    hub = nodes[str(iri("青禾新材料股份有限公司"))]  # 4 edges
    leaf = nodes[str(iri("北沙县"))]  # 1 edge
    assert hub["size"] > leaf["size"]
    card = nodes[str(iri("青禾年产5万吨负极材料项目"))]["title"]
    assert "type: Project" in card and "1,200,000,000 CNY (12亿元)" in card
    assert "aliases: 青禾新材" in nodes[str(iri("青禾新材料股份有限公司"))]["title"]


def test_edges_labelled_by_predicate_and_role(page: str) -> None:
    edges = _data(page, "KG_EDGES")
    labels = {e["label"] for e in edges}
    assert "affiliatedWith (副总经理)" in labels
    assert "participatesIn (investor)" in labels
    assert "partOf" in labels
    company, university = str(iri("青禾新材料股份有限公司")), str(iri("东岭大学"))
    (both,) = [e for e in edges if (e["from"], e["to"]) == (company, university)]
    # two assertions drawn as one edge that shows both pieces of evidence
    assert "青禾新材与东岭大学签署合作协议" in both["title"]
    assert "青禾新材与东岭大学深化合作" in both["title"]
    assert both["arrows"] == ""  # collaboratesWith is symmetric
    direct = [
        e for e in edges if e["label"] == "partOf" and "no evidence" in e["title"]
    ]
    assert len(direct) == 1


def test_output_is_deterministic(g: nx.MultiDiGraph, page: str, tmp_path: Path) -> None:
    again = visualize.render_html(g, tmp_path / "again.html", title="样例图谱")
    assert again.read_text(encoding="utf-8") == page
    shuffled = nx.MultiDiGraph()
    shuffled.add_nodes_from(reversed(list(g.nodes(data=True))))
    shuffled.add_edges_from(reversed(list(g.edges(keys=True, data=True))))
    other = visualize.render_html(
        shuffled, tmp_path / "shuffled.html", title="样例图谱"
    )
    assert other.read_text(encoding="utf-8") == page


def test_communities_colour_the_nodes(g: nx.MultiDiGraph, tmp_path: Path) -> None:
    text = visualize.render_html(g, tmp_path / "c.html", communities=True).read_text()
    nodes = {n["id"]: n for n in _data(text, "KG_NODES")}
    for members in analysis.communities(g):
        assert len({nodes[m]["color"] for m in members}) == 1
    assert {n["color"] for n in nodes.values()} <= set(visualize.COMMUNITY_COLOURS)
    rows = [a for t, a in _tags(text) if t == "li" and "data-community" in a]
    assert len(rows) == len(analysis.communities(g))
    assert ESCAPED_XSS in text and XSS not in text


def test_empty_graph(tmp_path: Path) -> None:
    text = visualize.render_html(nx.MultiDiGraph(), tmp_path / "e.html").read_text()
    assert _data(text, "KG_NODES") == [] and "<title>kg</title>" in text


def test_unwritable_path_is_a_kg_error(g: nx.MultiDiGraph, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(KGError, match="cannot write the graph page"):
        visualize.render_html(g, blocker / "graph.html")


def test_only_visualize_imports_pyvis() -> None:
    importers = sorted(
        p.name
        for p in (ROOT / "kg").rglob("*.py")
        if re.search(r"^\s*(from|import)\s+pyvis", p.read_text(encoding="utf-8"), re.M)
    )
    assert importers == ["visualize.py"]


_PROBE = r"""<script>
window.addEventListener("load", function () { setTimeout(function () {
  var out = {};
  document.getElementById("kg-search-input").value = " 青禾新材 ";
  document.getElementById("kg-search").requestSubmit();
  out.selected = kgNetwork.getSelectedNodes();
  out.status = document.getElementById("kg-search-status").textContent;
  var card = kgNetwork.body.data.nodes.get(kgFindNode("href-alias")).title;
  document.body.appendChild(card);
  out.card = card.textContent;
  out.imgs = document.querySelectorAll("img").length;
  out.canvas = document.querySelectorAll("#kg-network canvas").length;
  out.physics = kgNetwork.physics.options.enabled;
  var pre = document.createElement("pre");
  pre.id = "kg-probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
}, 3000); });
</script></body>"""


def test_page_runs_in_a_browser(page: str, tmp_path: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip(
            "no chromium on this machine (apt-get install chromium to run this)"
        )
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", _PROBE), encoding="utf-8")
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--dump-dom",
        "--virtual-time-budget=15000",
        probe.as_uri(),
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=60, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the page did not settle in 60 s (a blocking alert() is one cause)")
    match = re.search(r'<pre id="kg-probe">(.*?)</pre>', done.stdout, re.S)
    assert match, done.stderr[-2000:]
    out = json.loads(html.unescape(match.group(1)))
    assert out["selected"] == [str(iri("青禾新材料股份有限公司"))]
    assert out["status"] == "青禾新材料股份有限公司"
    assert XSS in out["card"]  # shown as text ...
    assert out["imgs"] == 0  # ... and never made an element
    assert out["canvas"] == 1
    assert out["physics"] is False
