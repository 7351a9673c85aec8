"""The HTML page as text: self-contained, escaped, deterministic, complete data.

What the page does in a browser is tested in ``test_browser.py``.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from kg import analysis, visualize
from kg.errors import KGError
from tests.sample_dataset import A1, A2, XSS, XSS_EVIDENCE, iri, sample_dataset

ROOT = Path(__file__).resolve().parents[1]
ESCAPED_XSS = html.escape(XSS)


class _Tags(HTMLParser):
    """Collect every start tag with its attributes (script bodies are not parsed)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    return parser


def _tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    return _parse(page).tags


def _data(page: str) -> dict[str, Any]:
    match = re.search(
        r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S
    )
    assert match
    return json.loads(match.group(1))


def _edges(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the page's edges with their ends as node IRIs (the page numbers them)."""
    ids = [n["id"] for n in data["nodes"]]
    return [{**e, "from": ids[e["from"]], "to": ids[e["to"]]} for e in data["edges"]]


def _markup(page: str) -> str:
    """Return the page without its scripts and styles: its markup alone."""
    return re.sub(r"<(script|style)\b[^>]*>.*?</\1>", "", page, flags=re.S)


def _sample_graph() -> nx.MultiDiGraph:
    ds = sample_dataset()
    g = analysis.to_networkx(ds)
    g.graph["articles"] = analysis.article_index(ds)
    return g


@pytest.fixture(scope="module")
def g() -> nx.MultiDiGraph:
    return _sample_graph()


@pytest.fixture(scope="module")
def page_path(g: nx.MultiDiGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("viz") / "deep" / "graph.html"
    assert visualize.render_html(g, out, title="样例图谱") == out
    return out


@pytest.fixture(scope="module")
def page(page_path: Path) -> str:
    return page_path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def data(page: str) -> dict[str, Any]:
    return _data(page)


def test_one_self_contained_file(page: str, page_path: Path) -> None:
    assert [p.name for p in page_path.parent.iterdir()] == ["graph.html"]  # no lib/
    tags = _tags(page)
    assert not [t for t, a in tags if "src" in a or "href" in a]
    assert not [t for t, _a in tags if t == "link"]
    scripts = [a for t, a in tags if t == "script"]
    # vis-network, the data (JSON, not run), the page's own script
    assert scripts == [{}, {"type": "application/json", "id": "kg-data"}, {}]
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
    assert "fetch(" not in page.split("</head>")[1]  # our own script loads nothing


def test_strings_from_articles_are_escaped(page: str, data: dict[str, Any]) -> None:
    assert XSS not in page
    assert "<script>alert" not in page
    (bad,) = [n for n in data["nodes"] if n["id"] == str(iri(XSS))]
    assert bad["label"] == XSS  # drawn on the canvas, where markup is text
    assert bad["kgAliases"] == ["href-alias"]
    evidence = [
        ev for e in _edges(data) if e["from"] == str(iri(XSS)) for ev in e["kgEvidence"]
    ]
    assert [ev[0] for ev in evidence] == [XSS_EVIDENCE]
    markup = _markup(page)
    assert "<img" not in markup
    assert f'<option value="{ESCAPED_XSS}">' in page  # the search suggestions
    # the page's script never parses text as markup
    app = (ROOT / "kg" / "data" / "viewer.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"):
        assert sink not in app
    assert "eval(" not in app and "new Function" not in app


def test_json_data_cannot_end_its_script(tmp_path: Path) -> None:
    g = nx.MultiDiGraph()
    g.add_node("x:1", label="</script><script>alert(1)</script>&amp;", type="Company")
    text = visualize.render_html(g, tmp_path / "s.html").read_text(encoding="utf-8")
    assert "alert(1)" in text and "<script>alert" not in text
    assert _data(text)["nodes"][0]["label"] == "</script><script>alert(1)</script>&amp;"


def test_page_title_is_escaped(g: nx.MultiDiGraph, tmp_path: Path) -> None:
    text = visualize.render_html(g, tmp_path / "t.html", title="<b>图</b>").read_text()
    assert "<title>&lt;b&gt;图&lt;/b&gt;</title>" in text
    assert "<b>图</b>" not in text


def test_legend_lists_the_types_present(page: str, g: nx.MultiDiGraph) -> None:
    tags = _tags(page)
    listed = [a["data-type"] for t, a in tags if t == "li" and "data-type" in a]
    present = {d["type"] for _n, d in g.nodes(data=True)}
    assert set(listed) == present
    assert "GovernmentAgency" not in listed
    assert listed.index("Person") < listed.index("Project") < listed.index("Article")
    boxes = [a["value"] for t, a in tags if "kg-type-filter" in (a.get("class") or "")]
    assert boxes == listed  # each legend row is the filter of its type


def test_filters_list_predicates_articles_and_dates(
    page: str, g: nx.MultiDiGraph, data: dict[str, Any]
) -> None:
    tags = _tags(page)
    preds = [
        a["value"] for t, a in tags if "kg-predicate-filter" in (a.get("class") or "")
    ]
    assert preds == sorted({d["predicate"] for _u, _v, d in g.edges(data=True)})
    assert [a["i"] for a in data["articles"]] == sorted([str(A1), str(A2)])
    assert {a["t"] for a in data["articles"]} == {
        "青禾新材料负极项目在河湾开工",
        "东岭大学储能研究院揭牌",
    }
    assert {a["d"] for a in data["articles"]} == {"2025-01-02"}
    dates = {a["id"]: a for t, a in tags if t == "input" and a.get("type") == "date"}
    assert dates["kg-date-from"]["min"] == dates["kg-date-to"]["max"] == "2025-01-02"
    text = "".join(_parse(_markup(page)).text)
    assert "2025-01-02 · 东岭大学储能研究院揭牌" in text  # the article menu


def test_no_dates_no_date_filter(tmp_path: Path) -> None:
    g = nx.MultiDiGraph()
    g.add_node("x:a", label="甲", type="Person", articles=["x:art"])
    text = visualize.render_html(g, tmp_path / "d.html").read_text(encoding="utf-8")
    assert 'type="date"' not in text and 'id="kg-no-dates"' in text
    assert _data(text)["articles"] == [{"d": None, "i": "x:art", "t": "x:art"}]


def test_search_box(page: str) -> None:
    tags = _tags(page)
    ids = {a.get("id") for _t, a in tags}
    assert {"kg-search", "kg-search-input", "kg-names", "kg-panel", "kg-map"} <= ids
    options = {a["value"] for t, a in tags if t == "option" and "value" in a}
    assert {"青禾新材", "青禾新材料股份有限公司", "河湾"} <= options


def test_physics_stops_after_stabilisation(data: dict[str, Any]) -> None:
    options = data["options"]
    assert options["physics"]["enabled"] is True
    assert options["physics"]["stabilization"]["enabled"] is True
    assert options["layout"]["randomSeed"] == 0
    app = (ROOT / "kg" / "data" / "viewer.js").read_text(encoding="utf-8")
    assert 'once("stabilizationIterationsDone", markReady)' in app
    assert re.search(
        r"function markReady\(\) \{.{0,80}network\.setOptions\(\{physics: false\}\)",
        app,
        re.S,
    )


def test_nodes_styled_by_type_and_sized_by_degree(
    data: dict[str, Any], g: nx.MultiDiGraph
) -> None:
    nodes = {n["id"]: n for n in data["nodes"]}
    assert list(nodes) == sorted(g)
    for node, attrs in g.nodes(data=True):
        colour, shape, _glyph = visualize.TYPE_STYLES[attrs["type"]]
        assert (nodes[node]["color"], nodes[node]["shape"]) == (colour, shape)
        assert nodes[node]["kgType"] == attrs["type"]
    hub = nodes[str(iri("青禾新材料股份有限公司"))]  # 4 edges
    leaf = nodes[str(iri("北沙县"))]  # 1 edge
    assert hub["size"] > leaf["size"]
    assert (hub["kgDegree"], leaf["kgDegree"]) == (4, 1)
    project = nodes[str(iri("青禾年产5万吨负极材料项目"))]
    assert ["investment", "1,200,000,000 CNY (12亿元)"] in project["kgRows"]
    assert hub["kgAliases"] == ["青禾新材"]
    assert "kgAliases" not in leaf and "kgRows" not in leaf  # empty: left out
    person = nodes[str(iri("周明远"))]
    assert ["titles", "教授、院长"] in person["kgRows"]
    # the articles a node is in, by number in the article list
    index = {a["i"]: i for i, a in enumerate(data["articles"])}
    assert hub["kgArticles"] == sorted([index[str(A1)], index[str(A2)]])
    assert person["kgArticles"] == [index[str(A2)]]


def test_edges_labelled_by_predicate_and_role(
    data: dict[str, Any], g: nx.MultiDiGraph
) -> None:
    edges = _edges(data)
    labels = {e["label"] for e in edges}
    assert "affiliatedWith (副总经理)" in labels
    assert "participatesIn (investor)" in labels
    assert "partOf" in labels
    assert len({e["id"] for e in edges}) == len(edges)
    index = {a["i"]: i for i, a in enumerate(data["articles"])}
    company, university = str(iri("青禾新材料股份有限公司")), str(iri("东岭大学"))
    (both,) = [e for e in edges if (e["from"], e["to"]) == (company, university)]
    # two assertions drawn as one edge that keeps both pieces of evidence
    assert sorted(both["kgEvidence"]) == sorted(
        [
            ["青禾新材与东岭大学签署合作协议", index[str(A1)], None],
            ["青禾新材与东岭大学深化合作", index[str(A2)], None],
        ]
    )
    assert both["kgCount"] == 2 and both["width"] == 2
    assert both["arrows"] == ""  # collaboratesWith is symmetric
    direct = [
        e for e in edges if e["label"] == "partOf" and e["kgEvidence"][0][0] is None
    ]
    assert len(direct) == 1  # the direct triple, with no assertion
    assert direct[0]["kgArticles"] == [index[str(A1)]]


def test_output_is_deterministic(g: nx.MultiDiGraph, page: str, tmp_path: Path) -> None:
    again = visualize.render_html(g, tmp_path / "again.html", title="样例图谱")
    assert again.read_text(encoding="utf-8") == page
    shuffled = nx.MultiDiGraph()
    shuffled.graph.update(g.graph)
    shuffled.add_nodes_from(reversed(list(g.nodes(data=True))))
    shuffled.add_edges_from(reversed(list(g.edges(keys=True, data=True))))
    other = visualize.render_html(
        shuffled, tmp_path / "shuffled.html", title="样例图谱"
    )
    assert other.read_text(encoding="utf-8") == page


def test_communities_colour_the_nodes(g: nx.MultiDiGraph, tmp_path: Path) -> None:
    text = visualize.render_html(g, tmp_path / "c.html", communities=True).read_text()
    data = _data(text)
    assert data["colourBy"] == "community"
    nodes = {n["id"]: n for n in data["nodes"]}
    for members in analysis.communities(g):
        assert len({nodes[m]["color"] for m in members}) == 1
        assert len({nodes[m]["kgCommunity"] for m in members}) == 1
    assert {n["color"] for n in nodes.values()} <= set(visualize.COMMUNITY_COLOURS)
    rows = [a for t, a in _tags(text) if t == "li" and "data-community" in a]
    assert len(rows) == len(analysis.communities(g))
    assert ESCAPED_XSS in text and XSS not in text


def test_large_graph_starts_from_the_top_nodes(tmp_path: Path) -> None:
    g = nx.MultiDiGraph()
    for hub in range(5):
        for leaf in range(hub + 2):  # hub h has h + 2 neighbours
            g.add_edge(f"x:h{hub}", f"x:l{hub}-{leaf}", predicate="partOf")
    assert len(g) == 25
    small = _data(visualize.render_html(g, tmp_path / "s.html").read_text())
    assert small["start"] is None
    text = visualize.render_html(
        g, tmp_path / "b.html", max_nodes=10, start_nodes=3
    ).read_text()
    data = _data(text)
    ids = [n["id"] for n in data["nodes"]]
    assert [ids[i] for i in data["start"]] == ["x:h2", "x:h3", "x:h4"]
    assert len(data["nodes"]) == 25  # the rest stays in the page, for search
    assert "25 nodes: showing the 3 with the most relations" in text
    with pytest.raises(ValueError, match="at least 1"):
        visualize.render_html(g, tmp_path / "x.html", start_nodes=0)


def test_coordinates_reach_the_page(tmp_path: Path) -> None:
    g = nx.MultiDiGraph()
    g.add_node("x:hz", label="杭州市", type="Region", aliases=[])
    g.add_node("x:p", label="丙丁储能示范项目", type="Project", aliases=[])
    g.add_edge("x:p", "x:hz", predicate="locatedIn")
    analysis.add_coordinates(g)
    nodes = {
        n["id"]: n
        for n in _data(visualize.render_html(g, tmp_path / "m.html").read_text())[
            "nodes"
        ]
    }
    assert 29 < nodes["x:hz"]["kgLat"] < 31 and 119 < nodes["x:hz"]["kgLon"] < 121
    assert nodes["x:p"]["kgPlacedAt"] == "x:hz"
    assert nodes["x:p"]["kgLon"] == nodes["x:hz"]["kgLon"]


def test_empty_graph(tmp_path: Path) -> None:
    text = visualize.render_html(nx.MultiDiGraph(), tmp_path / "e.html").read_text()
    assert _data(text)["nodes"] == [] and "<title>kg</title>" in text


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


# -- the viewer's data from kg.analysis ---------------------------------------------


def test_article_index_has_every_article() -> None:
    index = analysis.article_index(sample_dataset())
    assert list(index) == sorted([str(A1), str(A2)])
    assert index[str(A1)]["title"] == "青禾新材料负极项目在河湾开工"
    assert index[str(A1)]["date"] == "2025-01-02"
    assert index[str(A2)]["article_id"] == "a2"


def test_viewer_graph_adds_articles() -> None:
    g = analysis.viewer_graph(sample_dataset())
    assert set(g.graph["articles"]) == {str(A1), str(A2)}
    assert not any("lat" in d for _n, d in g.nodes(data=True))  # invented places


def test_add_coordinates_places_regions_and_projects() -> None:
    g = nx.MultiDiGraph()
    nodes = {
        "x:zj": ("浙江省", "Region", []),
        "x:hz": ("杭州", "Region", []),  # a short form
        "x:nb": ("甬城", "Region", ["宁波市"]),  # found by its alias
        "x:zone": ("甲乙高新区", "Region", []),  # not in the gazetteer
        "x:p1": ("丙丁储能示范项目", "Project", []),
        "x:p2": ("戊己产业园项目", "Project", []),
        "x:p3": ("无处项目", "Project", []),
        "x:co": ("庚辛科技有限公司", "Company", []),
    }
    for node, (label, type_, aliases) in nodes.items():
        g.add_node(node, label=label, type=type_, aliases=aliases)
    g.add_edge("x:zone", "x:hz", predicate="partOf")
    g.add_edge("x:p1", "x:zone", predicate="locatedIn")  # two hops to a place
    g.add_edge("x:p2", "x:zj", predicate="locatedIn")
    g.add_edge("x:p2", "x:nb", predicate="locatedIn")  # the finer place wins
    g.add_edge("x:co", "x:hz", predicate="locatedIn")  # companies stay off the map
    g.add_edge("x:p3", "x:co", predicate="participatesIn")
    assert analysis.add_coordinates(g) == 6
    at = {n: g.nodes[n].get("placed_at", "-") for n in g}
    assert at == {
        "x:zj": None,
        "x:hz": None,
        "x:nb": None,
        "x:zone": "x:hz",
        "x:p1": "x:hz",
        "x:p2": "x:nb",
        "x:p3": "-",
        "x:co": "-",
    }
    assert g.nodes["x:p1"]["lat"] == g.nodes["x:hz"]["lat"]
    assert 29 < g.nodes["x:nb"]["lat"] < 30.5 and 121 < g.nodes["x:nb"]["lon"] < 122
