"""Cross-validated gain of each feature group and data source of the learned layer.

Usage: .venv/bin/python benchmarks/ablation.py [--shared ../shared] [--out FILE]

Runs the 5-fold document-level cross-validation of ``kg eval --cv 5`` over the
34-document pool with everything on, then with one group of features (or the
CLUENER examples, or the learned layer itself) left out at a time, and writes
the held-out micro F1 of each run to benchmarks/results/ablation.md.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from kg.build import load_nlp
from kg.extract import propose_document
from kg.learn import crossval, train
from kg.learn.cluener import cluener_examples

# (what is left out, feature prefixes dropped)
GROUPS: list[tuple[str, tuple[str, ...]]] = [
    ("entity: rules' type and sources", ("type=", "src=", "src|")),
    (
        "entity: name's characters (suffixes, prefixes)",
        ("suf1=", "suf2=", "suf3=", "suffix|", "pre1=", "pre2="),
    ),
    ("entity: suffix-implied type", ("suffix-",)),
    ("entity: dictionary word (jieba)", ("word",)),
    ("entity: characters around mentions", ("left", "right")),
    (
        "entity: lists (gazetteer, countries, bodies)",
        ("gazetteer-region", "country", "government-list", "university-list"),
    ),
    ("relation: rules stating the fact", ("rule=", "rule-any")),
    ("relation: words between the ends", ("bi=", "uni=", "near-")),
    (
        "relation: distance, order, names between",
        ("gap=", "others=", "adjacent=", "subject-first", "object-first"),
    ),
    (
        "relation: a name written inside the other",
        (
            "named-inside",
            "prefix",
            "infix",
            "object-name-in",
            "subject-name-in",
            "object-inside",
            "subject-inside",
        ),
    ),
    (
        "relation: ends in the headline",
        ("subject-in-headline", "object-in-headline", "headline-sentence"),
    ),
]


def main() -> None:
    """Run the ablations and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = Path(__file__).resolve().parents[1]
    parser.add_argument("--shared", type=Path, default=root.parent / "shared")
    parser.add_argument(
        "--out", type=Path, default=root / "benchmarks" / "results" / "ablation.md"
    )
    args = parser.parse_args()
    nlp = load_nlp()

    def propose(source, articles):  # type: ignore[no-untyped-def]
        return propose_document(source, articles, nlp)

    pool = crossval.load_pool(
        crossval.find_pool([args.shared / "eval"], [args.shared / "corpus"]), propose
    )
    extra = cluener_examples(args.shared / "data" / "cluener" / "train.json", propose)

    def run(
        label: str, settings: train.Settings, examples: list, rules_only: bool = False
    ) -> str:  # type: ignore[type-arg]
        t = time.perf_counter()
        if rules_only:
            cv = crossval.cross_validate(
                pool,
                5,
                0,
                trainer=lambda d: None,
                decider=lambda p, m: p.rules_graph(),  # type: ignore[arg-type, return-value]
            )
        else:
            cv = crossval.cross_validate(
                pool, 5, 0, trainer=lambda d: train.train_model(d, settings, examples)
            )
        e, r = cv.held_out.entities_micro, cv.held_out.relations_micro
        row = (
            f"| {label} | {e.f1:.3f} | {r.f1:.3f} | {cv.held_out.micro.f1:.3f} "
            f"| {cv.relation_reliability.ece:.3f} |"
        )
        print(row, f"({time.perf_counter() - t:.0f} s)", flush=True)
        return row

    rows = [
        "| left out | entity F1 | relation F1 | all F1 | relation ECE |",
        "|---|---:|---:|---:|---:|",
        run("nothing (the shipped configuration)", train.Settings(), extra),
        run(
            "the learned layer (the rules decide)",
            train.Settings(),
            extra,
            rules_only=True,
        ),
        run("CLUENER examples", train.Settings(), []),
    ]
    rows += [
        run(label, train.Settings(drop=prefixes), extra) for label, prefixes in GROUPS
    ]
    args.out.write_text(
        "# Ablation of the learned layer, cross-validated\n\n"
        "Command: `.venv/bin/python benchmarks/ablation.py` "
        "(5 folds by document, seed 0, "
        "34 documents: seed + dev + dev2; held-out micro F1; CLUENER examples from "
        "`../shared/data/cluener/train.json`). The rules-only row scores documents the "
        "rules were tuned on (seed, dev) too, so it flatters the rules.\n\n"
        + "\n".join(rows)
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
