"""Tests for kg.push: the store's graphs written to real SPARQL 1.1 servers.

The servers are started here on loopback and stopped afterwards: Oxigraph's
server (the ``oxigraph`` PyPI package, a binary beside the interpreter) and
Virtuoso (Debian's ``virtuoso-opensource``, ``virtuoso-t``); each test skips
with the reason when its server is missing.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef

from kg import push, sparql, store
from kg.errors import ConfigError, StoreError
from kg.rdf import document_quads
from tests.test_sparql import make_documents

pytest.importorskip("oxrdflib")

START_TIMEOUT = 45.0  # seconds a server may take to answer its first query
# Saved queries whose answer does not depend on how often the default graph repeats
# a triple: the servers compute the union of the graphs at query time, once per graph
# holding a triple, while kg's store keeps each triple once (so relations-by-predicate,
# which counts triples, differs there).
SAVED = ("entity-types", "documents", "people-affiliations", "projects-by-region")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"server exited ({process.returncode}): {log.read_text()[-800:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    pytest.fail(f"server not up in {START_TIMEOUT:.0f} s: {log.read_text()[-800:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@dataclass(frozen=True)
class Server:
    name: str
    query: str  # the query endpoint
    update: str  # the SPARQL Update endpoint
    graph_store: str  # the Graph Store HTTP Protocol endpoint
    user: str | None = None
    password: str | None = None


def oxigraph_binary() -> str | None:
    beside = Path(sys.executable).with_name("oxigraph")
    return str(beside) if beside.exists() else shutil.which("oxigraph")


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server binary is missing (pip install oxigraph)")
    folder = tmp_path_factory.mktemp("oxigraph-server")
    port = free_port()
    log = folder / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                binary,
                "serve",
                "--location",
                str(folder / "data"),
                "--bind",
                f"127.0.0.1:{port}",
                "--union-default-graph",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(process, f"{base}/query?query=ASK%7B%7D", log)
        yield Server("oxigraph", f"{base}/query", f"{base}/update", f"{base}/store")
    finally:
        stop(process)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
DirsAllowed = ., {dir}
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
MaxQueryMem = 500M

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 4
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""


@pytest.fixture(scope="module")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    binary = shutil.which("virtuoso-t")
    if binary is None:
        pytest.skip(
            "virtuoso-t is missing (Debian virtuoso-opensource; .ci/system-deps "
            "installs it as root)"
        )
    folder = tmp_path_factory.mktemp("virtuoso")
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(
        VIRTUOSO_INI.format(dir=folder, sql_port=sql_port, http_port=http_port),
        encoding="utf-8",
    )
    log = folder / "stdout.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "+foreground", "+configfile", str(ini)],
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    base = f"http://127.0.0.1:{http_port}"
    try:
        wait_until_up(process, f"{base}/sparql?query=ASK%7B%7D", log)
        # A fresh database's dba/dba may write, over HTTP Digest authentication.
        yield Server(
            "virtuoso",
            f"{base}/sparql",
            f"{base}/sparql-auth",
            f"{base}/sparql-graph-crud-auth",
            "dba",
            "dba",
        )
    finally:
        stop(process)


@pytest.fixture(scope="module")
def local() -> Iterator[Dataset]:
    dataset = store.open_dataset("oxigraph")
    for doc in make_documents():
        store.replace_document(
            dataset, document_quads(doc), doc.articles[0].doc, "sha256:test"
        )
    store.refresh_derived(dataset)  # as kg build does
    yield dataset
    dataset.close()


def remote_rows(server: Server, name: str) -> list[tuple[str, ...]]:
    result = push.remote_query(
        server.query,
        sparql.saved_queries()[name].text,
        user=server.user,
        password=server.password,
    )
    names = result["head"]["vars"]
    return sorted(
        tuple(row[n]["value"] if n in row else "" for n in names)
        for row in result["results"]["bindings"]
    )


def local_rows(dataset: Dataset, name: str) -> list[tuple[str, ...]]:
    result = json.loads(sparql.format_result(sparql.run_saved(dataset, name), "json"))
    names = result["head"]["vars"]
    return sorted(
        tuple(row[n]["value"] if n in row else "" for n in names)
        for row in result["results"]["bindings"]
    )


def check_copy(server: Server, dataset: Dataset) -> None:
    ours = push.local_counts(dataset)
    theirs = push.remote_counts(
        server.query, user=server.user, password=server.password
    )
    assert ours, "the local store is empty"
    assert {g: theirs.get(g) for g in ours} == ours
    for name in SAVED:
        expected = local_rows(dataset, name)
        assert expected, f"{name} finds nothing locally"
        assert remote_rows(server, name) == expected, name


@pytest.mark.parametrize("method", ["gsp", "update"])
@pytest.mark.parametrize("which", ["oxigraph_server", "virtuoso_server"])
def test_push_and_read_back(
    which: str, method: str, local: Dataset, request: pytest.FixtureRequest
) -> None:
    server: Server = request.getfixturevalue(which)
    for _ in range(2):  # pushing again replaces, it does not duplicate
        summary = push.push(
            local,
            server.update,
            graph_store=server.graph_store,
            method=method,
            user=server.user,
            password=server.password,
            chunk_triples=100,  # several requests, graphs split over them
        )
        assert summary.graphs == len(push.local_counts(local))
        assert summary.triples == sum(push.local_counts(local).values())
        check_copy(server, local)
    if method == "update":
        assert summary.requests > summary.graphs // 2


def test_push_cli(oxigraph_server: Server, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from kg.cli import app

    path = tmp_path / "store"
    dataset = store.open_dataset("oxigraph", path)
    doc = make_documents()[0]
    store.replace_document(dataset, document_quads(doc), doc.articles[0].doc)
    counts = push.local_counts(dataset)
    dataset.close()
    result = CliRunner().invoke(
        app,
        ["push", "--store", str(path), "--graph-store", oxigraph_server.graph_store],
    )
    assert result.exit_code == 0, result.output
    assert f"pushed {len(counts)} graphs" in result.output
    theirs = push.remote_counts(oxigraph_server.query)
    assert {g: theirs.get(g) for g in counts} == counts


def test_wrong_password_is_one_line(virtuoso_server: Server, local: Dataset) -> None:
    with pytest.raises(StoreError, match=r"401.*--user and --password"):
        push.push(
            local,
            graph_store=virtuoso_server.graph_store,
            user="dba",
            password="wrong",
        )


# --- without a server ----------------------------------------------------------------


def test_update_bodies_split_graphs_and_drop_each_once() -> None:
    dataset = store.open_dataset("memory")
    for doc in make_documents():
        store.replace_document(dataset, document_quads(doc), doc.articles[0].doc)
    names = push.named_graphs(dataset)
    bodies = list(push._update_bodies(dataset, names, 50))
    text = b"\n".join(body for body, _g, _t in bodies).decode()
    assert len(bodies) > len(names)
    assert sum(graphs for _b, graphs, _t in bodies) == len(names)
    assert sum(t for _b, _g, t in bodies) == sum(push.local_counts(dataset).values())
    for name in names:
        assert text.count(f"DROP SILENT GRAPH <{name}>") == 1
    assert "XMLSchema#string>" not in text  # plain strings stay plain
    # Every body parses as an update and rebuilds the graphs.
    copy = store.open_dataset("memory")
    for body, _g, _t in bodies:
        sparql.run_update(copy, body.decode())
    for name in names:
        assert len(Graph(copy.store, identifier=name)) == len(
            Graph(dataset.store, identifier=name)
        )


def test_bad_arguments(local: Dataset) -> None:
    with pytest.raises(ConfigError, match="--graph-store"):
        push.push(local, "http://127.0.0.1:1/update", method="gsp")
    with pytest.raises(ConfigError, match="unknown push method"):
        push.push(local, "http://127.0.0.1:1/update", method="ftp")
    with pytest.raises(ConfigError, match="http"):
        push.push(local, "file:///tmp/x", method="update")


def test_unreachable_server_is_a_store_error(local: Dataset) -> None:
    port = free_port()  # nothing listens there
    with pytest.raises(StoreError, match="is the server running"):
        push.push(local, graph_store=f"http://127.0.0.1:{port}/store", timeout=5)


def test_graph_names_must_be_iris() -> None:
    with pytest.raises(StoreError, match="not a valid IRI"):
        push._iri(URIRef("urn:a b"))
