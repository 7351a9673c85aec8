"""The graph page in a real browser: Playwright driving Debian's Chromium, headless.

No browser is downloaded: Playwright launches /usr/bin/chromium (``make test``
installs it through ``.ci/system-deps``); without it, or without the playwright
package, these tests skip. Every request but the file:// page is aborted, so the
page must work offline, and console errors or dialogs fail the test.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from kg import analysis, build, visualize
from tests.sample_dataset import XSS, XSS_EVIDENCE, iri, sample_dataset

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DIM = "rgba(200,200,200,0.35)"

# An invented article whose title and text carry markup, built into a store by the
# real pipeline (the extractor keeps the markup in the title and in the evidence).
XSS_ARTICLE = {
    "id": "x1",
    "title": "<img src=x onerror=alert(1)>储能新闻",
    "date": "2024-03-05",
    "text": "<img src=x onerror=alert(1)>科技有限公司与东岭大学签署合作协议，"
    "共建储能研究院。",
}

if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} not found: install Debian's chromium (make test does, through "
        ".ci/system-deps) to run the browser tests",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install '.[test]')"
)


@dataclass
class Page:
    """A loaded graph page, with what went wrong while it ran."""

    page: Any
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def js(self, script: str, arg: object = None) -> Any:
        return self.page.evaluate(script, arg)

    def assert_clean(self) -> None:
        assert self.errors == []
        assert self.dialogs == []
        assert self.requests == []  # nothing but the file:// page was asked for


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=60_000
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[[Path], Page]]:
    contexts: list[Any] = []

    def load(path: Path) -> Page:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        contexts.append(context)
        page = context.new_page()
        result = Page(page)
        page.on(
            "console",
            lambda m: result.errors.append(m.text) if m.type == "error" else None,
        )
        page.on("pageerror", lambda err: result.errors.append(str(err)))

        def on_dialog(dialog: Any) -> None:
            result.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)

        def route(r: Any) -> None:
            if r.request.url.startswith("file:"):
                r.continue_()
            else:
                result.requests.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.goto(path.as_uri())
        page.wait_for_function("window.kg && window.kg.ready", timeout=60_000)
        return result

    yield load
    for context in contexts:
        context.close()


def _sample_graph() -> nx.MultiDiGraph:
    ds = sample_dataset()
    g = analysis.to_networkx(ds)
    g.graph["articles"] = analysis.article_index(ds)
    return g


@pytest.fixture(scope="module")
def sample_graph() -> nx.MultiDiGraph:
    return _sample_graph()


@pytest.fixture(scope="module")
def sample_page_path(
    sample_graph: nx.MultiDiGraph, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    out = tmp_path_factory.mktemp("browser") / "sample.html"
    return visualize.render_html(sample_graph, out, title="样例图谱")


def _node_point(p: Page, node: str) -> tuple[float, float]:
    """Return where a node is drawn, in page coordinates."""
    return tuple(
        p.js(
            """(id) => {
              const dom = kg.network.canvasToDOM(kg.network.getPosition(id));
              const box = document.getElementById("kg-network").getBoundingClientRect();
              return [box.left + dom.x, box.top + dom.y];
            }""",
            node,
        )
    )


def _search(p: Page, text: str) -> None:
    p.page.fill("#kg-search-input", text)
    p.page.press("#kg-search-input", "Enter")


def _colour(p: Page, node: str) -> str:
    return p.js("(id) => kg.nodes.get(id).color", node)


# -- loading ---------------------------------------------------------------------------


def test_page_loads_offline_and_freezes_physics(
    open_page: Callable[[Path], Page],
    sample_page_path: Path,
    sample_graph: nx.MultiDiGraph,
) -> None:
    p = open_page(sample_page_path)
    assert p.js("document.querySelectorAll('#kg-network canvas').length") == 1
    assert p.js("kg.network.physics.options.enabled") is False
    assert p.js("kg.nodes.length") == sample_graph.number_of_nodes()
    assert p.page.inner_text("#kg-shown") == (
        f"showing {len(sample_graph)} of {len(sample_graph)} nodes"
    )
    p.assert_clean()


def test_legend_lists_the_types_present(
    open_page: Callable[[Path], Page],
    sample_page_path: Path,
    sample_graph: nx.MultiDiGraph,
) -> None:
    p = open_page(sample_page_path)
    listed = p.js(
        "Array.from(document.querySelectorAll('#kg-legend li[data-type]'),"
        " (li) => li.dataset.type)"
    )
    assert set(listed) == {d["type"] for _n, d in sample_graph.nodes(data=True)}
    assert "GovernmentAgency" not in listed
    assert p.page.is_visible("#kg-legend li[data-type='Person']")
    p.assert_clean()


# -- search ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("青禾新材料股份有限公司", "青禾新材料股份有限公司"),  # a name
        ("青禾新材", "青禾新材料股份有限公司"),  # an alias
        (" 河湾 ", "河湾市"),  # an alias, with spaces
        ("负极材料", "青禾年产5万吨负极材料项目"),  # part of a name
    ],
)
def test_search_selects_and_highlights(
    open_page: Callable[[Path], Page], sample_page_path: Path, query: str, name: str
) -> None:
    p = open_page(sample_page_path)
    _search(p, query)
    node = str(iri(name))
    assert p.js("kg.network.getSelectedNodes()") == [node]
    assert p.page.inner_text("#kg-panel h2").endswith(name)
    assert p.page.inner_text("#kg-search-status").startswith(name)
    # the neighbourhood keeps its colours; the rest is dimmed
    neighbours = set(p.js("(id) => kg.network.getConnectedNodes(id)", node))
    others = set(p.js("kg.nodes.getIds()")) - neighbours - {node}
    assert _colour(p, node) != DIM
    assert all(_colour(p, n) != DIM for n in neighbours)
    assert others and all(_colour(p, n) == DIM for n in others)
    p.assert_clean()


def test_search_without_match_says_so(
    open_page: Callable[[Path], Page], sample_page_path: Path
) -> None:
    p = open_page(sample_page_path)
    _search(p, "不存在的名字")
    assert p.page.inner_text("#kg-search-status") == "no match"
    assert p.js("kg.network.getSelectedNodes()") == []
    p.assert_clean()


# -- clicks and the side panel ---------------------------------------------------------


def test_clicking_a_node_shows_its_evidence(
    open_page: Callable[[Path], Page], sample_page_path: Path
) -> None:
    p = open_page(sample_page_path)
    node = str(iri("青禾新材料股份有限公司"))
    x, y = _node_point(p, node)
    p.page.mouse.click(x, y)
    assert p.js("kg.network.getSelectedNodes()") == [node]
    panel = p.page.inner_text("#kg-panel")
    assert "青禾新材料股份有限公司" in panel
    assert "Company" in panel and "青禾新材" in panel  # type and alias
    assert "青禾新材与东岭大学签署合作协议" in panel  # evidence of a relation
    assert "青禾新材与东岭大学深化合作" in panel
    assert "青禾新材料负极项目在河湾开工" in panel  # an article it is in
    # clicking the empty background clears the selection
    p.page.mouse.click(*_corner(p))
    assert p.js("kg.network.getSelectedNodes()") == []
    assert _colour(p, node) != DIM
    p.assert_clean()


def _corner(p: Page) -> tuple[float, float]:
    box = p.page.locator("#kg-network").bounding_box()
    return box["x"] + 5, box["y"] + 5


def test_node_panel_shows_attributes(
    open_page: Callable[[Path], Page], sample_page_path: Path
) -> None:
    p = open_page(sample_page_path)
    _search(p, "青禾年产5万吨负极材料项目")
    panel = p.page.inner_text("#kg-panel")
    assert "1,200,000,000 CNY (12亿元)" in panel
    assert "由河湾产业发展基金提供融资" in panel
    _search(p, "周明远")
    assert "教授、院长" in p.page.inner_text("#kg-panel")
    p.assert_clean()


def test_clicking_an_edge_shows_its_evidence_and_article(
    open_page: Callable[[Path], Page], sample_page_path: Path
) -> None:
    p = open_page(sample_page_path)
    edge = p.js(
        """() => kg.edges.get().find((e) => e.label === "partOf" &&
              kg.nodes.get(e.from).label === "东岭大学储能研究院").id"""
    )
    point = p.js(
        """(id) => {
          const e = kg.network.body.edges[id];
          const mid = e.edgeType.getPoint(0.5);
          const dom = kg.network.canvasToDOM(mid);
          const box = document.getElementById("kg-network").getBoundingClientRect();
          return [box.left + dom.x, box.top + dom.y];
        }""",
        edge,
    )
    p.page.mouse.click(*point)
    assert p.js("kg.network.getSelectedEdges()") == [edge]
    panel = p.page.inner_text("#kg-panel")
    assert "东岭大学储能研究院是东岭大学的二级单位" in panel
    assert "2025-01-02 · 东岭大学储能研究院揭牌" in panel  # the article, dated
    p.assert_clean()


# -- filters ---------------------------------------------------------------------------


def _hidden(p: Page) -> set[str]:
    return set(p.js("kg.nodes.get({filter: (n) => n.hidden}).map((n) => n.id)"))


def test_type_filter_hides_nodes(
    open_page: Callable[[Path], Page],
    sample_page_path: Path,
    sample_graph: nx.MultiDiGraph,
) -> None:
    p = open_page(sample_page_path)
    people = {n for n, d in sample_graph.nodes(data=True) if d["type"] == "Person"}
    p.page.uncheck("input.kg-type-filter[value='Person']")
    assert _hidden(p) == people
    shown = len(sample_graph) - len(people)
    assert p.page.inner_text("#kg-shown") == (
        f"showing {shown} of {len(sample_graph)} nodes"
    )
    hidden_edges = p.js("kg.edges.get({filter: (e) => e.hidden}).length")
    assert hidden_edges == sum(
        1
        for u, v in {(u, v) for u, v in sample_graph.edges()}
        if u in people or v in people
    )
    _search(p, "赵启航")  # found, but not shown while its type is filtered out
    assert p.page.inner_text("#kg-search-status") == "赵启航 is hidden by the filters"
    assert p.js("kg.network.getSelectedNodes()") == []
    p.page.check("input.kg-type-filter[value='Person']")
    assert _hidden(p) == set()
    p.assert_clean()


def test_predicate_article_and_date_filters(
    open_page: Callable[[Path], Page],
    sample_page_path: Path,
    sample_graph: nx.MultiDiGraph,
) -> None:
    p = open_page(sample_page_path)
    p.page.uncheck("input.kg-predicate-filter[value='collaboratesWith']")
    shown = p.js("kg.edges.get({filter: (e) => !e.hidden}).map((e) => e.label)")
    assert shown and not any(label.startswith("collaboratesWith") for label in shown)
    p.page.click("#kg-reset")
    # one article: what the other article alone mentions goes
    p.page.select_option("#kg-article", label="2025-01-02 · 东岭大学储能研究院揭牌")
    hidden = _hidden(p)
    assert str(iri("周明远")) not in hidden
    assert str(iri("赵启航")) in hidden and str(iri("河湾市")) in hidden
    p.page.click("#kg-reset")
    assert _hidden(p) == set()
    # a date range after the articles' date hides every dated node
    p.page.fill("#kg-date-from", "2025-02-01")
    assert _hidden(p) == set(sample_graph)
    p.page.fill("#kg-date-from", "2025-01-01")
    p.page.fill("#kg-date-to", "2025-01-31")
    assert _hidden(p) == set()
    p.assert_clean()


def test_colour_by_community(
    open_page: Callable[[Path], Page], sample_page_path: Path
) -> None:
    p = open_page(sample_page_path)
    assert p.page.is_hidden("#kg-communities")
    p.page.check("input[name='kg-colour'][value='community']")
    colours = set(p.js("kg.nodes.get().map((n) => n.color)"))
    assert colours <= set(visualize.COMMUNITY_COLOURS)
    assert p.page.is_visible("#kg-communities")
    p.page.check("input[name='kg-colour'][value='type']")
    node = str(iri("东岭大学"))
    assert _colour(p, node) == visualize.TYPE_STYLES["University"][0]
    p.assert_clean()


# -- large graphs ----------------------------------------------------------------------


def _clusters(hubs: int, leaves: int) -> nx.MultiDiGraph:
    """Invented companies, each with its own staff; hubs linked in a ring."""
    g = nx.MultiDiGraph()
    for h in range(hubs):
        hub = f"x:hub{h}"
        g.add_node(hub, label=f"甲{h}科技有限公司", type="Company", aliases=[])
        for leaf in range(leaves):
            person = f"x:p{h}-{leaf}"
            g.add_node(person, label=f"员工{h}号{leaf}", type="Person", aliases=[])
            g.add_edge(person, hub, predicate="affiliatedWith", evidence="任职")
        g.add_edge(hub, f"x:hub{(h + 1) % hubs}", predicate="collaboratesWith")
    return g


def test_large_graph_starts_from_the_top_and_expands(
    open_page: Callable[[Path], Page], tmp_path: Path
) -> None:
    g = _clusters(hubs=6, leaves=9)  # 60 nodes
    out = visualize.render_html(g, tmp_path / "big.html", max_nodes=20, start_nodes=6)
    p = open_page(out)
    assert sorted(p.js("kg.nodes.getIds()")) == [f"x:hub{h}" for h in range(6)]
    assert "60 nodes" in p.page.inner_text("#kg-notice")
    # search reaches a node that is not drawn yet
    _search(p, "员工3号4")
    assert p.js("kg.network.getSelectedNodes()") == ["x:p3-4"]
    assert p.js("kg.nodes.length") == 7
    # double-click brings in the neighbours
    x, y = _node_point(p, "x:hub2")
    p.page.mouse.dblclick(x, y)
    ids = set(p.js("kg.nodes.getIds()"))
    assert {f"x:p2-{leaf}" for leaf in range(9)} <= ids
    assert len(ids) == 7 + 9
    assert p.js("kg.edges.get('e0') !== null")  # edges to drawn nodes come too
    # the panel's button does the same for the selected node
    _search(p, "甲5科技有限公司")
    p.page.click("#kg-expand")
    assert {f"x:p5-{leaf}" for leaf in range(9)} <= set(p.js("kg.nodes.getIds()"))
    assert p.js("kg.network.physics.options.enabled") is False
    p.assert_clean()


# -- the map ---------------------------------------------------------------------------


def test_map_draws_regions_and_projects(
    open_page: Callable[[Path], Page], tmp_path: Path
) -> None:
    g = nx.MultiDiGraph()
    g.add_node("x:zj", label="浙江省", type="Region", aliases=[])
    g.add_node("x:hz", label="杭州市", type="Region", aliases=[])
    g.add_node("x:nb", label="宁波", type="Region", aliases=[])
    g.add_node("x:zone", label="甲乙高新区", type="Region", aliases=[])
    g.add_node("x:proj", label="丙丁储能示范项目", type="Project", aliases=[])
    g.add_node("x:co", label="戊己科技有限公司", type="Company", aliases=[])
    g.add_edge("x:hz", "x:zj", predicate="partOf")
    g.add_edge("x:zone", "x:hz", predicate="partOf")
    g.add_edge("x:proj", "x:zone", predicate="locatedIn")
    g.add_edge("x:co", "x:proj", predicate="participatesIn")
    assert analysis.add_coordinates(g) == 5
    out = visualize.render_html(g, tmp_path / "map.html")
    p = open_page(out)
    p.page.click("#kg-tab-map")
    assert p.page.is_visible("#kg-map svg")
    titles = p.js(
        "Array.from(document.querySelectorAll('#kg-map .kg-point title'),"
        " (t) => t.textContent)"
    )
    assert len(titles) == 5
    assert "丙丁储能示范项目 · Project (at 杭州市)" in titles
    assert p.js("document.querySelectorAll('#kg-map polygon.kg-point').length") == 1
    # a point leads to the node in the graph
    p.page.click("#kg-map [data-id='x:nb']")
    assert p.page.is_hidden("#kg-map")
    assert p.js("kg.network.getSelectedNodes()") == ["x:nb"]
    p.assert_clean()


# -- markup from articles --------------------------------------------------------------


def _no_injection(p: Page) -> None:
    assert p.js("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert p.js("document.querySelectorAll('script').length") == 3
    p.assert_clean()  # in particular, no alert() dialog


def test_markup_in_names_shows_as_text(
    open_page: Callable[[Path], Page], sample_page_path: Path
) -> None:
    p = open_page(sample_page_path)
    _search(p, XSS)
    assert p.js("kg.network.getSelectedNodes()") == [str(iri(XSS))]
    assert p.page.inner_text("#kg-panel h2").endswith(XSS)
    assert XSS_EVIDENCE in p.page.inner_text("#kg-panel")
    _search(p, "href-alias")  # its alias
    assert p.js("kg.network.getSelectedNodes()") == [str(iri(XSS))]
    # the hover tooltip shows it as text too
    x, y = _node_point(p, str(iri(XSS)))
    p.page.mouse.move(x, y)
    p.page.wait_for_selector("div.vis-tooltip", state="visible", timeout=10_000)
    assert XSS in p.page.inner_text("div.vis-tooltip")
    _no_injection(p)


def test_markup_in_an_article_does_not_run(
    open_page: Callable[[Path], Page], tmp_path: Path
) -> None:
    source = tmp_path / "in" / "xss.jsonl"
    source.parent.mkdir()
    source.write_text(json.dumps(XSS_ARTICLE, ensure_ascii=False) + "\n")
    summary = build.build([source], tmp_path / "store")
    assert summary.problems == [] and summary.relations >= 1
    out = build.write_html(tmp_path / "store", tmp_path / "xss.html")
    text = out.read_text(encoding="utf-8")
    assert "<img" not in text.split('id="kg-data"')[0].split("</head>")[1]
    p = open_page(out)
    options = p.js(
        "Array.from(document.querySelectorAll('#kg-article option'),"
        " (o) => o.textContent)"
    )
    assert f"2024-03-05 · {XSS_ARTICLE['title']}" in options
    _search(p, "东岭大学")
    panel = p.page.inner_text("#kg-panel")
    assert XSS_ARTICLE["text"] in panel  # the evidence sentence, as text
    assert XSS_ARTICLE["title"] in panel  # its article, as text
    _no_injection(p)
