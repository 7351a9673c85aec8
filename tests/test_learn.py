"""The learned layer: folds, training, the model file, decisions, calibration, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import KGError
from kg.extract import extract_document, propose_document
from kg.learn import crossval, train
from kg.learn.decide import NOT_AN_ENTITY, decide
from kg.learn.features import allowed, relation_candidates
from kg.learn.model import (
    Binary,
    Model,
    Multiclass,
    load_model,
    save_model,
    shipped_model,
    sigmoid,
)
from tests.conftest import DATA, needs_shared

FIXTURE_GOLD = [DATA / "jinyang_page.gold.json", DATA / "web_article.gold.json"]


@pytest.fixture(scope="module")
def fixture_pool(nlp):  # type: ignore[no-untyped-def]
    pairs = crossval.find_pool(FIXTURE_GOLD)
    return crossval.load_pool(pairs, lambda s, a: propose_document(s, a, nlp))


# ------------------------------------------------------------------ folds


def test_folds_are_fixed_by_the_seed_and_balanced_by_kind() -> None:
    docs = [(f"b{i}", "business") for i in range(7)] + [
        (f"t{i}", "broadcast") for i in range(8)
    ]
    first = crossval.assign_folds(docs, 5, seed=3)
    assert first == crossval.assign_folds(list(reversed(docs)), 5, seed=3)
    assert first != crossval.assign_folds(docs, 5, seed=4)
    assert set(first) == {name for name, _ in docs}
    for kind in ("business", "broadcast"):
        sizes = [
            sum(1 for n, k in docs if k == kind and first[n] == f) for f in range(5)
        ]
        assert max(sizes) - min(sizes) <= 1, (kind, sizes)


def test_document_kind_reads_masthead_and_date() -> None:
    from kg.records import Article

    page = [
        Article("p", "a0", "报头", "x", kind="masthead"),
        Article("p", "a1", "t", "x"),
    ]
    assert crossval.document_kind(page) == "page"
    assert crossval.document_kind(
        [Article("d", "a1", "t", "x", date="2020-01-02")]
    ) == ("broadcast")


def test_a_gold_file_without_its_document_is_a_one_line_error(tmp_path: Path) -> None:
    gold = tmp_path / "lonely.gold.json"
    gold.write_text(
        json.dumps(
            {"source": "nowhere.txt", "articles": [], "entities": [], "relations": []}
        )
    )
    with pytest.raises(KGError, match="--docs"):
        crossval.find_pool([tmp_path])


# ------------------------------------------------------------------ reliability


def test_reliability_is_near_zero_when_calibrated_and_not_when_overconfident() -> None:
    honest = [(0.85, i < 17) for i in range(20)] + [(0.25, i < 5) for i in range(20)]
    assert crossval.reliability(honest).ece == pytest.approx(0.0, abs=1e-9)
    proud = [(0.95, i < 10) for i in range(20)]
    assert crossval.reliability(proud).ece == pytest.approx(0.45)
    table = crossval.reliability(proud).as_table("x")
    assert "0.9-1.0" in table and "20" in table


# ------------------------------------------------------------------ model


def _tiny_model() -> Model:
    entities = Multiclass(
        ("Company", NOT_AN_ENTITY),
        {"Company": 0.0, NOT_AN_ENTITY: 0.0},
        {"Company": {"suf1=司": 2.0}, NOT_AN_ENTITY: {"suf1=际": 3.0}},
        (1.0, 0.0),
    )
    return Model(entities, {"partOf": Binary(-1.0, {"rule-any": 3.0})}, "tiny", {})


def test_model_file_round_trip(tmp_path: Path) -> None:
    model = _tiny_model()
    path = save_model(model, tmp_path)
    again = load_model(tmp_path)
    assert again.entities == model.entities
    assert dict(again.relations) == dict(model.relations)
    assert again.version == "tiny"
    assert save_model(again, tmp_path / "b").read_bytes() == path.read_bytes()


def test_a_broken_model_file_is_a_kg_error(tmp_path: Path) -> None:
    (tmp_path / "model.json").write_text('{"format": 1}')
    with pytest.raises(KGError, match="kg train"):
        load_model(tmp_path)
    with pytest.raises(KGError, match="cannot read"):
        load_model(tmp_path / "missing")


def test_multiclass_rejects_and_types_by_its_weights() -> None:
    m = _tiny_model().entities
    assert m.decide(["suf1=际"])[0] == NOT_AN_ENTITY
    label, p = m.decide(["suf1=司"])
    assert label == "Company"
    assert p == pytest.approx(sigmoid(2.0))


def test_allowed_follows_the_guidelines() -> None:
    assert allowed("affiliatedWith", "Person", "University")
    assert not allowed("affiliatedWith", "Company", "University")
    assert allowed("locatedIn", "Project", "Region")
    assert not allowed("locatedIn", "Region", "Region")
    assert allowed("fundedBy", "Project", "Company")
    assert not allowed("participatesIn", "Region", "Project")


# ------------------------------------------------------------------ training


def test_training_is_deterministic_and_the_model_decides(
    fixture_pool, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    settings = train.Settings(calibrate=False)
    first = train.train_model(fixture_pool, settings)
    second = train.train_model(list(reversed(fixture_pool)), settings)
    a = save_model(first, tmp_path / "a").read_bytes()
    b = save_model(second, tmp_path / "b").read_bytes()
    assert a == b
    assert first.manifest["training_digest"] == train.digest(fixture_pool)
    assert first.version == train.weights_digest(first)
    # Trained on these documents, the model keeps most of their gold entities.
    for doc in fixture_pool:
        graph = decide(doc.proposal, first)
        gold = {e["name"] for e in doc.gold["entities"]}
        kept = {e.name for e in graph.entities}
        assert len(gold & kept) >= 0.6 * len(gold), doc.name
        assert all(0.0 < e.confidence <= 1.0 for e in graph.entities)
        assert all(0.0 < r.confidence <= 1.0 for r in graph.relations)


def test_a_model_that_rejects_everything_keeps_no_entity_and_no_relation(
    fixture_pool,
) -> None:  # type: ignore[no-untyped-def]
    none = Model(
        Multiclass((NOT_AN_ENTITY,), {NOT_AN_ENTITY: 0.0}, {NOT_AN_ENTITY: {}}),
        {},
    )
    graph = decide(fixture_pool[0].proposal, none)
    assert graph.entities == () and graph.relations == ()


def test_relation_candidates_respect_the_decided_types(fixture_pool) -> None:  # type: ignore[no-untyped-def]
    proposal = fixture_pool[0].proposal
    types = {e.name: e.type for e in proposal.entities}
    for c in relation_candidates(proposal, types):
        assert allowed(c.predicate, types[c.subject], types[c.object]), c
        assert c.classifier in (c.predicate, f"{c.predicate}/pair")


def test_without_a_model_the_rules_decide(nlp) -> None:  # type: ignore[no-untyped-def]
    from kg import corpus

    articles = corpus.read_articles(DATA / "jinyang_page.txt")
    rules = extract_document("p.txt", articles, nlp, model=None)
    proposal = propose_document("p.txt", articles, nlp)
    assert rules == proposal.rules_graph()


def test_the_shipped_model_is_used_by_default(nlp) -> None:  # type: ignore[no-untyped-def]
    from kg import corpus

    model = shipped_model()
    assert model is not None, "kg/models/extractor/model.json is missing: run kg train"
    articles = corpus.read_articles(DATA / "jinyang_page.txt")
    default = extract_document("p.txt", articles, nlp)
    assert default == extract_document("p.txt", articles, nlp, model=model)
    assert any(e.confidence < 1.0 for e in default.entities)


# ------------------------------------------------------------------ CLI


def _kg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg", *args], capture_output=True, text=True, check=False
    )


def test_cli_train_and_cross_validate_on_the_fixtures(tmp_path: Path) -> None:
    gold = [a for g in FIXTURE_GOLD for a in ("--gold", str(g))]
    done = _kg("train", *gold, "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert load_model(tmp_path).manifest["documents"] == ["jinyang_page", "web_article"]
    cv = _kg("eval", "--cv", "2", *gold)
    assert cv.returncode == 0, cv.stderr
    assert "expected calibration error" in cv.stdout
    assert "held out" in cv.stdout
    bad = _kg("eval", "--cv", "9", *gold)
    assert bad.returncode == 1 and "between 2 and 2" in bad.stderr


# ------------------------------------------------------------------ the pool


def test_cross_validated_scores_on_the_shared_pool(nlp) -> None:  # type: ignore[no-untyped-def]
    """A guard against a change that drops the held-out figures (not a target)."""
    root = needs_shared("eval")
    pairs = crossval.find_pool([root], [root.parent / "corpus"])
    pool = crossval.load_pool(pairs, lambda s, a: propose_document(s, a, nlp))
    assert len(pool) == 34
    result = crossval.cross_validate(pool, 5, 0)
    assert result.held_out.entities_micro.f1 >= 0.80
    assert result.held_out.relations_micro.f1 >= 0.58
    assert result.relation_reliability.ece <= 0.10
    assert result.training.relations_micro.f1 > result.held_out.relations_micro.f1
