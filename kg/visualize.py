"""Draw the knowledge graph as one self-contained, interactive HTML page.

``render_html`` turns a graph from ``kg.analysis.to_networkx`` (better,
``kg.analysis.viewer_graph``, which adds article dates and map coordinates) into a
single HTML file that works offline: vis-network's script and style (bundled with
pyvis) are inlined and nothing is fetched from the network. The page offers:

- node colour and shape by entity type, with a legend whose rows are also the type
  filter; node size by degree; edge labels ``predicate (role)``;
- a search box over names and aliases that selects, focuses and highlights a node
  (submitting the same query again steps through the other matches);
- filters by predicate, article and date range (where articles have dates);
- a side panel: for a clicked node its type, aliases, attributes, articles and the
  evidence sentences of its relations; for a clicked edge its evidence and articles;
  the clicked node's neighbourhood is highlighted and the rest dimmed;
- colour by Louvain community (NetworkX, seed 0) as an option;
- physics that stabilises and then stops; above ``max_nodes`` nodes the page starts
  from the ``start_nodes`` entities of highest degree, and the rest come in through
  the search box or by expanding a node (double-click, or the panel's button);
- a map tab: regions and projects with coordinates drawn as SVG from their longitude
  and latitude (no tiles, nothing from the network).

Every string from an article reaches the page either HTML-escaped (the legend, the
filters, the search suggestions) or inside the page's data, JSON with ``<``, ``>`` and
``&`` escaped, that the page's script puts into the DOM only as text (``textContent``,
never ``innerHTML``); vis-network shows string tooltips as text too. So a name such as
``<img src=x onerror=alert(1)>`` shows as text.

This is the only module that imports pyvis: pyvis assembles the nodes and edges and
bundles vis-network, but the page is our own, because pyvis's template loads
Bootstrap from a CDN and puts hover text into ``innerHTML``.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections import Counter
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx

from kg.errors import KGError
from kg.records import ENTITY_TYPES

__all__ = [
    "COMMUNITY_COLOURS",
    "DEFAULT_MAX_NODES",
    "DEFAULT_START_NODES",
    "TYPE_STYLES",
    "render_html",
]

# type -> (colour, vis-network shape, legend glyph). Eight entity types but only seven
# shapes whose size can vary, so Organization is a dot with a dashed border.
TYPE_STYLES: dict[str, tuple[str, str, str]] = {
    "Person": ("#e15759", "dot", "●"),
    "Company": ("#4e79a7", "square", "■"),
    "University": ("#59a14f", "triangle", "▲"),
    "ResearchInstitute": ("#76b7b2", "triangleDown", "▼"),
    "GovernmentAgency": ("#b07aa1", "hexagon", "⬢"),
    "Organization": ("#9c755f", "dot", "◌"),
    "Region": ("#f28e2b", "star", "★"),
    "Project": ("#edc948", "diamond", "◆"),
    "Article": ("#bab0ac", "box", "▭"),
}
_OTHER_STYLE = ("#8c8c8c", "dot", "●")
COMMUNITY_COLOURS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939",
)  # fmt: skip
DEFAULT_MAX_NODES = 1500  # above this, the page starts from the top entities
DEFAULT_START_NODES = 300
_UNDIRECTED = frozenset({"collaboratesWith"})
_MAX_EVIDENCE = 30  # evidence items kept per drawn edge
_LEGEND_COMMUNITIES = 12
_VIS_LIB = "templates/lib"
_VIEWER_JS, _VIEWER_CSS = "viewer.js", "viewer.css"


def render_html(
    g: nx.MultiDiGraph[str],
    path: Path,
    *,
    communities: bool = False,
    title: str = "kg",
    max_nodes: int = DEFAULT_MAX_NODES,
    start_nodes: int = DEFAULT_START_NODES,
) -> Path:
    """Write ``g`` as one self-contained interactive HTML page.

    The output is deterministic: nodes and edges are sorted and the layout's and the
    communities' random seeds are fixed, so the same graph gives the same bytes.

    Args:
        g: A graph from ``kg.analysis.to_networkx``. Optional extras, as
            ``kg.analysis.viewer_graph`` sets them: ``g.graph["articles"]`` (article
            IRI to title, date, ...) for the article and date filters, and ``lat``,
            ``lon`` and ``placed_at`` on nodes for the map.
        path: Where to write the page; missing parent folders are created.
        communities: Start coloured by Louvain community (seed 0) instead of by
            type (the page can switch); shapes always show the type.
        title: The page's title and heading.
        max_nodes: Draw every node up to this many; above it, start from the
            ``start_nodes`` of highest degree (the rest are in the page, reachable
            by search and by expanding a node).
        start_nodes: How many nodes a large graph starts from.

    Returns:
        ``path``.

    Raises:
        KGError: When pyvis bundles no vis-network, or ``path`` cannot be written.
        ValueError: When ``max_nodes`` or ``start_nodes`` is below 1.
    """
    if max_nodes < 1 or start_nodes < 1:
        raise ValueError("max_nodes and start_nodes must be at least 1")
    # pyvis imports IPython, so it is imported here rather than with the module.
    # Its Node and Edge make the vis-network items; Network.add_node/add_edge would
    # do the same but look up every node in a list, quadratic in the graph's size.
    from pyvis.edge import Edge  # type: ignore[import-untyped]
    from pyvis.node import Node  # type: ignore[import-untyped]

    community_of = _community_index(g)
    articles, article_index = _articles(g)
    degree = dict(g.degree())
    groups = _edge_groups(g)
    node_articles: dict[str, set[int]] = {n: set() for n in g}
    edge_articles: list[list[int]] = []
    for (u, v, _predicate), group in groups:
        found = sorted(
            {article_index[str(d["article"])] for d in group if d.get("article")}
        )
        edge_articles.append(found)
        node_articles[u].update(found)
        node_articles[v].update(found)

    # The page's data refers to nodes by their place in this list (edges, the start
    # set): IRIs are long, and a large page loads faster without their repeats.
    position = {node: i for i, node in enumerate(sorted(g))}
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    for node in sorted(g):
        data = g.nodes[node]
        type_ = str(data.get("type") or "")
        colour, shape, _glyph = TYPE_STYLES.get(type_, _OTHER_STYLE)
        community = community_of.get(node, 0)
        if communities:
            colour = COMMUNITY_COLOURS[community % len(COMMUNITY_COLOURS)]
        extra: dict[str, Any] = {}
        if type_ == "Organization":
            extra["shapeProperties"] = {"borderDashes": [4, 3]}
            extra["borderWidth"] = 2
        if data.get("lat") is not None and data.get("lon") is not None:
            extra["kgLat"] = round(float(data["lat"]), 5)
            extra["kgLon"] = round(float(data["lon"]), 5)
            if data.get("placed_at"):
                extra["kgPlacedAt"] = str(data["placed_at"])
        mentioned = {
            article_index[str(a)] for a in data.get("articles") or () if a
        } | node_articles[node]
        if type_ == "Article" and node in article_index:
            mentioned.add(article_index[node])
        if data.get("aliases"):
            extra["kgAliases"] = [str(a) for a in data["aliases"]]
        if rows := _node_rows(data):
            extra["kgRows"] = rows
        item = Node(
            node,
            shape,
            label=str(data.get("label") or node),
            color=colour,
            size=_size(degree.get(node, 0)),
            kgType=type_,
            kgArticles=sorted(mentioned),
            kgCommunity=community,
            kgDegree=degree.get(node, 0),
            **extra,
        )
        nodes.append(item.options)
    for index, ((u, v, predicate), group) in enumerate(groups):
        roles = sorted({str(d["role"]) for d in group if d.get("role")})
        label = predicate + (f" ({'/'.join(roles)})" if roles else "")
        evidence = [
            [
                None if d.get("evidence") is None else str(d["evidence"]),
                article_index[str(d["article"])] if d.get("article") else -1,
                d.get("date"),
            ]
            for d in group[:_MAX_EVIDENCE]
        ]
        item = Edge(
            position[u],
            position[v],
            True,
            id=f"e{index}",
            label=label,
            arrows="" if predicate in _UNDIRECTED else "to",
            width=1 + min(len(group) - 1, 4),
            kgPredicate=predicate,
            kgEvidence=evidence,
            kgCount=len(group),
            kgArticles=edge_articles[index],
        )
        edges.append(item.options)
    top = _start(degree, max_nodes, start_nodes)
    start = None if top is None else [position[n] for n in top]
    data = {
        "articles": articles,
        "colourBy": "community" if communities else "type",
        "communityColours": list(COMMUNITY_COLOURS),
        "edges": edges,
        "nodes": nodes,
        "options": _options(len(g) if start is None else len(start)),
        "otherColour": _OTHER_STYLE[0],
        "start": start,
        "styles": {t: [c, s, gl] for t, (c, s, gl) in TYPE_STYLES.items()},
    }
    page = _page(title=title, g=g, data=data, community_of=community_of)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")
    except OSError as err:
        raise KGError(
            f"cannot write the graph page {path}: {err.strerror}; "
            "choose a writable output path"
        ) from err
    return path


# -- nodes and edges -----------------------------------------------------------------


def _size(degree: int) -> float:
    """Map a degree to a node size, growing with its square root."""
    return round(min(10 + 6 * math.sqrt(degree), 60), 2)


def _start(
    degree: Mapping[str, int], max_nodes: int, start_nodes: int
) -> list[str] | None:
    """Return the nodes a large graph starts from (``None``: draw them all)."""
    if len(degree) <= max_nodes:
        return None
    ranked = sorted(degree, key=lambda n: (-degree[n], n))
    return sorted(ranked[: min(start_nodes, max_nodes)])


def _community_index(g: nx.MultiDiGraph[str]) -> dict[str, int]:
    """Number the Louvain communities of ``g`` (largest first) and map nodes to them."""
    simple: nx.Graph[str] = nx.Graph()
    simple.add_nodes_from(sorted(g))
    simple.add_edges_from(sorted((u, v) for u, v in g.edges() if u != v))
    found = nx.community.louvain_communities(simple, seed=0) if len(simple) else []
    ordered = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c))
    return {n: i for i, c in enumerate(ordered) for n in c}


def _edge_groups(
    g: nx.MultiDiGraph[str],
) -> list[tuple[tuple[str, str, str], list[dict[str, Any]]]]:
    """Group parallel edges of one predicate: one drawn edge lists all evidence."""
    groups: dict[tuple[str, str, str], list[tuple[str, dict[str, Any]]]] = {}
    for u, v, key, data in g.edges(keys=True, data=True):
        groups.setdefault((u, v, str(data.get("predicate", ""))), []).append(
            (str(key), data)
        )
    return [
        (k, [d for _key, d in sorted(groups[k], key=lambda kd: kd[0])])
        for k in sorted(groups)
    ]


def _articles(
    g: nx.MultiDiGraph[str],
) -> tuple[list[dict[str, str | None]], dict[str, int]]:
    """List every article the graph knows of, numbered for the page's data.

    Articles come from ``g.graph["articles"]``, from Article nodes and from the
    articles that nodes and edges name; each is ``{"i": IRI, "t": title, "d": date}``.
    """
    known: dict[str, Mapping[str, Any]] = {
        str(k): v for k, v in (g.graph.get("articles") or {}).items()
    }
    iris = set(known)
    for node, data in g.nodes(data=True):
        if data.get("type") == "Article":
            iris.add(node)
            known.setdefault(node, data)
        iris.update(str(a) for a in data.get("articles") or () if a)
    value: object
    for _u, _v, value in g.edges(data="article"):
        if value:
            iris.add(str(value))
    listed = []
    for iri in sorted(iris):
        info = known.get(iri, {})
        name = info.get("title") or info.get("article_id") or _iri_tail(iri)
        listed.append({"i": iri, "t": str(name), "d": _date(info.get("date"))})
    return listed, {a["i"] or "": i for i, a in enumerate(listed)}


def _iri_tail(iri: str) -> str:
    """Name an article by the last two steps of its IRI (document/article id)."""
    return "/".join(iri.rstrip("/").rsplit("/", 2)[-2:]) if "/" in iri else iri


def _date(value: object) -> str | None:
    """Return an ISO date (``YYYY-MM-DD``) from a date value, or ``None``."""
    match = re.match(r"\d{4}-\d{2}-\d{2}", str(value or ""))
    return match.group(0) if match else None


def _node_rows(data: Mapping[str, Any]) -> list[list[str]]:
    """Return a node's attributes for the side panel, as (name, value) pairs."""
    rows = []
    if data.get("titles"):
        rows.append(["titles", "、".join(str(t) for t in data["titles"])])
    if data.get("investment") is not None:
        amount = f"{float(data['investment']):,.0f}"
        currency = data.get("currency") or ""
        text = data.get("investment_text")
        rows.append(
            [
                "investment",
                f"{amount} {currency}".strip() + (f" ({text})" if text else ""),
            ]
        )
    for field in ("byline", "date", "publication", "document"):
        if data.get(field):
            rows.append([field, str(data[field])])
    return rows


def _label(g: nx.MultiDiGraph[str], node: str) -> str:
    return str(g.nodes[node].get("label") or node)


# -- the page ------------------------------------------------------------------------


def _options(n_drawn: int) -> dict[str, Any]:
    """Return vis-network options: a seeded layout, physics until stabilised."""
    return {
        "layout": {"randomSeed": 0, "improvedLayout": n_drawn <= 150},
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "minVelocity": 0.75,
            "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 120},
            "stabilization": {
                "enabled": True,
                "iterations": 400 if n_drawn <= 150 else 150,
                "updateInterval": 50,
                "fit": True,
            },
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": n_drawn > 500,
        },
        "nodes": {"font": {"size": 14}},
        "edges": {
            "font": {"size": 10, "align": "middle"},
            "color": {"color": "#9a9a9a", "highlight": "#333333"},
            "smooth": {"enabled": n_drawn <= 500, "type": "continuous"},
        },
    }


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _ordered_types(counts: Mapping[str, int]) -> list[str]:
    order = [*ENTITY_TYPES, "Article"]
    return sorted(counts, key=lambda t: (order.index(t) if t in order else 99, t))


def _legend(g: nx.MultiDiGraph[str], community_of: Mapping[str, int]) -> str:
    """Return the legend's HTML: one checkbox per type present, then communities."""
    counts = Counter(str(t or "") for _n, t in g.nodes(data="type"))
    items = []
    for type_ in _ordered_types(counts):
        colour, _shape, glyph = TYPE_STYLES.get(type_, _OTHER_STYLE)
        items.append(
            f'<li data-type="{_e(type_)}"><label><input type="checkbox" '
            f'class="kg-type-filter" value="{_e(type_)}" checked> '
            f'<span class="kg-glyph" style="color:{colour}">{glyph}</span> '
            f'{_e(type_)} <span class="kg-count">{counts[type_]}</span></label></li>'
        )
    members: dict[int, list[str]] = {}
    for node in sorted(community_of):
        members.setdefault(community_of[node], []).append(node)
    rows = []
    for index in sorted(members)[:_LEGEND_COMMUNITIES]:
        colour = COMMUNITY_COLOURS[index % len(COMMUNITY_COLOURS)]
        names = sorted(_label(g, n) for n in members[index])
        shown = "、".join(_e(n) for n in names[:3]) + ("…" if len(names) > 3 else "")
        rows.append(
            f'<li data-community="{index + 1}"><span class="kg-glyph" '
            f'style="color:{colour}">●</span> {index + 1} '
            f'<span class="kg-count">{len(names)}</span> {shown}</li>'
        )
    if len(members) > _LEGEND_COMMUNITIES:
        rows.append(
            f"<li>… {len(members) - _LEGEND_COMMUNITIES} more (colours repeat)</li>"
        )
    return (
        '<h2>Types</h2><ul class="kg-types">' + "".join(items) + "</ul>"
        '<p class="kg-note">Size: number of relations. Edge label: predicate '
        "(role).</p>"
        '<fieldset id="kg-colour"><legend>Colour by</legend>'
        '<label><input type="radio" name="kg-colour" value="type"> type</label> '
        '<label><input type="radio" name="kg-colour" value="community"> '
        "community</label></fieldset>"
        '<div id="kg-communities" hidden><h3>Communities (Louvain)</h3>'
        '<ul class="kg-communities">' + "".join(rows) + "</ul></div>"
    )


def _filters(g: nx.MultiDiGraph[str], articles: list[dict[str, str | None]]) -> str:
    """Return the HTML of the predicate, article and date filters."""
    counts: Counter[str] = Counter()
    predicate: object
    for _u, _v, predicate in g.edges(data="predicate"):
        counts[str(predicate or "")] += 1
    preds = "".join(
        f'<li><label><input type="checkbox" class="kg-predicate-filter" '
        f'value="{_e(p)}" checked> {_e(p)} <span class="kg-count">{counts[p]}'
        "</span></label></li>"
        for p in sorted(counts)
    )
    by_date = sorted(range(len(articles)), key=lambda i: (articles[i]["d"] or "", i))
    options = "".join(
        f'<option value="{i}">{_e(_article_text(articles[i]))}</option>'
        for i in by_date
    )
    dates = sorted(a["d"] for a in articles if a["d"])
    if dates:
        lo, hi = _e(dates[0]), _e(dates[-1])
        date_part = (
            '<h2>Date</h2><div id="kg-dates">'
            f'<label>from <input type="date" id="kg-date-from" min="{lo}" max="{hi}">'
            f'</label> <label>to <input type="date" id="kg-date-to" min="{lo}" '
            f'max="{hi}"></label><p class="kg-note">Articles from {lo} to {hi}; '
            "items without a dated article stay.</p></div>"
        )
    else:
        date_part = '<p class="kg-note" id="kg-no-dates">No article has a date.</p>'
    return (
        '<h2>Relations</h2><ul class="kg-predicates">' + preds + "</ul>"
        '<h2>Article</h2><select id="kg-article" aria-label="Show one article">'
        f'<option value="-1">all articles ({len(articles)})</option>{options}'
        "</select>" + date_part + '<p><button type="button" id="kg-reset">'
        "Reset filters</button></p>"
    )


def _article_text(article: Mapping[str, str | None]) -> str:
    """Name an article in a list: its date (if known), then its title."""
    date = article.get("d")
    return (f"{date} · " if date else "") + str(article.get("t") or "")


def _names(g: nx.MultiDiGraph[str]) -> list[str]:
    """Return every label and alias, sorted, for the search box's suggestions."""
    names: set[str] = set()
    for _n, data in g.nodes(data=True):
        if data.get("label"):
            names.add(str(data["label"]))
        names.update(str(a) for a in data.get("aliases") or ())
    return sorted(names)


def _script_json(value: object) -> str:
    """Dump JSON that is safe inside a <script> element (no ``<``, ``>`` nor ``&``)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _vis_library() -> tuple[str, str]:
    """Return the script and style of the newest vis-network that pyvis bundles."""
    lib = resources.files("pyvis").joinpath(_VIS_LIB)
    try:
        versions = sorted(
            (d for d in lib.iterdir() if d.name.startswith("vis-")),
            key=lambda d: tuple(int(x) for x in re.findall(r"\d+", d.name)),
        )
        script = versions[-1].joinpath("vis-network.min.js").read_text(encoding="utf-8")
        style = versions[-1].joinpath("vis-network.css").read_text(encoding="utf-8")
    except (OSError, IndexError) as err:
        raise KGError(
            f"pyvis bundles no vis-network under {lib}; reinstall pyvis>=0.3.2"
        ) from err
    return _inline(script, "script"), _inline(style, "style")


def _viewer_assets() -> tuple[str, str]:
    """Return the viewer's own script and style (``kg/data/viewer.js``, ``.css``)."""
    data = resources.files("kg.data")
    try:
        script = data.joinpath(_VIEWER_JS).read_text(encoding="utf-8")
        style = data.joinpath(_VIEWER_CSS).read_text(encoding="utf-8")
    except OSError as err:
        raise KGError(
            f"the graph viewer's {_VIEWER_JS} or {_VIEWER_CSS} is missing from "
            f"{data}; reinstall kg"
        ) from err
    return _inline(script, "script"), _inline(style, "style")


def _inline(code: str, tag: str) -> str:
    """Make library code safe to inline: no source-map fetch, no early end tag."""
    code = re.sub(r"^\s*//# sourceMappingURL=\S*\s*$", "", code, flags=re.MULTILINE)
    code = re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", code)
    return re.sub(f"</(?={tag})", r"<\\/", code, flags=re.IGNORECASE)


def _page(
    *,
    title: str,
    g: nx.MultiDiGraph[str],
    data: Mapping[str, Any],
    community_of: Mapping[str, int],
) -> str:
    """Assemble the page; markup is escaped here, data goes in as safe JSON."""
    script, style = _vis_library()
    app, own_style = _viewer_assets()
    datalist = "".join(f'<option value="{_e(n)}"></option>' for n in _names(g))
    start = data["start"]
    if start is None:
        notice = ""
    else:
        notice = (
            f'<p id="kg-notice">{len(g):,} nodes: showing the {len(start):,} with '
            "the most relations. Search for any name, or double-click a node to "
            "bring in its neighbours.</p>"
        )
    return _TEMPLATE.format(
        title=_e(title),
        vis_style=style,
        vis_script=script,
        style=own_style,
        legend=_legend(g, community_of),
        filters=_filters(g, data["articles"]),
        datalist=datalist,
        notice=notice,
        data=_script_json(data),
        app=app,
    )


_TEMPLATE = """<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{vis_style}</style>
<style>{style}</style>
<script>{vis_script}</script>
</head>
<body>
<header>
<h1>{title}</h1>
<form id="kg-search" role="search" autocomplete="off">
<input id="kg-search-input" type="search" list="kg-names"
 placeholder="name or alias" aria-label="Find a node by name or alias">
<button type="submit">Find</button>
<span id="kg-search-status" aria-live="polite"></span>
</form>
<datalist id="kg-names">{datalist}</datalist>
<nav class="kg-tabs" role="tablist">
<button type="button" role="tab" data-tab="graph" id="kg-tab-graph"
 aria-selected="true">Graph</button>
<button type="button" role="tab" data-tab="map" id="kg-tab-map"
 aria-selected="false">Map</button>
</nav>
<span id="kg-shown"></span>
</header>
{notice}
<main>
<aside id="kg-filters"><section id="kg-legend">{legend}</section>{filters}</aside>
<div id="kg-stage">
<div id="kg-network"></div>
<div id="kg-map" hidden></div>
</div>
<aside id="kg-panel" aria-live="polite"></aside>
</main>
<script type="application/json" id="kg-data">{data}</script>
<script>{app}</script>
</body>
</html>
"""
