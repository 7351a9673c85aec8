"""The query benchmark's generated graph: every saved query has rows to read.

A saved query that finds nothing on the generated graph is timed finding nothing,
which says little about the store; so the generator states what each query asks
for (collaborations across regions, days named in sentences, short forms that other
documents declare as aliases, ...), and this test fails if one asks in vain.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from kg import rdf, sparql, store

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "bench_queries", ROOT / "benchmarks" / "bench_queries.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_queries"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("bench_queries", None)


@pytest.fixture(scope="module")
def generated(bench, tmp_path_factory):  # type: ignore[no-untyped-def]
    dataset = store.open_dataset("oxigraph", tmp_path_factory.mktemp("bench") / "s")
    for doc in bench.synthetic_documents(40_000, seed=3):
        store.replace_document(
            dataset,
            rdf.document_quads(doc),
            doc.articles[0].doc,
            store.document_hash(doc.source),
        )
    store.refresh_derived(dataset)
    yield dataset
    dataset.close()


def test_every_saved_query_has_rows_on_the_generated_graph(bench, generated) -> None:  # type: ignore[no-untyped-def]
    params = bench.choose_params(generated)
    empty = [
        name
        for name in sparql.saved_queries()
        if not bench.rows_of(sparql.run_saved(generated, name, **params.get(name, {})))
    ]
    assert empty == []


def test_the_generated_graph_has_merges_dates_and_regional_partners(
    generated,  # type: ignore[no-untyped-def]
) -> None:
    from kg.namespace import KG

    merges = set(generated.graph(rdf.MERGES_GRAPH).subjects(None, KG.Merge))
    dated = set(generated.subjects(KG.date, None))
    academic_homes = {
        s
        for s, _p, _o in generated.triples((None, KG.locatedIn, None))
        if "/University/" in str(s) or "/ResearchInstitute/" in str(s)
    }
    assert merges and len(dated) > 20 and academic_homes
