"""Hostile text: markup and SPARQL in names and evidence stay inert, IRIs stay valid.

- HTML/JS payloads in entity names, aliases, titles and evidence reach the viewer
  page only escaped (its live behaviour in Chromium is in ``test_browser.py``) and
  come back intact from every export format;
- saved-query parameters are bound as values: a name that looks like SPARQL finds
  the entity of that name and nothing else, and changes nothing;
- IRIs minted from any name are valid for rdflib and Oxigraph, survive a round
  trip, and never fall in (or resolve into) the ontology's namespace;
- hostile .jsonl records (lone surrogates, ids like ``../ontology#Company``,
  ``</script>`` in titles) go through ``kg build`` and ``kg viz``.

Every name here is invented.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import warnings
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import networkx as nx
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from typer.testing import CliRunner

from kg import build, export, rdf, sparql, store
from kg.cli import app
from kg.namespace import ID, KG
from kg.records import ENTITY_TYPES, Article, DocumentGraph, Entity, Mention, Relation

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    '<script>alert("x")</script>',
    "</script><script>alert(2)</script>",
    '"><svg onload=alert(3)>',
    "'onmouseover='alert(4)",
    "javascript:alert(5)",
    "<!--",
    "]]><![CDATA[",
    "{{7*7}}${7*7}",
    "&lt;b&gt;&amp;",
    "\u202eRTL\u202c",
]
INJECTIONS = [
    'x" } ; DROP ALL ; #',
    '"} UNION { ?s ?p ?o }',
    "x' } UNION { ?s ?p ?o } #",
    '") } INSERT DATA { <urn:x> <urn:y> <urn:z> } #',
    '\\" } #',
    "<urn:kg:x>",  # a str parameter, not an IRI
    "<b>",
]
# Names for IRIs: spaces, quotes, brackets, line breaks, fragments, escapes,
# emoji, dot segments, the ontology's own IRIs, and a very long name.
IRI_NAMES = [
    *PAYLOADS,
    *INJECTIONS,
    "a b",
    'x"y',
    "<>",
    "a\nb\r\tc",
    "#Company",
    "%41%",
    "😀岚溪",
    ".",
    "..",
    "../../ontology#Company",
    str(KG.Company),
    "https://w3id.org/kg-news/ontology#",
    "?x=1&y=2",
    "\\",
    "岚溪" * 5000,
]
COMPANY = "澄湾科技有限公司"


def _hostile_document() -> DocumentGraph:
    """One article naming an entity per payload and injection, with evidence."""
    names = [f"{p}科技有限公司" for p in PAYLOADS] + INJECTIONS + [COMPANY]
    text = "岚溪新闻\n" + "".join(f"{n}与{COMPANY}签署合作协议。" for n in names[:-1])
    article = Article(
        doc="hostile.jsonl",
        id="a1",
        title=f"岚溪新闻{PAYLOADS[1]}",
        text=text,
        byline="",
        date="2025-03-05",
        source="hostile.jsonl",
        publication=PAYLOADS[0],
        body_start=5,
    )
    entities, relations = [], []
    for name in names:
        start = text.index(name)
        entities.append(
            Entity(
                name=name,
                type="Company",
                aliases=(PAYLOADS[3],) if name == COMPANY else (),
                articles=("a1",),
                mentions=(
                    Mention("a1", start, start + len(name), name, "Company", "t"),
                ),
                titles=(PAYLOADS[2],) if name == COMPANY else (),
            )
        )
    for name in names[:-1]:
        sentence = f"{name}与{COMPANY}签署合作协议。"
        start = text.index(sentence)
        relations.append(
            Relation(
                name,
                "collaboratesWith",
                COMPANY,
                "a1",
                sentence,
                start,
                start + len(sentence),
                "t",
                0.9,
                role=PAYLOADS[4],
            )
        )
    return DocumentGraph("hostile.jsonl", (article,), tuple(entities), tuple(relations))


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "store"
    doc = _hostile_document()
    graphs = rdf.document_quads(doc)
    union = Graph()
    for g in graphs.values():
        union += g
    ok, report = rdf.validate(union)
    assert ok, report
    with store.opened_dataset("oxigraph", path) as dataset:
        store.replace_document(dataset, graphs, "hostile.jsonl", "sha256:x")
        store.refresh_derived(dataset)  # as kg build does: evidence-of reads counts
    return path


def _all_quads(path: Path) -> set[tuple[object, ...]]:
    with store.opened_dataset("oxigraph", path) as dataset:
        return set(dataset.quads((None, None, None, None)))


# -- the viewer ---------------------------------------------------------------------


class _Tags(HTMLParser):
    """Collect start tags with their attributes, and the text of script elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append((self._in_script, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


def _parse(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def viewer_page(hostile_store: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("viewer") / "graph.html"
    build.write_html(hostile_store, out)
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def benign_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The page of a store with the same shape and harmless names."""
    folder = tmp_path_factory.mktemp("benign")
    doc = _hostile_document()
    tame = {p: f"名{k}" for k, p in enumerate([*PAYLOADS, *INJECTIONS])}

    def calm(text: str) -> str:
        for bad, good in tame.items():
            text = text.replace(bad, good)
        return text

    calmed = DocumentGraph(
        doc.source,
        tuple(
            Article(a.doc, a.id, calm(a.title), calm(a.text), date=a.date)
            for a in doc.articles
        ),
        tuple(
            Entity(
                calm(e.name),
                e.type,
                tuple(calm(x) for x in e.aliases),
                e.articles,
                titles=tuple(calm(x) for x in e.titles),
            )
            for e in doc.entities
        ),
        tuple(
            Relation(calm(r.subject), r.predicate, calm(r.object), r.article,
                     calm(r.evidence), r.start, r.end, r.source, r.confidence,
                     calm(r.role or ""))
            for r in doc.relations
        ),
    )  # fmt: skip
    path = folder / "store"
    with store.opened_dataset("oxigraph", path) as dataset:
        store.replace_document(dataset, rdf.document_quads(calmed), doc.source)
    build.write_html(path, folder / "graph.html")
    return (folder / "graph.html").read_text(encoding="utf-8")


def test_viewer_shows_payloads_only_escaped(viewer_page: str) -> None:
    for payload in PAYLOADS:
        if re.search(r"[<>&]", payload):  # quotes are harmless in text and JSON
            assert payload not in viewer_page, payload
    parsed = _parse(viewer_page)
    for tag, attrs in parsed.tags:
        assert tag not in ("img", "svg", "iframe", "object", "embed"), tag
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        assert not any(
            "javascript:" in (v or "") for a, v in attrs.items() if a in ("href", "src")
        )


def test_viewer_markup_is_that_of_a_harmless_graph(
    viewer_page: str, benign_page: str
) -> None:
    """Same tags and scripts as for tame names: no payload made an element."""
    hostile, benign = _parse(viewer_page), _parse(benign_page)
    shape = lambda p: [  # noqa: E731
        (t, sorted(k for k in a if k not in ("value", "title"))) for t, a in p.tags
    ]
    assert [t for t, _ in shape(hostile)] == [t for t, _ in shape(benign)]
    assert len(hostile.scripts) == len(benign.scripts) == 3


def test_viewer_data_holds_the_payloads_intact(viewer_page: str) -> None:
    parsed = _parse(viewer_page)
    (data,) = [text for attrs, text in parsed.scripts if attrs.get("id") == "kg-data"]
    assert "<" not in data and ">" not in data and "&" not in data
    text = json.dumps(json.loads(data), ensure_ascii=False)
    for payload in PAYLOADS:
        assert json.dumps(payload, ensure_ascii=False)[1:-1] in text, payload


# -- exports ------------------------------------------------------------------------


def _exported(path: Path, fmt: str) -> bytes:
    buffer = io.BytesIO()
    with store.opened_dataset("oxigraph", path) as dataset:
        export.export(dataset, fmt, buffer)
    return buffer.getvalue()


def _names_of(graph: Graph) -> set[str]:
    return {str(o) for o in graph.objects(None, KG.name)}


@pytest.mark.parametrize(
    ("fmt", "rdflib_format"),
    [("ttl", "turtle"), ("trig", "trig"), ("nq", "nquads"), ("jsonld", "json-ld")],
)
def test_rdf_exports_keep_hostile_text_intact(
    hostile_store: Path, fmt: str, rdflib_format: str
) -> None:
    data = _exported(hostile_store, fmt)
    parsed = Dataset()
    parsed.parse(data=data, format=rdflib_format)
    union = Graph()
    for s, p, o, _g in parsed.quads((None, None, None, None)):
        union.add((s, p, o))
    expected = {e.name for e in _hostile_document().entities}
    assert _names_of(union) == expected
    evidence = {str(o) for o in union.objects(None, KG.evidence)}
    assert evidence == {r.evidence for r in _hostile_document().relations}


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graph_exports_keep_hostile_text_intact(hostile_store: Path, fmt: str) -> None:
    data = _exported(hostile_store, fmt)
    reader = nx.read_graphml if fmt == "graphml" else nx.read_gexf
    g = reader(io.BytesIO(data))
    labels = {str(d.get("label")) for _n, d in g.nodes(data=True)}
    assert {e.name for e in _hostile_document().entities} <= labels


def test_csv_export_keeps_hostile_text_intact(hostile_store: Path) -> None:
    rows = list(
        csv.reader(io.StringIO(_exported(hostile_store, "csv").decode("utf-8")))
    )
    cells = {cell for row in rows for cell in row}
    for name in (e.name for e in _hostile_document().entities):
        assert name in cells, name


# -- saved queries ------------------------------------------------------------------


@pytest.mark.parametrize("name", [*INJECTIONS, *[f"{p}科技有限公司" for p in PAYLOADS]])
@pytest.mark.parametrize("query", ["entity-profile", "evidence-of", "neighbourhood"])
def test_saved_query_parameters_are_values(
    hostile_store: Path, name: str, query: str
) -> None:
    before = _all_quads(hostile_store)
    with store.opened_dataset("oxigraph", hostile_store) as dataset:
        rows = sparql.run_saved(dataset, query, name=name).bindings
    assert rows, f"{query} found nothing for the entity named {name!r}"
    # Every row is about that entity: its name is the one bound.
    assert {str(r["name"]) for r in rows if r.get("name") is not None} <= {name}
    assert _all_quads(hostile_store) == before


@pytest.mark.parametrize("name", INJECTIONS)
def test_injection_into_an_unknown_name_finds_nothing(
    hostile_store: Path, name: str
) -> None:
    before = _all_quads(hostile_store)
    with store.opened_dataset("oxigraph", hostile_store) as dataset:
        for query in ("entity-profile", "evidence-of", "neighbourhood"):
            assert sparql.run_saved(dataset, query, name="未知" + name).bindings == []
    assert _all_quads(hostile_store) == before


def test_cli_saved_query_parameter_is_a_value(hostile_store: Path) -> None:
    before = _all_quads(hostile_store)
    for name in INJECTIONS[:2]:
        result = CliRunner().invoke(
            app,
            ["query", "--saved", "entity-profile", "--param", f"name={name}",
             "--store", str(hostile_store), "--format", "csv"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert rows and {r["canonicalName"] for r in rows} == {name}
    assert _all_quads(hostile_store) == before


def test_ad_hoc_binding_in_angle_brackets_is_an_iri() -> None:
    """Unlike a saved query's str parameter (above), an ad-hoc ``"<…>"`` is an IRI."""
    ds = store.open_dataset("memory")
    iri = rdf.entity_iri("Company", "<b>")
    ds.graph(URIRef("urn:g")).add((iri, KG.name, Literal("<b>")))
    query = "SELECT ?e ?n WHERE { ?e kg:name ?n }"
    assert sparql.run_query(ds, query, {"n": "<urn:kg:b>"}).bindings == []
    found = sparql.run_query(ds, query, {"n": Literal("<b>")}).bindings
    assert [r["e"] for r in found] == [iri]


# -- IRIs ---------------------------------------------------------------------------


def _ontology_terms() -> set[str]:
    from kg.namespace import ontology_path

    g = Graph().parse(ontology_path("kg.ttl"), format="turtle")
    return {str(t) for triple in g for t in triple if isinstance(t, URIRef)}


@pytest.mark.parametrize("name", IRI_NAMES, ids=lambda n: repr(n[:20]))
def test_iris_from_any_name_are_valid_and_apart_from_the_ontology(name: str) -> None:
    import pyoxigraph as ox

    terms = _ontology_terms()
    for iri in (
        rdf.entity_iri("Company", name),
        rdf.mint_iri("article", name, "a1"),
        rdf.article_iri(Article(doc=name, id="a1", title="", text="x")),
    ):
        text = str(iri)
        assert text.startswith(ID) and not text.startswith(str(KG))
        assert text not in terms
        assert not re.search(r"[\s<>\"{}|\\^`#]", text), text
        # RFC 3986 resolution (dot segments) leaves it where it is.
        assert urljoin(text, "") == text
        assert str(ox.NamedNode(text)) == f"<{text}>"
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # rdflib warns on IRIs it cannot write
            g = Graph()
            g.add((iri, KG.name, Literal(name)))
            again = Graph().parse(data=g.serialize(format="nt"), format="nt")
        assert set(again) == set(g)


def test_distinct_names_give_distinct_iris() -> None:
    iris = {rdf.entity_iri("Company", n) for n in IRI_NAMES}
    assert len(iris) == len(set(IRI_NAMES))
    assert len({rdf.entity_iri(t, "岚溪") for t in ENTITY_TYPES}) == len(ENTITY_TYPES)


def test_an_unknown_type_mints_no_iri() -> None:
    with pytest.raises(ValueError, match="unknown entity type"):
        rdf.entity_iri("Company/../../ontology#Company", "x")


# -- hostile records through kg build and kg viz ------------------------------------


def _record(**fields: object) -> str:
    return json.dumps(fields, ensure_ascii=True)  # keeps "\ud800" as an escape


SIGNED = f"{COMPANY}与北岭理工大学签署合作协议。"
HOSTILE_JSONL = [
    _record(id="h-1", title="岚溪\ud800新闻", text=SIGNED.replace("与", "\ud800与")),
    _record(id="../ontology#Company", title="</script><script>alert(1)</script>",
            text=f"<img src=x onerror=alert(1)>{SIGNED}"),
    _record(id="..", title="点", text=f"{COMPANY}落户岚溪市。"),
    _record(id="h/4", title="\u202e反转\u202c",
            text=f"{COMPANY}（以下简称“</script>”）成立。"),
    _record(id="x" * 3000, title="长编号", text=f"{COMPANY}在岚溪市投资建设储能项目。"),
]  # fmt: skip


def test_hostile_records_go_through_build_and_viz(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "hostile.jsonl").write_text(
        "\n".join(HOSTILE_JSONL) + "\n", encoding="utf-8"
    )
    (folder / "meta.txt").write_text(
        f"岚溪快讯\n2025-03-05\n{COMPANY}成立。\n", encoding="utf-8"
    )
    (folder / "meta.meta.json").write_text(
        '{"publication": "x\\ud800<script>\\u0007"}', encoding="utf-8"
    )
    path = tmp_path / "store"
    result = subprocess.run(
        [sys.executable, "-m", "kg", "build", str(folder), "--store", str(path),
         "--html", str(tmp_path / "graph.html")],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    with store.opened_dataset("oxigraph", path) as dataset:
        documents = set(store.list_documents(dataset))
        ok, report = rdf.validate(dataset)
    assert documents == {"h-1", "../ontology#Company", "..", "h/4", "x" * 3000, "meta"}
    assert ok, report
    page = (tmp_path / "graph.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<img" not in page
    parsed = _parse(page)
    assert len(parsed.scripts) == 3
    assert not [
        t for t, a in parsed.tags if t == "img" or any(k.startswith("on") for k in a)
    ]
