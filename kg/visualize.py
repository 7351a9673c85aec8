"""Draw the knowledge graph as one self-contained, interactive HTML page.

``render_html`` turns a graph from ``kg.analysis.to_networkx`` into a single HTML file
that works offline: vis-network's script and style (bundled with pyvis) are inlined,
and nothing is fetched from the network. The page has a legend of the entity types
present, node colour and shape by type (or colour by community), node size by degree,
edge labels ``predicate (role)``, hover cards with type, aliases, attributes and
evidence, and a search box that selects and focuses a node by label or alias.

Every string that comes from an article is HTML-escaped before it reaches markup
(hover cards are built as HTML and become DOM elements), and the data given to the
page's script is JSON with ``<`` and ``>`` escaped, so a name such as
``<img src=x onerror=alert(1)>`` shows as text. This is the only module that imports
pyvis; it uses pyvis to assemble the nodes, edges and options and its bundled
vis-network, but writes its own page, because pyvis's page template loads Bootstrap
from a CDN and puts hover text into ``innerHTML`` when it contains ``href``.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx

from kg.errors import KGError
from kg.records import ENTITY_TYPES

__all__ = ["COMMUNITY_COLOURS", "TYPE_STYLES", "render_html"]

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
_NEUTRAL = "#8c8c8c"
COMMUNITY_COLOURS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939",
)  # fmt: skip
_UNDIRECTED = frozenset({"collaboratesWith"})
_MAX_EVIDENCE = 8  # evidence lines shown per edge card
_VIS_LIB = "templates/lib"


def render_html(
    g: nx.MultiDiGraph[str],
    path: Path,
    *,
    communities: bool = False,
    title: str = "kg",
) -> Path:
    """Write ``g`` as one self-contained interactive HTML page.

    The output is deterministic: nodes and edges are sorted and the layout's random
    seed is fixed, so the same graph gives the same bytes.

    Args:
        g: A graph from ``kg.analysis.to_networkx``.
        path: Where to write the page; missing parent folders are created.
        communities: Colour the nodes by Louvain community (seed 0) instead of by
            type; shapes still show the type.
        title: The page's title and heading.

    Returns:
        ``path``.

    Raises:
        KGError: When pyvis bundles no vis-network, or ``path`` cannot be written.
    """
    # pyvis imports IPython, so it is imported here rather than with the module.
    from pyvis.network import Network  # type: ignore[import-untyped]

    community_of = _community_index(g) if communities else {}
    net = Network(directed=True, cdn_resources="in_line", heading="")
    degree = dict(g.degree())
    for node in sorted(g):
        data = g.nodes[node]
        colour, shape, _glyph = TYPE_STYLES.get(str(data.get("type")), _OTHER_STYLE)
        if communities:
            colour = COMMUNITY_COLOURS[community_of[node] % len(COMMUNITY_COLOURS)]
        extra: dict[str, Any] = {}
        if data.get("type") == "Organization":
            extra["shapeProperties"] = {"borderDashes": [4, 3]}
            extra["borderWidth"] = 2
        net.add_node(
            node,
            label=str(data.get("label") or node),
            shape=shape,
            color=colour,
            size=_size(degree.get(node, 0)),
            title=_node_card(g, node, community_of.get(node)),
            kgType=str(data.get("type") or ""),
            kgAliases=[str(a) for a in data.get("aliases") or ()],
            **extra,
        )
    for (u, v, predicate), group in _edge_groups(g):
        roles = sorted({str(d["role"]) for d in group if d.get("role")})
        label = predicate + (f" ({'/'.join(roles)})" if roles else "")
        net.add_edge(
            u,
            v,
            label=label,
            title=_edge_card(g, u, v, label, group),
            arrows="" if predicate in _UNDIRECTED else "to",
            width=1 + min(len(group) - 1, 4),
            kgPredicate=predicate,
        )
    nodes, edges, *_rest = net.get_network_data()
    page = _page(
        title=title,
        nodes=nodes,
        edges=edges,
        options=_options(g.number_of_nodes()),
        legend=_legend(g, community_of),
        names=_names(g),
    )
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


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _node_card(g: nx.MultiDiGraph[str], node: str, community: int | None) -> str:
    """Return the escaped HTML of a node's hover card."""
    data = g.nodes[node]
    rows = [f"<b>{_e(data.get('label') or node)}</b>", f"type: {_e(data.get('type'))}"]
    if data.get("aliases"):
        rows.append("aliases: " + "、".join(_e(a) for a in data["aliases"]))
    if data.get("titles"):
        rows.append("title: " + "、".join(_e(t) for t in data["titles"]))
    if data.get("investment") is not None:
        amount = f"{data['investment']:,.0f}"
        currency = data.get("currency") or ""
        text = data.get("investment_text")
        rows.append(
            f"investment: {_e(amount)} {_e(currency)}"
            + (f" ({_e(text)})" if text else "")
        )
    for field in ("byline", "date", "publication", "document"):
        if data.get(field):
            rows.append(f"{field}: {_e(data[field])}")
    if data.get("articles"):
        rows.append(f"articles: {len(data['articles'])}")
    if community is not None:
        rows.append(f"community: {community + 1}")
    rows.append(f"<small>{_e(node)}</small>")
    return "<br>".join(rows)


def _edge_card(
    g: nx.MultiDiGraph[str], u: str, v: str, label: str, group: list[dict[str, Any]]
) -> str:
    """Return the escaped HTML of an edge's hover card, with its evidence."""
    head = (
        f"<b>{_e(g.nodes[u].get('label') or u)}</b> {_e(label)} "
        f"<b>{_e(g.nodes[v].get('label') or v)}</b>"
    )
    rows = [head]
    for data in group[:_MAX_EVIDENCE]:
        evidence = data.get("evidence")
        where = _article_name(g, data.get("article"))
        text = f"“{_e(evidence)}”" if evidence else "<i>no evidence</i>"
        rows.append(f"{text} <small>{_e(where)}</small>" if where else text)
    if len(group) > _MAX_EVIDENCE:
        rows.append(f"… {len(group) - _MAX_EVIDENCE} more")
    return "<br>".join(rows)


def _article_name(g: nx.MultiDiGraph[str], article: object) -> str:
    """Name an article by its title when it is a node, else by its IRI's tail."""
    if not article:
        return ""
    iri = str(article)
    if iri in g and g.nodes[iri].get("label"):
        return str(g.nodes[iri]["label"])
    return iri.rsplit("/", 2)[-1] if "/" in iri else iri


# -- the page ------------------------------------------------------------------------


def _options(n_nodes: int) -> dict[str, Any]:
    """Return vis-network options: a seeded layout, physics until stabilized."""
    return {
        "layout": {"randomSeed": 0, "improvedLayout": n_nodes <= 150},
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 120},
            "stabilization": {"enabled": True, "iterations": 500, "fit": True},
        },
        "interaction": {"hover": True, "tooltipDelay": 120},
        "nodes": {"font": {"size": 14}},
        "edges": {
            "font": {"size": 10, "align": "middle"},
            "color": {"color": "#9a9a9a", "highlight": "#333333"},
            "smooth": {"enabled": True, "type": "dynamic"},
        },
    }


def _legend(g: nx.MultiDiGraph[str], community_of: Mapping[str, int]) -> str:
    """Return the legend's HTML: the types present, then the communities if any."""
    counts = Counter(str(t) for _n, t in g.nodes(data="type", default=""))
    order = [*ENTITY_TYPES, "Article"]
    present = sorted(counts, key=lambda t: (order.index(t) if t in order else 99, t))
    items = []
    for type_ in present:
        colour, _shape, glyph = TYPE_STYLES.get(type_, _OTHER_STYLE)
        if community_of:
            colour = _NEUTRAL
        items.append(
            f'<li data-type="{_e(type_)}"><span class="kg-glyph" '
            f'style="color:{colour}">{glyph}</span> {_e(type_)} '
            f'<span class="kg-count">{counts[type_]}</span></li>'
        )
    parts = [
        "<h2>Legend</h2>",
        f'<ul class="kg-types">{"".join(items)}</ul>',
        '<p class="kg-note">Size: number of relations. Edge label: predicate (role). '
        "Hover a node or an edge for its attributes and evidence.</p>",
    ]
    if community_of:
        members: dict[int, list[str]] = {}
        for node in sorted(community_of):
            members.setdefault(community_of[node], []).append(node)
        rows = []
        for index in sorted(members):
            colour = COMMUNITY_COLOURS[index % len(COMMUNITY_COLOURS)]
            names = [str(g.nodes[n].get("label") or n) for n in members[index]]
            shown = "、".join(_e(n) for n in sorted(names)[:4])
            more = "…" if len(names) > 4 else ""
            rows.append(
                f'<li data-community="{index + 1}"><span class="kg-glyph" '
                f'style="color:{colour}">●</span> {index + 1} '
                f'<span class="kg-count">{len(names)}</span> {shown}{more}</li>'
            )
        parts += [
            "<h3>Communities</h3>",
            f'<ul class="kg-communities">{"".join(rows)}</ul>',
        ]
    return "".join(parts)


def _names(g: nx.MultiDiGraph[str]) -> list[str]:
    """Return every label and alias, sorted, for the search box's suggestions."""
    names: set[str] = set()
    for _n, data in g.nodes(data=True):
        if data.get("label"):
            names.add(str(data["label"]))
        names.update(str(a) for a in data.get("aliases") or ())
    return sorted(names)


def _script_json(value: object) -> str:
    """Dump JSON that is safe inside a <script> element (no ``<`` nor ``>``)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
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


def _inline(code: str, tag: str) -> str:
    """Make library code safe to inline: no source-map fetch, no early end tag."""
    code = re.sub(r"^\s*//# sourceMappingURL=\S*\s*$", "", code, flags=re.MULTILINE)
    code = re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", code)
    return re.sub(f"</(?={tag})", r"<\\/", code, flags=re.IGNORECASE)


def _page(
    *,
    title: str,
    nodes: Iterable[Mapping[str, Any]],
    edges: Iterable[Mapping[str, Any]],
    options: Mapping[str, Any],
    legend: str,
    names: list[str],
) -> str:
    """Assemble the page from its parts; every argument's text is already safe."""
    script, style = _vis_library()
    datalist = "".join(f'<option value="{_e(n)}"></option>' for n in names)
    return _TEMPLATE.format(
        title=_e(title),
        vis_style=style,
        vis_script=script,
        style=_STYLE,
        legend=legend,
        datalist=datalist,
        nodes=_script_json(list(nodes)),
        edges=_script_json(list(edges)),
        options=_script_json(options),
        app=_APP,
    )


_STYLE = """
html, body { margin: 0; height: 100%; font-family: system-ui, "Noto Sans CJK SC",
  "Microsoft YaHei", sans-serif; color: #222; }
body { display: flex; flex-direction: column; }
header { display: flex; align-items: center; gap: 1em; padding: 0.4em 1em;
  border-bottom: 1px solid #ddd; }
header h1 { font-size: 1.2em; margin: 0; }
#kg-search { display: flex; gap: 0.4em; align-items: center; }
#kg-search input { width: 18em; padding: 0.2em 0.4em; }
#kg-search-status { color: #666; font-size: 0.9em; }
main { flex: 1; display: flex; min-height: 0; }
#kg-network { flex: 1; min-height: 480px; }
#kg-legend { width: 15em; padding: 0.5em 1em; border-left: 1px solid #ddd;
  overflow-y: auto; font-size: 0.9em; }
#kg-legend h2 { font-size: 1em; margin: 0.2em 0; }
#kg-legend h3 { font-size: 0.95em; margin: 0.8em 0 0.2em; }
#kg-legend ul { list-style: none; padding: 0; margin: 0; }
#kg-legend li { margin: 0.15em 0; }
.kg-glyph { display: inline-block; width: 1.2em; text-align: center; }
.kg-count { color: #888; font-size: 0.85em; }
.kg-note { color: #666; font-size: 0.85em; }
.kg-card { max-width: 28em; white-space: normal; line-height: 1.4; }
"""

_APP = """
(function () {
  "use strict";
  function card(markup) {
    // The markup was escaped when the page was written: only our own tags remain.
    var div = document.createElement("div");
    div.className = "kg-card";
    div.innerHTML = markup;
    return div;
  }
  function withCards(items) {
    return items.map(function (item) {
      if (typeof item.title === "string") { item.title = card(item.title); }
      return item;
    });
  }
  var nodes = new vis.DataSet(withCards(KG_NODES));
  var edges = new vis.DataSet(withCards(KG_EDGES));
  var container = document.getElementById("kg-network");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, KG_OPTIONS);
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({physics: false});
  });

  function norm(text) {
    return String(text).normalize("NFC").replace(/\\s+/g, "").toLowerCase();
  }
  function findNode(query) {
    var q = norm(query);
    if (!q) { return null; }
    var all = KG_NODES, i, j;
    for (i = 0; i < all.length; i++) {
      if (norm(all[i].label) === q) { return all[i].id; }
    }
    for (i = 0; i < all.length; i++) {
      for (j = 0; j < (all[i].kgAliases || []).length; j++) {
        if (norm(all[i].kgAliases[j]) === q) { return all[i].id; }
      }
    }
    for (i = 0; i < all.length; i++) {
      var names = [all[i].label].concat(all[i].kgAliases || []);
      for (j = 0; j < names.length; j++) {
        if (norm(names[j]).indexOf(q) >= 0) { return all[i].id; }
      }
    }
    return null;
  }
  var form = document.getElementById("kg-search");
  var input = document.getElementById("kg-search-input");
  var status = document.getElementById("kg-search-status");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var id = findNode(input.value);
    if (id === null) { status.textContent = "not found"; return; }
    network.selectNodes([id]);
    network.focus(id, {scale: 1.3, animation: {duration: 400}});
    status.textContent = nodes.get(id).label;
  });
  window.kgNetwork = network;
  window.kgFindNode = findNode;
})();
"""

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
</header>
<main>
<div id="kg-network"></div>
<aside id="kg-legend">{legend}</aside>
</main>
<script>
var KG_NODES = {nodes};
var KG_EDGES = {edges};
var KG_OPTIONS = {options};
</script>
<script>{app}</script>
</body>
</html>
"""
