"""The learned decisions: which proposed entities and facts to keep, and how sure."""

from __future__ import annotations

from dataclasses import replace

from kg.learn.features import entity_features, relation_candidates
from kg.learn.model import Model
from kg.learn.proposal import Proposal
from kg.records import DocumentGraph, Entity, Relation

__all__ = ["NOT_AN_ENTITY", "decide", "decide_entities"]

#: The entity classifier's class for a span that is not an entity.
NOT_AN_ENTITY = "O"


def decide_entities(proposal: Proposal, model: Model) -> list[Entity]:
    """Keep the proposed entities the classifier accepts, with its type and confidence.

    Two kept entities of one name and type become one (the first; the
    other's forms and mentions join it).
    """
    out: dict[tuple[str, str], Entity] = {}
    for e in proposal.entities:
        label, p = model.entities.decide(entity_features(e, proposal))
        if label == NOT_AN_ENTITY:
            continue
        p = round(p, 4)
        mentions = tuple(replace(m, label=label, confidence=p) for m in e.mentions)
        decided = replace(e, type=label, confidence=p, mentions=mentions)
        key = (e.name, label)
        first = out.get(key)
        if first is None:
            out[key] = decided
            continue
        out[key] = replace(
            first,
            aliases=tuple(dict.fromkeys((*first.aliases, *e.aliases))),
            articles=tuple(sorted({*first.articles, *e.articles})),
            mentions=first.mentions + mentions,
            confidence=max(first.confidence, p),
        )
    return list(out.values())


def decide(proposal: Proposal, model: Model) -> DocumentGraph:
    """Return the document's graph as the model decides it.

    Relations: each candidate fact is kept when its predicate's calibrated
    probability reaches the predicate's threshold; its confidence is that
    probability. A fact a rule states keeps the rule's evidence and role;
    another quotes the shortest sentence that names both ends. ``authorOf``
    (the byline) is kept as the rules give it, for the authors kept.
    """
    entities = decide_entities(proposal, model)
    types: dict[str, str] = {}
    for e in entities:
        types.setdefault(e.name, e.type)
    texts = {a.id: a.text for a in proposal.articles}
    relations: list[Relation] = []
    for c in relation_candidates(proposal, types):
        clf = model.relations.get(c.classifier)
        if clf is None:
            continue
        p = clf.probability(c.features)
        if p < clf.threshold:
            continue
        if c.rule is not None:
            r = replace(
                c.rule, subject=c.subject, object=c.object, confidence=round(p, 4)
            )
        else:
            r = Relation(
                c.subject,
                c.predicate,
                c.object,
                c.article,
                texts[c.article][c.start : c.end],
                c.start,
                c.end,
                "sentence-pair",
                round(p, 4),
            )
        relations.append(r)
    relations += [
        r
        for r in proposal.relations
        if r.predicate == "authorOf" and types.get(r.subject) == "Person"
    ]
    return DocumentGraph(
        proposal.source, proposal.articles, tuple(entities), tuple(relations)
    )
