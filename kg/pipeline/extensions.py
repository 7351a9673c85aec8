"""Doc extensions the kg components write to, created by ``install_extensions``.

- ``doc._.kg_words``: the statistical model's words as ``(start, end, tag)``.
- ``doc._.kg_candidates``: entity candidates from every component, before typing.
- ``doc._.kg_mentions``: the typed mentions kept, with exact character offsets.
- ``doc._.kg_sentences``: sentence boundaries as ``(start, end)`` character offsets.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc

__all__ = ["Candidate", "install_extensions"]

_EXTENSIONS = ("kg_words", "kg_candidates", "kg_mentions", "kg_sentences")


@dataclass(frozen=True, slots=True)
class Candidate:
    """An entity candidate: a character span with a label and who proposed it."""

    start: int
    end: int
    label: str  # one of ENTITY_TYPES, or "ORG" when the type is left to typing
    source: str
    confidence: float


def install_extensions() -> None:
    """Create the ``Doc._.kg_*`` extensions once (idempotent)."""
    for name in _EXTENSIONS:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
