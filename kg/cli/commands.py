"""Core commands: build, extract, eval, query, viz, export, demo."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from kg.cli import StoreOpt, app, fail, progress, warn_if_counts_are_stale
from kg.errors import KGError

__all__ = [
    "build_cli",
    "demo_cli",
    "eval_cli",
    "export_cli",
    "extract_cli",
    "query_cli",
    "viz_cli",
]


@app.command("build")
def build_cli(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of articles.")],
    store: StoreOpt = Path("out/store"),
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the HTML view here.")
    ] = None,
    backend: Annotated[
        str, typer.Option("--backend", help="Store backend: oxigraph or memory.")
    ] = "oxigraph",
    force: Annotated[
        bool, typer.Option("--force", help="Re-extract unchanged files too.")
    ] = False,
    min_confidence: Annotated[
        float,
        typer.Option(
            "--min-confidence",
            help="Draw in the --html view only the relations this sure (all are stored).",
        ),
    ] = 0.5,
    max_bytes: Annotated[
        int,
        typer.Option("--max-bytes", help="Skip files larger than this (0: no limit)."),
    ] = 5_000_000,
    max_chars: Annotated[
        int,
        typer.Option(
            "--max-chars", help="Skip documents with a longer article (0: no limit)."
        ),
    ] = 100_000,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", help="Extraction processes (0: one per CPU for large inputs)."
        ),
    ] = 0,
    engine: Annotated[
        str, typer.Option("--engine", help="local, or dask (needs --scheduler).")
    ] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask scheduler address (tcp://HOST:8786)."),
    ] = None,
    validate: Annotated[
        str,
        typer.Option("--validate", help="SHACL-check all documents, a sample or none."),
    ] = "all",
    push_endpoint: Annotated[
        str | None,
        typer.Option(
            "--push-endpoint",
            help="Then write the documents stored to this SPARQL Update endpoint.",
        ),
    ] = None,
    push_graph_store: Annotated[
        str | None,
        typer.Option(
            "--push-graph-store",
            help="... or to this Graph Store Protocol endpoint (kg push semantics).",
        ),
    ] = None,
) -> None:
    """Ingest files and folders into the store (one named graph per article)."""
    from tqdm import tqdm

    from kg import build, distributed

    if engine not in distributed.ENGINES or (engine == "dask") != bool(scheduler):
        typer.echo(
            "error: --engine is local or dask, and --scheduler goes with dask", err=True
        )
        raise typer.Exit(2)
    bar = tqdm(total=0, unit="article", desc="build", disable=None, file=sys.stderr)

    def show(p: build.BuildProgress) -> None:
        bar.total = p.total_articles
        bar.update(p.articles - bar.n)
        rate = p.chars / max(bar.format_dict["elapsed"], 1e-9)
        bar.set_postfix_str(f"{rate:,.0f} chars/s", refresh=True)

    options = {
        "backend": backend,
        "force": force,
        "validate": validate,
        "max_bytes": max_bytes or None,
        "max_chars": max_chars or None,
        "on_progress": show,
    }
    try:
        if scheduler is not None:
            summary = distributed.build_on_cluster(paths, store, scheduler, **options)
        else:
            summary = build.build(paths, store, workers=workers or None, **options)
    except KGError as err:
        bar.close()
        fail(err)
        return
    bar.close()
    for problem in summary.problems:
        typer.echo(f"skipped: {problem}", err=True)
    typer.echo(summary.as_text())
    if push_endpoint or push_graph_store:
        from kg.cli.serve import push_store

        push_store(
            store,
            push_endpoint,
            push_graph_store,
            user=os.environ.get("KG_PUSH_USER"),
            password=os.environ.get("KG_PUSH_PASSWORD"),
            docs=summary.stored,
        )
    if html is not None:
        try:
            build.write_html(
                store, html, backend=backend, min_confidence=min_confidence
            )
        except KGError as err:
            fail(err)
        typer.echo(f"html: {html}")
    if summary.problems:
        raise typer.Exit(1)


@app.command("extract")
def extract_cli(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    fmt: Annotated[str, typer.Option("--format", help="json or ttl.")] = "json",
) -> None:
    """Print the graph of one document (the JSON form of GUIDELINES.md)."""
    from kg import build

    try:
        graph = build.extract_file(file)
    except KGError as err:
        fail(err)
        return
    if fmt == "json":
        typer.echo(json.dumps(graph.to_json(), ensure_ascii=False, indent=1))
    elif fmt == "ttl":
        from kg import rdf

        for g in rdf.document_quads(graph).values():
            typer.echo(g.serialize(format="turtle"))
    else:
        typer.echo("error: --format must be json or ttl", err=True)
        raise typer.Exit(2)


@app.command("eval")
def eval_cli(
    gold: Annotated[
        list[Path] | None, typer.Option("--gold", help="Gold JSON file(s).")
    ] = None,
    doc: Annotated[
        list[Path] | None,
        typer.Option("--doc", help="The document(s), in the order of --gold."),
    ] = None,
    cluener: Annotated[
        Path | None,
        typer.Option("--cluener", help="Score the NER alone on CLUENER lines."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", help="Only the first N CLUENER lines.")
    ] = None,
    gold_set: Annotated[
        Path | None,
        typer.Option(
            "--set", help="A folder of NAME.gold.json files beside NAME.txt documents."
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--errors", help="List misses and false positives.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON.")
    ] = False,
    cv: Annotated[
        int | None,
        typer.Option(
            "--cv",
            help="K-fold cross-validation by document of the learned layer over "
            "the --gold files and folders (trained on K-1 folds, scored on the other).",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="The folds' seed.")] = 0,
    docs: Annotated[
        list[Path] | None,
        typer.Option("--docs", help="With --cv: folders of documents named by 'source'."),
    ] = None,
    cluener_train: Annotated[
        Path | None,
        typer.Option(
            "--cluener-train",
            help="With --cv: CLUENER train.json, more entity examples for training.",
        ),
    ] = None,
) -> None:
    """Score the extractor against gold graphs (micro-averaged), or the NER on CLUENER."""
    from kg import build, corpus, evaluate

    if cv is not None:
        from kg.cli.learn import cross_validate_cli

        pool = list(gold or []) + ([gold_set] if gold_set is not None else [])
        if not pool:
            typer.echo("error: --cv needs --gold files or folders", err=True)
            raise typer.Exit(2)
        cross_validate_cli(pool, list(docs or []), cv, seed, as_json, cluener_train)
        return
    gold, doc = list(gold or []), list(doc or [])
    if gold_set is not None:
        for g in sorted(gold_set.glob("*.gold.json")):
            stem = g.name[: -len(".gold.json")]
            found = [
                p
                for p in sorted(gold_set.glob(stem + ".*"))
                if p.suffix in (".txt", ".md", ".html", ".htm")
            ]
            if found:
                gold.append(g)
                doc.append(found[0])
    if cluener is not None:
        from kg import ner_eval

        try:
            rows = ner_eval.read_cluener(cluener, limit)
            typer.echo(ner_eval.score_cluener(rows, build.load_nlp()).as_table())
        except KGError as err:
            fail(err)
        return
    if not gold or len(gold) != len(doc):
        typer.echo(
            "error: give one --doc per --gold, in the same order (or --cluener FILE)",
            err=True,
        )
        raise typer.Exit(2)
    try:
        reports = []
        nlp = build.load_nlp()
        for g, d in zip(gold, doc, strict=True):
            graph = build.extract_file(d, nlp)
            text, _encoding = corpus.decode_bytes(d.read_bytes(), str(d))
            reports.append(evaluate.score(graph.to_json(), evaluate.load_gold(g), text))
        report = evaluate.combine(reports) if len(reports) > 1 else reports[0]
    except KGError as err:
        fail(err)
        return
    typer.echo(
        json.dumps(report.as_json(), ensure_ascii=False, indent=1)
        if as_json
        else report.as_table(verbose=verbose)
    )


@app.command("query")
def query_cli(
    query: Annotated[
        str | None, typer.Argument(help="SPARQL text or a .rq file.")
    ] = None,
    store: StoreOpt = Path("out/store"),
    fmt: Annotated[
        str, typer.Option("--format", help="table, json, csv, tsv or xml.")
    ] = "table",
    saved: Annotated[
        str | None, typer.Option("--saved", help="Run a saved query by name.")
    ] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", help="k=v for a saved query.")
    ] = None,
    list_saved: Annotated[
        bool, typer.Option("--list", help="List the saved queries.")
    ] = False,
    backend: Annotated[str, typer.Option("--backend")] = "oxigraph",
) -> None:
    """Answer a SPARQL query from the store (JSON is the SPARQL 1.1 results format)."""
    from kg import build, sparql

    if list_saved:
        for name, q in sorted(sparql.saved_queries().items()):
            params = f"  (--param {', '.join(q.params)})" if q.params else ""
            typer.echo(f"{name:28} {q.description}{params}")
        return
    if (query is None) == (saved is None):
        typer.echo("error: give a query (text or .rq file) or --saved NAME", err=True)
        raise typer.Exit(2)
    try:
        bindings = dict(p.split("=", 1) for p in param or [] if "=" in p)
        if any("=" not in p for p in param or []):
            typer.echo("error: --param takes k=v", err=True)
            raise typer.Exit(2)
        dataset = build.open_store(store, backend)
        try:
            if saved is not None:
                warn_if_counts_are_stale(dataset, store)
                result = sparql.run_saved(dataset, saved, **bindings)
            else:
                assert query is not None
                text = (
                    Path(query).read_text(encoding="utf-8")
                    if query.endswith(".rq") and Path(query).is_file()
                    else query
                )
                result = sparql.run_query(dataset, text, bindings or None)
            typer.echo(sparql.format_result(result, fmt))
        finally:
            dataset.close()
    except KGError as err:
        fail(err)


@app.command("viz")
def viz_cli(
    store: StoreOpt = Path("out/store"),
    out: Annotated[Path, typer.Option("--out", help="HTML file to write.")] = Path(
        "out/graph.html"
    ),
    communities: Annotated[
        bool, typer.Option("--communities", help="Colour by community.")
    ] = False,
    backend: Annotated[str, typer.Option("--backend")] = "oxigraph",
    min_confidence: Annotated[
        float,
        typer.Option(
            "--min-confidence",
            help="Draw only the relations stated with at least this confidence.",
        ),
    ] = 0.5,
) -> None:
    """Write the interactive HTML view (one self-contained file, works offline)."""
    from kg import build

    try:
        build.write_html(
            store,
            out,
            backend=backend,
            communities=communities,
            min_confidence=min_confidence,
        )
    except KGError as err:
        fail(err)
    typer.echo(f"html: {out}")


@app.command("export")
def export_cli(
    store: StoreOpt = Path("out/store"),
    fmt: Annotated[
        str,
        typer.Option("--format", help="ttl, trig, nq, jsonld, graphml, gexf or csv."),
    ] = "ttl",
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write (default: stdout).")
    ] = None,
    backend: Annotated[str, typer.Option("--backend")] = "oxigraph",
    min_confidence: Annotated[
        float,
        typer.Option(
            "--min-confidence",
            help="Leave out the relations stated with less confidence (default: none).",
        ),
    ] = 0.0,
) -> None:
    """Export the whole graph."""
    from kg import build, export

    try:
        dataset = build.open_store(store, backend)
        try:
            if out is None:
                export.export(dataset, fmt, sys.stdout.buffer, min_confidence)
            else:
                out.parent.mkdir(parents=True, exist_ok=True)
                with out.open("wb") as fh:
                    export.export(dataset, fmt, fh, min_confidence)
        finally:
            dataset.close()
    except KGError as err:
        fail(err)


@app.command("demo")
def demo_cli(
    corpus: Annotated[Path, typer.Argument(help="Corpus folder.")] = Path("corpus"),
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out"),
) -> None:
    """Build the bundled corpus, write the HTML view and answer a sample query."""
    from kg import build, sparql

    started = time.perf_counter()
    try:
        summary = build.build([corpus], out / "store", progress=progress)
        build.write_html(out / "store", out / "graph.html")
        dataset = build.open_store(out / "store")
        try:
            typer.echo(summary.as_text())
            typer.echo(f"html: {out / 'graph.html'}")
            typer.echo(
                "\nSample query (kg query --saved people-affiliations): who works where"
            )
            typer.echo(
                sparql.format_result(
                    sparql.run_saved(dataset, "people-affiliations"), "table"
                )
            )
        finally:
            dataset.close()
    except KGError as err:
        fail(err)
    typer.echo(f"done in {time.perf_counter() - started:.1f} s")
    if summary.problems:
        raise typer.Exit(1)
