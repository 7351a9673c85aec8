"""Tests for `kg remove` and kg.store.remove_article."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg import store
from kg.cli import app
from kg.rdf import document_quads, mint_iri
from tests.test_sparql import make_documents

pytest.importorskip("oxrdflib")

HASH = "sha256:test"


def make_store(path: Path | None, backend: str = "oxigraph"):  # type: ignore[no-untyped-def]
    dataset = store.open_dataset(backend, path)
    for doc in make_documents():
        store.replace_document(dataset, document_quads(doc), doc.articles[0].doc, HASH)
    return dataset


def docs_and_sources() -> list[tuple[str, str, list[str]]]:
    return [
        (d.articles[0].doc, d.articles[0].source, [a.id for a in d.articles])
        for d in make_documents()
    ]


def graphs(path: Path) -> set[str]:
    dataset = store.open_dataset("oxigraph", path)
    try:
        return {
            str(name)
            for doc in store.list_documents(dataset)
            for name in store._graphs_of(dataset, doc)
        }
    finally:
        dataset.close()


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    make_store(path).close()
    return path


def kg(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def test_remove_a_document_by_name(store_path: Path) -> None:
    (first, _src, ids), (second, _s, other_ids) = docs_and_sources()
    result = kg("remove", first, "--store", str(store_path))
    assert result.exit_code == 0, result.output
    assert f"removed document {first} ({len(ids)} article graphs)" in result.output
    left = graphs(store_path)
    assert left == {str(mint_iri("article", second, i)) for i in other_ids}


def test_remove_compacts_the_store_after_recounting(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compacted: list[int] = []
    real = store.compact
    monkeypatch.setattr(store, "compact", lambda ds: compacted.append(1) or real(ds))
    (first, _src, _ids), _second = docs_and_sources()
    assert kg("remove", first, "--store", str(store_path)).exit_code == 0
    assert compacted == [1]
    with store.opened_dataset("oxigraph", store_path) as dataset:
        assert store.statistics_current(dataset)  # recounted before compacting
    assert kg("remove", "nothing.txt", "--store", str(store_path)).exit_code == 1
    assert compacted == [1]  # nothing removed, nothing compacted


def test_remove_by_the_path_of_the_ingested_file(store_path: Path) -> None:
    (first, source, _ids), (second, _s, _o) = docs_and_sources()
    result = kg("remove", source, "--store", str(store_path))
    assert result.exit_code == 0, result.output
    assert f"removed document {first}" in result.output
    assert all(second in g or "%" in g for g in graphs(store_path))
    dataset = store.open_dataset("oxigraph", store_path)
    try:
        assert store.list_documents(dataset) == [second]
    finally:
        dataset.close()


def test_remove_by_a_file_name_elsewhere(store_path: Path, tmp_path: Path) -> None:
    (first, _src, _ids), _second = docs_and_sources()
    result = kg("remove", str(tmp_path / "moved" / first), "--store", str(store_path))
    assert result.exit_code == 0, result.output
    assert f"removed document {first}" in result.output


def test_remove_one_article_drops_the_documents_hash(store_path: Path) -> None:
    (first, _src, ids), _second = docs_and_sources()
    assert len(ids) > 1
    result = kg("remove", f"{first}/{ids[0]}", "--store", str(store_path))
    assert result.exit_code == 0, result.output
    left = graphs(store_path)
    assert str(mint_iri("article", first, ids[0])) not in left
    assert str(mint_iri("article", first, ids[1])) in left
    dataset = store.open_dataset("oxigraph", store_path)
    try:
        # The next build must re-extract the document rather than skip it.
        assert store.stored_hash(dataset, first) is None
    finally:
        dataset.close()


@pytest.mark.parametrize("backend", ["memory", "oxigraph"])
def test_remove_article_on_both_stores(backend: str) -> None:
    dataset = make_store(None, backend)
    (first, _src, ids), (second, _s, _o) = docs_and_sources()
    before = len(dataset)
    article = mint_iri("article", first, ids[0])
    assert store.remove_article(dataset, first, article) == 1
    assert store.remove_article(dataset, first, article) == 0
    assert article not in store._graphs_of(dataset, first)
    assert len(store._graphs_of(dataset, first)) == len(ids) - 1
    assert store.stored_hash(dataset, first) is None
    assert store.stored_hash(dataset, second) == HASH
    assert len(dataset) < before
    dataset.close()


def test_unknown_target_lists_the_documents(store_path: Path) -> None:
    (first, _src, _ids), _second = docs_and_sources()
    result = kg("remove", "无此文档", "--store", str(store_path))
    assert result.exit_code == 1
    assert "names no document" in result.output
    assert first in result.output
    assert len(graphs(store_path)) == sum(len(i) for _d, _s, i in docs_and_sources())


def test_console_script_exits_1_on_a_user_error(store_path: Path) -> None:
    # Through kg.cli.main (as the `kg` script runs), not typer's test runner.
    for args in (["remove", "无此文档"], ["query", "SELECT ?x WHERE {"]):
        done = subprocess.run(
            [sys.executable, "-m", "kg", *args, "--store", str(store_path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 1, done.stderr
        assert done.stderr.startswith("error: ")
