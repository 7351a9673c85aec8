"""Measure how fast the HTML graph view becomes interactive in headless Chromium.

Two graphs:

- the seed graph: ``corpus/`` built into a temporary store; its page is also saved
  as a screenshot (``docs/seed-graph.png`` by default, for the README);
- large graphs: the first ``--articles`` articles of the XWLB news transcripts
  (``../shared/data/xwlb/xwlb-2020-2021.jsonl``) built by ``kg build`` (extraction
  speed is reported, per second of wall and of CPU time), drawn whole and cut to
  the ``--nodes`` nodes of highest degree. ``--store`` reuses a store built before.

For each page, three times in a fresh browser tab with every request but the
file:// page aborted: milliseconds from navigation to the load event, to the network
stabilised and its physics frozen (``kg.ready``), and to one search answered after
that (the query put in the search form and submitted, the node selected and its
panel written; the search is timed inside the page and added to the time to
ready). The medians are printed.

Run: .venv/bin/python benchmarks/bench_viewer.py [--articles 3000] [--store DIR]
(``--seed-only`` just times the seed page and refreshes the screenshot.)
Chromium comes from Debian (/usr/bin/chromium); nothing is downloaded.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import networkx as nx

from kg import analysis, build, visualize

ROOT = Path(__file__).resolve().parents[1]
XWLB = ROOT.parent / "shared" / "data" / "xwlb" / "xwlb-2020-2021.jsonl"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RUNS = 3


def build_store(sources: list[Path], store: Path) -> build.BuildSummary:
    """Build ``sources`` into ``store`` with the real pipeline."""
    summary = build.build(sources, store)
    if summary.problems:
        print(*summary.problems[:5], sep="\n", file=sys.stderr)
    return summary


def top_nodes(g: nx.MultiDiGraph, n: int) -> nx.MultiDiGraph:
    """Keep the ``n`` nodes of highest degree (ties by IRI) and their edges."""
    if len(g) <= n:
        return g
    degree = dict(g.degree())
    keep = sorted(g, key=lambda x: (-degree[x], x))[:n]
    sub = g.subgraph(keep).copy()
    sub.graph.update(g.graph)
    return sub


def search_target(g: nx.MultiDiGraph, start: list[str] | None) -> str:
    """Pick a label to search: a well-connected node not drawn at the start."""
    degree = dict(g.degree())
    drawn = set(start or ())
    candidates = [n for n in g if n not in drawn] or list(g)
    best = min(candidates, key=lambda x: (-degree[x], x))
    return str(g.nodes[best].get("label") or best)


def measure(browser: Any, page_path: Path, query: str) -> dict[str, float]:
    """Open the page once; return milliseconds from navigation to each milestone."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.on(
            "console", lambda m: errors.append(m.text) if m.type == "error" else None
        )
        page.route(
            "**/*",
            lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort(),
        )
        page.goto(page_path.as_uri(), wait_until="load", timeout=120_000)
        loaded = page.evaluate(
            "performance.getEntriesByType('navigation')[0].loadEventEnd"
        )
        page.wait_for_function("window.kg && window.kg.ready", timeout=120_000)
        ready = page.evaluate("kg.readyAt")
        drawn = page.evaluate("kg.nodes.length")
        # a search through the form, timed inside the page
        took, ok = page.evaluate(
            """(query) => {
              const started = performance.now();
              document.getElementById("kg-search-input").value = query;
              document.getElementById("kg-search").requestSubmit();
              const ok = kg.network.getSelectedNodes().length === 1 &&
                document.querySelector("#kg-panel h2") !== null;
              return [performance.now() - started, ok];
            }""",
            query,
        )
        if not ok:
            raise RuntimeError(
                f"{page_path.name}: searching {query!r} selected nothing"
            )
    finally:
        context.close()
    if errors:
        raise RuntimeError(f"{page_path.name}: errors in the page: {errors[:3]}")
    return {"load": loaded, "ready": ready, "search": ready + took, "drawn": drawn}


def report(
    name: str, g: nx.MultiDiGraph, page: Path, runs: list[dict[str, float]]
) -> None:
    """Print the medians of the runs of one page."""
    med = {
        k: statistics.median(r[k] for r in runs) for k in ("load", "ready", "search")
    }
    print(
        f"{name}: {g.number_of_nodes():,} nodes, {g.number_of_edges():,} edges, "
        f"page {page.stat().st_size / 1e6:.1f} MB, {int(runs[0]['drawn']):,} nodes "
        "drawn at the start"
    )
    print(
        f"  median of {len(runs)} (ms from navigation): load event {med['load']:.0f}, "
        f"stabilised+frozen {med['ready']:.0f}, "
        f"+ one search answered {med['search']:.0f}"
    )
    print(
        "  runs (ready ms): "
        + ", ".join(f"{r['ready']:.0f}" for r in runs)
        + f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs",
        flush=True,
    )


def screenshot(browser: Any, page_path: Path, out: Path) -> None:
    """Save a picture of the whole graph, laid out, nothing selected."""
    context = browser.new_context(
        viewport={"width": 1500, "height": 900}, device_scale_factor=1
    )
    try:
        page = context.new_page()
        page.route(
            "**/*",
            lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort(),
        )
        page.goto(page_path.as_uri())
        page.wait_for_function("window.kg && window.kg.ready", timeout=120_000)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))
    finally:
        context.close()


def main() -> None:
    """Build both graphs, time their pages and save the screenshot."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--store", type=Path, help="a built XWLB store to reuse")
    parser.add_argument(
        "--screenshot", type=Path, default=ROOT / "docs" / "seed-graph.png"
    )
    parser.add_argument("--keep", type=Path, help="write the pages into this folder")
    parser.add_argument("--no-screenshot", action="store_true")
    parser.add_argument(
        "--seed-only", action="store_true", help="skip the large graphs"
    )
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(args.keep or tmp_name)
        tmp.mkdir(parents=True, exist_ok=True)
        graphs: list[tuple[str, nx.MultiDiGraph, Path]] = []

        summary = build_store([ROOT / "corpus"], tmp / "seed-store")
        print(f"seed: built {summary.articles} articles in {summary.seconds:.1f} s")
        seed = _viewer_graph(tmp / "seed-store")
        graphs.append(("seed graph", seed, _render(seed, tmp / "seed.html")))

        store = args.store
        if args.seed_only:
            pass
        elif store is None and XWLB.exists():
            subset = tmp / "xwlb.jsonl"
            with XWLB.open(encoding="utf-8") as src, subset.open("w") as dst:
                dst.writelines(itertools.islice(src, args.articles))
            chars = sum(
                len(json.loads(line)["text"]) for line in subset.open(encoding="utf-8")
            )
            store = tmp / "xwlb-store"
            cpu = time.process_time()
            summary = build_store([subset], store)
            cpu = time.process_time() - cpu
            print(
                f"xwlb: built {summary.articles} articles ({chars / 1e6:.2f} M chars "
                f"of text) in {summary.seconds:.0f} s wall, {cpu:.0f} s CPU: "
                f"{chars / summary.seconds:,.0f} chars/s wall, "
                f"{chars / cpu:,.0f} chars/s CPU"
            )
        if store is not None and not args.seed_only:
            full = _viewer_graph(store)
            big = top_nodes(full, args.nodes)
            started = time.perf_counter()
            page = _render(full, tmp / "xwlb-full.html")
            print(
                f"xwlb: {len(full):,} nodes, render_html took "
                f"{time.perf_counter() - started:.1f} s"
            )
            graphs.append(("xwlb graph, whole", full, page))
            graphs.append(
                (
                    f"xwlb graph cut to {len(big):,} nodes",
                    big,
                    _render(big, tmp / "xwlb.html"),
                )
            )
        elif not args.seed_only:
            print(f"{XWLB} not found and no --store given: large graph skipped")

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for name, g, page_path in graphs:
                    start = _start(g)
                    query = search_target(g, start)
                    runs = [measure(browser, page_path, query) for _ in range(RUNS)]
                    report(name, g, page_path, runs)
                if not args.no_screenshot:
                    screenshot(browser, graphs[0][2], args.screenshot)
                    print(f"screenshot: {args.screenshot}")
            finally:
                browser.close()


def _start(g: nx.MultiDiGraph) -> list[str] | None:
    """Return the nodes the page draws first (as ``render_html`` picks them)."""
    if len(g) <= visualize.DEFAULT_MAX_NODES:
        return None
    degree = dict(g.degree())
    return sorted(g, key=lambda x: (-degree[x], x))[: visualize.DEFAULT_START_NODES]


def _viewer_graph(store: Path) -> nx.MultiDiGraph:
    dataset = build.open_store(store)
    try:
        return analysis.viewer_graph(dataset)
    finally:
        dataset.close()


def _render(g: nx.MultiDiGraph, out: Path) -> Path:
    return visualize.render_html(g, out, title="kg")


if __name__ == "__main__":
    main()
