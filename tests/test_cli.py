"""End to end through the CLI: build, query, extract, eval, export, viz, bad input."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app

from .conftest import ROOT, needs_shared

SEED = ROOT / "corpus" / "000_e5e095a287f3bba7.txt"
runner = CliRunner()


def kg(*args: str):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory):
    store = tmp_path_factory.mktemp("seed") / "store"
    result = kg("build", ROOT / "corpus", "--store", store)
    assert result.exit_code == 0, result.output
    return store


def test_build_summary_and_idempotent_rebuild(seed_store):
    again = kg("build", ROOT / "corpus", "--store", seed_store)
    assert again.exit_code == 0, again.output
    assert "unchanged: 1" in again.output
    assert "documents stored: 0" in again.output


def test_query_people_and_their_organizations(seed_store):
    result = kg(
        "query",
        "--saved",
        "people-affiliations",
        "--store",
        seed_store,
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["head"]["vars"]
    people = {b["person"]["value"] for b in data["results"]["bindings"]}
    assert len(people) >= 2


def test_query_text_csv_and_syntax_error(seed_store):
    ok = kg(
        "query",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s a kg:Article }",
        "--store",
        seed_store,
        "--format",
        "csv",
    )
    assert ok.exit_code == 0, ok.output
    assert ok.output.splitlines()[0].strip() == "n"
    assert int(ok.output.splitlines()[1]) == 5
    bad = kg("query", "SELECT ?x WHERE { ?s ?p }", "--store", seed_store)
    assert bad.exit_code == 1
    assert re.search(r"line \d+, column \d+", bad.output)


def test_provenance_is_queryable(seed_store):
    q = (
        "SELECT ?evidence ?start ?end WHERE { ?a a kg:Assertion ; rdf:predicate kg:affiliatedWith ;"
        " kg:evidence ?evidence ; kg:start ?start ; kg:end ?end }"
    )
    result = kg("query", q, "--store", seed_store, "--format", "json")
    rows = json.loads(result.output)["results"]["bindings"]
    assert rows
    text = SEED.read_text(encoding="utf-8")
    for row in rows:
        assert row["evidence"]["value"].replace("\n", "") in text.replace("\n", "")


def test_query_on_missing_store_is_one_line(tmp_path):
    result = kg("query", "SELECT * WHERE { ?s ?p ?o }", "--store", tmp_path / "nothing")
    assert result.exit_code == 1
    assert "no store here" in result.output
    assert "Traceback" not in result.output


def test_export_formats(seed_store, tmp_path):
    for fmt in ("ttl", "nq", "jsonld", "graphml"):
        out = tmp_path / f"g.{fmt}"
        result = kg("export", "--store", seed_store, "--format", fmt, "--out", out)
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 1000


def test_viz_writes_an_offline_page(seed_store, tmp_path):
    out = tmp_path / "g.html"
    result = kg("viz", "--store", seed_store, "--out", out)
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=[\"']?https?:", html)
    assert "vis.Network" in html or "new vis" in html


def test_extract_prints_gold_form_json():
    result = kg("extract", SEED, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [a["id"] for a in data["articles"]] == ["a0", "a1", "a2", "a3", "a4"]
    assert {e["type"] for e in data["entities"]} >= {
        "Person",
        "Company",
        "Region",
        "Project",
    }
    assert any(r["predicate"] == "authorOf" for r in data["relations"])


def test_eval_on_the_seed_gold():
    gold = needs_shared("eval", "seed.gold.json")
    result = kg("eval", "--gold", gold, "--doc", SEED, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    # a floor well below the measured figures: a broken stage shows here
    assert report["micro"]["entities"]["f1"] >= 0.55
    assert report["micro"]["relations"]["f1"] >= 0.30


def test_bad_files_are_reported_and_the_rest_ingested(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (corpus / "good.txt").write_text(
        "青州远航公司投产\n2024-05-01\n\n青州远航新材料有限公司总经理李青山表示，新工厂已投产。\n",
        encoding="utf-8",
    )
    (corpus / "lines.jsonl").write_text(
        '{"id": "j1", "title": "甲", "date": "2024-01-02", "text": "兰州大学与青州远航新材料有限公司签署合作协议。"}\n{oops\n',
        encoding="utf-8",
    )
    store = tmp_path / "store"
    result = kg("build", corpus, "--store", store)
    assert result.exit_code == 1
    err = result.output
    assert "empty.txt" in err and "binary.txt" in err and "lines.jsonl:2" in err
    assert "Traceback" not in err
    listed = kg(
        "query",
        "SELECT ?d WHERE { GRAPH ?g { ?a kg:document ?d } }",
        "--store",
        store,
        "--format",
        "csv",
    )
    docs = set(listed.output.split()[1:])
    assert {"good.txt", "j1"} <= docs or len(docs) == 2


def test_console_script_runs_as_a_module():
    result = subprocess.run(
        [sys.executable, "-m", "kg", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "build" in result.stdout and "query" in result.stdout
