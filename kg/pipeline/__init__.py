"""The spaCy pipeline: blank ``zh`` plus the kg components.

``make_nlp()`` is the only place the pipeline is assembled::

    kg_sentences → kg_lac_ner → kg_gazetteer → kg_entity_types
"""

from __future__ import annotations

import logging
from typing import Any

import spacy
from spacy.language import Language

from kg.errors import PipelineError
from kg.pipeline import cluener_ner, entity_types, gazetteer, lac_ner, sentences
from kg.pipeline.extensions import install_extensions

__all__ = ["PIPE_NAMES", "make_nlp"]

PIPE_NAMES = ("kg_sentences", "kg_lac_ner", "kg_gazetteer", "kg_entity_types")
SEGMENTERS = ("jieba", "char", "pkuseg")
# The factories register when their modules are imported (above).
_FACTORY_MODULES = (cluener_ner, entity_types, gazetteer, lac_ner, sentences)


def make_nlp(
    segmenter: str = "jieba", disable: tuple[str, ...] = (), cluener: bool = False
) -> Language:
    """Build the Chinese pipeline with the kg components.

    Args:
        segmenter: spaCy's Chinese word segmenter: ``jieba`` (ships its
            dictionary), ``char`` (fastest), or ``pkuseg`` (needs spacy-pkuseg).
        disable: component names to leave out, e.g. to measure their gain.
        cluener: Also run ``kg_cluener_ner`` (the shipped CLUENER model) before
            the gazetteer; off by default (``benchmarks/cluener_gain.py``).

    Returns:
        A ``Language`` whose docs carry ``doc._.kg_mentions`` and ``doc.ents``.

    Raises:
        PipelineError: an unknown segmenter or component.
    """
    if segmenter not in SEGMENTERS:
        raise PipelineError(
            f"unknown segmenter {segmenter!r}; choose one of {SEGMENTERS}"
        )
    unknown = set(disable) - set(PIPE_NAMES)
    if unknown:
        raise PipelineError(
            f"unknown components {sorted(unknown)}; known: {PIPE_NAMES}"
        )
    install_extensions()
    if segmenter == "jieba":
        import jieba  # its import sets its logger to DEBUG; quiet it first

        jieba.setLogLevel(logging.WARNING)
    config: dict[str, Any] = {"nlp": {"tokenizer": {"segmenter": segmenter}}}
    try:
        nlp = spacy.blank("zh", config=config)
    except (ImportError, ValueError) as err:
        raise PipelineError(f"cannot build the {segmenter!r} segmenter: {err}") from err
    for name in PIPE_NAMES:
        if name not in disable:
            nlp.add_pipe(name)
    if cluener:
        later = [n for n in ("kg_gazetteer", "kg_entity_types") if n in nlp.pipe_names]
        nlp.add_pipe("kg_cluener_ner", before=later[0] if later else None)
    return nlp
