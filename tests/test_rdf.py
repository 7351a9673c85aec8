"""Tests for kg.rdf: IRIs, the per-article graphs of a document, SHACL validation."""

from __future__ import annotations

import logging
import time
import unicodedata
from decimal import Decimal

import pytest
from rdflib import RDF, RDFS, XSD, BNode, Dataset, Graph, Literal, URIRef

from kg.namespace import ID, KG, PROV
from kg.rdf import (
    article_iri,
    document_quads,
    entity_iri,
    mint_iri,
    to_dataset,
    union_graph,
    validate,
)
from kg.records import Amount, Article, DocumentGraph, Entity, Mention, Relation

# Invented text: a city also names its government (two entities, one name).
TEXT = (
    "白鹭湾新区招商大会举行\n"
    "白鹭湾市与远帆重工签约，远帆重工投资8.5亿元建设白鹭湾海上风电装备基地。"
    "远帆重工董事长石青山说，白鹭湾市政府将全力支持。"
)
DOC = "白鹭湾日报/第3版.txt"  # a "/" in a document name must not split the IRI


def span(text: str) -> tuple[int, int]:
    start = TEXT.index(text)
    return start, start + len(text)


def mention(text: str, label: str, article: str = "a1") -> Mention:
    start, end = span(text)
    return Mention(article, start, end, text, label, "test.gazetteer", 0.9)


def relation(
    subject: str,
    predicate: str,
    obj: str,
    evidence: str,
    role: str | None = None,
    article: str = "a1",
) -> Relation:
    start, end = span(evidence)
    return Relation(
        subject, predicate, obj, article, evidence, start, end, "test.rule", 0.8, role
    )


def make_document() -> DocumentGraph:
    a1 = Article(
        DOC,
        "a1",
        "白鹭湾新区招商大会举行",
        TEXT,
        byline="记者 方岚",
        date="2025-06-01",
        source="corpus/白鹭湾日报/第3版.txt",
        publication="白鹭湾日报",
        body_start=12,
    )
    a2 = Article(DOC, "a2", "简讯", "简讯\n远帆重工获评先进企业。", date="六月一日")
    base = "白鹭湾海上风电装备基地"
    return DocumentGraph(
        DOC,
        (a1, a2),
        (
            Entity(
                "远帆重工",
                "Company",
                aliases=("远帆",),
                articles=("a1",),
                mentions=(
                    mention("远帆重工", "Company"),
                    Mention("a2", 3, 7, "远帆重工", "Company", "test.gazetteer", 0.7),
                ),
            ),
            Entity(
                base,
                "Project",
                articles=("a1",),
                mentions=(mention(base, "Project"),),
                investment=Amount(850_000_000, "CNY", "8.5亿元"),
            ),
            Entity("白鹭湾市", "Region", aliases=("白鹭湾",), articles=("a1",)),
            Entity("白鹭湾市", "GovernmentAgency", articles=("a1",)),
            Entity("石青山", "Person", articles=("a1",), titles=("董事长",)),
            Entity("方岚", "Person", articles=("a1",)),
        ),
        (
            relation(
                "远帆重工",
                "participatesIn",
                base,
                "远帆重工投资8.5亿元建设白鹭湾海上风电装备基地",
                "investor",
            ),
            relation(base, "locatedIn", "白鹭湾市", "白鹭湾海上风电装备基地"),
            relation(
                "白鹭湾市", "collaboratesWith", "远帆重工", "白鹭湾市与远帆重工签约"
            ),
            relation(
                "石青山", "affiliatedWith", "远帆", "远帆重工董事长石青山", "董事长"
            ),
            Relation(
                "方岚", "authorOf", "a1", "a1", "记者 方岚", 0, 0, "test.byline", 1.0
            ),
        ),
    )


@pytest.fixture(scope="module")
def graphs() -> dict[URIRef, Graph]:
    return document_quads(make_document())


def a1_iri() -> URIRef:
    return article_iri(make_document().articles[0])


# --- IRIs -----------------------------------------------------------------------


def test_entity_iri_follows_the_contract() -> None:
    assert entity_iri("Company", "远帆重工") == URIRef(
        ID + "entity/Company/%E8%BF%9C%E5%B8%86%E9%87%8D%E5%B7%A5"
    )


def test_iris_are_nfc_normalised() -> None:
    composed = "Café集团"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert entity_iri("Company", decomposed) == entity_iri("Company", composed)


def test_article_iri_quotes_the_whole_document_name() -> None:
    iri = article_iri(make_document().articles[0])
    assert iri == URIRef(
        ID
        + "article/%E7%99%BD%E9%B9%AD%E6%B9%BE%E6%97%A5%E6%8A%A5"
        + "%2F%E7%AC%AC3%E7%89%88.txt/a1"
    )


@pytest.mark.parametrize(
    ("kind", "parts"),
    [("person", ("x",)), ("entity", ()), ("entity", ("Company", "")), ("", ("x",))],
)
def test_mint_iri_rejects_bad_input(kind: str, parts: tuple[str, ...]) -> None:
    with pytest.raises(ValueError):
        mint_iri(kind, *parts)


def test_entity_iri_rejects_unknown_types() -> None:
    with pytest.raises(ValueError, match="unknown entity type 'Firm'"):
        entity_iri("Firm", "远帆重工")


# --- document_quads -------------------------------------------------------------


def test_one_graph_per_article_named_by_its_iri(graphs: dict[URIRef, Graph]) -> None:
    doc = make_document()
    assert list(graphs) == [article_iri(a) for a in doc.articles]
    for name, graph in graphs.items():
        assert graph.identifier == name


def test_article_facts(graphs: dict[URIRef, Graph]) -> None:
    art = a1_iri()
    g = graphs[art]
    assert (art, RDF.type, KG.Article) in g
    assert g.value(art, KG.title) == Literal("白鹭湾新区招商大会举行")
    assert g.value(art, KG.byline) == Literal("记者 方岚")
    assert g.value(art, KG.articleId) == Literal("a1")
    assert g.value(art, KG.document) == Literal(DOC)
    assert g.value(art, KG.sourceFile) == Literal("corpus/白鹭湾日报/第3版.txt")
    assert g.value(art, KG.text) == Literal(TEXT)
    assert g.value(art, KG.datePublished) == Literal("2025-06-01", datatype=XSD.date)
    assert g.value(art, KG.publication) == Literal("白鹭湾日报")


def test_bad_date_is_left_out_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="kg.rdf"):
        graphs = document_quads(make_document())
    a2 = article_iri(make_document().articles[1])
    assert graphs[a2].value(a2, KG.datePublished) is None
    assert graphs[a2].value(a2, KG.byline) is None  # empty byline: no triple
    assert "六月一日" in caplog.text


def test_entity_facts_in_each_article_that_mentions_it(
    graphs: dict[URIRef, Graph],
) -> None:
    company = entity_iri("Company", "远帆重工")
    a1, a2 = list(graphs)
    for art in (a1, a2):
        g = graphs[art]
        assert (company, RDF.type, KG.Company) in g
        assert (company, RDFS.label, Literal("远帆重工", lang="zh")) in g
        assert (company, KG.name, Literal("远帆重工")) in g
        assert (company, KG.alias, Literal("远帆")) in g
        assert (company, KG.mentionedIn, art) in g
    person = entity_iri("Person", "石青山")
    assert (person, KG.title, Literal("董事长")) in graphs[a1]
    assert (person, None, None) not in graphs[a2]


def test_investment_is_a_decimal(graphs: dict[URIRef, Graph]) -> None:
    project = entity_iri("Project", "白鹭湾海上风电装备基地")
    g = graphs[a1_iri()]
    amount = g.value(project, KG.investmentAmount)
    assert amount.datatype == XSD.decimal and amount.toPython() == Decimal(850_000_000)
    assert g.value(project, KG.currency) == Literal("CNY")
    assert g.value(project, KG.investmentText) == Literal("8.5亿元")


def test_mentions_are_deterministic_nodes(graphs: dict[URIRef, Graph]) -> None:
    g = graphs[a1_iri()]
    company = entity_iri("Company", "远帆重工")
    nodes = list(g.subjects(KG.mentionOf, company))
    assert len(nodes) == 1
    node = nodes[0]
    assert node.startswith(ID + "mention/") and len(node) == len(ID + "mention/") + 20
    start, end = span("远帆重工")
    assert g.value(node, KG.start) == Literal(start)
    assert g.value(node, KG.end) == Literal(end)
    assert g.value(node, KG.text) == Literal("远帆重工")
    assert g.value(node, KG.article) == a1_iri()
    assert g.value(node, PROV.wasGeneratedBy) == URIRef(ID + "rule/test.gazetteer")
    assert g.value(node, KG.confidence) == Literal(0.9)
    again = document_quads(make_document())[a1_iri()]
    assert set(again) == set(g)


def test_relations_give_a_triple_and_an_assertion(graphs: dict[URIRef, Graph]) -> None:
    g = graphs[a1_iri()]
    company = entity_iri("Company", "远帆重工")
    project = entity_iri("Project", "白鹭湾海上风电装备基地")
    assert (company, KG.participatesIn, project) in g
    [assertion] = list(g.subjects(RDF.predicate, KG.participatesIn))
    assert assertion.startswith(ID + "assertion/")
    assert (assertion, RDF.type, KG.Assertion) in g
    assert g.value(assertion, RDF.subject) == company
    assert g.value(assertion, RDF.object) == project
    assert g.value(assertion, KG.role) == Literal("investor")
    assert g.value(assertion, KG.evidence) == Literal(
        "远帆重工投资8.5亿元建设白鹭湾海上风电装备基地"
    )
    start, end = span("远帆重工投资8.5亿元建设白鹭湾海上风电装备基地")
    assert (g.value(assertion, KG.start), g.value(assertion, KG.end)) == (
        Literal(start),
        Literal(end),
    )
    assert g.value(assertion, KG.article) == a1_iri()
    assert g.value(assertion, KG.confidence) == Literal(0.8)


def test_relation_ends_prefer_the_type_the_predicate_wants(
    graphs: dict[URIRef, Graph],
) -> None:
    g = graphs[a1_iri()]
    project = entity_iri("Project", "白鹭湾海上风电装备基地")
    region = entity_iri("Region", "白鹭湾市")
    agency = entity_iri("GovernmentAgency", "白鹭湾市")
    assert (project, KG.locatedIn, region) in g
    assert (project, KG.locatedIn, agency) not in g
    assert (region, KG.collaboratesWith, entity_iri("Company", "远帆重工")) in g


def test_relation_ends_are_a_pair_the_shapes_allow(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A region partOf a name that is also a company's joins the region; a relation
    whose ends fit no pair is left out, so the document still conforms."""
    article = Article("地区.txt", "a1", "地区", "江滨市是华东省的城市。林远在华东省。")
    entities = (
        Entity("华东省", "Company", articles=("a1",)),  # listed before the region
        Entity("华东省", "Region", articles=("a1",)),
        Entity("江滨市", "Region", articles=("a1",)),
        Entity("林远", "Person", articles=("a1",)),
    )
    relations = (
        Relation(
            "江滨市", "partOf", "华东省", "a1", "江滨市是华东省的城市。", 0, 3, "t"
        ),
        Relation("林远", "partOf", "华东省", "a1", "林远在华东省。", 11, 13, "t"),
    )
    doc = DocumentGraph("地区.txt", (article,), entities, relations)
    with caplog.at_level(logging.WARNING, logger="kg.rdf"):
        dataset = to_dataset(doc)
    union = union_graph(dataset)
    region = entity_iri("Region", "华东省")
    assert (entity_iri("Region", "江滨市"), KG.partOf, region) in union
    assert (None, KG.partOf, entity_iri("Company", "华东省")) not in union
    assert (entity_iri("Person", "林远"), KG.partOf, None) not in union
    assert "林远" in caplog.text and "江滨市" not in caplog.text
    ok, report = validate(dataset)
    assert ok, report


def test_relation_ends_may_be_aliases(graphs: dict[URIRef, Graph]) -> None:
    g = graphs[a1_iri()]
    assert (
        entity_iri("Person", "石青山"),
        KG.affiliatedWith,
        entity_iri("Company", "远帆重工"),
    ) in g


def test_author_of_points_to_the_article(graphs: dict[URIRef, Graph]) -> None:
    g = graphs[a1_iri()]
    assert (entity_iri("Person", "方岚"), KG.authorOf, a1_iri()) in g


def test_no_blank_nodes_and_only_defined_terms(graphs: dict[URIRef, Graph]) -> None:
    for graph in graphs.values():
        for triple in graph:
            assert not any(isinstance(t, BNode) for t in triple)
            predicate = triple[1]
            if predicate.startswith(str(KG)):
                assert predicate in KG


def test_rdfs_label_is_the_only_language_tagged_literal(
    graphs: dict[URIRef, Graph],
) -> None:
    for graph in graphs.values():
        for _s, p, o in graph:
            if isinstance(o, Literal) and o.language:
                assert p == RDFS.label and o.language == "zh"


def test_facts_naming_unknown_articles_or_entities_are_left_out(
    caplog: pytest.LogCaptureFixture,
) -> None:
    doc = make_document()
    broken = DocumentGraph(
        doc.source,
        doc.articles,
        (*doc.entities, Entity("幽灵公司", "Company", articles=("a9",))),
        (
            *doc.relations,
            Relation("无名氏", "affiliatedWith", "远帆重工", "a1", "x", 0, 1, "test"),
            Relation("远帆重工", "locatedIn", "白鹭湾市", "a7", "x", 0, 1, "test"),
            Relation("远帆重工", "ownedBy", "白鹭湾市", "a1", "x", 0, 1, "test"),
        ),
    )
    with caplog.at_level(logging.WARNING, logger="kg.rdf"):
        graphs = document_quads(broken)
    assert list(graphs) == [article_iri(a) for a in doc.articles]
    union = union_graph(to_dataset(broken))
    assert (entity_iri("Company", "幽灵公司"), None, None) not in union
    assert "a9" in caplog.text and "a7" in caplog.text
    assert "无名氏" in caplog.text and "ownedBy" in caplog.text
    assert len(union) == len(union_graph(to_dataset(doc)))


# --- datasets and validation -----------------------------------------------------


def test_to_dataset_holds_every_graph_and_unions_by_default() -> None:
    doc = make_document()
    ds = to_dataset(doc)
    assert isinstance(ds, Dataset) and ds.default_union
    names = {g.identifier for g in ds.graphs() if len(g)}
    assert names == {article_iri(a) for a in doc.articles}
    union = union_graph(ds)
    total = sum(len(g) for g in document_quads(doc).values())
    assert len(union) < total  # shared triples (the company's) appear once


def test_the_document_conforms_to_the_shapes() -> None:
    ok, report = validate(to_dataset(make_document()))
    assert ok, report


def _broken(
    triples_to_add: list[tuple], triples_to_remove: list[tuple] = ()
) -> tuple[bool, str]:
    graph = union_graph(to_dataset(make_document()))
    for triple in triples_to_remove:
        graph.remove(triple)
    for triple in triples_to_add:
        graph.add(triple)
    return validate(graph)


def test_validation_catches_a_missing_name() -> None:
    company = entity_iri("Company", "远帆重工")
    ok, report = _broken([], [(company, KG.name, None)])
    assert not ok and "kg:name" in report


def test_validation_catches_two_names() -> None:
    company = entity_iri("Company", "远帆重工")
    ok, _ = _broken([(company, KG.name, Literal("远帆重工集团"))])
    assert not ok


def test_validation_catches_a_wrong_object_class() -> None:
    company = entity_iri("Company", "远帆重工")
    region = entity_iri("Region", "白鹭湾市")
    ok, report = _broken([(company, KG.participatesIn, region)])
    assert not ok and "kg:participatesIn points to a kg:Project" in report


def test_validation_catches_a_region_investing() -> None:
    region = entity_iri("Region", "白鹭湾市")
    project = entity_iri("Project", "白鹭湾海上风电装备基地")
    ok, _ = _broken([(region, KG.participatesIn, project)])
    assert not ok


def test_validation_catches_a_foreign_predicate_in_an_assertion() -> None:
    g = document_quads(make_document())[a1_iri()]
    [assertion] = list(g.subjects(RDF.predicate, KG.participatesIn))
    ok, report = _broken(
        [(assertion, RDF.predicate, URIRef("https://schema.org/owns"))],
        [(assertion, RDF.predicate, KG.participatesIn)],
    )
    assert not ok and "seven" in report


def test_validation_catches_a_negative_investment_and_a_bad_offset() -> None:
    project = entity_iri("Project", "白鹭湾海上风电装备基地")
    ok, report = _broken(
        [(project, KG.investmentAmount, Literal(Decimal(-5)))],
        [(project, KG.investmentAmount, None)],
    )
    assert not ok and ">= 0" in report
    g = document_quads(make_document())[a1_iri()]
    [assertion] = list(g.subjects(RDF.predicate, KG.locatedIn))
    ok, _ = _broken(
        [(assertion, KG.start, Literal("3"))], [(assertion, KG.start, None)]
    )
    assert not ok


def test_validation_catches_a_partof_between_kinds() -> None:
    project = entity_iri("Project", "白鹭湾海上风电装备基地")
    ok, _ = _broken([(project, KG.partOf, entity_iri("Region", "白鹭湾市"))])
    assert not ok
    ok, report = _broken(
        [
            (
                entity_iri("GovernmentAgency", "白鹭湾市"),
                KG.partOf,
                entity_iri("Region", "白鹭湾市"),
            )
        ]
    )
    assert ok, report  # a zone's body is part of the zone


def bigger_document(n_entities: int = 120, n_articles: int = 6) -> DocumentGraph:
    articles = tuple(
        Article("大.txt", f"a{i}", f"标题{i}", "正文" * 100) for i in range(n_articles)
    )
    kinds = ("Person", "Company", "Region", "Project")
    entities = tuple(
        Entity(
            f"{kinds[i % 4]}{i}",
            kinds[i % 4],
            aliases=(f"别名{i}",),
            articles=(f"a{i % n_articles}", f"a{(i + 1) % n_articles}"),
            mentions=tuple(
                Mention(f"a{(i + k) % n_articles}", 3, 5, "正文", kinds[i % 4], "t")
                for k in range(4)
            ),
        )
        for i in range(n_entities)
    )
    relations = tuple(
        Relation(
            f"Company{i}",
            "locatedIn",
            f"Region{i + 1}",
            f"a{i % n_articles}",
            "正文正文",
            0,
            4,
            "t",
        )
        for i in range(1, n_entities - 2, 4)
    )
    return DocumentGraph("大.txt", articles, entities, relations)


def test_validation_of_5000_triples_takes_seconds_not_minutes() -> None:
    data = union_graph(to_dataset(bigger_document()))
    assert 4000 < len(data) < 8000
    validate(data)  # warm-up: pyshacl loads its modules the first time
    start = time.perf_counter()
    ok, report = validate(data)
    elapsed = time.perf_counter() - start
    assert ok, report
    assert elapsed < 10, f"validation took {elapsed:.1f} s"  # about 1.2 s here


def test_counts_literals_are_made_as_rdflib_makes_them() -> None:
    """The direct path for the statistics' ints and strs gives what Literal() gives."""
    import datetime
    import random

    from kg.rdf import _made_literal

    rng = random.Random(3)
    values: list[object] = [0, 1, -1, 10**30, -(10**20), "", " ", "标签", "a\nb"]
    values += [rng.randint(-(10**12), 10**12) for _ in range(200)]
    values += [
        "".join(chr(rng.randint(32, 0x9FFF)) for _ in range(12)) for _ in range(200)
    ]
    values += [Decimal("12.50"), datetime.date(2025, 8, 13), True, 0.5]  # via Literal
    for value in values:
        want, got = Literal(value), _made_literal(value)
        assert type(got) is Literal and str(got) == str(want), value
        assert got == want and hash(got) == hash(want) and got.n3() == want.n3(), value
        assert (got.language, got.datatype, got.ill_typed) == (
            want.language,
            want.datatype,
            want.ill_typed,
        ), value
        assert type(got.value) is type(want.value) and got.value == want.value, value
        assert got.eq(want), value
