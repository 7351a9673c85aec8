"""Document-level cross-validation of the learned layer, and its reliability.

The pool is every gold file given with its document. Folds are fixed by a
seed and balanced by source kind (the seed page, business news, broadcast
transcripts): documents of each kind are shuffled with the seed and dealt to
the folds in turn. Each held-back fold is extracted by a model trained on
the other folds only; the training folds are scored too, to show the gap.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg import corpus
from kg.errors import GoldFileError
from kg.evaluate import Report, combine, load_gold, score
from kg.learn.decide import decide
from kg.learn.model import Model
from kg.learn.proposal import Proposal
from kg.learn.train import TrainingDoc, train_model
from kg.records import Article, DocumentGraph

__all__ = [
    "CrossValidation",
    "Reliability",
    "assign_folds",
    "cross_validate",
    "document_kind",
    "find_pool",
    "load_pool",
    "reliability",
]

_DOC_SUFFIXES = (".txt", ".md", ".html", ".htm")


def document_kind(articles: Sequence[Article]) -> str:
    """Return a document's source kind: ``page``, ``business`` or ``broadcast``.

    A page has a masthead; an article dated 2012 or earlier is business news
    (the pool's reposts of 2011); the rest are broadcast transcripts.

    Example:
        >>> document_kind([Article("d", "a1", "t", "x", date="2011-05-02")])
        'business'
    """
    if any(a.kind == "masthead" for a in articles):
        return "page"
    dates = [a.date for a in articles if a.date]
    if dates and min(dates)[:4] <= "2012":
        return "business"
    return "broadcast"


def assign_folds(
    docs: Sequence[tuple[str, str]], k: int, seed: int = 0
) -> dict[str, int]:
    """Assign each ``(name, kind)`` to one of ``k`` folds, balanced by kind.

    Example:
        >>> folds = assign_folds([("a", "x"), ("b", "x"), ("c", "y"), ("d", "y")], 2)
        >>> sorted(folds.values())
        [0, 0, 1, 1]
    """
    rng = random.Random(seed)
    out: dict[str, int] = {}
    turn = 0
    for kind in sorted({kind for _, kind in docs}):
        names = sorted(name for name, kd in docs if kd == kind)
        rng.shuffle(names)
        for name in names:
            out[name] = turn % k
            turn += 1
    return out


def find_pool(
    paths: Sequence[Path], doc_dirs: Sequence[Path] = ()
) -> list[tuple[Path, Path]]:
    """Pair each gold file under ``paths`` with its document.

    The document is ``NAME.txt`` (or .md, .html) beside ``NAME.gold.json``,
    else the file the gold graph's ``source`` names, beside it or in one of
    ``doc_dirs``.

    Raises:
        GoldFileError: no gold file, or a gold file whose document is not found.
    """
    golds: list[Path] = []
    for p in paths:
        golds += sorted(p.rglob("*.gold.json")) if p.is_dir() else [p]
    if not golds:
        raise GoldFileError(
            f"no *.gold.json under {', '.join(map(str, paths))}; "
            "give gold files or folders"
        )
    pairs = []
    for g in golds:
        stem = g.name.removesuffix(".gold.json")
        beside = [g.with_name(stem + s) for s in _DOC_SUFFIXES]
        source = str(load_gold(g).get("source", ""))
        named = [d / source for d in (g.parent, *doc_dirs)] if source else []
        found = next((d for d in (*beside, *named) if d.is_file()), None)
        if found is None:
            raise GoldFileError(
                f"{g}: its document ({stem}.txt or {source or 'no source'}) is not "
                "beside it; put it there or name its folder with --docs"
            )
        pairs.append((g, found))
    return pairs


def load_pool(
    pairs: Sequence[tuple[Path, Path]],
    propose: Callable[[str, list[Article]], Proposal],
) -> list[TrainingDoc]:
    """Read each document, run the rules on it, and pair it with its gold graph."""
    out = []
    for g, d in pairs:
        articles = corpus.read_articles(d)
        text, _encoding = corpus.decode_bytes(d.read_bytes(), str(d))
        name = g.name.removesuffix(".gold.json")
        out.append(
            TrainingDoc(
                name,
                document_kind(articles),
                propose(d.name, articles),
                load_gold(g),
                text,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class Reliability:
    """Stated confidence against observed precision, in ten bins."""

    bins: tuple[tuple[float, float, int, float, float], ...]  # lo, hi, n, stated, right

    @property
    def ece(self) -> float:
        """Return the expected calibration error (count-weighted |stated - right|)."""
        total = sum(n for _lo, _hi, n, _s, _r in self.bins)
        if not total:
            return 0.0
        return sum(n * abs(s - r) for _lo, _hi, n, s, r in self.bins) / total

    def as_table(self, title: str) -> str:
        """Return the table as aligned text."""
        lines = [
            f"{title}: expected calibration error {self.ece:.3f}",
            f"{'bin':<10} {'count':>6} {'stated':>7} {'observed':>9}",
        ]
        for lo, hi, n, s, r in self.bins:
            if n:
                lines.append(f"{lo:.1f}-{hi:.1f}   {n:6d} {s:7.3f} {r:9.3f}")
        return "\n".join(lines)


def reliability(items: Sequence[tuple[float, bool]]) -> Reliability:
    """Return the ten-bin reliability of ``(confidence, right)`` pairs.

    Example:
        >>> r = reliability([(0.85, True), (0.85, False), (0.15, False)])
        >>> round(r.ece, 3)
        0.283
    """
    bins = []
    for i in range(10):
        lo, hi = i / 10, (i + 1) / 10
        inside = [(c, r) for c, r in items if lo <= c < hi or (i == 9 and c == 1.0)]
        n = len(inside)
        stated = sum(c for c, _ in inside) / n if n else 0.0
        right = sum(1 for _, r in inside if r) / n if n else 0.0
        bins.append((lo, hi, n, stated, right))
    return Reliability(tuple(bins))


def _judged(
    graph: DocumentGraph, report: Report
) -> tuple[list[tuple[float, bool]], list[tuple[float, bool]]]:
    """Pair each scored prediction's confidence with whether it was right."""
    wrong = {(f.kind, f.label, f.text) for f in report.false_positives}
    ignored = {(f.kind, f.label, f.text) for f in report.ignored}
    entities = [
        (e.confidence, ("entity", e.type, e.name) not in wrong)
        for e in graph.entities
        if ("entity", e.type, e.name) not in ignored
    ]
    seen: set[tuple[str, str, str]] = set()
    relations = []
    for r in graph.relations:
        key = ("relation", r.predicate, f"{r.subject} -> {r.object}")
        if key in ignored or key in seen or r.predicate == "authorOf":
            continue
        seen.add(key)
        relations.append((r.confidence, key not in wrong))
    return entities, relations


@dataclass(frozen=True, slots=True)
class CrossValidation:
    """Out-of-fold scores, per-fold spread, the training-fold gap, reliability."""

    folds: dict[str, int]
    held_out: Report
    per_fold: tuple[Report, ...]
    training: Report
    entity_reliability: Reliability
    relation_reliability: Reliability
    fold_f1: dict[str, tuple[float, ...]] = field(default_factory=dict)

    def spread(self, key: str) -> tuple[float, float]:
        """Return the mean and standard deviation of a micro F1 across folds."""
        values = self.fold_f1[key]
        return statistics.mean(values), statistics.pstdev(values)

    def as_text(self) -> str:
        """Return the held-out table, the spread, the gap and the reliability."""
        lines = [
            f"{len(self.folds)} documents, {len(self.per_fold)} folds "
            "(scores of each document by a model that never saw it)",
            "",
            self.held_out.as_table(),
            "",
            f"{'micro F1':<12} {'held out':>9} {'fold mean':>10} {'fold sd':>8} "
            f"{'training':>9} {'gap':>7}",
        ]
        train = {
            "entities": self.training.entities_micro,
            "relations": self.training.relations_micro,
            "all": self.training.micro,
        }
        held = {
            "entities": self.held_out.entities_micro,
            "relations": self.held_out.relations_micro,
            "all": self.held_out.micro,
        }
        for key in ("entities", "relations", "all"):
            mean, sd = self.spread(key)
            lines.append(
                f"{key:<12} {held[key].f1:9.3f} {mean:10.3f} {sd:8.3f} "
                f"{train[key].f1:9.3f} {train[key].f1 - held[key].f1:7.3f}"
            )
        lines += [
            "",
            self.entity_reliability.as_table("entity confidence, held out"),
            "",
            self.relation_reliability.as_table("relation confidence, held out"),
            "",
            "folds: " + ", ".join(f"{n}:{f}" for n, f in sorted(self.folds.items())),
        ]
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        """Return the figures as JSON."""
        return {
            "folds": self.folds,
            "held_out": self.held_out.as_json(),
            "training": {
                "entities": self.training.entities_micro.as_json(),
                "relations": self.training.relations_micro.as_json(),
            },
            "fold_f1": {k: list(v) for k, v in self.fold_f1.items()},
            "ece": {
                "entities": self.entity_reliability.ece,
                "relations": self.relation_reliability.ece,
            },
        }


def _score(doc: TrainingDoc, graph: DocumentGraph) -> Report:
    return score(graph.to_json(), doc.gold, doc.text)


def cross_validate(
    docs: Sequence[TrainingDoc],
    k: int = 5,
    seed: int = 0,
    trainer: Callable[[Sequence[TrainingDoc]], Model] = train_model,
    decider: Callable[[Proposal, Model], DocumentGraph] = decide,
) -> CrossValidation:
    """Cross-validate the learned layer over ``docs`` in ``k`` folds by document.

    Args:
        docs: the pool, with the rules' proposals computed once.
        k: the number of folds.
        seed: the seed of the fold assignment.
        trainer: trains a model on the training folds (ablations swap it).
        decider: applies a model to a document's proposal.

    Returns:
        The held-out and training reports, per-fold F1 and reliability tables.
    """
    folds = assign_folds([(d.name, d.kind) for d in docs], k, seed)
    held: list[Report] = []
    per_fold: list[Report] = []
    training: list[Report] = []
    entity_items: list[tuple[float, bool]] = []
    relation_items: list[tuple[float, bool]] = []
    fold_f1: dict[str, list[float]] = {"entities": [], "relations": [], "all": []}
    for f in range(k):
        test = [d for d in docs if folds[d.name] == f]
        train = [d for d in docs if folds[d.name] != f]
        if not test:
            continue
        model = trainer(train)
        reports = []
        for d in test:
            graph = decider(d.proposal, model)
            report = _score(d, graph)
            reports.append(report)
            ents, rels = _judged(graph, report)
            entity_items += ents
            relation_items += rels
        fold = combine(reports)
        per_fold.append(fold)
        held += reports
        for key, counts in (
            ("entities", fold.entities_micro),
            ("relations", fold.relations_micro),
            ("all", fold.micro),
        ):
            fold_f1[key].append(counts.f1)
        training += [_score(d, decider(d.proposal, model)) for d in train]
    return CrossValidation(
        folds,
        combine(held),
        tuple(per_fold),
        combine(training) if training else Report(),
        reliability(entity_items),
        reliability(relation_items),
        {key: tuple(v) for key, v in fold_f1.items()},
    )
