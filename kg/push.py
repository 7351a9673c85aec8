"""Write a store's named graphs to another SPARQL 1.1 server.

Two ways, both over plain HTTP (``urllib``):

- ``gsp``: the Graph Store HTTP Protocol, one ``PUT <graph-store>?graph=<name>``
  per named graph with its triples as N-Triples (sent as ``text/turtle``, of
  which N-Triples is a subset, since every server reads Turtle); a PUT replaces
  the graph, so pushing twice leaves one copy;
- ``update``: SPARQL 1.1 Update, ``DROP SILENT GRAPH <name>`` then
  ``INSERT DATA { GRAPH <name> { … } }``, several graphs per request up to
  ``chunk_triples`` triples (a graph larger than that is split over requests;
  one with blank nodes is never split, so its blank nodes stay one node each).

Only named graphs are written (``kg build`` keeps everything in them); graphs
the server holds and the store does not are left alone. Terms are written by
rdflib's N-Triples serializer, never formatted by hand.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kg.errors import ConfigError, StoreError

__all__ = [
    "METHODS",
    "PushSummary",
    "local_counts",
    "named_graphs",
    "push",
    "remote_counts",
    "remote_query",
]

logger = logging.getLogger(__name__)

METHODS = ("gsp", "update")
"""The ways :func:`push` writes: Graph Store HTTP Protocol or SPARQL Update."""

_FORBIDDEN_IN_IRI = set('<>"{}|^`\\ \t\r\n')
_XSD_STRING_END = b'"^^<http://www.w3.org/2001/XMLSchema#string> .'
_COUNTS = "SELECT ?g (COUNT(*) AS ?triples) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


@dataclass(frozen=True, slots=True)
class PushSummary:
    """What a push wrote."""

    method: str
    graphs: int
    triples: int
    requests: int
    bytes: int
    seconds: float

    def as_text(self) -> str:
        """Return one line for people."""
        return (
            f"pushed {self.graphs} graphs, {self.triples} triples in {self.requests} "
            f"requests ({self.bytes / 1e6:.1f} MB, {self.method}) "
            f"in {self.seconds:.1f} s"
        )


def _opener(
    url: str, user: str | None, password: str | None
) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = []
    if user is not None:
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, url, user, password or "")
        # Basic or Digest, whichever the server asks for (Virtuoso: Digest).
        handlers += [
            urllib.request.HTTPBasicAuthHandler(manager),
            urllib.request.HTTPDigestAuthHandler(manager),
        ]
    return urllib.request.build_opener(*handlers)


def _send(
    opener: urllib.request.OpenerDirector,
    request: urllib.request.Request,
    what: str,
    timeout: float,
) -> bytes:
    try:
        with opener.open(request, timeout=timeout) as response:
            body: bytes = response.read()
            return body
    except urllib.error.HTTPError as err:
        detail = " ".join(err.read(500).decode("utf-8", "replace").split())
        hint = (
            "; check --user and --password"
            if err.code in (401, 403)
            else "; check the URL"
            if err.code in (404, 405)
            else ""
        )
        raise StoreError(
            f"{request.full_url}: {what} failed: HTTP {err.code} {err.reason}"
            f"{': ' + detail[:300] if detail else ''}{hint}"
        ) from err
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise StoreError(
            f"{request.full_url}: {what} failed: {reason}; is the server running "
            "and the URL right?"
        ) from err


def named_graphs(dataset: Dataset) -> list[URIRef]:
    """Return the names of a store's non-empty named graphs, sorted.

    Args:
        dataset: An open Dataset.

    Returns:
        The graph IRIs (graphs named by blank nodes cannot be addressed, and
        are left out with a WARNING).
    """
    names: list[URIRef] = []
    for graph in dataset.graphs():
        name = graph.identifier
        if name == DATASET_DEFAULT_GRAPH_ID:
            continue
        if not isinstance(name, URIRef):
            logger.warning("graph %s has no IRI; not pushed", name)
            continue
        names.append(name)
    return sorted(n for n in names if len(Graph(dataset.store, identifier=n)))


def local_counts(dataset: Dataset) -> dict[str, int]:
    """Return the number of triples of each named graph of a store.

    Args:
        dataset: An open Dataset.

    Returns:
        Graph IRI → triples.
    """
    return {
        str(name): len(Graph(dataset.store, identifier=name))
        for name in named_graphs(dataset)
    }


def _iri(name: URIRef) -> str:
    if any(c in _FORBIDDEN_IN_IRI for c in str(name)):
        raise StoreError(
            f"graph name {str(name)!r} is not a valid IRI (it holds a space or one of "
            '<>"{}|^`\\); rebuild the store'
        )
    return f"<{name}>"


def _ntriples(dataset: Dataset, name: URIRef) -> tuple[list[bytes], bool]:
    """Return a graph's triples as N-Triples lines, and whether it has blank nodes."""
    graph = Graph(dataset.store, identifier=name)
    data = graph.serialize(format="nt", encoding="utf-8")
    # Oxigraph types plain strings as xsd:string; write them plain (the same in
    # RDF 1.1), since some servers (Virtuoso) keep the two apart in queries.
    lines = [
        line[: -len(_XSD_STRING_END)] + b'" .'
        if line.endswith(_XSD_STRING_END)
        else line
        for line in data.splitlines()
        if line.strip()
    ]
    has_bnodes = any(isinstance(term, BNode) for triple in graph for term in triple)
    return lines, has_bnodes


def _update_bodies(
    dataset: Dataset, names: Iterable[URIRef], chunk_triples: int
) -> Iterator[tuple[bytes, int, int]]:
    """Yield SPARQL updates: (text, graphs begun in it, triples in it)."""
    parts: list[bytes] = []
    graphs = triples = 0

    def flush() -> tuple[bytes, int, int]:
        return b"\n".join(parts), graphs, triples

    for name in names:
        iri = _iri(name).encode("utf-8")
        lines, has_bnodes = _ntriples(dataset, name)
        step = len(lines) if has_bnodes else chunk_triples
        first = True
        for start in range(0, len(lines), max(step, 1)):
            chunk = lines[start : start + step]
            if parts and triples + len(chunk) > chunk_triples:
                yield flush()
                parts, graphs, triples = [], 0, 0
            if first:
                parts.append(b"DROP SILENT GRAPH " + iri + b" ;")
                graphs += 1
                first = False
            parts.append(b"INSERT DATA { GRAPH " + iri + b" {")
            parts += chunk
            parts.append(b"} } ;")
            triples += len(chunk)
    if parts:
        yield flush()


def push(
    dataset: Dataset,
    endpoint: str | None = None,
    *,
    graph_store: str | None = None,
    method: str = "gsp",
    user: str | None = None,
    password: str | None = None,
    chunk_triples: int = 5000,
    timeout: float = 120.0,
    progress: Callable[[int, int], None] | None = None,
    graphs: Iterable[URIRef] | None = None,
) -> PushSummary:
    """Write every named graph of a store (or some) to a SPARQL 1.1 server.

    Args:
        dataset: An open Dataset.
        endpoint: The server's SPARQL Update endpoint (``update``).
        graph_store: Its Graph Store HTTP Protocol endpoint (``gsp``).
        method: ``gsp`` or ``update``.
        user: A user name, for HTTP Basic or Digest authentication.
        password: Its password.
        chunk_triples: The most triples in one update request.
        timeout: Seconds to wait for each answer.
        progress: Called with (graphs done, graphs in all) after each request.
        graphs: Only these named graphs (those the store holds), e.g. the
            graphs of the documents a build has just written.

    Returns:
        What was written.

    Raises:
        ConfigError: An unknown method, or the URL the method needs is missing.
        StoreError: The server cannot be reached or refuses a request.
    """
    if method not in METHODS:
        raise ConfigError(f"unknown push method {method!r}; use one of {list(METHODS)}")
    target = graph_store if method == "gsp" else endpoint
    if not target:
        option = "--graph-store" if method == "gsp" else "--endpoint"
        raise ConfigError(f"push --method {method} needs {option} URL")
    if not target.startswith(("http://", "https://")):
        raise ConfigError(f"{target}: not an http(s) URL")
    if chunk_triples < 1:
        raise ConfigError(f"chunk size must be positive, got {chunk_triples}")
    started = time.perf_counter()
    opener = _opener(target, user, password)
    names = named_graphs(dataset)
    if graphs is not None:
        wanted = set(graphs)
        names = [n for n in names if n in wanted]
    requests = sent = triples = done = 0
    if method == "gsp":
        separator = "&" if "?" in target else "?"
        for name in names:
            lines, _bnodes = _ntriples(dataset, name)
            body = b"\n".join(lines) + b"\n"
            url = f"{target}{separator}graph={quote(str(name), safe='')}"
            request = urllib.request.Request(
                url,
                data=body,
                method="PUT",
                headers={"Content-Type": "text/turtle; charset=utf-8"},
            )
            _send(opener, request, f"PUT of graph {name}", timeout)
            requests += 1
            sent += len(body)
            triples += len(lines)
            done += 1
            if progress is not None:
                progress(done, len(names))
    else:
        for text, graphs, count in _update_bodies(dataset, names, chunk_triples):
            body = urlencode({"update": text.decode("utf-8")}).encode("ascii")
            request = urllib.request.Request(
                target,
                data=body,
                method="POST",
                headers={
                    "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"
                },
            )
            _send(opener, request, "SPARQL update", timeout)
            requests += 1
            sent += len(body)
            triples += count
            done += graphs
            if progress is not None:
                progress(done, len(names))
    summary = PushSummary(
        method, len(names), triples, requests, sent, time.perf_counter() - started
    )
    logger.info("%s", summary.as_text())
    return summary


def remote_query(
    endpoint: str,
    query: str,
    *,
    user: str | None = None,
    password: str | None = None,
    timeout: float = 120.0,
) -> dict[str, Any]:
    """Run a SELECT or ASK query on a SPARQL endpoint (GET, JSON results).

    Args:
        endpoint: The query endpoint's URL.
        query: The query's text.
        user: A user name, for HTTP Basic or Digest authentication.
        password: Its password.
        timeout: Seconds to wait for the answer.

    Returns:
        The parsed SPARQL 1.1 JSON results.

    Raises:
        StoreError: The server cannot be reached or refuses the query.
    """
    separator = "&" if "?" in endpoint else "?"
    request = urllib.request.Request(
        f"{endpoint}{separator}{urlencode({'query': query})}",
        headers={"Accept": "application/sparql-results+json"},
    )
    body = _send(_opener(endpoint, user, password), request, "query", timeout)
    try:
        result: dict[str, Any] = json.loads(body)
    except ValueError as err:
        raise StoreError(
            f"{endpoint}: the answer is not SPARQL JSON results ({body[:80]!r}); "
            "is this a SPARQL query endpoint?"
        ) from err
    return result


def remote_counts(
    endpoint: str,
    *,
    user: str | None = None,
    password: str | None = None,
    timeout: float = 120.0,
) -> dict[str, int]:
    """Return the number of triples of each named graph a SPARQL endpoint holds.

    Args:
        endpoint: The query endpoint's URL.
        user: A user name, for HTTP Basic or Digest authentication.
        password: Its password.
        timeout: Seconds to wait for the answer.

    Returns:
        Graph IRI → triples (every graph of the server, its own ones too).

    Raises:
        StoreError: The server cannot be reached or refuses the query.
    """
    result = remote_query(
        endpoint, _COUNTS, user=user, password=password, timeout=timeout
    )
    return {
        row["g"]["value"]: int(row["triples"]["value"])
        for row in result["results"]["bindings"]
        if "g" in row and "triples" in row
    }
