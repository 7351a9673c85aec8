"""A small hand-made Dataset in the shape of the RDF contract (invented data).

Written by hand from the contract (not with ``kg.rdf``), so that the tests of
``kg.analysis`` and ``kg.visualize`` check the contract itself; ``sample_document``
gives the same facts as records, for the tests that go through ``kg.rdf``.
Two articles of one document; every name below is invented.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from urllib.parse import quote

from rdflib import RDF, RDFS, XSD, Dataset, Graph, Literal, Namespace, URIRef

from kg.records import Amount, Article, DocumentGraph, Entity, Relation

KG = Namespace("https://w3id.org/kg-news/ontology#")
PROV = Namespace("http://www.w3.org/ns/prov#")
ID = "https://w3id.org/kg-news/id/"
DOC = "样例 文档.txt"

XSS = "<img src=x onerror=alert(1)>"
XSS_EVIDENCE = XSS + '与东岭大学储能研究院合作<script>alert("x")</script>'

A1_TITLE = "青禾新材料负极项目在河湾开工"
A1_TEXT = (
    "青禾新材料负极项目在河湾开工\n"
    "青禾新材料股份有限公司（以下简称“青禾新材”）投资12亿元建设"
    "青禾年产5万吨负极材料项目，项目位于河湾市，由河湾产业发展基金提供融资。"
    "公司副总经理赵启航表示，青禾新材与东岭大学签署合作协议。"
)
A2_TITLE = "东岭大学储能研究院揭牌"
A2_TEXT = (
    "东岭大学储能研究院揭牌\n"
    "东岭大学储能研究院是东岭大学的二级单位，院长周明远教授介绍了研究方向。"
    "青禾新材与东岭大学深化合作。"
    f"{XSS_EVIDENCE}。"
    "远帆储能科技有限公司落户北沙县。"
)


def entity_iri(type_: str, name: str) -> URIRef:
    """Mint an entity IRI exactly as the contract says."""
    return URIRef(
        f"{ID}entity/{type_}/{quote(unicodedata.normalize('NFC', name), safe='')}"
    )


def article_iri(article_id: str) -> URIRef:
    return URIRef(f"{ID}article/{quote(DOC, safe='')}/{article_id}")


def _hashed(kind: str, *fields: object) -> URIRef:
    digest = hashlib.sha1("|".join(map(str, fields)).encode()).hexdigest()[:20]
    return URIRef(f"{ID}{kind}/{digest}")


A1 = article_iri("a1")
A2 = article_iri("a2")

# name -> (type, aliases, titles, investment)
ENTITIES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], int | None]] = {
    "林晓岚": ("Person", (), ("记者",), None),
    "赵启航": ("Person", (), ("副总经理",), None),
    "周明远": ("Person", (), ("院长", "教授"), None),
    "青禾新材料股份有限公司": ("Company", ("青禾新材",), (), None),
    "远帆储能科技有限公司": ("Company", ("远帆储能",), (), None),
    "东岭大学": ("University", (), (), None),
    "东岭大学储能研究院": ("ResearchInstitute", (), (), None),
    "河湾产业发展基金": ("Organization", (), (), None),
    XSS: ("Organization", ("href-alias",), (), None),
    "河湾市": ("Region", ("河湾",), (), None),
    "云岭省": ("Region", (), (), None),
    "北沙县": ("Region", (), (), None),
    "青禾年产5万吨负极材料项目": ("Project", (), (), 1_200_000_000),
}

# (article, subject, predicate, object, role, evidence); object None = the article
RELATIONS: list[tuple[URIRef, str, str, str | None, str | None, str]] = [
    (A1, "林晓岚", "authorOf", None, None, "林晓岚"),
    (
        A1,
        "赵启航",
        "affiliatedWith",
        "青禾新材料股份有限公司",
        "副总经理",
        "公司副总经理赵启航",
    ),
    (
        A1,
        "青禾新材料股份有限公司",
        "participatesIn",
        "青禾年产5万吨负极材料项目",
        "investor",
        "青禾新材料股份有限公司（以下简称“青禾新材”）投资12亿元建设"
        "青禾年产5万吨负极材料项目",
    ),
    (A1, "青禾年产5万吨负极材料项目", "locatedIn", "河湾市", None, "项目位于河湾市"),
    (
        A1,
        "青禾年产5万吨负极材料项目",
        "fundedBy",
        "河湾产业发展基金",
        None,
        "由河湾产业发展基金提供融资",
    ),
    (
        A1,
        "青禾新材料股份有限公司",
        "collaboratesWith",
        "东岭大学",
        None,
        "青禾新材与东岭大学签署合作协议",
    ),
    (
        A2,
        "东岭大学储能研究院",
        "partOf",
        "东岭大学",
        None,
        "东岭大学储能研究院是东岭大学的二级单位",
    ),
    (A2, "周明远", "affiliatedWith", "东岭大学储能研究院", "院长", "院长周明远"),
    (
        A2,
        "青禾新材料股份有限公司",
        "collaboratesWith",
        "东岭大学",
        None,
        "青禾新材与东岭大学深化合作",
    ),
    (A2, XSS, "collaboratesWith", "东岭大学储能研究院", None, XSS_EVIDENCE),
    (
        A2,
        "远帆储能科技有限公司",
        "locatedIn",
        "北沙县",
        None,
        "远帆储能科技有限公司落户北沙县",
    ),
]

# A direct triple with no assertion: 河湾市 partOf 云岭省 (in a1).
DIRECT_ONLY = (A1, "河湾市", "partOf", "云岭省")

ARTICLES = {
    A1: ("a1", A1_TITLE, A1_TEXT, "林晓岚"),
    A2: ("a2", A2_TITLE, A2_TEXT, ""),
}


def iri(name: str) -> URIRef:
    """Return the IRI of an entity of the sample by its name."""
    return entity_iri(ENTITIES[name][0], name)


def _mentioned(article: URIRef) -> Iterable[str]:
    text = ARTICLES[article][2]
    for name, (_type, aliases, _titles, _inv) in ENTITIES.items():
        if name in text or any(a in text for a in aliases):
            yield name
    if article == A1:
        yield "林晓岚"  # the byline
        yield "云岭省"  # only in the direct triple


def add_article(ds: Dataset, article: URIRef) -> Graph:
    """Add one article's named graph to ``ds`` and return it."""
    art_id, title, text, byline = ARTICLES[article]
    g = ds.graph(article)
    g.add((article, RDF.type, KG.Article))
    g.add((article, KG.title, Literal(title)))
    g.add((article, KG.byline, Literal(byline)))
    g.add((article, KG.articleId, Literal(art_id)))
    g.add((article, KG.document, Literal(DOC)))
    g.add((article, KG.sourceFile, Literal(f"tests/data/{DOC}")))
    g.add((article, KG.text, Literal(text)))
    g.add((article, KG.datePublished, Literal("2025-01-02", datatype=XSD.date)))
    g.add((article, KG.publication, Literal("样例日报")))
    for name in dict.fromkeys(_mentioned(article)):
        type_, aliases, titles, investment = ENTITIES[name]
        e = entity_iri(type_, name)
        g.add((e, RDF.type, KG[type_]))
        g.add((e, RDFS.label, Literal(name, lang="zh")))
        g.add((e, KG.name, Literal(name)))
        g.add((e, KG.mentionedIn, article))
        for alias in aliases:
            g.add((e, KG.alias, Literal(alias)))
        for t in titles:
            g.add((e, KG.title, Literal(t)))
        if investment is not None:
            g.add(
                (e, KG.investmentAmount, Literal(str(investment), datatype=XSD.decimal))
            )
            g.add((e, KG.currency, Literal("CNY")))
            g.add((e, KG.investmentText, Literal("12亿元")))
        start = text.find(name)
        if start >= 0:
            m = _hashed("mention", article, start, start + len(name), name)
            g.add((m, RDF.type, KG.Mention))
            g.add((m, KG.mentionOf, e))
            g.add((m, KG.article, article))
            g.add((m, KG.start, Literal(start)))
            g.add((m, KG.end, Literal(start + len(name))))
            g.add((m, KG.text, Literal(name)))
            g.add((m, PROV.wasGeneratedBy, URIRef(f"{ID}rule/gazetteer")))
            g.add((m, KG.confidence, Literal(0.9)))
    for art, subj, pred, obj, role, evidence in RELATIONS:
        if art != article:
            continue
        s = iri(subj)
        o = article if obj is None else iri(obj)
        g.add((s, KG[pred], o))
        start = text.find(evidence)
        assert start >= 0 or pred == "authorOf", evidence  # a byline is not in text
        a = _hashed("assertion", article, s, pred, o, start)
        g.add((a, RDF.type, KG.Assertion))
        g.add((a, RDF.subject, s))
        g.add((a, RDF.predicate, KG[pred]))
        g.add((a, RDF.object, o))
        if role:
            g.add((a, KG.role, Literal(role)))
        g.add((a, KG.evidence, Literal(evidence)))
        if start >= 0:
            g.add((a, KG.start, Literal(start)))
            g.add((a, KG.end, Literal(start + len(evidence))))
        g.add((a, KG.article, article))
        g.add((a, PROV.wasGeneratedBy, URIRef(f"{ID}rule/sample")))
        g.add((a, KG.confidence, Literal(0.8)))
    if article == DIRECT_ONLY[0]:
        _art, subj, pred, obj = DIRECT_ONLY
        g.add((iri(subj), KG[pred], iri(obj)))
    return g


def fill(ds: Dataset) -> Dataset:
    """Fill ``ds`` with both sample articles and return it."""
    for article in ARTICLES:
        add_article(ds, article)
    return ds


def sample_dataset() -> Dataset:
    """Return a new in-memory Dataset holding the sample."""
    return fill(Dataset())


def sample_document() -> DocumentGraph:
    """Return the same facts as records, for ``kg.rdf`` (no direct-only triple)."""
    articles = tuple(
        Article(
            doc=DOC,
            id=art_id,
            title=title,
            text=text,
            byline=byline,
            date="2025-01-02",
            source=f"tests/data/{DOC}",
            publication="样例日报",
        )
        for art_id, title, text, byline in ARTICLES.values()
    )
    in_articles: dict[str, list[str]] = {}
    for art in ARTICLES:
        for name in dict.fromkeys(_mentioned(art)):
            in_articles.setdefault(name, []).append(ARTICLES[art][0])
    entities = tuple(
        Entity(
            name=name,
            type=type_,
            aliases=aliases,
            articles=tuple(in_articles.get(name, ())),
            titles=titles,
            investment=None if inv is None else Amount(inv, "CNY", "12亿元"),
        )
        for name, (type_, aliases, titles, inv) in ENTITIES.items()
    )
    relations = []
    for art, subj, pred, obj, role, evidence in RELATIONS:
        art_id, _title, text, _byline = ARTICLES[art]
        start = max(text.find(evidence), 0)
        relations.append(
            Relation(
                subject=subj,
                predicate=pred,
                object=art_id if obj is None else obj,
                article=art_id,
                evidence=evidence,
                start=start,
                end=start + len(evidence),
                source="sample",
                confidence=0.8,
                role=role,
            )
        )
    return DocumentGraph(DOC, articles, entities, tuple(relations))
