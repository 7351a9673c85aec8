"""Count what whole-graph questions need, so that queries read counts, not the graph.

Questions such as "the entities mentioned in the most articles", "the pairs named
together most often" or "the regions with the most projects" aggregate the whole
graph: 0.1-7 s at a million triples, whatever the query's form. These counts are
therefore kept in the data, in the graph ``kg.rdf.STATISTICS_GRAPH``, derived from
the articles' graphs by :func:`statistics_triples` and rewritten by
``kg.store.refresh_statistics`` after every build, removal and update (one
transaction; 3.5–5 s at a million triples), so the saved queries that read them
(``most-mentioned``, ``co-mentions``, ``regions-by-projects``,
``projects-by-region``, ``people-affiliations``, ``organization-units``,
``low-confidence``, ``largest-projects``, ``investors``, ``funding``, ``documents``,
``entity-types``, ``evidence-of``, ``neighbourhood``,
``relations-by-predicate``, ``timeline``, ``collaborations-across-regions``,
``merges``) take their rows by index:

- every mentioned entity: ``kg:articleCount``, ``kg:documentCount``; the
  ``TOP_RANKED`` mentioned in the most articles (then documents, then by IRI) also
  ``kg:mentionRank``, their place from 1;
- every region with projects in it or in its sub-regions (``kg:partOf``):
  ``kg:projectCount``, ``kg:directProjectCount``; with projects located in it
  directly also ``kg:investmentTotal`` (each project's largest stated amount) and
  ``kg:investedProjectCount``, and the ``TOP_RANKED`` largest totals (then most
  projects located directly, then by IRI) ``kg:investmentRank``, their place from 1,
  and ``kg:projectNames``, the names of those projects in order;
- every organization (or region) people are affiliated with: ``kg:personCount``;
- every body (organization or region) organizations are part of (``kg:partOf``):
  ``kg:unitCount``; ranked by it (the most first, then by IRI), while fewer than
  ``TOP_RANKED`` units come before them, ``kg:unitsBefore``, how many do;
- the ``TOP_RANKED`` projects with the largest stated amounts (each project's
  largest ``kg:investmentAmount``, then by IRI): ``kg:amountRank``, their place
  from 1;
- the ``TOP_RANKED`` documents with the newest articles (by ``kg:datePublished``,
  undated last, then by the document's name): ``kg:documentRank`` on the article
  that gives the document its place (its newest, then by IRI), the document's
  place from 1 (a document is a literal, which can hold nothing), and on the same
  article the document's ``kg:documentArticleCount``, ``kg:documentFirstDate`` and
  ``kg:documentLastDate`` (its articles, its oldest and newest dates);
- the ``TOP_RANKED`` newest articles with an author (``kg:authorOf``; by
  ``kg:datePublished``, undated last, then by IRI): ``kg:bylineRank``, their place
  from 1;
- the ``TOP_DOUBTFUL`` least confident assertions (``kg:confidence``, then by IRI):
  ``kg:confidenceRank``, their place from 1;
- every entity that is the subject or object of an assertion:
  ``kg:assertionCount``, of how many; of more than ``KEEP_EVIDENCE_ABOVE`` also
  ``kg:topEvidence``, its ``TOP_EVIDENCE`` most confident (then by IRI), so that
  ``evidence-of`` reads 100 assertions, not thousands; so does every entity that
  shares a name or an alias with one that has them (or with one so found), and each
  assertion so kept has ``kg:evidenceOrder``, its place in the order
  ``evidence-of`` shows them (the most confident first, then by what is shown), over
  all of them: the evidence of two entities of one name sorts together;
- each assertion of ``kg:topEvidence`` or ``kg:confidenceRank``: how its rows
  show it, ``kg:subjectLabel`` and ``kg:objectLabel`` (its ends' names, an
  article's title, else the IRI), ``kg:predicateLabel`` (the predicate's local
  name), ``kg:sourceDocument`` and ``kg:sourceTitle`` (its article's document
  and title), so that ``evidence-of`` and ``low-confidence`` read them without
  joining the ends and the articles;
- every entity that is an end of a relation (``kg:affiliatedWith``,
  ``kg:locatedIn``, ``kg:partOf``, ``kg:participatesIn``,
  ``kg:collaboratesWith``, ``kg:authorOf``, ``kg:fundedBy``):
  ``kg:relationCount``, of how many (``neighbourhood`` reads hop 2 only of one
  with fewer than 100);
- the entities of each type and the relations of each predicate, as VoID class and
  property partitions of the graph (``void:entities``, ``void:triples``);
- the ``TOP_PAIRS`` pairs of entities named together in the most articles (more
  than one): a ``kg:CoMention`` node each with its ``kg:pairRank``, ties broken by
  IRI;
- the first ``TOP_RANKED`` links between a university or research institute and a
  company (``kg:collaboratesWith`` or ``kg:partOf`` either way, or a project both
  take part in), in the order ``academia-industry`` shows them (by the kind of
  link, then the academic's, the company's and the project's names, then the
  academic's type): a ``kg:AcademicLink`` node each with its ``kg:linkRank``;
- the first ``TOP_RANKED`` links ``investors`` shows: organizations (or regions)
  taking part in the projects of ``kg:amountRank`` (``kg:participatesIn``), by the
  project's rank, then the organization's name, the role stated for the link
  (``kg:role``, none first) and the organization's type: a ``kg:Participation``
  node each with its ``kg:participationRank``;
- the first ``TOP_RANKED`` rows of ``people-affiliations``: people and the
  organizations they are affiliated with (``kg:affiliatedWith``), by the
  organization's ``kg:personCount`` (the most first), then the organization's and
  the person's names, then the organization's type, with the posts stated for the
  pair (``kg:role``): a ``kg:Affiliation`` node each with its
  ``kg:affiliationRank``;
- the first ``TOP_RANKED`` merges (``kg:Merge``) in the order ``merges`` shows
  them (by the full name, then the merged name, then by IRI): ``kg:mergeRank``,
  their place from 1;
- the ``TOP_RANKED`` assertions that name the latest days (``kg:date``; ties by
  IRI): ``kg:dateRank``, their place from 1 (``timeline``);
- the first ``TOP_RANKED`` collaborations across regions in the order
  ``collaborations-across-regions`` shows them (partners of ``kg:collaboratesWith``
  whose regions differ, by the partners' ``kg:articleCount``, then the names): a
  ``kg:RegionalCollaboration`` node each with its ``kg:collaborationRank`` and the
  assertions from the partner to the other (``kg:collaborationAssertion``).
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import Counter
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from kg.namespace import KG
from kg.records import PREDICATES

if TYPE_CHECKING:
    from rdflib import URIRef

    from kg.rdf import Triple

Select = Callable[[str], list[tuple[Any, ...]]]
"""Answers a SELECT query as rows of plain values (``kg.store.select_values``)."""

__all__ = [
    "KEEP_EVIDENCE_ABOVE",
    "TOP_DOUBTFUL",
    "TOP_EVIDENCE",
    "TOP_PAIRS",
    "TOP_RANKED",
    "VERSION",
    "Select",
    "statistics_triples",
]

VERSION = 6
"""What is counted: raised with every new count, so that a store counted by an
earlier kg is out of date (``kg.store.statistics_current``) and counted again by
the next ``kg build``. 2: ``kg:amountRank``, ``kg:documentRank``.
3: ``kg:AcademicLink``, ``kg:assertionCount``, ``kg:topEvidence``,
``kg:investmentRank``, ``kg:bylineRank``. 4: ``kg:Affiliation``,
``kg:projectNames``, ``kg:documentArticleCount``, ``kg:documentFirstDate``,
``kg:documentLastDate``, ``kg:Participation``. 5: ``kg:relationCount``,
``kg:subjectLabel``, ``kg:predicateLabel``, ``kg:objectLabel``,
``kg:sourceDocument``, ``kg:sourceTitle``, ``kg:evidenceOrder``; ``kg:topEvidence``
also for the entities that share a name with one that has it. 6: ``kg:dateRank``,
``kg:RegionalCollaboration``, ``kg:mergeRank``, ``kg:unitsBefore``."""

TOP_PAIRS = 1000
"""How many of the pairs named together most often get a ``kg:CoMention``."""

TOP_RANKED = 1000
"""How many of the entities mentioned in the most articles get a ``kg:mentionRank``."""

TOP_DOUBTFUL = 1000
"""How many of the least confident assertions get a ``kg:confidenceRank``."""

TOP_EVIDENCE = 100
"""How many of its most confident assertions an entity keeps as ``kg:topEvidence``
(the rows of ``evidence-of``)."""

KEEP_EVIDENCE_ABOVE = 40
"""An entity that is an end of more assertions keeps its ``TOP_EVIDENCE`` most
confident: reading and sorting them from the assertions took evidence-of 20-25 ms
at 88 assertions at a million triples, 10-12 ms at 40."""

_PREFIX = f"PREFIX kg: <{KG}>\n"

_RELATION_TERMS = " ".join(f"kg:{p}" for p in PREDICATES)
"""The relation properties, as a query's VALUES lists them."""

_ENTITIES = (
    _PREFIX
    + """
SELECT ?e (COUNT(?a) AS ?articles) (COUNT(DISTINCT ?d) AS ?documents)
WHERE {
  ?e kg:mentionedIn ?a .
  { SELECT ?a ?d WHERE { ?a kg:document ?d } }
}
GROUP BY ?e
HAVING (COUNT(?a) > 0)  # rdflib makes one empty group of no rows
"""
)

# One row per article, its entities' IRIs in one string: a few thousand strings
# cross into Python instead of every mention's two terms (IRIs hold no space).
_ARTICLE_ENTITIES = (
    _PREFIX
    + """
SELECT ?a (GROUP_CONCAT(STR(?e); separator=" ") AS ?entities)
WHERE { ?e kg:mentionedIn ?a }
GROUP BY ?a
HAVING (COUNT(?e) > 0)
"""
)

_REGION_PROJECTS = (
    _PREFIX
    + """
SELECT ?r (COUNT(DISTINCT ?project) AS ?projects)
       (COUNT(DISTINCT ?direct) AS ?locatedDirectly)
WHERE {
  ?project kg:locatedIn ?l .
  { SELECT ?project WHERE { ?project a kg:Project } }
  ?l kg:partOf* ?r .
  { SELECT ?r WHERE { ?r a kg:Region } }
  BIND(IF(?l = ?r, ?project, ?none) AS ?direct)
}
GROUP BY ?r
HAVING (COUNT(?project) > 0)
"""
)

_REGION_INVESTMENT = (
    _PREFIX
    + """
SELECT ?r (COUNT(?amount) AS ?withInvestment) (SUM(COALESCE(?amount, 0)) AS ?total)
WHERE {
  ?project kg:locatedIn ?r .
  { SELECT ?project WHERE { ?project a kg:Project } }
  { SELECT ?r WHERE { ?r a kg:Region } }
  OPTIONAL {
    SELECT ?project (MAX(?x) AS ?amount)
    WHERE { ?project kg:investmentAmount ?x }
    GROUP BY ?project
  }
}
GROUP BY ?r
HAVING (COUNT(?project) > 0)
"""
)

_CLASSES = (
    _PREFIX
    + """
SELECT ?class (COUNT(?e) AS ?entities)
WHERE {
  VALUES ?class { kg:Person kg:Company kg:University kg:ResearchInstitute
                  kg:GovernmentAgency kg:Organization kg:Region kg:Project }
  ?e a ?class .
}
GROUP BY ?class
HAVING (COUNT(?e) > 0)
"""
)

_PROPERTIES = (
    _PREFIX
    + """
SELECT ?rel (COUNT(*) AS ?relations)
WHERE {
  VALUES ?rel { """
    + _RELATION_TERMS
    + """ }
  ?s ?rel ?o .
}
GROUP BY ?rel
HAVING (COUNT(*) > 0)
"""
)

# How many relations each entity is an end of (a relation to itself once): the
# neighbourhood reads hop 2 only of an entity with fewer than 100 (hop 1 fills the
# 100 rows otherwise; reading hop 2 of the most related took a third of the query).
_RELATIONS = (
    _PREFIX
    + """
SELECT ?e (COUNT(*) AS ?relations)
WHERE {
  VALUES ?rel { """
    + _RELATION_TERMS
    + """ }
  { ?e ?rel ?o } UNION { ?s ?rel ?e FILTER(?s != ?e) }
  FILTER(isIRI(?e))
}
GROUP BY ?e
HAVING (COUNT(*) > 0)
"""
)

# How the rows of evidence-of and low-confidence show some assertions (given as
# VALUES): reading them from the assertions' ends and articles took a third of
# those queries' 20-30 ms at a million triples.
_LABELS = (
    _PREFIX
    + """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?a ?subject ?predicate ?object ?document ?title ?evidence
WHERE {
  VALUES ?a { %s }
  ?a rdf:subject ?s ; rdf:predicate ?rel ; rdf:object ?o ; kg:article ?article .
  ?article kg:document ?document ; kg:title ?title .
  OPTIONAL { ?a kg:evidence ?evidence }
  OPTIONAL { ?s kg:name ?sName }
  OPTIONAL { ?o kg:name ?oName }
  OPTIONAL { ?o kg:title ?oTitle }
  BIND(COALESCE(?sName, STR(?s)) AS ?subject)
  BIND(STRAFTER(STR(?rel), "#") AS ?predicate)
  BIND(COALESCE(?oName, ?oTitle, STR(?o)) AS ?object)
}
"""
)

_LABELLED = (
    "subjectLabel",
    "predicateLabel",
    "objectLabel",
    "sourceDocument",
    "sourceTitle",
)
"""The properties of :data:`_LABELS`'s columns after the assertion, in order (the
evidence, last, is the assertion's own ``kg:evidence``)."""

# Every name and alias: the entities that share one with an entity whose evidence is
# kept keep theirs too.
_NAMES = (
    _PREFIX
    + """
SELECT ?e ?name
WHERE { VALUES ?naming { kg:name kg:alias } ?e ?naming ?name FILTER(isIRI(?e)) }
"""
)

# The name of each project located directly in a region (a few ms a thousand rows):
# reading them took most of projects-by-region's 25-30 ms at a million triples.
_PROJECT_NAMES = (
    _PREFIX
    + """
SELECT DISTINCT ?r ?project ?name
WHERE { ?project kg:locatedIn ?r ; a kg:Project ; kg:name ?name }
"""
)

_PEOPLE = (
    _PREFIX
    + """
SELECT ?o (COUNT(DISTINCT ?p) AS ?people)
WHERE { ?p kg:affiliatedWith ?o ; a kg:Person }
GROUP BY ?o
HAVING (COUNT(?p) > 0)
"""
)

_UNITS = (
    _PREFIX
    + """
SELECT ?b (COUNT(DISTINCT ?u) AS ?units)
WHERE {
  ?u kg:partOf ?b ; a ?class .
  FILTER(?class IN (kg:Company, kg:University, kg:ResearchInstitute, kg:GovernmentAgency,
                    kg:Organization))
}
GROUP BY ?b
HAVING (COUNT(?u) > 0)
"""
)

_AMOUNTS = (
    _PREFIX
    + """
SELECT ?p (MAX(?x) AS ?amount)
WHERE { ?p kg:investmentAmount ?x }
GROUP BY ?p
HAVING (COUNT(?x) > 0)
"""
)

_ARTICLE_DATES = (
    _PREFIX
    + """
SELECT ?a ?document ?date
WHERE { ?a kg:document ?document OPTIONAL { ?a kg:datePublished ?date } }
"""
)

_AUTHORED = (
    _PREFIX
    + """
SELECT DISTINCT ?a WHERE { ?p kg:authorOf ?a }
"""
)

_CONFIDENCES = (
    _PREFIX
    + """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?a (IF(isIRI(?s), ?s, "") AS ?subject) (IF(isIRI(?o), ?o, "") AS ?object)
       ?confidence
WHERE {
  ?a rdf:subject ?s ; rdf:object ?o .
  { SELECT ?a ?confidence WHERE { ?a kg:confidence ?confidence } }  # by hash: 40% less
}
"""
)

# Every link, with the names it is shown by: 2,819 rows at a million triples (0.3 s);
# sorting them by name in the saved query took 0.4 s of every run.
_ACADEMIC_LINKS = (
    _PREFIX
    + """
SELECT DISTINCT ?x ?class ?c ?link ?p ?academic ?company ?project
WHERE {
  VALUES ?class { kg:University kg:ResearchInstitute }
  ?x a ?class .
  {
    VALUES (?rel ?link) { (kg:collaboratesWith "collaboratesWith") (kg:partOf "partOf") }
    { ?x ?rel ?c } UNION { ?c ?rel ?x }
  } UNION {
    ?x kg:participatesIn ?p .
    ?c kg:participatesIn ?p .
    ?p kg:name ?project .
    BIND("same project" AS ?link)
  }
  ?c a kg:Company ; kg:name ?company .
  ?x kg:name ?academic .
}
"""
)

# Every affiliation of a person with an organization (or region), with the names it
# is shown by, and every post stated for one: the rows people-affiliations shows,
# before they are ordered (0.5 s and 0.2 s at a million triples; finding each shown
# pair's posts took most of that query's 20-40 ms).
_AFFILIATIONS = (
    _PREFIX
    + """
SELECT DISTINCT ?p ?o ?class ?person ?organization
WHERE {
  ?p kg:affiliatedWith ?o ; a kg:Person ; kg:name ?person .
  ?o a ?class ; kg:name ?organization .
  FILTER(?class IN (kg:Company, kg:University, kg:ResearchInstitute,
                    kg:GovernmentAgency, kg:Organization, kg:Region))
}
"""
)

# Every role stated for a relation: posts (kg:affiliatedWith) and the parts taken in
# projects (kg:participatesIn).
_ROLES = (
    _PREFIX
    + """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT DISTINCT ?s ?rel ?o ?role
WHERE { ?a kg:role ?role ; rdf:predicate ?rel ; rdf:subject ?s ; rdf:object ?o }
"""
)

# Every organization (or region) taking part in a project, with its name: the links
# investors shows for the largest projects (finding each link's role took a quarter
# of that query's time).
_PARTICIPANTS = (
    _PREFIX
    + """
SELECT DISTINCT ?o ?p ?class ?organization
WHERE {
  ?o kg:participatesIn ?p ; a ?class ; kg:name ?organization .
  FILTER(?class IN (kg:Company, kg:University, kg:ResearchInstitute,
                    kg:GovernmentAgency, kg:Organization, kg:Region))
}
"""
)


# Every day named for an assertion: timeline's newest (sorting every dated assertion
# took 25 ms a query at a million triples).
_DATED = (
    _PREFIX
    + """
SELECT ?a ?date WHERE { ?a kg:date ?date }
"""
)

# Every merge with the names it is shown by (the 485 of the XWLB store: reading and
# sorting them all took 100 ms a query).
_MERGES = (
    _PREFIX
    + """
SELECT ?m ?merged ?into
WHERE {
  ?m a kg:Merge ; kg:mergeOf ?short ; kg:mergedInto ?full .
  OPTIONAL { ?short kg:name ?merged }
  OPTIONAL { ?full kg:name ?into }
}
"""
)

# Every collaboration whose partners' regions differ (a partner's region: where it
# is located, or itself if it is a region), with the names it is shown by; regions
# one of which contains the other are left out in Python (kg:partOf+, from
# _PART_OF). Finding and sorting them took 136 ms a query at a million triples.
_ACROSS_REGIONS = (
    _PREFIX
    + """
SELECT DISTINCT ?x ?rx ?y ?ry ?partner ?partnerRegion ?otherPartner ?otherRegion
WHERE {
  ?x kg:collaboratesWith ?y .
  { SELECT ?x ?rx
    WHERE { { ?x kg:locatedIn ?rx } UNION { ?x a kg:Region BIND(?x AS ?rx) } } }
  { SELECT ?y ?ry
    WHERE { { ?y kg:locatedIn ?ry } UNION { ?y a kg:Region BIND(?y AS ?ry) } } }
  FILTER(?rx != ?ry)
  OPTIONAL { ?x kg:name ?partner }
  OPTIONAL { ?y kg:name ?otherPartner }
  OPTIONAL { ?rx kg:name ?partnerRegion }
  OPTIONAL { ?ry kg:name ?otherRegion }
}
"""
)

_PART_OF = (
    _PREFIX
    + """
SELECT DISTINCT ?a ?b WHERE { ?a kg:partOf ?b }
"""
)

# The assertions (of any predicate) between two collaborating partners, in the
# direction of the collaboration: the sentences collaborations-across-regions shows.
_PAIR_ASSERTIONS = (
    _PREFIX
    + """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT DISTINCT ?x ?y ?a ?evidence
WHERE {
  ?x kg:collaboratesWith ?y .
  ?a rdf:subject ?x ; rdf:object ?y ; kg:evidence ?evidence .
}
"""
)


def statistics_triples(select: Select, top_pairs: int = TOP_PAIRS) -> list[Triple]:
    """Count, over a store's default graph, what the statistics graph holds.

    Args:
        select: Answers a SELECT query over the union of the articles' graphs
            as rows of plain values (IRIs as strings, numbers as ``int`` or
            ``Decimal``), e.g. ``lambda q: kg.store.select_values(dataset, q)``.
        top_pairs: How many co-mentioned pairs to keep (the most frequent).

    Returns:
        The triples of the statistics graph (see the module), from
        ``kg.rdf.statistics_triples``.
    """
    from rdflib import URIRef

    from kg import rdf  # rdf mints the IRIs and writes the literals

    counts: list[tuple[URIRef, str, int | Decimal | str | date]] = []
    entities = select(_ENTITIES)
    for e, articles, documents in entities:
        iri = URIRef(e)
        counts += [(iri, "articleCount", articles), (iri, "documentCount", documents)]
    ranked = heapq.nsmallest(TOP_RANKED, ((-n, -d, e) for e, n, d in entities))
    counts += [
        (URIRef(e), "mentionRank", rank) for rank, (_n, _d, e) in enumerate(ranked, 1)
    ]
    located_directly: dict[str, int] = {}
    for r, projects, direct in select(_REGION_PROJECTS):
        iri = URIRef(r)
        counts += [(iri, "projectCount", projects), (iri, "directProjectCount", direct)]
        located_directly[str(r)] = direct
    invested_regions = []
    for r, invested, total in select(_REGION_INVESTMENT):
        iri = URIRef(r)
        counts += [
            (iri, "investedProjectCount", invested),
            (iri, "investmentTotal", Decimal(total)),
        ]
        invested_regions.append((-Decimal(total), -located_directly.get(str(r), 0), r))
    ranked_regions = [r for _t, _n, r in heapq.nsmallest(TOP_RANKED, invested_regions)]
    counts += [
        (URIRef(r), "investmentRank", rank) for rank, r in enumerate(ranked_regions, 1)
    ]
    counts += _project_names(select(_PROJECT_NAMES), {str(r) for r in ranked_regions})
    people = {str(o): n for o, n in select(_PEOPLE)}
    counts += [(URIRef(o), "personCount", n) for o, n in people.items()]
    units_of = select(_UNITS)
    counts += [(URIRef(b), "unitCount", units) for b, units in units_of]
    counts += [(URIRef(b), "unitsBefore", n) for b, n in _units_before(units_of)]
    largest = heapq.nsmallest(
        TOP_RANKED, ((-Decimal(x), p) for p, x in select(_AMOUNTS))
    )
    counts += [
        (URIRef(p), "amountRank", rank) for rank, (_x, p) in enumerate(largest, 1)
    ]
    article_dates = select(_ARTICLE_DATES)
    counts += _document_ranks(article_dates)
    counts += _byline_ranks(article_dates, {str(a) for (a,) in select(_AUTHORED)})
    confidences = select(_CONFIDENCES)
    doubtful = heapq.nsmallest(
        TOP_DOUBTFUL, {(float(c), a) for a, _s, _o, c in confidences}
    )
    counts += [
        (URIRef(a), "confidenceRank", rank) for rank, (_c, a) in enumerate(doubtful, 1)
    ]
    pairs = _top_pairs(select(_ARTICLE_ENTITIES), top_pairs)
    kg_ = str(KG)
    classes = [(c.removeprefix(kg_), n) for c, n in select(_CLASSES)]
    properties = [(p.removeprefix(kg_), n) for p, n in select(_PROPERTIES)]
    links = _academic_links(select(_ACADEMIC_LINKS))
    ends = _assertion_ends(confidences)
    counts += [(URIRef(e), "assertionCount", len(found)) for e, found in ends.items()]
    evidence = [
        (URIRef(e), URIRef(a))
        for e in _kept_evidence(ends, select(_NAMES))
        for _c, a in heapq.nsmallest(TOP_EVIDENCE, ends[e])
    ]
    kept = {str(a) for _e, a in evidence}
    newest = _newest_dated(select(_DATED))
    counts += [(URIRef(a), "dateRank", rank) for rank, a in enumerate(newest, 1)]
    shown = _shown(select, sorted(kept | {a for _c, a in doubtful} | set(newest)))
    counts += dict.fromkeys(
        (URIRef(a), prop, value)
        for a, rows in shown.items()
        for row in sorted(rows)
        for prop, value in zip(_LABELLED, row[:5], strict=True)
    )
    # evidence-of's order: the most confident first, then by document, title,
    # predicate, subject, object, evidence (an assertion shown twice: its first row)
    confidence = {str(a): float(c) for a, _s, _o, c in confidences}
    order = sorted(
        (
            -confidence[a],
            *min((r[3], r[4], r[1], r[0], r[2], r[5]) for r in shown[a]),
            a,
        )
        for a in kept
        if a in shown
    )
    counts += [(URIRef(a), "evidenceOrder", k) for k, (*_, a) in enumerate(order, 1)]
    counts += [(URIRef(e), "relationCount", n) for e, n in select(_RELATIONS)]
    merge_keys: dict[str, tuple[str, str]] = {}
    for m, merged, into in select(_MERGES):  # a merge of two names: by the first
        key = ("" if into is None else str(into), "" if merged is None else str(merged))
        merge_keys[str(m)] = min(merge_keys.get(str(m), key), key)
    merges = heapq.nsmallest(TOP_RANKED, ((*k, m) for m, k in merge_keys.items()))
    counts += [(URIRef(m), "mergeRank", rank) for rank, (*_, m) in enumerate(merges, 1)]
    article_counts = {str(e): n for e, n, _d in entities}
    across = _across_regions(select(_ACROSS_REGIONS), select(_PART_OF), article_counts)
    stating: dict[tuple[str, str], dict[str, set[str]]] = {}
    for x, y, a, sentence in select(_PAIR_ASSERTIONS):
        found = stating.setdefault((str(x), str(y)), {})
        found.setdefault(str(a), set()).add(str(sentence))
    collaborations = [
        (row, stating.get((str(row[0]), str(row[2])), {})) for row in across
    ]
    roles = _roles_by_pair(select(_ROLES))
    affiliations = _affiliations(
        select(_AFFILIATIONS), roles.get(str(KG.affiliatedWith), {}), people
    )
    participations = _participations(
        select(_PARTICIPANTS),
        roles.get(str(KG.participatesIn), {}),
        {str(p): rank for rank, (_x, p) in enumerate(largest, 1)},
    )
    return rdf.statistics_triples(
        counts,
        pairs,
        classes,
        properties,
        links,
        evidence,
        affiliations,
        participations,
        collaborations,
    )


def _units_before(rows: list[tuple[Any, ...]]) -> list[tuple[str, int]]:
    """How many units the bodies ranked before each have, while under ``TOP_RANKED``.

    ``rows``: (body, its units); ranked by units (the most first), then by IRI.
    organization-units reads the bodies before which fewer than 100 come: those
    whose units fill its 100 rows.
    """
    out: list[tuple[str, int]] = []
    before = 0
    for minus, body in sorted((-int(n), str(b)) for b, n in rows):
        if before >= TOP_RANKED:
            break
        out.append((body, before))
        before -= minus
    return out


def _newest_dated(rows: list[tuple[Any, ...]]) -> list[str]:
    """The ``TOP_RANKED`` assertions that name the latest days, newest first.

    ``rows``: (assertion, day as YYYY-MM-DD); an assertion of several days counts
    by its latest; ties by IRI.
    """
    latest: dict[str, str] = {}
    for a, day in rows:
        a, day = str(a), str(day)
        if day > latest.get(a, ""):
            latest[a] = day
    by_iri = sorted(latest)
    # a stable sort keeps the IRIs' order among assertions of one day
    return sorted(by_iri, key=latest.__getitem__, reverse=True)[:TOP_RANKED]


def _across_regions(
    rows: list[tuple[Any, ...]],
    part_of: list[tuple[Any, ...]],
    article_counts: dict[str, int],
) -> list[tuple[URIRef | str, ...]]:
    """The first ``TOP_RANKED`` collaborations across regions, as shown.

    Each as (partner, its region, other partner, its region), then their four
    names (``""`` if none).

    ``rows``: (partner, its region, other partner, its region, and the four
    names or ``None``), regions different; ``part_of``: every (part, whole).
    Regions one of which is part of the other (``kg:partOf``, transitively) are
    not across. Each (partner, region, other, region) is shown once, ordered by the
    partners' ``kg:articleCount`` (``article_counts``; the most first, none last),
    then the partner's, the other's and the two regions' names, then the IRIs.
    """
    from rdflib import URIRef

    wholes: dict[str, set[str]] = {}
    for part, whole in part_of:
        wholes.setdefault(str(part), set()).add(str(whole))
    above: dict[str, set[str]] = {}

    def containing(region: str) -> set[str]:  # everything region is part of
        if region not in above:
            seen: set[str] = set()
            todo = list(wholes.get(region, ()))
            while todo:
                whole = todo.pop()
                if whole not in seen:
                    seen.add(whole)
                    todo += wholes.get(whole, ())
            above[region] = seen
        return above[region]

    def most_first(entity: str) -> float:
        count = article_counts.get(entity)
        return math.inf if count is None else -count

    shown: dict[tuple[str, ...], tuple[Any, ...]] = {}
    for x, rx, y, ry, *named in rows:
        x, rx, y, ry = str(x), str(rx), str(y), str(ry)
        if ry in containing(rx) or rx in containing(ry):
            continue
        iris = (x, rx, y, ry)
        partner, partner_region, other, other_region = (
            "" if n is None else str(n) for n in named
        )
        names = (partner, partner_region, other, other_region)
        key = (
            most_first(x),
            most_first(y),
            partner,
            other,
            partner_region,
            other_region,
        )
        if iris not in shown or (key, names) < shown[iris]:
            shown[iris] = (key, names)
    ranked = heapq.nsmallest(
        TOP_RANKED, ((key, iris, names) for iris, (key, names) in shown.items())
    )
    return [(*(URIRef(i) for i in iris), *names) for _key, iris, names in ranked]


def _shown(
    select: Select, assertions: list[str], chunk: int = 2000
) -> dict[str, set[tuple[str, ...]]]:
    """How some assertions are shown, each by its rows.

    A row is (subject, predicate, object, document, title, evidence), a missing
    value as ``""``; ``assertions`` are IRIs, asked for ``chunk`` at a time (as
    VALUES).
    """
    out: dict[str, set[tuple[str, ...]]] = {}
    for start in range(0, len(assertions), chunk):
        values = " ".join(f"<{a}>" for a in assertions[start : start + chunk])
        for a, *row in select(_LABELS % values):
            shown = tuple("" if v is None else str(v) for v in row)
            out.setdefault(str(a), set()).add(shown)
    return out


def _kept_evidence(
    ends: dict[str, set[tuple[float, str]]], names: list[tuple[Any, ...]]
) -> list[str]:
    """The entities whose most confident assertions are kept (``kg:topEvidence``).

    Those that are an end of more than ``KEEP_EVIDENCE_ABOVE`` assertions, and every
    entity that shares a name or an alias with one of them, or with an entity so
    found: a name then finds either only entities whose evidence is kept, whose
    assertions ``kg:evidenceOrder`` sorts together, or none.
    """
    by_name: dict[str, set[str]] = {}
    names_of: dict[str, set[str]] = {}
    for e, name in names:
        by_name.setdefault(str(name), set()).add(str(e))
        names_of.setdefault(str(e), set()).add(str(name))
    kept = {e for e, found in ends.items() if len(found) > KEEP_EVIDENCE_ABOVE}
    todo, done = list(kept), set()
    while todo:
        for name in names_of.get(todo.pop(), set()) - done:
            done.add(name)
            found = by_name[name] - kept
            kept |= found
            todo += found
    return sorted(e for e in kept if e in ends)


def _assertion_ends(
    assertions: list[tuple[Any, ...]],
) -> dict[str, set[tuple[float, str]]]:
    """Each end of an assertion, with (minus confidence, IRI) of its assertions.

    ``assertions``: rows (assertion, subject, object, confidence), an end that
    is no IRI as ``""``; an IRI that is no entity is an end too, and harmless
    (nothing names it).
    """
    ends: dict[str, set[tuple[float, str]]] = {}
    for a, s, o, c in assertions:
        for end in {str(s), str(o)} - {""}:
            ends.setdefault(end, set()).add((-float(c), str(a)))
    return ends


def _academic_links(
    rows: list[tuple[Any, ...]],
) -> list[tuple[URIRef, URIRef, URIRef, str, URIRef | None]]:
    """The first ``TOP_RANKED`` academia-industry links, as the saved query shows them.

    ``rows``: (academic, its class, company, kind of link, project or ``None``,
    and the three names). One row is shown per (kind, academic's name, company's
    name, project's name, academic's type), ordered by these (no project first);
    entities sharing a name are represented by the smallest IRIs.
    """
    from rdflib import URIRef

    kg_ = str(KG)
    shown: dict[tuple[str, ...], tuple[str, ...]] = {}
    for x, cls, c, link, p, academic, company, project in rows:
        key = (
            str(link),
            str(academic),
            str(company),
            "" if project is None else str(project),
            str(cls).removeprefix(kg_),
        )
        iris = (str(x), str(cls), str(c), "" if p is None else str(p))
        if key not in shown or iris < shown[key]:
            shown[key] = iris
    return [
        (URIRef(x), URIRef(cls), URIRef(c), key[0], URIRef(p) if p else None)
        for key, (x, cls, c, p) in heapq.nsmallest(TOP_RANKED, shown.items())
    ]


_RolesByPair = dict[tuple[str, str], set[str]]
"""The roles stated for each (subject, object) of one predicate."""


def _roles_by_pair(rows: list[tuple[Any, ...]]) -> dict[str, _RolesByPair]:
    """``rows`` (subject, predicate, object, role) by predicate, then pair."""
    out: dict[str, _RolesByPair] = {}
    for s, rel, o, role in rows:
        out.setdefault(str(rel), {}).setdefault((str(s), str(o)), set()).add(str(role))
    return out


def _participations(
    rows: list[tuple[Any, ...]],
    stated: _RolesByPair,
    ranks: dict[str, int],
) -> list[tuple[URIRef, URIRef, URIRef, str | None]]:
    """The first ``TOP_RANKED`` links investors shows, in order.

    Each as (organization, project, the organization's class, role or None).
    ``rows``: (organization, project, class, the organization's name); ``stated``:
    the roles of each (organization, project); ``ranks``: the ``kg:amountRank``
    of the ranked projects (the links of other projects are not shown). One row is
    shown per (project, organization's name, role, type), ordered by these (no role
    first); organizations sharing a name are represented by the smallest IRIs.
    """
    from rdflib import URIRef

    kg_ = str(KG)
    shown: dict[tuple[int | str, ...], tuple[str, str, str]] = {}
    for o, p, cls, organization in rows:
        rank = ranks.get(str(p))
        if rank is None:
            continue
        for role in stated.get((str(o), str(p))) or {""}:
            key = (rank, str(organization), role, str(cls).removeprefix(kg_))
            iris = (str(o), str(p), str(cls))
            if key not in shown or iris < shown[key]:
                shown[key] = iris
    return [
        (URIRef(o), URIRef(p), URIRef(cls), key[2] or None)
        for key, (o, p, cls) in heapq.nsmallest(TOP_RANKED, shown.items())
    ]


def _project_names(
    rows: list[tuple[Any, ...]], regions: set[str]
) -> list[tuple[URIRef, str, str]]:
    """``kg:projectNames`` of ``regions``: their projects' names in order, joined.

    ``rows``: (region, project, name), a row per name of each project located in a
    region; a name two projects share is listed twice.
    """
    from rdflib import URIRef

    names: dict[str, list[str]] = {}
    for r, _project, name in rows:
        if str(r) in regions:
            names.setdefault(str(r), []).append(str(name))
    return [
        (URIRef(r), "projectNames", "；".join(sorted(found)))
        for r, found in names.items()
    ]


def _affiliations(
    rows: list[tuple[Any, ...]],
    stated: _RolesByPair,
    people: dict[str, int],
) -> list[tuple[URIRef, URIRef, URIRef, str]]:
    """The first ``TOP_RANKED`` rows of people-affiliations.

    Each as (person, organization, the organization's class, its posts joined by
    "、" or ""). ``rows``: (person, organization, class, the two names);
    ``stated``: the posts of each (person, organization); ``people``: each
    organization's ``kg:personCount``. One row is shown per (count,
    organization's name, person's name, type), ordered by these
    (the largest count first), with every post of the pairs it stands for, in
    order; entities sharing a name are represented by the smallest IRIs.
    """
    from rdflib import URIRef

    kg_ = str(KG)
    shown: dict[tuple[int | str, ...], tuple[tuple[str, str, str], set[str]]] = {}
    for p, o, cls, person, organization in rows:
        iris = (str(p), str(o), str(cls))
        key = (-people.get(iris[1], 0), str(organization), str(person))
        key += (iris[2].removeprefix(kg_),)
        found = stated.get(iris[:2], set())
        if key not in shown:
            shown[key] = (iris, set(found))
        else:
            kept, union = shown[key]
            shown[key] = (min(kept, iris), union | found)
    return [
        (URIRef(p), URIRef(o), URIRef(cls), "、".join(sorted(union)))
        for _key, ((p, o, cls), union) in heapq.nsmallest(
            TOP_RANKED, shown.items(), key=lambda item: item[0]
        )
    ]


def _document_ranks(
    articles: list[tuple[Any, ...]],
) -> list[tuple[URIRef, str, int | date]]:
    """``kg:documentRank`` of the ``TOP_RANKED`` documents with the newest articles.

    ``articles``: rows (article, document, date or ``None``); dates are ISO
    strings, so they sort as dates. Each document is represented by its newest
    article (then the smallest IRI), which also gets the document's
    ``kg:documentArticleCount`` and, if an article is dated,
    ``kg:documentFirstDate`` and ``kg:documentLastDate``.
    """
    from rdflib import URIRef

    newest: dict[str, tuple[str, str]] = {}
    members: dict[str, set[str]] = {}
    days: dict[str, set[str]] = {}
    for article, document, day in sorted(articles, key=lambda row: str(row[0])):
        doc, iso = str(document), "" if day is None else str(day)
        if doc not in newest or iso > newest[doc][0]:
            newest[doc] = (iso, str(article))
        members.setdefault(doc, set()).add(str(article))
        if iso:
            days.setdefault(doc, set()).add(iso)
    ranked = _newest_first({doc: day for doc, (day, _article) in newest.items()})
    out: list[tuple[URIRef, str, int | date]] = []
    for rank, doc in enumerate(ranked[:TOP_RANKED], 1):
        holder = URIRef(newest[doc][1])
        out += [
            (holder, "documentRank", rank),
            (holder, "documentArticleCount", len(members[doc])),
        ]
        if doc in days:
            out += [
                (holder, "documentFirstDate", date.fromisoformat(min(days[doc]))),
                (holder, "documentLastDate", date.fromisoformat(max(days[doc]))),
            ]
    return out


def _newest_first(days: dict[str, str]) -> list[str]:
    """Order the keys of ``days`` newest first, undated last, ties by key.

    ``days``: key to ISO date, ``""`` for undated (ISO dates sort as dates).
    """
    ranked = sorted(days)  # by key, then (stable) newest first
    ranked.sort(key=lambda key: days[key], reverse=True)
    return ranked


def _byline_ranks(
    articles: list[tuple[Any, ...]], authored: set[str]
) -> list[tuple[URIRef, str, int]]:
    """``kg:bylineRank`` of the ``TOP_RANKED`` newest articles that have an author.

    ``articles``: rows (article, document, date or ``None``), ISO dates; undated
    last, ties by IRI.
    """
    from rdflib import URIRef

    dated = {
        str(a): "" if date is None else str(date)
        for a, _doc, date in articles
        if str(a) in authored
    }
    ranked = _newest_first(dated)
    return [
        (URIRef(a), "bylineRank", rank) for rank, a in enumerate(ranked[:TOP_RANKED], 1)
    ]


def _top_pairs(
    articles: list[tuple[Any, ...]], top: int
) -> list[tuple[URIRef, URIRef, int]]:
    """Return the ``top`` pairs of entities named in the most articles (more than 1).

    ``articles``: rows (article, its entities' IRIs joined by spaces); the
    pairs come most frequent first, ties by IRI.
    """
    from rdflib import URIRef

    pairs: Counter[tuple[str, str]] = Counter()
    for _article, entities in articles:
        pairs.update(itertools.combinations(sorted(set(str(entities).split())), 2))
    best = heapq.nsmallest(
        top,
        ((-n, a, b) for (a, b), n in pairs.items() if n > 1),
    )
    return [(URIRef(a), URIRef(b), -n) for n, a, b in best]
