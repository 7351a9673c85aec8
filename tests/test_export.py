"""Tests for kg.export: every format, from both stores, reads back."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Dataset, Graph, Literal

from kg.errors import ConfigError
from kg.export import EXPORT_FORMATS, _projection, export
from kg.namespace import KG
from kg.rdf import article_iri, document_quads, entity_iri
from kg.records import Amount, Article, DocumentGraph, Entity, Relation
from kg.store import STORE_PLUGINS, open_dataset, replace_document

pytest.importorskip("oxrdflib")

TEXT = "金桥港口扩建\n金桥港务集团投资3亿元扩建金桥港三期工程，港城市政府支持。"


def document() -> DocumentGraph:
    art = Article("港口.txt", "a1", "金桥港口扩建", TEXT, byline="记者 孟夏")
    other = Article("港口.txt", "a2", "简讯", "简讯\n金桥港务集团获奖。")
    project = "金桥港三期工程"
    return DocumentGraph(
        "港口.txt",
        (art, other),
        (
            Entity(
                "金桥港务集团", "Company", aliases=("金桥港务",), articles=("a1", "a2")
            ),
            Entity(
                project,
                "Project",
                articles=("a1",),
                investment=Amount(300_000_000, "CNY", "3亿元"),
            ),
            Entity("港城市", "Region", articles=("a1",)),
            Entity("孟夏", "Person", articles=("a1",), titles=("记者",)),
        ),
        (
            Relation(
                "金桥港务集团",
                "participatesIn",
                project,
                "a1",
                "金桥港务集团投资3亿元扩建金桥港三期工程",
                7,
                27,
                "t",
                0.9,
                "investor",
            ),
            Relation(
                project,
                "locatedIn",
                "港城市",
                "a1",
                "金桥港三期工程，港城市",
                17,
                28,
                "t",
            ),
            Relation("孟夏", "authorOf", "a1", "a1", "记者 孟夏", 0, 0, "byline"),
        ),
    )


@pytest.fixture(params=sorted(STORE_PLUGINS))
def dataset(request: pytest.FixtureRequest) -> Iterator[Dataset]:
    ds = open_dataset(request.param)
    doc = document()
    replace_document(ds, document_quads(doc), doc.source)
    yield ds
    ds.close()


def exported(ds: Dataset, fmt: str) -> bytes:
    buffer = io.BytesIO()
    export(ds, fmt, buffer)
    return buffer.getvalue()


def test_turtle_is_the_union(dataset: Dataset) -> None:
    def value(
        o: object,
    ) -> object:  # Turtle writes the decimal 300000000 as 300000000.0
        return o.toPython() if isinstance(o, Literal) else o

    graph = Graph().parse(data=exported(dataset, "ttl"), format="turtle")
    union = {
        (s, p, value(o)) for s, p, o, _g in dataset.quads((None, None, None, None))
    }
    assert {(s, p, value(o)) for s, p, o in graph} == union
    assert b'"^^xsd:string' not in exported(
        dataset, "ttl"
    )  # Oxigraph's plain literals stay plain


@pytest.mark.parametrize(
    ("fmt", "parse_as"), [("trig", "trig"), ("nq", "nquads"), ("jsonld", "json-ld")]
)
def test_named_graph_formats_keep_the_articles(
    dataset: Dataset, fmt: str, parse_as: str
) -> None:
    copy = Dataset()
    copy.parse(data=exported(dataset, fmt), format=parse_as)
    names = {g.identifier for g in copy.graphs() if len(g)}
    doc = document()
    assert names == {article_iri(a) for a in doc.articles}
    company = entity_iri("Company", "金桥港务集团")
    a2 = article_iri(doc.articles[1])
    assert (company, KG.name, Literal("金桥港务集团")) in copy.graph(a2)


def test_every_format_is_the_same_from_both_stores() -> None:
    outputs: dict[str, list[bytes]] = {fmt: [] for fmt in EXPORT_FORMATS}
    for store in sorted(STORE_PLUGINS):
        ds = open_dataset(store)
        doc = document()
        replace_document(ds, document_quads(doc), doc.source)
        for fmt in EXPORT_FORMATS:
            outputs[fmt].append(exported(ds, fmt))
        ds.close()
    for fmt, (memory, oxigraph) in outputs.items():
        if fmt == "nq":  # N-Quads come in store order
            assert sorted(memory.splitlines()) == sorted(oxigraph.splitlines())
        else:
            assert memory == oxigraph, fmt


def test_graphml_round_trips_through_networkx(dataset: Dataset, tmp_path: Path) -> None:
    path = tmp_path / "graph.graphml"
    export(dataset, "graphml", path)
    graph = nx.read_graphml(path, force_multigraph=True)
    company = str(entity_iri("Company", "金桥港务集团"))
    project = str(entity_iri("Project", "金桥港三期工程"))
    assert graph.nodes[company]["label"] == "金桥港务集团"
    assert graph.nodes[company]["type"] == "Company"
    assert graph.nodes[company]["aliases"] == "金桥港务"
    assert graph.nodes[company]["articles"] == 2
    assert graph.nodes[project]["investment"] == "300000000"
    [edge] = graph.get_edge_data(company, project).values()
    assert edge["predicate"] == "participatesIn" and edge["role"] == "investor"
    assert edge["evidence"].startswith("金桥港务集团投资3亿元")
    article = str(article_iri(document().articles[0]))
    assert graph.nodes[article]["type"] == "Article"
    assert graph.nodes[article]["label"] == "金桥港口扩建"
    assert graph.number_of_edges() == 3


def test_gexf_reads_back(dataset: Dataset) -> None:
    graph = nx.read_gexf(io.BytesIO(exported(dataset, "gexf")))
    assert graph.number_of_nodes() == 5  # four entities and the authored article
    assert graph.number_of_edges() == 3


def test_projection_has_only_string_or_int_attributes(dataset: Dataset) -> None:
    graph = _projection(dataset.quads((None, None, None, None)))
    for _n, data in graph.nodes(data=True):
        assert all(isinstance(v, str | int) for v in data.values())
    for _s, _o, data in graph.edges(data=True):
        assert all(isinstance(v, str | int) for v in data.values())


def test_csv_has_entities_then_relations(dataset: Dataset) -> None:
    text = io.StringIO()
    export(dataset, "csv", text)
    rows = list(csv.DictReader(io.StringIO(text.getvalue())))
    kinds = [r["kind"] for r in rows]
    assert kinds == ["entity"] * 4 + ["relation"] * 3
    by_name = {r["name"]: r for r in rows if r["kind"] == "entity"}
    assert by_name["孟夏"]["titles"] == "记者"
    assert by_name["金桥港三期工程"]["currency"] == "CNY"
    relation = next(r for r in rows if r["predicate"] == "locatedIn")
    assert (
        relation["subject"],
        relation["subject_type"],
        relation["object"],
        relation["object_type"],
    ) == ("金桥港三期工程", "Project", "港城市", "Region")
    assert relation["articles"] == "1"


def test_jsonld_is_json(dataset: Dataset) -> None:
    assert json.loads(exported(dataset, "jsonld"))


def test_unknown_format(dataset: Dataset) -> None:
    with pytest.raises(
        ConfigError, match=r"unknown export format 'rdfxml'; use one of \['ttl'"
    ):
        export(dataset, "rdfxml", io.BytesIO())


def test_min_confidence_leaves_out_less_sure_relations(dataset: Dataset) -> None:
    buffer = io.BytesIO()
    export(dataset, "ttl", buffer, min_confidence=0.95)
    graph = Graph().parse(data=buffer.getvalue(), format="turtle")
    assert not list(graph.triples((None, KG.participatesIn, None)))
    assert len(list(graph.triples((None, KG.locatedIn, None)))) == 1
    confidences = {float(o) for o in graph.objects(None, KG.confidence)}
    assert 0.9 not in confidences
    everything = Graph().parse(data=exported(dataset, "ttl"), format="turtle")
    assert len(list(everything.triples((None, KG.participatesIn, None)))) == 1
    buffer = io.BytesIO()
    export(dataset, "graphml", buffer, min_confidence=0.95)
    kept = nx.read_graphml(io.BytesIO(buffer.getvalue()))
    predicates = {d.get("predicate") for _s, _o, d in kept.edges(data=True)}
    assert "participatesIn" not in predicates and "locatedIn" in predicates
