"""Tests for kg.sparql: ad-hoc and saved queries on both stores, and result formats."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from decimal import Decimal

import pytest
from rdflib import RDF, Dataset, Literal, URIRef

from kg.errors import ConfigError, QueryError
from kg.rdf import document_quads, entity_iri
from kg.records import Amount, Article, DocumentGraph, Entity, Mention, Relation
from kg.sparql import (
    GRAPH_FORMATS,
    TABLE_FORMATS,
    format_result,
    run_query,
    run_saved,
    saved_queries,
)
from kg.store import STORE_PLUGINS, open_dataset, refresh_derived, replace_document

pytest.importorskip("oxrdflib")

# Invented news: two documents, three articles; every saved query has something to find.
TEXT_1 = (
    "青峰新材料年产5万吨电池材料项目开工\n"
    "青峰新材料有限公司（以下简称青峰新材）投资12亿元的年产5万吨电池材料项目在云岭市开工。"
    "云岭大学与青峰新材签署合作协议，共建云岭储能研究院。"
    "青峰新材总经理林远航出席仪式。"
)
TEXT_2 = (
    "东湖实验室落户海滨区\n"
    "东湖实验室与青峰新材合作，联合北川银行为该项目提供贷款。"
    "海滨区隶属于临江市。东湖实验室建设海滨算力中心项目，研究员蒋川介绍了进展。"
)
TEXT_3 = "青峰新材再获订单\n青峰新材总经理林远航表示，云岭市将成为基地。"


def _mention(article: str, text: str, label: str, body: str) -> Mention:
    start = body.index(text)
    return Mention(
        article, start, start + len(text), text, label, "test.gazetteer", 0.95
    )


def make_documents() -> tuple[DocumentGraph, DocumentGraph]:
    a1 = Article(
        "晨报-1.txt",
        "a1",
        "青峰新材料年产5万吨电池材料项目开工",
        TEXT_1,
        byline="记者 苏晴",
        date="2025-03-02",
        source="corpus/晨报-1.txt",
        publication="晨报",
    )
    a2 = Article(
        "晨报-1.txt",
        "a2",
        "东湖实验室落户海滨区",
        TEXT_2,
        byline="",
        date="2025-03-02",
        source="corpus/晨报-1.txt",
        publication="晨报",
    )
    b1 = Article(
        "周刊-7.txt",
        "a1",
        "青峰新材再获订单",
        TEXT_3,
        byline="记者 苏晴",
        date="2025-04-10",
        source="corpus/周刊-7.txt",
    )
    company = "青峰新材料有限公司"
    project = "青峰新材料年产5万吨电池材料项目"
    doc1 = DocumentGraph(
        "晨报-1.txt",
        (a1, a2),
        (
            Entity(
                company,
                "Company",
                aliases=("青峰新材",),
                articles=("a1", "a2"),
                mentions=(
                    _mention("a1", company, "Company", TEXT_1),
                    _mention("a2", "青峰新材", "Company", TEXT_2),
                ),
            ),
            Entity(
                project,
                "Project",
                articles=("a1",),
                mentions=(_mention("a1", "年产5万吨电池材料项目", "Project", TEXT_1),),
                investment=Amount(1_200_000_000, "CNY", "12亿元"),
            ),
            Entity("云岭市", "Region", aliases=("云岭",), articles=("a1",)),
            Entity("云岭大学", "University", articles=("a1",)),
            Entity("云岭储能研究院", "ResearchInstitute", articles=("a1",)),
            Entity("林远航", "Person", articles=("a1",), titles=("总经理",)),
            Entity("苏晴", "Person", articles=("a1",)),
            Entity("东湖实验室", "ResearchInstitute", articles=("a2",)),
            Entity("北川银行", "Company", articles=("a2",)),
            Entity("海滨区", "Region", articles=("a2",)),
            Entity("临江市", "Region", articles=("a2",)),
            Entity("海滨算力中心项目", "Project", articles=("a2",)),
            Entity("蒋川", "Person", articles=("a2",)),
        ),
        (
            Relation(
                company,
                "participatesIn",
                project,
                "a1",
                "青峰新材料有限公司（以下简称青峰新材）投资12亿元",
                0,
                10,
                "test.rule",
                0.9,
                "investor",
                date="2025-03-01",
            ),
            Relation(
                project,
                "locatedIn",
                "云岭市",
                "a1",
                "项目在云岭市开工",
                20,
                28,
                "test.rule",
                0.8,
            ),
            Relation(
                "云岭大学",
                "collaboratesWith",
                company,
                "a1",
                "云岭大学与青峰新材签署合作协议",
                30,
                45,
                "test.rule",
                0.7,
            ),
            Relation(
                "云岭储能研究院",
                "partOf",
                "云岭大学",
                "a1",
                "共建云岭储能研究院",
                46,
                55,
                "test.rule",
                0.6,
            ),
            Relation(
                "林远航",
                "affiliatedWith",
                company,
                "a1",
                "青峰新材总经理林远航",
                56,
                66,
                "test.rule",
                0.9,
                "总经理",
            ),
            Relation(
                "苏晴", "authorOf", "a1", "a1", "记者 苏晴", 0, 0, "test.byline", 1.0
            ),
            Relation(
                "东湖实验室",
                "collaboratesWith",
                "青峰新材",
                "a2",
                "东湖实验室与青峰新材合作",
                11,
                23,
                "test.rule",
                0.4,
            ),
            Relation(
                "东湖实验室",
                "locatedIn",
                "海滨区",
                "a2",
                "东湖实验室落户海滨区",
                0,
                10,
                "test.rule",
                0.8,
            ),
            Relation(
                project,
                "fundedBy",
                "北川银行",
                "a2",
                "联合北川银行为该项目提供贷款",
                24,
                38,
                "test.rule",
                0.5,
            ),
            Relation(
                "海滨区",
                "partOf",
                "临江市",
                "a2",
                "海滨区隶属于临江市",
                39,
                48,
                "test.rule",
                0.9,
            ),
            Relation(
                company,
                "locatedIn",
                "云岭市",
                "a1",
                "青峰新材料有限公司…在云岭市",
                0,
                5,
                "test.rule",
                0.3,
            ),
            Relation(
                "东湖实验室",
                "participatesIn",
                "海滨算力中心项目",
                "a2",
                "东湖实验室建设海滨算力中心项目",
                49,
                64,
                "test.rule",
                0.8,
                "builder",
            ),
            Relation(
                "海滨算力中心项目",
                "locatedIn",
                "海滨区",
                "a2",
                "海滨算力中心项目",
                55,
                64,
                "test.rule",
                0.7,
            ),
            Relation(
                "蒋川",
                "affiliatedWith",
                "东湖实验室",
                "a2",
                "研究员蒋川",
                65,
                70,
                "test.rule",
                0.8,
            ),
        ),
    )
    doc2 = DocumentGraph(
        "周刊-7.txt",
        (b1,),
        (
            Entity(company, "Company", aliases=("青峰新材",), articles=("a1",)),
            Entity("林远航", "Person", articles=("a1",), titles=("总经理",)),
            Entity("苏晴", "Person", articles=("a1",)),
            Entity("云岭市", "Region", articles=("a1",)),
            Entity("云岭", "Region", articles=("a1",)),  # the alias doc1 declares
        ),
        (
            Relation(
                "林远航",
                "affiliatedWith",
                company,
                "a1",
                "青峰新材总经理林远航",
                9,
                19,
                "test.rule",
                0.9,
                "总经理",
            ),
            Relation(
                "苏晴", "authorOf", "a1", "a1", "记者 苏晴", 0, 0, "test.byline", 1.0
            ),
        ),
    )
    return doc1, doc2


def synthetic_document(n_entities: int = 40, n_relations: int = 60) -> DocumentGraph:
    """A bigger, regular document: every type and predicate, shared entities."""
    types = (
        "Person",
        "Company",
        "University",
        "ResearchInstitute",
        "GovernmentAgency",
        "Organization",
        "Region",
        "Project",
    )
    articles = tuple(
        Article("合成.txt", f"a{i}", f"合成标题{i}", "合成正文" * 20, byline=f"记者{i}")
        for i in range(1, 5)
    )
    entities = []
    for i in range(n_entities):
        kind = types[i % 8]
        ids = (f"a{1 + i % 4}", f"a{1 + (i * 7) % 4}")
        entities.append(
            Entity(
                f"合成{kind}{i}",
                kind,
                aliases=(f"简称{i}",),
                articles=tuple(dict.fromkeys(ids)),
                mentions=tuple(
                    Mention(a, 3, 6, "合成", kind, "synth", 0.9)
                    for a in dict.fromkeys(ids)
                ),
                investment=Amount(1000 * i, "CNY", f"{i}千元")
                if kind == "Project"
                and (i // 8) % 3  # the n-th project: not every third
                else None,
                titles=("主任",) if kind == "Person" else (),
            )
        )
    by_type = {t: [e for e in entities if e.type == t] for t in types}
    orgs = [
        e
        for e in entities
        if e.type
        in (
            "Company",
            "University",
            "ResearchInstitute",
            "GovernmentAgency",
            "Organization",
        )
    ]
    ends = {
        "affiliatedWith": ("Person", orgs),
        "locatedIn": (None, by_type["Region"]),
        "partOf": ("Region", by_type["Region"]),
        "participatesIn": (None, by_type["Project"]),
        "collaboratesWith": (None, orgs),
        "fundedBy": ("Project", orgs),
    }
    relations = []
    for k in range(n_relations):
        predicate = (
            "affiliatedWith",
            "locatedIn",
            "partOf",
            "participatesIn",
            "collaboratesWith",
            "authorOf",
            "fundedBy",
        )[k % 7]
        if predicate == "authorOf":
            person = by_type["Person"][k % len(by_type["Person"])]
            relations.append(
                Relation(person.name, "authorOf", "a1", "a1", "记者", 0, 2, "byline")
            )
            continue
        subject_type, objects = ends[predicate]
        subjects = by_type[subject_type] if subject_type else orgs
        subject = subjects[k % len(subjects)]
        obj = objects[(k * 3 + 1) % len(objects)]
        if obj is subject:
            continue
        relations.append(
            Relation(
                subject.name,
                predicate,
                obj.name,
                subject.articles[0],
                "合成证据",
                k,
                k + 4,
                "synth",
                0.5 + (k % 5) / 10,
                role="负责人" if predicate == "affiliatedWith" and k % 2 else None,
            )
        )
    return DocumentGraph("合成.txt", articles, tuple(entities), tuple(relations))


def load(store: str, docs: tuple[DocumentGraph, ...]) -> Dataset:
    ds = open_dataset(store)
    for doc in docs:
        replace_document(ds, document_quads(doc), doc.source)
    refresh_derived(ds)
    return ds


@pytest.fixture(params=sorted(STORE_PLUGINS))
def dataset(request: pytest.FixtureRequest) -> Iterator[Dataset]:
    ds = load(request.param, make_documents())
    yield ds
    ds.close()


def rows(result) -> list[dict[str, str]]:
    return [{str(k): str(v) for k, v in row.asdict().items()} for row in result]


def canonical(result) -> list[str]:
    return sorted(
        json.dumps(r, ensure_ascii=False, sort_keys=True) for r in rows(result)
    )


PARAMS = {
    "neighbourhood": {"name": "青峰新材"},
    "evidence-of": {"name": "云岭大学"},
    "entity-profile": {"name": "青峰新材"},
    "low-confidence": {"threshold": "0.6"},
}
SYNTHETIC_PARAMS = {
    "neighbourhood": {"name": "合成Company1"},
    "evidence-of": {"name": "简称9"},
    "entity-profile": {"name": "合成Project7"},
    "low-confidence": {"threshold": 0.7},
}


# --- saved queries ------------------------------------------------------------


def test_every_saved_query_has_a_description_and_declared_params() -> None:
    queries = saved_queries()
    assert len(queries) >= 12
    for name, (description, params, text) in queries.items():
        assert description and not description.startswith("#"), name
        assert "SELECT" in text
        select_clause = text[text.index("SELECT") : text.index("WHERE")]
        for param in params:
            # Oxigraph substitutes only projected variables.
            assert f"?{param}" in select_clause, (name, param)
        assert set(params) == set(PARAMS.get(name, {})), name


def test_saved_queries_skip_internal_files() -> None:
    assert all(not name.startswith("_") for name in saved_queries())


@pytest.mark.parametrize("name", sorted(saved_queries()))
def test_saved_query_runs_on_both_stores_alike(name: str) -> None:
    results = {}
    for store in sorted(STORE_PLUGINS):
        ds = load(store, make_documents())
        results[store] = canonical(run_saved(ds, name, **PARAMS.get(name, {})))
        ds.close()
    assert results["memory"], f"{name} finds nothing in the fixture"
    assert results["memory"] == results["oxigraph"]


@pytest.mark.parametrize("name", sorted(saved_queries()))
def test_saved_query_agrees_across_stores_on_a_bigger_graph(name: str) -> None:
    doc = synthetic_document()
    results = {}
    for store in sorted(STORE_PLUGINS):
        ds = load(store, (doc,))
        results[store] = canonical(
            run_saved(ds, name, **SYNTHETIC_PARAMS.get(name, {}))
        )
        ds.close()
    assert results["memory"] == results["oxigraph"]


@pytest.mark.parametrize("store", sorted(STORE_PLUGINS))
def test_saved_queries_find_nothing_in_an_empty_store(store: str) -> None:
    ds = open_dataset(store)
    for name in saved_queries():
        assert rows(run_saved(ds, name, **PARAMS.get(name, {}))) == [], name
    ds.close()


def test_people_affiliations_lists_posts_by_organization(dataset: Dataset) -> None:
    found = rows(run_saved(dataset, "people-affiliations"))
    assert {
        "organization": "青峰新材料有限公司",
        "organizationType": "Company",
        "people": "1",
        "person": "林远航",
        "posts": "总经理",
    } in found
    assert {
        "organization": "东湖实验室",
        "organizationType": "ResearchInstitute",
        "people": "1",
        "person": "蒋川",
        "posts": "",
    } in found


def test_projects_by_region_sums_investment_once_per_project(dataset: Dataset) -> None:
    found = {r["region"]: r for r in rows(run_saved(dataset, "projects-by-region"))}
    assert Decimal(found["云岭市"]["totalInvestment"]) == Decimal(1_200_000_000)
    assert found["云岭市"]["projects"] == "1"
    assert found["海滨区"]["withInvestment"] == "0"
    assert next(iter(found)) == "云岭市"  # largest investment first


def test_regions_by_projects_follows_part_of(dataset: Dataset) -> None:
    found = {r["region"]: r for r in rows(run_saved(dataset, "regions-by-projects"))}
    assert found["临江市"] == {
        "region": "临江市",
        "projects": "1",
        "locatedDirectly": "0",
    }
    assert found["海滨区"]["locatedDirectly"] == "1"


def test_neighbourhood_reaches_two_hops_by_alias(dataset: Dataset) -> None:
    found = rows(run_saved(dataset, "neighbourhood", name="青峰新材"))
    hops = {(r["hop"], r["subject"], r["predicate"], r["object"]) for r in found}
    assert ("1", "林远航", "affiliatedWith", "青峰新材料有限公司") in hops
    assert ("2", "青峰新材料年产5万吨电池材料项目", "fundedBy", "北川银行") in hops
    assert (
        "2",
        "苏晴",
        "authorOf",
        "青峰新材料年产5万吨电池材料项目开工",
    ) not in hops  # 3 hops


def facts_of(ds: Dataset, name: str) -> list[tuple[str, str, str]]:
    """Every fact entity-profile shows of the entities called ``name``, in Python:
    (type, property, value) in the query's order (attributes, relations out in the
    ontology's order, relations in, articles; then by value)."""
    from kg.namespace import KG
    from kg.rdf import STATISTICS_GRAPH

    relations = [
        KG.affiliatedWith, KG.locatedIn, KG.partOf, KG.participatesIn,
        KG.collaboratesWith, KG.authorOf, KG.fundedBy,
    ]  # fmt: skip
    attributes = {KG.alias: "alias", KG.title: "title", KG.investmentText: "investment"}
    triples = {
        (s, p, o)
        for s, p, o, g in ds.quads((None, None, None, None))
        if g != STATISTICS_GRAPH
    }
    named = {s for s, p, o in triples if p in (KG.name, KG.alias) and str(o) == name}
    label = {s: str(o) for s, p, o in triples if p == KG.name}
    out = []
    for e in named:
        (cls,) = {o for s, p, o in triples if s == e and p == RDF.type}
        type_ = str(cls).rsplit("#")[-1]
        for s, p, o in triples:
            if s == e and p in attributes:
                out.append((10, type_, attributes[p], str(o)))
            elif s == e and p in relations:
                rank = 20 + relations.index(p)
                out.append((rank, type_, str(p).rsplit("#")[-1], label[o]))
            elif o == e and p in relations:
                rank = 30 + relations.index(p)
                out.append((rank, type_, "^" + str(p).rsplit("#")[-1], label[s]))
            elif s == e and p == KG.mentionedIn:
                doc = next(str(d) for a, q, d in triples if a == o and q == KG.document)
                title = next(str(x) for a, q, x in triples if a == o and q == KG.title)
                out.append((40, type_, "mentioned in", f"{doc} {title}"))
    ordered = sorted(set(out), key=lambda fact: (fact[0], fact[3]))
    return [(type_, prop, value) for _r, type_, prop, value in ordered]


def test_entity_profile_shows_every_fact_in_order(dataset: Dataset) -> None:
    for name in ("青峰新材", "云岭大学", "临江市"):
        found = rows(run_saved(dataset, "entity-profile", name=name))
        expected = facts_of(dataset, name)
        assert len(expected) >= 2, name
        assert [(r["type"], r["property"], r["value"]) for r in found] == expected
        assert {r["name"] for r in found} == {name}


def test_evidence_of_quotes_the_sentences(dataset: Dataset) -> None:
    found = rows(run_saved(dataset, "evidence-of", name="云岭大学"))
    evidence = {r["evidence"] for r in found}
    assert evidence == {"云岭大学与青峰新材签署合作协议", "共建云岭储能研究院"}
    assert {r["document"] for r in found} == {"晨报-1.txt"}


def test_most_mentioned_counts_articles_across_documents(dataset: Dataset) -> None:
    found = rows(run_saved(dataset, "most-mentioned"))
    assert found[0]["name"] == "青峰新材料有限公司"
    assert (found[0]["articles"], found[0]["documents"]) == ("3", "2")


def test_low_confidence_takes_a_float_threshold(dataset: Dataset) -> None:
    found = rows(run_saved(dataset, "low-confidence", threshold="0.45"))
    assert [r["confidence"] for r in found] == ["0.3", "0.4"]
    assert {r["rule"] for r in found} == {"test.rule"}


def test_run_saved_unknown_name_lists_the_known_ones(dataset: Dataset) -> None:
    with pytest.raises(
        QueryError, match=r"unknown saved query 'nope'.*people-affiliations"
    ):
        run_saved(dataset, "nope")


@pytest.mark.parametrize(
    "name", ["../queries/timeline", "_internal", "", "timeline.rq"]
)
def test_run_saved_reads_only_saved_query_files(dataset: Dataset, name: str) -> None:
    with pytest.raises(QueryError, match=r"unknown saved query .*known: .*timeline"):
        run_saved(dataset, name)


def test_run_saved_missing_and_unknown_params(dataset: Dataset) -> None:
    with pytest.raises(QueryError, match=r"needs the parameters name; missing: name"):
        run_saved(dataset, "evidence-of")
    with pytest.raises(QueryError, match=r"has no parameter colour"):
        run_saved(dataset, "evidence-of", name="x", colour="red")
    with pytest.raises(QueryError, match=r"must be float"):
        run_saved(dataset, "low-confidence", threshold="high")


def test_parameters_are_bound_not_formatted(dataset: Dataset) -> None:
    hostile = '云岭大学" } } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o } #'
    assert rows(run_saved(dataset, "evidence-of", name=hostile)) == []
    assert rows(run_saved(dataset, "evidence-of", name="云岭大学"))


# --- ad-hoc queries -------------------------------------------------------------


def test_default_graph_is_the_union_of_named_graphs(dataset: Dataset) -> None:
    count = run_query(dataset, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }")
    assert int(next(iter(count))[0]) > 20
    graphs = run_query(
        dataset, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s a kg:Article } }"
    )
    assert len(graphs) == 3
    everything = run_query(dataset, "SELECT * WHERE { ?s ?p ?o }")
    assert any(
        row[1] == URIRef("https://w3id.org/kg-news/ontology#evidence")
        for row in everything
    )


def test_bindings_make_literals_iris_and_numbers(dataset: Dataset) -> None:
    company = entity_iri("Company", "青峰新材料有限公司")
    by_name = run_query(
        dataset, "SELECT ?e ?n WHERE { ?e kg:name ?n }", {"n": "云岭大学"}
    )
    assert [row[0] for row in by_name] == [entity_iri("University", "云岭大学")]
    by_iri = run_query(
        dataset, "SELECT DISTINCT ?e ?n WHERE { ?e kg:name ?n }", {"e": f"<{company}>"}
    )
    assert [str(row[1]) for row in by_iri] == ["青峰新材料有限公司"]
    by_int = run_query(
        dataset,
        "SELECT DISTINCT ?m ?s WHERE { ?m kg:start ?s ; a kg:Assertion }",
        {"s": 39},
    )
    assert len(by_int) == 1
    by_term = run_query(
        dataset,
        "SELECT DISTINCT ?e ?n WHERE { ?e kg:name ?n }",
        {"n": Literal("临江市")},
    )
    assert len(by_term) == 1


@pytest.mark.parametrize("store", sorted(STORE_PLUGINS))
def test_syntax_error_is_one_line_with_line_and_column(store: str) -> None:
    ds = open_dataset(store)
    with pytest.raises(QueryError) as info:
        run_query(ds, "SELECT ?s\nWHERE { ?s ?p }")
    message = str(info.value)
    assert "\n" not in message and len(message) < 400
    assert "line 2" in message and "column" in message
    ds.close()


@pytest.mark.parametrize("store", sorted(STORE_PLUGINS))
def test_unknown_prefix_is_a_query_error(store: str) -> None:
    ds = open_dataset(store)
    with pytest.raises(QueryError, match="foo"):
        run_query(ds, "SELECT * WHERE { ?s foo:bar ?o }")
    ds.close()


# --- formats --------------------------------------------------------------------


def test_table_aligns_wide_characters(dataset: Dataset) -> None:
    result = run_query(
        dataset, "SELECT ?name ?e WHERE { ?e kg:name ?name } ORDER BY ?name LIMIT 3"
    )
    text = format_result(result, "table")
    lines = text.splitlines()
    assert lines[0].split() == ["name", "e"]
    assert lines[-1] == "(3 rows)"
    # The second column starts at the same display column on every row.
    from kg.sparql import _width

    starts = {_width(line[: line.index("entity/")]) for line in lines[2:-1]}
    assert len(starts) == 1
    assert (
        "entity/" in lines[2] and "%" not in lines[2]
    )  # resource IRIs are shortened and decoded


def test_json_is_sparql_results_json(dataset: Dataset) -> None:
    result = run_query(
        dataset,
        "SELECT ?e ?name ?start "
        "WHERE { ?e kg:name ?name . OPTIONAL { ?e kg:start ?start } } LIMIT 2",
    )
    document = json.loads(format_result(result, "json"))
    assert document["head"]["vars"] == ["e", "name", "start"]
    binding = document["results"]["bindings"][0]
    assert binding["e"]["type"] == "uri"
    assert binding["name"] == {"type": "literal", "value": binding["name"]["value"]}
    assert "start" not in binding


def test_csv_tsv_and_xml(dataset: Dataset) -> None:
    result = run_saved(dataset, "people-affiliations")
    table = list(csv.reader(io.StringIO(format_result(result, "csv"))))
    assert table[0] == ["organization", "organizationType", "people", "person", "posts"]
    assert ["青峰新材料有限公司", "Company", "1", "林远航", "总经理"] in table
    tsv = format_result(result, "tsv").splitlines()
    assert tsv[0] == "?organization\t?organizationType\t?people\t?person\t?posts"
    one = '"1"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert f'"青峰新材料有限公司"\t"Company"\t{one}\t"林远航"\t"总经理"' in tsv
    root = ET.fromstring(format_result(result, "xml"))
    assert root.tag == "{http://www.w3.org/2005/sparql-results#}sparql"


def test_tsv_escapes_newlines(dataset: Dataset) -> None:
    result = run_query(dataset, "SELECT ?t WHERE { ?a a kg:Article ; kg:text ?t }")
    lines = format_result(result, "tsv").splitlines()
    assert len(lines) == 4  # header and one line per article, whatever the text holds


def test_ask_results(dataset: Dataset) -> None:
    result = run_query(dataset, "ASK { ?s kg:fundedBy ?o }")
    assert format_result(result, "table") == "yes\n"
    assert json.loads(format_result(result, "json"))["boolean"] is True


def test_construct_results_are_rdf(dataset: Dataset) -> None:
    result = run_query(
        dataset, "CONSTRUCT { ?s kg:name ?n } WHERE { ?s a kg:Region ; kg:name ?n }"
    )
    from rdflib import Graph

    for fmt, parse_as in (("turtle", "turtle"), ("nt", "nt"), ("table", "turtle")):
        graph = Graph().parse(data=format_result(result, fmt), format=parse_as)
        assert len(graph) == 4  # 云岭市, 云岭 (doc 2), 海滨区, 临江市
    assert set(GRAPH_FORMATS) >= {"turtle", "nt"}


def test_bad_formats_are_config_errors(dataset: Dataset) -> None:
    select = run_query(dataset, "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    with pytest.raises(ConfigError, match="use one of"):
        format_result(select, "yaml")
    construct = run_query(dataset, "CONSTRUCT WHERE { ?s kg:name ?o }")
    with pytest.raises(ConfigError, match="CONSTRUCT"):
        format_result(construct, "csv")
    assert set(TABLE_FORMATS) == {"table", "json", "csv", "tsv", "xml"}


def test_binding_an_unprojected_variable_says_what_to_do() -> None:
    ds = load("oxigraph", make_documents())
    with pytest.raises(QueryError, match="SELECT clause does not list"):
        run_query(ds, "SELECT ?e WHERE { ?e kg:name ?n }", {"n": "临江市"})
    ds.close()


def test_table_cuts_long_cells_but_csv_keeps_them(dataset: Dataset) -> None:
    result = run_query(dataset, "SELECT ?t WHERE { ?a a kg:Article ; kg:text ?t }")
    from kg.sparql import _width

    table = format_result(result, "table").splitlines()
    assert all(_width(line) <= 60 for line in table)
    assert any(line.endswith("…") for line in table)
    rows_ = list(csv.reader(io.StringIO(format_result(result, "csv"))))
    assert [TEXT_1] in rows_


def test_timeline_and_merges(dataset: Dataset) -> None:
    dated = rows(run_saved(dataset, "timeline"))
    assert [(r["date"], r["subject"], r["predicate"]) for r in dated] == [
        ("2025-03-01", "青峰新材料有限公司", "participatesIn")
    ]
    merged = rows(run_saved(dataset, "merges"))
    assert merged == [
        {
            "merged": "云岭",
            "into": "云岭市",
            "type": "Region",
            "alias": "云岭",
            "rule": "alias-across-documents",
        }
    ]


@pytest.mark.parametrize(
    ("store", "n_entities", "n_relations"),
    # rdflib's own engine takes two minutes on the larger graph
    [("memory", 40, 60), ("oxigraph", 40, 60), ("oxigraph", 240, 1400)],
)
def test_investors_shows_the_links_of_the_largest_projects(
    store: str, n_entities: int, n_relations: int
) -> None:
    from kg.analysis import participations

    doc = synthetic_document(n_entities, n_relations)
    ds = load(store, (doc,))
    every = participations(ds)
    shown = rows(run_saved(ds, "investors"))
    ds.close()
    links = {
        (r.subject, r.object) for r in doc.relations if r.predicate == "participatesIn"
    }
    assert set(zip(every["organization"], every["project"], strict=True)) == links
    # the projects' amounts, computed here from the documents
    amount = {
        e.name: e.investment.amount for e in doc.entities if e.investment is not None
    }
    largest = sorted(amount, key=lambda p: -amount[p])[:100]
    eligible = [(o, p) for o, p in links if p in largest]
    assert len(shown) == min(100, len(eligible)) > 0
    if n_relations > 100:
        assert len(eligible) > 100 and len(every) > 100  # the cut is exercised
    projects = list(dict.fromkeys(r["project"] for r in shown))
    # largest first; every project larger than the last one shown is there whole
    assert [amount[p] for p in projects] == sorted(
        (amount[p] for p in projects), reverse=True
    )
    whole = {(o, p) for o, p in eligible if amount[p] > amount[projects[-1]]}
    assert whole <= {(r["organization"], r["project"]) for r in shown} <= links
    assert all(float(r["investment"]) == amount[r["project"]] for r in shown)


@pytest.mark.parametrize("store", sorted(STORE_PLUGINS))
def test_collaborations_across_regions_skip_nested_and_same_regions(store: str) -> None:
    article = Article("区域.txt", "a1", "合作", "合作正文" * 10)
    kinds = {
        "北岭省": "Region",
        "南川市": "Region",
        "北岭市": "Region",  # part of 北岭省
        "甲科技公司": "Company",  # in 北岭省
        "乙大学": "University",  # in 北岭市 (inside 北岭省)
        "丙研究院": "ResearchInstitute",  # in 南川市
        "丁公司": "Company",  # in 北岭省, like 甲
    }
    entities = tuple(
        Entity(
            name,
            kind,
            articles=("a1",),
            mentions=(Mention("a1", 0, 2, name[:2], kind, "t", 0.9),),
        )
        for name, kind in kinds.items()
    )
    facts = [
        ("北岭市", "partOf", "北岭省"),
        ("甲科技公司", "locatedIn", "北岭省"),
        ("乙大学", "locatedIn", "北岭市"),
        ("丙研究院", "locatedIn", "南川市"),
        ("丁公司", "locatedIn", "北岭省"),
        ("甲科技公司", "collaboratesWith", "乙大学"),  # nested regions: not across
        ("甲科技公司", "collaboratesWith", "丁公司"),  # same region
        ("乙大学", "collaboratesWith", "丙研究院"),  # across: 北岭市 / 南川市
        ("南川市", "collaboratesWith", "甲科技公司"),  # a region itself: across
    ]
    relations = tuple(
        Relation(s, p, o, "a1", f"{s}{p}{o}。", 0, 4, "t", 0.9) for s, p, o in facts
    )
    ds = load(store, (DocumentGraph("区域.txt", (article,), entities, relations),))
    found = {
        (
            r["partner"],
            r["partnerRegion"],
            r["otherPartner"],
            r["otherRegion"],
            r["evidence"],
        )
        for r in rows(run_saved(ds, "collaborations-across-regions"))
    }
    ds.close()
    assert found == {
        ("乙大学", "北岭市", "丙研究院", "南川市", "乙大学collaboratesWith丙研究院。"),
        (
            "南川市",
            "南川市",
            "甲科技公司",
            "北岭省",
            "南川市collaboratesWith甲科技公司。",
        ),
    }


def _cut_test_document() -> DocumentGraph:
    """130 companies, each collaborating with a university of another region; two
    of the last (by name) in more articles; and 150 facts naming days."""
    articles = tuple(
        Article("合作.txt", f"a{i}", f"合作{i}", "合作正文" * 10) for i in (1, 2, 3)
    )
    regions = [f"{'东西南北中'[i]}岭市" for i in range(5)]
    more = {120: ("a1", "a2", "a3"), 110: ("a1", "a2")}
    entities = [Entity(r, "Region", articles=("a1",)) for r in regions]
    relations = []
    for i in range(130):
        company, university = f"甲{i:03d}公司", f"乙{i:03d}大学"
        entities += [
            Entity(company, "Company", articles=more.get(i, ("a1",))),
            Entity(university, "University", articles=("a1",)),
        ]
        facts = [
            (company, "locatedIn", regions[i % 5], None),
            (university, "locatedIn", regions[(i + 1) % 5], None),
            (company, "collaboratesWith", university, f"2025-{1 + i % 12:02d}-01"),
        ]
        relations += [
            Relation(s, p, o, "a1", f"{s}{p}{o}。", 0, 4, "t", 0.9, date=day)
            for s, p, o, day in facts
        ]
    for i in range(20):  # more facts on days some collaborations also name
        relations.append(
            Relation(
                f"甲{i:03d}公司",
                "locatedIn",
                regions[i % 5],
                "a2",
                f"第{i}句。",
                0,
                4,
                "t",
                0.9,
                date=f"2025-{1 + i % 12:02d}-15",
            )
        )
    return DocumentGraph("合作.txt", articles, tuple(entities), tuple(relations))


@pytest.mark.parametrize("store", sorted(STORE_PLUGINS))
def test_collaborations_and_timeline_cut_at_100_in_the_order_shown(store: str) -> None:
    """The 100 rows are the first in the order shown, not the first the store finds."""
    doc = _cut_test_document()
    ds = load(store, (doc,))
    across = rows(run_saved(ds, "collaborations-across-regions"))
    timeline = rows(run_saved(ds, "timeline"))
    ds.close()
    # the partners in the most articles first, then by name
    expected = ["甲120公司", "甲110公司"] + [f"甲{i:03d}公司" for i in range(98)]
    assert [r["partner"] for r in across] == expected
    assert all(
        r["otherPartner"] == r["partner"].replace("甲", "乙").replace("公司", "大学")
        for r in across
    )
    assert all(r["partnerRegion"] != r["otherRegion"] for r in across)
    days = sorted((r.date for r in doc.relations if r.date), reverse=True)
    assert [r["date"] for r in timeline] == days[:100]
    assert len(timeline) == 100


@pytest.mark.parametrize("store", sorted(STORE_PLUGINS))
def test_organization_units_fills_100_rows_from_the_largest_bodies(store: str) -> None:
    """Bodies of 30, 60 and 50 units: all 60, then 40 of the 50, none of the 30."""
    article = Article("单位.txt", "a1", "单位", "单位正文" * 10)
    sizes = {"乙大学": 30, "甲大学": 60, "丙大学": 50}
    entities = [Entity(u, "University", articles=("a1",)) for u in sizes]
    relations = []
    for body, n in sizes.items():
        for i in range(n):
            unit = f"{body}第{i:02d}研究所"
            entities.append(Entity(unit, "ResearchInstitute", articles=("a1",)))
            relations.append(
                Relation(
                    unit, "partOf", body, "a1", f"{unit}隶属{body}。", 0, 4, "t", 0.9
                )
            )
    doc = DocumentGraph("单位.txt", (article,), tuple(entities), tuple(relations))
    ds = load(store, (doc,))
    shown = rows(run_saved(ds, "organization-units"))
    ds.close()
    by_body = {b: sum(r["parent"] == b for r in shown) for b in sizes}
    assert by_body == {"乙大学": 0, "甲大学": 60, "丙大学": 40}
    assert [r["units"] for r in shown] == ["60"] * 60 + ["50"] * 40


@pytest.mark.parametrize("store", sorted(STORE_PLUGINS))
def test_merges_shows_the_first_100_by_full_name(store: str) -> None:
    """130 short forms declared by another document: the 100 first full names."""
    fulls = [f"云{i:03d}科技股份有限公司" for i in range(130)]
    full_doc = DocumentGraph(
        "全称.txt",
        (Article("全称.txt", "a1", "全称", "全称正文" * 10),),
        tuple(
            Entity(name, "Company", aliases=(name[:6],), articles=("a1",))
            for name in reversed(fulls)  # written last first
        ),
    )
    short_doc = DocumentGraph(
        "简称.txt",
        (Article("简称.txt", "a1", "简称", "简称正文" * 10),),
        tuple(Entity(name[:6], "Company", articles=("a1",)) for name in fulls),
    )
    ds = load(store, (full_doc, short_doc))
    shown = rows(run_saved(ds, "merges"))
    ds.close()
    assert [(r["merged"], r["into"]) for r in shown] == [
        (name[:6], name) for name in fulls[:100]
    ]


@pytest.mark.parametrize("store", sorted(STORE_PLUGINS))
def test_names_sharing_their_first_characters_keep_the_full_order(store: str) -> None:
    """Names are sorted by their first five characters, then whole: the same order."""
    units = [
        "甲大学研究所乙", "甲大学研究院", "甲大学研究所10", "甲大学实验室",
        "甲大学研究所甲", "甲大学研究所2",
    ]  # fmt: skip
    article = Article("单位.txt", "a1", "单位", "单位正文" * 10)
    entities = [Entity("甲大学", "University", articles=("a1",))] + [
        Entity(unit, "ResearchInstitute", articles=("a1",)) for unit in units
    ]
    relations = [
        Relation(unit, "partOf", "甲大学", "a1", f"{unit}隶属甲大学。", 0, 4, "t", 0.9,
                 date="2025-08-13")
        for unit in units
    ]  # fmt: skip
    doc = DocumentGraph("单位.txt", (article,), tuple(entities), tuple(relations))
    ds = load(store, (doc,))
    shown = {
        name: rows(run_saved(ds, name)) for name in ("organization-units", "timeline")
    }
    profile = rows(run_saved(ds, "entity-profile", name="甲大学"))
    ds.close()
    assert [r["unit"] for r in shown["organization-units"]] == sorted(units)
    assert [r["subject"] for r in shown["timeline"]] == sorted(units)
    assert [r["value"] for r in profile if r["property"] == "^partOf"] == sorted(units)


@pytest.mark.parametrize("store", sorted(STORE_PLUGINS))
def test_entity_profile_cuts_relations_by_property_rank(store: str) -> None:
    """With over 100 relations out, the first properties' facts are all shown."""
    from rdflib import Graph

    from kg.namespace import KG

    hub = entity_iri("Company", "青峰新材料有限公司")
    graph = Graph()
    graph.add((hub, RDF.type, KG.Company))
    graph.add((hub, KG.name, Literal("青峰新材料有限公司")))
    partners = [entity_iri("Company", f"合作伙伴{i:03d}有限公司") for i in range(130)]
    projects = [entity_iri("Project", f"云岭项目{i}") for i in range(5)]
    # the partners first, so that a store finding facts in the order written
    # would fill the cut with them
    for i, node in enumerate(partners):
        graph.add((node, RDF.type, KG.Company))
        graph.add((node, KG.name, Literal(f"合作伙伴{i:03d}有限公司")))
        graph.add((hub, KG.collaboratesWith, node))
    for i, node in enumerate(projects):
        graph.add((node, RDF.type, KG.Project))
        graph.add((node, KG.name, Literal(f"云岭项目{i}")))
        graph.add((hub, KG.participatesIn, node))
    ds = open_dataset(store)
    replace_document(ds, {URIRef("https://example.org/graph/1"): graph}, "晨报.txt")
    found = rows(run_saved(ds, "entity-profile", name="青峰新材料有限公司"))
    ds.close()
    assert len(found) == 100
    assert [r["property"] for r in found] == ["participatesIn"] * 5 + [
        "collaboratesWith"
    ] * 95
    assert [r["value"] for r in found[:5]] == [f"云岭项目{i}" for i in range(5)]
    assert {r["value"] for r in found[5:]} < {
        f"合作伙伴{i:03d}有限公司" for i in range(130)
    }
