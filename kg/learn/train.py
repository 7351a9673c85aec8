"""Training: gold graphs and the rules' proposals → a calibrated :class:`Model`.

Labels come from the gold graph by the scoring rules of GUIDELINES.md: a
proposed entity is right with the type of the gold entity one of whose forms
(name or alias, white space removed) equals its name; wrong (``O``) when no
gold form equals it, unless its name occurs only inside gold names (then it
is not scored, so not trained on). A candidate fact is right when the gold
graph has that predicate between entities having its ends among their forms.

The classifiers are L2-regularised logistic regressions (scikit-learn,
deterministic solvers). Their calibration is Platt scaling fitted on
out-of-fold scores: the training documents are split again by document, each
part is scored by a model that never saw it, and ``sigmoid(a * logit + b)``
is fitted to whether those decisions were right.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kg.evaluate import inside_gold_names_only, normalize
from kg.learn.decide import NOT_AN_ENTITY, decide_entities
from kg.learn.features import entity_features, relation_candidates
from kg.learn.model import Binary, Model, Multiclass
from kg.learn.proposal import Proposal
from kg.records import ENTITY_TYPES

__all__ = [
    "Settings",
    "TrainingDoc",
    "entity_examples",
    "relation_examples",
    "train_model",
]

_INNER_FOLDS = 4
_OWN_CALIBRATION = 20  # right facts needed for a predicate's own calibration


@dataclass(frozen=True, slots=True)
class Settings:
    """What training is told; the defaults were chosen by cross-validation."""

    entity_c: float = 0.5  # inverse L2 regularisation of the entity classifier
    relation_c: float = 2.0  # of the relation classifiers
    threshold: float = 0.35  # a fact is kept from this calibrated probability
    extra_weight: float = 0.3  # of an extra (CLUENER) example against a gold one
    drop: tuple[str, ...] = ()  # feature prefixes left out (ablations)
    calibrate: bool = True


@dataclass(frozen=True, slots=True)
class TrainingDoc:
    """A document of the pool: its proposal, gold graph and text."""

    name: str
    kind: str  # "page", "business" or "broadcast"
    proposal: Proposal
    gold: Mapping[str, Any]
    text: str


Example = tuple[list[str], str]


def _gold_types(gold: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for e in gold.get("entities", []):
        for form in (e["name"], *e.get("aliases", [])):
            out.setdefault(normalize(form), e["type"])
    return out


def entity_examples(doc: TrainingDoc) -> list[Example]:
    """Return each scored proposed entity's features and its gold label."""
    types = _gold_types(doc.gold)
    forms = list(types)
    text = normalize(doc.text)
    out = []
    for e in doc.proposal.entities:
        label = next(
            (
                types[normalize(f)]
                for f in (e.name, *e.aliases)
                if normalize(f) in types
            ),
            None,
        )
        if label is None:
            if inside_gold_names_only(normalize(e.name), text, forms):
                continue
            label = NOT_AN_ENTITY
        out.append((entity_features(e, doc.proposal), label))
    return out


def _gold_facts(gold: Mapping[str, Any]) -> set[tuple[str, str, str]]:
    forms: dict[str, list[str]] = {}
    for e in gold.get("entities", []):
        forms[e["name"]] = [normalize(f) for f in (e["name"], *e.get("aliases", []))]
    facts = set()
    for r in gold.get("relations", []):
        p = r["predicate"]
        for s in forms.get(r["subject"], [normalize(r["subject"])]):
            for o in forms.get(r["object"], [normalize(r["object"])]):
                facts.add((s, p, o))
                if p == "collaboratesWith":
                    facts.add((o, p, s))
    return facts


def relation_examples(doc: TrainingDoc, model: Model) -> dict[str, list[Example]]:
    """Return each candidate fact's features and label, by predicate.

    The candidates are those of the entities ``model`` keeps, as at run time.
    """
    entities = decide_entities(doc.proposal, model)
    names = {e.name: (e.name, *e.aliases) for e in entities}
    types: dict[str, str] = {}
    for e in entities:
        types.setdefault(e.name, e.type)
    facts = _gold_facts(doc.gold)
    out: dict[str, list[Example]] = {}
    for c in relation_candidates(doc.proposal, types):
        right = any(
            (normalize(s), c.predicate, normalize(o)) in facts
            for s in names.get(c.subject, (c.subject,))
            for o in names.get(c.object, (c.object,))
        )
        out.setdefault(c.classifier, []).append((list(c.features), str(right)))
    return out


def _fit(
    examples: Sequence[Example], c: float, weights: Sequence[float] | None = None
) -> tuple[list[str], Any, Any, list[str]]:
    """Fit a logistic regression; return its classes, coefficients and intercepts."""
    from sklearn.feature_extraction import (  # type: ignore[import-untyped]
        DictVectorizer,
    )
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    vectorizer = DictVectorizer(sort=True)
    x = vectorizer.fit_transform([dict.fromkeys(f, 1) for f, _ in examples])
    y = [label for _, label in examples]
    clf = LogisticRegression(C=c, max_iter=2000, solver="lbfgs")
    clf.fit(x, y, sample_weight=None if weights is None else list(weights))
    names = list(vectorizer.get_feature_names_out())
    return [str(k) for k in clf.classes_], clf.coef_, clf.intercept_, names


def _multiclass(
    examples: Sequence[Example],
    c: float,
    sample_weights: Sequence[float] | None = None,
) -> Multiclass:
    labels = sorted({label for _, label in examples})
    if len(labels) == 1:
        return Multiclass((labels[0],), {labels[0]: 0.0}, {labels[0]: {}})
    classes, coef, intercept, names = _fit(examples, c, sample_weights)
    if len(classes) == 2:  # scikit-learn gives one row: the second class's logit
        rows = {classes[0]: -coef[0] / 2, classes[1]: coef[0] / 2}
        bias = {classes[0]: -intercept[0] / 2, classes[1]: intercept[0] / 2}
    else:
        rows = {k: coef[i] for i, k in enumerate(classes)}
        bias = {k: intercept[i] for i, k in enumerate(classes)}
    weights = {
        k: {n: round(float(w), 5) for n, w in zip(names, rows[k], strict=True) if w}
        for k in classes
    }
    return Multiclass(
        tuple(classes),
        {k: round(float(b), 5) for k, b in bias.items()},
        weights,
        reject=NOT_AN_ENTITY,
    )


def _binary(examples: Sequence[Example], c: float, threshold: float) -> Binary:
    labels = {label for _, label in examples}
    if labels != {"True", "False"}:
        # One class only: a constant (never kept when nothing was right).
        return Binary(5.0 if labels == {"True"} else -5.0, {}, threshold=threshold)
    classes, coef, intercept, names = _fit(examples, c)
    sign = 1.0 if classes[1] == "True" else -1.0
    weights = {
        n: round(sign * float(w), 5) for n, w in zip(names, coef[0], strict=True) if w
    }
    return Binary(round(sign * float(intercept[0]), 5), weights, threshold=threshold)


def _platt(scores: Sequence[tuple[float, bool]]) -> tuple[float, float]:
    """Fit ``P(right) = sigmoid(a * score + b)`` to out-of-fold scores."""
    if len({right for _, right in scores}) < 2:
        return 1.0, 0.0
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=100.0, max_iter=1000)
    clf.fit([[s] for s, _ in scores], [int(r) for _, r in scores])
    return round(float(clf.coef_[0][0]), 5), round(float(clf.intercept_[0]), 5)


def _own_or(
    scores: Sequence[tuple[float, bool]], shared: tuple[float, float]
) -> tuple[float, float]:
    """Return a predicate's own calibration when its scores can support one."""
    if (
        sum(1 for _, right in scores) < 0
        or sum(1 for _, r in scores if r) < _OWN_CALIBRATION
    ):
        return shared
    own = _platt(scores)
    return own if own[0] > 0 else shared


def _without(prefixes: tuple[str, ...], rows: Sequence[Example]) -> list[Example]:
    """Return ``rows`` without the features starting with one of ``prefixes``."""
    if not prefixes:
        return list(rows)
    return [
        ([f for f in fs if not f.startswith(prefixes)], label) for fs, label in rows
    ]


def _uncalibrated(
    docs: Sequence[TrainingDoc], settings: Settings, extra: Sequence[Example] = ()
) -> Model:
    entity_rows = [x for d in docs for x in entity_examples(d)]
    weights = [1.0] * len(entity_rows) + [settings.extra_weight] * len(extra)
    entities = _multiclass(
        _without(settings.drop, [*entity_rows, *extra]),
        settings.entity_c,
        weights,
    )
    first = Model(entities, {})
    by_predicate: dict[str, list[Example]] = {}
    for d in docs:
        for p, rows in relation_examples(d, first).items():
            by_predicate.setdefault(p, []).extend(rows)
    relations = {
        p: _binary(
            _without(settings.drop, rows), settings.relation_c, settings.threshold
        )
        for p, rows in sorted(by_predicate.items())
    }
    return Model(entities, relations)


def _inner_folds(docs: Sequence[TrainingDoc], k: int) -> list[list[TrainingDoc]]:
    ordered = sorted(docs, key=lambda d: (d.kind, d.name))
    return [ordered[i::k] for i in range(k)]


def _calibration_scores(
    docs: Sequence[TrainingDoc], settings: Settings, extra: Sequence[Example]
) -> tuple[list[tuple[float, bool]], dict[str, list[tuple[float, bool]]]]:
    """Return out-of-fold (logit, right) pairs for entities and per predicate."""
    entity_scores: list[tuple[float, bool]] = []
    relation_scores: dict[str, list[tuple[float, bool]]] = {}
    folds = _inner_folds(docs, min(_INNER_FOLDS, len(docs)))
    for i, held in enumerate(folds):
        rest = [d for j, f in enumerate(folds) if j != i for d in f]
        if not rest or not held:
            continue
        model = _uncalibrated(rest, settings, extra)
        for d in held:
            for features, label in entity_examples(d):
                best, p = model.entities.decide(features)
                if best == NOT_AN_ENTITY:
                    continue
                p = min(max(p, 1e-6), 1 - 1e-6)
                entity_scores.append((math.log(p / (1 - p)), best == label))
            for pred, rows in relation_examples(d, model).items():
                clf = model.relations.get(pred)
                if clf is None:
                    continue
                relation_scores.setdefault(pred, []).extend(
                    (clf.logit(f), label == "True") for f, label in rows
                )
    return entity_scores, relation_scores


def digest(docs: Sequence[TrainingDoc]) -> str:
    """Return a digest of the training documents' texts and gold graphs."""
    h = hashlib.sha256()
    for d in sorted(docs, key=lambda d: d.name):
        h.update(d.name.encode())
        h.update(d.text.encode())
        h.update(json.dumps(d.gold, sort_keys=True, ensure_ascii=False).encode())
    return h.hexdigest()[:16]


def weights_digest(model: Model) -> str:
    """Return a digest of a model's weights and calibrations (its version)."""
    e = model.entities
    data = {
        "entities": [e.classes, e.bias, e.weights, e.calibration],
        "relations": {
            p: [b.bias, b.weights, b.calibration, b.threshold]
            for p, b in model.relations.items()
        },
    }
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()[:16]


def train_model(
    docs: Sequence[TrainingDoc],
    settings: Settings | None = None,
    extra: Sequence[Example] = (),
) -> Model:
    """Train the entity and relation classifiers on ``docs``, deterministically.

    Args:
        docs: the training documents (their proposals and gold graphs).
        settings: regularisation, threshold and calibration (``Settings()``).
        extra: more entity examples (``kg.learn.cluener``), weighed by
            ``settings.extra_weight``; never scored, never calibrated on.

    Returns:
        The model; its version is the digest of the training data.
    """
    settings = settings or Settings()
    model = _uncalibrated(docs, settings, extra)
    entities, relations = model.entities, dict(model.relations)
    if settings.calibrate and len(docs) >= 2:
        entity_scores, relation_scores = _calibration_scores(docs, settings, extra)
        entities = Multiclass(
            entities.classes,
            entities.bias,
            entities.weights,
            _platt(entity_scores),
            entities.reject,
        )
        # One calibration for all predicates: too few facts of most predicates
        # for one each (a fitted slope may even come out negative).
        shared = _platt([x for rows in relation_scores.values() for x in rows])
        relations = {
            p: Binary(
                b.bias,
                b.weights,
                _own_or(relation_scores.get(p, []), shared),
                b.threshold,
            )
            for p, b in relations.items()
        }
    trained = Model(entities, relations)
    version = weights_digest(trained)
    manifest = {
        "documents": sorted(d.name for d in docs),
        "training_digest": digest(docs),
        "entity_types": list(ENTITY_TYPES),
        "regularisation": {
            "entities": settings.entity_c,
            "relations": settings.relation_c,
        },
        "threshold": settings.threshold,
        "extra_examples": len(extra),
        "extra_weight": settings.extra_weight,
    }
    return Model(entities, relations, version, manifest)
