"""Turn the knowledge graph into a networkx graph and ask who is connected.

``to_networkx`` reads a Dataset in the shape of the RDF contract (one named graph per
article) with SPARQL over ``GRAPH ?g { ... }`` patterns, so that the same queries run on
rdflib's Memory store and on oxrdflib's Oxigraph store. The result is a
``nx.MultiDiGraph``:

- nodes are entity IRIs (``str``) with the attributes ``label``, ``type`` (the class's
  local name), ``aliases``, ``articles`` (article IRIs), ``titles``, ``investment``
  (``float`` or ``None``), ``currency`` and ``investment_text``; an article that is the
  object of ``authorOf`` is a node of type ``"Article"`` labelled with its title, which
  also has ``title``, ``byline``, ``article_id``, ``document``, ``date`` and
  ``publication``;
- edges go from subject to object, one per ``kg:Assertion`` (keyed by the assertion IRI)
  plus one per direct triple that no assertion of its named graph states, with the
  attributes ``predicate``, ``role``, ``evidence``, ``article``, ``confidence`` and
  ``assertion``.

The other functions take that graph: ``degree_centrality``, ``communities``,
``shortest_path`` (over edges taken as undirected), ``find_node`` and a few counts.
"""

from __future__ import annotations

import logging
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import pairwise
from typing import Any, NamedTuple
from urllib.parse import unquote

import networkx as nx
from rdflib import Dataset
from rdflib.term import Identifier, Literal

from kg.namespace import ID, KG_URI
from kg.records import ENTITY_TYPES, PREDICATES

__all__ = [
    "ARTICLE_TYPE",
    "Hop",
    "communities",
    "connected_pair",
    "count_edges_by_predicate",
    "count_nodes_by_type",
    "degree_centrality",
    "find_node",
    "labels",
    "shortest_path",
    "to_networkx",
]

logger = logging.getLogger(__name__)

ARTICLE_TYPE = "Article"

_PREFIXES = """\
PREFIX kg: <https://w3id.org/kg-news/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

# One row per (entity, property, value); rdf:type is listed so that an entity with no
# other property still gives a row, without an OPTIONAL per property. VALUES first and
# FILTER IN (rather than a second VALUES) keep rdflib's own evaluator fast.
ENTITIES_QUERY = (
    _PREFIXES
    + """\
SELECT DISTINCT ?e ?type ?p ?v WHERE {
  GRAPH ?g {
    VALUES ?type { kg:Person kg:Company kg:University kg:ResearchInstitute
                   kg:GovernmentAgency kg:Organization kg:Region kg:Project }
    ?e a ?type ; ?p ?v .
    FILTER(?p IN (rdf:type, rdfs:label, kg:name, kg:alias, kg:title, kg:mentionedIn,
                  kg:investmentAmount, kg:currency, kg:investmentText))
  }
}
"""
)

ARTICLES_QUERY = (
    _PREFIXES
    + """\
SELECT DISTINCT ?a ?p ?v WHERE {
  GRAPH ?g {
    ?a a kg:Article ; ?p ?v .
    FILTER(?p IN (rdf:type, kg:title, kg:byline, kg:articleId, kg:document,
                  kg:datePublished, kg:publication))
  }
}
"""
)

ASSERTIONS_QUERY = (
    _PREFIXES
    + """\
SELECT DISTINCT ?g ?a ?s ?p ?o ?role ?evidence ?article ?confidence WHERE {
  GRAPH ?g {
    ?a a kg:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
    OPTIONAL { ?a kg:role ?role }
    OPTIONAL { ?a kg:evidence ?evidence }
    OPTIONAL { ?a kg:article ?article }
    OPTIONAL { ?a kg:confidence ?confidence }
  }
}
"""
)

DIRECT_QUERY = (
    _PREFIXES
    + """\
SELECT DISTINCT ?g ?s ?p ?o WHERE {
  GRAPH ?g {
    VALUES ?p { kg:affiliatedWith kg:locatedIn kg:partOf kg:participatesIn
                kg:collaboratesWith kg:authorOf kg:fundedBy }
    ?s ?p ?o .
  }
}
"""
)

_ARTICLE_FIELDS = {
    "title": "title",
    "byline": "byline",
    "articleId": "article_id",
    "document": "document",
    "datePublished": "date",
    "publication": "publication",
}


class Hop(NamedTuple):
    """One step of a path: an edge read in its own direction, with its evidence."""

    subject: str
    predicate: str
    object: str
    evidence: str | None


def to_networkx(dataset: Dataset) -> nx.MultiDiGraph[str]:
    """Read the entities, articles and relations of ``dataset`` into a graph.

    Nodes and edges are added in sorted order, so that the same dataset gives the
    same graph (and the same layouts, paths and communities) on every run.

    Args:
        dataset: A Dataset holding one named graph per article, in the shape of the
            RDF contract, on any store that answers ``GRAPH ?g`` queries.

    Returns:
        A directed multigraph whose nodes are IRIs and whose edges are relations.

    Note:
        rdflib's Memory store answers ``GRAPH ?g`` by scanning each graph's triples
        in the whole store, so its time grows with graphs times triples (about ten
        seconds for a few hundred articles); Oxigraph answers in well under a second.
    """
    nodes = _entity_nodes(_select(dataset, ENTITIES_QUERY))
    articles = _article_nodes(_select(dataset, ARTICLES_QUERY))
    edges = _edges(_select(dataset, ASSERTIONS_QUERY), _select(dataset, DIRECT_QUERY))
    for u, v, _key, _data in edges:
        for end in (u, v):
            if end not in nodes:
                nodes[end] = articles.get(end) or _fallback_node(end)
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for iri in sorted(nodes):
        g.add_node(iri, **nodes[iri])
    for u, v, key, data in sorted(edges, key=lambda e: (e[0], e[1], e[2])):
        g.add_edge(u, v, key=key, **data)
    logger.debug("graph of %d nodes and %d edges", g.number_of_nodes(), g.size())
    return g


def degree_centrality(g: nx.MultiDiGraph[str]) -> list[tuple[str, str, float]]:
    """Rank the nodes by degree centrality, highest first.

    The degree counts distinct neighbours, whatever the direction and the number of
    edges between two nodes, so the score stays within 0..1.

    Args:
        g: A graph from ``to_networkx``.

    Returns:
        ``(node, label, score)`` tuples, by score, then label, then node.

    Example:
        >>> g = nx.MultiDiGraph()
        >>> _ = g.add_edge("x:a", "x:b", key="1")
        >>> _ = g.add_edge("x:b", "x:a", key="2")
        >>> _ = g.add_edge("x:c", "x:b", key="3")
        >>> degree_centrality(g)[0]
        ('x:b', 'x:b', 1.0)
    """
    if g.number_of_nodes() <= 1:
        return [(n, _label(g, n), 0.0) for n in sorted(g)]
    scores = nx.degree_centrality(_project(g))
    ranked = [(n, _label(g, n), float(s)) for n, s in scores.items()]
    return sorted(ranked, key=lambda t: (-t[2], t[1], t[0]))


def communities(g: nx.MultiDiGraph[str], seed: int = 0) -> list[list[str]]:
    """Split the graph into communities with the Louvain method.

    Args:
        g: A graph from ``to_networkx``.
        seed: The random seed of the Louvain method; a fixed seed gives the same
            communities for the same graph.

    Returns:
        Lists of node IRIs, each sorted; the largest community first.

    Example:
        >>> g = nx.MultiDiGraph()
        >>> _ = g.add_edges_from([("a", "b"), ("b", "c"), ("a", "c"), ("d", "e")])
        >>> communities(g)
        [['a', 'b', 'c'], ['d', 'e']]
    """
    if g.number_of_nodes() == 0:
        return []
    found = nx.community.louvain_communities(_project(g), seed=seed)
    return sorted((sorted(c) for c in found), key=lambda c: (-len(c), c))


def find_node(g: nx.MultiDiGraph[str], name: str) -> str | None:
    """Find the node that an IRI, a label or an alias names.

    An IRI wins, then a label, then an alias; among several nodes of the same name the
    one with the most neighbours (then the first IRI) wins. White space and Unicode
    normalisation are ignored.

    Args:
        g: A graph from ``to_networkx``.
        name: An IRI, a label or an alias.

    Returns:
        The node's IRI, or ``None`` when nothing has that name.

    Example:
        >>> g = nx.MultiDiGraph()
        >>> g.add_node("x:1", label="甲科技有限公司", aliases=["甲科技"])
        >>> find_node(g, "甲科技"), find_node(g, "乙")
        ('x:1', None)
    """
    if name in g:
        return name
    key = _norm(name)
    by_label = [n for n in g if _norm(_label(g, n)) == key]
    if not by_label:
        by_label = [
            n for n in g if key in {_norm(a) for a in g.nodes[n].get("aliases", ())}
        ]
    if not by_label:
        return None
    proj = _project(g)
    return str(min(by_label, key=lambda n: (-proj.degree(n), n)))


def shortest_path(g: nx.MultiDiGraph[str], a: str, b: str) -> list[Hop]:
    """Find a shortest chain of relations between two nodes, edges taken as undirected.

    Each hop reads its edge in the edge's own direction (subject, predicate, object),
    so a hop may go against the walk. Between two nodes, an edge with evidence is
    preferred, then the first by key.

    Args:
        g: A graph from ``to_networkx``.
        a: The start: an IRI, a label or an alias (see ``find_node``).
        b: The end, named the same way.

    Returns:
        The hops from ``a`` to ``b``; empty when they are the same node or when no
        path joins them.

    Raises:
        networkx.NodeNotFound: When ``a`` or ``b`` names no node.

    Example:
        >>> g = nx.MultiDiGraph()
        >>> g.add_nodes_from([("p", {"label": "张三"}), ("c", {"label": "甲公司"})])
        >>> g.add_node("r", label="某市")
        >>> _ = g.add_edge("p", "c", predicate="affiliatedWith", evidence="甲公司张三")
        >>> _ = g.add_edge("c", "r", predicate="locatedIn", evidence=None)
        >>> for hop in shortest_path(g, "某市", "张三"):
        ...     print(*hop)
        甲公司 locatedIn 某市 None
        张三 affiliatedWith 甲公司 甲公司张三
    """
    ends = []
    for name in (a, b):
        node = find_node(g, name)
        if node is None:
            raise nx.NodeNotFound(
                f"no node named {name!r} in the graph; give a label, an alias or an IRI"
            )
        ends.append(node)
    proj = _project(g)
    try:
        path = nx.shortest_path(proj, ends[0], ends[1])
    except nx.NetworkXNoPath:
        return []
    hops = []
    for x, y in pairwise(path):
        u, v, key = proj.edges[x, y]["edge"]
        data = g.edges[u, v, key]
        hops.append(
            Hop(
                _label(g, u),
                data.get("predicate", ""),
                _label(g, v),
                data.get("evidence"),
            )
        )
    return hops


def connected_pair(g: nx.MultiDiGraph[str], top: int = 20) -> tuple[str, str] | None:
    """Choose two highly connected nodes that a path joins, for a demonstration.

    Walks the pairs of the ``top`` nodes by degree centrality, best first, and returns
    the first pair joined by a path of two hops or more; failing that, the first pair
    joined by a single edge.

    Args:
        g: A graph from ``to_networkx``.
        top: How many of the best-ranked nodes to pair up.

    Returns:
        Two node IRIs, or ``None`` when no two of those nodes are connected.

    Example:
        >>> g = nx.MultiDiGraph()
        >>> _ = g.add_edges_from([("a", "b"), ("b", "c"), ("c", "d"), ("b", "d")])
        >>> connected_pair(g)
        ('c', 'a')
    """
    proj = _project(g)
    ranked = [n for n, _label_, _score in degree_centrality(g)[:top]]
    component = {n: i for i, c in enumerate(nx.connected_components(proj)) for n in c}
    adjacent: tuple[str, str] | None = None
    for i, x in enumerate(ranked):
        for y in ranked[i + 1 :]:
            if component[x] != component[y]:
                continue
            if not proj.has_edge(x, y):
                return (x, y)
            if adjacent is None:
                adjacent = (x, y)
    return adjacent


def count_nodes_by_type(g: nx.MultiDiGraph[str]) -> dict[str, int]:
    """Count the nodes of each type, most frequent first.

    Example:
        >>> g = nx.MultiDiGraph()
        >>> g.add_nodes_from([("a", {"type": "Region"}), ("b", {"type": "Person"}),
        ...                   ("c", {"type": "Region"})])
        >>> count_nodes_by_type(g)
        {'Region': 2, 'Person': 1}
    """
    counts = Counter(str(t) for _n, t in g.nodes(data="type", default=""))
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def count_edges_by_predicate(g: nx.MultiDiGraph[str]) -> dict[str, int]:
    """Count the edges of each predicate, most frequent first.

    Example:
        >>> g = nx.MultiDiGraph()
        >>> _ = g.add_edge("a", "b", predicate="partOf")
        >>> count_edges_by_predicate(g)
        {'partOf': 1}
    """
    counts = Counter(str(p) for _u, _v, p in g.edges(data="predicate", default=""))
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def labels(g: nx.MultiDiGraph[str], nodes: Iterable[str]) -> list[str]:
    """Return the labels of ``nodes``, in their order.

    Example:
        >>> g = nx.MultiDiGraph()
        >>> g.add_node("x:1", label="甲")
        >>> labels(g, ["x:1"])
        ['甲']
    """
    return [_label(g, n) for n in nodes]


# -- reading the dataset -------------------------------------------------------------


def _select(dataset: Dataset, query: str) -> list[tuple[Identifier | None, ...]]:
    """Run a SELECT query and return its rows as tuples of terms."""
    return [tuple(row) for row in dataset.query(query)]  # type: ignore[arg-type]


def _local(iri: object) -> str:
    """Return the local name of an ontology term, or ``""`` outside the ontology."""
    text = str(iri)
    return text[len(KG_URI) :] if text.startswith(KG_URI) else ""


def _entity_nodes(rows: Iterable[tuple[Identifier | None, ...]]) -> dict[str, Any]:
    """Fold ``ENTITIES_QUERY`` rows into node attribute dicts."""
    values: dict[str, dict[str, set[Any]]] = defaultdict(lambda: defaultdict(set))
    types: dict[str, str] = {}
    for e, cls, p, v in rows:
        iri = str(e)
        local = _local(cls)
        if local not in ENTITY_TYPES or v is None:
            continue
        types[iri] = min(local, types.get(iri, local))
        prop = _local(p) or str(p).rsplit("#", 1)[-1]
        if isinstance(v, Literal):
            values[iri][prop].add(
                v.toPython() if prop == "investmentAmount" else str(v)
            )
        else:
            values[iri][prop].add(str(v))
    nodes: dict[str, Any] = {}
    for iri, type_ in types.items():
        vals = values[iri]
        names = sorted(vals["name"]) or sorted(vals["label"])
        label = names[0] if names else _fallback_node(iri)["label"]
        aliases = (vals["alias"] | vals["name"] | vals["label"]) - {label}
        amounts = sorted(
            a for a in map(_as_float, vals["investmentAmount"]) if a is not None
        )
        nodes[iri] = {
            "label": label,
            "type": type_,
            "aliases": sorted(aliases),
            "articles": sorted(vals["mentionedIn"]),
            "titles": sorted(vals["title"]),
            "investment": amounts[-1] if amounts else None,
            "currency": min(vals["currency"], default=None),
            "investment_text": min(vals["investmentText"], default=None),
        }
    return nodes


def _article_nodes(rows: Iterable[tuple[Identifier | None, ...]]) -> dict[str, Any]:
    """Fold ``ARTICLES_QUERY`` rows into node attribute dicts of type Article."""
    values: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for a, p, v in rows:
        known = values[str(a)]  # rdf:type alone still makes the article known
        field = _ARTICLE_FIELDS.get(_local(p))
        if field is not None and v is not None:
            known[field].add(str(v))
    nodes: dict[str, Any] = {}
    for iri, vals in values.items():
        fields = {f: min(vals[f], default=None) for f in _ARTICLE_FIELDS.values()}
        node = _fallback_node(iri)
        node.update(fields)
        node["label"] = fields["title"] or fields["article_id"] or node["label"]
        nodes[iri] = node
    return nodes


def _edges(
    assertions: Iterable[tuple[Identifier | None, ...]],
    direct: Iterable[tuple[Identifier | None, ...]],
) -> list[tuple[str, str, str, dict[str, Any]]]:
    """Make one edge per assertion, and one per direct triple no assertion states."""
    chosen: dict[str, tuple[Identifier | None, ...]] = {}
    for row in assertions:
        key = str(row[1])
        # Several values of an optional property give several rows: keep the least.
        if key not in chosen or _row_key(row) < _row_key(chosen[key]):
            chosen[key] = row
    edges = []
    stated: set[tuple[str, str, str, str]] = set()
    for key, (g, _a, s, p, o, role, evidence, article, confidence) in chosen.items():
        predicate = _local(p)
        if predicate not in PREDICATES:
            continue
        stated.add((str(g), str(s), predicate, str(o)))
        edges.append(
            (
                str(s),
                str(o),
                key,
                {
                    "predicate": predicate,
                    "role": None if role is None else str(role),
                    "evidence": None if evidence is None else str(evidence),
                    "article": str(g) if article is None else str(article),
                    "confidence": _as_float(confidence),
                    "assertion": key,
                },
            )
        )
    for g, s, p, o in direct:
        predicate = _local(p)
        if predicate not in PREDICATES or (str(g), str(s), predicate, str(o)) in stated:
            continue
        edges.append(
            (
                str(s),
                str(o),
                f"{predicate} {g}",
                {
                    "predicate": predicate,
                    "role": None,
                    "evidence": None,
                    "article": str(g),
                    "confidence": None,
                    "assertion": None,
                },
            )
        )
    return edges


def _row_key(row: tuple[Identifier | None, ...]) -> tuple[str, ...]:
    return tuple("" if t is None else str(t) for t in row)


def _as_float(term: object) -> float | None:
    """Return a literal's (or a number's) value as a float, ``None`` if it is none."""
    value = term.toPython() if isinstance(term, Literal) else term
    try:
        return None if value is None else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _fallback_node(iri: str) -> dict[str, Any]:
    """Describe a node known only by its IRI, reading type and name from the IRI."""
    type_, label = "Entity", iri.rstrip("/").rsplit("/", 1)[-1]
    if iri.startswith(ID + "entity/"):
        parts = iri[len(ID + "entity/") :].split("/", 1)
        if len(parts) == 2:
            type_, label = parts
    elif iri.startswith(ID + "article/"):
        type_ = ARTICLE_TYPE
    label = unquote(label)
    return {
        "label": label,
        "type": type_,
        "aliases": [],
        "articles": [iri] if type_ == ARTICLE_TYPE else [],
        "titles": [],
        "investment": None,
        "currency": None,
        "investment_text": None,
    }


# -- graph helpers ------------------------------------------------------------------


def _label(g: nx.MultiDiGraph[str], node: str) -> str:
    return str(g.nodes[node].get("label") or node)


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split()).casefold()


def _project(g: nx.MultiDiGraph[str]) -> nx.Graph[str]:
    """Return the simple undirected graph of ``g`` without self-loops.

    Each edge keeps, as ``edge``, the ``(u, v, key)`` of the original edge that stands
    for it: one with evidence if any, then the least by key.
    """
    proj: nx.Graph[str] = nx.Graph()
    proj.add_nodes_from(sorted(g))
    best: dict[tuple[str, str], tuple[bool, str, str, str]] = {}
    evidence: object
    for u, v, key, evidence in g.edges(keys=True, data="evidence"):
        if u == v:
            continue
        pair = (u, v) if u <= v else (v, u)
        rank = (evidence is None, str(key), u, v)
        if pair not in best or rank < best[pair]:
            best[pair] = rank
    for pair in sorted(best):
        _no_evidence, _key, u, v = best[pair]
        proj.add_edge(*pair, edge=(u, v, _original_key(g, u, v, _key)))
    return proj


def _original_key(g: nx.MultiDiGraph[str], u: str, v: str, key: str) -> Any:
    """Return the key of the edge ``u -> v`` whose ``str`` is ``key``."""
    for k in g[u][v]:
        if str(k) == key:
            return k
    raise KeyError(key)  # pragma: no cover - ``key`` came from g
