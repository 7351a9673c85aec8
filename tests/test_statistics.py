"""Tests for kg.statistics and the store keeping it: counts that follow every write."""

from __future__ import annotations

import datetime
import itertools
from collections import Counter
from decimal import Decimal
from pathlib import Path

import networkx as nx
import pytest
from rdflib import RDF, Dataset, Literal, Namespace, URIRef
from typer.testing import CliRunner

from kg.namespace import KG, kg_term
from kg.rdf import STATISTICS_GRAPH, document_quads, entity_iri
from kg.records import ENTITY_TYPES, PREDICATES
from kg.sparql import run_query, run_saved, run_update, saved_queries
from kg.statistics import _top_pairs, statistics_triples
from kg.store import (
    STORE_PLUGINS,
    open_dataset,
    opened_dataset,
    refresh_derived,
    remove_document,
    replace_document,
    select_values,
    statistics_current,
)
from tests.test_sparql import load, make_documents, rows, synthetic_document

pytest.importorskip("oxrdflib")

COUNTED = (
    KG.articleCount,
    KG.documentCount,
    KG.mentionRank,
    KG.projectCount,
    KG.directProjectCount,
    KG.investedProjectCount,
    KG.investmentTotal,
    KG.personCount,
    KG.unitCount,
    KG.confidenceRank,
    KG.amountRank,
    KG.documentRank,
    KG.documentArticleCount,
    KG.documentFirstDate,
    KG.documentLastDate,
    KG.assertionCount,
    KG.investmentRank,
    KG.bylineRank,
    KG.projectNames,
    KG.relationCount,
    KG.evidenceOrder,
    KG.subjectLabel,
    KG.predicateLabel,
    KG.objectLabel,
    KG.sourceDocument,
    KG.sourceTitle,
)

RELATIONS = frozenset(kg_term(p) for p in PREDICATES)


def stored_counts(ds: Dataset) -> dict[tuple[URIRef, URIRef], object]:
    """The entities' counts in the statistics graph, as Python values."""
    graph = ds.graph(STATISTICS_GRAPH)
    return {
        (s, p): o.toPython()  # type: ignore[union-attr]
        for s, p, o in graph
        if p in COUNTED and (s, RDF.type, KG.CoMention) not in graph
    }


def counted_in_python(ds: Dataset) -> dict[tuple[URIRef, URIRef], object]:
    """The same counts, from the articles' graphs, by another road than SPARQL."""
    articles: dict[URIRef, set[URIRef]] = {}
    document: dict[URIRef, object] = {}
    types: dict[URIRef, URIRef] = {}
    located: list[tuple[URIRef, URIRef]] = []
    amounts: dict[URIRef, Decimal] = {}
    people: dict[URIRef, set[URIRef]] = {}
    units: dict[URIRef, set[URIRef]] = {}
    confidence: dict[URIRef, float] = {}
    dated: dict[URIRef, str] = {}
    assertions: set[URIRef] = set()
    ends: dict[URIRef, set[URIRef]] = {}
    authored: set[URIRef] = set()
    names: dict[URIRef, list[str]] = {}
    titles: dict[URIRef, str] = {}
    predicate: dict[URIRef, URIRef] = {}
    stated_in: dict[URIRef, URIRef] = {}
    ends_of: dict[URIRef, dict[URIRef, URIRef]] = {}
    naming: dict[URIRef, set[str]] = {}
    evidence: dict[URIRef, str] = {}
    relations: set[tuple[URIRef, URIRef, URIRef]] = set()
    part_of = nx.DiGraph()
    for g in ds.graphs():
        if g.identifier == STATISTICS_GRAPH:
            continue
        for s, p, o in g:
            if p == KG.mentionedIn:
                articles.setdefault(s, set()).add(o)
            elif p == KG.document:
                document[s] = o
            elif p == KG.datePublished:
                dated[s] = str(o)
            elif p == RDF.type:
                types[s] = o
            elif p == KG.locatedIn:
                located.append((s, o))
            elif p == KG.partOf:
                part_of.add_edge(s, o)
                units.setdefault(o, set()).add(s)
            elif p == KG.investmentAmount:
                amounts[s] = max(amounts.get(s, o.toPython()), o.toPython())
            elif p == KG.affiliatedWith:
                people.setdefault(o, set()).add(s)
            elif p == KG.confidence:
                confidence[s] = float(o.toPython())
            elif p == KG.authorOf:
                authored.add(o)
            elif p == KG.name:
                names.setdefault(s, []).append(str(o))
                naming.setdefault(s, set()).add(str(o))
            elif p == KG.alias:
                naming.setdefault(s, set()).add(str(o))
            elif p == KG.evidence:
                evidence[s] = str(o)
            elif p == RDF.subject:
                assertions.add(s)
                ends.setdefault(o, set()).add(s)
                ends_of.setdefault(s, {})[p] = o
            elif p == RDF.object:
                ends.setdefault(o, set()).add(s)
                ends_of.setdefault(s, {})[p] = o
            elif p == RDF.predicate:
                predicate[s] = o
            elif p == KG.article:
                stated_in[s] = o
            elif p == KG.title:
                titles[s] = str(o)
            if p in RELATIONS:
                relations.add((s, p, o))
    out: dict[tuple[URIRef, URIRef], object] = {}
    for e, arts in articles.items():
        out[e, KG.articleCount] = len(arts)
        out[e, KG.documentCount] = len({document[a] for a in arts})
    ranked = sorted(
        articles, key=lambda e: (-out[e, KG.articleCount], -out[e, KG.documentCount], e)
    )
    for rank, e in enumerate(ranked[:1000], 1):
        out[e, KG.mentionRank] = rank
    reach: dict[URIRef, set[URIRef]] = {}
    direct: dict[URIRef, set[URIRef]] = {}
    for project, place in set(located):
        if types.get(project) != KG.Project or types.get(place) != KG.Region:
            continue
        direct.setdefault(place, set()).add(project)
        up = {place} | (nx.descendants(part_of, place) if place in part_of else set())
        for region in up:
            if types.get(region) == KG.Region:
                reach.setdefault(region, set()).add(project)
    for region, projects in reach.items():
        out[region, KG.projectCount] = len(projects)
        out[region, KG.directProjectCount] = len(direct.get(region, ()))
    for region, projects in direct.items():
        invested = [amounts[p] for p in projects if p in amounts]
        out[region, KG.investedProjectCount] = len(invested)
        out[region, KG.investmentTotal] = sum(invested, Decimal(0))
    by_total = sorted(
        direct,
        key=lambda r: (-out[r, KG.investmentTotal], -len(direct[r]), str(r)),
    )
    for rank, region in enumerate(by_total[:1000], 1):
        out[region, KG.investmentRank] = rank
        shown = sorted(n for p in direct[region] for n in set(names.get(p, ())))
        if shown:
            out[region, KG.projectNames] = "；".join(shown)
    for org, persons in people.items():
        persons = {p for p in persons if types.get(p) == KG.Person}
        if persons:
            out[org, KG.personCount] = len(persons)
    organizations = {
        KG.Company,
        KG.University,
        KG.ResearchInstitute,
        KG.GovernmentAgency,
        KG.Organization,
    }
    for body, parts in units.items():
        parts = {u for u in parts if types.get(u) in organizations}
        if parts:
            out[body, KG.unitCount] = len(parts)
    largest = sorted(amounts, key=lambda p: (-amounts[p], str(p)))
    for rank, p in enumerate(largest[:1000], 1):
        out[p, KG.amountRank] = rank
    # each document's place by its newest article, undated last, then by name
    newest: dict[object, URIRef] = {}
    for a in sorted(document, key=str):
        best = newest.get(document[a])
        if best is None or dated.get(a, "") > dated.get(best, ""):
            newest[document[a]] = a
    by_date = sorted(
        newest.items(),
        key=lambda kv: (
            kv[1] not in dated,  # undated last
            [-ord(c) for c in dated.get(kv[1], "")],  # ISO dates: newest first
            str(kv[0]),
        ),
    )
    for rank, (doc, a) in enumerate(by_date[:1000], 1):
        out[a, KG.documentRank] = rank
        members = [b for b in document if document[b] == doc]
        out[a, KG.documentArticleCount] = len(members)
        days = sorted(dated[b] for b in members if b in dated)
        if days:
            out[a, KG.documentFirstDate] = datetime.date.fromisoformat(days[0])
            out[a, KG.documentLastDate] = datetime.date.fromisoformat(days[-1])
    bylines = sorted(
        authored,
        key=lambda a: (
            a not in dated,  # undated last
            [-ord(c) for c in dated.get(a, "")],  # ISO dates: newest first
            str(a),
        ),
    )
    for rank, a in enumerate(bylines[:1000], 1):
        out[a, KG.bylineRank] = rank
    for end, of in ends.items():
        out[end, KG.assertionCount] = len(of)
    doubtful = sorted((confidence[a], str(a), a) for a in assertions)
    for rank, (_c, _iri, a) in enumerate(doubtful[:1000], 1):
        out[a, KG.confidenceRank] = rank
    for s, _p, o in relations:
        for end in {s, o}:
            if isinstance(end, URIRef):
                out[end, KG.relationCount] = out.get((end, KG.relationCount), 0) + 1
    # kept evidence: of the entities named by more than 40, and of those sharing
    # a name or an alias with one (networkx finds the groups)
    sharing = nx.Graph()
    for e, labels in naming.items():
        sharing.add_edges_from((e, ("name", n)) for n in labels)
    heavy = {e for e, of in ends.items() if len(of) > 40}
    kept_entities = set(heavy)
    for e in heavy & set(sharing):
        kept_entities |= nx.node_connected_component(sharing, e)
    kept: set[URIRef] = set()
    for e in kept_entities:
        of = ends.get(e, set())
        kept |= set(sorted(of, key=lambda a: (-confidence[a], str(a)))[:100])
    shown = {}
    for a in kept | {a for _c, _iri, a in doubtful[:1000]}:
        s, o = ends_of[a][RDF.subject], ends_of[a][RDF.object]
        article = stated_in[a]
        shown[a] = (
            str(document[article]),
            titles[article],
            str(predicate[a]).partition("#")[2],
            (names.get(s) or [str(s)])[0],
            (names.get(o) or [titles.get(o, str(o))])[0],
        )
        out[a, KG.sourceDocument], out[a, KG.sourceTitle] = shown[a][:2]
        out[a, KG.predicateLabel] = shown[a][2]
        out[a, KG.subjectLabel], out[a, KG.objectLabel] = shown[a][3:]
    order = sorted(kept, key=lambda a: (-confidence[a], *shown[a], evidence[a], str(a)))
    for k, a in enumerate(order, 1):
        out[a, KG.evidenceOrder] = k
    return out


def stored_pairs(ds: Dataset) -> list[tuple[int, frozenset[URIRef], int]]:
    graph = ds.graph(STATISTICS_GRAPH)
    out = []
    for pair in graph.subjects(RDF.type, KG.CoMention):
        members = frozenset(graph.objects(pair, KG.coMentionOf))
        count = graph.value(pair, KG.articleCount).toPython()  # type: ignore[union-attr]
        rank = graph.value(pair, KG.pairRank).toPython()  # type: ignore[union-attr]
        out.append((rank, members, count))
    return sorted(out, key=lambda r: r[0])


@pytest.mark.parametrize("store", sorted(STORE_PLUGINS))
@pytest.mark.parametrize("docs", ["news", "synthetic"])
def test_counts_equal_those_counted_from_the_articles(store: str, docs: str) -> None:
    ds = load(store, make_documents() if docs == "news" else (synthetic_document(),))
    expected = counted_in_python(ds)
    assert expected, "the fixture has something to count"
    assert stored_counts(ds) == expected
    ds.close()


def test_the_news_fixture_counts_what_a_reader_counts() -> None:
    ds = load("oxigraph", make_documents())
    counts = stored_counts(ds)
    company = entity_iri("Company", "青峰新材料有限公司")
    assert counts[company, KG.articleCount] == 3
    assert counts[company, KG.documentCount] == 2
    city = entity_iri("Region", "临江市")  # its district holds a project
    assert counts[city, KG.projectCount] == 1
    assert counts[city, KG.directProjectCount] == 0
    assert (city, KG.investmentTotal) not in counts
    ds.close()


@pytest.mark.parametrize("store", sorted(STORE_PLUGINS))
def test_pairs_are_the_most_frequent_with_their_rank(store: str) -> None:
    ds = load(store, (synthetic_document(),))
    by_article: dict[URIRef, set[URIRef]] = {}
    for s, _p, o, _g in ds.quads((None, KG.mentionedIn, None, None)):
        by_article.setdefault(o, set()).add(s)  # type: ignore[arg-type]
    counts = Counter(
        frozenset(pair)
        for entities in by_article.values()
        for pair in itertools.combinations(sorted(entities), 2)
    )
    pairs = stored_pairs(ds)
    assert pairs, "the synthetic document names pairs together"
    assert [r for r, _m, _n in pairs] == list(range(1, len(pairs) + 1))
    for _rank, members, n in pairs:
        assert n == counts[members] > 1
    ns = [n for _r, _m, n in pairs]
    assert ns == sorted(ns, reverse=True)
    assert len(pairs) == min(1000, sum(1 for n in counts.values() if n > 1))
    ds.close()


def test_top_pairs_cut_and_break_ties_by_iri() -> None:
    a, b, c, d = (URIRef(f"urn:x:{x}") for x in "abcd")
    articles = [
        (URIRef("urn:a:1"), f"{a} {b} {c} {d}"),
        (URIRef("urn:a:2"), f"{d} {c} {b} {a} {a}"),  # order and repeats do not count
        (URIRef("urn:a:3"), f"{a} {b}"),
        (URIRef("urn:a:4"), f"{c}"),
    ]
    assert _top_pairs(articles, 2) == [(a, b, 3), (a, c, 2)]  # type: ignore[arg-type]
    assert len(_top_pairs(articles, 100)) == 6  # type: ignore[arg-type]
    once = [(URIRef("urn:a:1"), f"{a} {b}")]
    assert _top_pairs(once, 100) == []  # type: ignore[arg-type]


@pytest.mark.parametrize("store", sorted(STORE_PLUGINS))
def test_counts_follow_a_removed_document(store: str) -> None:
    ds = load(store, make_documents())
    _doc1, doc2 = make_documents()
    company = entity_iri("Company", "青峰新材料有限公司")
    writer = entity_iri("Person", "苏晴")
    assert stored_counts(ds)[company, KG.articleCount] == 3
    remove_document(ds, doc2.source)
    refresh_derived(ds)
    counts = stored_counts(ds)
    assert counts[company, KG.articleCount] == 2
    assert counts[company, KG.documentCount] == 1
    assert counts[writer, KG.articleCount] == 1  # one byline left
    assert counts == counted_in_python(ds)
    # re-ingested: back as before, one statistics graph (not two sets of counts)
    replace_document(ds, document_quads(doc2), doc2.source)
    refresh_derived(ds)
    assert stored_counts(ds)[company, KG.articleCount] == 3
    assert len(list(ds.triples((company, KG.articleCount, None)))) == 1
    ds.close()


@pytest.mark.parametrize("store", sorted(STORE_PLUGINS))
def test_counts_follow_a_hand_written_update(store: str) -> None:
    ds = load(store, make_documents())
    doc1, _doc2 = make_documents()
    company = entity_iri("Company", "青峰新材料有限公司")
    article = next(
        g.identifier
        for g in ds.graphs()
        if (g.identifier, KG.document, Literal(doc1.source)) in g
        and (company, KG.mentionedIn, g.identifier) in g
    )
    run_update(ds, f"DROP GRAPH <{article}>")
    assert stored_counts(ds)[company, KG.articleCount] == 2
    found = {r["name"]: r for r in rows(run_saved(ds, "most-mentioned"))}
    assert found["青峰新材料有限公司"]["articles"] == "2"
    assert stored_counts(ds) == counted_in_python(ds)
    ds.close()


def test_statistics_are_in_the_union_and_nowhere_else(tmp_path: Path) -> None:
    path = tmp_path / "store"
    with opened_dataset("oxigraph", path) as ds:
        for doc in make_documents():
            replace_document(ds, document_quads(doc), doc.source)
        assert not statistics_current(ds)
        refresh_derived(ds)
        assert statistics_current(ds)
        company = entity_iri("Company", "青峰新材料有限公司")
        in_union = list(ds.default_context.triples((company, KG.articleCount, None)))
        assert [o.toPython() for _s, _p, o in in_union] == [3]
        graphs = {g for _s, _p, _o, g in ds.quads((company, KG.articleCount, None))}
        assert graphs == {STATISTICS_GRAPH} or graphs <= {
            STATISTICS_GRAPH,
            ds.default_context.identifier,
        }


def test_an_empty_store_has_nothing_to_count() -> None:
    ds = open_dataset("memory")
    assert statistics_current(ds)
    assert statistics_triples(lambda q: select_values(ds, q)) == []
    ds.close()


def test_build_adds_statistics_to_a_store_that_lacks_them(tmp_path: Path) -> None:
    from kg.cli import app

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "星河科技落户云岭市\n星河科技股份有限公司投资5亿元的储能项目在云岭市开工。",
        encoding="utf-8",
    )
    store = tmp_path / "store"
    runner = CliRunner()
    args = ["build", str(corpus), "--store", str(store), "--workers", "1"]
    assert runner.invoke(app, args).exit_code == 0
    with opened_dataset("oxigraph", store) as ds:
        assert statistics_current(ds)
        ds.remove_graph(STATISTICS_GRAPH)  # as a store from before the counts
        assert not statistics_current(ds)
    result = runner.invoke(app, args)  # nothing changed: only the counts are added
    assert result.exit_code == 0, result.output
    with opened_dataset("oxigraph", store) as ds:
        assert statistics_current(ds)
        assert stored_counts(ds) == counted_in_python(ds)


def test_a_build_stopped_before_counting_counts_on_the_next_run(tmp_path: Path) -> None:
    path = tmp_path / "store"
    doc1, doc2 = make_documents()
    with opened_dataset("oxigraph", path) as ds:
        replace_document(ds, document_quads(doc1), doc1.source, "sha256:1")
        refresh_derived(ds)
        assert statistics_current(ds)
        # a second document stored, then the process dies before counting
        replace_document(ds, document_quads(doc2), doc2.source, "sha256:2")
        assert not statistics_current(ds)
        refresh_derived(ds)
        assert statistics_current(ds)
        assert stored_counts(ds) == counted_in_python(ds)


def store_document(path: Path, index: int, *, count: bool) -> None:
    """Store the fixture's document ``index``, counted or as a build that died
    before counting."""
    doc = make_documents()[index]
    with opened_dataset("oxigraph", path) as ds:
        replace_document(ds, document_quads(doc), doc.source, f"sha256:{index}")
        if count:
            refresh_derived(ds)


def test_kg_query_warns_when_the_counts_are_out_of_date(tmp_path: Path) -> None:
    from kg.cli import app

    path = tmp_path / "store"
    store_document(path, 0, count=True)
    args = ["query", "--saved", "most-mentioned", "--store", str(path)]
    fresh = CliRunner().invoke(app, args)
    assert fresh.exit_code == 0, fresh.output
    assert "out of date" not in fresh.stderr
    store_document(path, 1, count=False)
    stale = CliRunner().invoke(app, args)
    assert stale.exit_code == 0, stale.output
    assert "counts in" in stale.stderr and "out of date" in stale.stderr
    assert "kg build" in stale.stderr


def test_counts_are_checked_on_a_store_opened_read_only(tmp_path: Path) -> None:
    from kg.store import open_read_only

    path = tmp_path / "store"
    store_document(path, 0, count=True)
    ds = open_read_only(path)
    assert statistics_current(ds)
    ds.close()
    store_document(path, 1, count=False)
    ds = open_read_only(path)
    assert not statistics_current(ds)
    ds.close()


def test_kg_serve_warns_when_the_counts_are_out_of_date(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    path = tmp_path / "store"
    store_document(path, 0, count=False)  # stored, never counted
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "serve", "--store", str(path), "--port", "0",
         "--workers", "1"],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stderr is not None
        first, second = proc.stderr.readline(), proc.stderr.readline()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    assert "out of date" in first and "kg build" in first
    assert "SPARQL endpoint" in second


@pytest.mark.parametrize("store", sorted(STORE_PLUGINS))
def test_void_partitions_count_types_and_predicates(store: str) -> None:
    ds = load(store, (synthetic_document(),))
    types: dict[URIRef, set[URIRef]] = {}
    relations: Counter[URIRef] = Counter()
    seen: set[tuple[URIRef, URIRef, URIRef]] = set()
    predicates = {kg_term(p) for p in PREDICATES}
    for s, p, o, g in ds.quads((None, None, None, None)):
        if g == STATISTICS_GRAPH or (s, p, o) in seen:
            continue
        seen.add((s, p, o))  # type: ignore[arg-type]
        if p == RDF.type and str(o).removeprefix(str(KG)) in ENTITY_TYPES:
            types.setdefault(o, set()).add(s)  # type: ignore[arg-type]
        elif p in predicates:
            relations[p] += 1  # type: ignore[index]
    graph = ds.graph(STATISTICS_GRAPH)
    void = Namespace("http://rdfs.org/ns/void#")
    stored_types = {
        graph.value(part, void["class"]): graph.value(part, void.entities).toPython()
        for part in graph.objects(STATISTICS_GRAPH, void.classPartition)
    }
    stored_relations = {
        graph.value(part, void.property): graph.value(part, void.triples).toPython()
        for part in graph.objects(STATISTICS_GRAPH, void.propertyPartition)
    }
    assert stored_types == {t: len(es) for t, es in types.items()}
    assert len(stored_types) == 8
    assert stored_relations == dict(relations) and relations
    found = {r["type"]: int(r["entities"]) for r in rows(run_saved(ds, "entity-types"))}
    assert found == {str(t).removeprefix(str(KG)): len(es) for t, es in types.items()}
    ds.close()


def test_counts_made_by_an_earlier_kg_are_out_of_date(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kg import statistics

    doc1, _doc2 = make_documents()
    with opened_dataset("oxigraph") as ds:
        replace_document(ds, document_quads(doc1), doc1.source, "sha256:1")
        refresh_derived(ds)
        assert statistics_current(ds)
        # a newer kg counts more: what this one stored no longer passes
        monkeypatch.setattr(statistics, "VERSION", statistics.VERSION + 1)
        assert not statistics_current(ds)
        refresh_derived(ds)
        assert statistics_current(ds)


# The academia-industry question asked of the whole graph, as the saved query asked it
# before the links were kept in the data: the oracle of kg:AcademicLink.
_EVERY_ACADEMIC_LINK = """
SELECT DISTINCT ?academic ?academicType ?company ?link ?project
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
  BIND(STRAFTER(STR(?class), "#") AS ?academicType)
}
ORDER BY ?link ?academic ?company ?project ?academicType
"""


def academia_graph(seed: int) -> str:
    """An update inserting a random web of academics, companies and projects.

    Names repeat (two entities may share one), one academic is both a university
    and an institute, and links run both ways: every case the ordering must get.
    """
    import random

    rng = random.Random(seed)
    kinds = {
        "u": "University",
        "r": "ResearchInstitute",
        "c": "Company",
        "p": "Project",
    }
    lines = []
    nodes: dict[str, list[str]] = {k: [] for k in kinds}
    for k, cls in kinds.items():
        for i in range(rng.randint(12, 20)):
            iri = f"<urn:x:{k}{i}>"
            nodes[k].append(iri)
            lines.append(
                f'{iri} a kg:{cls} ; kg:name "{k.upper()}{rng.randint(0, 14)}" .'
            )
    # both types, and two projects shared with one company: ordered by project first
    lines.append(f"{nodes['u'][0]} a kg:ResearchInstitute .")
    for project in nodes["p"][:2]:
        lines.append(f"{nodes['u'][0]} kg:participatesIn {project} .")
        lines.append(f"{nodes['c'][0]} kg:participatesIn {project} .")
    academics = nodes["u"] + nodes["r"]
    for _ in range(120):
        a, c = rng.choice(academics), rng.choice(nodes["c"])
        rel = rng.choice(["collaboratesWith", "partOf"])
        lines.append(
            f"{a} kg:{rel} {c} ." if rng.random() < 0.5 else f"{c} kg:{rel} {a} ."
        )
    for _ in range(60):
        member, project = rng.choice(academics + nodes["c"]), rng.choice(nodes["p"])
        lines.append(f"{member} kg:participatesIn {project} .")
    return "INSERT DATA { GRAPH <urn:kg:academia> {\n" + "\n".join(lines) + "\n} }"


@pytest.mark.parametrize(
    ("store", "seed"), [("oxigraph", 1), ("oxigraph", 2), ("memory", 3)]
)
def test_academic_links_are_shown_as_the_whole_graph_orders_them(
    store: str, seed: int
) -> None:
    ds = open_dataset(store)
    run_update(ds, academia_graph(seed))
    expected = rows(run_query(ds, _EVERY_ACADEMIC_LINK, {}))
    assert len(expected) > 100, "the cut at 100 rows is exercised"
    assert {r["link"] for r in expected} == {
        "collaboratesWith",
        "partOf",
        "same project",
    }
    assert rows(run_saved(ds, "academia-industry")) == expected[:100]
    assert stored_links(ds) == expected  # every link, in order, not only the first 100
    ds.close()


def stored_links(ds: Dataset) -> list[dict[str, str]]:
    """The kg:AcademicLink nodes as rows of the saved query, by their kg:linkRank."""
    graph = ds.graph(STATISTICS_GRAPH)
    ranked = sorted(
        (graph.value(node, KG.linkRank).toPython(), node)  # type: ignore[union-attr]
        for node in graph.subjects(RDF.type, KG.AcademicLink)
    )
    assert [rank for rank, _node in ranked] == list(range(1, len(ranked) + 1))
    out = []
    for _rank, node in ranked:
        row = {
            "academic": str(ds.value(graph.value(node, KG.linkedAcademic), KG.name)),
            "academicType": str(graph.value(node, KG.academicClass)).rsplit("#")[-1],
            "company": str(ds.value(graph.value(node, KG.linkedCompany), KG.name)),
            "link": str(graph.value(node, KG.linkKind)),
        }
        project = graph.value(node, KG.linkProject)
        if project is not None:
            row["project"] = str(ds.value(project, KG.name))
        out.append(row)
    return out


def test_academic_links_keep_the_first_thousand(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import kg.statistics

    monkeypatch.setattr(kg.statistics, "TOP_RANKED", 30)
    ds = open_dataset("oxigraph")
    run_update(ds, academia_graph(4))
    expected = rows(run_query(ds, _EVERY_ACADEMIC_LINK, {}))
    assert stored_links(ds) == expected[:30]
    assert rows(run_saved(ds, "academia-industry")) == expected[:30]
    ds.close()


def insert_data(graph: str, lines: list[str]) -> str:
    """An update inserting the Turtle ``lines`` into ``graph``, in blocks of 40
    (rdflib orders the triples of one block in quadratic time)."""
    blocks = ["\n".join(lines[i : i + 40]) for i in range(0, len(lines), 40)]
    return " ;\n".join(f"INSERT DATA {{ GRAPH <{graph}> {{\n{b}\n}} }}" for b in blocks)


# people-affiliations asked of the whole graph, each organization's people counted
# here, every row and post: the oracle of kg:Affiliation. (?people is shown: rdflib
# does not sort by a grouped variable left out of the answer.)
_EVERY_AFFILIATION = """
SELECT ?people ?organization ?organizationType ?person
       (GROUP_CONCAT(DISTINCT ?post; separator="、") AS ?posts)
WHERE {
  {
    SELECT ?o (COUNT(DISTINCT ?q) AS ?people)
    WHERE { ?q kg:affiliatedWith ?o ; a kg:Person }
    GROUP BY ?o
  }
  ?p kg:affiliatedWith ?o ; a kg:Person ; kg:name ?person .
  ?o a ?class ; kg:name ?organization .
  FILTER(?class IN (kg:Company, kg:University, kg:ResearchInstitute,
                    kg:GovernmentAgency, kg:Organization, kg:Region))
  OPTIONAL {
    ?x kg:role ?role ; rdf:predicate kg:affiliatedWith ;
       rdf:subject ?p ; rdf:object ?o .
  }
  BIND(COALESCE(?role, "") AS ?post)
  BIND(STRAFTER(STR(?class), "#") AS ?organizationType)
}
GROUP BY ?people ?organization ?organizationType ?person
ORDER BY DESC(?people) ?organization ?person ?organizationType
"""


def affiliation_graph(seed: int) -> str:
    """An update inserting a random web of people affiliated with organizations.

    Names repeat (two people or two organizations may share one), one organization
    has two types, a company is affiliated too (no person: not shown), a project
    has people (not an organization: not shown), and posts are stated for some
    pairs, several for some, one under another predicate (not a post).
    """
    import random

    rng = random.Random(seed)
    classes = ["Company", "University", "GovernmentAgency", "Region", "Project"]
    lines, orgs = [], []
    for i in range(30):
        iri = f"<urn:x:org{i}>"
        orgs.append(iri)
        lines.append(
            f'{iri} a kg:{rng.choice(classes)} ; kg:name "机构{rng.randint(0, 20)}" .'
        )
    lines.append(f"{orgs[0]} a kg:Organization .")
    people = [f"<urn:x:person{i}>" for i in range(90)]
    for iri in people:
        lines.append(f'{iri} a kg:Person ; kg:name "人{rng.randint(0, 60)}" .')
    lines.append(f"<urn:x:firm> a kg:Company ; kg:affiliatedWith {orgs[0]} .")
    pairs = {(rng.choice(people), rng.choice(orgs)) for _ in range(260)}
    for n, (p, o) in enumerate(sorted(pairs)):
        lines.append(f"{p} kg:affiliatedWith {o} .")
        for k in range(rng.choice([0, 0, 1, 1, 2])):
            lines.append(
                f"<urn:x:a{n}-{k}> rdf:subject {p} ; rdf:predicate kg:affiliatedWith ;"
                f' rdf:object {o} ; kg:role "职务{rng.randint(0, 5)}" .'
            )
    p, o = sorted(pairs)[0]
    lines.append(
        f"<urn:x:other> rdf:subject {p} ; rdf:predicate kg:participatesIn ;"
        f' rdf:object {o} ; kg:role "不是职务" .'
    )
    return insert_data("urn:kg:people", lines)


def as_shown(found: list[dict[str, str]]) -> list[tuple[str, str, str, str, set[str]]]:
    """Rows of people-affiliations, each row's posts as a set."""
    return [
        (
            r["organization"],
            r["organizationType"],
            r["people"],
            r["person"],
            set(r["posts"].split("、")) - {""},
        )
        for r in found
    ]


@pytest.mark.parametrize(
    ("store", "seed"), [("oxigraph", 1), ("oxigraph", 2), ("memory", 3)]
)
def test_affiliations_are_shown_as_the_whole_graph_orders_them(
    store: str, seed: int
) -> None:
    ds = open_dataset(store)
    run_update(ds, affiliation_graph(seed))
    expected = as_shown(rows(run_query(ds, _EVERY_AFFILIATION, {})))
    assert len(expected) > 100, "the cut at 100 rows is exercised"
    assert any(len(posts) > 1 for *_, posts in expected), "several posts are joined"
    assert {t for _o, t, _n, _p, _posts in expected} >= {"Company", "Organization"}
    found = rows(run_saved(ds, "people-affiliations"))
    assert as_shown(found) == expected[:100]
    # posts in order, so that both stores show the same text
    assert all(r["posts"] == "、".join(sorted(r["posts"].split("、"))) for r in found)
    assert stored_affiliations(ds) == expected  # every row, not only the first 100
    ds.close()


def stored_affiliations(ds: Dataset) -> list[tuple[str, str, str, str, set[str]]]:
    """The kg:Affiliation nodes as rows of the saved query, by kg:affiliationRank."""
    graph = ds.graph(STATISTICS_GRAPH)
    ranked = sorted(
        (graph.value(node, KG.affiliationRank).toPython(), node)  # type: ignore[union-attr]
        for node in graph.subjects(RDF.type, KG.Affiliation)
    )
    assert [rank for rank, _node in ranked] == list(range(1, len(ranked) + 1))
    return [
        (
            str(ds.value(graph.value(node, KG.affiliatedOrganization), KG.name)),
            str(graph.value(node, KG.organizationClass)).rsplit("#")[-1],
            str(
                graph.value(
                    graph.value(node, KG.affiliatedOrganization), KG.personCount
                )
            ),
            str(ds.value(graph.value(node, KG.affiliatedPerson), KG.name)),
            set(str(graph.value(node, KG.posts) or "").split("、")) - {""},
        )
        for _rank, node in ranked
    ]


def test_affiliations_keep_the_first_thousand(monkeypatch: pytest.MonkeyPatch) -> None:
    import kg.statistics

    monkeypatch.setattr(kg.statistics, "TOP_RANKED", 30)
    ds = open_dataset("oxigraph")
    run_update(ds, affiliation_graph(4))
    expected = as_shown(rows(run_query(ds, _EVERY_AFFILIATION, {})))
    assert stored_affiliations(ds) == expected[:30]
    assert as_shown(rows(run_saved(ds, "people-affiliations"))) == expected[:30]
    ds.close()


# investors asked of the whole graph: every link of the ranked projects, with each
# amount and role, in the order shown: the oracle of kg:Participation.
_EVERY_PARTICIPATION = """
SELECT DISTINCT ?rank ?organization ?organizationType ?role ?project ?investment
                ?currency ?investmentText
WHERE {
  ?p kg:amountRank ?rank ; kg:name ?project ; kg:investmentAmount ?investment .
  ?o kg:participatesIn ?p ; a ?class ; kg:name ?organization .
  FILTER(?class IN (kg:Company, kg:University, kg:ResearchInstitute,
                    kg:GovernmentAgency, kg:Organization, kg:Region))
  OPTIONAL {
    ?x kg:role ?role ; rdf:predicate kg:participatesIn ;
       rdf:subject ?o ; rdf:object ?p .
  }
  OPTIONAL { ?p kg:currency ?currency }
  OPTIONAL { ?p kg:investmentText ?investmentText }
  BIND(STRAFTER(STR(?class), "#") AS ?organizationType)
}
ORDER BY ?rank ?organization ?role ?organizationType DESC(?investment)
"""


def participation_graph(seed: int) -> str:
    """An update inserting a random web of organizations taking part in projects.

    Names repeat, one organization has two types, a person takes part too (not
    shown), a project has two amounts and one none (not ranked), some links have
    several roles, one a role under another predicate (not shown).
    """
    import random

    rng = random.Random(seed)
    classes = ["Company", "University", "GovernmentAgency", "Region"]
    lines, orgs, projects = [], [], []
    for i in range(25):
        orgs.append(f"<urn:x:org{i}>")
        lines.append(
            f"{orgs[-1]} a kg:{rng.choice(classes)} ;"
            f' kg:name "机构{rng.randint(0, 15)}" .'
        )
    lines.append(f"{orgs[0]} a kg:Organization .")
    lines.append('<urn:x:who> a kg:Person ; kg:name "某人" .')
    for i in range(14):
        projects.append(f"<urn:x:project{i}>")
        lines.append(f'{projects[-1]} a kg:Project ; kg:name "项目{i}" .')
        if i:
            amount = rng.choice([50, 80, 120, 300])
            lines.append(f"{projects[-1]} kg:investmentAmount {amount} .")
            if i % 3 == 0:
                lines.append(
                    f'{projects[-1]} kg:currency "CNY" ;'
                    f' kg:investmentText "{amount}亿元" .'
                )
    lines.append(f"{projects[1]} kg:investmentAmount 10 .")  # two amounts
    lines.append(f"<urn:x:who> kg:participatesIn {projects[1]} .")
    links = sorted({(rng.choice(orgs), rng.choice(projects)) for _ in range(70)})
    for n, (o, p) in enumerate(links):
        lines.append(f"{o} kg:participatesIn {p} .")
        for k in range(rng.choice([0, 1, 1, 2])):
            lines.append(
                f"<urn:x:a{n}-{k}> rdf:subject {o} ; rdf:predicate kg:participatesIn ;"
                f' rdf:object {p} ; kg:role "角色{rng.randint(0, 3)}" .'
            )
    o, p = links[0]
    lines.append(
        f"<urn:x:other> rdf:subject {o} ; rdf:predicate kg:collaboratesWith ;"
        f' rdf:object {p} ; kg:role "不是角色" .'
    )
    return insert_data("urn:kg:parts", lines)


def first_links(found: list[dict[str, str]], links: int) -> list[dict[str, str]]:
    """The oracle's rows of its first ``links`` links, without their rank."""
    keys = sorted(
        {
            (
                int(r["rank"]),
                r["organization"],
                r.get("role", ""),
                r["organizationType"],
            )
            for r in found
        }
    )[:links]
    return [
        {k: v for k, v in r.items() if k != "rank"}
        for r in found
        if (int(r["rank"]), r["organization"], r.get("role", ""), r["organizationType"])
        in keys
    ]


@pytest.mark.parametrize(
    ("store", "seed"), [("oxigraph", 1), ("oxigraph", 2), ("memory", 3)]
)
def test_investors_are_shown_as_the_whole_graph_orders_them(
    store: str, seed: int
) -> None:
    ds = open_dataset(store)
    run_update(ds, participation_graph(seed))
    expected = rows(run_query(ds, _EVERY_PARTICIPATION, {}))
    assert 40 < len(expected) <= 100
    assert any("role" not in r for r in expected) and any(
        "currency" in r for r in expected
    )
    assert "不是角色" not in {r.get("role") for r in expected}
    assert rows(run_saved(ds, "investors")) == first_links(expected, 1000)
    ds.close()


def test_investors_keep_the_first_thousand(monkeypatch: pytest.MonkeyPatch) -> None:
    import kg.statistics

    monkeypatch.setattr(kg.statistics, "TOP_RANKED", 15)
    ds = open_dataset("oxigraph")
    run_update(ds, participation_graph(4))
    expected = rows(run_query(ds, _EVERY_PARTICIPATION, {}))
    graph = ds.graph(STATISTICS_GRAPH)
    assert len(set(graph.subjects(RDF.type, KG.Participation))) == 15
    assert rows(run_saved(ds, "investors")) == first_links(expected, 15)
    ds.close()


def hub_graph(seed: int, hub_assertions: int) -> str:
    """An update inserting a company that ``hub_assertions`` assertions name (as
    subject or object, confidences with ties) and one that 20 name."""
    import random

    rng = random.Random(seed)
    lines = [
        '<urn:x:hub> a kg:Company ; kg:name "枢纽公司" ; kg:alias "枢纽" .',
        '<urn:x:small> a kg:Company ; kg:name "小公司" .',
    ]
    for k in range(7):
        lines.append(f'<urn:x:o{k}> a kg:University ; kg:name "大学{k}" .')
    for k in range(5):
        lines.append(f'<urn:x:art{k}> a kg:Article ; kg:document "d{k % 3}.txt" ;')
        lines.append(f'    kg:title "标题{k}" .')
    for entity, n in (("hub", hub_assertions), ("small", 20)):
        for i in range(n):
            other = f"<urn:x:o{rng.randrange(7)}>"
            s, o = (
                (f"<urn:x:{entity}>", other) if i % 2 else (other, f"<urn:x:{entity}>")
            )
            confidence = rng.choice(["0.5", "0.6", "0.7", "0.8", "0.9"])
            lines.append(
                f"<urn:x:{entity}-a{rng.randrange(10**6):06d}> a kg:Assertion ;"
                f" rdf:subject {s} ; rdf:predicate kg:collaboratesWith ;"
                f' rdf:object {o} ; kg:confidence "{confidence}"^^xsd:double ;'
                f' kg:evidence "{entity}句子{i}" ; kg:article <urn:x:art{i % 5}> .'
            )
    return "INSERT DATA { GRAPH <urn:kg:hub> {\n" + "\n".join(lines) + "\n} }"


def evidence_in_python(ds: Dataset, entity: URIRef, name: str) -> list[dict[str, str]]:
    """evidence-of's rows for ``entity``: its 100 most confident assertions (then by
    IRI), in the query's order."""
    return shown_evidence(ds, most_confident(ds, entity), name)


def most_confident(ds: Dataset, entity: URIRef) -> list[URIRef]:
    """The 100 most confident assertions of which ``entity`` is an end (then by IRI)."""
    of = set(ds.subjects(RDF.subject, entity)) | set(ds.subjects(RDF.object, entity))
    top = sorted(of, key=lambda a: (-ds.value(a, KG.confidence).toPython(), str(a)))
    return top[:100]  # type: ignore[return-value]


def shown_evidence(
    ds: Dataset, assertions: list[URIRef], name: str
) -> list[dict[str, str]]:
    """evidence-of's rows of ``assertions``, in the query's order (the most confident
    first, then by what is shown)."""
    out = []
    for a in assertions:
        article = ds.value(a, KG.article)
        out.append(
            {
                "name": name,
                "subject": str(ds.value(ds.value(a, RDF.subject), KG.name)),
                "predicate": str(ds.value(a, RDF.predicate)).rsplit("#")[-1],
                "object": str(ds.value(ds.value(a, RDF.object), KG.name)),
                "evidence": str(ds.value(a, KG.evidence)),
                "document": str(ds.value(article, KG.document)),
                "articleTitle": str(ds.value(article, KG.title)),
                "confidence": ds.value(a, KG.confidence).toPython(),
            }
        )
    keys = ("document", "articleTitle", "predicate", "subject", "object", "evidence")
    out.sort(key=lambda r: tuple(r[k] for k in keys))
    out.sort(key=lambda r: r["confidence"], reverse=True)
    return [{k: v for k, v in r.items() if k != "confidence"} for r in out]


@pytest.mark.parametrize(
    ("store", "hub"), [("oxigraph", 150), ("memory", 130), ("oxigraph", 41)]
)
def test_evidence_of_a_much_named_entity_is_its_most_confident(
    store: str, hub: int
) -> None:
    ds = open_dataset(store)
    run_update(ds, hub_graph(hub, hub))
    graph = ds.graph(STATISTICS_GRAPH)
    kept = set(graph.objects(URIRef("urn:x:hub"), KG.topEvidence))
    assert len(kept) == min(hub, 100)  # named by more than 40: kept
    assert not set(graph.objects(URIRef("urn:x:small"), KG.topEvidence))  # by 20
    for iri, name in (("urn:x:hub", "枢纽"), ("urn:x:small", "小公司")):
        expected = evidence_in_python(ds, URIRef(iri), name)
        assert len(expected) == (min(hub, 100) if iri.endswith("hub") else 20)
        assert rows(run_saved(ds, "evidence-of", name=name)) == expected, name
    ds.close()


@pytest.mark.parametrize("store", sorted(STORE_PLUGINS))
def test_evidence_of_two_entities_of_one_name_is_their_100_most_confident(
    store: str,
) -> None:
    ds = open_dataset(store)
    run_update(ds, hub_graph(7, 140))
    tiny = [  # shares a name with small, which shares one with hub
        '<urn:x:tiny> a kg:Company ; kg:name "微公司" ; kg:alias "小公司" .',
        "<urn:x:tiny-a1> a kg:Assertion ; rdf:subject <urn:x:tiny> ;",
        "    rdf:predicate kg:collaboratesWith ; rdf:object <urn:x:o1> ;",
        '    kg:confidence "0.65"^^xsd:double ; kg:evidence "tiny句子" ;',
        "    kg:article <urn:x:art1> .",
        '<urn:x:small> kg:alias "枢纽" .',
    ]
    run_update(ds, insert_data("urn:kg:hub", tiny))
    hub, small, tiny_ = (URIRef(f"urn:x:{e}") for e in ("hub", "small", "tiny"))
    graph = ds.graph(STATISTICS_GRAPH)
    for entity, kept in ((hub, 100), (small, 20), (tiny_, 1)):
        assert len(set(graph.objects(entity, KG.topEvidence))) == kept
    assert stored_counts(ds) == counted_in_python(ds)  # labels, evidenceOrder
    candidates = most_confident(ds, hub) + most_confident(ds, small)
    expected = shown_evidence(ds, candidates, "枢纽")[:100]
    found = rows(run_saved(ds, "evidence-of", name="枢纽"))
    assert len(found) == 100
    assert found == expected
    assert {r["evidence"][:3] for r in found} == {"hub", "sma"}  # both are read
    candidates = most_confident(ds, small) + most_confident(ds, tiny_)
    found = rows(run_saved(ds, "evidence-of", name="小公司"))
    assert found == shown_evidence(ds, candidates, "小公司")
    assert len(found) == 21
    ds.close()


def related_graph(relations: int) -> list[str]:
    """A company with ``relations`` relations (one a neighbour's two hops away), and
    one related to itself."""
    lines = [
        '<urn:x:hub> a kg:Company ; kg:name "中心公司" .',
        '<urn:x:far> a kg:Region ; kg:name "远方" .',
        '<urn:x:loner> a kg:Company ; kg:name "自立公司" ; kg:partOf <urn:x:loner> ;',
        "    kg:locatedIn <urn:x:far> .",
        "<urn:x:n0> kg:locatedIn <urn:x:far> .",  # the one relation two hops away
    ]
    for i in range(relations):
        lines.append(f'<urn:x:n{i}> a kg:University ; kg:name "大学{i:03d}" .')
        if i % 2:
            lines.append(f"<urn:x:hub> kg:collaboratesWith <urn:x:n{i}> .")
        else:
            lines.append(f"<urn:x:n{i}> kg:affiliatedWith <urn:x:hub> .")
    return lines


@pytest.mark.parametrize("store", sorted(STORE_PLUGINS))
@pytest.mark.parametrize("relations", [99, 100])
def test_neighbourhood_reads_hop_two_only_below_100_relations(
    store: str, relations: int
) -> None:
    ds = open_dataset(store)
    run_update(ds, insert_data("urn:kg:rel", related_graph(relations)))
    counts = stored_counts(ds)
    assert counts[URIRef("urn:x:hub"), KG.relationCount] == relations
    assert counts[URIRef("urn:x:loner"), KG.relationCount] == 2  # itself once
    assert counts[URIRef("urn:x:far"), KG.relationCount] == 2
    text = saved_queries()["neighbourhood"].text
    ungated = (
        text.replace(" kg:relationCount ?related ;", "")
        .replace(" ; kg:relationCount ?related .", " .")
        .replace("FILTER(?related < 100)", "")
    )
    assert ungated.count("?related") == 0 < text.count("?related")
    found = rows(run_saved(ds, "neighbourhood", name="中心公司"))
    assert found == rows(run_query(ds, ungated, {"name": "中心公司"}))
    assert len(found) == 100
    hop2 = [r for r in found if r["hop"] == "2"]
    assert hop2 == (
        [
            {
                "name": "中心公司",
                "hop": "2",
                "subject": "大学000",
                "predicate": "locatedIn",
                "object": "远方",
            }
        ]
        if relations < 100
        else []
    )
    ds.close()


@pytest.mark.parametrize("store", sorted(STORE_PLUGINS))
def test_regions_tied_on_investment_rank_by_projects_then_iri(store: str) -> None:
    projects = {  # region: the amounts of the projects located in it
        "r1": [100],
        "r3": [60, 40],
        "r2": [70, 30],
        "r4": [50],
    }
    projects.update({f"s{i:02d}": [40 - i] for i in range(30)})  # below, one each
    lines = []
    for region, amounts in projects.items():
        lines.append(f'<urn:x:{region}> a kg:Region ; kg:name "地区{region}" .')
        for i, amount in enumerate(amounts):
            lines.append(
                f'<urn:x:{region}p{i}> a kg:Project ; kg:name "项目{region}{i}" ;'
                f" kg:investmentAmount {amount} ; kg:locatedIn <urn:x:{region}> ."
            )
    ds = open_dataset(store)
    run_update(ds, "INSERT DATA { GRAPH <urn:kg:r> {\n" + "\n".join(lines) + "\n} }")
    ranks = stored_counts(ds)
    order = sorted(
        (rank, str(r)) for (r, p), rank in ranks.items() if p == KG.investmentRank
    )
    smaller = [f"s{i:02d}" for i in range(30)]
    expected = ["r2", "r3", "r1", "r4", *smaller]
    assert [r for _rank, r in order] == [f"urn:x:{r}" for r in expected]
    found = rows(run_saved(ds, "projects-by-region"))
    assert [r["region"] for r in found] == [f"地区{r}" for r in expected]
    assert found[1]["projectNames"] == "项目r30；项目r31"  # each region's, in order
    assert [r["rank"] for r in found] == [str(i) for i in range(1, 35)]
    ds.close()


@pytest.mark.parametrize("store", sorted(STORE_PLUGINS))
def test_projects_by_region_lists_names_in_order(store: str) -> None:
    import random

    names = [f"项目{c}" for c in "庚乙己甲丁丙戊"] + ["项目乙"]  # one name twice
    random.Random(5).shuffle(names)
    lines = ['<urn:x:r> a kg:Region ; kg:name "地区" .']
    for i, name in enumerate(names):
        lines.append(
            f'<urn:x:p{i}> a kg:Project ; kg:name "{name}" ; kg:investmentAmount {i} ;'
            " kg:locatedIn <urn:x:r> ."
        )
    lines.append('<urn:x:c> a kg:Company ; kg:name "公司" ; kg:locatedIn <urn:x:r> .')
    ds = open_dataset(store)
    run_update(ds, insert_data("urn:kg:n", lines))
    (found,) = rows(run_saved(ds, "projects-by-region"))
    assert found["projectNames"] == "；".join(sorted(names))  # no company
    assert found["projects"] == "8"
    ds.close()


# Each document's articles and dates, from the whole graph: the oracle of the
# counts documents reads from the article holding kg:documentRank. (The dates are
# aggregated apart: over an OPTIONAL date, Oxigraph's MIN of a document with an
# undated article is unbound, as the documents query was before the counts.)
_EVERY_DOCUMENT = """
SELECT ?document ?articles ?firstDate ?lastDate
WHERE {
  {
    SELECT ?document (COUNT(DISTINCT ?article) AS ?articles)
    WHERE { ?article kg:document ?document }
    GROUP BY ?document
  }
  OPTIONAL {
    SELECT ?document (MIN(?date) AS ?firstDate) (MAX(?date) AS ?lastDate)
    WHERE { ?article kg:document ?document ; kg:datePublished ?date }
    GROUP BY ?document
  }
}
"""


@pytest.mark.parametrize("store", sorted(STORE_PLUGINS))
def test_documents_show_their_articles_and_dates(store: str) -> None:
    import random

    rng = random.Random(11)
    lines = []
    for d in range(12):
        for a in range(rng.randint(1, 5)):
            iri = f"<urn:x:d{d}a{a}>"
            lines.append(f'{iri} a kg:Article ; kg:document "文档{d}.txt" .')
            if rng.random() < 0.7 and d != 3:  # document 3: no date at all
                day = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                lines.append(f'{iri} kg:datePublished "{day}"^^xsd:date .')
            lines.append(f'{iri} kg:publication "报{d}" ; kg:contentHash "h{d}" .')
    ds = open_dataset(store)
    run_update(ds, insert_data("urn:kg:d", lines))
    expected = {r["document"]: r for r in rows(run_query(ds, _EVERY_DOCUMENT, {}))}
    found = rows(run_saved(ds, "documents"))
    assert len(found) == len(expected) == 12
    for row in found:
        want = expected[row["document"]]
        assert row["articles"] == want["articles"], row
        assert row.get("firstDate") == want.get("firstDate"), row
        assert row.get("lastDate") == want.get("lastDate"), row
        assert row["publication"] == "报" + row["document"][2:-4]
    undated = next(r for r in found if r["document"] == "文档3.txt")
    assert "firstDate" not in undated and "lastDate" not in undated
    dated = ["lastDate" in r for r in found]
    assert dated == sorted(dated, reverse=True)  # undated last
    last = [r["lastDate"] for r in found if "lastDate" in r]
    assert last == sorted(last, reverse=True)  # newest first
    ds.close()


@pytest.mark.parametrize("store", sorted(STORE_PLUGINS))
def test_bylines_newest_first_undated_last_ties_by_iri(store: str) -> None:
    dates = {"a1": "2025-03-01", "a3": "2025-05-02", "a2": "2025-05-02", "a4": None}
    lines = ['<urn:x:w> a kg:Person ; kg:name "作者" .']
    for a, date in dates.items():
        lines.append(
            f'<urn:x:{a}> a kg:Article ; kg:title "题{a}" ; kg:document "d.txt" ;'
            f' kg:articleId "{a}" .'
        )
        lines.append(f"<urn:x:w> kg:authorOf <urn:x:{a}> .")
        if date:
            lines.append(f'<urn:x:{a}> kg:datePublished "{date}"^^xsd:date .')
    lines.append('<urn:x:a5> a kg:Article ; kg:title "无署名" ; kg:document "d.txt" .')
    lines.append('<urn:x:a5> kg:datePublished "2026-01-01"^^xsd:date .')
    ds = open_dataset(store)
    run_update(ds, "INSERT DATA { GRAPH <urn:kg:b> {\n" + "\n".join(lines) + "\n} }")
    ranks = sorted(
        (rank, str(a))
        for (a, p), rank in stored_counts(ds).items()
        if p == KG.bylineRank
    )
    expected = ["a2", "a3", "a1", "a4"]  # a5 has no author
    assert [a for _r, a in ranks] == [f"urn:x:{a}" for a in expected]
    found = rows(run_saved(ds, "articles-by-author"))
    assert [r["articleId"] for r in found] == expected
    ds.close()
