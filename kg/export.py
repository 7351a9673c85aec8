"""Write what a store holds to a file: RDF serialisations, graph formats and CSV.

``ttl`` is the union of the named graphs (each triple once); ``trig``, ``nq`` and
``jsonld`` keep the named graphs, so every fact keeps its article. ``graphml``,
``gexf`` and ``csv`` write a plain projection: one node per entity (and per article
that has an author), one edge per distinct relation. ``kg.analysis`` builds the
richer networkx graph for analysis; this one only feeds the exports.
"""

from __future__ import annotations

import csv
import io
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import networkx as nx
from rdflib import RDF, XSD, Dataset, Graph, Literal
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from kg.errors import ConfigError
from kg.namespace import KG, PROV, SCHEMA, kg_term
from kg.records import ENTITY_TYPES, PREDICATES

__all__ = ["EXPORT_FORMATS", "export"]

logger = logging.getLogger(__name__)

EXPORT_FORMATS = ("ttl", "trig", "nq", "jsonld", "graphml", "gexf", "csv")
"""The formats :func:`export` writes."""

_RDFLIB_FORMATS = {"ttl": "turtle", "trig": "trig", "nq": "nquads", "jsonld": "json-ld"}
_CSV_COLUMNS = (
    "kind", "id", "name", "type", "aliases", "titles", "investment", "currency",
    "subject", "subject_type", "predicate", "object", "object_type", "role", "evidence",
    "articles",
)  # fmt: skip
_NO_ATTRIBUTES: dict[str, Any] = {
    "aliases": "",
    "titles": "",
    "investment": "",
    "currency": "",
    "articles": 0,
}
_ENTITY_CLASSES: dict[Node, str] = {kg_term(t): t for t in ENTITY_TYPES}
_PREDICATES: dict[Node, str] = {kg_term(p): p for p in PREDICATES}


def _bind(graph: Graph) -> None:
    graph.bind("kg", str(KG))
    graph.bind("prov", str(PROV))
    graph.bind("schema", str(SCHEMA))


def _plain(term: Node) -> Node:
    """Drop the ``xsd:string`` Oxigraph gives plain literals, as rdflib does."""
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


_Quad = tuple[Node, Node, Node, Any]


def _quads(dataset: Dataset, min_confidence: float) -> list[_Quad]:
    """Return the store's quads without the relations stated with less confidence.

    An assertion below ``min_confidence`` goes with every triple about it, and
    the relation triple it states goes too unless another assertion of the
    same graph states it with enough confidence.
    """
    quads: list[_Quad] = list(dataset.quads((None, None, None, None)))
    if min_confidence <= 0:
        return quads
    assertions: set[Node] = set()
    confidence: dict[Node, float] = {}
    stated: dict[Node, list[Node | None]] = defaultdict(lambda: [None, None, None])
    where: dict[Node, int] = {RDF.subject: 0, RDF.predicate: 1, RDF.object: 2}
    for s, p, o, _g in quads:
        if p == RDF.type and o == KG.Assertion:
            assertions.add(s)
        elif p == KG.confidence:
            confidence[s] = float(o)  # type: ignore[arg-type]
        elif p in where:
            stated[s][where[p]] = o
    graph_of = {s: g for s, _p, _o, g in quads if s in assertions}
    low = {a for a in assertions if confidence.get(a, 1.0) < min_confidence}
    kept = {
        (*stated[a], graph_of[a]) for a in assertions - low if a in graph_of
    }
    gone = {(*stated[a], graph_of[a]) for a in low} - kept
    # A store may also hold the union in its default graph: a triple goes from
    # there when no article keeps it.
    gone_everywhere = {t[:3] for t in gone} - {t[:3] for t in kept}
    return [
        (s, p, o, g)
        for s, p, o, g in quads
        if s not in low
        and (s, p, o, g) not in gone
        and not (g == DATASET_DEFAULT_GRAPH_ID and (s, p, o) in gone_everywhere)
    ]


def _union(quads: Iterable[_Quad]) -> Graph:
    union = Graph()
    _bind(union)
    union += ((s, p, _plain(o)) for s, p, o, _g in quads)
    return union


@dataclass
class _Node:
    type: str = ""
    name: str = ""
    aliases: set[str] = field(default_factory=set)
    titles: set[str] = field(default_factory=set)
    investment: str = ""
    currency: str = ""
    articles: set[Node] = field(default_factory=set)


@dataclass
class _Assertion:
    subject: Node | None = None
    predicate: Node | None = None
    object: Node | None = None
    role: str = ""
    evidence: str = ""
    article: Node | None = None


def _projection(quads: Iterable[_Quad]) -> nx.MultiDiGraph:
    """Project a store onto a networkx MultiDiGraph with string-valued attributes.

    Nodes are keyed by IRI: every entity (``label``, ``type``, ``aliases``, ``titles``,
    ``investment``, ``currency``, ``articles``) and every article that is the object
    of ``authorOf`` (``type`` "Article", ``label`` its title). Edges are keyed by
    predicate name: one per distinct relation, with ``predicate``, ``role``
    (distinct roles joined by "；"), ``evidence`` (the first one) and ``articles``
    (how many articles state it). Every attribute is a str or an int, as GraphML
    and GEXF want.
    """
    nodes: defaultdict[Node, _Node] = defaultdict(_Node)
    article_titles: dict[Node, str] = {}
    edges: set[tuple[Node, str, Node]] = set()
    assertions: defaultdict[Node, _Assertion] = defaultdict(_Assertion)
    for s, p, o, _g in quads:
        if p == RDF.type:
            if o in _ENTITY_CLASSES:
                nodes[s].type = _ENTITY_CLASSES[o]
        elif p in _PREDICATES:
            edges.add((s, _PREDICATES[p], o))
        elif p == KG.name:
            nodes[s].name = str(o)
        elif p == KG.alias:
            nodes[s].aliases.add(str(o))
        elif p == KG.title:
            # kg:title is a person's post or an article's headline.
            nodes[s].titles.add(str(o))
            article_titles[s] = str(o)
        elif p == KG.investmentAmount:
            nodes[s].investment = str(o)
        elif p == KG.currency:
            nodes[s].currency = str(o)
        elif p == KG.mentionedIn:
            nodes[s].articles.add(o)
        elif p == RDF.subject:
            assertions[s].subject = o
        elif p == RDF.predicate:
            assertions[s].predicate = o
        elif p == RDF.object:
            assertions[s].object = o
        elif p == KG.role:
            assertions[s].role = str(o)
        elif p == KG.evidence:
            assertions[s].evidence = str(o)
        elif p == KG.article and s in assertions:
            assertions[s].article = o
    roles: defaultdict[tuple[Node, str, Node], list[str]] = defaultdict(list)
    evidence: dict[tuple[Node, str, Node], str] = {}
    stated: Counter[tuple[Node, str, Node]] = Counter()
    for assertion in sorted(
        assertions.values(), key=lambda a: (str(a.article), a.evidence)
    ):
        subj, pred, obj = assertion.subject, assertion.predicate, assertion.object
        if subj is None or obj is None or pred not in _PREDICATES:
            continue
        key = (subj, _PREDICATES[pred], obj)
        stated[key] += 1
        evidence.setdefault(key, assertion.evidence)
        if assertion.role and assertion.role not in roles[key]:
            roles[key].append(assertion.role)

    graph = nx.MultiDiGraph()
    for iri, node in sorted(nodes.items(), key=lambda item: str(item[0])):
        if not node.type:
            continue  # an article, a mention or an assertion
        graph.add_node(
            str(iri),
            label=node.name,
            type=node.type,
            aliases="；".join(sorted(node.aliases)),
            titles="；".join(sorted(node.titles)) if node.type == "Person" else "",
            investment=node.investment,
            currency=node.currency,
            articles=len(node.articles),
        )
    for s, predicate, o in sorted(edges, key=lambda e: (str(e[0]), e[1], str(e[2]))):
        for end in (s, o):
            if str(end) not in graph:
                label = article_titles.get(end, str(end))
                kind = "Article" if predicate == "authorOf" and end == o else ""
                graph.add_node(str(end), label=label, type=kind, **_NO_ATTRIBUTES)
        key = (s, predicate, o)
        graph.add_edge(
            str(s),
            str(o),
            key=predicate,
            predicate=predicate,
            role="；".join(roles.get(key, [])),
            evidence=evidence.get(key, ""),
            articles=stated.get(key, 0),
        )
    return graph


def _csv_rows(graph: nx.MultiDiGraph) -> Iterable[dict[str, Any]]:
    entity_fields = ("aliases", "titles", "investment", "currency", "articles")
    for iri, data in graph.nodes(data=True):
        if data["type"] in ENTITY_TYPES:
            row = {"kind": "entity", "id": iri, "name": data["label"]}
            row["type"] = data["type"]
            yield row | {key: data[key] for key in entity_fields}
    for s, o, data in graph.edges(data=True):
        subject, obj = graph.nodes[s], graph.nodes[o]
        yield {
            "kind": "relation",
            "subject": subject["label"],
            "subject_type": subject["type"],
            "predicate": data["predicate"],
            "object": obj["label"],
            "object_type": obj["type"],
            "role": data["role"],
            "evidence": data["evidence"],
            "articles": data["articles"],
        }


def _serialise(dataset: Dataset, fmt: str, min_confidence: float) -> bytes:
    every = _quads(dataset, min_confidence)
    if fmt == "ttl":
        return _union(every).serialize(format="turtle", encoding="utf-8")
    if fmt in ("trig", "nq", "jsonld"):
        # Copy the named graphs into a fresh in-memory Dataset: rdflib's writers then
        # see the same thing on every store, and the empty default graph stays out.
        copy = Dataset()
        _bind(copy)
        # sorted: rdflib's TriG writer keeps insertion order of the graphs
        quads = sorted(
            (
                q
                for q in every
                if q[3] is not None and q[3] != DATASET_DEFAULT_GRAPH_ID
            ),
            key=lambda q: (str(q[3]), str(q[0]), str(q[1]), str(q[2])),
        )
        copy.addN((s, p, _plain(o), copy.graph(g)) for s, p, o, g in quads)
        if fmt == "jsonld":
            context = {"kg": str(KG), "prov": str(PROV), "schema": str(SCHEMA)}
            return copy.serialize(format="json-ld", context=context, encoding="utf-8")
        return copy.serialize(format=_RDFLIB_FORMATS[fmt], encoding="utf-8")
    projection = _projection(every)
    buffer = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(projection, buffer, encoding="utf-8")
    elif fmt == "gexf":
        nx.write_gexf(projection, buffer, encoding="utf-8")
    else:
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=_CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(_csv_rows(projection))
        buffer.write(text.getvalue().encode("utf-8"))
    return buffer.getvalue()


def export(
    dataset: Dataset,
    fmt: str,
    out: Path | IO[bytes] | IO[str],
    min_confidence: float = 0.0,
) -> None:
    """Write what a store holds in one of ``EXPORT_FORMATS``.

    Args:
        dataset: An open Dataset.
        fmt: ``ttl`` (the union, each triple once), ``trig``, ``nq`` or ``jsonld``
            (the named graphs), ``graphml`` or ``gexf`` (the projection: entities
            and the seven relations), or ``csv`` (one table: a row per entity, then
            a row per relation, told apart by the ``kind`` column).
        out: A file path (overwritten) or an open binary or text stream.
        min_confidence: Leave out the relations stated with less confidence
            (their assertions and, unless stated more surely, their triples).

    Raises:
        ConfigError: If ``fmt`` is not one of ``EXPORT_FORMATS``.
    """
    if fmt not in EXPORT_FORMATS:
        raise ConfigError(
            f"unknown export format {fmt!r}; use one of {list(EXPORT_FORMATS)}"
        )
    data = _serialise(dataset, fmt, min_confidence)
    if isinstance(out, Path):
        out.write_bytes(data)
    elif isinstance(out, io.TextIOBase):
        out.write(data.decode("utf-8"))
    else:
        out.write(data)  # type: ignore[arg-type]
    logger.debug("exported %d bytes as %s", len(data), fmt)
