"""Run SPARQL over a store: ad-hoc queries and the saved ones in ``kg/queries/*.rq``.

The default graph of every query is the union of the named graphs, each triple
once (on Oxigraph the store keeps it materialized, see ``kg.store``; rdflib's
Memory store computes it, ``default_union=True``), so ``SELECT * WHERE { ?s ?p ?o }``
sees every article's facts on either store, and ``GRAPH ?g { … }`` still finds the
article a fact comes from (inside ``GRAPH ?g`` a fact repeats once per article).

A saved query is a ``.rq`` file whose first line is ``# <description>`` and which may
have a line ``# params: name, min_articles:int`` naming the variables a caller must
bind (as ``str`` unless ``:int``, ``:float`` or ``:iri`` follows). Values are bound
through ``initBindings`` (Oxigraph's substitutions), never formatted into the text;
Oxigraph only substitutes a variable that the SELECT clause projects, so a
parameter must appear there.
Files whose name starts with ``_`` are used by ``kg`` itself and not listed.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import warnings
from collections.abc import Iterable, Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from typing import NamedTuple
from urllib.parse import unquote

from rdflib import XSD, Dataset, Graph, Literal, URIRef, Variable
from rdflib.query import Result
from rdflib.term import BNode, Identifier, Node

from kg.errors import ConfigError, QueryError
from kg.namespace import ID, KG, PROV, SCHEMA

__all__ = [
    "GRAPH_FORMATS",
    "PREFIXES",
    "TABLE_FORMATS",
    "SavedQuery",
    "format_result",
    "run_query",
    "run_saved",
    "run_update",
    "saved_queries",
]

PREFIXES: dict[str, str] = {
    "kg": str(KG),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": str(PROV),
    "schema": str(SCHEMA),
    "void": "http://rdfs.org/ns/void#",
}
"""Prefixes an ad-hoc query may use without declaring them."""

TABLE_FORMATS = ("table", "json", "csv", "tsv", "xml")
"""Formats of SELECT and ASK results."""

GRAPH_FORMATS = ("turtle", "ttl", "nt", "trig", "json-ld", "xml")
"""Formats of CONSTRUCT and DESCRIBE results (``table`` gives Turtle)."""

_RDFLIB_GRAPH_FORMAT = {"ttl": "turtle", "table": "turtle", "json": "json-ld"}
_MAX_MESSAGE = 240
_MAX_CELL = 60  # display columns of a table cell; json, csv, tsv and xml keep all
_PARAMS = re.compile(r"^#\s*params\s*:(.*)$", re.MULTILINE)
_PARAM_TYPES = ("str", "int", "float", "iri")
_OX_POSITION = re.compile(r"^error at (\d+):(\d+):\s*(.*)$", re.DOTALL)
_SELECT_STAR = re.compile(r"\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?\*", re.IGNORECASE)
_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE)
_USED = re.compile(r"(?<![\w<\"'#/:.-])([A-Za-z][\w-]*)?:(?=[\w%])")


def _first_use(query: str, variable: Variable) -> int:
    match = re.search(rf"[?$]{re.escape(str(variable))}\b", query)
    return match.start() if match else len(query)


def _undeclared_prefixes(query: str) -> list[str]:
    """Return the prefixes a query uses without declaring them (a best guess)."""
    declared = set(_DECLARED.findall(query)) | set(PREFIXES)
    without_iris = re.sub(r"<[^>\s]*>", "<>", query)
    return sorted({p for p in _USED.findall(without_iris) if p and p not in declared})


Value = str | int | float | Identifier


class SavedQuery(NamedTuple):
    """A saved query: unpacks as ``(description, params, text)``."""

    description: str
    params: tuple[str, ...]
    text: str


def _one_line(text: str, limit: int = _MAX_MESSAGE) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _query_error(err: Exception, query: str = "") -> QueryError:
    """Turn a parser's exception (rdflib's or Oxigraph's) into a one-line QueryError."""
    undeclared = _undeclared_prefixes(query)
    if undeclared and (
        "Prefix not found" in str(err) or "Unknown namespace prefix" in str(err)
    ):
        names = ", ".join(f"{p}:" for p in undeclared)
        return QueryError(
            f"SPARQL query uses the undeclared prefix {names}; declare it with "
            f"PREFIX {undeclared[0]}: <…> (known without declaring: {sorted(PREFIXES)})"
        )
    lineno = getattr(err, "lineno", None)
    col = getattr(err, "col", None)
    # pyparsing's ParseException (rdflib's parser) carries the position itself.
    if isinstance(lineno, int) and isinstance(col, int) and hasattr(err, "msg"):
        detail = str(getattr(err, "msg", err))
        return QueryError(
            f"SPARQL syntax error at line {lineno}, column {col}: {_one_line(detail)}; "
            "fix the query"
        )
    text = str(err)
    match = _OX_POSITION.match(text)
    if match:
        return QueryError(
            f"SPARQL syntax error at line {match[1]}, column {match[2]}: "
            f"{_one_line(match[3])}; fix the query"
        )
    if "SELECT projection" in text:
        return QueryError(
            "SPARQL query binds a variable that its SELECT clause does not list; "
            f"add it there (Oxigraph binds only projected variables): {_one_line(text)}"
        )
    if text.startswith("Unknown namespace prefix"):
        prefix = text.rpartition(":")[2].strip()
        return QueryError(
            f"SPARQL query uses the undeclared prefix {prefix!r}; declare it with "
            f"PREFIX {prefix}: <…> (known without declaring: {sorted(PREFIXES)})"
        )
    return QueryError(f"SPARQL query failed: {_one_line(text)}")


def _to_term(name: str, value: Value, kind: str | None = None) -> Identifier:
    """Return the RDF term bound for a parameter.

    With no ``kind`` (an ad-hoc binding), ``"<…>"`` binds an IRI; a saved
    query's ``str`` parameter is always a literal, whatever it holds (a name
    may be ``<b>``).
    """
    if isinstance(value, Identifier):
        return value
    if kind == "iri" or (
        kind is None
        and isinstance(value, str)
        and value.startswith("<")
        and value.endswith(">")
    ):
        iri = str(value).strip("<>")
        if not iri or any(c.isspace() for c in iri):
            raise QueryError(f"parameter {name!r}: {value!r} is not an IRI")
        return URIRef(iri)
    if kind in ("int", "float") and isinstance(value, str):
        try:
            return Literal(int(value) if kind == "int" else float(value))
        except ValueError as err:
            raise QueryError(
                f"parameter {name!r} must be {kind}, got {value!r}"
            ) from err
    return Literal(value)


def run_query(
    dataset: Dataset,
    query_text: str,
    bindings: Mapping[str, Value] | None = None,
) -> Result:
    """Run a SPARQL query whose default graph is the union of the named graphs.

    Args:
        dataset: An open Dataset (from ``kg.store.open_dataset``).
        query_text: A SPARQL 1.1 query; the prefixes of ``PREFIXES`` need no
            declaration.
        bindings: Values for variables of the query: ``str`` binds a plain
            literal (``"<https://…>"`` an IRI), ``int``/``float`` a typed literal,
            an rdflib term itself.

    Returns:
        The rdflib Result, its rows already read (it can be iterated again).

    Raises:
        QueryError: If the query does not parse (the message gives line and
            column) or fails.
    """
    from kg.store import query  # the store answers (fast on Oxigraph)

    init = {name: _to_term(name, value) for name, value in (bindings or {}).items()}
    try:
        with warnings.catch_warnings():
            # rdflib's SPARQL engine reads the deprecated Dataset.default_context.
            warnings.filterwarnings(
                "ignore",
                message=r"Dataset\.default_context",
                category=DeprecationWarning,
            )
            warnings.filterwarnings(
                "ignore", message=r"Dataset\.contexts", category=DeprecationWarning
            )
            result = query(dataset, query_text, PREFIXES, init)
            if result.type == "SELECT":
                # Evaluate now, so that errors are raised here; drop the empty row
                # rdflib makes for a GROUP BY over no rows (SPARQL says: no row).
                result.bindings = [row for row in result.bindings if row]
                star = "*" in query_text and _SELECT_STAR.search(query_text)
                if result.vars and star:
                    # rdflib lists SELECT *'s variables in no order; use the text's.
                    result.vars = sorted(
                        result.vars, key=lambda v: _first_use(query_text, v)
                    )
    except (SyntaxError, ValueError, TypeError, RuntimeError, OSError) as err:
        raise _query_error(err, query_text) from err
    except Exception as err:
        # pyparsing's ParseException and rdflib's bare Exception for unknown prefixes.
        if (
            type(err).__module__.startswith(("pyparsing", "rdflib"))
            or type(err) is Exception
        ):
            raise _query_error(err, query_text) from err
        raise
    return result


def run_update(dataset: Dataset, update_text: str) -> None:
    """Run a SPARQL 1.1 Update on the store (one transaction on Oxigraph).

    Unlike queries, an update's default graph is the store's own default graph,
    not the union: name the article graphs with ``GRAPH`` or ``WITH``. After
    the update the union is brought up to date (``kg.store.sync_union``), then
    the merges and counts derived from the articles (``kg.store.refresh_derived``).

    Args:
        dataset: An open, writable Dataset.
        update_text: The update; the prefixes of ``PREFIXES`` need no declaration.

    Raises:
        QueryError: If the update does not parse (the message gives line and
            column) or fails.
    """
    from kg.store import refresh_derived, sync_union  # the store keeps the union

    try:
        dataset.update(update_text, initNs=PREFIXES)
    except (SyntaxError, ValueError, TypeError, RuntimeError, OSError) as err:
        raise _query_error(err, update_text) from err
    except Exception as err:
        if (
            type(err).__module__.startswith(("pyparsing", "rdflib"))
            or type(err) is Exception
        ):
            raise _query_error(err, update_text) from err
        raise
    sync_union(dataset)
    refresh_derived(dataset)


def _queries_dir() -> Traversable:
    return resources.files("kg") / "queries"


def _parse_params(text: str) -> list[tuple[str, str]]:
    match = _PARAMS.search(text)
    if not match:
        return []
    params = []
    for item in match[1].split(","):
        name, _, kind = item.strip().partition(":")
        if name:
            params.append((name.strip(), kind.strip() or "str"))
    return params


def saved_queries() -> dict[str, SavedQuery]:
    """Return the saved queries of ``kg/queries/*.rq`` by name.

    Returns:
        A dict from the file's stem (``people-affiliations``) to its
        ``(description, params, text)``, sorted by name.

    Example:
        >>> "people-affiliations" in saved_queries()
        True
    """
    found: dict[str, SavedQuery] = {}
    for entry in _queries_dir().iterdir():
        if not entry.name.endswith(".rq") or entry.name.startswith("_"):
            continue
        found[entry.name[: -len(".rq")]] = _saved_query(entry)
    return dict(sorted(found.items()))


def _saved_query(entry: Traversable) -> SavedQuery:
    text = entry.read_text(encoding="utf-8")
    first = text.splitlines()[0] if text else ""
    description = first.lstrip("#").strip() if first.startswith("#") else ""
    params = tuple(name for name, _kind in _parse_params(text))
    return SavedQuery(description, params, text)


def run_saved(dataset: Dataset, name: str, /, **params: Value) -> Result:
    """Run a saved query, binding its parameters.

    Args:
        dataset: An open Dataset.
        name: The query's name (see :func:`saved_queries`).
        **params: A value for each parameter the query declares.

    Returns:
        The query's Result.

    Raises:
        QueryError: If the name is unknown, a parameter is missing or unknown or
            of the wrong type, or the query fails.
    """
    # Only the named file is read (reading all of them took 2-3 ms a query).
    entry = _queries_dir() / f"{name}.rq"
    if name.startswith("_") or "/" in name or "\\" in name or not entry.is_file():
        known = ", ".join(saved_queries())
        raise QueryError(f"unknown saved query {name!r}; known: {known}")
    query = _saved_query(entry)
    declared = dict(_parse_params(query.text))
    for param, kind in declared.items():
        if kind not in _PARAM_TYPES:
            raise QueryError(
                f"saved query {name!r}: parameter {param!r} has unknown type {kind!r}; "
                f"use one of {list(_PARAM_TYPES)}"
            )
    missing = [p for p in declared if p not in params]
    if missing:
        raise QueryError(
            f"saved query {name!r} needs the parameters {', '.join(declared)}; "
            f"missing: {', '.join(missing)}"
        )
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise QueryError(
            f"saved query {name!r} has no parameter {', '.join(unknown)}; "
            f"its parameters: {', '.join(declared) or 'none'}"
        )
    bindings = {p: _to_term(p, params[p], declared[p]) for p in declared}
    return run_query(dataset, query.text, bindings)


# --- formatting ---------------------------------------------------------------


def _display(term: Node | None) -> str:
    """Return a term as a person reads it in a table."""
    if term is None:
        return ""
    if isinstance(term, Literal):
        return str(term)
    if isinstance(term, URIRef):
        text = str(term)
        if text.startswith(ID):
            return unquote(text[len(ID) :])
        for prefix, namespace in PREFIXES.items():
            if text.startswith(namespace):
                return f"{prefix}:{text[len(namespace) :]}"
        return text
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _clip(text: str, width: int = _MAX_CELL) -> str:
    """Cut a cell to ``width`` display columns, marking the cut with "…"."""
    if _width(text) <= width:
        return text
    out, used = [], 1
    for char in text:
        used += _width(char)
        if used > width:
            break
        out.append(char)
    return "".join(out) + "…"


def _table(header: list[str], rows: Iterable[list[str]]) -> str:
    body = [[_clip(" ".join(cell.split())) for cell in row] for row in rows]
    widths = [_width(h) for h in header]
    for row in body:
        widths = [max(w, _width(c)) for w, c in zip(widths, row, strict=True)]
    lines = [
        "  ".join(_pad(h, w) for h, w in zip(header, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += [
        "  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in body
    ]
    lines.append(f"({len(body)} row{'s' if len(body) != 1 else ''})")
    return "\n".join(lines) + "\n"


_NT_ESCAPES = str.maketrans(
    {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
)


def _nt(term: Node | None) -> str:
    """Return a term in the SPARQL TSV form (N-Triples; empty when unbound)."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    assert isinstance(term, Literal)
    quoted = '"' + str(term).translate(_NT_ESCAPES) + '"'
    if term.language:
        return f"{quoted}@{term.language}"
    if term.datatype and term.datatype != XSD.string:
        return f"{quoted}^^<{term.datatype}>"
    return quoted


def _json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    assert isinstance(term, Literal)
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype and term.datatype != XSD.string:  # Oxigraph types plain strings
        out["datatype"] = str(term.datatype)
    return out


def format_result(result: Result, fmt: str = "table") -> str:
    """Format a query result as text.

    Args:
        result: A Result of :func:`run_query` or :func:`run_saved`.
        fmt: For SELECT and ASK one of ``TABLE_FORMATS`` (``json``, ``csv``,
            ``tsv`` and ``xml`` are the SPARQL 1.1 results formats; ``table`` is
            aligned text for people: resource IRIs shortened, cells cut at 60
            columns). For CONSTRUCT
            and DESCRIBE one of ``GRAPH_FORMATS``; ``table`` gives Turtle and
            ``json`` JSON-LD.

    Returns:
        The formatted text.

    Raises:
        ConfigError: If ``fmt`` does not fit the kind of result.
    """
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        rdf_format = _RDFLIB_GRAPH_FORMAT.get(fmt, fmt)
        if rdf_format not in GRAPH_FORMATS:
            raise ConfigError(
                f"format {fmt!r} is not for a {result.type} result; "
                f"use one of {list(GRAPH_FORMATS)}"
            )
        graph = result.graph if result.graph is not None else Graph()
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace)
        return str(graph.serialize(format=rdf_format))
    if fmt not in TABLE_FORMATS:
        raise ConfigError(
            f"format {fmt!r} is not for a {result.type} result; "
            f"use one of {list(TABLE_FORMATS)}"
        )
    if result.type == "ASK":
        answer = bool(result.askAnswer)
        if fmt == "table":
            return f"{'yes' if answer else 'no'}\n"
        if fmt in ("csv", "tsv"):
            return f"{'true' if answer else 'false'}\n"
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": answer}) + "\n"
        return result.serialize(format="xml").decode("utf-8")  # type: ignore[union-attr]
    names = [str(v) for v in (result.vars or [])]
    variables = [Variable(n) for n in names]
    rows = [[row.get(v) for v in variables] for row in result.bindings]
    if fmt == "table":
        return _table(names, ([_display(t) for t in row] for row in rows))
    if fmt == "json":
        document = {
            "head": {"vars": names},
            "results": {
                "bindings": [
                    {
                        n: _json_term(t)
                        for n, t in zip(names, row, strict=True)
                        if t is not None
                    }
                    for row in rows
                ]
            },
        }
        return json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(names)
        writer.writerows([["" if t is None else str(t) for t in row] for row in rows])
        return buffer.getvalue()
    if fmt == "tsv":
        lines = ["\t".join(f"?{n}" for n in names)]
        lines += ["\t".join(_nt(t) for t in row) for row in rows]
        return "\n".join(lines) + "\n"
    return result.serialize(format="xml").decode("utf-8")  # type: ignore[union-attr]
