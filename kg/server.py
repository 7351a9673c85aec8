"""A SPARQL 1.1 Protocol endpoint over a store, and the HTML view beside it.

``make_server(store_path)`` returns a standard-library ``ThreadingHTTPServer``
that answers:

- ``GET /sparql?query=…``, ``POST /sparql`` with a form (``query=…``) or an
  ``application/sparql-query`` body: the query runs through
  :func:`kg.sparql.run_query` (the default graph is the union of the articles'
  graphs, as for ``kg query``); the result is negotiated on ``Accept``
  (``RESULT_TYPES`` for SELECT and ASK, ``GRAPH_TYPES`` for CONSTRUCT and
  DESCRIBE; the first of each is the default);
- ``POST /sparql`` with ``update=…`` or an ``application/sparql-update`` body:
  403 unless the server was made with ``allow_update``;
- ``OPTIONS``: a CORS preflight; every answer carries
  ``Access-Control-Allow-Origin: *``, so YASGUI in a browser can use it;
- ``GET /`` and ``GET /graph.html``: the HTML view (``kg.build.write_html``).

Errors are ``text/plain``: 400 a query that does not parse (the parser's
message, with line and column), 403 an update on a read-only server, 406 no
acceptable result format, 413 a request larger than ``max_bytes``, 415 an
unknown body type, 503 a query over the time limit or no free worker.

Why worker processes: a pyoxigraph (or rdflib) query cannot be interrupted
from another thread, so each query runs in a worker process that is killed and
replaced when it overruns ``timeout``; the server goes on answering meanwhile.
A read-only server has ``workers`` processes, each with the store opened
read-only (``kg.store.open_read_only``), that answer in parallel; a server that
allows updates has one worker holding the store read-write (a store has one
writer), so it answers one request at a time, and the time limit covers updates too.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kg.errors import ConfigError, KGError, QueryError, StoreError

__all__ = [
    "GRAPH_TYPES",
    "RESULT_TYPES",
    "ServerSettings",
    "SparqlServer",
    "make_server",
    "negotiate",
]

logger = logging.getLogger(__name__)

RESULT_TYPES: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/plain": "table",
}
"""Media types of SELECT and ASK results → ``kg.sparql.format_result`` formats."""

GRAPH_TYPES: dict[str, str] = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/trig": "trig",
    "application/x-turtle": "turtle",
    "text/plain": "nt",
}
"""Media types of CONSTRUCT and DESCRIBE results → ``format_result`` formats."""

_FORM = "application/x-www-form-urlencoded"
_QUERY_BODY = "application/sparql-query"
_UPDATE_BODY = "application/sparql-update"
_HTML_PATHS = ("/", "/graph.html", "/index.html")
_START_TIMEOUT = 60.0  # seconds a new worker may take to import and open the store
_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Accept, Authorization",
    "Access-Control-Max-Age": "86400",
}

# A worker's reply: (status, content type, body).
_Reply = tuple[int, str, bytes]


def negotiate(accept: str | None, types: dict[str, str]) -> tuple[str, str] | None:
    """Pick the result format for an ``Accept`` header.

    Args:
        accept: The header's value; ``None`` or empty accepts anything.
        types: ``RESULT_TYPES`` or ``GRAPH_TYPES``; the first is the default.

    Returns:
        ``(media type, format)``, or ``None`` if nothing offered is acceptable.

    Example:
        >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", RESULT_TYPES)
        ('application/sparql-results+xml', 'xml')
        >>> negotiate(None, GRAPH_TYPES)
        ('text/turtle', 'turtle')
        >>> negotiate("image/png", RESULT_TYPES) is None
        True
    """
    offered = list(types)
    if not accept or not accept.strip():
        return offered[0], types[offered[0]]
    ranges: list[tuple[float, int, int, str]] = []
    for index, item in enumerate(accept.split(",")):
        media, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        if not media or quality <= 0:
            continue
        specificity = 0 if media == "*/*" else 1 if media.endswith("/*") else 2
        ranges.append((-quality, -specificity, index, media))
    for *_order, media in sorted(ranges):
        if media == "*/*":
            return offered[0], types[offered[0]]
        if media.endswith("/*"):
            major = media[:-1]
            for candidate in offered:
                if candidate.startswith(major):
                    return candidate, types[candidate]
        elif media in types:
            return media, types[media]
    return None


def _text(status: int, message: str) -> _Reply:
    return status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode()


def _answer(dataset: Any, kind: str, text: str, accept: str | None) -> _Reply:
    """Run one query or update on the worker's Dataset and format the answer."""
    from kg import sparql

    try:
        if kind == "update":
            sparql.run_update(dataset, text)
            return HTTPStatus.NO_CONTENT, "text/plain; charset=utf-8", b""
        result = sparql.run_query(dataset, text)
        graph = result.type in ("CONSTRUCT", "DESCRIBE")
        types = GRAPH_TYPES if graph else RESULT_TYPES
        chosen = negotiate(accept, types)
        if chosen is None:
            return _text(
                HTTPStatus.NOT_ACCEPTABLE,
                f"no acceptable format for a {result.type} result (Accept: {accept}); "
                f"this endpoint offers {', '.join(dict.fromkeys(types))}",
            )
        media, fmt = chosen
        body = sparql.format_result(result, fmt).encode("utf-8")
        return HTTPStatus.OK, f"{media}; charset=utf-8", body
    except QueryError as err:
        return _text(HTTPStatus.BAD_REQUEST, str(err))
    except KGError as err:
        return _text(HTTPStatus.INTERNAL_SERVER_ERROR, str(err))


def _worker_entry(argv: list[str]) -> None:
    """Run a worker process: ``argv`` is the socket's fd, the store, ro or rw."""
    fd, path, mode = argv
    _worker_main(Connection(int(fd)), path, mode == "rw")


COMPACT_IDLE = 10.0
"""Seconds without a request after an update before a server that takes updates
compacts the store (``kg.store.compact``), as ``kg build`` does after writing: the
rewritten counts read 2-2.5x slower until then. A request that arrives meanwhile
waits for the compaction (7 s at a million triples, 12 s on the XWLB store)."""


def _worker_main(conn: Connection, path: str, writable: bool) -> None:
    """Serve queries on one connection until told to stop or orphaned.

    A writable worker compacts the store once it has been idle ``COMPACT_IDLE``
    seconds after an update.
    """
    from kg import store

    try:
        dataset = (
            store.open_dataset("oxigraph", Path(path))
            if writable
            else store.open_read_only(Path(path))
        )
    except KGError as err:
        conn.send(("failed", str(err)))
        return
    conn.send(("ready", os.getpid()))
    parent = os.getppid()
    updated_at: float | None = None  # the last update not yet compacted
    try:
        while True:
            if not conn.poll(min(1.0, COMPACT_IDLE)):
                if os.getppid() != parent:  # the server died: do not linger
                    break
                if updated_at is not None and (
                    time.monotonic() - updated_at >= COMPACT_IDLE
                ):
                    updated_at = None
                    try:
                        store.compact(dataset)
                    except KGError as err:  # the data is intact; say so and go on
                        logger.warning("could not compact the store: %s", err)
                continue
            try:
                task = conn.recv()
            except EOFError:
                break
            if task is None:
                break
            try:
                reply = _answer(dataset, *task)
            except Exception as err:  # a bug: report it, keep serving
                logger.exception("query failed")
                reply = _text(
                    HTTPStatus.INTERNAL_SERVER_ERROR,
                    f"internal error: {type(err).__name__}: {err}",
                )
            conn.send(reply)
            if task[0] == "update":
                updated_at = time.monotonic()
    finally:
        dataset.close()


class _TimeoutError(Exception):
    """A worker overran the time limit and was replaced."""


class _BusyError(Exception):
    """No worker was free within the time limit."""


class _DiedError(Exception):
    """A worker died while answering."""


@dataclass(eq=False, slots=True)  # hashed by identity, kept in a set
class _Worker:
    process: subprocess.Popen[bytes]
    conn: Connection


class _Pool:
    """Worker processes that answer queries, each killed when it overruns."""

    def __init__(self, path: Path, size: int, writable: bool) -> None:
        self._path = str(path)
        self._writable = writable
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.replaced = 0
        started = [self._spawn() for _ in range(size)]
        try:
            for worker in started:
                self._wait_ready(worker)
                self._idle.put(worker)
        except StoreError:
            self.close()
            raise

    def _spawn(self) -> _Worker:
        # A plain subprocess, not multiprocessing: spawning would re-run the
        # caller's __main__ (a script or notebook without a main guard).
        parent, child = socket.socketpair()
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; from kg.server import _worker_entry; "
                "_worker_entry(sys.argv[1:])",
                str(child.fileno()),
                self._path,
                "rw" if self._writable else "ro",
            ],
            pass_fds=[child.fileno()],
            stdin=subprocess.DEVNULL,
        )
        child.close()
        worker = _Worker(process, Connection(parent.detach()))
        with self._lock:
            self._all.add(worker)
        return worker

    def _wait_ready(self, worker: _Worker) -> None:
        message: tuple[Any, ...] = ("failed", "it did not start")
        try:
            if worker.conn.poll(_START_TIMEOUT):
                message = worker.conn.recv()
            else:
                message = ("failed", f"it did not start within {_START_TIMEOUT:.0f} s")
        except (EOFError, OSError):
            message = ("failed", "it exited while starting")
        if message[0] != "ready":
            self._kill(worker)
            raise StoreError(
                f"cannot start a query worker on {self._path}: {message[1]}"
            )

    def _kill(self, worker: _Worker) -> None:
        if worker.process.poll() is None:
            worker.process.kill()
        try:
            worker.process.wait(10)
        except subprocess.TimeoutExpired:  # pragma: no cover - a stuck kernel call
            logger.error("query worker %d did not die", worker.process.pid)
        worker.conn.close()
        with self._lock:
            self._all.discard(worker)

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker and start another in the background."""
        self._kill(worker)
        self.replaced += 1

        def start() -> None:
            if self._closed:
                return
            try:
                new = self._spawn()
                self._wait_ready(new)
            except (StoreError, OSError) as err:
                logger.error("cannot replace a query worker: %s", err)
                return
            if self._closed:
                self._kill(new)
            else:
                self._idle.put(new)

        threading.Thread(target=start, name="kg-sparql-respawn", daemon=True).start()

    def run(self, task: tuple[str, str, str | None], timeout: float) -> _Reply:
        """Run a task on a free worker within ``timeout`` seconds.

        Raises:
            _BusyError: No worker was free in time.
            _TimeoutError: The worker overran; it was killed and is being replaced.
            _DiedError: The worker died; it is being replaced.
        """
        deadline = time.monotonic() + timeout
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise _BusyError from None
        try:
            worker.conn.send(task)
            if worker.conn.poll(max(0.0, deadline - time.monotonic())):
                reply: _Reply = worker.conn.recv()
                self._idle.put(worker)
                return reply
        except (EOFError, OSError):
            self._replace(worker)
            raise _DiedError from None
        self._replace(worker)
        raise _TimeoutError

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        for worker in workers:
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.process.wait(2)
            self._kill(worker)


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """How a server answers (see :func:`make_server`)."""

    store: Path
    allow_update: bool = False
    timeout: float = 30.0
    max_bytes: int = 1_000_000
    workers: int = 2


class SparqlServer(ThreadingHTTPServer):
    """The endpoint: a ``ThreadingHTTPServer`` with a pool of query workers.

    Call ``serve_forever()`` (in a thread, if need be), then ``shutdown()`` and
    ``server_close()``, which also stops the workers.
    """

    daemon_threads = True
    block_on_close = False
    # socketserver's listen backlog is 5: a burst of clients then gets resets.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], settings: ServerSettings) -> None:
        """Bind the socket; :func:`make_server` adds the HTML view and the workers."""
        self.settings = settings
        self.html: bytes = b""
        self.pool: _Pool | None = None
        self._tmpdir: str | None = None
        super().__init__(address, _Handler)  # closes itself if it cannot bind

    @property
    def url(self) -> str:
        """Return the server's base URL, ``http://host:port``."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def run(self, task: tuple[str, str, str | None]) -> _Reply:
        """Answer a task through the pool, turning overruns into replies."""
        assert self.pool is not None
        limit = self.settings.timeout
        try:
            return self.pool.run(task, limit)
        except _TimeoutError:
            return _text(
                HTTPStatus.SERVICE_UNAVAILABLE,
                f"query stopped: it ran longer than the time limit of {limit:g} s; "
                "narrow it (LIMIT, more specific patterns) or restart kg serve with "
                "a higher --timeout",
            )
        except _BusyError:
            return _text(
                HTTPStatus.SERVICE_UNAVAILABLE,
                f"server busy: no query worker was free within {limit:g} s; "
                "try again later",
            )
        except _DiedError:
            return _text(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                "the query worker died while answering (out of memory?); "
                "it was replaced — try again, or narrow the query",
            )

    def server_close(self) -> None:
        """Close the socket, stop the workers and remove the generated HTML."""
        super().server_close()
        if self.pool is not None:
            self.pool.close()
            self.pool = None
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    protocol_version = "HTTP/1.1"
    server_version = "kg-sparql/1"

    def log_message(self, format: str, *args: Any) -> None:
        logger.info("%s %s", self.address_string(), format % args)

    # --- answers ---------------------------------------------------------------

    def _send(
        self,
        status: int,
        body: bytes = b"",
        content_type: str = "text/plain; charset=utf-8",
        headers: dict[str, str] | None = None,
        head_only: bool = False,
    ) -> None:
        self.send_response(status)
        for key, value in {**_CORS, **(headers or {})}.items():
            self.send_header(key, value)
        if status != HTTPStatus.NO_CONTENT:
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if body and not head_only and status != HTTPStatus.NO_CONTENT:
            self.wfile.write(body)

    def _error(self, status: int, message: str, **headers: str) -> None:
        _status, ctype, body = _text(status, message)
        self._send(status, body, ctype, headers)

    # --- methods -----------------------------------------------------------------

    def do_OPTIONS(self) -> None:
        self._send(HTTPStatus.NO_CONTENT, headers={"Allow": "GET, POST, OPTIONS"})

    def do_HEAD(self) -> None:
        if urlsplit(self.path).path in _HTML_PATHS:
            self._send(
                HTTPStatus.OK,
                self.server.html,
                "text/html; charset=utf-8",
                head_only=True,
            )
        else:
            self._error(HTTPStatus.METHOD_NOT_ALLOWED, "HEAD only for the HTML view")

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path in _HTML_PATHS:
            self._send(HTTPStatus.OK, self.server.html, "text/html; charset=utf-8")
            return
        if url.path != "/sparql":
            self._error(
                HTTPStatus.NOT_FOUND,
                f"no such page {url.path}; the endpoint is /sparql, the view is /",
            )
            return
        if len(url.query) > self.server.settings.max_bytes:
            self._error(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"query string of {len(url.query)} bytes is larger than the limit of "
                f"{self.server.settings.max_bytes}; POST the query instead",
            )
            return
        params = parse_qs(url.query, keep_blank_values=True)
        if "update" in params:
            self._error(
                HTTPStatus.METHOD_NOT_ALLOWED,
                "send updates with POST (update=… or application/sparql-update)",
                Allow="POST",
            )
            return
        self._dispatch(params, None)

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if url.path != "/sparql":
            self._error(
                HTTPStatus.NOT_FOUND, f"no such endpoint {url.path}; use /sparql"
            )
            return
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            self.close_connection = True
            self._error(HTTPStatus.LENGTH_REQUIRED, "send a Content-Length header")
            return
        try:
            length = int(length_header)
        except ValueError:
            self.close_connection = True
            self._error(HTTPStatus.BAD_REQUEST, "Content-Length is not a number")
            return
        limit = self.server.settings.max_bytes
        if length > limit:
            self.close_connection = True  # the body is left unread
            self._error(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"request body of {length} bytes is larger than the limit of {limit} "
                "bytes (kg serve --max-bytes)",
            )
            return
        body = self.rfile.read(length)
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            self._error(HTTPStatus.BAD_REQUEST, "the request body is not UTF-8")
            return
        params = parse_qs(url.query, keep_blank_values=True)
        if media == _FORM:
            for key, values in parse_qs(text, keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
            self._dispatch(params, None)
        elif media == _QUERY_BODY:
            self._dispatch(params, ("query", text))
        elif media == _UPDATE_BODY:
            self._dispatch(params, ("update", text))
        else:
            self._error(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                f"cannot read a body of type {media or 'none'!r}; send {_FORM}, "
                f"{_QUERY_BODY} or {_UPDATE_BODY}",
            )

    def _dispatch(
        self, params: dict[str, list[str]], body: tuple[str, str] | None
    ) -> None:
        for key in (
            "default-graph-uri",
            "named-graph-uri",
            "using-graph-uri",
            "using-named-graph-uri",
        ):
            if any(value.strip() for value in params.get(key, [])):
                self._error(
                    HTTPStatus.BAD_REQUEST,
                    f"{key} is not supported: the default graph is the union of all "
                    "articles' graphs; use GRAPH or FROM in the query",
                )
                return
        found = [(k, v) for k in ("query", "update") for v in params.get(k, [])]
        if body is not None:
            found.append(body)
        if len(found) != 1:
            self._error(
                HTTPStatus.BAD_REQUEST,
                "give exactly one query (query=… or an application/sparql-query "
                f"body) or update; got {len(found)}",
            )
            return
        kind, text = found[0]
        if kind == "update" and not self.server.settings.allow_update:
            self._error(
                HTTPStatus.FORBIDDEN,
                "updates are refused: this endpoint is read-only "
                "(start kg serve with --allow-update to accept them)",
            )
            return
        status, content_type, payload = self.server.run(
            (kind, text, self.headers.get("Accept"))
        )
        self._send(status, payload, content_type, {"Vary": "Accept"})


def make_server(
    dataset_path: Path,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    allow_update: bool = False,
    timeout: float = 30.0,
    max_bytes: int = 1_000_000,
    html: Path | None = None,
    workers: int = 2,
) -> SparqlServer:
    """Make a SPARQL endpoint over a store (it is not yet serving).

    Args:
        dataset_path: The store directory (``kg build --store``).
        host: The address to listen on.
        port: The port; 0 picks a free one (read it from ``server.url``).
        allow_update: Accept SPARQL updates (else they get 403).
        timeout: Seconds a query (or update) may run, waiting for a free
            worker included; past it the answer is 503 and the worker is replaced.
        max_bytes: The largest request body (or query string) accepted.
        html: The HTML page served at ``/``; ``None`` writes the store's view
            (``kg.build.write_html``) to a temporary file first.
        workers: Query processes of a read-only server (one when updates are
            allowed).

    Returns:
        The bound server; run ``serve_forever()``, then ``shutdown()`` and
        ``server_close()``.

    Raises:
        ConfigError: A bad limit, a missing HTML file, or the address is taken.
        StoreError: No store at ``dataset_path``, or it cannot be opened.
    """
    if timeout <= 0 or max_bytes <= 0 or workers < 1:
        raise ConfigError(
            f"timeout ({timeout}), max-bytes ({max_bytes}) and workers ({workers}) "
            "must be positive"
        )
    path = Path(dataset_path)
    if not path.is_dir():
        raise StoreError(
            f"{path}: no store here; run `kg build PATH --store {path}` first"
        )
    if html is not None and not Path(html).is_file():
        raise ConfigError(f"{html}: no such HTML file; give a file from `kg viz`")
    settings = ServerSettings(
        store=path,
        allow_update=allow_update,
        timeout=timeout,
        max_bytes=max_bytes,
        workers=1 if allow_update else workers,
    )
    try:
        server = SparqlServer((host, port), settings)
    except OSError as err:
        raise ConfigError(
            f"cannot listen on {host}:{port}: {err.strerror or err}; "
            "choose another --host or --port"
        ) from err
    try:
        if html is None:
            from kg import build

            server._tmpdir = tempfile.mkdtemp(prefix="kg-serve-")
            html = build.write_html(path, Path(server._tmpdir) / "graph.html")
        server.html = Path(html).read_bytes()
        server.pool = _Pool(path, settings.workers, writable=allow_update)
    except BaseException:
        server.server_close()
        raise
    return server
