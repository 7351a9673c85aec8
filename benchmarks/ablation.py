"""Measure each extraction component's gain on the seed + dev gold set (not a test).

Usage: .venv/bin/python benchmarks/ablation.py [--shared ../shared]
Prints entity and relation micro-F1 with everything on, then with one component
or relation rule left out at a time, and writes benchmarks/results/ablation.md.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from unittest import mock

from kg import corpus, evaluate, relations
from kg.extract import extract_document
from kg.pipeline import make_nlp


def pairs(shared: Path) -> list[tuple[Path, Path]]:
    root = Path(__file__).resolve().parents[1]
    out = [(root / "corpus" / "000_e5e095a287f3bba7.txt", shared / "eval" / "seed.gold.json")]
    out += [(shared / "eval" / "dev" / f"d{i}.txt", shared / "eval" / "dev" / f"d{i}.gold.json") for i in range(1, 11)]
    return out


def score(nlp, data) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    reports = []
    for doc, gold in data:
        graph = extract_document(doc.name, corpus.read_articles(doc), nlp)
        reports.append(evaluate.score(graph.to_json(), evaluate.load_gold(gold), doc.read_text(encoding="utf-8")))
    r = evaluate.combine(reports)
    return r.entities_micro.f1, r.relations_micro.f1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    args = parser.parse_args()
    data = pairs(args.shared)
    nlp = make_nlp()
    base = score(nlp, data)
    rows = [("everything", *base)]
    no_gaz = make_nlp(disable=("kg_gazetteer",))
    rows.append(("without kg_gazetteer", *score(no_gaz, data)))
    for rule in relations.RULES:
        kept = tuple(r for r in relations.RULES if r is not rule)
        with mock.patch.object(relations, "RULES", kept), mock.patch(
            "kg.relations.extract_relations.__defaults__", (kept,)
        ):
            rows.append((f"without rule {rule.__name__}", *score(nlp, data)))
    for fallback in relations.FALLBACKS:
        with mock.patch.object(relations, "FALLBACKS", ()):
            rows.append((f"without fallback {fallback.__name__}", *score(nlp, data)))
    lines = ["| configuration | entity F1 | Δ | relation F1 | Δ |", "|---|---|---|---|---|"]
    for name, ent, rel in rows:
        lines.append(f"| {name} | {ent:.3f} | {ent - base[0]:+.3f} | {rel:.3f} | {rel - base[1]:+.3f} |")
    text = "\n".join(lines)
    print(text)
    out = Path(__file__).resolve().parent / "results" / "ablation.md"
    out.write_text("Seed page + 10 dev articles, micro-averaged (kg eval rules).\n\n" + text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
