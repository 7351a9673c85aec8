"""Score the entity recogniser alone on CLUENER-style data (``{"text", "label"}`` lines).

Our types map onto CLUENER's labels: Person → name, Company → company,
GovernmentAgency → government, Organization/University/ResearchInstitute →
organization, Region → address (Project has no CLUENER label and is left out).
A prediction is right when its label and exact span equal a gold one.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import GoldFileError
from kg.evaluate import Counts

__all__ = ["CLUENER_OF", "NerReport", "read_cluener", "score_cluener"]

CLUENER_OF = {
    "Person": "name",
    "Company": "company",
    "GovernmentAgency": "government",
    "Organization": "organization",
    "University": "organization",
    "ResearchInstitute": "organization",
    "Region": "address",
}
LABELS = ("name", "company", "government", "organization", "address")


@dataclass(slots=True)
class NerReport:
    """Counts per CLUENER label, with throughput."""

    counts: dict[str, Counts] = field(default_factory=dict)
    sentences: int = 0
    chars: int = 0
    seconds: float = 0.0

    @property
    def micro(self) -> Counts:
        """Return the counts summed over the labels."""
        total = Counts()
        for c in self.counts.values():
            total = total + c
        return total

    def as_table(self) -> str:
        """Return an aligned text table with P/R/F1 and chars/s."""
        rows = [
            f"{'label':14} {'tp':>5} {'fp':>5} {'fn':>5} {'P':>6} {'R':>6} {'F1':>6}"
        ]
        for label in (*LABELS, "micro"):
            c = self.micro if label == "micro" else self.counts.get(label, Counts())
            rows.append(
                f"{label:14} {c.tp:5} {c.fp:5} {c.fn:5} "
                f"{c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f}"
            )
        speed = self.chars / self.seconds if self.seconds else 0.0
        rows.append(
            f"{self.sentences} sentences, {self.chars} chars, {speed:,.0f} chars/s"
        )
        return "\n".join(rows)


def read_cluener(
    path: Path, limit: int | None = None, labels: Sequence[str] | None = LABELS
) -> list[tuple[str, set[tuple[int, int, str]]]]:
    """Read CLUENER lines as (text, {(start, end_exclusive, label)}).

    Only the spans of ``labels`` are kept (all of them when it is None).

    Raises:
        GoldFileError: a line that is not CLUENER JSON.
    """
    out = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise GoldFileError(
            f"{path}: cannot read ({err.strerror}); check the path"
        ) from err
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row: dict[str, Any] = json.loads(line)
            gold = {
                (s, e + 1, label)
                for label, names in row.get("label", {}).items()
                if labels is None or label in labels
                for spans in names.values()
                for s, e in spans
            }
            out.append((str(row["text"]), gold))
        except (ValueError, KeyError, TypeError) as err:
            raise GoldFileError(
                f"{path}:{number}: not a CLUENER line ({err}); fix or remove it"
            ) from err
        if limit is not None and len(out) >= limit:
            break
    return out


def score_cluener(
    data: Iterable[tuple[str, set[tuple[int, int, str]]]], nlp: Any
) -> NerReport:
    """Run the pipeline's entity stages on each sentence and score exact spans."""
    data = list(data)
    report = NerReport(counts={label: Counts() for label in LABELS})
    started = time.perf_counter()
    docs = nlp.pipe((text for text, _ in data), batch_size=64)
    for (text, gold), doc in zip(data, docs, strict=True):
        pred = {
            (m.start, m.end, CLUENER_OF[m.label])
            for m in doc._.kg_mentions or ()
            if m.label in CLUENER_OF
        }
        for label in LABELS:
            p = {x for x in pred if x[2] == label}
            g = {x for x in gold if x[2] == label}
            report.counts[label] = report.counts[label] + Counts(
                tp=len(p & g), fp=len(p - g), fn=len(g - p)
            )
        report.sentences += 1
        report.chars += len(text)
    report.seconds = time.perf_counter() - started
    return report
