"""Train the CLUENER entity recogniser shipped in ``kg/models/cluener_ner``.

Steps (each can run alone)::

    python benchmarks/train_cluener.py convert   # CLUENER JSON -> spaCy DocBin
    python benchmarks/train_cluener.py train     # spacy train, benchmarks/cluener.cfg
    python benchmarks/train_cluener.py evaluate  # per-label P/R/F1 and chars/s on dev
    python benchmarks/train_cluener.py all       # the three in order, then ship

CLUENER lines are ``{"text": ..., "label": {label: {name: [[start, end], ...]}}}``
with END-INCLUSIVE character offsets. Docs are tokenised by ``spacy.blank("zh")``
with its default ``char`` segmenter, so every character offset is a token
boundary. The data itself stays in ``../shared/data/cluener``; the DocBins and the
training output go under ``out/cluener`` (git-ignored). ``ship`` copies
``model-best`` to ``kg/models/cluener_ner`` (only the pipeline, no data).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "cluener"
WORK = ROOT / "out" / "cluener"
CONFIG = ROOT / "benchmarks" / "cluener.cfg"
MODEL = ROOT / "kg" / "models" / "cluener_ner"


def read_lines(path: Path) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """Read CLUENER lines as ``(text, [(start, end_exclusive, label)])``."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        text = row["text"]
        spans = []
        for label, names in row.get("label", {}).items():
            for name, offsets in names.items():
                for start, end in offsets:
                    if text[start : end + 1] != name:
                        raise ValueError(
                            f"{path}:{number}: span {start}-{end} is not {name!r}"
                        )
                    spans.append((start, end + 1, label))
        rows.append((text, spans))
    return rows


def convert(src: Path, dst: Path) -> tuple[int, int, int]:
    """Write ``src`` (CLUENER JSON lines) as a DocBin at ``dst``.

    Returns:
        (docs, entities, dropped): overlapping spans are dropped, the longest kept.
    """
    import spacy
    from spacy.tokens import DocBin
    from spacy.util import filter_spans

    nlp = spacy.blank("zh")  # default segmenter: one token per character
    db = DocBin(store_user_data=False)
    n_ents = dropped = 0
    rows = read_lines(src)
    for text, spans in rows:
        doc = nlp.make_doc(text)
        ents = []
        for start, end, label in spans:
            span = doc.char_span(start, end, label=label, alignment_mode="strict")
            if span is None:  # whitespace at a span edge: the char segmenter skips it
                span = doc.char_span(start, end, label=label, alignment_mode="contract")
            if span is None:
                dropped += 1
                continue
            ents.append(span)
        kept = filter_spans(ents)
        dropped += len(ents) - len(kept)
        n_ents += len(kept)
        doc.ents = kept
        db.add(doc)
    dst.parent.mkdir(parents=True, exist_ok=True)
    db.to_disk(dst)
    return len(rows), n_ents, dropped


def train(threads: int, output: Path, overrides: list[str]) -> None:
    """Run ``spacy train`` on the DocBins with ``benchmarks/cluener.cfg``.

    ``overrides`` are ``section.key=value`` settings passed on to spaCy.
    """
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    cmd = [
        sys.executable,
        "-m",
        "spacy",
        "train",
        str(CONFIG),
        "--output",
        str(output),
        "--paths.train",
        str(WORK / "train.spacy"),
        "--paths.dev",
        str(WORK / "dev.spacy"),
    ]
    for item in overrides:
        key, _, value = item.partition("=")
        cmd += [f"--{key}", value]
    subprocess.run(cmd, check=True, env=env)


def evaluate(model: Path, src: Path) -> str:
    """Return per-label P/R/F1 of ``model`` on CLUENER ``src`` and its speed."""
    import spacy
    from spacy.training import Example
    from spacy.util import filter_spans

    nlp = spacy.load(model)
    rows = read_lines(src)
    texts = [t for t, _ in rows]
    started = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=256))
    seconds = time.perf_counter() - started
    examples = []
    for doc, (text, spans) in zip(docs, rows, strict=True):
        ref = nlp.make_doc(text)
        ents = [
            ref.char_span(s, e, label=lab, alignment_mode="contract")
            for s, e, lab in spans
        ]
        ref.ents = filter_spans([e for e in ents if e is not None])
        examples.append(Example(doc, ref))
    scores = nlp.get_pipe("ner").score(examples)
    lines = [f"{'label':14} {'P':>6} {'R':>6} {'F1':>6}"]
    for label, s in sorted(scores["ents_per_type"].items()):
        lines.append(f"{label:14} {s['p']:6.3f} {s['r']:6.3f} {s['f']:6.3f}")
    p, r, f = scores["ents_p"], scores["ents_r"], scores["ents_f"]
    lines.append(f"{'micro':14} {p:6.3f} {r:6.3f} {f:6.3f}")
    chars = sum(len(t) for t in texts)
    lines.append(
        f"{len(texts)} sentences, {chars} chars, {chars / seconds:,.0f} chars/s"
    )
    return "\n".join(lines)


def ship(src: Path, dst: Path) -> int:
    """Copy the trained pipeline to the package; return its size in bytes."""
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    # No machine paths in the shipped config; a name and provenance in the meta.
    cfg = dst / "config.cfg"
    lines = cfg.read_text(encoding="utf-8").splitlines()
    cfg.write_text(
        "\n".join(
            f"{ln.split(' = ')[0]} = null"
            if ln.startswith(("train = ", "dev = "))
            else ln
            for ln in lines
        )
        + "\n",
        encoding="utf-8",
    )
    meta_path = dst / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["name"] = "cluener_ner"
    meta["description"] = (
        "Character-level NER (hashed embeddings, window CNN, transition-based ner) "
        "trained on CLUENER2020 train.json by benchmarks/train_cluener.py with "
        "benchmarks/cluener.cfg; scores are on CLUENER dev.json."
    )
    meta_path.write_text(
        json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return sum(p.stat().st_size for p in dst.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    """Run the steps named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("convert", "train", "evaluate", "ship", "all"))
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--output", type=Path, default=WORK / "train")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        help="config override, e.g. training.max_steps=500",
    )
    parser.add_argument("--model", type=Path, default=None, help="pipeline to evaluate")
    args = parser.parse_args(argv)
    steps = (
        ("convert", "train", "evaluate", "ship") if args.step == "all" else (args.step,)
    )
    if "convert" in steps:
        for split in ("train", "dev"):
            n, ents, dropped = convert(
                args.data / f"{split}.json", WORK / f"{split}.spacy"
            )
            print(f"{split}: {n} docs, {ents} entities, {dropped} dropped")
    if "train" in steps:
        started = time.perf_counter()
        train(args.threads, args.output, args.set)
        print(f"trained in {time.perf_counter() - started:.0f} s")
    if "evaluate" in steps:
        print(
            evaluate(args.model or args.output / "model-best", args.data / "dev.json")
        )
    if "ship" in steps:
        size = ship(args.output / "model-best", MODEL)
        print(f"shipped {MODEL.relative_to(ROOT)}: {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
