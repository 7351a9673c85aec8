"""The CLUENER component: loads the shipped model and proposes candidates."""

from __future__ import annotations

import pytest
import spacy

from kg.errors import PipelineError
from kg.pipeline import make_nlp
from kg.pipeline.cluener_ner import LABELS, MODEL_DIR, load_model, looks_like
from kg.pipeline.extensions import Candidate, install_extensions

needs_model = pytest.mark.skipif(
    not (MODEL_DIR / "config.cfg").is_file(),
    reason=f"no trained CLUENER model in {MODEL_DIR} "
    "(run python benchmarks/train_cluener.py all)",
)

# Invented: no name here comes from the corpus or the gold files.
TEXT = (
    "昨天下午，星河远图科技有限公司董事长陈立伟在发布会上介绍了公司的新产品。"
    "随后，陈立伟与来访的客人进行了座谈。"
)


def _small_nlp():
    install_extensions()
    nlp = spacy.blank("zh")
    nlp.add_pipe("kg_sentences")
    nlp.add_pipe("kg_cluener_ner")
    return nlp


def _named(doc, label: str) -> set[str]:
    return {
        doc.text[c.start : c.end]
        for c in doc._.kg_candidates
        if c.source == "cluener" and c.label == label
    }


@needs_model
def test_component_finds_a_person_and_a_company():
    doc = _small_nlp()(TEXT)
    assert all(isinstance(c, Candidate) for c in doc._.kg_candidates)
    assert "陈立伟" in _named(doc, "Person")
    assert any("星河远图" in name for name in _named(doc, "ORG"))


@needs_model
def test_candidates_only_carry_mapped_labels_and_real_offsets():
    text = "据新华社报道，" + TEXT * 3  # several sentences, offsets past the first
    doc = _small_nlp()(text)
    cands = [c for c in doc._.kg_candidates if c.source == "cluener"]
    assert {c.label for c in cands} <= set(LABELS.values())
    starts = sorted(c.start for c in cands if text[c.start : c.end] == "陈立伟")
    assert len(starts) == 6  # two mentions in each copy, at their own offsets
    assert all(0 <= c.start < c.end <= len(text) for c in cands)


@needs_model
def test_component_after_lac_keeps_its_candidates_and_typing_types_them():
    doc = make_nlp(cluener=True)(TEXT)
    sources = {c.source for c in doc._.kg_candidates}
    assert {"lac", "cluener"} <= sources
    mentions = {(m.text, m.label) for m in doc._.kg_mentions}
    assert ("陈立伟", "Person") in mentions
    assert any(label == "Company" and "星河远图" in t for t, label in mentions)


def test_make_nlp_adds_the_component_only_when_asked():
    assert "kg_cluener_ner" not in make_nlp().pipe_names
    names = make_nlp(cluener=True).pipe_names
    assert names.index("kg_lac_ner") < names.index("kg_cluener_ner")
    assert names.index("kg_cluener_ner") < names.index("kg_gazetteer")


def test_strict_check_rejects_spans_that_do_not_look_like_their_label():
    assert looks_like("陈立伟", "Person")
    assert not looks_like("招商团队", "ORG")  # no organisation suffix
    assert not looks_like("某某科技123有限公司", "ORG")  # not all Han
    assert looks_like("星河远图科技有限公司", "ORG")
    assert not looks_like("星河远图研究院", "GovernmentAgency")  # suffix says otherwise


def test_missing_model_is_a_pipeline_error(tmp_path):
    with pytest.raises(PipelineError, match="no trained CLUENER model"):
        load_model(str(tmp_path / "nothing-here"))


@needs_model
def test_pipe_over_several_docs_equals_one_at_a_time():
    texts = [TEXT, "今天天气很好。", "据介绍，" + TEXT]
    nlp = _small_nlp()
    one = [sorted(nlp(t)._.kg_candidates, key=repr) for t in texts]
    many = [sorted(d._.kg_candidates, key=repr) for d in nlp.pipe(texts, batch_size=2)]
    assert one == many
    assert one[1] == []  # nothing in a sentence without names
