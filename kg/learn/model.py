"""The learned layer's weights: linear classifiers over string features, as JSON.

A model is plain data (no pickle): per class or predicate a bias and a weight
per feature string, and a Platt calibration ``(a, b)`` fitted on
out-of-fold scores, so that ``sigmoid(a * logit + b)`` is the probability
that the decision is right. Scoring needs no numerical library.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from kg.errors import KGError

__all__ = [
    "MODEL_FILE",
    "Binary",
    "Model",
    "Multiclass",
    "load_model",
    "save_model",
    "shipped_model",
    "sigmoid",
]

MODEL_FILE = "model.json"
_FORMAT = 1


def sigmoid(x: float) -> float:
    """Return the logistic function of ``x``, safe for large ``|x|``.

    Example:
        >>> sigmoid(0.0)
        0.5
    """
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


@dataclass(frozen=True, slots=True)
class Binary:
    """A calibrated binary linear classifier."""

    bias: float
    weights: Mapping[str, float]
    calibration: tuple[float, float] = (1.0, 0.0)
    threshold: float = 0.5

    def logit(self, features: Iterable[str]) -> float:
        """Return the raw score of a candidate."""
        w = self.weights
        return self.bias + sum(w.get(f, 0.0) for f in features)

    def probability(self, features: Iterable[str]) -> float:
        """Return the calibrated probability that the candidate is right."""
        a, b = self.calibration
        return sigmoid(a * self.logit(features) + b)


@dataclass(frozen=True, slots=True)
class Multiclass:
    """A multinomial linear classifier with a calibration of its top class."""

    classes: tuple[str, ...]
    bias: Mapping[str, float]
    weights: Mapping[str, Mapping[str, float]]
    calibration: tuple[float, float] = (1.0, 0.0)
    reject: str = "O"  # the class of "not an entity"

    def probabilities(self, features: Sequence[str]) -> dict[str, float]:
        """Return the softmax probability of every class."""
        logits = {
            c: self.bias[c] + sum(self.weights[c].get(f, 0.0) for f in features)
            for c in self.classes
        }
        top = max(logits.values())
        exp = {c: math.exp(v - top) for c, v in logits.items()}
        total = sum(exp.values())
        return {c: v / total for c, v in exp.items()}

    def decide(self, features: Sequence[str]) -> tuple[str, float]:
        """Return the most probable class and its calibrated probability."""
        probs = self.probabilities(features)
        best = max(self.classes, key=lambda c: (probs[c], c))
        p = min(max(probs[best], 1e-6), 1 - 1e-6)
        a, b = self.calibration
        return best, sigmoid(a * math.log(p / (1 - p)) + b)


@dataclass(frozen=True, slots=True)
class Model:
    """The entity classifier and one relation classifier per predicate."""

    entities: Multiclass
    relations: Mapping[str, Binary]
    version: str = "untrained"
    manifest: Mapping[str, Any] = field(default_factory=dict)


def _binary_json(b: Binary) -> dict[str, Any]:
    return {
        "bias": b.bias,
        "calibration": list(b.calibration),
        "threshold": b.threshold,
        "weights": dict(sorted(b.weights.items())),
    }


def save_model(model: Model, folder: Path) -> Path:
    """Write ``model`` as ``folder/model.json`` (sorted keys: same model, same bytes).

    Returns:
        The path written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    e = model.entities
    data = {
        "format": _FORMAT,
        "version": model.version,
        "manifest": model.manifest,
        "entities": {
            "classes": list(e.classes),
            "bias": dict(e.bias),
            "calibration": list(e.calibration),
            "reject": e.reject,
            "weights": {c: dict(sorted(e.weights[c].items())) for c in e.classes},
        },
        "relations": {p: _binary_json(b) for p, b in sorted(model.relations.items())},
    }
    path = folder / MODEL_FILE
    path.write_text(
        json.dumps(data, ensure_ascii=False, sort_keys=True, indent=0) + "\n",
        encoding="utf-8",
    )
    return path


def _calibration(value: Any) -> tuple[float, float]:
    a, b = value
    return float(a), float(b)


def load_model(path: Path) -> Model:
    """Read a model written by :func:`save_model` (a folder or its ``model.json``).

    Raises:
        KGError: the file is missing or not a model of this format.
    """
    file = path / MODEL_FILE if path.is_dir() else path
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise KGError(
            f"{file}: cannot read the model ({err}); rebuild it with `kg train`"
        ) from err
    return _from_json(data, str(file))


def _from_json(data: Any, where: str) -> Model:
    try:
        if data["format"] != _FORMAT:
            raise ValueError(f"format {data['format']}, expected {_FORMAT}")
        e = data["entities"]
        entities = Multiclass(
            tuple(e["classes"]),
            {c: float(v) for c, v in e["bias"].items()},
            {c: dict(e["weights"][c]) for c in e["classes"]},
            _calibration(e["calibration"]),
            str(e["reject"]),
        )
        relations = {
            p: Binary(
                float(r["bias"]),
                dict(r["weights"]),
                _calibration(r["calibration"]),
                float(r["threshold"]),
            )
            for p, r in data["relations"].items()
        }
        return Model(entities, relations, str(data["version"]), data["manifest"])
    except (KeyError, TypeError, ValueError) as err:
        raise KGError(
            f"{where}: not a kg model ({err}); rebuild it with `kg train`"
        ) from err


@functools.cache
def shipped_model() -> Model | None:
    """Return the model shipped in ``kg/models/extractor``, or None if absent."""
    file = resources.files("kg").joinpath("models", "extractor", MODEL_FILE)
    if not file.is_file():
        return None
    return _from_json(json.loads(file.read_text(encoding="utf-8")), str(file))
