"""Time the analyses of the notebooks on a sample of the XWLB news transcripts.

Takes ``--n`` stories spread evenly over ``../shared/data/xwlb/xwlb-2020-2021.jsonl``
(``kg.analysis.sample_jsonl``, as notebook 04 does) and times:

- extraction alone (``kg.extract.extract_document`` per story, the pipeline
  already loaded), in characters per second;
- ``kg.build.build`` of the sample into a temporary store (read, extract, RDF, SHACL
  check, store), in characters per second;
- each analysis of the notebooks on the graph of that store: ``load_graph``,
  centrality (exact and sampled betweenness), communities, paths, projections and
  the saved queries of notebook 02.

    .venv/bin/python benchmarks/bench_analysis.py            # 200 stories
    .venv/bin/python benchmarks/bench_analysis.py --n 50

Prints one line per step.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from kg import analysis, build, corpus
from kg.extract import extract_document

ROOT = Path(__file__).resolve().parents[1]
XWLB = ROOT.parent / "shared" / "data" / "xwlb" / "xwlb-2020-2021.jsonl"
SAVED = ("largest-projects", "projects-by-region", "regions-by-projects", "investors")


def main() -> int:
    """Run the benchmark and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="stories in the sample")
    parser.add_argument("--source", type=Path, default=XWLB, help="a .jsonl corpus")
    args = parser.parse_args()
    if not args.source.is_file():
        print(f"{args.source} not found (../shared is absent?); nothing to measure")
        return 1
    clock = analysis.Stopwatch()
    with tempfile.TemporaryDirectory(prefix="kg-bench-analysis-") as tmp:
        work = Path(tmp)
        sample = analysis.sample_jsonl(args.source, work / "sample.jsonl", args.n)
        print(f"sample: {sample.stories} of {sample.total} stories", end=", ")
        print(f"{sample.chars} characters")

        with clock("load the pipeline"):
            nlp = build.load_nlp()
        articles = corpus.read_articles(sample.path)
        with clock("extraction alone"):
            for article in articles:
                extract_document(article.doc, [article], nlp)
        with clock("kg build (fresh pipeline)"):
            summary = build.build([sample.path], work / "store")
        print(summary.as_text())

        with clock("load_graph"):
            g = analysis.load_graph(work / "store")
        print(f"graph: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges")
        with clock("degree + pagerank + betweenness (exact)"):
            analysis.centrality_frame(g)
        with clock("degree + pagerank + betweenness (300 samples)"):
            analysis.centrality_frame(g, samples=300)
        with clock("communities_frame"):
            groups = analysis.communities_frame(g)
        with clock("connected_pair + shortest_path + all_paths"):
            pair = analysis.connected_pair(g)
            if pair is not None:
                analysis.shortest_path(g, *pair)
                analysis.all_paths(g, *pair, cutoff=3, limit=5)
        with clock("projections (org-project, person-org, co-mention)"):
            analysis.organization_project_graph(g)
            analysis.person_organization_graph(g)
            co = analysis.co_mention_graph(g)
        print(f"{len(groups)} communities; {co.number_of_edges()} co-mention pairs")
        with analysis.existing_store(work / "store") as dataset:
            for name in SAVED:
                with clock(f"query_frame {name}"):
                    analysis.query_frame(dataset, name)

    extract_s = clock.laps["extraction alone"]
    build_s = clock.laps["kg build (fresh pipeline)"]
    print()
    for step, seconds in clock.laps.items():
        print(f"{seconds:8.2f} s  {step}")
    print()
    print(f"extraction alone: {sample.chars / extract_s:,.0f} chars/s")
    print(f"kg build:         {sample.chars / build_s:,.0f} chars/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
