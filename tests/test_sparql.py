"""Tests for kg.sparql: ad-hoc and saved queries on both stores, and result formats."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from decimal import Decimal

import pytest
from rdflib import Dataset, Literal, URIRef

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
from kg.store import STORE_PLUGINS, open_dataset, replace_document

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
    "海滨区隶属于临江市。"
)
TEXT_3 = "青峰新材再获订单\n青峰新材总经理林远航表示，云岭市将成为基地。"


def _mention(article: str, text: str, label: str, body: str) -> Mention:
    start = body.index(text)
    return Mention(article, start, start + len(text), text, label, "test.gazetteer", 0.95)


def make_documents() -> tuple[DocumentGraph, DocumentGraph]:
    a1 = Article("晨报-1.txt", "a1", "青峰新材料年产5万吨电池材料项目开工", TEXT_1,
                 byline="记者 苏晴", date="2025-03-02", source="corpus/晨报-1.txt",
                 publication="晨报")
    a2 = Article("晨报-1.txt", "a2", "东湖实验室落户海滨区", TEXT_2, byline="",
                 date="2025-03-02", source="corpus/晨报-1.txt", publication="晨报")
    b1 = Article("周刊-7.txt", "a1", "青峰新材再获订单", TEXT_3, byline="记者 苏晴",
                 date="2025-04-10", source="corpus/周刊-7.txt")
    company = "青峰新材料有限公司"
    project = "青峰新材料年产5万吨电池材料项目"
    doc1 = DocumentGraph(
        "晨报-1.txt",
        (a1, a2),
        (
            Entity(company, "Company", aliases=("青峰新材",), articles=("a1", "a2"),
                   mentions=(_mention("a1", company, "Company", TEXT_1),
                             _mention("a2", "青峰新材", "Company", TEXT_2))),
            Entity(project, "Project", articles=("a1",),
                   mentions=(_mention("a1", "年产5万吨电池材料项目", "Project", TEXT_1),),
                   investment=Amount(1_200_000_000, "CNY", "12亿元")),
            Entity("云岭市", "Region", aliases=("云岭",), articles=("a1",)),
            Entity("云岭大学", "University", articles=("a1",)),
            Entity("云岭储能研究院", "ResearchInstitute", articles=("a1",)),
            Entity("林远航", "Person", articles=("a1",), titles=("总经理",)),
            Entity("苏晴", "Person", articles=("a1",)),
            Entity("东湖实验室", "ResearchInstitute", articles=("a2",)),
            Entity("北川银行", "Company", articles=("a2",)),
            Entity("海滨区", "Region", articles=("a2",)),
            Entity("临江市", "Region", articles=("a2",)),
        ),
        (
            Relation(company, "participatesIn", project, "a1", "青峰新材料有限公司（以下简称青峰新材）投资12亿元", 0, 10, "test.rule", 0.9, "investor"),
            Relation(project, "locatedIn", "云岭市", "a1", "项目在云岭市开工", 20, 28, "test.rule", 0.8),
            Relation("云岭大学", "collaboratesWith", company, "a1", "云岭大学与青峰新材签署合作协议", 30, 45, "test.rule", 0.7),
            Relation("云岭储能研究院", "partOf", "云岭大学", "a1", "共建云岭储能研究院", 46, 55, "test.rule", 0.6),
            Relation("林远航", "affiliatedWith", company, "a1", "青峰新材总经理林远航", 56, 66, "test.rule", 0.9, "总经理"),
            Relation("苏晴", "authorOf", "a1", "a1", "记者 苏晴", 0, 0, "test.byline", 1.0),
            Relation("东湖实验室", "collaboratesWith", "青峰新材", "a2", "东湖实验室与青峰新材合作", 11, 23, "test.rule", 0.4),
            Relation("东湖实验室", "locatedIn", "海滨区", "a2", "东湖实验室落户海滨区", 0, 10, "test.rule", 0.8),
            Relation(project, "fundedBy", "北川银行", "a2", "联合北川银行为该项目提供贷款", 24, 38, "test.rule", 0.5),
            Relation("海滨区", "partOf", "临江市", "a2", "海滨区隶属于临江市", 39, 48, "test.rule", 0.9),
            Relation(company, "locatedIn", "云岭市", "a1", "青峰新材料有限公司…在云岭市", 0, 5, "test.rule", 0.3),
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
        ),
        (
            Relation("林远航", "affiliatedWith", company, "a1", "青峰新材总经理林远航", 9, 19, "test.rule", 0.9, "总经理"),
            Relation("苏晴", "authorOf", "a1", "a1", "记者 苏晴", 0, 0, "test.byline", 1.0),
        ),
    )
    return doc1, doc2


@pytest.fixture(params=sorted(STORE_PLUGINS))
def dataset(request: pytest.FixtureRequest) -> Iterator[Dataset]:
    ds = open_dataset(request.param)
    for doc in make_documents():
        replace_document(ds, document_quads(doc), doc.source)
    yield ds
    ds.close()


def rows(result) -> list[dict[str, str]]:
    return [{str(k): str(v) for k, v in row.asdict().items()} for row in result]


PARAMS = {"neighbourhood": {"name": "青峰新材"}, "evidence-of": {"name": "云岭大学"},
          "entity-profile": {"name": "青峰新材"}, "low-confidence": {"threshold": "0.6"}}


def test_every_saved_query_has_a_description_and_declared_params() -> None:
    queries = saved_queries()
    assert len(queries) >= 12
    for name, (description, params, text) in queries.items():
        assert description and not description.startswith("#"), name
        assert "SELECT" in text or "CONSTRUCT" in text
        for param in params:
            assert f"?{param}" in text, (name, param)
        assert set(params) == set(PARAMS.get(name, {})), name


@pytest.mark.parametrize("name", sorted(saved_queries()))
def test_saved_query_runs_on_both_stores_alike(name: str) -> None:
    results = {}
    for store in sorted(STORE_PLUGINS):
        ds = open_dataset(store)
        for doc in make_documents():
            replace_document(ds, document_quads(doc), doc.source)
        result = run_saved(ds, name, **PARAMS.get(name, {}))
        results[store] = sorted(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in rows(result))
        ds.close()
    assert results["memory"], f"{name} finds nothing in the fixture"
    assert results["memory"] == results["oxigraph"]
