"""Store commands for analysts: serve (a SPARQL endpoint), push, remove."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kg.cli import StoreOpt, app, fail, warn_if_counts_are_stale
from kg.errors import KGError, StoreError

if TYPE_CHECKING:
    from rdflib import Dataset

__all__ = ["push_cli", "push_store", "remove_cli", "serve_cli"]


def _resolve(dataset: Dataset, target: str) -> list[tuple[str, str | None]]:
    """Return what ``target`` names: [(document, article id or None)]."""
    from rdflib import Graph, Literal

    from kg import rdf, store
    from kg.namespace import KG

    documents = store.list_documents(dataset)
    known = set(documents)
    if target in known:
        return [(target, None)]
    doc, _, article_id = target.rpartition("/")
    if doc in known and article_id:
        graph = rdf.mint_iri("article", doc, article_id)
        if (graph, KG.document, Literal(doc)) in Graph(dataset.store, identifier=graph):
            return [(doc, article_id)]
    # A file: the documents read from it (kg:sourceFile), else by its name.
    path = Path(target)
    sources = {target, str(path), path.as_posix()}
    if path.exists():
        sources.add(str(path.resolve()))
    found = {
        str(doc_literal)
        for source in sources
        for article, _p, _o, _g in dataset.quads(
            (None, KG.sourceFile, Literal(source), None)
        )
        for _a, _q, doc_literal, _h in dataset.quads((article, KG.document, None, None))
    }
    found |= {name for name in (path.stem, path.name) if name in known}
    if found:
        return [(d, None) for d in sorted(found)]
    listed = ", ".join(documents[:8]) + (" …" if len(documents) > 8 else "")
    raise StoreError(
        f"{target!r} names no document, article (DOC/aN) or ingested file of the "
        f"store; it holds {len(documents)} documents: {listed or 'none'} "
        "(see kg query --saved documents)"
    )


@app.command("remove")
def remove_cli(
    targets: Annotated[
        list[str],
        typer.Argument(help="Document names, article keys DOC/aN, or file paths."),
    ],
    store: StoreOpt = Path("out/store"),
) -> None:
    """Remove documents (all their articles) or single articles from the store."""
    from kg import build, rdf
    from kg import store as kg_store

    try:
        dataset = build.open_store(store)
        try:
            plan = [item for target in targets for item in _resolve(dataset, target)]
            for doc, article_id in dict.fromkeys(plan):
                if article_id is None:
                    graphs = kg_store.remove_document(dataset, doc)
                    typer.echo(f"removed document {doc} ({graphs} article graphs)")
                else:
                    iri = rdf.mint_iri("article", doc, article_id)
                    kg_store.remove_article(dataset, doc, iri)
                    typer.echo(
                        f"removed article {doc}/{article_id} "
                        "(the next kg build re-reads its document)"
                    )
            if plan:
                kg_store.refresh_derived(dataset)
                kg_store.compact(dataset)  # as kg build: rewritten counts read slowly
        finally:
            dataset.close()
    except KGError as err:
        fail(err)


@app.command("serve")
def serve_cli(
    store: StoreOpt = Path("out/store"),
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option("--port", help="Port (0: any free).")] = 8000,
    allow_update: Annotated[
        bool, typer.Option("--allow-update", help="Accept SPARQL updates.")
    ] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds a query may run.")
    ] = 30.0,
    max_bytes: Annotated[
        int, typer.Option("--max-bytes", help="Largest request accepted, in bytes.")
    ] = 1_000_000,
    html: Annotated[
        Path | None,
        typer.Option("--html", help="HTML page for / (default: the store's view)."),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", help="Query processes (read-only server).")
    ] = 2,
) -> None:
    """Serve the SPARQL 1.1 Protocol at /sparql and the HTML view at /."""
    from kg import store as kg_store
    from kg.server import make_server

    if store.is_dir():  # before the workers open it
        try:
            dataset = kg_store.open_read_only(store)
            try:
                warn_if_counts_are_stale(dataset, store)
            finally:
                dataset.close()
        except (KGError, RuntimeError, OSError):
            pass  # only a warning: make_server says what is wrong with the store
    try:
        server = make_server(
            store,
            host,
            port,
            allow_update=allow_update,
            timeout=timeout,
            max_bytes=max_bytes,
            html=html,
            workers=workers,
        )
    except KGError as err:
        fail(err)
        return
    mode = "read-write" if allow_update else "read-only"
    typer.echo(
        f"SPARQL endpoint {server.url}/sparql ({mode}, {timeout:g} s per query), "
        f"HTML view {server.url}/ — Ctrl-C stops",
        err=True,
    )

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM stops as Ctrl-C does: workers, temp files

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        typer.echo("stopped", err=True)
    finally:
        server.server_close()


@app.command("push")
def push_cli(
    store: StoreOpt = Path("out/store"),
    endpoint: Annotated[
        str | None,
        typer.Option(
            "--endpoint", help="SPARQL Update endpoint URL (--method update)."
        ),
    ] = None,
    graph_store: Annotated[
        str | None,
        typer.Option("--graph-store", help="Graph Store Protocol URL (--method gsp)."),
    ] = None,
    method: Annotated[
        str | None,
        typer.Option(
            "--method", help="gsp or update (default: gsp if --graph-store is given)."
        ),
    ] = None,
    user: Annotated[str | None, typer.Option("--user", help="HTTP user.")] = None,
    password: Annotated[
        str | None,
        typer.Option(
            "--password", envvar="KG_PUSH_PASSWORD", help="HTTP password (or env)."
        ),
    ] = None,
    chunk: Annotated[
        int, typer.Option("--chunk", help="Most triples per update request.")
    ] = 5000,
) -> None:
    """Write every named graph of the store to a SPARQL 1.1 server."""
    push_store(store, endpoint, graph_store, method, user, password, chunk)


def push_store(
    store: Path,
    endpoint: str | None,
    graph_store: str | None,
    method: str | None = None,
    user: str | None = None,
    password: str | None = None,
    chunk: int = 5000,
    docs: list[str] | None = None,
) -> None:
    """Push a store's graphs (only those of ``docs`` if given) and print the summary."""
    from kg import build, push
    from kg import store as kg_store

    try:
        dataset = build.open_store(store)
        try:
            graphs = None
            if docs is not None:
                graphs = [g for d in docs for g in kg_store.document_graphs(dataset, d)]
                if graphs:  # and the graphs derived from all articles, rebuilt
                    graphs += kg_store.derived_graphs(dataset)
            summary = push.push(
                dataset,
                endpoint,
                graph_store=graph_store,
                method=method or ("gsp" if graph_store else "update"),
                user=user,
                password=password,
                chunk_triples=chunk,
                graphs=graphs,
            )
        finally:
            dataset.close()
    except KGError as err:
        fail(err)
        return
    typer.echo(summary.as_text())
