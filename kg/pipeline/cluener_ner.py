"""Statistical NER trained on CLUENER, as a spaCy component that adds candidates.

The model is a small spaCy ``ner`` (hashed character embeddings and a window
encoder, CPU only) trained by ``benchmarks/train_cluener.py`` and shipped in
``kg/models/cluener_ner``. It runs on the doc's sentences (long ones cut into
chunks) and appends :class:`~kg.pipeline.extensions.Candidate` records for the
CLUENER labels we use; typing (``kg_entity_types``) decides the final type.

========== ===================================================
CLUENER    candidate label
========== ===================================================
name       ``Person``
company    ``ORG`` (typed by suffix, ``Company`` by default)
government ``GovernmentAgency``
organization ``ORG`` (typed by suffix)
address    ``LOC`` (kept only when it looks like a region)
others     ignored (position, scene, book, game, movie)
========== ===================================================
"""

from __future__ import annotations

import functools
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import PipelineError
from kg.pipeline.extensions import Candidate

__all__ = ["LABELS", "MODEL_DIR", "CluenerNER", "make_cluener_ner"]

MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "cluener_ner"
LABELS = {
    "name": "Person",
    "company": "ORG",
    "government": "GovernmentAgency",
    "organization": "ORG",
    "address": "LOC",
}
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


class CluenerNER:
    """Run the CLUENER model over each sentence; append its candidates."""

    def __init__(
        self, name: str, model: str, confidence: float, batch_size: int
    ) -> None:
        """Keep settings; the model loads on first use."""
        self.name = name
        self.model = model or str(MODEL_DIR)
        self.confidence = confidence
        self.batch_size = batch_size

    def __call__(self, doc: Doc) -> Doc:
        """Tag ``doc`` and append CLUENER candidates to ``doc._.kg_candidates``."""
        text = doc.text
        chunks = _chunks(doc._.kg_sentences or [(0, len(text))])
        ner = load_model(self.model)
        cands: list[Candidate] = list(doc._.kg_candidates or [])
        tagged = ner.pipe((text[s:e] for s, e in chunks), batch_size=self.batch_size)
        for (start, _end), sent in zip(chunks, tagged, strict=True):
            for ent in sent.ents:
                label = LABELS.get(ent.label_)
                if label is None or not ent.text.strip():
                    continue
                cands.append(
                    Candidate(
                        start + ent.start_char,
                        start + ent.end_char,
                        label,
                        "cluener",
                        self.confidence,
                    )
                )
        doc._.kg_candidates = cands
        return doc


@Language.factory(
    "kg_cluener_ner",
    assigns=["doc._.kg_candidates"],
    requires=["doc._.kg_sentences"],
    default_config={"model": "", "confidence": 0.7, "batch_size": 64},
)
def make_cluener_ner(
    nlp: Language, name: str, model: str, confidence: float, batch_size: int
) -> CluenerNER:
    """Build the CLUENER component; an empty ``model`` means the shipped one."""
    return CluenerNER(name, model, confidence, batch_size)
