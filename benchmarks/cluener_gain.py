"""Measure what the CLUENER component adds to extraction and to the NER alone.

Usage (from the project root)::

    python benchmarks/cluener_gain.py                # gold pages + CLUENER dev
    python benchmarks/cluener_gain.py --skip-cluener # gold pages only

For the gold pages (the seed page and ``../shared/eval/dev/d*.txt``) it prints
the combined entity table of ``kg.evaluate`` with the default pipeline and with
``kg_cluener_ner`` added after ``kg_lac_ner``; then the same for
``kg eval --cluener ../shared/data/cluener/dev.json`` (``kg.ner_eval``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kg import corpus, evaluate, ner_eval
from kg.extract import extract_document
from kg.pipeline import cluener_ner, make_nlp  # noqa: F401 (registers the factory)

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def gold_pairs() -> list[tuple[Path, Path]]:
    """Return (page, gold) pairs: the seed page and the dev pages."""
    pairs = [
        (
            ROOT / "corpus" / "000_e5e095a287f3bba7.txt",
            SHARED / "eval" / "seed.gold.json",
        )
    ]
    for gold in sorted(
        (SHARED / "eval" / "dev").glob("d*.gold.json"),
        key=lambda p: int(p.name[1:].split(".")[0]),
    ):
        pairs.append((gold.with_name(gold.name.replace(".gold.json", ".txt")), gold))
    return [p for p in pairs if p[0].exists() and p[1].exists()]


def build(with_cluener: bool, **config: object) -> object:
    """Return the default pipeline, with the CLUENER component if asked."""
    nlp = make_nlp()
    if with_cluener:
        nlp.add_pipe("kg_cluener_ner", after="kg_lac_ner", config=dict(config))
    return nlp


def score_pages(nlp: object) -> evaluate.Report:
    """Score the pipeline on every gold page, micro-averaged."""
    reports = []
    for page, gold in gold_pairs():
        graph = extract_document(page.name, corpus.read_articles(page), nlp)
        text = page.read_text(encoding="utf-8")
        reports.append(evaluate.score(graph.to_json(), evaluate.load_gold(gold), text))
    return evaluate.combine(reports)


def main(argv: list[str] | None = None) -> int:
    """Print the tables without and with the component."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-cluener", action="store_true")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--errors", action="store_true", help="list misses and FPs")
    parser.add_argument(
        "--config",
        default="{}",
        help="component settings as JSON, e.g. '{\"strict\": false}'",
    )
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args(argv)
    config = json.loads(args.config)
    for with_cluener in (False, True) if not args.no_baseline else (True,):
        tag = f"with kg_cluener_ner {config}" if with_cluener else "default pipeline"
        nlp = build(with_cluener, **config)
        if not args.skip_pages:
            print(f"== gold pages, {tag}")
            print(score_pages(nlp).as_table(verbose=args.errors))
        if not args.skip_cluener:
            print(f"== CLUENER dev, {tag}")
            rows = ner_eval.read_cluener(SHARED / "data" / "cluener" / "dev.json")
            print(ner_eval.score_cluener(rows, nlp).as_table())
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
