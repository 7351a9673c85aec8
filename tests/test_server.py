"""Tests for kg.server: the SPARQL 1.1 Protocol endpoint and the HTML view."""

from __future__ import annotations

import csv
import http.client
import io
import json
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from rdflib import Graph
from typer.testing import CliRunner

from kg import sparql, store
from kg.cli import app
from kg.errors import ConfigError, StoreError
from kg.rdf import document_quads
from kg.server import GRAPH_TYPES, RESULT_TYPES, SparqlServer, make_server, negotiate
from tests.test_sparql import make_documents

pytest.importorskip("oxrdflib")

NAMES = "SELECT DISTINCT ?name WHERE { ?e a kg:Company ; kg:name ?name } ORDER BY ?name"
COMPANY = "青峰新材料有限公司"  # in tests.test_sparql's invented articles
# Five unconstrained patterns over a few hundred triples: ~10^12 rows to count.
SLOW = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
    "?m ?o ?q }"
)
TIMEOUT = 3.0
MAX_BYTES = 4096


def fill_store(path: Path) -> Path:
    dataset = store.open_dataset("oxigraph", path)
    try:
        for doc in make_documents():
            store.replace_document(
                dataset, document_quads(doc), doc.articles[0].doc, "sha256:test"
            )
        store.refresh_derived(dataset)  # as kg build does
    finally:
        dataset.close()
    return path


def start(server: SparqlServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


def stop(server: SparqlServer, thread: threading.Thread) -> None:
    server.shutdown()
    server.server_close()
    thread.join(10)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fill_store(tmp_path_factory.mktemp("server") / "store")


@pytest.fixture(scope="module")
def server(store_path: Path) -> Iterator[SparqlServer]:
    srv = make_server(store_path, timeout=TIMEOUT, max_bytes=MAX_BYTES, workers=2)
    thread = start(srv)
    try:
        yield srv
    finally:
        stop(srv, thread)


def request(
    server: SparqlServer,
    path: str,
    *,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(
        server.url + path, data=data, headers=headers or {}, method=method
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def get(server: SparqlServer, query: str, accept: str | None = None):
    headers = {"Accept": accept} if accept else {}
    return request(server, "/sparql?" + urlencode({"query": query}), headers=headers)


def names_of(body: bytes) -> list[str]:
    document = json.loads(body)
    return [row["name"]["value"] for row in document["results"]["bindings"]]


# --- negotiation -----------------------------------------------------------------

NEGOTIATION = [
    (None, RESULT_TYPES, "json"),
    ("*/*", RESULT_TYPES, "json"),
    ("application/sparql-results+xml", RESULT_TYPES, "xml"),
    ("text/csv;q=0.4, text/tab-separated-values", RESULT_TYPES, "tsv"),
    ("text/*", RESULT_TYPES, "csv"),
    ("application/n-triples, text/turtle;q=0.5", GRAPH_TYPES, "nt"),
    ("text/turtle;q=0, */*;q=0.1", GRAPH_TYPES, "turtle"),
]


@pytest.mark.parametrize(("accept", "types", "fmt"), NEGOTIATION)
def test_negotiate(accept, types, fmt) -> None:
    chosen = negotiate(accept, types)
    assert chosen is not None
    assert chosen[1] == fmt


def test_negotiate_refuses_what_is_not_offered() -> None:
    assert negotiate("image/png, text/html;q=0.9", RESULT_TYPES) is None
    assert negotiate("text/csv;q=0", RESULT_TYPES) is None


# --- the protocol ---------------------------------------------------------------------


def test_get_answers_sparql_json_by_default(server: SparqlServer) -> None:
    status, headers, body = get(server, NAMES)
    assert status == 200
    assert headers["Content-Type"].startswith("application/sparql-results+json")
    assert COMPANY in names_of(body)
    assert headers["Access-Control-Allow-Origin"] == "*"


def test_post_form_and_query_body_answer_alike(server: SparqlServer) -> None:
    _s, _h, by_get = get(server, NAMES)
    status, _h, by_form = request(
        server,
        "/sparql",
        data=urlencode({"query": NAMES}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 200
    status, _h, by_body = request(
        server,
        "/sparql",
        data=NAMES.encode(),
        headers={"Content-Type": "application/sparql-query; charset=utf-8"},
    )
    assert status == 200
    assert names_of(by_get) == names_of(by_form) == names_of(by_body)


def test_answers_as_kg_query_does(server: SparqlServer, store_path: Path) -> None:
    text = sparql.saved_queries()["people-affiliations"].text
    _s, _h, body = get(server, text)
    dataset = store.open_read_only(store_path)
    try:
        local = sparql.format_result(sparql.run_query(dataset, text), "json")
    finally:
        dataset.close()
    assert json.loads(body) == json.loads(local)
    assert json.loads(body)["results"]["bindings"]


def test_xml_csv_and_tsv(server: SparqlServer) -> None:
    status, headers, body = get(server, NAMES, "application/sparql-results+xml")
    assert status == 200 and "sparql-results+xml" in headers["Content-Type"]
    ns = "{http://www.w3.org/2005/sparql-results#}"
    literals = [e.text for e in ET.fromstring(body).iter(f"{ns}literal")]
    assert COMPANY in literals
    status, headers, body = get(server, NAMES, "text/csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(body.decode())))
    assert table[0] == ["name"] and [COMPANY] in table
    status, headers, body = get(server, NAMES, "text/tab-separated-values")
    assert status == 200
    lines = body.decode().splitlines()
    assert lines[0] == "?name" and f'"{COMPANY}"' in lines


def test_ask(server: SparqlServer) -> None:
    status, _h, body = get(server, "ASK { ?e a kg:Company }")
    assert status == 200
    assert json.loads(body)["boolean"] is True


def test_construct_as_turtle_and_ntriples(server: SparqlServer) -> None:
    query = "CONSTRUCT { ?e kg:name ?name } WHERE { ?e a kg:Company ; kg:name ?name }"
    status, headers, body = get(server, query)
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    turtle = Graph().parse(data=body.decode(), format="turtle")
    status, headers, body = get(server, query, "application/n-triples")
    assert status == 200 and headers["Content-Type"].startswith("application/n-triples")
    ntriples = Graph().parse(data=body.decode(), format="nt")
    assert len(turtle) == len(ntriples) > 0
    assert COMPANY in {str(o) for o in ntriples.objects()}


def test_nothing_acceptable_is_406(server: SparqlServer) -> None:
    status, _h, body = get(server, NAMES, "image/png")
    assert status == 406
    assert b"application/sparql-results+json" in body


def test_syntax_error_is_400_with_line_and_column(server: SparqlServer) -> None:
    status, headers, body = get(server, "SELECT ?x WHERE {\n  ?x kg:name \n")
    assert status == 400
    assert headers["Content-Type"].startswith("text/plain")
    assert b"line 3" in body or b"line 2" in body
    assert b"column" in body


def test_updates_are_refused_by_default(server: SparqlServer) -> None:
    update = "INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> <urn:c> } }"
    for data, ctype in [
        (urlencode({"update": update}).encode(), "application/x-www-form-urlencoded"),
        (update.encode(), "application/sparql-update"),
    ]:
        status, _h, body = request(
            server, "/sparql", data=data, headers={"Content-Type": ctype}
        )
        assert status == 403
        assert b"--allow-update" in body
    status, _h, _b = request(server, "/sparql?" + urlencode({"update": update}))
    assert status == 405
    _s, _h, body = get(server, "ASK { <urn:a> <urn:b> <urn:c> }")
    assert json.loads(body)["boolean"] is False


def test_request_size_limit_is_413(server: SparqlServer) -> None:
    big = NAMES + " #" + "x" * MAX_BYTES
    status, _headers, body = request(
        server,
        "/sparql",
        data=big.encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert status == 413
    assert str(MAX_BYTES).encode() in body
    status, _h, _b = get(server, big)
    assert status == 413


def test_bad_requests(server: SparqlServer) -> None:
    status, _h, _b = request(
        server, "/sparql", data=b"<x/>", headers={"Content-Type": "text/xml"}
    )
    assert status == 415
    assert request(server, "/nothing")[0] == 404
    assert request(server, "/sparql")[0] == 400  # no query at all
    path = "/sparql?" + urlencode([("query", NAMES), ("query", NAMES)])
    assert request(server, path)[0] == 400


def test_cors_preflight(server: SparqlServer) -> None:
    status, headers, _b = request(
        server,
        "/sparql",
        method="OPTIONS",
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "content-type" in headers["Access-Control-Allow-Headers"].lower()


def test_serves_the_html_view(server: SparqlServer) -> None:
    for path in ("/", "/graph.html"):
        status, headers, body = request(server, path)
        assert status == 200
        assert headers["Content-Type"].startswith("text/html")
        assert b"<html" in body.lower()
        assert COMPANY.encode() in body or "青峰新材".encode() in body


def test_keep_alive_serves_several_requests_on_one_connection(
    server: SparqlServer,
) -> None:
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(str(host), port, timeout=30)
    try:
        for _ in range(3):
            connection.request("GET", "/sparql?" + urlencode({"query": NAMES}))
            response = connection.getresponse()
            assert response.status == 200
            assert COMPANY in names_of(response.read())
    finally:
        connection.close()


def test_slow_query_times_out_and_the_server_goes_on(server: SparqlServer) -> None:
    assert server.pool is not None
    replaced = server.pool.replaced
    status, _h, body = get(server, SLOW)
    assert status == 503
    assert b"time limit" in body
    for _ in range(3):  # the other worker answers at once
        status, _h, answer = get(server, NAMES)
        assert status == 200 and COMPANY in names_of(answer)
    assert server.pool.replaced == replaced + 1
    # The killed worker is replaced: both answer again, side by side.
    deadline = time.monotonic() + 60
    while server.pool._idle.qsize() < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert server.pool._idle.qsize() == 2


# --- updates allowed ---------------------------------------------------------------


def test_a_worker_taking_updates_compacts_the_store_when_idle_after_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    from kg import server

    path = fill_store(tmp_path / "store")
    compacted: list[int] = []
    real = store.compact
    monkeypatch.setattr(store, "compact", lambda ds: compacted.append(1) or real(ds))
    monkeypatch.setattr(server, "COMPACT_IDLE", 0.3)
    ours, theirs = multiprocessing.Pipe()
    worker = threading.Thread(
        target=server._worker_main, args=(theirs, str(path), True), daemon=True
    )
    worker.start()
    try:
        assert ours.recv()[0] == "ready"
        ours.send(("query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", None))
        assert ours.recv()[0] == 200
        time.sleep(1.5)
        assert compacted == []  # a query writes nothing
        update = 'INSERT DATA { GRAPH <urn:kg:test> { <urn:x> kg:name "新加" } }'
        ours.send(("update", update, None))
        assert ours.recv()[0] == 204
        deadline = time.monotonic() + 10
        while not compacted and time.monotonic() < deadline:
            time.sleep(0.1)
        assert compacted == [1]
        time.sleep(1.5)
        assert compacted == [1]  # once, not at every idle second
        ours.send(
            (
                "query",
                'ASK { <urn:x> kg:name "新加" }',
                "application/sparql-results+json",
            )
        )
        status, _media, body = ours.recv()
        assert status == 200 and json.loads(body)["boolean"] is True
    finally:
        ours.send(None)
        worker.join(10)
    assert not worker.is_alive()


def test_allow_update(tmp_path: Path) -> None:
    path = fill_store(tmp_path / "store")
    html = tmp_path / "view.html"
    html.write_text("<html><body>given view</body></html>", encoding="utf-8")
    srv = make_server(path, allow_update=True, timeout=30, html=html)
    thread = start(srv)
    try:
        update = 'INSERT DATA { GRAPH <urn:kg:test> { <urn:x> kg:name "新加" } }'
        status, _h, _b = request(
            srv,
            "/sparql",
            data=update.encode(),
            headers={"Content-Type": "application/sparql-update"},
        )
        assert status == 204
        _s, _h, body = get(srv, 'ASK { <urn:x> kg:name "新加" }')
        assert json.loads(body)["boolean"] is True
        status, _h, body = request(
            srv,
            "/sparql",
            data=urlencode({"update": "INSERT DATA { <urn:x> }"}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 400 and b"line 1" in body
        assert request(srv, "/")[2] == html.read_bytes()
    finally:
        stop(srv, thread)
    dataset = store.open_dataset("oxigraph", path)  # the worker let go of the lock
    try:
        assert len(Graph(dataset.store, identifier="urn:kg:test")) == 1
    finally:
        dataset.close()


# --- errors ------------------------------------------------------------------------


def test_make_server_errors(tmp_path: Path, server: SparqlServer) -> None:
    with pytest.raises(StoreError, match="kg build"):
        make_server(tmp_path / "none")
    with pytest.raises(ConfigError, match="no such HTML"):
        make_server(server.settings.store, html=tmp_path / "none.html")
    host, port = server.server_address[:2]
    with pytest.raises(ConfigError, match="another --host or --port"):
        make_server(server.settings.store, str(host), port)
    with pytest.raises(ConfigError, match="positive"):
        make_server(server.settings.store, timeout=0)


def test_serve_cli_on_a_missing_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "--store", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "kg build" in result.output
