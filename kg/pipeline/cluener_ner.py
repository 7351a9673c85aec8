"""Statistical NER trained on CLUENER, as a spaCy component that adds candidates.

The model is a small spaCy ``ner`` (hashed character embeddings and a window
encoder, CPU only) trained by ``benchmarks/train_cluener.py`` and shipped in
``kg/models/cluener_ner``. It runs on the doc's sentences (long ones cut into
chunks) and appends :class:`~kg.pipeline.extensions.Candidate` records for the
CLUENER labels we use; typing (``kg_entity_types``) decides the final type.

============ =================================================
CLUENER      candidate label (``labels``, the default)
============ =================================================
name         ``Person``
company      ``ORG`` (typed by suffix, ``Company`` by default)
government   ``GovernmentAgency``
organization ``ORG`` (typed by suffix)
address      ``LOC`` (typing keeps it only when it looks like a region)
others       ignored (position, scene, book, game, movie)
============ =================================================

With ``strict`` (the default) a candidate must also look like its label: a
person starts with a family name; an organisation is Han characters ending
with a known organisation suffix of two or more characters
(``kg/data/org_suffixes.tsv``) with at least two characters before it, and a
government body's suffix implies a government body; a place
does not end like a body (部, 局, 委 …); and both ends fall on word boundaries of the
statistical segmenter (``doc._.kg_words``) when there are words. The model then
mainly contributes boundaries the rules do not find.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from kg import lexicons
from kg.errors import PipelineError
from kg.pipeline.extensions import Candidate

__all__ = ["LABELS", "MODEL_DIR", "CluenerNER", "load_model", "make_cluener_ner"]

MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "cluener_ner"
LABELS = {
    "name": "Person",
    "company": "ORG",
    "government": "GovernmentAgency",
    "organization": "ORG",
    "address": "LOC",
}
_ORG_LABELS = ("ORG", "Company", "GovernmentAgency", "Organization")
# One-character organisation suffixes that are not region suffixes: too
# ambiguous (西部, 大局) to trust on a model's span.
_ORG_ONE_CHAR = ("部", "局", "委", "厅", "办", "署", "厂")
# The model was trained on sentences of at most 50 characters.
_MAX_CHUNK = 150


@functools.lru_cache(maxsize=2)
def load_model(path: str) -> Language:
    """Load the trained CLUENER pipeline at ``path`` once per process.

    Raises:
        PipelineError: the directory is missing or is not a spaCy pipeline.
    """
    import spacy

    model = Path(path)
    if not (model / "config.cfg").is_file():
        raise PipelineError(
            f"{model}: no trained CLUENER model here; run "
            "`python benchmarks/train_cluener.py all` or set the component's model"
        )
    try:
        return spacy.load(model)
    except (OSError, ValueError) as err:
        raise PipelineError(f"{model}: cannot load the CLUENER model ({err})") from err


def _chunks(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Cut spans longer than ``_MAX_CHUNK`` characters into pieces."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        while end - start > _MAX_CHUNK:
            out.append((start, start + _MAX_CHUNK))
            start += _MAX_CHUNK
        out.append((start, end))
    return out


def looks_like(name: str, label: str) -> bool:
    """Return whether ``name`` has the form ``label`` implies (the strict check).

    Example:
        >>> looks_like("陈立伟", "Person"), looks_like("招商团队", "ORG")
        (True, False)
        >>> looks_like("西部", "LOC"), looks_like("某某大局", "ORG")
        (False, False)
        >>> looks_like("星河远图科技有限公司", "ORG")
        True
    """
    if label == "Person":
        surnames = lexicons.load_surnames()
        return name[:1] in surnames or name[:2] in surnames
    if label in _ORG_LABELS:
        if not all("\u4e00" <= ch <= "\u9fff" for ch in name):
            return False
        for suffix, implied in lexicons.load_suffixes():  # longest first
            if name.endswith(suffix):
                return (
                    len(suffix) >= 2
                    and len(name) - len(suffix) >= 2
                    and label in ("ORG", implied)
                )
        return False
    if label == "LOC":  # typing would make an organisation of it by its suffix
        return not any(name.endswith(s) for s in _ORG_ONE_CHAR) or len(name) < 2
    return True


class CluenerNER:
    """Run the CLUENER model over each sentence; append its candidates."""

    def __init__(
        self,
        name: str,
        model: str,
        labels: dict[str, str],
        strict: bool,
        confidence: float,
        batch_size: int,
    ) -> None:
        """Keep settings; the model loads on first use."""
        self.name = name
        self.model = model or str(MODEL_DIR)
        self.labels = dict(labels)
        self.strict = strict
        self.confidence = confidence
        self.batch_size = batch_size

    def __call__(self, doc: Doc) -> Doc:
        """Tag ``doc`` and append CLUENER candidates to ``doc._.kg_candidates``."""
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        """Tag docs in batches, the sentences of several docs in one model call."""
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._tag(batch)
                batch = []
        if batch:
            yield from self._tag(batch)

    def _tag(self, docs: list[Doc]) -> list[Doc]:
        jobs = [
            (doc, start, end)
            for doc in docs
            for start, end in _chunks(doc._.kg_sentences or [(0, len(doc.text))])
        ]
        ner = load_model(self.model)
        tagged = ner.pipe(
            (doc.text[s:e] for doc, s, e in jobs), batch_size=self.batch_size
        )
        found: dict[int, list[Candidate]] = {id(doc): [] for doc in docs}
        bounds = {id(doc): _word_bounds(doc) for doc in docs}
        for (doc, start, _end), sent in zip(jobs, tagged, strict=True):
            for ent in sent.ents:
                label = self.labels.get(ent.label_)
                if label is None or not ent.text.strip():
                    continue
                c_start, c_end = start + ent.start_char, start + ent.end_char
                if self.strict and not (
                    looks_like(ent.text, label)
                    and _on_words(bounds[id(doc)], c_start, c_end)
                ):
                    continue
                found[id(doc)].append(
                    Candidate(c_start, c_end, label, "cluener", self.confidence)
                )
        for doc in docs:
            doc._.kg_candidates = list(doc._.kg_candidates or []) + found[id(doc)]
        return docs


def _word_bounds(doc: Doc) -> tuple[set[int], set[int]] | None:
    """Return the start and end offsets of ``doc._.kg_words``, or None."""
    words = doc._.kg_words
    if not words:
        return None
    return {w[0] for w in words}, {w[1] for w in words}


def _on_words(bounds: tuple[set[int], set[int]] | None, start: int, end: int) -> bool:
    """Return whether ``start`` and ``end`` fall on word boundaries (or no words)."""
    return bounds is None or (start in bounds[0] and end in bounds[1])


@Language.factory(
    "kg_cluener_ner",
    assigns=["doc._.kg_candidates"],
    requires=["doc._.kg_sentences"],
    default_config={
        "model": "",
        "labels": LABELS,
        "strict": True,
        "confidence": 0.7,
        "batch_size": 64,
    },
)
def make_cluener_ner(
    nlp: Language,
    name: str,
    model: str,
    labels: dict[str, str],
    strict: bool,
    confidence: float,
    batch_size: int,
) -> CluenerNER:
    """Build the CLUENER component; an empty ``model`` means the shipped one."""
    return CluenerNER(name, model, labels, strict, confidence, batch_size)
