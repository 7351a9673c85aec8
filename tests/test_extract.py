"""Extraction of whole invented documents: entities, relations, attributes, provenance."""

from __future__ import annotations

import json

from dataclasses import replace

from kg.extract import byline_names, extract_document
from kg.namespace import KG
from kg.rdf import document_triples
from kg.records import Article

BODY = (
    "科技日报讯 9月2日，位于青州高新区的青州远航新材料有限公司迎来了客人。"
    "来自兰州大学的王立新教授与青州远航新材料有限公司副总经理周海平一同考察了远航年产5万吨石墨烯项目。"
    "该项目由青州远航新材料有限公司与青州市城投集团共同投资建设，总投资12亿元。"
)
TITLE = "石墨烯项目落地青州"


def article(body=BODY, byline="赵明"):
    text = TITLE + "\n" + body
    return Article("doc1", "a1", TITLE, text, byline=byline, body_start=len(TITLE) + 1)


def rels(graph):
    return {(r.subject, r.predicate, r.object) for r in graph.relations}


def test_invented_article_relations_and_attributes(nlp):
    g = extract_document("doc1.txt", [article()], nlp)
    ents = {e.name: e for e in g.entities}
    r = rels(g)
    assert ("王立新", "affiliatedWith", "兰州大学") in r
    assert ("周海平", "affiliatedWith", "青州远航新材料有限公司") in r
    assert ("赵明", "authorOf", "a1") in r
    assert ("青州远航新材料有限公司", "locatedIn", "青州高新区") in r
    project = next(e for e in g.entities if e.type == "Project")
    assert ("青州远航新材料有限公司", "participatesIn", project.name) in r
    assert project.investment is not None and project.investment.amount == 1_200_000_000
    assert "教授" in ents["王立新"].titles
    assert "副总经理" in ents["周海平"].titles


def test_every_relation_has_evidence_at_its_offsets(nlp):
    a = article()
    g = extract_document("doc1.txt", [a], nlp)
    assert g.relations
    for r in g.relations:
        where = a.byline if r.source == "byline" else a.text
        assert where[r.start : r.end] == r.evidence, r
        assert r.source and 0 < r.confidence <= 1


def test_json_form_of_the_guidelines(nlp):
    out = extract_document("doc1.txt", [article()], nlp).to_json()
    json.dumps(out, ensure_ascii=False)
    assert out["articles"][0] == {
        "id": "a1",
        "title": TITLE,
        "byline": "赵明",
        "starts_with": BODY[:20],
    }
    assert {"name", "type", "aliases", "articles", "attributes"} <= set(
        out["entities"][0]
    )
    assert {"subject", "predicate", "object", "article", "evidence"} <= set(
        out["relations"][0]
    )


def test_collaboratesWith_is_stored_once(nlp):
    body = "青州远航新材料有限公司与兰州大学签署战略合作协议。兰州大学与青州远航新材料有限公司将共同合作。"
    g = extract_document("d.txt", [article(body)], nlp)
    pairs = [
        frozenset((r.subject, r.object))
        for r in g.relations
        if r.predicate == "collaboratesWith"
    ]
    assert frozenset(("青州远航新材料有限公司", "兰州大学")) in pairs
    assert len(pairs) == len(set(pairs))


def test_byline_names():
    assert byline_names("记者 张三 通讯员 李四五") == ["张三", "李四五"]
    assert byline_names("") == []


def test_a_fact_gets_the_day_its_sentence_names(nlp):
    body = "3月12日，青州远航新材料有限公司与兰州大学签署战略合作协议。双方表示将长期合作。"
    art = Article(doc="d.txt", id="a1", title="签约", text=body, date="2024-03-20")
    g = extract_document("d.txt", [art], nlp)
    dated = [r for r in g.relations if r.predicate == "collaboratesWith"]
    assert dated and all(r.date == "2024-03-12" for r in dated)
    undated = extract_document("d.txt", [replace(art, date=None)], nlp)
    assert all(r.date is None for r in undated.relations)  # no year, no reference
    triples = [t for ts in document_triples(g).values() for t in ts]
    assert any(p == KG.date and str(o) == "2024-03-12" for _s, p, o in triples)
