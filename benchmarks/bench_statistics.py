"""Time the rewrite of the statistics graph (kg.store.refresh_statistics) on a store.

    .venv/bin/python benchmarks/bench_statistics.py --store DIR [--runs 3]

Opens the store for writing (make a copy first if it matters), counts and writes the
statistics ``--runs`` times and prints each time, the median, the number of triples in
the graph and the peak RSS of the process. The first run after a build writes nothing new
(only the difference is written), so the figure is the counting plus the comparison.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from pathlib import Path

from kg import store


def main() -> None:
    """Run the timing and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    dataset = store.open_dataset("oxigraph", args.store)
    times = []
    try:
        for _ in range(args.runs):
            t0 = time.perf_counter()
            triples = store.refresh_statistics(dataset)
            times.append(time.perf_counter() - t0)
            print(f"refresh_statistics: {times[-1]:.2f} s, {triples:,} triples")
        store.flush(dataset)
    finally:
        dataset.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"median {statistics.median(times):.2f} s of {args.runs}; peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
