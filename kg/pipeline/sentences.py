"""Sentence boundaries for Chinese news text, by punctuation and line breaks."""

from __future__ import annotations

import re

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

__all__ = ["sentence_spans", "split_sentences"]

# A sentence ends at 。！？ (and a closing quote right after), at ；, or at a newline.
_END = re.compile(r"[。！？!?；;]+[”’」』）)]*|\n+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    r"""Return ``(start, end)`` offsets of the sentences of ``text``.

    Example:
        >>> t = "他说：“好。”我们走吧！\n标题"
        >>> [t[s:e] for s, e in sentence_spans(t)]
        ['他说：“好。”', '我们走吧！', '标题']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _END.finditer(text):
        end = m.end() if m.group().strip() else m.start()
        if text[start:end].strip():
            spans.append(_strip(text, start, end))
        start = m.end()
    if text[start:].strip():
        spans.append(_strip(text, start, len(text)))
    return spans


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@Language.component(
    "kg_sentences", assigns=["token.is_sent_start", "doc._.kg_sentences"]
)
def split_sentences(doc: Doc) -> Doc:
    """Mark sentence starts on the tokens and record sentence offsets."""
    spans = sentence_spans(doc.text)
    doc._.kg_sentences = spans
    starts = {s for s, _ in spans}
    # One array write: setting ``token.is_sent_start`` token by token rescans
    # the whole doc each time (quadratic on a long article).
    flags = [1 if token.idx in starts or token.i == 0 else -1 for token in doc]
    if flags:
        doc.from_array([SENT_START], numpy.array(flags, dtype="int64").astype("uint64"))
    return doc
