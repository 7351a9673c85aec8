"""Turn a ``DocumentGraph`` into RDF: one named graph per article.

The shape of the data (the contract that ``store``, ``sparql``, ``analysis`` and
``visualize`` rely on):

- every IRI comes from :func:`mint_iri`, under ``ID`` (``https://w3id.org/kg-news/id/``):
  ``entity/<Type>/<name>``, ``article/<doc>/<id>``, ``mention/<sha1>``,
  ``assertion/<sha1>``, ``rule/<source>``; each part is NFC-normalised and
  percent-encoded (``.`` and ``..`` too, as ``%2E``), so an IRI is stable across
  builds and platforms;
- an article's facts live in the named graph whose name is the article's IRI:
  the article itself, each entity it mentions (type, ``rdfs:label``@zh, ``kg:name``,
  aliases, titles, investment, ``kg:mentionedIn``), one ``kg:Mention`` per mention,
  and for each relation it states the direct triple plus a ``kg:Assertion`` that
  holds the role, evidence, offsets, rule, confidence and the day the sentence names;
- merges across documents by alias live in the graph ``MERGES_GRAPH``
  (``graph/merges``), derived from the articles' graphs by ``kg.store.refresh_merges``:
  ``<short> owl:sameAs <full>`` and a ``kg:Merge`` node per merge
  (``merge/<sha1>``: ``kg:mergeOf``, ``kg:mergedInto``, ``kg:viaAlias``, the rule).
- counts that whole-graph questions need (articles and documents per entity,
  projects and investment per region, people per organization, the pairs of
  entities named together most often as ``kg:CoMention`` nodes, ``comention/<sha1>``)
  live in the graph ``STATISTICS_GRAPH`` (``graph/statistics``), derived by
  ``kg.statistics`` and kept by ``kg.store.refresh_statistics`` after every write.

:func:`validate` checks graphs against ``ontology/shapes.ttl``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import TypeVar
from urllib.parse import quote

from rdflib import OWL, RDF, RDFS, VOID, XSD, Dataset, Graph, Literal, URIRef
from rdflib.graph import ConjunctiveGraph

from kg.namespace import ID, KG, PROV, SCHEMA, kg_term, ontology_path
from kg.records import (
    ENTITY_TYPES,
    ORG_TYPES,
    PREDICATES,
    Article,
    DocumentGraph,
    Entity,
    Mention,
    Relation,
)

__all__ = [
    "IRI_KINDS",
    "MERGES_GRAPH",
    "STATISTICS_GRAPH",
    "article_iri",
    "bind_prefixes",
    "document_quads",
    "document_triples",
    "entity_iri",
    "merge_triples",
    "mint_iri",
    "statistics_triples",
    "to_dataset",
    "union_graph",
    "validate",
]

logger = logging.getLogger(__name__)

IRI_KINDS = frozenset(
    {
        "entity",
        "article",
        "mention",
        "assertion",
        "rule",
        "merge",
        "graph",
        "comention",
        "academiclink",
        "affiliation",
        "participation",
        "crossregion",
    }
)
"""The first path segment of every resource IRI under ``ID``."""

_G = TypeVar("_G", bound=Graph)
Triple = tuple[URIRef, URIRef, Literal | URIRef]
"""A triple of the data (kg never makes blank nodes)."""
_HASH_LENGTH = 20
_SEP = "\x1f"  # joins the identifying fields hashed into mention/assertion IRIs

# Which entity types each end of a predicate prefers, to pick among entities of
# one document that share a name (a city as Region and as GovernmentAgency).
_ORG_OR_REGION = ORG_TYPES | {"Region"}
_ANY = frozenset(ENTITY_TYPES)
_SUBJECT_TYPES: dict[str, frozenset[str]] = {
    "affiliatedWith": frozenset({"Person"}),
    "locatedIn": _ANY - {"Region"},
    "partOf": _ANY,
    "participatesIn": ORG_TYPES,
    "collaboratesWith": _ORG_OR_REGION,
    "authorOf": frozenset({"Person"}),
    "fundedBy": frozenset({"Project"}),
}
_OBJECT_TYPES: dict[str, frozenset[str]] = {
    "affiliatedWith": _ORG_OR_REGION,
    "locatedIn": frozenset({"Region"}),
    "partOf": _ANY,
    "participatesIn": frozenset({"Project"}),
    "collaboratesWith": _ORG_OR_REGION,
    "fundedBy": ORG_TYPES,
}
# Which ends the shapes (ontology/shapes.ttl) allow: the subject's types, then the
# object's for each type of subject. A relation whose ends fit no pair of the
# document's entities of those names is left out: stored, it failed the shapes and
# the whole document was skipped ("上海 partOf 中国" with 中国 also a Company).
_SHAPE_SUBJECTS: dict[str, frozenset[str]] = {
    **_SUBJECT_TYPES,
    "locatedIn": _ANY,
    "partOf": ORG_TYPES | {"Region", "Project"},
}
_PART_OF_OBJECTS: dict[str, frozenset[str]] = {
    "Region": frozenset({"Region"}),
    "Project": frozenset({"Project"}),
    **{kind: _ORG_OR_REGION for kind in ORG_TYPES},
}


def _shapes_allow(predicate: str, subject_type: str, object_type: str) -> bool:
    if subject_type not in _SHAPE_SUBJECTS[predicate]:
        return False
    if predicate == "partOf":
        return object_type in _PART_OF_OBJECTS[subject_type]
    return object_type in _OBJECT_TYPES[predicate]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def mint_iri(kind: str, *parts: str) -> URIRef:
    """Build a resource IRI: the only place where IRIs are made.

    Each part is NFC-normalised and percent-encoded whole (``/`` included), so
    parts never run into each other and the IRI does not change between builds.

    Args:
        kind: One of ``IRI_KINDS``.
        *parts: The path segments after the kind, at least one, none empty.

    Returns:
        ``ID + kind + "/" + "/".join(quoted parts)``.

    Raises:
        ValueError: If ``kind`` is unknown or a part is missing or empty.

    Example:
        >>> mint_iri("entity", "Region", "太原市")
        rdflib.term.URIRef('https://w3id.org/kg-news/id/entity/Region/%E5%A4%AA%E5%8E%9F%E5%B8%82')
        >>> mint_iri("article", "page 1/2.txt", "a1")
        rdflib.term.URIRef('https://w3id.org/kg-news/id/article/page%201%2F2.txt/a1')
    """
    if kind not in IRI_KINDS:
        raise ValueError(f"unknown IRI kind {kind!r}; known: {sorted(IRI_KINDS)}")
    if not parts or any(not part for part in parts):
        raise ValueError(
            f"an IRI of kind {kind!r} needs non-empty parts, got {parts!r}"
        )
    return URIRef(ID + kind + "/" + "/".join(_segment(p) for p in parts))


MERGES_GRAPH = URIRef(ID + "graph/merges")
"""The graph of the merges across documents (``kg.store.refresh_merges``)."""

STATISTICS_GRAPH = URIRef(ID + "graph/statistics")
"""The graph of the counts kept in the data (``kg.store.refresh_statistics``)."""


def _segment(part: str) -> str:
    """Percent-encode a path segment; ``.`` and ``..`` too (IRIs resolve them away)."""
    quoted = quote(_nfc(part), safe="")
    return quoted.replace(".", "%2E") if quoted in (".", "..") else quoted


def entity_iri(type: str, name: str) -> URIRef:
    """Return the IRI of the entity of ``type`` named ``name``.

    Args:
        type: One of ``ENTITY_TYPES``.
        name: The entity's canonical name.

    Returns:
        ``ID + "entity/" + type + "/" + quote(NFC(name))``.

    Raises:
        ValueError: If ``type`` is not an entity type or ``name`` is empty.

    Example:
        >>> entity_iri("Company", "星河科技")[len(ID) :]
        'entity/Company/%E6%98%9F%E6%B2%B3%E7%A7%91%E6%8A%80'
    """
    if type not in ENTITY_TYPES:
        raise ValueError(f"unknown entity type {type!r}; known: {list(ENTITY_TYPES)}")
    return mint_iri("entity", type, name)


def article_iri(article: Article) -> URIRef:
    """Return the IRI of an article, which also names the graph of its facts.

    Args:
        article: The article; its ``doc`` and local ``id`` make the IRI.

    Returns:
        ``ID + "article/" + quote(doc) + "/" + id``.

    Example:
        >>> a = Article(doc="日报-0813.txt", id="a1", title="标题", text="正文")
        >>> article_iri(a).endswith(".txt/a1")
        True
    """
    return mint_iri("article", article.doc, article.id)


def _digest(*fields: object) -> str:
    joined = _SEP.join(str(f) for f in fields)
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:_HASH_LENGTH]


@lru_cache(maxsize=1024)
def _rule_iri(source: str) -> URIRef:
    return mint_iri("rule", source or "unknown")


def bind_prefixes(graph: _G) -> _G:
    """Bind the prefixes ``kg``, ``prov``, ``schema``, ``xsd`` on a graph.

    Args:
        graph: A Graph or Dataset.

    Returns:
        The same graph, for chaining.
    """
    graph.bind("kg", str(KG))
    graph.bind("prov", str(PROV))
    graph.bind("schema", str(SCHEMA))
    graph.bind("xsd", str(XSD))
    return graph


def _new_graph(identifier: URIRef) -> Graph:
    return bind_prefixes(Graph(identifier=identifier))


def _article_triples(
    art: URIRef, article: Article
) -> Iterator[tuple[URIRef, URIRef, Literal | URIRef]]:
    yield art, RDF.type, KG.Article
    yield art, KG.title, Literal(article.title)
    if article.title:
        yield art, RDFS.label, Literal(article.title, lang="zh")
    yield art, KG.articleId, Literal(article.id)
    yield art, KG.document, Literal(article.doc)
    yield art, KG.text, Literal(article.text)
    if article.byline:
        yield art, KG.byline, Literal(article.byline)
    if article.source:
        yield art, KG.sourceFile, Literal(article.source)
    if article.publication:
        yield art, KG.publication, Literal(article.publication)
    if article.date:
        try:
            day = dt.date.fromisoformat(article.date)
        except ValueError:
            logger.warning(
                "article %s: date %r is not YYYY-MM-DD; kg:datePublished left out",
                article.key,
                article.date,
            )
        else:
            yield art, KG.datePublished, Literal(day.isoformat(), datatype=XSD.date)


def _entity_core(
    iri: URIRef, entity: Entity
) -> Iterator[tuple[URIRef, URIRef, Literal | URIRef]]:
    name = _nfc(entity.name)
    yield iri, RDF.type, kg_term(entity.type)
    yield iri, RDFS.label, Literal(name, lang="zh")
    yield iri, KG.name, Literal(name)


def _entity_attributes(
    iri: URIRef, entity: Entity
) -> Iterator[tuple[URIRef, URIRef, Literal | URIRef]]:
    name = _nfc(entity.name)
    for alias in dict.fromkeys(_nfc(a) for a in entity.aliases):
        if alias and alias != name:
            yield iri, KG.alias, Literal(alias)
    for title in dict.fromkeys(entity.titles):
        if title:
            yield iri, KG.title, Literal(title)
    if entity.investment is not None:
        amount = entity.investment
        yield iri, KG.investmentAmount, Literal(Decimal(amount.amount))
        yield iri, KG.currency, Literal(amount.currency)
        yield iri, KG.investmentText, Literal(amount.text)


@lru_cache(maxsize=65536, typed=True)
def _literal(value: int | float | str) -> Literal:
    """A Literal of an offset, a confidence or a short text, made once (slow)."""
    return Literal(value)


def _made_literal(value: object) -> Literal:
    """``Literal(value)``, made directly for an ``int`` or a ``str``.

    As rdflib makes them (``xsd:integer``, a plain literal), about 8x faster: the
    statistics graph has 10^5 of them, made after every write. Other values go
    through ``Literal``.
    """
    kind = type(value)
    if kind is int:
        node = str.__new__(Literal, str(value))
        node._datatype = _XSD_INTEGER
    elif kind is str:
        node = str.__new__(Literal, value)
        node._datatype = None
    else:
        return Literal(value)
    node._language = None
    node._value = value
    node._ill_typed = None
    return node


_XSD_INTEGER = XSD.integer

# The terms every mention and assertion uses, looked up once.
_T_MENTION, _T_ASSERTION = KG.Mention, KG.Assertion
_T_MENTION_OF, _T_ARTICLE, _T_START, _T_END, _T_TEXT = (
    KG.mentionOf,
    KG.article,
    KG.start,
    KG.end,
    KG.text,
)
_T_CONFIDENCE, _T_ROLE, _T_EVIDENCE = KG.confidence, KG.role, KG.evidence
_T_GENERATED = PROV.wasGeneratedBy


def _mention_triples(
    doc: str, art: URIRef, entity: URIRef, mention: Mention
) -> Iterator[tuple[URIRef, URIRef, Literal | URIRef]]:
    node = mint_iri(
        "mention", _digest(doc, mention.article, mention.start, mention.end, entity)
    )
    yield node, RDF.type, _T_MENTION
    yield node, _T_MENTION_OF, entity
    yield node, _T_ARTICLE, art
    yield node, _T_START, _literal(mention.start)
    yield node, _T_END, _literal(mention.end)
    yield node, _T_TEXT, _literal(mention.text)
    yield node, _T_GENERATED, _rule_iri(mention.source)
    yield node, _T_CONFIDENCE, _literal(float(mention.confidence))


def _assertion_triples(
    doc: str, art: URIRef, subject: URIRef, obj: URIRef, relation: Relation
) -> Iterator[tuple[URIRef, URIRef, Literal | URIRef]]:
    predicate = kg_term(relation.predicate)
    yield subject, predicate, obj
    node = mint_iri(
        "assertion",
        _digest(
            doc, relation.article, subject, predicate, obj, relation.start, relation.end
        ),
    )
    yield node, RDF.type, _T_ASSERTION
    yield node, RDF.subject, subject
    yield node, RDF.predicate, predicate
    yield node, RDF.object, obj
    if relation.role:
        yield node, _T_ROLE, _literal(relation.role)
    yield node, _T_EVIDENCE, Literal(relation.evidence)
    yield node, _T_START, _literal(relation.start)
    yield node, _T_END, _literal(relation.end)
    yield node, _T_ARTICLE, art
    yield node, _T_GENERATED, _rule_iri(relation.source)
    yield node, _T_CONFIDENCE, _literal(float(relation.confidence))
    if relation.date:
        yield node, KG.date, Literal(relation.date, datatype=XSD.date)


class _Names:
    """Find a document's entity by the name a relation gives."""

    def __init__(self, entities: Iterable[Entity]) -> None:
        self.by_name: dict[str, list[Entity]] = {}
        self.by_alias: dict[str, list[Entity]] = {}
        for entity in entities:
            self.by_name.setdefault(_nfc(entity.name), []).append(entity)
            for alias in entity.aliases:
                self.by_alias.setdefault(_nfc(alias), []).append(entity)

    def ends(self, relation: Relation) -> tuple[Entity, Entity | None] | None:
        """Return the entities a relation joins, or None if no pair fits.

        The first pair the shapes allow, preferred types first, then by name
        before alias (authorOf: the author, its object being an article).
        """
        predicate = relation.predicate
        subjects = self._ranked(relation.subject, _SUBJECT_TYPES[predicate])
        if predicate == "authorOf":
            allowed = _SHAPE_SUBJECTS[predicate]
            return next(((s, None) for s in subjects if s.type in allowed), None)
        objects = self._ranked(relation.object, _OBJECT_TYPES[predicate])
        for subject in subjects:
            for obj in objects:
                if _shapes_allow(predicate, subject.type, obj.type):
                    return subject, obj
        return None

    def _ranked(self, name: str, preferred: frozenset[str]) -> list[Entity]:
        key = _nfc(name)
        found = dict.fromkeys([*self.by_name.get(key, []), *self.by_alias.get(key, [])])
        return sorted(found, key=lambda e: e.type not in preferred)  # stable


def document_triples(doc: DocumentGraph) -> dict[URIRef, list[Triple]]:
    """Return the facts of a document, one list of distinct triples per article.

    What :func:`document_quads` returns, without building rdflib Graphs (a
    third of the time of a build went into ``Graph.add``): ``kg build`` writes
    these lists out as N-Triples directly.

    An entity goes in the graph of every article that mentions it (from
    ``Entity.articles`` and its mentions' articles), with its attributes; it also
    gets its type, label and name in the graph of any article that states a
    relation about it. A relation goes in the graph of ``Relation.article``.
    Facts that name an article the document lacks, and relations whose ends name
    no entity, are left out with a WARNING.

    Args:
        doc: What the extractor says of one source document.

    Returns:
        A mapping from each article's IRI to its distinct triples, in the
        order of ``doc.articles``.

    Example:
        >>> art = Article(doc="d.txt", id="a1", title="示例", text="星河科技落户。")
        >>> ent = Entity(name="星河科技", type="Company", articles=("a1",))
        >>> triples = document_triples(DocumentGraph("d.txt", (art,), (ent,)))
        >>> [str(g) for g in triples] == [str(article_iri(art))]
        True
        >>> company = entity_iri("Company", "星河科技")
        >>> (company, KG.mentionedIn, article_iri(art)) in triples[article_iri(art)]
        True
    """
    graphs: dict[URIRef, dict[Triple, None]] = {}
    local: dict[str, URIRef] = {}
    for article in doc.articles:
        art = article_iri(article)
        local[article.id] = art
        graph = graphs.setdefault(art, {})
        graph.update(dict.fromkeys(_article_triples(art, article)))

    def graph_of(
        article_id: str, what: str
    ) -> tuple[URIRef, dict[Triple, None]] | None:
        art = local.get(article_id)
        if art is None:
            logger.warning(
                "%s: %s names article %r, which the document lacks (has %s); left out",
                doc.source,
                what,
                article_id,
                sorted(local),
            )
            return None
        return art, graphs[art]

    for entity in doc.entities:
        iri = entity_iri(entity.type, _nfc(entity.name))
        article_ids = dict.fromkeys(
            [*entity.articles, *(m.article for m in entity.mentions)]
        )
        if not article_ids:
            logger.warning(
                "%s: entity %r (%s) names no article; left out",
                doc.source,
                entity.name,
                entity.type,
            )
        for article_id in article_ids:
            found = graph_of(article_id, f"entity {entity.name!r}")
            if found is None:
                continue
            art, graph = found
            graph.update(dict.fromkeys(_entity_core(iri, entity)))
            graph.update(dict.fromkeys(_entity_attributes(iri, entity)))
            graph[(iri, KG.mentionedIn, art)] = None
        for mention in entity.mentions:
            found = graph_of(mention.article, f"a mention of {entity.name!r}")
            if found is not None:
                art, graph = found
                graph.update(
                    dict.fromkeys(_mention_triples(doc.source, art, iri, mention))
                )

    names = _Names(doc.entities)
    for relation in doc.relations:
        what = f"relation {relation.subject!r} {relation.predicate} {relation.object!r}"
        if relation.predicate not in PREDICATES:
            logger.warning(
                "%s: %s has an unknown predicate; left out", doc.source, what
            )
            continue
        found = graph_of(relation.article, what)
        if found is None:
            continue
        art, graph = found
        subject, obj_entity = names.ends(relation) or (None, None)
        obj: URIRef | None = None
        if subject is not None and relation.predicate == "authorOf":
            # The object of authorOf is a local article id, not an entity name.
            obj = local.get(relation.object, art)
        elif obj_entity is not None:
            obj = entity_iri(obj_entity.type, _nfc(obj_entity.name))
        if subject is None or obj is None:
            logger.warning(
                "%s: %s names no entities of the document that the shapes allow it "
                "to join; left out",
                doc.source,
                what,
            )
            continue
        subject_iri = entity_iri(subject.type, _nfc(subject.name))
        for end, end_iri in ((subject, subject_iri), (obj_entity, obj)):
            if end is not None:
                graph.update(dict.fromkeys(_entity_core(end_iri, end)))
        graph.update(
            dict.fromkeys(
                _assertion_triples(doc.source, art, subject_iri, obj, relation)
            )
        )
    return {name: list(triples) for name, triples in graphs.items()}


def document_quads(doc: DocumentGraph) -> dict[URIRef, Graph]:
    """Return the facts of a document, one rdflib Graph per article.

    The triples of :func:`document_triples`, each article's in a Graph whose
    identifier is the article's IRI. An entity goes in the graph of every
    article that mentions it, with its attributes; it also gets its type,
    label and name in the graph of any article that states a relation about
    it. A relation goes in the graph of ``Relation.article``.

    Args:
        doc: What the extractor says of one source document.

    Returns:
        A mapping from each article's IRI to the Graph of its facts, in the
        order of ``doc.articles``.

    Example:
        >>> art = Article(doc="d.txt", id="a1", title="示例", text="星河科技落户。")
        >>> ent = Entity(name="星河科技", type="Company", articles=("a1",))
        >>> graphs = document_quads(DocumentGraph("d.txt", (art,), (ent,)))
        >>> company = entity_iri("Company", "星河科技")
        >>> (company, KG.mentionedIn, article_iri(art)) in graphs[article_iri(art)]
        True
    """
    out: dict[URIRef, Graph] = {}
    for name, triples in document_triples(doc).items():
        graph = out[name] = _new_graph(name)
        for triple in triples:
            graph.add(triple)
    return out


def merge_triples(merges: Iterable[tuple[URIRef, URIRef, str]]) -> list[Triple]:
    """Return the triples that record merges across documents by alias.

    Args:
        merges: ``(short, full, alias)``: the entity named ``alias`` in some
            articles is the entity ``full``, which other articles give that
            alias (the same type on both sides).

    Returns:
        ``short owl:sameAs full`` and a ``kg:Merge`` node for each merge,
        stating the alias and the rule (``rule/alias-across-documents``).

    Example:
        >>> short = entity_iri("Company", "星河科技")
        >>> full = entity_iri("Company", "星河科技股份有限公司")
        >>> (short, OWL.sameAs, full) in merge_triples([(short, full, "星河科技")])
        True
    """
    rule = _rule_iri("alias-across-documents")
    out: list[Triple] = []
    for short, full, alias in merges:
        node = mint_iri("merge", _digest(short, full, alias))
        out += [
            (short, OWL.sameAs, full),
            (node, RDF.type, KG.Merge),
            (node, KG.mergeOf, short),
            (node, KG.mergedInto, full),
            (node, KG.viaAlias, Literal(alias)),
            (node, _T_GENERATED, rule),
        ]
    return out


def statistics_triples(
    counts: Iterable[tuple[URIRef, str, int | Decimal | str | dt.date]],
    pairs: Iterable[tuple[URIRef, URIRef, int]],
    classes: Iterable[tuple[str, int]] = (),
    properties: Iterable[tuple[str, int]] = (),
    links: Iterable[tuple[URIRef, URIRef, URIRef, str, URIRef | None]] = (),
    evidence: Iterable[tuple[URIRef, URIRef]] = (),
    affiliations: Iterable[tuple[URIRef, URIRef, URIRef, str]] = (),
    participations: Iterable[tuple[URIRef, URIRef, URIRef, str | None]] = (),
    collaborations: Iterable[
        tuple[Sequence[URIRef | str], Mapping[str, Iterable[str]]]
    ] = (),
) -> list[Triple]:
    """Return the triples of the counts kept in the data.

    Args:
        counts: ``(node, property, value)``: a count (``articleCount``,
            ``documentCount``, ``mentionRank``, ``projectCount``,
            ``directProjectCount``, ``investedProjectCount``, ``personCount``,
            ``unitCount``, ``confidenceRank``, ``amountRank``, ``documentRank``,
            ``assertionCount``, ``investmentRank``, ``bylineRank``,
            ``relationCount``, ``dateRank``, ``mergeRank``, ``unitsBefore``), a
            sum (``investmentTotal``, a Decimal), names (``projectNames``, a str)
            or dates (``documentFirstDate``, ``documentLastDate``) of an entity,
            or how an assertion is shown
            (``subjectLabel``, ``predicateLabel``, ``objectLabel``,
            ``sourceDocument``, ``sourceTitle``, a str).
        pairs: ``(a, b, articles)``: two entities named together in
            ``articles`` articles, each pair once, the most frequent first.
        classes: ``(type, entities)``: how many entities each type has.
        properties: ``(predicate, triples)``: how many relations each has.
        links: ``(academic, its class, company, kind, project or None)``:
            academia-industry links in the order they are shown.
        evidence: ``(entity, assertion)``: one of the entity's most confident
            assertions (``kg:topEvidence``).
        affiliations: ``(person, organization, its class, posts or "")``: the
            rows of people-affiliations in the order they are shown.
        participations: ``(organization, project, its class, role or None)``:
            the links investors shows, in order.
        collaborations: ``((partner, its region, other partner, its region,
            their four names or ""), {assertion: its sentences})``: the
            collaborations across regions in the order
            collaborations-across-regions shows them, with the assertions from
            the partner to the other.

    Returns:
        The counts as typed literals (``xsd:integer``, the sum ``xsd:decimal``)
        and a ``kg:CoMention`` node per pair (``comention/<sha1>`` of the two
        IRIs in order) with ``kg:coMentionOf`` both, ``kg:articleCount`` and
        ``kg:pairRank``, the pair's place in ``pairs`` (from 1); the classes
        and properties as VoID partitions of the statistics graph
        (``graph/statistics/class/<Type>``: ``void:class``, ``void:entities``;
        ``graph/statistics/property/<predicate>``: ``void:property``,
        ``void:triples``); a ``kg:AcademicLink`` node per link
        (``academiclink/<sha1>`` of its five fields) with ``kg:linkedAcademic``,
        ``kg:academicClass``, ``kg:linkedCompany``, ``kg:linkKind``,
        ``kg:linkProject`` (if any) and ``kg:linkRank``, its place in ``links``;
        a ``kg:Affiliation`` node per affiliation (``affiliation/<sha1>`` of its
        three IRIs) with ``kg:affiliatedPerson``, ``kg:affiliatedOrganization``,
        ``kg:organizationClass``, ``kg:posts`` (if any) and
        ``kg:affiliationRank``, its place in ``affiliations``; a
        ``kg:Participation`` node per link (``participation/<sha1>`` of its four
        fields) with ``kg:participant``, ``kg:participatedProject``,
        ``kg:participantClass``, ``kg:participationRole`` (if any) and
        ``kg:participationRank``, its place in ``participations``; a
        ``kg:RegionalCollaboration`` node per collaboration
        (``crossregion/<sha1>`` of its four IRIs) with
        ``kg:collaborationPartner``, ``kg:partnerRegion``, ``kg:otherPartner``,
        ``kg:otherRegion``, the names (``kg:partnerName``,
        ``kg:partnerRegionName``, ``kg:otherPartnerName``,
        ``kg:otherRegionName``), ``kg:collaborationRank``, its place in
        ``collaborations``, ``kg:collaborationAssertion`` each assertion and
        ``kg:collaborationEvidence`` each of their sentences.

    Raises:
        AttributeError: If a property is not a term of the ontology.

    Example:
        >>> a = entity_iri("Company", "星河科技")
        >>> b = entity_iri("Region", "太原市")
        >>> t = statistics_triples([(a, "articleCount", 3)], [(a, b, 2)])
        >>> (a, KG.articleCount, Literal(3)) in t, len(t)
        (True, 6)
    """
    terms: dict[str, URIRef] = {}
    out: list[Triple] = [
        (
            node,
            terms.get(prop) or terms.setdefault(prop, kg_term(prop)),
            _made_literal(v),
        )
        for node, prop, v in counts
    ]
    for rank, (a, b, articles) in enumerate(pairs, 1):
        first, second = sorted((a, b), key=str)
        node = mint_iri("comention", _digest(first, second))
        out += [
            (node, RDF.type, KG.CoMention),
            (node, KG.coMentionOf, first),
            (node, KG.coMentionOf, second),
            (node, KG.articleCount, Literal(articles)),
            (node, KG.pairRank, Literal(rank)),
        ]
    collaborations = list(collaborations)
    for listing, rows in zip(
        _LISTINGS,
        (links, affiliations, participations, [row for row, _a in collaborations]),
        strict=True,
    ):
        out += _ranked_nodes(*listing, rows)
    for row, assertions in collaborations:
        node = mint_iri("crossregion", _digest(*row))
        out += [(node, KG.collaborationAssertion, URIRef(a)) for a in assertions]
        out += [
            (node, KG.collaborationEvidence, Literal(sentence))
            for sentence in sorted(set().union(*assertions.values()))
        ]
    out += [(entity, KG.topEvidence, assertion) for entity, assertion in evidence]
    for type_, n in classes:
        part = mint_iri("graph", "statistics", "class", type_)
        out += [
            (STATISTICS_GRAPH, VOID.classPartition, part),
            (part, VOID["class"], kg_term(type_)),
            (part, VOID.entities, Literal(n)),
        ]
    for predicate, n in properties:
        part = mint_iri("graph", "statistics", "property", predicate)
        out += [
            (STATISTICS_GRAPH, VOID.propertyPartition, part),
            (part, VOID.property, kg_term(predicate)),
            (part, VOID.triples, Literal(n)),
        ]
    return out


# The listings kept in the data: (IRI kind, class, rank property, the properties of
# a row's fields, then those of its optional fields).
_LISTINGS: tuple[
    tuple[str, URIRef, URIRef, tuple[URIRef, ...], tuple[URIRef, ...]], ...
] = (
    (
        "academiclink",
        KG.AcademicLink,
        KG.linkRank,
        (KG.linkedAcademic, KG.academicClass, KG.linkedCompany, KG.linkKind),
        (KG.linkProject,),
    ),
    (
        "affiliation",
        KG.Affiliation,
        KG.affiliationRank,
        (KG.affiliatedPerson, KG.affiliatedOrganization, KG.organizationClass),
        (KG.posts,),
    ),
    (
        "participation",
        KG.Participation,
        KG.participationRank,
        (KG.participant, KG.participatedProject, KG.participantClass),
        (KG.participationRole,),
    ),
    (
        "crossregion",
        KG.RegionalCollaboration,
        KG.collaborationRank,
        (KG.collaborationPartner, KG.partnerRegion, KG.otherPartner, KG.otherRegion),
        (
            KG.partnerName,
            KG.partnerRegionName,
            KG.otherPartnerName,
            KG.otherRegionName,
        ),
    ),
)


def _ranked_nodes(
    kind: str,
    cls: URIRef,
    rank: URIRef,
    required: Sequence[URIRef],
    optional: Sequence[URIRef],
    rows: Iterable[Sequence[URIRef | str | None]],
) -> list[Triple]:
    """A node per row of a listing kept in the data, in the order shown.

    Each is ``<kind>/<sha1 of the row>`` of type ``cls``, with ``rank`` its place
    from 1, the row's fields under the properties ``required`` then ``optional``
    (a string as a literal; an optional field that is None or "" is left out).
    """
    out: list[Triple] = []
    for place, row in enumerate(rows, 1):
        node = mint_iri(kind, _digest(*row))
        out += [(node, RDF.type, cls), (node, rank, Literal(place))]
        for prop, value in zip((*required, *optional), row, strict=True):
            if prop in optional and value in (None, ""):
                continue
            out.append(
                (node, prop, value if isinstance(value, URIRef) else Literal(value))
            )
    return out


def to_dataset(*docs: DocumentGraph) -> Dataset:
    """Build an in-memory Dataset holding the graphs of some documents.

    Its default graph is the union of the named graphs, as in ``kg.store``.

    Args:
        *docs: The documents.

    Returns:
        A new Dataset (rdflib's Memory store) with one named graph per article.

    Example:
        >>> art = Article(doc="d.txt", id="a1", title="示例", text="示例")
        >>> ds = to_dataset(DocumentGraph("d.txt", (art,), ()))
        >>> [str(g.identifier).rsplit("/", 2)[-2:] for g in ds.graphs() if len(g)]
        [['d.txt', 'a1']]
    """
    dataset = bind_prefixes(Dataset(default_union=True))
    for doc in docs:
        for name, graph in document_quads(doc).items():
            target = dataset.graph(name)
            dataset.addN((s, p, o, target) for s, p, o in graph)
    return dataset


def union_graph(data: Graph) -> Graph:
    """Return the triples of every graph of a Dataset as one plain Graph.

    Args:
        data: A Dataset (or ConjunctiveGraph), or a Graph, which is returned as is.

    Returns:
        A Graph holding each distinct triple once.
    """
    if not isinstance(data, ConjunctiveGraph):
        return data
    union = bind_prefixes(Graph())
    union += ((s, p, o) for s, p, o, _ in data.quads((None, None, None, None)))
    return union


@lru_cache(maxsize=2)
def _load(name: str) -> Graph:
    return Graph().parse(ontology_path(name), format="turtle")


def validate(data: Graph, *, inference: str = "none") -> tuple[bool, str]:
    """Check graphs against the SHACL shapes of ``ontology/shapes.ttl``.

    A Dataset is validated as the union of its graphs (an entity's facts are
    spread over the graphs of the articles that mention it). The ontology is
    mixed in, so its ``rdfs:subClassOf`` axioms make every ``kg:Company`` a
    ``kg:Entity`` without running a reasoner. About 1.2 s for 5,000 triples
    (plus about 1 s the first time, while pyshacl loads).

    Args:
        data: A Graph, or a Dataset whose named graphs are checked together.
        inference: pyshacl's inference option: ``"none"`` (fast, enough for
            these shapes) or ``"rdfs"``.

    Returns:
        ``(conforms, report)``, the report being pyshacl's text.

    Example:
        >>> art = Article(doc="d.txt", id="a1", title="示例", text="示例")
        >>> validate(to_dataset(DocumentGraph("d.txt", (art,), ())))[0]
        True
    """
    import pyshacl  # slow to import; only validation needs it

    # Validate a copy holding the data and the ontology, in place: this is what
    # pyshacl's ont_graph does, minus a second copy of the data.
    checked = Graph()
    checked += union_graph(data) if isinstance(data, ConjunctiveGraph) else data
    checked += _load("kg.ttl")
    conforms, _report_graph, text = pyshacl.validate(
        checked,
        shacl_graph=_load("shapes.ttl"),
        inference=inference,
        inplace=True,
    )
    return bool(conforms), str(text)
