from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from rdflib import RDF, Dataset, Literal

from kg import analysis
from kg.analysis import Hop
from tests.sample_dataset import (
    A1,
    A1_TITLE,
    A2,
    DIRECT_ONLY,
    ENTITIES,
    ID,
    KG,
    RELATIONS,
    XSS,
    fill,
    iri,
    sample_dataset,
    sample_document,
)

# (start, end) named by label, alias or IRI -> the hops' (subject, predicate, object)
PATHS = [
    (
        "赵启航",
        "周明远",
        [
            ("赵启航", "affiliatedWith", "青禾新材料股份有限公司"),
            ("青禾新材料股份有限公司", "collaboratesWith", "东岭大学"),
            ("东岭大学储能研究院", "partOf", "东岭大学"),
            ("周明远", "affiliatedWith", "东岭大学储能研究院"),
        ],
    ),
    (
        "青禾新材",  # an alias
        " 河 湾 ",  # another alias, with white space
        [
            ("青禾新材料股份有限公司", "participatesIn", "青禾年产5万吨负极材料项目"),
            ("青禾年产5万吨负极材料项目", "locatedIn", "河湾市"),
        ],
    ),
    (
        str(iri("云岭省")),  # an IRI
        "河湾市",
        [("河湾市", "partOf", "云岭省")],
    ),
    (
        "林晓岚",
        A1_TITLE,  # an article node, by its title
        [("林晓岚", "authorOf", A1_TITLE)],
    ),
]


@pytest.fixture(scope="module")
def g() -> nx.MultiDiGraph:
    return analysis.to_networkx(sample_dataset())


def _signature(graph: nx.MultiDiGraph) -> tuple[list, list]:
    return list(graph.nodes(data=True)), list(graph.edges(keys=True, data=True))


def _open(store: str, tmp_path: Path) -> Dataset:
    """Open an empty Dataset through kg.store when it is there, else rdflib."""
    try:
        from kg.store import open_dataset
    except ImportError:
        ds = Dataset(store={"memory": "Memory", "oxigraph": "Oxigraph"}[store])
        if store == "oxigraph":
            ds.open(str(tmp_path / "store"), create=True)
        return ds
    return open_dataset(store, tmp_path / "store" if store == "oxigraph" else None)


# -- to_networkx ----------------------------------------------------------------------


def test_nodes_are_the_entities_and_the_authored_article(g: nx.MultiDiGraph) -> None:
    expected = {str(iri(name)) for name in ENTITIES} | {str(A1)}
    assert set(g) == expected
    for name, (type_, *_rest) in ENTITIES.items():
        data = g.nodes[str(iri(name))]
        assert (data["label"], data["type"]) == (name, type_)
    article = g.nodes[str(A1)]
    assert (article["type"], article["label"]) == ("Article", A1_TITLE)
    assert article["byline"] == "林晓岚"
    # a2 has no byline, so no authorOf edge makes it a node
    assert str(A2) not in g


def test_node_attributes(g: nx.MultiDiGraph) -> None:
    company = g.nodes[str(iri("青禾新材料股份有限公司"))]
    assert company["aliases"] == ["青禾新材"]
    assert company["articles"] == sorted([str(A1), str(A2)])
    assert company["investment"] is None
    assert g.nodes[str(iri("周明远"))]["titles"] == ["教授", "院长"]
    project = g.nodes[str(iri("青禾年产5万吨负极材料项目"))]
    assert project["investment"] == 1_200_000_000.0
    assert isinstance(project["investment"], float)
    assert (project["currency"], project["investment_text"]) == ("CNY", "12亿元")
    assert g.nodes[str(iri("河湾市"))]["aliases"] == ["河湾"]
    # the label never repeats among the aliases
    assert all(d["label"] not in d["aliases"] for _n, d in g.nodes(data=True))


def test_one_edge_per_assertion_and_per_unstated_direct_triple(
    g: nx.MultiDiGraph,
) -> None:
    # every relation has both a direct triple and an assertion: one edge each,
    # plus the direct triple that no assertion states
    assert g.number_of_edges() == len(RELATIONS) + 1
    company, university = str(iri("青禾新材料股份有限公司")), str(iri("东岭大学"))
    stated_twice = g.get_edge_data(company, university)
    assert len(stated_twice) == 2
    assert sorted(d["evidence"] for d in stated_twice.values()) == sorted(
        ["青禾新材与东岭大学签署合作协议", "青禾新材与东岭大学深化合作"]
    )
    assert sorted(d["article"] for d in stated_twice.values()) == sorted(
        [str(A1), str(A2)]
    )
    assert all(key == d["assertion"] for key, d in stated_twice.items())


def test_edge_attributes_come_from_the_assertion(g: nx.MultiDiGraph) -> None:
    (data,) = g.get_edge_data(
        str(iri("赵启航")), str(iri("青禾新材料股份有限公司"))
    ).values()
    assert data["predicate"] == "affiliatedWith"
    assert data["role"] == "副总经理"
    assert data["evidence"] == "公司副总经理赵启航"
    assert data["article"] == str(A1)
    assert data["confidence"] == pytest.approx(0.8)
    assert data["assertion"].startswith(ID + "assertion/")


def test_direct_triple_without_assertion_still_gives_an_edge(
    g: nx.MultiDiGraph,
) -> None:
    graph, subj, pred, obj = DIRECT_ONLY
    (data,) = g.get_edge_data(str(iri(subj)), str(iri(obj))).values()
    assert data["predicate"] == pred
    assert data["evidence"] is None and data["role"] is None
    assert data["article"] == str(graph)


def test_author_of_points_to_the_article_node(g: nx.MultiDiGraph) -> None:
    (data,) = g.get_edge_data(str(iri("林晓岚")), str(A1)).values()
    assert data["predicate"] == "authorOf"


def test_nodes_and_edges_are_sorted_and_stable() -> None:
    first = analysis.to_networkx(sample_dataset())
    second = analysis.to_networkx(sample_dataset())
    assert _signature(first) == _signature(second)
    assert list(first) == sorted(first)
    edges = [(u, v, str(k)) for u, v, k in first.edges(keys=True)]
    assert edges == sorted(edges)


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_same_graph_on_every_store(
    store: str, tmp_path: Path, g: nx.MultiDiGraph
) -> None:
    if store == "oxigraph":
        pytest.importorskip("oxrdflib")
    ds = _open(store, tmp_path)
    try:
        fill(ds)
        got = analysis.to_networkx(ds)
    finally:
        ds.close()
    assert sorted(got.nodes(data=True)) == sorted(g.nodes(data=True))
    assert sorted(got.edges(keys=True, data=True)) == sorted(
        g.edges(keys=True, data=True)
    )


def test_reads_what_kg_rdf_writes(g: nx.MultiDiGraph) -> None:
    rdf = pytest.importorskip("kg.rdf")
    built = analysis.to_networkx(rdf.to_dataset(sample_document()))
    assert {n: (d["label"], d["type"]) for n, d in built.nodes(data=True)} == {
        n: (d["label"], d["type"]) for n, d in g.nodes(data=True)
    }

    def facts(graph: nx.MultiDiGraph) -> list[tuple[str, ...]]:
        return sorted(
            (u, d["predicate"], v, d["evidence"] or "", d["role"] or "", d["article"])
            for u, v, d in graph.edges(data=True)
        )

    _graph, subj, pred, obj = DIRECT_ONLY
    unstated = (str(iri(subj)), pred, str(iri(obj)), "", "", str(A1))
    assert facts(built) == [f for f in facts(g) if f != unstated]


def test_untyped_ends_get_type_and_label_from_their_iri() -> None:
    ds = Dataset()
    graph = ds.graph(A1)
    company, region = iri("远帆储能科技有限公司"), iri("北沙县")
    graph.add((company, KG.locatedIn, region))
    graph.add((region, RDF.type, KG.Region))
    graph.add((region, KG.name, Literal("北沙县")))
    got = analysis.to_networkx(ds)
    assert got.nodes[str(company)]["type"] == "Company"
    assert got.nodes[str(company)]["label"] == "远帆储能科技有限公司"
    assert got.nodes[str(region)]["label"] == "北沙县"
    assert got.number_of_edges() == 1


def test_empty_dataset_gives_an_empty_graph() -> None:
    empty = analysis.to_networkx(Dataset())
    assert empty.number_of_nodes() == 0
    assert analysis.degree_centrality(empty) == []
    assert analysis.communities(empty) == []
    assert analysis.connected_pair(empty) is None


# -- the questions --------------------------------------------------------------------


def test_degree_centrality_counts_distinct_neighbours(g: nx.MultiDiGraph) -> None:
    ranked = analysis.degree_centrality(g)
    assert len(ranked) == g.number_of_nodes()
    scores = [s for _n, _l, s in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
    by_label = {label: s for _n, label, s in ranked}
    n = g.number_of_nodes() - 1
    # two collaboratesWith edges to 东岭大学 count as one neighbour
    assert by_label["青禾新材料股份有限公司"] == pytest.approx(3 / n)
    assert by_label["东岭大学"] == pytest.approx(2 / n)
    top = {label for _n, label, _s in ranked[:3]}
    assert top == {
        "青禾新材料股份有限公司",
        "东岭大学储能研究院",
        "青禾年产5万吨负极材料项目",
    }


@pytest.mark.parametrize(("a", "b", "expected"), PATHS)
def test_shortest_path(g: nx.MultiDiGraph, a: str, b: str, expected: list) -> None:
    hops = analysis.shortest_path(g, a, b)
    assert [(h.subject, h.predicate, h.object) for h in hops] == expected
    assert all(isinstance(h, Hop) for h in hops)


def test_shortest_path_gives_each_hops_evidence(g: nx.MultiDiGraph) -> None:
    hops = analysis.shortest_path(g, "赵启航", "周明远")
    assert [h.evidence for h in hops] == [
        "公司副总经理赵启航",
        "青禾新材与东岭大学签署合作协议",  # of two, the one with the least key
        "东岭大学储能研究院是东岭大学的二级单位",
        "院长周明远",
    ]
    # a hop over a direct triple has no evidence
    assert analysis.shortest_path(g, "云岭省", "河湾市")[0].evidence is None
    subject, predicate, obj, evidence = hops[0]  # a hop unpacks as four values
    assert (subject, predicate, obj, evidence) == tuple(hops[0])


def test_shortest_path_edge_cases(g: nx.MultiDiGraph) -> None:
    assert analysis.shortest_path(g, "赵启航", "北沙县") == []  # another component
    assert analysis.shortest_path(g, "河湾", "河湾市") == []  # the same node
    with pytest.raises(nx.NodeNotFound, match="no node named '无此公司'"):
        analysis.shortest_path(g, "无此公司", "河湾市")


def test_find_node(g: nx.MultiDiGraph) -> None:
    assert analysis.find_node(g, "东岭大学") == str(iri("东岭大学"))
    assert analysis.find_node(g, "远帆储能") == str(iri("远帆储能科技有限公司"))
    assert analysis.find_node(g, str(A1)) == str(A1)
    assert analysis.find_node(g, XSS) == str(iri(XSS))
    assert analysis.find_node(g, "无此公司") is None


def test_find_node_prefers_a_label_then_the_best_connected() -> None:
    h = nx.MultiDiGraph()
    h.add_node("x:city", label="河湾市", aliases=["河湾"])
    h.add_node("x:zone", label="河湾", aliases=[])
    h.add_node("x:a", label="甲", aliases=["同名"])
    h.add_node("x:b", label="乙", aliases=["同名"])
    h.add_edge("x:b", "x:city")
    assert analysis.find_node(h, "河湾") == "x:zone"
    assert analysis.find_node(h, "同名") == "x:b"


def test_communities_partition_the_nodes(g: nx.MultiDiGraph) -> None:
    found = analysis.communities(g)
    members = [n for c in found for n in c]
    assert sorted(members) == sorted(g)  # every node once
    assert [len(c) for c in found] == sorted((len(c) for c in found), reverse=True)
    assert all(c == sorted(c) for c in found)
    apart = {str(iri("远帆储能科技有限公司")), str(iri("北沙县"))}
    assert apart in [set(c) for c in found]
    assert analysis.communities(g, seed=0) == found


def test_connected_pair_is_joined_by_a_longer_path(g: nx.MultiDiGraph) -> None:
    pair = analysis.connected_pair(g)
    assert pair is not None
    a, b = pair
    hops = analysis.shortest_path(g, a, b)
    assert len(hops) >= 2
    top = [n for n, _l, _s in analysis.degree_centrality(g)[:3]]
    assert a in top


def test_counts(g: nx.MultiDiGraph) -> None:
    types = analysis.count_nodes_by_type(g)
    assert types["Person"] == 3 and types["Region"] == 3 and types["Article"] == 1
    assert "GovernmentAgency" not in types
    assert list(types.values()) == sorted(types.values(), reverse=True)
    predicates = analysis.count_edges_by_predicate(g)
    assert predicates["collaboratesWith"] == 3
    assert predicates["partOf"] == 2
    assert sum(predicates.values()) == g.number_of_edges()
    assert analysis.labels(g, [str(iri("河湾市")), str(A1)]) == ["河湾市", A1_TITLE]


def test_shortest_path_prefers_an_edge_with_evidence() -> None:
    h = nx.MultiDiGraph()
    h.add_node("x:u", label="甲")
    h.add_node("x:v", label="乙")
    h.add_edge("x:u", "x:v", key="a", predicate="partOf", evidence=None)
    h.add_edge(
        "x:v", "x:u", key="b", predicate="collaboratesWith", evidence="乙与甲合作"
    )
    assert analysis.shortest_path(h, "甲", "乙") == [
        Hop("乙", "collaboratesWith", "甲", "乙与甲合作")
    ]
