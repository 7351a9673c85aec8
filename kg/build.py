"""Build a store from files: read → extract → RDF → SHACL check → store.

``build`` is what ``kg build`` and ``kg demo`` call. A document whose content
hash is already stored is skipped; a changed one replaces its named graphs in
one operation; a bad file is reported and skipped while the rest goes on.
"""

from __future__ import annotations

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
    "BuildSummary",
    "build",
    "extract_file",
    "load_nlp",
    "open_store",
    "write_html",
]

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
    seconds: float = 0.0
    totals: dict[str, Any] = field(default_factory=dict)

    def as_text(self) -> str:
        """Return a short human summary."""
        lines = [
            f"files: {self.files}  documents stored: {self.documents}  unchanged: {self.unchanged}"
            f"  skipped: {len(self.problems)}",
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


def build(
    paths: Iterable[Path],
    store_path: Path,
    *,
    backend: str = "oxigraph",
    force: bool = False,
    progress: Progress | None = None,
    validate: bool = True,
) -> BuildSummary:
    """Ingest files and folders into the store at ``store_path``.

    Args:
        paths: files and folders of articles.
        store_path: the store directory (created if missing).
        backend: a ``store.STORE_PLUGINS`` name.
        force: re-extract documents whose content hash is already stored.
        progress: wraps the list of files (a progress bar in the CLI).
        validate: check each document's graphs with the SHACL shapes first.

    Returns:
        The summary; ``problems`` has one line per skipped file or line.

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
                item = corpus.read_file(path)
            except CorpusError as err:
                summary.problems.append(str(err))
                continue
            summary.problems += [str(e) for e in item.errors]
            for doc, articles in _documents(item.articles):
                digest = _hash(articles)
                if not force and store.stored_hash(dataset, doc) == digest:
                    summary.unchanged += 1
                    continue
                nlp = nlp or load_nlp()
                graph = extract_document(
                    doc if doc != path.stem else path.name, articles, nlp
                )
                graphs = rdf.document_quads(graph)
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
