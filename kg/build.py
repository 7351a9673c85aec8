"""Build a store from files: read → extract → RDF → SHACL check → store.

``build`` is what ``kg build`` and ``kg demo`` call. A document whose content
hash is already stored is skipped; a changed one replaces its named graphs in
one operation; a bad file is reported and skipped while the rest goes on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph

from kg import __version__, corpus, rdf, store
from kg.errors import CorpusError, StoreError
from kg.extract import extract_document
from kg.records import Article, DocumentGraph

__all__ = [
    "MAX_BYTES",
    "MAX_CHARS",
    "BuildSummary",
    "build",
    "extract_file",
    "load_nlp",
    "open_store",
    "write_html",
]

logger = logging.getLogger(__name__)

MAX_BYTES = 5_000_000
"""Default size limit of one source file (``kg build --max-bytes``)."""
MAX_CHARS = 100_000
"""Default length limit of one article's text (``kg build --max-chars``).

The relation rules pair the mentions of an article, so extraction time grows
faster than the length of an article: 100,000 characters take about a minute.
"""

Progress = Callable[[Sequence[Any], str], Iterable[Any]]
# Part of every content hash: a new extractor version re-extracts everything.
EXTRACTOR_VERSION = f"kg-{__version__}"


@dataclass(slots=True)
class BuildSummary:
    """What a build did."""

    files: int = 0
    documents: int = 0
    unchanged: int = 0
    articles: int = 0
    entities: int = 0
    relations: int = 0
    quads: int = 0
    problems: list[str] = field(default_factory=list)
    skipped_files: int = 0  # missing, unreadable or too large
    skipped_lines: int = 0  # bad .jsonl lines
    skipped_documents: int = 0  # read but not stored (too long, invalid, a bug)
    seconds: float = 0.0
    totals: dict[str, Any] = field(default_factory=dict)

    def as_text(self) -> str:
        """Return a short human summary."""
        lines = [
            f"files: {self.files}  documents stored: {self.documents}  unchanged: {self.unchanged}"
            f"  skipped: {len(self.problems)}",
        ]
        if self.problems:
            lines.append(
                f"skipped: {self.skipped_files} files, {self.skipped_lines} lines, "
                f"{self.skipped_documents} documents (each listed with its reason)"
            )
        lines += [
            f"extracted: {self.articles} articles, {self.entities} entities, "
            f"{self.relations} relations ({self.quads} quads) in {self.seconds:.1f} s",
        ]
        if self.totals:
            ents = ", ".join(
                f"{k} {v}" for k, v in self.totals.get("entities", {}).items() if v
            )
            rels = ", ".join(
                f"{k} {v}" for k, v in self.totals.get("relations", {}).items() if v
            )
            lines.append(
                f"store: {self.totals.get('documents', 0)} documents, "
                f"{self.totals.get('articles', 0)} articles, {self.totals.get('quads', 0)} quads"
            )
            lines.append(f"  entities: {ents}")
            lines.append(f"  relations: {rels}")
        return "\n".join(lines)


def open_store(
    path: Path, backend: str = "oxigraph", *, create: bool = False
) -> Dataset:
    """Open the store at ``path``; unless ``create``, it must exist already.

    Raises:
        StoreError: no store at ``path`` (run ``kg build`` first), or as
            ``store.open_dataset``.
    """
    if backend == "memory":
        raise StoreError(
            "the memory store lives only inside one process; use --backend oxigraph"
        )
    if not create and not path.is_dir():
        raise StoreError(
            f"{path}: no store here; run `kg build PATH --store {path}` first"
        )
    if create:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError(
                f"{path}: cannot create the store's folder ({err.strerror})"
            ) from err
    return store.open_dataset(backend, path)


def load_nlp() -> Any:
    """Build the default pipeline (``pipeline.make_nlp``), imported on first use."""
    from kg.pipeline import make_nlp

    return make_nlp()


def extract_file(path: Path, nlp: Any = None) -> DocumentGraph:
    """Read one file and extract its graph (all its articles as one document).

    Raises:
        CorpusError: the file cannot be read as articles.
    """
    articles = corpus.read_articles(path)
    return extract_document(path.name, articles, nlp or load_nlp())


def _documents(articles: list[Article]) -> Iterator[tuple[str, list[Article]]]:
    """Group a file's articles by document (a .jsonl line is a document)."""
    groups: dict[str, list[Article]] = {}
    for a in articles:
        groups.setdefault(a.doc, []).append(a)
    yield from groups.items()


def _hash(articles: Sequence[Article]) -> str:
    body = "\x1e".join(
        f"{a.id}\x1f{a.title}\x1f{a.byline}\x1f{a.date}\x1f{a.text}" for a in articles
    )
    return store.document_hash(body, EXTRACTOR_VERSION)


def _check_size(path: Path, max_bytes: int | None) -> None:
    """Refuse a file over ``max_bytes`` before reading it (memory stays bounded).

    Raises:
        CorpusError: the file is larger than ``max_bytes``.
    """
    try:
        size = path.stat().st_size
    except OSError:
        return  # read_file says what is wrong with it
    if max_bytes is not None and size > max_bytes:
        raise CorpusError(
            f"{path}: {size:,} bytes, over the limit of {max_bytes:,} bytes a file; "
            "split it, or raise the limit with --max-bytes"
        )


def _too_long(
    path: Path, articles: Sequence[Article], max_chars: int | None
) -> str | None:
    """Say why a document is skipped when one of its articles is too long."""
    if max_chars is None:
        return None
    for a in articles:
        if len(a.text) > max_chars:
            return (
                f"{path}: article {a.key} has {len(a.text):,} characters, over the "
                f"limit of {max_chars:,} an article; split it into articles, or raise "
                "the limit with --max-chars"
            )
    return None


def build(
    paths: Iterable[Path],
    store_path: Path,
    *,
    backend: str = "oxigraph",
    force: bool = False,
    progress: Progress | None = None,
    validate: bool = True,
    max_bytes: int | None = MAX_BYTES,
    max_chars: int | None = MAX_CHARS,
) -> BuildSummary:
    """Ingest files and folders into the store at ``store_path``.

    Args:
        paths: files and folders of articles.
        store_path: the store directory (created if missing).
        backend: a ``store.STORE_PLUGINS`` name.
        force: re-extract documents whose content hash is already stored.
        progress: wraps the list of files (a progress bar in the CLI).
        validate: check each document's graphs with the SHACL shapes first.
        max_bytes: skip (and report) a file larger than this; None: no limit.
        max_chars: skip (and report) a document with an article longer than
            this; None: no limit.

    Returns:
        The summary; ``problems`` has one line per skipped file, line or
        document (one whose extraction fails on a bug is skipped too, its
        traceback logged at INFO).

    Raises:
        StoreError: the store cannot be opened.
        CorpusError: no readable input path at all.
    """
    started = time.perf_counter()
    paths = list(paths)
    missing = [p for p in paths if not p.exists()]
    summary = BuildSummary()
    summary.problems += [
        f"{p}: no such file or folder; check the path" for p in missing
    ]
    summary.skipped_files += len(missing)
    files = list(corpus.iter_files([p for p in paths if p.exists()]))
    if not files and not summary.problems:
        raise CorpusError(
            f"{', '.join(map(str, paths))}: no .txt, .md, .html or .jsonl files found; "
            "point kg build at articles"
        )
    dataset = (
        open_store(store_path, backend, create=True)
        if backend != "memory"
        else store.open_dataset("memory")
    )
    nlp = None
    try:
        for path in (progress or (lambda xs, _d: xs))(files, "build"):
            summary.files += 1
            try:
                _check_size(path, max_bytes)
                item = corpus.read_file(path)
            except CorpusError as err:
                summary.problems.append(str(err))
                summary.skipped_files += 1
                continue
            summary.problems += [str(e) for e in item.errors]
            summary.skipped_lines += len(item.errors)
            for doc, articles in _documents(item.articles):
                digest = _hash(articles)
                if not force and store.stored_hash(dataset, doc) == digest:
                    summary.unchanged += 1
                    continue
                problem = _too_long(path, articles, max_chars)
                if problem is None:
                    nlp = nlp or load_nlp()
                    try:
                        graph = extract_document(
                            doc if doc != path.stem else path.name, articles, nlp
                        )
                        graphs = rdf.document_quads(graph)
                    except Exception as err:  # a bug: skip the document, go on
                        logger.info("%s: document %s", path, doc, exc_info=True)
                        problem = (
                            f"{path}: document {doc}: internal error "
                            f"({type(err).__name__}: {err}); not stored — please "
                            "report this as a bug (kg -v build shows the traceback)"
                        )
                if problem is not None:
                    summary.problems.append(problem)
                    summary.skipped_documents += 1
                    continue
                if validate:
                    union = Graph()
                    for g in graphs.values():
                        union += g
                    ok, report = rdf.validate(union)
                    if not ok:
                        first = next(
                            (ln for ln in report.splitlines() if "Message" in ln),
                            report[:200],
                        )
                        summary.problems.append(
                            f"{path}: document {doc} fails the SHACL shapes ({first.strip()}); "
                            "not stored — please report this as a bug"
                        )
                        summary.skipped_documents += 1
                        continue
                summary.quads += store.replace_document(
                    dataset, graphs, doc, digest  # doc is the kg:document value
                )
                summary.documents += 1
                summary.articles += len(graph.articles)
                summary.entities += len(graph.entities)
                summary.relations += len(graph.relations)
        summary.totals = store.stats(dataset)
    finally:
        dataset.close()
    summary.seconds = time.perf_counter() - started
    return summary


def write_html(
    store_path: Path, out: Path, *, backend: str = "oxigraph", communities: bool = False
) -> Path:
    """Write the interactive HTML view of the store to ``out``.

    Raises:
        StoreError: no store at ``store_path``.
    """
    from kg import analysis, visualize

    dataset = open_store(store_path, backend)
    try:
        g = analysis.viewer_graph(dataset)
    finally:
        dataset.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    return visualize.render_html(g, out, communities=communities)
