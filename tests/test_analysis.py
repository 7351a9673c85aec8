from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from rdflib import RDF, Dataset, Literal

from kg import analysis
from kg.analysis import Hop
from kg.records import ENTITY_TYPES
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


# -- the store ------------------------------------------------------------------------


def test_existing_store_refuses_a_missing_store(tmp_path: Path) -> None:
    from kg.errors import StoreError

    missing = tmp_path / "no-store"
    with (
        pytest.raises(StoreError, match="no store here"),
        analysis.existing_store(missing),
    ):
        pass
    with pytest.raises(StoreError, match="no store here"):
        analysis.load_graph(missing)
    assert not missing.exists()


def test_load_graph_reads_a_built_store(tmp_path: Path, g: nx.MultiDiGraph) -> None:
    pytest.importorskip("oxrdflib")
    from kg import store

    path = tmp_path / "store"
    with store.opened_dataset("oxigraph", path) as ds:
        fill(ds)
    loaded = analysis.load_graph(path)
    assert sorted(loaded.nodes(data=True)) == sorted(g.nodes(data=True))
    assert loaded.number_of_edges() == g.number_of_edges()
    assert loaded.graph["articles"][str(A2)]["title"] == "东岭大学储能研究院揭牌"


# -- projections ----------------------------------------------------------------------


def _edge_rows(b: nx.Graph) -> dict[tuple[str, str], dict]:
    return {
        (b.nodes[u]["label"], b.nodes[v]["label"]): d for u, v, d in b.edges(data=True)
    }


def test_organization_project_graph(g: nx.MultiDiGraph) -> None:
    b = analysis.organization_project_graph(g)
    project = "青禾年产5万吨负极材料项目"
    rows = _edge_rows(b)
    # every edge reads organization -> project, whatever the relation's direction
    assert set(rows) == {
        ("青禾新材料股份有限公司", project),
        ("河湾产业发展基金", project),  # project fundedBy fund
    }
    investor = rows[("青禾新材料股份有限公司", project)]
    assert investor["roles"] == ["investor"]
    assert investor["predicates"] == ["participatesIn"]
    assert investor["weight"] == 1
    assert investor["articles"] == [str(A1)]
    assert investor["evidence"][0].endswith(project)
    assert rows[("河湾产业发展基金", project)]["predicates"] == ["fundedBy"]
    sides = {b.nodes[n]["label"]: b.nodes[n]["bipartite"] for n in b}
    assert sides == {"青禾新材料股份有限公司": 0, "河湾产业发展基金": 0, project: 1}
    assert nx.is_bipartite(b)


def test_person_organization_graph(g: nx.MultiDiGraph) -> None:
    rows = _edge_rows(analysis.person_organization_graph(g))
    assert {k: v["roles"] for k, v in rows.items()} == {
        ("赵启航", "青禾新材料股份有限公司"): ["副总经理"],
        ("周明远", "东岭大学储能研究院"): ["院长"],
    }  # 林晓岚 only wrote an article


def test_bipartite_projection_counts_every_relation_of_a_pair(
    g: nx.MultiDiGraph,
) -> None:
    b = analysis.bipartite_projection(g, ["Company"], ["University"])
    (data,) = _edge_rows(b).values()
    assert data["weight"] == 2  # two articles state the collaboration
    assert data["articles"] == sorted([str(A1), str(A2)])
    assert len(data["evidence"]) == 2
    none = analysis.bipartite_projection(g, ["Company"], ["University"], ["partOf"])
    assert none.number_of_edges() == 0


def test_co_mention_graph(g: nx.MultiDiGraph) -> None:
    cm = analysis.co_mention_graph(g)
    by_label = {cm.nodes[n]["label"]: n for n in cm}
    assert A1_TITLE not in by_label  # articles are not entities
    both = cm.edges[by_label["青禾新材料股份有限公司"], by_label["东岭大学"]]
    assert both["weight"] == 2
    assert both["articles"] == sorted([str(A1), str(A2)])
    assert not cm.has_edge(by_label["赵启航"], by_label["周明远"])  # never together
    assert cm.has_edge(by_label["远帆储能科技有限公司"], by_label["周明远"])
    for u, v, data in cm.edges(data=True):
        shared = set(g.nodes[u]["articles"]) & set(g.nodes[v]["articles"])
        assert data["weight"] == len(shared) >= 1
    strong = analysis.co_mention_graph(g, min_articles=2)
    assert {frozenset(cm.nodes[n]["label"] for n in e) for e in strong.edges} == {
        frozenset({"青禾新材料股份有限公司", "东岭大学"})
    }


# -- centrality -----------------------------------------------------------------------


def test_betweenness_centrality(g: nx.MultiDiGraph) -> None:
    ranked = analysis.betweenness_centrality(g)
    assert len(ranked) == g.number_of_nodes()
    by_label = {label: s for _n, label, s in ranked}
    assert by_label["赵启航"] == 0.0  # a leaf brokers nothing
    assert by_label["东岭大学"] > by_label["东岭大学储能研究院"] > 0.0
    assert ranked[0][1] == "青禾新材料股份有限公司"
    scores = [s for _n, _l, s in ranked]
    assert scores == sorted(scores, reverse=True)
    n = g.number_of_nodes()
    assert analysis.betweenness_centrality(g, samples=n) == ranked  # not fewer: exact
    sampled = analysis.betweenness_centrality(g, samples=4, seed=1)
    assert sampled == analysis.betweenness_centrality(g, samples=4, seed=1)


def test_pagerank_follows_the_relations(g: nx.MultiDiGraph) -> None:
    ranked = analysis.pagerank(g)
    assert sum(s for _n, _l, s in ranked) == pytest.approx(1.0)
    by_label = {label: s for _n, label, s in ranked}
    # 河湾市 is pointed to by the project and points to 云岭省, which gets it all
    assert by_label["云岭省"] > by_label["河湾市"] > by_label["赵启航"]
    assert analysis.pagerank(nx.MultiDiGraph()) == []


def test_pagerank_agrees_with_networkx(g: nx.MultiDiGraph) -> None:
    from networkx.algorithms.link_analysis import pagerank_alg

    reference = getattr(pagerank_alg, "_pagerank_python", None)
    if reference is None:
        pytest.skip("this networkx has no pure-Python pagerank to compare with")
    d = nx.DiGraph()
    d.add_nodes_from(g)
    for u, v, p in g.edges(data="predicate"):
        pairs = [(u, v), (v, u)] if p == "collaboratesWith" else [(u, v)]
        for x, y in pairs:
            w = d.edges[x, y]["weight"] + 1 if d.has_edge(x, y) else 1
            d.add_edge(x, y, weight=w)
    expected = reference(d, alpha=0.85, tol=1e-12, max_iter=500)
    got = {n: s for n, _l, s in analysis.pagerank(g)}
    assert got == pytest.approx(expected, abs=1e-8)


def test_centrality_frame(g: nx.MultiDiGraph) -> None:
    frame = analysis.centrality_frame(g)
    assert list(frame.columns) == [
        "node",
        "label",
        "type",
        "neighbours",
        "degree",
        "betweenness",
        "pagerank",
    ]
    assert list(frame["node"]) == [n for n, _l, _s in analysis.degree_centrality(g)]
    between = dict((n, s) for n, _l, s in analysis.betweenness_centrality(g))
    ranks = dict((n, s) for n, _l, s in analysis.pagerank(g))
    for row in frame.itertuples():
        assert row.betweenness == between[row.node]
        assert row.pagerank == ranks[row.node]
    row = frame[frame["label"] == "东岭大学"].iloc[0]
    assert row["neighbours"] == 2 and row["type"] == "University"
    top = frame.nlargest(1, "betweenness")["label"].iloc[0]
    assert top == analysis.betweenness_centrality(g)[0][1]


# -- communities ----------------------------------------------------------------------


def test_describe_communities_says_what_binds_them(g: nx.MultiDiGraph) -> None:
    described = analysis.describe_communities(g, seed=0)
    assert [list(c.members) for c in described] == analysis.communities(g, seed=0)
    assert [c.number for c in described] == list(range(1, len(described) + 1))
    apart = next(c for c in described if str(iri("北沙县")) in c.members)
    assert apart.size == 2
    assert apart.predicates == (("locatedIn", 1),)
    assert set(apart.hubs) == {"远帆储能科技有限公司", "北沙县"}
    assert apart.types == (("Company", 1), ("Region", 1))
    assert apart.articles == (("东岭大学储能研究院揭牌", 2),)
    for c in described:
        inside = set(c.members)
        internal = sum(
            1 for u, v in g.edges() if u in inside and v in inside and u != v
        )
        assert sum(k for _p, k in c.predicates) <= internal
        assert len(c.hubs) <= 3


def test_communities_frame(g: nx.MultiDiGraph) -> None:
    frame = analysis.communities_frame(g, seed=0)
    found = analysis.communities(g, seed=0)
    assert len(frame) == len(found)
    assert list(frame["size"]) == [len(c) for c in found]
    assert frame["size"].sum() == g.number_of_nodes()
    row = frame[frame["hubs"].str.contains("北沙县")].iloc[0]
    assert row["relations"] == "locatedIn 1"
    assert row["articles"] == "东岭大学储能研究院揭牌 2"


# -- paths and neighbourhoods ---------------------------------------------------------


def test_all_paths(g: nx.MultiDiGraph) -> None:
    paths = analysis.all_paths(g, "赵启航", "周明远", cutoff=6)
    assert paths == [analysis.shortest_path(g, "赵启航", "周明远")]  # a tree here
    assert all(h.evidence for p in paths for h in p)
    assert analysis.all_paths(g, "赵启航", "周明远", cutoff=3) == []
    assert analysis.all_paths(g, "赵启航", "北沙县") == []  # another component
    assert analysis.all_paths(g, "河湾", "河湾市") == []  # the same node
    with pytest.raises(nx.NodeNotFound, match="no node named '无此公司'"):
        analysis.all_paths(g, "赵启航", "无此公司")


def test_all_paths_shortest_first() -> None:
    h = nx.MultiDiGraph()
    for node, label in [("x:a", "甲"), ("x:b", "乙"), ("x:c", "丙"), ("x:d", "丁")]:
        h.add_node(node, label=label)
    h.add_edge("x:a", "x:d", predicate="partOf", evidence="甲属于丁")
    h.add_edge("x:a", "x:b", predicate="collaboratesWith", evidence="甲与乙合作")
    h.add_edge("x:c", "x:b", predicate="affiliatedWith", evidence=None)
    h.add_edge("x:c", "x:d", predicate="locatedIn", evidence="丙在丁")
    paths = analysis.all_paths(h, "甲", "丁")
    assert paths == [
        [Hop("甲", "partOf", "丁", "甲属于丁")],
        [
            Hop("甲", "collaboratesWith", "乙", "甲与乙合作"),
            Hop("丙", "affiliatedWith", "乙", None),
            Hop("丙", "locatedIn", "丁", "丙在丁"),
        ],
    ]
    assert analysis.all_paths(h, "甲", "丁", limit=1) == paths[:1]
    assert analysis.all_paths(h, "甲", "丁", cutoff=2) == paths[:1]
    assert analysis.all_paths(h, "甲", "丁", limit=0) == []


def test_ego_network(g: nx.MultiDiGraph) -> None:
    ego = analysis.ego_network(g, "东岭大学")
    assert set(analysis.labels(ego, ego)) == {
        "东岭大学",
        "青禾新材料股份有限公司",
        "东岭大学储能研究院",
    }
    assert ego.number_of_edges() == 3  # two collaborations and partOf
    assert ego.nodes[str(iri("东岭大学"))] == g.nodes[str(iri("东岭大学"))]
    wider = analysis.ego_network(g, "东岭大学", radius=2)
    assert set(ego) < set(wider)
    assert str(iri("周明远")) in wider
    ego.add_node("x:new")  # a copy: the graph itself is untouched
    assert "x:new" not in g
    with pytest.raises(nx.NodeNotFound):
        analysis.ego_network(g, "无此公司")


# -- graphs and query results as DataFrames -------------------------------------------


def test_nodes_and_edges_frames(g: nx.MultiDiGraph) -> None:
    nodes = analysis.nodes_frame(g)
    assert len(nodes) == g.number_of_nodes()
    assert list(nodes.columns[:4]) == ["node", "label", "type", "neighbours"]
    qh = nodes[nodes["label"] == "青禾新材料股份有限公司"].iloc[0]
    assert qh["aliases"] == "青禾新材" and qh["articles"] == 2
    assert qh["neighbours"] == 3
    edges = analysis.edges_frame(g)
    assert len(edges) == g.number_of_edges()
    assert list(edges.columns[:5]) == [
        "source",
        "predicate",
        "target",
        "source_type",
        "target_type",
    ]
    assert list(edges.columns[-2:]) == ["source_id", "target_id"]
    row = edges[edges["source"] == "赵启航"].iloc[0]
    assert (row["predicate"], row["target"], row["role"]) == (
        "affiliatedWith",
        "青禾新材料股份有限公司",
        "副总经理",
    )
    assert row["evidence"] == "公司副总经理赵启航"
    empty = analysis.edges_frame(nx.Graph())
    assert len(empty) == 0 and "source" in empty.columns


def _union_dataset() -> Dataset:
    from kg import store

    ds = fill(store.open_dataset("memory"))
    store.refresh_derived(ds)  # as kg build ends: the counts and ranks queries read
    return ds


def test_query_frame_runs_saved_queries() -> None:
    ds = _union_dataset()
    largest = analysis.query_frame(ds, "largest-projects")
    assert list(largest.columns) == [
        "project",
        "investment",
        "currency",
        "investmentText",
        "regions",
    ]
    assert largest["project"].tolist() == ["青禾年产5万吨负极材料项目"]
    assert largest["investment"].tolist() == [1.2e9]
    assert largest["investment"].dtype.kind == "f"
    evidence = analysis.query_frame(ds, "evidence-of", name="北沙县")
    assert "远帆储能科技有限公司落户北沙县" in evidence.to_string()


def test_query_frame_runs_query_text_with_bound_values() -> None:
    ds = _union_dataset()
    frame = analysis.query_frame(
        ds,
        "SELECT ?e ?amount WHERE { ?e kg:name ?name . "
        "OPTIONAL { ?e kg:investmentAmount ?amount } }",
        name="东岭大学",
    )
    assert frame["e"].tolist() == [str(iri("东岭大学"))]
    assert frame["amount"].isna().all()
    counts = analysis.query_frame(
        ds, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a kg:Person }"
    )
    assert counts["n"].tolist() == [3] and counts["n"].dtype.kind == "i"


def test_query_frame_errors() -> None:
    from kg.errors import QueryError

    ds = _union_dataset()
    with pytest.raises(QueryError, match="unknown saved query 'no-such-query'"):
        analysis.query_frame(ds, "no-such-query")
    with pytest.raises(QueryError, match="give a SELECT query"):
        analysis.query_frame(ds, "ASK { ?s ?p ?o }")
    with pytest.raises(QueryError, match="needs the parameters name"):
        analysis.query_frame(ds, "evidence-of")


def test_investment_by_type() -> None:
    pd = pytest.importorskip("pandas")
    investors = pd.DataFrame(
        [
            ("甲公司", "Company", "investor", "一号项目", 10.0),
            ("乙公司", "Company", "builder", "一号项目", 10.0),
            ("乙公司", "Company", "investor", "二号项目", None),
            ("丙大学", "University", "investor", "一号项目", 10.0),
            ("丁局", "GovernmentAgency", None, "三号项目", 4.0),
        ],
        columns=["organization", "organizationType", "role", "project", "investment"],
    )
    got = analysis.investment_by_type(investors)
    assert got.to_dict("records") == [
        {
            "organizationType": "Company",
            "organizations": 2,
            "projects": 2,
            "withInvestment": 1,
            "investment": 10.0,  # 一号项目 once, though two companies take part
            "roles": "investor 2, builder 1",
        },
        {
            "organizationType": "University",
            "organizations": 1,
            "projects": 1,
            "withInvestment": 1,
            "investment": 10.0,
            "roles": "investor 1",
        },
        {
            "organizationType": "GovernmentAgency",
            "organizations": 1,
            "projects": 1,
            "withInvestment": 1,
            "investment": 4.0,
            "roles": "",
        },
    ]
    assert len(analysis.investment_by_type(investors.iloc[0:0])) == 0


# -- charts ---------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n"


def test_bar_chart_renders_a_png() -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("matplotlib")
    frame = pd.DataFrame(
        {"name": [f"项目{i}" for i in range(8)], "amount": [*range(7), None]}
    )
    chart = analysis.bar_chart(
        frame, "name", "amount", title="投资", top=5, scale=2, unit="亿元"
    )
    assert chart.png().startswith(PNG)
    assert chart._repr_png_().startswith(PNG)  # what Jupyter shows
    (ax,) = chart.figure.axes
    assert len(ax.patches) == 5  # the top five, the missing value left out
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["项目2", "项目3", "项目4", "项目5", "项目6"]  # largest on top
    assert ax.patches[-1].get_width() == 3.0  # 6 / scale
    assert ax.get_xlabel() == "amount (亿元)" and ax.get_title() == "投资"
    assert chart.font == analysis.find_cjk_font()
    empty = analysis.bar_chart(frame.iloc[0:0], "name", "amount")
    assert empty.png().startswith(PNG)


def test_bar_chart_saves(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("matplotlib")
    chart = analysis.bar_chart(pd.DataFrame({"k": ["甲"], "v": [1]}), "k", "v")
    out = chart.save(tmp_path / "chart.png")
    assert out.read_bytes().startswith(PNG)


def test_no_cjk_font_falls_back_silently(monkeypatch: pytest.MonkeyPatch) -> None:
    matplotlib = pytest.importorskip("matplotlib")
    from matplotlib import font_manager

    monkeypatch.setattr(font_manager.fontManager, "ttflist", [])
    monkeypatch.setattr(analysis, "_fontconfig_chinese_families", list)
    analysis.find_cjk_font.cache_clear()
    try:
        before = dict(matplotlib.rcParams)
        assert analysis.find_cjk_font() is None
        assert analysis.use_cjk_font() is None
        assert dict(matplotlib.rcParams) == before
    finally:
        analysis.find_cjk_font.cache_clear()


def test_cjk_font_from_fontconfig(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("matplotlib")
    from matplotlib import font_manager

    class FakeFont:
        def __init__(self, name: str) -> None:
            self.name = name

    fonts = [FakeFont("Some Serif CJK"), FakeFont("Some Sans CJK SC"), FakeFont("X")]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", fonts)
    monkeypatch.setattr(
        analysis,
        "_fontconfig_chinese_families",
        lambda: ["Some Serif CJK", "Some Sans CJK SC", "Not Known To Matplotlib"],
    )
    analysis.find_cjk_font.cache_clear()
    try:
        assert analysis.find_cjk_font() == "Some Sans CJK SC"
    finally:
        analysis.find_cjk_font.cache_clear()


# -- the extraction, explained --------------------------------------------------------


def _doc(sentences: list[list[tuple[str, str | None]]]):  # type: ignore[no-untyped-def]
    """Make a Doc of one token per piece, with sentences and typed entities."""
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import Doc, Span

    vocab = spacy.blank("zh").vocab
    words = [w for s in sentences for w, _l in s]
    starts = [i == 0 for s in sentences for i in range(len(s))]
    doc = Doc(vocab, words=words, spaces=[False] * len(words), sent_starts=starts)
    labels = [label for s in sentences for _w, label in s]
    doc.ents = [Span(doc, i, i + 1, label=lab) for i, lab in enumerate(labels) if lab]
    return doc


def test_entity_sentences_take_turns_and_prefer_variety() -> None:
    one = _doc(
        [
            [("赵启航", "Person"), ("在", None), ("河湾市", "Region"), ("。", None)],
            [
                ("赵启航", "Person"),
                ("与", None),
                ("东岭大学", "University"),
                ("在", None),
                ("河湾市", "Region"),
                ("。", None),
            ],
            [("河湾市", "Region"), ("和", None), ("云岭省", "Region"), ("。", None)],
        ]
    )
    two = _doc([[("青禾新材", "Company"), ("在", None), ("北沙县", "Region")]])
    picked = analysis.entity_sentences([one, two], limit=5)
    assert [s.text for s in picked] == [
        "赵启航与东岭大学在河湾市。",  # three types first
        "青禾新材在北沙县",  # the second doc's turn
        "赵启航在河湾市。",
    ]  # one type only: left out
    assert len(analysis.entity_sentences([one, two], limit=2)) == 2
    assert analysis.entity_sentences([one], min_types=4) == []
    assert [s.text for s in analysis.entity_sentences([one], max_chars=8)] == [
        "赵启航在河湾市。"
    ]


def test_render_entities_colours_each_type() -> None:
    doc = _doc(
        [
            [("赵启航", "Person"), ("加入", None), ("<b>甲</b>", "Company")],
            [("河湾市", "Region"), ("。", None)],
        ]
    )
    first = next(iter(doc.sents))
    html = analysis.render_entities(first, title="样例")
    assert 'class="entities"' in html
    colours = analysis.entity_colours()
    assert set(colours) == set(ENTITY_TYPES)
    for label in ("Person", "Company"):
        assert label in html and colours[label] in html
    assert "河湾市" not in html  # only the sentence
    assert "<b>甲</b>" not in html and "&lt;b&gt;" in html  # text is escaped
    assert "样例" in html
    assert "河湾市" in analysis.render_entities(doc)


def test_entities_frame() -> None:
    doc = _doc([[("赵启航", "Person"), ("在", None), ("河湾市", "Region")]])
    frame = analysis.entities_frame([doc], ["第一篇"])
    assert frame.to_dict("records") == [
        {
            "document": "第一篇",
            "text": "赵启航",
            "label": "Person",
            "start": 0,
            "end": 3,
        },
        {
            "document": "第一篇",
            "text": "河湾市",
            "label": "Region",
            "start": 4,
            "end": 7,
        },
    ]
    assert analysis.entities_frame([doc])["document"].tolist() == [0, 0]


def test_pipeline_docs_render(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp("东岭大学与河湾市人民政府签署合作协议。赵启航出席。")
    frame = analysis.entities_frame([doc])
    assert set(frame["label"]) <= set(ENTITY_TYPES)
    assert 'class="entities"' in analysis.render_entities(doc)


GOLD = Path(__file__).parent / "data" / "web_article.gold.json"


def test_gold_pairs(tmp_path: Path) -> None:
    import shutil

    from kg.errors import GoldFileError

    corpus_dir = tmp_path / "corpus"
    corpus_dir.mkdir()
    shutil.copy(GOLD.with_name("web_article.html"), corpus_dir)
    (corpus_dir / "other.txt").write_text("甲公司在乙市。", encoding="utf-8")
    by_stem = corpus_dir / "other.gold.json"
    by_stem.write_text(
        '{"source": "elsewhere.txt", "articles": [], "entities": [], "relations": []}'
    )
    pairs = analysis.gold_pairs(
        corpus_dir, [tmp_path / "missing.gold.json", GOLD, by_stem, GOLD]
    )
    assert pairs == [
        (corpus_dir / "web_article.html", GOLD),  # by its "source"
        (corpus_dir / "other.txt", by_stem),  # no elsewhere.txt: by its stem
    ]  # the missing file is skipped, the repeated document paired once
    assert analysis.gold_pairs(tmp_path / "empty", [GOLD]) == []
    bad = tmp_path / "bad.gold.json"
    bad.write_text("{not json")
    with pytest.raises(GoldFileError):
        analysis.gold_pairs(corpus_dir, [bad])


def test_evaluate_documents_and_report_frame(nlp) -> None:  # type: ignore[no-untyped-def]
    from kg import evaluate

    pairs = analysis.gold_pairs(GOLD.parent, [GOLD])
    report = analysis.evaluate_documents(pairs, nlp)
    gold = evaluate.load_gold(GOLD)
    assert report.entities_micro.tp + report.entities_micro.fn == len(gold["entities"])
    frame = analysis.report_frame(report)
    assert list(frame.index[:8]) == list(ENTITY_TYPES)
    assert list(frame.columns) == [
        "kind",
        "tp",
        "fp",
        "fn",
        "precision",
        "recall",
        "f1",
    ]
    row = frame.loc["all micro"]
    assert (row["tp"], row["fp"], row["fn"]) == (
        report.micro.tp,
        report.micro.fp,
        report.micro.fn,
    )
    assert row["f1"] == round(report.micro.f1, 3)
    assert frame.loc["Person", "kind"] == "entity"
    assert frame.loc["fundedBy", "kind"] == "relation"
    empty = analysis.evaluate_documents([])
    assert empty.micro.empty


# -- at scale -------------------------------------------------------------------------


def test_sample_jsonl_spreads_evenly(tmp_path: Path) -> None:
    source = tmp_path / "stories.jsonl"
    lines = [
        f'{{"id": "s{i}", "title": "第{i}条", "text": "{"字" * i}"}}' for i in range(10)
    ]
    source.write_text("\n".join(lines[:5]) + "\n\n" + "\n".join(lines[5:]) + "\n")
    sample = analysis.sample_jsonl(source, tmp_path / "sample.jsonl", 3)
    assert sample.path.read_text().splitlines() == [lines[0], lines[3], lines[6]]
    assert (sample.stories, sample.total, sample.chars) == (3, 10, 0 + 3 + 6)
    everything = analysis.sample_jsonl(source, tmp_path / "all.jsonl", 50)
    assert everything.stories == 10 and everything.chars == sum(range(10))
    assert analysis.sample_jsonl(source, tmp_path / "none.jsonl", 0).stories == 0


def test_sample_jsonl_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    from kg.errors import CorpusError

    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(CorpusError, match=r"bad\.jsonl"):
        analysis.sample_jsonl(bad, tmp_path / "out.jsonl", 3)
    with pytest.raises(CorpusError, match=r"missing\.jsonl"):
        analysis.sample_jsonl(tmp_path / "missing.jsonl", tmp_path / "out.jsonl", 3)


def test_stopwatch() -> None:
    clock = analysis.Stopwatch()
    with clock("a"):
        pass
    with pytest.raises(ZeroDivisionError), clock("b"):
        _ = 1 / 0
    with clock("a"):
        pass
    assert list(clock.laps) == ["a", "b"]  # a failed step is timed too
    assert all(t >= 0 for t in clock.laps.values())
    frame = clock.frame()
    assert frame["step"].tolist() == ["a", "b"]
    assert str(clock).splitlines()[0].startswith("a: ")


def test_an_edge_keeps_the_day_its_sentence_names() -> None:
    from kg.rdf import to_dataset
    from kg.records import Article, DocumentGraph, Entity, Relation

    text = "5月9日，岚山重工与北溪大学签署合作协议。"
    art = Article(doc="d.txt", id="a1", title="签约", text=text, date="2023-05-20")
    ents = (
        Entity(name="岚山重工", type="Company", articles=("a1",)),
        Entity(name="北溪大学", type="University", articles=("a1",)),
    )
    rel = Relation(
        "岚山重工", "collaboratesWith", "北溪大学", "a1", text, 0, len(text), "t",
        date="2023-05-09",
    )  # fmt: skip
    g = analysis.to_networkx(to_dataset(DocumentGraph("d.txt", (art,), ents, (rel,))))
    dates = [d["date"] for _u, _v, d in g.edges(data=True)]
    assert dates == ["2023-05-09"]


def test_min_confidence_leaves_out_less_sure_edges() -> None:
    everything = analysis.to_networkx(sample_dataset())
    stated = sorted(
        d["confidence"]
        for _u, _v, d in everything.edges(data=True)
        if d["confidence"] is not None
    )
    assert stated, "the sample states relations with a confidence"
    cut = stated[len(stated) // 2]
    kept = analysis.to_networkx(sample_dataset(), min_confidence=cut)
    assert all(
        d["confidence"] is None or d["confidence"] >= cut
        for _u, _v, d in kept.edges(data=True)
    )
    below = sum(1 for c in stated if c < cut)
    assert kept.number_of_edges() == everything.number_of_edges() - below
