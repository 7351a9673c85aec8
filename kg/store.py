"""Open a Dataset on an rdflib Store and keep documents in it.

This is the only module that names a backend.

A document is stored as the named graphs of its articles (see ``kg.rdf``); every
article node carries ``kg:document`` (which finds the graphs of a document again)
and, when given, ``kg:contentHash`` (which lets a build skip an unchanged file).
The Dataset's default graph is the union of the named graphs, on every store.

On Oxigraph that union is *materialized*: the store's own default graph holds each
distinct triple of the named graphs once, kept up to date by every write here (a
dropped graph's triples leave it unless another graph still holds them; a new
graph's triples are added). Queries then read each fact once, without the
duplicate rows (one per article) of a union computed at query time: 5-100x faster
on the saved queries (``benchmarks/bench_queries.py``). A store written before
this layout gets its default graph filled when first opened for writing.

``replace_document`` is all-or-nothing on Oxigraph: the old graphs are dropped and
the new ones inserted by one SPARQL update, which Oxigraph runs as one transaction.
The Memory store has no transactions; it is only changed once the new graphs are
built, so an error while building leaves it as it was.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import RDF, Dataset, Graph, Literal, URIRef, Variable, plugin
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.query import Result
from rdflib.store import Store
from rdflib.term import BNode, Identifier, Node

from kg.errors import StoreError
from kg.namespace import KG, kg_term
from kg.records import ENTITY_TYPES, PREDICATES

if TYPE_CHECKING:
    import pyoxigraph

__all__ = [
    "STORE_PLUGINS",
    "PreparedDocument",
    "compact",
    "derived_graphs",
    "document_graphs",
    "document_hash",
    "flush",
    "list_documents",
    "open_dataset",
    "open_read_only",
    "opened_dataset",
    "prepare_document",
    "query",
    "refresh_derived",
    "refresh_merges",
    "refresh_statistics",
    "remove_article",
    "remove_document",
    "replace_document",
    "select_values",
    "statistics_current",
    "stats",
    "stored_hash",
    "sync_union",
    "write_documents",
]

logger = logging.getLogger(__name__)

STORE_PLUGINS = {"memory": "Memory", "oxigraph": "Oxigraph"}
"""kg's store names mapped to rdflib's Store plugin names."""

_Triple = tuple[Node, Node, Node]
_OXIGRAPH_MARKERS = ("CURRENT", "IDENTITY")  # files RocksDB keeps in a store directory


def open_dataset(store: str = "oxigraph", path: Path | None = None) -> Dataset:
    """Open a Dataset on a registered rdflib Store, on disk if ``path`` is given.

    Args:
        store: A key of ``STORE_PLUGINS``.
        path: A store directory (Oxigraph only), created if missing; ``None``
            keeps the data in memory.

    Returns:
        An open Dataset whose default graph is the union of its named graphs.
        Close it with ``dataset.close()`` (or use :func:`opened_dataset`).

    Raises:
        StoreError: If the store is unknown or not installed, or the path is not
            a store directory, or another process holds the store.

    Example:
        >>> ds = open_dataset("memory")
        >>> len(ds)
        0
    """
    name = STORE_PLUGINS.get(store)
    if name is None:
        raise StoreError(f"unknown store {store!r}; known: {sorted(STORE_PLUGINS)}")
    try:
        plugin.get(name, Store)
    except plugin.PluginException as err:
        raise StoreError(
            f"store {store!r} is not installed (rdflib has no {name!r} Store plugin); "
            "install the package that provides it (oxrdflib for Oxigraph)"
        ) from err
    if path is not None and store == "memory":
        raise StoreError(
            f"the memory store keeps nothing on disk, so it takes no path ({path}); "
            "drop the path or use store 'oxigraph'"
        )
    if path is not None:
        _check_store_dir(Path(path))
    # On Oxigraph the default graph is the materialized union (see the module).
    dataset = Dataset(store=name, default_union=store != "oxigraph")
    if path is not None:
        try:
            dataset.open(str(path), create=False)
        except OSError as err:
            raise StoreError(_oserror_message(Path(path), err)) from err
    inner = _oxigraph(dataset)
    if inner is not None:
        _materialize_union(inner, path)
    return dataset


def derived_graphs(dataset: Dataset) -> list[URIRef]:
    """Return the graphs derived from the articles' graphs that the store holds.

    The merges (:func:`refresh_merges`) and the statistics
    (:func:`refresh_statistics`), rebuilt after every write: a copy of the
    store elsewhere (``kg build --push-endpoint``) takes them with the articles.
    """
    from kg import rdf

    names = {g.identifier for g in dataset.graphs()}
    return [g for g in (rdf.MERGES_GRAPH, rdf.STATISTICS_GRAPH) if g in names]


def statistics_current(dataset: Dataset) -> bool:
    """Tell whether the statistics graph was counted from the articles now stored.

    The graph records a digest of the article graphs it was counted from (their
    IRIs and content hashes) and of what was counted; a store written before the
    counts were kept or counted by an earlier kg that counted less, or
    a build stopped between its last write and the counting, fails the check
    until the next build or :func:`refresh_statistics`. An empty store passes.
    """
    from kg import rdf

    names = {g.identifier for g in dataset.graphs()} - {DATASET_DEFAULT_GRAPH_ID}
    if not names:
        return True
    if rdf.STATISTICS_GRAPH not in names:
        return False
    # a query, not Dataset.graph(), which opens a transaction (refused read-only)
    stored = select_values(
        dataset,
        f"SELECT ?d WHERE {{ GRAPH <{rdf.STATISTICS_GRAPH}> "
        f"{{ <{rdf.STATISTICS_GRAPH}> <{KG.countedFrom}> ?d }} }}",
    )
    return len(stored) == 1 and str(stored[0][0]) == _articles_digest(dataset)


_ARTICLES = """
PREFIX kg: <https://w3id.org/kg-news/ontology#>
SELECT ?a ?hash WHERE { ?a kg:document ?d OPTIONAL { ?a kg:contentHash ?hash } }
"""


def _articles_digest(dataset: Dataset) -> str:
    """Return a digest of the stored articles and of what is counted.

    The articles' IRIs and content hashes, and ``kg.statistics.VERSION``: counts
    made by an earlier kg are out of date too.
    """
    from kg.statistics import VERSION

    rows = sorted(f"{a} {h or ''}" for a, h in select_values(dataset, _ARTICLES))
    rows.insert(0, f"statistics {VERSION}")
    return "sha1:" + hashlib.sha1("\n".join(rows).encode()).hexdigest()


def _materialize_union(inner: pyoxigraph.Store, path: Path | None) -> None:
    """Fill an empty default graph with the union of the named graphs.

    A store written by an earlier kg has named graphs and an empty default
    graph: one update (one transaction) copies every triple in.
    """
    import pyoxigraph as ox

    if next(iter(inner.named_graphs()), None) is None:
        return
    if next(iter(inner.quads_for_pattern(None, None, None, ox.DefaultGraph())), None):
        return
    logger.info("store %s: materializing the union default graph (once)", path)
    try:
        inner.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    except (OSError, RuntimeError) as err:
        raise StoreError(
            f"cannot upgrade store {path}: {' '.join(str(err).split())}"
        ) from err


def _check_store_dir(path: Path) -> None:
    if path.exists() and not path.is_dir():
        raise StoreError(
            f"store path {path} is a file, not a store directory; "
            "give a directory (it is created if missing)"
        )
    if (
        path.is_dir()
        and any(path.iterdir())
        and not all((path / marker).exists() for marker in _OXIGRAPH_MARKERS)
    ):
        raise StoreError(
            f"store path {path} is a directory that holds other files, not an Oxigraph "
            "store; give an empty or new directory"
        )


def _oserror_message(path: Path, err: OSError) -> str:
    text = " ".join(str(err).split())
    if "lock" in text.lower():
        return (
            f"store {path} is in use by another process or open dataset; "
            f"close it first ({text})"
        )
    return f"cannot open store {path}: {text}"


@contextmanager
def opened_dataset(
    store: str = "oxigraph", path: Path | None = None
) -> Iterator[Dataset]:
    """Open a Dataset as :func:`open_dataset` does, and close it on leaving.

    Args:
        store: A key of ``STORE_PLUGINS``.
        path: A store directory, or ``None`` for memory.

    Yields:
        The open Dataset.

    Raises:
        StoreError: As :func:`open_dataset`.

    Example:
        >>> with opened_dataset("memory") as ds:
        ...     list_documents(ds)
        []
    """
    dataset = open_dataset(store, path)
    try:
        yield dataset
    finally:
        dataset.close()


def document_hash(data: bytes | str, *extra: str) -> str:
    """Return a content hash for a document, to store with its graphs.

    Args:
        data: The document's bytes (or text, hashed as UTF-8).
        *extra: Other things the graphs depend on (the settings, the version),
            so that changing them changes the hash.

    Returns:
        ``"sha256:"`` and the hex digest.

    Example:
        >>> document_hash("正文") == document_hash("正文".encode())
        True
        >>> document_hash("正文") == document_hash("正文", "config-v2")
        False
    """
    digest = hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data)
    for item in extra:
        digest.update(b"\x00" + item.encode("utf-8"))
    return "sha256:" + digest.hexdigest()


def document_graphs(dataset: Dataset, doc: str) -> list[URIRef]:
    """Return the names of the graphs holding the articles of ``doc``.

    Args:
        dataset: An open Dataset.
        doc: A document's name (``kg:document``).

    Returns:
        The graph IRIs, in the order found; empty if the store lacks ``doc``.
    """
    return _graphs_of(dataset, doc)


def _graphs_of(dataset: Dataset, doc: str) -> list[URIRef]:
    """Return the names of the graphs holding an article of ``doc``."""
    names: dict[URIRef, None] = {}
    for _s, _p, _o, graph in dataset.quads((None, KG.document, Literal(doc), None)):
        if isinstance(graph, URIRef) and graph != DATASET_DEFAULT_GRAPH_ID:
            names[graph] = None
    return list(names)


def _oxigraph(dataset: Dataset) -> pyoxigraph.Store | None:
    """Return the pyoxigraph Store under a Dataset, or None on another store."""
    try:
        from oxrdflib import OxigraphStore
    except ImportError:  # pragma: no cover - oxrdflib is a dependency
        return None
    if isinstance(dataset.store, OxigraphStore):
        inner: pyoxigraph.Store = dataset.store._inner
        return inner
    return None


def _ox_term(term: Node) -> Any:
    import pyoxigraph as ox

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        datatype = ox.NamedNode(str(term.datatype)) if term.datatype else None
        return ox.Literal(str(term), language=term.language, datatype=datatype)
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"cannot store the term {term!r} in Oxigraph")


def _nt_writer() -> Callable[[Node], str]:
    """Return a function writing a term as N-Triples (pyoxigraph), cached per call."""
    cache: dict[Node, str] = {}

    def nt(term: Node) -> str:
        text = cache.get(term)
        if text is None:
            text = cache[term] = str(_ox_term(term))
        return text

    return nt


def _ox_update(
    drop: Iterable[URIRef], graphs: Mapping[URIRef, Iterable[_Triple]]
) -> str:
    """Return one SPARQL update that drops some graphs and inserts others.

    The terms are written by pyoxigraph itself (its ``str()`` is N-Triples), so
    no value is ever formatted into the text by hand.
    """
    nt = _nt_writer()

    written = {
        nt(name): "\n".join(f"{nt(s)} {nt(p)} {nt(o)} ." for s, p, o in triples)
        for name, triples in graphs.items()
    }
    text = _union_update([nt(name) for name in drop], written.items())
    # An empty update does not parse; dropping a graph that never exists is a no-op.
    return text or "DROP SILENT GRAPH <urn:kg:nothing>"


def _nquads(graphs: Iterable[tuple[str, str]]) -> str:
    """N-Quads of the graphs, each triple also in the default graph (the union).

    ``graphs``: (graph IRI, N-Triples lines) as in :class:`PreparedDocument`;
    each line ends with " ." (pyoxigraph writes the terms).
    """
    out: list[str] = []
    for name, lines in graphs:
        if not lines:
            continue
        tail = f" {name} .\n"
        out += [line[:-1] + tail for line in lines.split("\n")]
        out.append(lines + "\n")
    return "".join(out)


def _union_update(drop: list[str], graphs: Iterable[tuple[str, str]]) -> str:
    """Return the SPARQL update that drops graphs and inserts others, union kept.

    ``drop`` and the graph names are N-Triples IRIs, each graph's triples
    N-Triples lines. The materialized union (the default graph) loses the
    dropped graphs' triples that no other graph holds and gains the new ones.
    """
    parts: list[str] = []
    if drop:
        listed = ", ".join(drop)
        parts.append(
            "DELETE { ?s ?p ?o } WHERE { "
            f"VALUES ?d {{ {' '.join(drop)} }} GRAPH ?d {{ ?s ?p ?o }} "
            "FILTER NOT EXISTS { GRAPH ?h { ?s ?p ?o } "
            f"FILTER (?h NOT IN ({listed})) }} }} ;"
        )
        parts += [f"DROP SILENT GRAPH {name} ;" for name in drop]
    inserts: list[str] = []
    for name, lines in graphs:
        if lines:
            inserts += [f"GRAPH {name} {{", lines, "}", lines]
    if inserts:
        parts += ["INSERT DATA {", *inserts, "}"]
    return "\n".join(parts)


def replace_document(
    dataset: Dataset,
    graphs: Mapping[URIRef, Graph],
    doc: str,
    content_hash: str | None = None,
) -> int:
    """Replace every graph of a document by new ones, as one operation.

    The document's old graphs are found by ``kg:document``; graphs named in
    ``graphs`` are replaced too. With ``content_hash``, each article node (the
    node named like its graph) gets ``kg:contentHash``, read back by
    :func:`stored_hash`.

    Args:
        dataset: An open Dataset.
        graphs: The new graphs by name, as ``kg.rdf.document_quads`` returns them.
        doc: The document's name (``DocumentGraph.source``).
        content_hash: The hash of what the graphs were built from, if any.

    Returns:
        The number of quads written.

    Raises:
        StoreError: If the store refuses the write.
    """

    def triples(name: URIRef, graph: Graph) -> Iterator[_Triple]:
        yield from graph
        if content_hash is not None:
            yield name, KG.contentHash, Literal(content_hash)

    drop = list(dict.fromkeys([*_graphs_of(dataset, doc), *graphs]))
    count = sum(len(g) for g in graphs.values())
    if content_hash is not None:
        count += len(graphs)
    inner = _oxigraph(dataset)
    try:
        if inner is not None:
            inner.update(
                _ox_update(drop, {n: triples(n, g) for n, g in graphs.items()})
            )
        else:
            for name in drop:
                dataset.remove_graph(name)
            for name, graph in graphs.items():
                target = dataset.graph(name)
                dataset.addN((s, p, o, target) for s, p, o in triples(name, graph))
    except (OSError, RuntimeError) as err:
        raise StoreError(
            f"cannot write document {doc!r} to the store: {' '.join(str(err).split())}"
        ) from err
    logger.debug(
        "document %r: dropped %d graphs, wrote %d quads", doc, len(drop), count
    )
    return count


def remove_document(dataset: Dataset, doc: str) -> int:
    """Remove every graph of a document.

    Args:
        dataset: An open Dataset.
        doc: The document's name.

    Returns:
        The number of graphs removed (0 if the store does not hold the document).

    Raises:
        StoreError: If the store refuses the write.
    """
    names = _graphs_of(dataset, doc)
    if names:
        try:
            inner = _oxigraph(dataset)
            if inner is not None:
                inner.update(_ox_update(names, {}))
            else:
                for name in names:
                    dataset.remove_graph(name)
        except (OSError, RuntimeError) as err:
            raise StoreError(
                f"cannot remove document {doc!r} from the store: "
                f"{' '.join(str(err).split())}"
            ) from err
    return len(names)


def remove_article(dataset: Dataset, doc: str, article: URIRef) -> int:
    """Remove one article's graph, as one operation.

    The document's other graphs lose their ``kg:contentHash``, so that the next
    build re-extracts the document instead of skipping it as unchanged.

    Args:
        dataset: An open Dataset.
        doc: The name of the article's document.
        article: The article's IRI (which names its graph).

    Returns:
        1 if the graph was removed, 0 if the document has no such article.

    Raises:
        StoreError: If the store refuses the write.
    """
    names = _graphs_of(dataset, doc)
    if article not in names:
        return 0
    hashes = [
        (s, o, g)
        for g in names
        if g != article
        for s, _p, o, _g in dataset.quads((None, KG.contentHash, None, g))
    ]
    try:
        inner = _oxigraph(dataset)
        if inner is not None:
            update = _ox_update([article], {})  # "DROP SILENT GRAPH <a> ;"
            if hashes:
                cells = [
                    f"GRAPH {_ox_term(g)} {{ {triple} }} {triple}"
                    for s, o, g in hashes
                    for triple in [
                        f"{_ox_term(s)} {_ox_term(KG.contentHash)} {_ox_term(o)} ."
                    ]
                ]
                update += "\nDELETE DATA {\n" + "\n".join(cells) + "\n}"
            inner.update(update)
        else:
            dataset.remove_graph(article)
            for s, o, g in hashes:
                dataset.remove((s, KG.contentHash, o, g))
    except (OSError, RuntimeError) as err:
        raise StoreError(
            f"cannot remove article {article} of document {doc!r} from the store: "
            f"{' '.join(str(err).split())}"
        ) from err
    return 1


def open_read_only(path: Path) -> Dataset:
    """Open an Oxigraph store directory read-only, as :func:`open_dataset` would.

    Several processes may open one store this way at once (a query server's
    workers); nothing may write to it meanwhile (Oxigraph: "undefined behavior").

    Args:
        path: An existing store directory.

    Returns:
        An open Dataset whose default graph is the union of its named graphs;
        writing to it fails.

    Raises:
        StoreError: If the path is not a store directory or cannot be read.
    """
    import pyoxigraph as ox
    from oxrdflib import OxigraphStore

    path = Path(path)
    if not path.is_dir():
        raise StoreError(
            f"{path}: no store here; run `kg build PATH --store {path}` first"
        )
    _check_store_dir(path)
    try:
        inner = ox.Store.read_only(str(path))
    except OSError as err:
        raise StoreError(_oserror_message(path, err)) from err
    # A store of an earlier kg (named graphs, empty default graph) cannot be
    # upgraded read-only: its union is computed at query time instead.
    legacy = next(iter(inner.named_graphs()), None) is not None and not next(
        iter(inner.quads_for_pattern(None, None, None, ox.DefaultGraph())), None
    )
    return Dataset(store=OxigraphStore(store=inner), default_union=legacy)


def list_documents(dataset: Dataset) -> list[str]:
    """Return the names of the documents in a store, sorted.

    Args:
        dataset: An open Dataset.

    Returns:
        The distinct values of ``kg:document``.
    """
    docs = {str(o) for _s, _p, o, _g in dataset.quads((None, KG.document, None, None))}
    return sorted(docs)


def stored_hash(dataset: Dataset, doc: str) -> str | None:
    """Return the content hash stored with a document's graphs.

    Args:
        dataset: An open Dataset.
        doc: The document's name.

    Returns:
        The hash given to :func:`replace_document`, or ``None`` if the document
        is not stored, was stored without a hash, or its articles disagree (a
        partial or mixed write: rebuild it).
    """
    hashes: set[str] = set()
    for name in _graphs_of(dataset, doc):
        article = Graph(dataset.store, identifier=name)  # a view, creates nothing
        found = {str(o) for o in article.objects(name, KG.contentHash)}
        if len(found) != 1:
            return None
        hashes |= found
    return hashes.pop() if len(hashes) == 1 else None


def stats(dataset: Dataset) -> dict[str, Any]:
    """Count what a store holds.

    Args:
        dataset: An open Dataset.

    Returns:
        A dict with ``documents``, ``graphs`` (named graphs), ``quads``,
        ``triples`` (distinct over all graphs), ``articles``, ``mentions``,
        ``assertions``, ``entities`` (a dict type → count, every type listed) and
        ``relations`` (a dict predicate → distinct triples, every predicate listed).

    Example:
        >>> stats(open_dataset("memory"))["relations"]["locatedIn"]
        0
    """
    typed: dict[str, set[Node]] = {}
    kg_prefix = str(KG)
    inner = _oxigraph(dataset)
    if inner is not None:  # the same counts, computed inside Oxigraph
        counts, relations = _ox_counts(inner, kg_prefix, not dataset.default_union)
    else:
        for s, _p, o, _g in dataset.quads((None, RDF.type, None, None)):
            if isinstance(o, URIRef) and o.startswith(kg_prefix):
                typed.setdefault(o[len(kg_prefix) :], set()).add(s)
        counts = {t: len(nodes) for t, nodes in typed.items()}
        relations = {
            p: len(
                {
                    (s, o)
                    for s, _p, o, _g in dataset.quads((None, kg_term(p), None, None))
                }
            )
            for p in PREDICATES
        }
    named = [
        g.identifier
        for g in dataset.graphs()
        if g.identifier != DATASET_DEFAULT_GRAPH_ID
    ]
    inner = _oxigraph(dataset)
    triples = None
    if inner is not None:
        materialized = not dataset.default_union
        triples = _ox_triples(inner, materialized)
        # the default graph holds the union: counted, not collected (rdflib's len)
        quads = len(inner) - (triples if materialized else 0)
    else:
        quads = sum(
            1 for *_t, g in dataset.quads((None, None, None, None)) if g is not None
        )
    return {
        "documents": len(list_documents(dataset)),
        "graphs": len(named),
        "quads": quads,
        "triples": triples if triples is not None else len(dataset),
        "articles": counts.get("Article", 0),
        "mentions": counts.get("Mention", 0),
        "assertions": counts.get("Assertion", 0),
        "entities": {t: counts.get(t, 0) for t in ENTITY_TYPES},
        "relations": relations,
    }


@dataclass(frozen=True, slots=True)
class PreparedDocument:
    """A document's graphs written out for :func:`write_documents`.

    Made by :func:`prepare_document` where the graphs were built (a worker
    process or a cluster node); plain text, cheap to send between processes.
    """

    doc: str
    graphs: tuple[tuple[str, str], ...]  # (graph IRI, its triples as N-Triples lines)
    quads: int


def prepare_document(
    graphs: Mapping[URIRef, Iterable[_Triple]],
    doc: str,
    content_hash: str | None = None,
) -> PreparedDocument:
    """Write a document's graphs as N-Triples, ready for :func:`write_documents`.

    Args:
        graphs: Each graph's distinct triples by its name, as
            ``kg.rdf.document_triples`` (or ``document_quads``) returns them.
        doc: The document's name (the ``kg:document`` value).
        content_hash: As in :func:`replace_document`.

    Returns:
        The prepared document; its terms are written by pyoxigraph (as in
        :func:`replace_document`), never formatted by hand.
    """
    nt = _nt_writer()

    out: list[tuple[str, str]] = []
    count = 0
    for name, graph in graphs.items():
        lines = [f"{nt(s)} {nt(p)} {nt(o)} ." for s, p, o in graph]
        if content_hash is not None:
            hashed = nt(Literal(content_hash))
            lines.append(f"{nt(name)} {nt(KG.contentHash)} {hashed} .")
        count += len(lines)
        out.append((nt(name), "\n".join(lines)))
    return PreparedDocument(doc, tuple(out), count)


def write_documents(dataset: Dataset, docs: Iterable[PreparedDocument]) -> int:
    """Replace the graphs of several documents, all in one operation.

    Each document's old graphs (found by ``kg:document``) and the graphs it
    names are dropped and its new graphs inserted, as :func:`replace_document`
    does for one; on Oxigraph the whole batch is one SPARQL update (one
    transaction), so every document in it is written whole or not at all. A
    document name must appear once in ``docs``.

    Args:
        dataset: An open Dataset.
        docs: Documents from :func:`prepare_document`.

    Returns:
        The number of quads written.

    Raises:
        StoreError: If the store refuses the write (nothing of the batch is
            written on Oxigraph), or a document appears twice.
    """
    docs = list(docs)
    names = [d.doc for d in docs]
    if len(set(names)) != len(names):
        raise StoreError(
            "a batch of documents names one document twice; write them apart"
        )
    inner = _oxigraph(dataset)
    drop: dict[str, None] = {}
    for d in docs:
        drop.update((str(_ox_term(g)), None) for g in _graphs_of(dataset, d.doc))
        drop.update((name, None) for name, _lines in d.graphs)
    if inner is not None:  # dropping a graph costs even when there is none
        import pyoxigraph as ox

        drop = {
            name: None
            for name in drop
            if inner.contains_named_graph(ox.NamedNode(name[1:-1]))
        }
    try:
        if inner is not None and not drop:
            # New documents only: N-Quads loaded in one transaction, parsed
            # by Oxigraph's own parser (4x faster than an INSERT DATA update).
            import pyoxigraph as ox

            inner.load(
                _nquads(graph for d in docs for graph in d.graphs),
                format=ox.RdfFormat.N_QUADS,
            )
        elif inner is not None:
            text = _union_update(
                list(drop), [graph for d in docs for graph in d.graphs]
            )
            if text:
                inner.update(text)
        else:
            for name in drop:
                dataset.remove_graph(URIRef(name[1:-1]))
            for d in docs:
                for name, lines in d.graphs:
                    dataset.graph(URIRef(name[1:-1])).parse(data=lines, format="nt")
    except (OSError, RuntimeError, SyntaxError) as err:
        raise StoreError(
            f"cannot write {len(docs)} documents ({', '.join(names[:3])}…) to the "
            f"store: {' '.join(str(err).split())}"
        ) from err
    return sum(d.quads for d in docs)


def flush(dataset: Dataset) -> None:
    """Write the store's buffered changes to disk and free their memory.

    Oxigraph keeps recent writes in memory tables until they fill; a long
    build calls this every few hundred thousand quads so that its memory stays
    bounded. Committed writes are durable either way; other stores: a no-op.

    Args:
        dataset: An open Dataset.

    Raises:
        StoreError: If the store cannot write to disk.
    """
    _on_disk(dataset, "flush", "flush")


def compact(dataset: Dataset) -> None:
    """Rewrite the store's files into one sorted run per index (RocksDB compaction).

    After a bulk load the data sit in many overlapping files, and each index
    lookup a query makes visits all of them: on the benchmark's million triples
    the saved queries took 10-22 % longer before (``benchmarks/README.md``).
    It rewrites the whole store (12 s for 1 GB, 6 s even after a small change);
    ``kg build`` and ``kg remove`` call it after every write that recounts, since
    even a small rewrite of the counts left the queries reading them 2-2.5x slower
    until compacted. Other stores: a no-op.

    Args:
        dataset: An open, writable Dataset.

    Raises:
        StoreError: If the store cannot write to disk.
    """
    _on_disk(dataset, "optimize", "compact")


def _on_disk(dataset: Dataset, method: str, verb: str) -> None:
    """Call pyoxigraph's ``Store.<method>()``; other stores: a no-op.

    An OSError becomes a one-line StoreError ("cannot <verb> the store: …").
    """
    inner = _oxigraph(dataset)
    if inner is None:
        return
    try:
        getattr(inner, method)()
    except OSError as err:
        raise StoreError(
            f"cannot {verb} the store: {' '.join(str(err).split())}"
        ) from err


_MERGE_CANDIDATES = """
SELECT DISTINCT ?short ?full ?alias ?type WHERE {
  ?full kg:alias ?alias ; a ?type .
  ?short kg:name ?alias ; a ?type .
  FILTER(?short != ?full && STRSTARTS(STR(?type), STR(kg:)))
}
"""


def refresh_merges(dataset: Dataset) -> int:
    """Record the entities that documents name by an alias, as merges.

    An entity is minted from its type and canonical name, so documents that
    use the same name share it. When one document names a thing only by a
    short form (``星河科技``) that another gives as the alias of a full name
    (``星河科技股份有限公司``, alias ``星河科技``), the two entities of one type
    are merged: ``owl:sameAs`` plus a ``kg:Merge`` record (alias, rule) in the
    graph ``kg.rdf.MERGES_GRAPH``. An alias that several entities of a type
    carry merges nothing (ambiguous). Derived from the articles' graphs, the
    graph is rebuilt after every build and removal, in one transaction, so
    the merges follow re-ingests.

    Args:
        dataset: An open, writable Dataset.

    Returns:
        The number of merges recorded.

    Raises:
        StoreError: If the store refuses the write.
    """
    from kg import rdf  # rdf mints the IRIs

    rows = dataset.query(_MERGE_CANDIDATES, initNs={"kg": str(KG)})
    owners: dict[tuple[Node, str], set[Node]] = {}
    shorts: dict[tuple[Node, str], set[Node]] = {}
    for short, full, alias, type_ in rows:  # type: ignore[misc]
        owners.setdefault((type_, str(alias)), set()).add(full)
        shorts.setdefault((type_, str(alias)), set()).add(short)
    merges = sorted(
        (short, next(iter(full)), alias)
        for (type_, alias), full in owners.items()
        if len(full) == 1
        for short in shorts[(type_, alias)]
    )
    _replace_graph(
        dataset,
        rdf.MERGES_GRAPH,
        rdf.merge_triples(merges),  # type: ignore[arg-type]
        "record the merges",
    )
    return len(merges)


def refresh_statistics(dataset: Dataset) -> int:
    """Rewrite the counts kept in the data (``kg.statistics``) from the articles.

    The graph ``kg.rdf.STATISTICS_GRAPH`` is replaced in one transaction;
    called after every build, removal and update, so that the saved queries
    that read the counts answer as if they had counted.

    Args:
        dataset: An open, writable Dataset.

    Returns:
        The number of triples in the statistics graph.

    Raises:
        StoreError: If the store refuses the write.
    """
    from kg import rdf, statistics

    triples = statistics.statistics_triples(lambda q: select_values(dataset, q))
    # what they were counted from (statistics_current)
    digest = Literal(_articles_digest(dataset))
    triples.append((rdf.STATISTICS_GRAPH, KG.countedFrom, digest))
    _replace_graph(dataset, rdf.STATISTICS_GRAPH, triples, "record the statistics")
    return len(triples)


def refresh_derived(dataset: Dataset) -> int:
    """Rebuild the graphs derived from the articles' graphs: merges, then counts.

    Args:
        dataset: An open, writable Dataset.

    Returns:
        The number of merges recorded (:func:`refresh_merges`).

    Raises:
        StoreError: If the store refuses a write.
    """
    merges = refresh_merges(dataset)
    refresh_statistics(dataset)
    return merges


def _replace_graph(
    dataset: Dataset, name: URIRef, triples: Sequence[_Triple], what: str
) -> None:
    """Replace a derived graph by ``triples``, the union kept; one transaction.

    On Oxigraph only the difference is written: a rebuild after a small
    change rewrites a few triples, not the whole graph (30,000 triples of
    counts at a million triples: 4.5 s whole).
    """
    inner = _oxigraph(dataset)
    try:
        if inner is not None:
            import pyoxigraph as ox

            nt = _nt_writer()
            new = {f"{nt(s)} {nt(p)} {nt(o)} ." for s, p, o in triples}
            graph = nt(name)
            old = {
                f"{q.subject} {q.predicate} {q.object} ."
                for q in inner.quads_for_pattern(None, None, None, ox.NamedNode(name))
            }
            removed, added = sorted(old - new), sorted(new - old)
            parts: list[str] = []
            if removed:
                # out of the graph, then out of the union unless a graph holds it
                parts += [f"DELETE DATA {{ GRAPH {graph} {{", *removed, "} } ;"]
                parts += [
                    "DELETE { ?s ?p ?o } WHERE { VALUES (?s ?p ?o) {",
                    *(f"({line[:-2]})" for line in removed),
                    "} FILTER NOT EXISTS { GRAPH ?h { ?s ?p ?o } } } ;",
                ]
            if added:
                parts += [f"INSERT DATA {{ GRAPH {graph} {{", *added, "}", *added, "}"]
            if parts:
                inner.update("\n".join(parts).removesuffix(" ;"))
        else:
            dataset.remove_graph(name)
            target = dataset.graph(name)
            dataset.addN((s, p, o, target) for s, p, o in triples)
    except (OSError, RuntimeError, SyntaxError) as err:
        raise StoreError(f"cannot {what}: {' '.join(str(err).split())}") from err


_XSD_STRING_IRI = (
    "http://www.w3.org/2001/XMLSchema#string"  # a str: URIRef == str is False
)
_XSD_STRING = URIRef(_XSD_STRING_IRI)
_XSD = "http://www.w3.org/2001/XMLSchema#"


def _double(lexical: str) -> float | None:
    value = float(lexical)
    return value if repr(value) == lexical else None  # else rdflib rewrites it


# The datatypes of the ontology's numbers and dates, with a lexical form that
# rdflib keeps as it is and the value it computes for it (else None, and the term
# goes through Literal): Literal(value, datatype=...) takes about 20 us a term,
# 5-6 ms in a 100-row answer of counts and dates.
_TYPED_VALUES: dict[str, tuple[re.Pattern[str], Callable[[str], Any]]] = {
    _XSD + "integer": (re.compile(r"0|-?[1-9][0-9]{0,17}"), int),
    _XSD + "decimal": (
        re.compile(r"-?(?:0|[1-9][0-9]{0,17})(?:\.[0-9]{1,17})?"),
        Decimal,
    ),
    _XSD + "double": (re.compile(r"-?[0-9]{1,15}\.[0-9]{1,15}"), _double),
    _XSD + "date": (
        re.compile(r"[1-9][0-9]{3}-[01][0-9]-[0-3][0-9]"),
        date.fromisoformat,
    ),
}
_DATATYPES = {iri: URIRef(iri) for iri in _TYPED_VALUES}


def _typed_literal(lexical: str, datatype: str) -> Literal:
    """The rdflib Literal of a typed lexical form, directly for the usual forms."""
    known = _TYPED_VALUES.get(datatype)
    if known is not None and known[0].fullmatch(lexical):
        try:
            value = known[1](lexical)
        except ValueError:  # 2024-02-30: Literal marks it ill-typed
            value = None
        if value is not None:
            node = str.__new__(Literal, lexical)
            node._language = None
            node._datatype = _DATATYPES[datatype]
            node._value = value
            node._ill_typed = False
            return node
    return Literal(lexical, datatype=URIRef(datatype))


def _rdflib_term(term: Any, cache: dict[Any, Any]) -> Any:
    """Return the rdflib term of a pyoxigraph term, as oxrdflib makes it, faster.

    A string (``xsd:string``) or language-tagged literal is built directly, with
    the value ``rdflib.Literal`` would compute for it (itself), about 20x faster
    than ``Literal(value, datatype=...)``; other datatypes go through
    :func:`_typed_literal`. ``cache`` keeps each distinct term of one answer once.
    A literal's datatype is compared as a pyoxigraph term, without reading its IRI
    as a str.
    """
    if term is None:
        return None
    node = cache.get(term)
    if node is not None:
        return node
    import pyoxigraph as ox

    kind = type(term)
    if kind is ox.NamedNode:
        node = URIRef(term.value)
    elif kind is ox.Literal:
        language = term.language
        datatype = term.datatype
        if language or datatype == _ox_xsd_string():
            node = _string_literal(term.value, language or None)
        else:
            node = _typed_literal(term.value, datatype.value)
    elif kind is ox.BlankNode:
        node = BNode(term.value)
    elif kind is ox.Triple:  # RDF-star: a tuple, as oxrdflib gives it
        return tuple(
            _rdflib_term(t, cache) for t in (term.subject, term.predicate, term.object)
        )
    else:  # pragma: no cover - pyoxigraph has no other term
        raise TypeError(f"unexpected Oxigraph term {term!r}")
    cache[term] = node
    return node


def _rdflib_rows(
    rows: Iterable[Any], variables: list[Variable], cache: dict[Any, Any]
) -> list[dict[Variable, Any]]:
    """The rows of a pyoxigraph answer as dicts of rdflib terms (``_rdflib_term``).

    A term seen before in the answer, an IRI and a plain string, most of an
    answer's terms, are made here with pyoxigraph's classes looked up once:
    evidence-of's 100 rows convert in 0.55 ms instead of 0.75 (a fast spell).
    """
    import pyoxigraph as ox

    named, literal, xsd_string = ox.NamedNode, ox.Literal, _ox_xsd_string()
    get = cache.get
    out = []
    for row in rows:
        binding = {}
        for variable, term in zip(variables, row, strict=True):
            node = None if term is None else get(term)
            if node is None and term is not None:
                kind = type(term)
                if kind is named:
                    node = cache[term] = URIRef(term.value)
                elif kind is literal and term.datatype == xsd_string:
                    node = cache[term] = _string_literal(term.value)
                else:
                    node = _rdflib_term(term, cache)
            binding[variable] = node
        out.append(binding)
    return out


def _string_literal(value: str, language: str | None = None) -> Literal:
    """The rdflib Literal of a string or language-tagged literal, made directly.

    With the value ``rdflib.Literal`` would compute (itself), about 20x faster than
    ``Literal(value, datatype=...)``.
    """
    node = str.__new__(Literal, value)
    node._language = language
    node._datatype = None if language else _XSD_STRING
    node._value = value
    node._ill_typed = None if language else False
    return node


@functools.cache
def _ox_xsd_string() -> Any:
    import pyoxigraph as ox

    return ox.NamedNode(_XSD_STRING_IRI)


def query(
    dataset: Dataset,
    text: str,
    prefixes: Mapping[str, str],
    bindings: Mapping[str, Identifier],
) -> Result:
    """Answer a SPARQL query on a Dataset as an rdflib Result.

    On Oxigraph the query goes to pyoxigraph directly (as oxrdflib sends it:
    the Dataset's default graph, or the union of the named graphs for a
    ``default_union`` Dataset, with the Dataset's prefixes and ``prefixes``), and
    the answer's terms are made by :func:`_rdflib_term`: through oxrdflib a
    100-row answer spent 8-10 ms making terms. On another store it is
    ``Dataset.query``.

    Args:
        dataset: An open Dataset.
        text: The query.
        prefixes: Prefixes the query may use without declaring them.
        bindings: Values of variables (``initBindings``).

    Returns:
        The Result (on Oxigraph with its rows already read).

    Raises:
        SyntaxError: From pyoxigraph, if the query does not parse; other
            exceptions from rdflib's engine on other stores.
        OSError: If the store cannot be read.
    """
    inner = _oxigraph(dataset)
    if inner is None:
        return dataset.query(text, initNs=dict(prefixes), initBindings=bindings)
    # A kept traceback (a CLI runner's, a notebook's) keeps its frames' locals, and
    # pyoxigraph's Store holds the store's lock until it is freed: the error is raised
    # again from here, without the frames that hold the Store.
    failure: tuple[type[Exception], str] | None = None
    try:
        return _ox_answer(inner, dataset, text, prefixes, bindings)
    except (SyntaxError, OSError, ValueError, TypeError, RuntimeError) as err:
        failure = (type(err), str(err))
    inner = None
    assert failure is not None
    raise failure[0](failure[1])


def _ox_answer(
    inner: Any,
    dataset: Dataset,
    text: str,
    prefixes: Mapping[str, str],
    bindings: Mapping[str, Identifier],
) -> Result:
    import pyoxigraph as ox

    # Only the prefixes the text names: pyoxigraph reads every prefix it is given
    # (rdflib binds about 30; about 40 us a query).
    known = {**{p: str(ns) for p, ns in dataset.namespaces()}, **prefixes}
    answer = inner.query(
        text,
        use_default_graph_as_union=dataset.default_union,
        prefixes={p: ns for p, ns in known.items() if f"{p}:" in text},
        substitutions={ox.Variable(k): _ox_term(v) for k, v in bindings.items()},
    )
    cache: dict[Any, Any] = {}
    if isinstance(answer, ox.QueryBoolean):
        result = Result("ASK")
        result.askAnswer = bool(answer)
    elif isinstance(answer, ox.QuerySolutions):
        result = Result("SELECT")
        variables = [Variable(v.value) for v in answer.variables]
        result.vars = variables
        result.bindings = _rdflib_rows(answer, variables, cache)
    else:
        result = Result("CONSTRUCT")
        result.graph = Graph()
        result.graph += (
            (
                _rdflib_term(t.subject, cache),
                _rdflib_term(t.predicate, cache),
                _rdflib_term(t.object, cache),
            )
            for t in answer
        )
    return result


def select_values(dataset: Dataset, query: str) -> list[tuple[Any, ...]]:
    """Answer a SELECT query as plain Python values, fast on Oxigraph.

    For counting over the whole store (``kg.statistics``): on Oxigraph the
    answer's terms are read by pyoxigraph directly, without rdflib's terms
    (which cost about 30 µs each through oxrdflib).

    Args:
        dataset: An open Dataset.
        query: A SELECT query declaring its prefixes.

    Returns:
        One tuple per row, in the order of the projected variables: an IRI as
        its string, a number as ``int`` or ``Decimal``, other literals as
        their lexical form, an unbound variable as ``None``.
    """
    inner = _oxigraph(dataset)
    if inner is None or dataset.default_union:
        return [
            tuple(_rdflib_value(cell) for cell in row)  # type: ignore[union-attr]
            for row in dataset.query(query)
        ]
    solutions = inner.query(query)
    names = solutions.variables  # type: ignore[union-attr]
    return [tuple(_ox_value(row[v]) for v in names) for row in solutions]  # type: ignore[union-attr]


_INTEGERS = frozenset(
    f"http://www.w3.org/2001/XMLSchema#{t}"
    for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger")
)
_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"


def _ox_value(term: Any) -> Any:
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype in _INTEGERS:
            return int(term.value)
        if datatype == _DECIMAL:
            return Decimal(term.value)
    return term.value


def _rdflib_value(term: Node | None) -> Any:
    if term is None:
        return None
    if isinstance(term, Literal):
        datatype = str(term.datatype) if term.datatype else ""
        if datatype in _INTEGERS:
            return int(term)
        if datatype == _DECIMAL:
            return Decimal(str(term))
        return str(term)
    return str(term)


def sync_union(dataset: Dataset) -> None:
    """Bring the materialized union up to date after a hand-written update.

    ``kg`` keeps the default graph equal to the union of the named graphs on
    every write of its own; an arbitrary SPARQL update (``kg serve
    --allow-update``) may change named graphs directly, so after it the default
    graph gains the triples it lacks and loses those no named graph holds
    (triples written to the default graph alone do not survive: write to a
    named graph). One update, one transaction. Other stores: a no-op.

    Raises:
        StoreError: If the store refuses the write.
    """
    inner = _oxigraph(dataset)
    if inner is None or dataset.default_union:
        return
    try:
        inner.update(
            "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o "
            "FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } } ;\n"
            "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
        )
    except (OSError, RuntimeError) as err:
        raise StoreError(
            f"cannot update the union graph: {' '.join(str(err).split())}"
        ) from err


def _ox_counts(
    inner: pyoxigraph.Store, kg_prefix: str, materialized: bool
) -> tuple[dict[str, int], dict[str, int]]:
    """Count typed nodes and relation pairs over all graphs with SPARQL in Oxigraph.

    The numbers :func:`stats` counts in Python, without loading every node
    into Python (seconds and a gigabyte on a store of millions of quads).
    ``materialized``: the default graph holds the union (else: read the graphs).
    """
    import pyoxigraph as ox

    def select(query: str) -> ox.QuerySolutions:
        rows = inner.query(query)
        assert isinstance(rows, ox.QuerySolutions)
        return rows

    values = " ".join(f"<{kg_term(p)}>" for p in PREDICATES)
    if materialized:  # each triple once: plain counts, streamed, no DISTINCT sets
        types = "SELECT ?t (COUNT(*) AS ?n) WHERE { ?s a ?t } GROUP BY ?t"
        pairs = (
            f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o }} "
            "GROUP BY ?p"
        )
    else:
        every = "{ %s } UNION { GRAPH ?g { %s } }"
        types = (
            "SELECT ?t (COUNT(DISTINCT ?s) AS ?n) WHERE { "
            + every % ("?s a ?t", "?s a ?t")
            + " } GROUP BY ?t"
        )
        pairs = (
            "SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { "
            f"VALUES ?p {{ {values} }} "
            + every % ("?s ?p ?o", "?s ?p ?o")
            + " } } GROUP BY ?p"
        )
    typed = {
        row["t"].value[len(kg_prefix) :]: int(row["n"].value)
        for row in select(types)
        if isinstance(row["t"], ox.NamedNode) and row["t"].value.startswith(kg_prefix)
    }
    found = {str(row["p"].value): int(row["n"].value) for row in select(pairs)}
    return typed, {p: found.get(str(kg_term(p)), 0) for p in PREDICATES}


def _ox_triples(inner: pyoxigraph.Store, materialized: bool) -> int:
    """Count the distinct triples over all graphs (as ``len(dataset)``, 4x faster)."""
    import pyoxigraph as ox

    rows = inner.query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        if materialized
        else "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { "
        "{ ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } }"
    )
    assert isinstance(rows, ox.QuerySolutions)
    return int(next(rows)["n"].value)
