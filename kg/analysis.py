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
  attributes ``predicate``, ``role``, ``evidence``, ``article``, ``confidence``, ``date`` and
  ``assertion``.

The other functions take that graph (``load_graph`` reads it from a store folder):

- projections: ``organization_project_graph`` and ``person_organization_graph``
  (bipartite, with roles and evidence), ``co_mention_graph`` (entities named in the
  same article), ``bipartite_projection`` for any two sets of types;
- centrality: ``degree_centrality``, ``betweenness_centrality``, ``pagerank`` and all
  three in ``centrality_frame``;
- communities: ``communities`` (Louvain, seeded) and ``describe_communities`` /
  ``communities_frame`` (what binds each: hubs, relations, types, articles);
- paths: ``shortest_path`` and ``all_paths`` (edges taken as undirected, the evidence
  of each hop), ``ego_network``, ``find_node``, ``connected_pair`` and a few counts;
- tables: ``nodes_frame``, ``edges_frame``, and ``query_frame`` for SPARQL (saved
  or not) as pandas DataFrames; ``investment_by_type``;
- for the notebooks: ``bar_chart`` (a PNG whatever the matplotlib backend, with a
  CJK font when one is installed), displaCy renders of the extraction
  (``entity_sentences``, ``render_entities``), the evaluation as a table
  (``gold_pairs``, ``evaluate_documents``, ``report_frame``), and ``sample_jsonl``
  and ``Stopwatch`` for timing at scale.

pandas, matplotlib and spaCy are imported by the functions that need them, so that
importing this module stays cheap.
"""

from __future__ import annotations

import io
import json
import logging
import re
import shutil
import subprocess
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from itertools import combinations, pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import unquote

import networkx as nx
from rdflib import Dataset
from rdflib.term import Identifier, Literal

from kg.errors import CorpusError, QueryError
from kg.namespace import ID, KG_URI
from kg.records import ENTITY_TYPES, ORG_TYPES, PREDICATES

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from pandas import DataFrame  # type: ignore[import-untyped]
    from rdflib.query import Result
    from spacy.tokens import Doc, Span

    from kg.evaluate import Counts, Report

__all__ = [
    "ARTICLE_TYPE",
    "CENTRALITY_MEASURES",
    "Chart",
    "Community",
    "Hop",
    "Sample",
    "Stopwatch",
    "all_paths",
    "bar_chart",
    "betweenness_centrality",
    "bipartite_projection",
    "centrality_frame",
    "co_mention_graph",
    "communities",
    "communities_frame",
    "connected_pair",
    "count_edges_by_predicate",
    "count_nodes_by_type",
    "degree_centrality",
    "describe_communities",
    "edges_frame",
    "ego_network",
    "entities_frame",
    "entity_colours",
    "entity_sentences",
    "evaluate_documents",
    "existing_store",
    "find_cjk_font",
    "find_node",
    "gold_pairs",
    "investment_by_type",
    "labels",
    "load_graph",
    "nodes_frame",
    "organization_project_graph",
    "pagerank",
    "participations",
    "person_organization_graph",
    "query_frame",
    "render_entities",
    "report_frame",
    "result_frame",
    "sample_jsonl",
    "shortest_path",
    "to_networkx",
    "use_cjk_font",
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
SELECT DISTINCT ?g ?a ?s ?p ?o ?role ?evidence ?article ?confidence ?date WHERE {
  GRAPH ?g {
    ?a a kg:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
    OPTIONAL { ?a kg:role ?role }
    OPTIONAL { ?a kg:evidence ?evidence }
    OPTIONAL { ?a kg:article ?article }
    OPTIONAL { ?a kg:confidence ?confidence }
    OPTIONAL { ?a kg:date ?date }
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


def to_networkx(
    dataset: Dataset, min_confidence: float = 0.0
) -> nx.MultiDiGraph[str]:
    """Read the entities, articles and relations of ``dataset`` into a graph.

    Nodes and edges are added in sorted order, so that the same dataset gives the
    same graph (and the same layouts, paths and communities) on every run.

    Args:
        dataset: A Dataset holding one named graph per article, in the shape of the
            RDF contract, on any store that answers ``GRAPH ?g`` queries.
        min_confidence: Leave out the relations whose stated confidence is lower.

    Returns:
        A directed multigraph whose nodes are IRIs and whose edges are relations.

    Note:
        rdflib's Memory store answers ``GRAPH ?g`` by scanning each graph's triples
        in the whole store, so its time grows with graphs times triples (about ten
        seconds for a few hundred articles); Oxigraph answers in well under a second.
    """
    nodes = _entity_nodes(_select(dataset, ENTITIES_QUERY))
    articles = _article_nodes(_select(dataset, ARTICLES_QUERY))
    edges = [
        e
        for e in _edges(
            _select(dataset, ASSERTIONS_QUERY), _select(dataset, DIRECT_QUERY)
        )
        if e[3]["confidence"] is None or e[3]["confidence"] >= min_confidence
    ]
    for u, v, _key, _data in edges:
        for end in (u, v):
            if end not in nodes:
                nodes[end] = articles.get(end) or _fallback_node(end)
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    g.graph["articles"] = {iri: articles[iri] for iri in sorted(articles)}
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
    start, end = _ends(g, a, b)
    proj = _project(g)
    try:
        path = nx.shortest_path(proj, start, end)
    except nx.NetworkXNoPath:
        return []
    return _hops(g, proj, path)


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


# -- the store ----------------------------------------------------------------------


@contextmanager
def existing_store(path: str | Path) -> Iterator[Dataset]:
    """Open the store that ``kg build`` wrote at ``path``, and close it on leaving.

    Unlike ``kg.store.opened_dataset``, a missing store is an error rather than a
    new, empty store: a notebook pointed at the wrong folder says so.

    Args:
        path: A store folder.

    Yields:
        The open Dataset.

    Raises:
        StoreError: When there is no store at ``path`` (nothing is created), or as
            ``kg.store.open_dataset``.
    """
    from kg.build import open_store

    dataset = open_store(Path(path))
    try:
        yield dataset
    finally:
        dataset.close()


def load_graph(path: str | Path) -> nx.MultiDiGraph[str]:
    """Read the store at ``path`` into a graph (see ``to_networkx``) and close it.

    Raises:
        StoreError: As ``existing_store``.
    """
    with existing_store(path) as dataset:
        return to_networkx(dataset)


# -- projections ----------------------------------------------------------------------


def bipartite_projection(
    g: nx.MultiDiGraph[str],
    left: Iterable[str],
    right: Iterable[str],
    predicates: Iterable[str] | None = None,
) -> nx.Graph[str]:
    """Keep the relations between two sets of types, as a simple bipartite graph.

    An edge joins a node of a ``left`` type and a node of a ``right`` type when
    some relation of ``predicates`` (any predicate if ``None``) joins them, in
    either direction.

    Args:
        g: A graph from ``to_networkx``.
        left: The types of one side (node attribute ``bipartite`` = 0).
        right: The types of the other side (``bipartite`` = 1).
        predicates: The predicates that count, or ``None`` for all.

    Returns:
        An undirected graph; nodes keep ``label`` and ``type``; each edge has
        ``weight`` (the number of relations), and the sorted ``predicates``,
        ``roles``, ``evidence`` and ``articles`` of those relations.

    Example:
        >>> g = nx.MultiDiGraph()
        >>> g.add_nodes_from([("c", {"type": "Company"}), ("p", {"type": "Project"})])
        >>> _ = g.add_edge("c", "p", predicate="participatesIn", role="investor")
        >>> b = bipartite_projection(g, ["Company"], ["Project"])
        >>> b.edges["c", "p"]["weight"], b.edges["c", "p"]["roles"]
        (1, ['investor'])
    """
    left_types, right_types = set(left), set(right)
    wanted = None if predicates is None else set(predicates)
    found: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for u, v, data in g.edges(data=True):
        if wanted is not None and data.get("predicate") not in wanted:
            continue
        tu, tv = g.nodes[u].get("type"), g.nodes[v].get("type")
        if tu in left_types and tv in right_types:
            found[(u, v)].append(data)
        elif tv in left_types and tu in right_types:
            found[(v, u)].append(data)
    b: nx.Graph[str] = nx.Graph()
    # The left side first, so that every edge reads left to right.
    for node, side in sorted(
        {(x, 0) for x, _y in found} | {(y, 1) for _x, y in found},
        key=lambda t: (t[1], t[0]),
    ):
        b.add_node(node, label=_label(g, node), type=g.nodes[node].get("type"))
        b.nodes[node]["bipartite"] = side
    for (x, y), datas in sorted(found.items()):
        if x == y:
            continue
        b.add_edge(x, y, **_merged(datas))
    return b


def organization_project_graph(g: nx.MultiDiGraph[str]) -> nx.Graph[str]:
    """Return the bipartite graph of organizations and the projects they take part in.

    Organizations are the types of ``kg.records.ORG_TYPES``; the relations are
    ``participatesIn`` (roles: investor, builder, operator…) and ``fundedBy``.
    See ``bipartite_projection`` for the attributes.
    """
    return bipartite_projection(
        g, sorted(ORG_TYPES), ["Project"], ["participatesIn", "fundedBy"]
    )


def person_organization_graph(g: nx.MultiDiGraph[str]) -> nx.Graph[str]:
    """Return the bipartite graph of people and the organizations they belong to.

    The relations are ``affiliatedWith`` (roles: the person's titles there). See
    ``bipartite_projection`` for the attributes.
    """
    return bipartite_projection(g, ["Person"], sorted(ORG_TYPES), ["affiliatedWith"])


def co_mention_graph(g: nx.MultiDiGraph[str], min_articles: int = 1) -> nx.Graph[str]:
    """Join the entities that are named in the same article.

    Args:
        g: A graph from ``to_networkx`` (entities carry ``articles``).
        min_articles: Keep a pair only when they share at least this many articles.

    Returns:
        An undirected graph of entities (not articles) with ``label``, ``type`` and
        ``articles`` (how many articles name the entity); each edge has ``weight``
        (the number of shared articles) and ``articles`` (their IRIs, sorted).
        Entities that share no article with another are left out.

    Example:
        >>> g = nx.MultiDiGraph()
        >>> g.add_node("x", label="甲", type="Company", articles=["a1", "a2"])
        >>> g.add_node("y", label="乙", type="Region", articles=["a2"])
        >>> g.add_node("z", label="丙", type="Person", articles=["a3"])
        >>> list(co_mention_graph(g).edges(data="weight"))
        [('x', 'y', 1)]
    """
    by_article: dict[str, list[str]] = defaultdict(list)
    for node, data in g.nodes(data=True):
        if data.get("type") == ARTICLE_TYPE:
            continue
        for article in set(data.get("articles") or ()):
            by_article[article].append(node)
    shared: dict[tuple[str, str], list[str]] = defaultdict(list)
    for article in sorted(by_article):
        for pair in combinations(sorted(by_article[article]), 2):
            shared[pair].append(article)
    kept = {p: a for p, a in shared.items() if len(a) >= min_articles}
    cm: nx.Graph[str] = nx.Graph()
    for node in sorted({n for pair in kept for n in pair}):
        data = g.nodes[node]
        cm.add_node(
            node,
            label=_label(g, node),
            type=data.get("type"),
            articles=len(set(data.get("articles") or ())),
        )
    for (x, y), articles in sorted(kept.items()):
        cm.add_edge(x, y, weight=len(articles), articles=articles)
    return cm


# -- centrality -----------------------------------------------------------------------

CENTRALITY_MEASURES = ("degree", "betweenness", "pagerank")


def betweenness_centrality(
    g: nx.MultiDiGraph[str], samples: int | None = None, seed: int = 0
) -> list[tuple[str, str, float]]:
    """Rank the nodes by betweenness centrality, highest first.

    The share of the shortest paths between two other nodes that pass through a
    node, on the graph taken as undirected and simple (as ``degree_centrality``):
    the brokers between groups score high.

    Args:
        g: A graph from ``to_networkx``.
        samples: Estimate from this many source nodes (seeded) instead of all of
            them; exact when ``None`` or not less than the number of nodes. The
            exact measure takes about ``nodes * edges`` steps.
        seed: The random seed of the sampling.

    Returns:
        ``(node, label, score)`` tuples, by score, then label, then node.

    Example:
        >>> g = nx.MultiDiGraph()
        >>> _ = g.add_edges_from([("a", "b"), ("b", "c"), ("c", "d")])
        >>> [(n, round(s, 3)) for n, _label, s in betweenness_centrality(g)]
        [('b', 0.667), ('c', 0.667), ('a', 0.0), ('d', 0.0)]
    """
    proj = _project(g)
    k = samples if samples is not None and samples < proj.number_of_nodes() else None
    return _ranked(g, nx.betweenness_centrality(proj, k=k, seed=seed))


def pagerank(
    g: nx.MultiDiGraph[str],
    alpha: float = 0.85,
    max_iter: int = 200,
    tol: float = 1e-10,
) -> list[tuple[str, str, float]]:
    """Rank the nodes by PageRank, highest first.

    Relations are followed in their own direction (a person points to the
    company they work for, a project to its region), ``collaboratesWith`` both
    ways, each pair weighted by the number of relations; so the places and
    bodies that many others point to rank high. Power iteration, as
    ``networkx.pagerank`` computes it (which needs SciPy): uniform teleport, and a
    node with no way out spreads its rank evenly.

    Args:
        g: A graph from ``to_networkx``.
        alpha: The damping factor.
        max_iter: The most iterations.
        tol: Stop when the total change is below ``tol`` times the number of nodes.

    Returns:
        ``(node, label, score)`` tuples, by score, then label, then node; the scores
        sum to 1.

    Example:
        >>> g = nx.MultiDiGraph()
        >>> _ = g.add_edges_from([("a", "c"), ("b", "c"), ("c", "d")])
        >>> [n for n, _label, _score in pagerank(g)]
        ['d', 'c', 'a', 'b']
    """
    nodes = list(g)
    n = len(nodes)
    if n == 0:
        return []
    out: dict[str, dict[str, float]] = {x: defaultdict(float) for x in nodes}
    for u, v, data in g.edges(data=True):
        if u == v:
            continue
        out[u][v] += 1.0
        if data.get("predicate") in _SYMMETRIC:
            out[v][u] += 1.0
    totals = {x: sum(out[x].values()) for x in nodes}
    rank = dict.fromkeys(nodes, 1.0 / n)
    for _ in range(max_iter):
        lost = sum(rank[x] for x in nodes if not totals[x])
        base = (1.0 - alpha) / n + alpha * lost / n
        new = dict.fromkeys(nodes, base)
        for u in nodes:
            if totals[u]:
                share = alpha * rank[u] / totals[u]
                for v, weight in out[u].items():
                    new[v] += share * weight
        change = sum(abs(new[x] - rank[x]) for x in nodes)
        rank = new
        if change < n * tol:
            break
    return _ranked(g, rank)


def centrality_frame(
    g: nx.MultiDiGraph[str], samples: int | None = None, seed: int = 0
) -> DataFrame:
    """Tabulate degree, betweenness and PageRank of every node.

    Args:
        g: A graph from ``to_networkx``.
        samples: Passed to ``betweenness_centrality`` (``None``: exact).
        seed: Passed to ``betweenness_centrality``.

    Returns:
        A DataFrame with the columns ``node``, ``label``, ``type``, ``neighbours``,
        ``degree``, ``betweenness`` and ``pagerank``, ordered as
        ``degree_centrality``; ``frame.nlargest(10, "pagerank")`` gives the top ten
        by another measure.
    """
    import pandas as pd

    proj = _project(g)
    between = {n: s for n, _l, s in betweenness_centrality(g, samples, seed)}
    ranks = {n: s for n, _l, s in pagerank(g)}
    rows = [
        {
            "node": n,
            "label": label,
            "type": g.nodes[n].get("type"),
            "neighbours": proj.degree(n),
            "degree": score,
            "betweenness": between.get(n, 0.0),
            "pagerank": ranks.get(n, 0.0),
        }
        for n, label, score in degree_centrality(g)
    ]
    columns = ["node", "label", "type", "neighbours", *CENTRALITY_MEASURES]
    return pd.DataFrame(rows, columns=columns)


# -- communities ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Community:
    """A community of the graph and what binds it.

    Attributes:
        number: Its rank, from 1 (the largest).
        members: The node IRIs, sorted.
        hubs: The labels of the members with the most neighbours inside it, best
            first.
        predicates: ``(predicate, count)`` of the relations inside it, most
            frequent first.
        types: ``(type, count)`` of its members, most frequent first.
        articles: ``(article title, members named there)``, most shared first.
    """

    number: int
    members: tuple[str, ...]
    hubs: tuple[str, ...]
    predicates: tuple[tuple[str, int], ...]
    types: tuple[tuple[str, int], ...]
    articles: tuple[tuple[str, int], ...]

    @property
    def size(self) -> int:
        """Return the number of members."""
        return len(self.members)


def describe_communities(
    g: nx.MultiDiGraph[str],
    groups: Iterable[Iterable[str]] | None = None,
    seed: int = 0,
    top: int = 3,
) -> list[Community]:
    """Say what binds each community: its hubs, relations, types and articles.

    Args:
        g: A graph from ``to_networkx``.
        groups: Communities as lists of nodes; ``communities(g, seed)`` if ``None``.
        seed: The Louvain seed when ``groups`` is ``None``.
        top: How many hubs, predicates, types and articles to keep per community.

    Returns:
        One ``Community`` per group, in the groups' order.

    Example:
        >>> g = nx.MultiDiGraph()
        >>> g.add_nodes_from([("p", {"label": "张三", "type": "Person"}),
        ...                   ("c", {"label": "甲公司", "type": "Company"})])
        >>> _ = g.add_edge("p", "c", predicate="affiliatedWith")
        >>> (c,) = describe_communities(g)
        >>> c.hubs, c.predicates
        (('张三', '甲公司'), (('affiliatedWith', 1),))
    """
    found = communities(g, seed=seed) if groups is None else [list(x) for x in groups]
    proj = _project(g)
    titles = _article_titles(g)
    described = []
    for number, group in enumerate(found, start=1):
        members = sorted(set(group))
        inside = set(members)
        sub = proj.subgraph(members)
        hubs = sorted(members, key=lambda n: (-sub.degree(n), _label(g, n), n))[:top]
        predicates = Counter(
            str(d["predicate"])
            for u, v, d in g.subgraph(members).edges(data=True)
            if d.get("predicate") and u in inside and v in inside
        )
        types = Counter(str(g.nodes[n].get("type", "")) for n in members)
        articles = Counter(
            a
            for n in members
            if g.nodes[n].get("type") != ARTICLE_TYPE
            for a in set(g.nodes[n].get("articles") or ())
        )
        described.append(
            Community(
                number=number,
                members=tuple(members),
                hubs=tuple(_label(g, n) for n in hubs),
                predicates=_top(predicates, top),
                types=_top(types, top),
                articles=tuple(
                    (titles.get(a) or _fallback_node(a)["label"], c)
                    for a, c in _top(articles, top)
                ),
            )
        )
    return described


def communities_frame(
    g: nx.MultiDiGraph[str], seed: int = 0, top: int = 3
) -> DataFrame:
    """Tabulate the communities and what binds them, the largest first.

    Returns:
        A DataFrame with one row per community (``describe_communities``) and the
        columns ``community``, ``size``, ``hubs``, ``relations``, ``types`` and
        ``articles`` (text: ``"locatedIn 5, partOf 3"``).
    """
    import pandas as pd

    rows = [
        {
            "community": c.number,
            "size": c.size,
            "hubs": "、".join(c.hubs),
            "relations": _counts_text(c.predicates),
            "types": _counts_text(c.types),
            "articles": _counts_text(c.articles),
        }
        for c in describe_communities(g, seed=seed, top=top)
    ]
    columns = ["community", "size", "hubs", "relations", "types", "articles"]
    return pd.DataFrame(rows, columns=columns)


# -- paths and neighbourhoods ---------------------------------------------------------


def all_paths(
    g: nx.MultiDiGraph[str], a: str, b: str, cutoff: int = 3, limit: int = 10
) -> list[list[Hop]]:
    """Find the chains of relations between two nodes, shortest first.

    Edges are taken as undirected and each hop reads its edge as in
    ``shortest_path``, with its evidence. Paths are simple (no node twice).

    Args:
        g: A graph from ``to_networkx``.
        a: The start: an IRI, a label or an alias (see ``find_node``).
        b: The end, named the same way.
        cutoff: The most hops a path may have.
        limit: The most paths to return.

    Returns:
        Lists of hops, by length (ties in a stable order); empty when the two are
        the same node or no path of at most ``cutoff`` hops joins them.

    Raises:
        networkx.NodeNotFound: When ``a`` or ``b`` names no node.

    Example:
        >>> g = nx.MultiDiGraph()
        >>> _ = g.add_edges_from([("a", "b"), ("b", "c"), ("a", "d"), ("d", "e"),
        ...                       ("e", "c")], predicate="partOf")
        >>> [len(p) for p in all_paths(g, "a", "c")]
        [2, 3]
        >>> all_paths(g, "a", "c", cutoff=2)[0][1]
        Hop(subject='b', predicate='partOf', object='c', evidence=None)
    """
    start, end = _ends(g, a, b)
    if start == end or limit <= 0:
        return []
    proj = _project(g)
    found: list[list[Hop]] = []
    try:
        for path in nx.shortest_simple_paths(proj, start, end):
            if len(path) - 1 > cutoff:
                break
            found.append(_hops(g, proj, path))
            if len(found) >= limit:
                break
    except nx.NetworkXNoPath:
        return []
    return found


def ego_network(
    g: nx.MultiDiGraph[str], name: str, radius: int = 1
) -> nx.MultiDiGraph[str]:
    """Return the neighbourhood of a node: the nodes near it and their relations.

    The nodes within ``radius`` hops of the centre, and all the relations among them.

    Args:
        g: A graph from ``to_networkx``.
        name: The centre: an IRI, a label or an alias (see ``find_node``).
        radius: How many hops out, edges taken as undirected.

    Returns:
        A copy of the induced subgraph, with the attributes of ``g``.

    Raises:
        networkx.NodeNotFound: When ``name`` names no node.

    Example:
        >>> g = nx.MultiDiGraph()
        >>> _ = g.add_edges_from([("a", "b"), ("c", "b"), ("c", "d")])
        >>> sorted(ego_network(g, "b")), sorted(ego_network(g, "b", radius=2))
        (['a', 'b', 'c'], ['a', 'b', 'c', 'd'])
    """
    (centre,) = _ends(g, name)
    near = nx.single_source_shortest_path_length(_project(g), centre, cutoff=radius)
    return g.subgraph(near).copy()


# -- graphs and query results as DataFrames -------------------------------------------


def nodes_frame(g: nx.Graph[str]) -> DataFrame:
    """Tabulate the nodes of a graph, one row each, in the graph's order.

    Args:
        g: A graph from ``to_networkx`` or one of its projections.

    Returns:
        A DataFrame with the columns ``node``, ``label``, ``type``, ``neighbours``
        (distinct, either direction), then the other node attributes (a list
        becomes its length for ``articles``, text joined by "、" otherwise).
    """
    import pandas as pd

    simple = nx.Graph(g) if g.is_directed() or g.is_multigraph() else g
    rows = []
    for node, data in g.nodes(data=True):
        row: dict[str, Any] = {
            "node": node,
            "label": data.get("label") or node,
            "type": data.get("type"),
            "neighbours": sum(1 for x in simple[node] if x != node),
        }
        for key, value in data.items():
            if key in row:
                continue
            if isinstance(value, list | tuple | set):
                value = len(value) if key == "articles" else "、".join(map(str, value))
            row[key] = value
        rows.append(row)
    return pd.DataFrame(rows, columns=_columns(rows, ["node", "label", "type"]))


def edges_frame(g: nx.Graph[str]) -> DataFrame:
    """Tabulate the edges of a graph, one row each, in the graph's order.

    Args:
        g: A graph from ``to_networkx`` (one row per relation) or a projection.

    Returns:
        A DataFrame with the columns ``source``, ``predicate`` (when the edges have
        one), ``target``, ``source_type``, ``target_type``, then the other edge
        attributes (``evidence``, ``role``, ``article``… or ``weight``…), and last
        ``source_id`` and ``target_id`` (the IRIs).
    """
    import pandas as pd

    rows = []
    for u, v, data in g.edges(data=True):
        row: dict[str, Any] = {"source": _label(g, u)}
        if "predicate" in data:
            row["predicate"] = data["predicate"]
        row |= {
            "target": _label(g, v),
            "source_type": g.nodes[u].get("type"),
            "target_type": g.nodes[v].get("type"),
        }
        row |= {k: val for k, val in data.items() if k not in row and k != "edge"}
        row |= {"source_id": u, "target_id": v}
        rows.append(row)
    head = ["source", "target", "source_type", "target_type"]
    if any("predicate" in row for row in rows):
        head.insert(1, "predicate")
    columns = _columns(rows, head)
    for last in ("source_id", "target_id"):
        if last in columns:
            columns.remove(last)
        columns.append(last)
    return pd.DataFrame(rows, columns=columns)


def result_frame(result: Result) -> DataFrame:
    """Turn the result of a SELECT query into a DataFrame.

    Args:
        result: A SELECT result (``kg.sparql.run_query`` or ``run_saved``).

    Returns:
        One column per variable, in the query's order; literals become Python
        values (``xsd:decimal`` a ``float``), IRIs and blank nodes ``str``, unbound
        values ``None``; a column whose values are all numbers is numeric
        (``NaN`` where unbound).

    Raises:
        QueryError: When the result is not that of a SELECT query.
    """
    import pandas as pd

    if result.type != "SELECT":
        raise QueryError(
            f"a {result.type} query gives no table; give a SELECT query "
            "(or use kg.sparql.run_query for CONSTRUCT, DESCRIBE and ASK)"
        )
    columns = [str(v) for v in result.vars or ()]
    rows = [[_python(term) for term in row] for row in result]  # type: ignore[union-attr]
    frame = pd.DataFrame(rows, columns=columns)
    for column in columns:
        values = [x for x in frame[column] if x is not None and x == x]
        if values and all(
            isinstance(x, int | float) and not isinstance(x, bool) for x in values
        ):
            frame[column] = pd.to_numeric(frame[column])
    return frame


def query_frame(dataset: Dataset, query: str, /, **params: Any) -> DataFrame:
    """Answer a SPARQL SELECT query, or a saved one, as a DataFrame.

    Args:
        dataset: An open Dataset (``existing_store``, ``kg.store.opened_dataset``).
        query: The name of a saved query (``kg query --list``) or the text of a
            query (the prefixes of ``kg.sparql.PREFIXES`` need no declaration).
        **params: The saved query's parameters, or values bound to variables of
            the query text (never pasted into it).

    Returns:
        The result, as ``result_frame`` makes it.

    Raises:
        QueryError: An unknown saved query, a missing or unknown parameter, a
            query that does not parse or fails, or one that is not a SELECT.
    """
    from kg import sparql

    if _SAVED_NAME.fullmatch(query):
        result = sparql.run_saved(dataset, query, **params)
    else:
        result = sparql.run_query(dataset, query, params or None)
    return result_frame(result)


# Every link (the saved query ``investors`` shows the first 100). The role's
# assertion is found from the project's side (rdf:object first): an organization may
# be the subject of thousands of assertions.
PARTICIPATIONS_QUERY = (
    _PREFIXES
    + """\
SELECT DISTINCT ?organization ?organizationType ?role ?project ?investment ?currency
       ?investmentText
WHERE {
  VALUES ?class { kg:Company kg:University kg:ResearchInstitute kg:GovernmentAgency
                  kg:Organization kg:Region }
  ?o kg:participatesIn ?p .
  ?o a ?class ; kg:name ?organization .
  ?p kg:name ?project .
  OPTIONAL { ?assertion rdf:object ?p ; rdf:subject ?o ; kg:role ?role . }
  OPTIONAL { ?p kg:investmentAmount ?investment }
  OPTIONAL { ?p kg:currency ?currency }
  OPTIONAL { ?p kg:investmentText ?investmentText }
  BIND(STRAFTER(STR(?class), "#") AS ?organizationType)
}
ORDER BY DESC(?investment) ?project ?organization ?role
"""
)


def participations(dataset: Dataset) -> DataFrame:
    """Every link from an organization (or region) to a project it takes part in.

    The complete answer the saved query ``investors`` starts (it shows the first
    100 rows), for totals such as :func:`investment_by_type`.

    Args:
        dataset: An open Dataset.

    Returns:
        A DataFrame with the columns ``organization``, ``organizationType``,
        ``role``, ``project``, ``investment``, ``currency`` and
        ``investmentText``, largest projects first; one row per distinct role.
    """
    return query_frame(dataset, PARTICIPATIONS_QUERY)


def investment_by_type(investors: DataFrame) -> DataFrame:
    """Sum :func:`participations` by the type of the organizations taking part.

    The type of the organization taking part (Company, University,
    GovernmentAgency…) stands for its sector. A project counts once per type,
    however many organizations of that type take part in it.

    Args:
        investors: ``participations(dataset)``: the columns
            ``organization``, ``organizationType``, ``role``, ``project`` and
            ``investment``.

    Returns:
        A DataFrame with the columns ``organizationType``, ``organizations``,
        ``projects``, ``withInvestment`` (projects with a known amount),
        ``investment`` (their total) and ``roles`` (``"investor 3, owner 1"``),
        by investment, then projects, largest first.
    """
    import pandas as pd

    columns = [
        "organizationType",
        "organizations",
        "projects",
        "withInvestment",
        "investment",
        "roles",
    ]
    rows = []
    for type_, part in investors.groupby("organizationType", sort=True):
        amounts: dict[str, float] = {}
        for project, amount in zip(part["project"], part["investment"], strict=True):
            if amount is not None and amount == amount:
                amounts[project] = max(float(amount), amounts.get(project, 0.0))
        roles = Counter(
            str(r) for r in part["role"] if r is not None and r == r and str(r)
        )
        rows.append(
            {
                "organizationType": type_,
                "organizations": part["organization"].nunique(),
                "projects": part["project"].nunique(),
                "withInvestment": len(amounts),
                "investment": sum(amounts.values()),
                "roles": _counts_text(_top(roles, len(roles))),
            }
        )
    rows.sort(key=lambda r: (-r["investment"], -r["projects"], r["organizationType"]))
    return pd.DataFrame(rows, columns=columns)


# -- charts ---------------------------------------------------------------------------

# Fonts with Chinese glyphs, best first, by the family name matplotlib knows.
_CJK_FONTS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Hiragino Sans GB",
    "Noto Sans CJK TC",
    "Noto Serif CJK SC",
    "AR PL UMing CN",
)


@cache
def find_cjk_font() -> str | None:
    """Find an installed font that matplotlib can use for Chinese text.

    Looks for the well-known fonts first, then for any family that ``fc-list
    :lang=zh`` lists and matplotlib knows. The answer is cached.

    Returns:
        The family name, or ``None`` when there is none (text then falls back to
        matplotlib's default font, and Chinese shows as boxes).
    """
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    for name in _CJK_FONTS:
        if name in known:
            return name
    listed = sorted(f for f in _fontconfig_chinese_families() if f in known)
    listed.sort(key=lambda f: ("Sans" not in f, "SC" not in f and "CN" not in f))
    return listed[0] if listed else None


def use_cjk_font() -> str | None:
    """Make matplotlib draw Chinese text with ``find_cjk_font()``, if there is one.

    Sets ``rcParams`` for the figures made afterwards (a CJK sans-serif first,
    ASCII minus signs); does nothing when no such font is installed.

    Returns:
        The font's family name, or ``None``.
    """
    import matplotlib

    font = find_cjk_font()
    if font is not None:
        matplotlib.rcParams.update(_font_rc(font))
    return font


@dataclass(frozen=True, slots=True)
class Chart:
    """A matplotlib figure that Jupyter shows as a PNG, whatever the backend.

    Drawn with the Agg renderer alone (no pyplot, no display), so it renders the
    same in a notebook, in CI and in a script.

    Attributes:
        figure: The ``matplotlib.figure.Figure``.
        font: The CJK font family it was made with, or ``None``.
    """

    figure: Figure
    font: str | None = None

    def png(self, dpi: int = 100) -> bytes:
        """Render the figure as PNG bytes."""
        import matplotlib

        buffer = io.BytesIO()
        with matplotlib.rc_context(_font_rc(self.font) if self.font else {}):
            # savefig draws with Agg for "png", whatever canvas or backend is set.
            self.figure.savefig(buffer, format="png", dpi=dpi)
        return buffer.getvalue()

    def save(self, path: str | Path, dpi: int = 100) -> Path:
        """Write the figure as a PNG file and return its path."""
        out = Path(path)
        out.write_bytes(self.png(dpi))
        return out

    def _repr_png_(self) -> bytes:
        return self.png()


def bar_chart(
    frame: DataFrame,
    label: str,
    value: str,
    *,
    title: str = "",
    top: int = 15,
    scale: float = 1.0,
    unit: str = "",
) -> Chart:
    r"""Draw the largest values of a column as horizontal bars, largest on top.

    Args:
        frame: A DataFrame, e.g. from ``query_frame``.
        label: The column naming each bar.
        value: The numeric column; rows where it is missing are left out.
        title: The chart's title.
        top: How many bars at most.
        scale: Divide the values by this (``1e8`` shows yuan as 亿元).
        unit: The unit shown on the axis after the column name.

    Returns:
        A ``Chart``; a notebook shows it as an image.

    Example:
        >>> import pandas as pd
        >>> chart = bar_chart(pd.DataFrame({"k": ["甲", "乙"], "v": [3, 5]}), "k", "v")
        >>> chart.png()[:4]
        b'\x89PNG'
    """
    import matplotlib
    from matplotlib.figure import Figure

    font = find_cjk_font()
    rows = frame[[label, value]].dropna(subset=[value])
    rows = rows.sort_values(value, ascending=False, kind="stable").head(top)
    names = [_clip_label(str(x)) for x in rows[label]][::-1]
    values = [float(x) / scale for x in rows[value]][::-1]
    with matplotlib.rc_context(_font_rc(font) if font else {}):
        figure = Figure(figsize=(8, 1.2 + 0.38 * max(len(names), 1)), dpi=100)
        ax = figure.add_subplot()
        if names:
            bars = ax.barh(range(len(names)), values, color="#4e79a7")
            ax.set_yticks(range(len(names)), labels=names)
            ax.bar_label(bars, labels=[_number(v) for v in values], padding=3)
            ax.margins(x=0.15)
        else:
            ax.text(0.5, 0.5, "no data", ha="center", va="center")
            ax.set_yticks([])
        ax.set_xlabel(f"{value} ({unit})" if unit else value)
        if title:
            ax.set_title(title)
        ax.spines[["top", "right"]].set_visible(False)
        figure.tight_layout()
    return Chart(figure, font)


# -- the extraction, explained -------------------------------------------------------


def entity_sentences(
    docs: Iterable[Doc], limit: int = 6, min_types: int = 2, max_chars: int = 160
) -> list[Span]:
    """Pick sentences that show the extraction well.

    A sentence qualifies when its entities have at least ``min_types`` types and
    it has at most ``max_chars`` characters; within a document, more types, then
    more entities, come first; the documents take turns, so that every document
    gives one sentence before any gives two.

    Args:
        docs: Docs from ``kg.pipeline.make_nlp()`` (they have sentences and
            ``doc.ents`` of the eight types).
        limit: How many sentences at most.
        min_types: The fewest distinct entity types a sentence must have.
        max_chars: The longest sentence kept.

    Returns:
        The sentences (spaCy ``Span``), in the order picked.
    """
    ranked: list[list[Span]] = []
    for doc in docs:
        good = [
            s
            for s in doc.sents
            if len({e.label_ for e in s.ents}) >= min_types
            and len(s.text.strip()) <= max_chars
        ]
        good.sort(
            key=lambda s: (-len({e.label_ for e in s.ents}), -len(s.ents), s.start)
        )
        ranked.append(good)
    picked: list[Span] = []
    for turn in range(max((len(r) for r in ranked), default=0)):
        for sents in ranked:
            if turn < len(sents) and len(picked) < limit:
                picked.append(sents[turn])
    return picked


def render_entities(span: Doc | Span, title: str | None = None) -> str:
    """Render the entities of a doc or sentence as displaCy HTML.

    Args:
        span: A ``Doc`` or a sentence ``Span`` whose ``ents`` the pipeline set.
        title: A heading shown above the text.

    Returns:
        The HTML of ``spacy.displacy.render(..., style="ent")``, coloured by type
        as in the interactive view; show it with ``IPython.display.HTML``.
    """
    from spacy import displacy
    from spacy.tokens import Span as SpacySpan

    doc = span.as_doc() if isinstance(span, SpacySpan) else span
    if title is not None:
        doc.user_data["title"] = title
    options = {"ents": list(ENTITY_TYPES), "colors": entity_colours()}
    return str(displacy.render(doc, style="ent", jupyter=False, options=options))


def entity_colours() -> dict[str, str]:
    """Return a light background colour per entity type, for displaCy.

    The interactive view's colours (``kg.visualize.TYPE_STYLES``), lightened so
    that the text stays readable.

    Example:
        >>> entity_colours()["Person"]
        '#f2b3b4'
    """
    from kg.visualize import TYPE_STYLES

    return {t: _lighten(TYPE_STYLES[t][0]) for t in ENTITY_TYPES if t in TYPE_STYLES}


def entities_frame(
    docs: Iterable[Doc], names: Sequence[str] | None = None
) -> DataFrame:
    """Tabulate the entities the pipeline found, one row per ``doc.ents`` span.

    Args:
        docs: Docs from ``kg.pipeline.make_nlp()``.
        names: A name per doc (e.g. the article titles); the doc's index if ``None``.

    Returns:
        A DataFrame with the columns ``document``, ``text``, ``label``, ``start``
        and ``end`` (character offsets in the doc).
    """
    import pandas as pd

    rows = [
        {
            "document": names[i] if names is not None else i,
            "text": e.text,
            "label": e.label_,
            "start": e.start_char,
            "end": e.end_char,
        }
        for i, doc in enumerate(docs)
        for e in doc.ents
    ]
    return pd.DataFrame(rows, columns=["document", "text", "label", "start", "end"])


def gold_pairs(
    corpus_dir: str | Path, gold_files: Iterable[str | Path]
) -> list[tuple[Path, Path]]:
    """Pair each gold file that exists with its document in ``corpus_dir``.

    The document is the file named by the gold file's ``source``, else
    ``<stem>.txt`` for a gold file ``<stem>.gold.json``. A gold file whose
    document is not there is left out, and a document is paired once (with its
    first gold file).

    Args:
        corpus_dir: The folder of the documents.
        gold_files: Candidate gold files, best first; missing ones are skipped.

    Returns:
        ``(document, gold file)`` pairs, in the order of ``gold_files``.

    Raises:
        GoldFileError: When a gold file that exists is not valid gold JSON.
    """
    from kg.evaluate import load_gold

    folder = Path(corpus_dir)
    pairs: list[tuple[Path, Path]] = []
    for gold in map(Path, gold_files):
        if not gold.is_file():
            continue
        source = str(load_gold(gold).get("source") or "")
        stem = gold.name.removesuffix(".json").removesuffix(".gold")
        candidates = [folder / Path(source).name] if source else []
        candidates.append(folder / f"{stem}.txt")
        doc = next((d for d in candidates if d.is_file()), None)
        if doc is not None and all(doc != d for d, _g in pairs):
            pairs.append((doc, gold))
    return pairs


def evaluate_documents(pairs: Iterable[tuple[Path, Path]], nlp: Any = None) -> Report:
    """Extract each document and score it against its gold file, as ``kg eval``.

    Args:
        pairs: ``(document, gold file)`` pairs (see ``gold_pairs``).
        nlp: A pipeline from ``kg.pipeline.make_nlp()``; built if ``None``.

    Returns:
        The report, micro-averaged over the documents.

    Raises:
        CorpusError: When a document cannot be read.
        GoldFileError: When a gold file is not valid.
    """
    from kg import build, corpus, evaluate

    pairs = list(pairs)
    if not pairs:
        return evaluate.Report()
    nlp = nlp or build.load_nlp()
    reports = []
    for doc, gold in pairs:
        graph = build.extract_file(Path(doc), nlp)
        text, _encoding = corpus.decode_bytes(Path(doc).read_bytes(), str(doc))
        reports.append(evaluate.score(graph.to_json(), evaluate.load_gold(gold), text))
    return evaluate.combine(reports) if len(reports) > 1 else reports[0]


def report_frame(report: Report) -> DataFrame:
    """Tabulate an evaluation report as ``kg eval`` prints it.

    Returns:
        A DataFrame indexed by row name (each entity type, ``entities micro``,
        each predicate, ``relations micro``, ``all micro``) with the columns
        ``kind``, ``tp``, ``fp``, ``fn``, ``precision``, ``recall`` and ``f1``.
    """
    import pandas as pd

    rows: list[tuple[str, str, Counts]] = [
        *(("entity", t, c) for t, c in report.entities.items()),
        ("micro", "entities micro", report.entities_micro),
        *(("relation", p, c) for p, c in report.relations.items()),
        ("micro", "relations micro", report.relations_micro),
        ("micro", "all micro", report.micro),
    ]
    frame = pd.DataFrame(
        [
            {
                "name": name,
                "kind": kind,
                "tp": c.tp,
                "fp": c.fp,
                "fn": c.fn,
                "precision": round(c.precision, 3),
                "recall": round(c.recall, 3),
                "f1": round(c.f1, 3),
            }
            for kind, name, c in rows
        ],
        columns=["name", "kind", "tp", "fp", "fn", "precision", "recall", "f1"],
    )
    return frame.set_index("name")


# -- at scale -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sample:
    """A sample of a ``.jsonl`` corpus written to a file.

    Attributes:
        path: The sample file.
        stories: The lines written.
        total: The lines of the source.
        chars: The characters of the stories' ``text`` fields.
    """

    path: Path
    stories: int
    total: int
    chars: int


def sample_jsonl(source: str | Path, dest: str | Path, n: int) -> Sample:
    """Write ``n`` lines of a ``.jsonl`` file, evenly spaced through it, to ``dest``.

    The same source and ``n`` always give the same sample (the first line, then
    every ``total / n``-th), which spans the whole file (for news, its dates).

    Args:
        source: A ``.jsonl`` file, one story a line.
        dest: The file to write (its folder must exist).
        n: How many lines; all of them when ``n`` is not less than their number.

    Returns:
        What was written.

    Raises:
        CorpusError: When ``source`` cannot be read as UTF-8.
    """
    src = Path(source)
    try:
        lines = [
            ln for ln in src.read_text(encoding="utf-8").splitlines() if ln.strip()
        ]
    except (OSError, UnicodeDecodeError) as err:
        raise CorpusError(
            f"{src}: cannot read it as UTF-8 JSON lines ({err}); check the path"
        ) from err
    if n < len(lines):
        step = len(lines) / max(n, 1)
        picked = [lines[int(i * step)] for i in range(max(n, 0))]
    else:
        picked = lines
    out = Path(dest)
    out.write_text("".join(ln + "\n" for ln in picked), encoding="utf-8")
    return Sample(out, len(picked), len(lines), sum(map(_story_chars, picked)))


class Stopwatch:
    """Time named steps of an analysis.

    Example:
        >>> clock = Stopwatch()
        >>> with clock("count"):
        ...     total = sum(range(1000))
        >>> list(clock.laps)
        ['count']
    """

    def __init__(self) -> None:
        """Start with no steps."""
        self.laps: dict[str, float] = {}

    @contextmanager
    def __call__(self, step: str) -> Iterator[None]:
        """Time the ``with`` block as ``step`` (added to the step's earlier time)."""
        started = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - started
            self.laps[step] = self.laps.get(step, 0.0) + elapsed

    def frame(self) -> DataFrame:
        """Return the steps and their seconds, in the order they were first timed."""
        import pandas as pd

        return pd.DataFrame(
            [{"step": s, "seconds": round(t, 3)} for s, t in self.laps.items()],
            columns=["step", "seconds"],
        )

    def __str__(self) -> str:
        """Return one ``step: seconds`` line per step."""
        return "\n".join(f"{s}: {t:.2f} s" for s, t in self.laps.items())


# -- helpers of the above ------------------------------------------------------------

_SYMMETRIC = frozenset({"collaboratesWith"})
_SAVED_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
_MAX_LABEL = 22  # characters of a bar's label


def _ranked(
    g: nx.MultiDiGraph[str], scores: dict[str, float]
) -> list[tuple[str, str, float]]:
    ranked = [(n, _label(g, n), float(s)) for n, s in scores.items()]
    return sorted(ranked, key=lambda t: (-t[2], t[1], t[0]))


def _ends(g: nx.MultiDiGraph[str], *names: str) -> list[str]:
    """Return the nodes that ``names`` name, or raise NodeNotFound."""
    ends = []
    for name in names:
        node = find_node(g, name)
        if node is None:
            raise nx.NodeNotFound(
                f"no node named {name!r} in the graph; give a label, an alias or an IRI"
            )
        ends.append(node)
    return ends


def _hops(g: nx.MultiDiGraph[str], proj: nx.Graph[str], path: list[str]) -> list[Hop]:
    """Read a path of the projection as hops of ``g``, each with its evidence."""
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


def _merged(datas: list[dict[str, Any]]) -> dict[str, Any]:
    """Sum up the relations between two nodes as one projection edge."""

    def values(key: str) -> list[str]:
        return sorted({str(d[key]) for d in datas if d.get(key) is not None})

    return {
        "weight": len(datas),
        "predicates": values("predicate"),
        "roles": values("role"),
        "evidence": values("evidence"),
        "articles": values("article"),
    }


def _article_titles(g: nx.MultiDiGraph[str]) -> dict[str, str]:
    """Return the titles of the articles, from ``g.graph["articles"]`` and nodes."""
    titles = {
        str(a): str(d.get("label") or "")
        for a, d in (g.graph.get("articles") or {}).items()
    }
    for node, data in g.nodes(data=True):
        if data.get("type") == ARTICLE_TYPE:
            titles.setdefault(node, _label(g, node))
    return titles


def _top(counts: Counter[str], n: int) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n])


def _counts_text(pairs: Iterable[tuple[str, int]]) -> str:
    return ", ".join(f"{k} {v}" for k, v in pairs)


def _columns(rows: list[dict[str, Any]], head: list[str]) -> list[str]:
    columns = list(head)
    for row in rows:
        columns += [k for k in row if k not in columns]
    return columns


def _python(term: object) -> Any:
    """Return the Python value of a SPARQL result term."""
    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, Decimal):
            return float(value)
        return str(term) if isinstance(value, Literal) else value
    return str(term)


def _fontconfig_chinese_families() -> list[str]:
    """Return the families ``fc-list :lang=zh`` lists, or none without fontconfig."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        done = subprocess.run(
            [fc_list, ":lang=zh", "family"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as err:
        logger.debug("fc-list failed: %s", err)
        return []
    return [
        name.strip()
        for line in done.stdout.splitlines()
        for name in line.split(",")
        if name.strip()
    ]


def _font_rc(font: str) -> Any:
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [font, "DejaVu Sans"],
        "axes.unicode_minus": False,
    }


def _clip_label(text: str) -> str:
    return text if len(text) <= _MAX_LABEL else text[: _MAX_LABEL - 1] + "…"


def _number(value: float) -> str:
    """Format a bar's value: whole numbers plainly, others with two decimals."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _lighten(colour: str, amount: float = 0.55) -> str:
    """Mix a ``#rrggbb`` colour with white.

    Example:
        >>> _lighten("#000000", 0.5)
        '#808080'
    """
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in rgb)


def _story_chars(line: str) -> int:
    try:
        story = json.loads(line)
    except ValueError:
        return 0
    text = story.get("text") if isinstance(story, dict) else None
    return len(text) if isinstance(text, str) else 0


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
    for key, row in chosen.items():
        g, _a, s, p, o, role, evidence, article, confidence, date = row
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
                    "date": None if date is None else str(date),
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
                    "date": None,
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


def _label(g: nx.Graph[str], node: str) -> str:
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


# -- data for the HTML viewer (kg.visualize) -----------------------------------------

__all__ += ["add_coordinates", "article_index", "viewer_graph"]

_PLACE_PREDICATES = frozenset({"locatedIn", "partOf"})
_LEVEL_ORDER = {"district": 0, "city": 1, "province": 2}  # finest first
_PLACE_HOPS = 2


def viewer_graph(
    dataset: Dataset, min_confidence: float = 0.0
) -> nx.MultiDiGraph[str]:
    """Read ``dataset`` as ``to_networkx`` does, plus what the HTML viewer shows.

    The graph also gets ``g.graph["articles"]`` (see ``article_index``), so that the
    viewer can list and filter every article by date, and map coordinates on its
    regions and projects (see ``add_coordinates``).

    Args:
        dataset: A Dataset in the shape of the RDF contract.
        min_confidence: Leave out the relations whose stated confidence is lower.

    Returns:
        The graph of ``to_networkx``, annotated.
    """
    g = to_networkx(dataset, min_confidence)
    g.graph["articles"] = article_index(dataset)
    add_coordinates(g)
    return g


def article_index(dataset: Dataset) -> dict[str, dict[str, str | None]]:
    """Describe every article of ``dataset``, whether or not it is a node.

    Args:
        dataset: A Dataset in the shape of the RDF contract.

    Returns:
        ``{article IRI: {"title", "byline", "article_id", "document", "date",
        "publication"}}`` (``None`` where unknown; ``date`` is ISO ``YYYY-MM-DD``),
        sorted by IRI.
    """
    found = _article_nodes(_select(dataset, ARTICLES_QUERY))
    return {
        iri: {field: found[iri].get(field) for field in _ARTICLE_FIELDS.values()}
        for iri in sorted(found)
    }


def add_coordinates(g: nx.MultiDiGraph[str]) -> int:
    """Give regions and projects a latitude and longitude, from the region gazetteer.

    A region found in the gazetteer by its label (else by an alias) gets the
    division's coordinates. A region not in it (a development zone, say) and a
    project take the place of the finest region they are ``locatedIn`` or ``partOf``,
    within two hops; their ``placed_at`` attribute names that region. Other nodes are
    left alone.

    Args:
        g: A graph from ``to_networkx``; changed in place: placed nodes get ``lat``,
            ``lon`` and ``placed_at`` (``None`` when the node itself is in the
            gazetteer).

    Returns:
        How many nodes were placed.

    Raises:
        PipelineError: If cpca or its adcode table is not installed.

    Example:
        >>> g = nx.MultiDiGraph()
        >>> g.add_node("r", label="大同", type="Region", aliases=[])
        >>> g.add_node("p", label="某某项目", type="Project", aliases=[])
        >>> _ = g.add_edge("p", "r", predicate="locatedIn")
        >>> add_coordinates(g), g.nodes["p"]["placed_at"], round(g.nodes["p"]["lon"])
        (2, 'r', 113)
    """
    from kg.lexicons import region_gazetteer  # loads cpca's table on first use

    gazetteer = region_gazetteer()
    exact: dict[str, tuple[float, float, int]] = {}
    for node in sorted(g):
        data = g.nodes[node]
        if data.get("type") != "Region":
            continue
        for name in [data.get("label"), *(data.get("aliases") or ())]:
            info = gazetteer.get(str(name)) if name else None
            if info is not None and info.lat is not None and info.lon is not None:
                exact[node] = (info.lat, info.lon, _LEVEL_ORDER.get(info.level, 3))
                break
    for node, (lat, lon, _level) in exact.items():
        g.nodes[node].update(lat=lat, lon=lon, placed_at=None)
    placed = len(exact)
    for node in sorted(g):
        if node in exact or g.nodes[node].get("type") not in ("Region", "Project"):
            continue
        where = _place_of(g, node, exact)
        if where is not None:
            lat, lon, _level = exact[where]
            g.nodes[node].update(lat=lat, lon=lon, placed_at=where)
            placed += 1
    return placed


def _place_of(
    g: nx.MultiDiGraph[str], node: str, exact: dict[str, tuple[float, float, int]]
) -> str | None:
    """Return the finest placed region that ``node`` lies in, nearest first."""
    frontier, seen = [node], {node}
    predicate: object
    for _hop in range(_PLACE_HOPS):
        step: set[str] = set()
        for here in frontier:
            for _u, there, predicate in g.out_edges(here, data="predicate"):
                if predicate in _PLACE_PREDICATES and there not in seen:
                    step.add(there)
        found = [n for n in step if n in exact]
        if found:
            return min(found, key=lambda n: (exact[n][2], n))
        seen |= step
        frontier = sorted(step)
    return None
