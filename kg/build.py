"""Build a store from files: read → extract → RDF → SHACL check → store.

``build`` is what ``kg build`` and ``kg demo`` call. A document whose content
hash is already stored is skipped; a changed one replaces its named graphs in
one operation; a bad file is reported and skipped while the rest goes on.

How it scales: this process reads the files (a bounded distance ahead) and
cuts the documents to extract into batches of ``BATCH_CHARS`` characters;
``extract_batch`` runs the pipeline over a whole batch at once (LAC tags the
sentences of many documents per ONNX call), resolves, relates, makes the RDF,
SHACL-checks the batch's union and writes the graphs out as N-Triples. The
batches run in this process (small inputs), in a pool of worker processes,
or on a Dask cluster (``kg.distributed``); their results come back in order
and each batch is stored in one transaction (``store.write_documents``).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from rdflib import Dataset, Graph

from kg import __version__, corpus, rdf, store
from kg.errors import ConfigError, CorpusError, PipelineError, StoreError
from kg.extract import extract_document
from kg.records import Article, DocumentGraph

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = [
    "BATCH_CHARS",
    "MAX_BYTES",
    "MAX_CHARS",
    "SAMPLE_EVERY",
    "VALIDATE_MODES",
    "BatchResult",
    "BuildProgress",
    "BuildSummary",
    "Extracted",
    "Job",
    "build",
    "extract_batch",
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


def _model_version() -> str:
    from kg.learn.model import shipped_model

    model = shipped_model()
    return "none" if model is None else model.version

# Part of every content hash: a new extractor version (code or shipped model)
# re-extracts everything.
EXTRACTOR_VERSION = f"kg-{__version__}+model-{_model_version()}"
VALIDATE_MODES = ("all", "sample", "none")
"""``kg build --validate``: SHACL-check every document, a sample, or none."""
BATCH_CHARS = 40_000
"""Characters of text extracted as one batch (one task for a worker)."""
SAMPLE_EVERY = 16
"""With ``validate="sample"``, one document in this many is checked (and the first)."""
# Read (and hash-check) this far ahead of extraction: the progress bar knows
# the totals of any corpus up to this size, and memory stays bounded above it.
_READ_AHEAD_CHARS = 20_000_000
# Below this many characters to extract, a pool of processes (a few seconds to
# start, each loading the pipeline) costs more than it saves.
_PARALLEL_MIN_CHARS = 300_000
# Oxigraph holds recent writes in memory until flushed: flush this often.
_FLUSH_QUADS = 250_000
_WORKER_NLP: list[Any] = []  # the pipeline of a worker process, loaded once
_WORKER_LOCK = threading.Lock()  # a Dask worker may run tasks in threads


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
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage
    workers: dict[str, int] = field(default_factory=dict)  # batches per process
    stored: list[str] = field(default_factory=list)  # the documents written
    merges: int = 0  # entities merged across documents by alias (in the store)

    def as_text(self) -> str:
        """Return a short human summary."""
        lines = [
            f"files: {self.files}  documents stored: {self.documents}  "
            f"unchanged: {self.unchanged}  skipped: {len(self.problems)}",
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
                f"{self.totals.get('articles', 0)} articles, "
                f"{self.totals.get('quads', 0)} quads"
            )
            lines.append(f"  entities: {ents}")
            lines.append(f"  relations: {rels}")
            if self.merges:
                lines.append(
                    f"  merged across documents by alias: {self.merges} entities "
                    "(saved query: merges)"
                )
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
    """Build the extraction pipeline (``pipeline.make_nlp``), imported on first use.

    spaCy's tokens are split per character: the kg components work on
    character offsets and LAC's words, never on the segmenter's tokens, so the
    graphs are the same as with jieba, whose segmentation costs four times
    as much.
    """
    from kg.pipeline import make_nlp

    return make_nlp(segmenter="char")


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


@dataclass(frozen=True, slots=True)
class BuildProgress:
    """How far a build is, given to ``build(on_progress=...)`` after each batch."""

    articles: int
    chars: int
    total_articles: int
    total_chars: int
    totals_final: bool  # every input has been read, so the totals are exact


@dataclass(frozen=True, slots=True)
class Job:
    """One document to extract: what a worker gets."""

    path: str  # the file, for messages
    doc: str  # the kg:document value
    source: str  # DocumentGraph.source
    articles: tuple[Article, ...]
    digest: str
    validate: bool

    @property
    def chars(self) -> int:
        """Return the length of the document's text."""
        return sum(len(a.text) for a in self.articles)


@dataclass(frozen=True, slots=True)
class Extracted:
    """One document's result: written out for the store, or why it was not."""

    doc: str
    prepared: store.PreparedDocument | None
    articles: int = 0
    entities: int = 0
    relations: int = 0
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class BatchResult:
    """The results of a batch of jobs, with seconds spent per stage."""

    docs: tuple[Extracted, ...]
    seconds: dict[str, float]
    worker: str = ""  # host:pid of the process that ran it


class _Parsed:
    """The pipeline, with every text of a batch parsed ahead by one ``nlp.pipe``.

    ``extract_document`` asks for each document's texts in turn; they are served
    from the batch (LAC then tags the sentences of many documents per call).
    Texts that were not parsed ahead go through the pipeline as usual.
    """

    def __init__(self, nlp: Any, texts: list[str]) -> None:
        self.nlp = nlp
        self._docs = list(nlp.pipe(texts, batch_size=64)) if nlp is not None else []
        self._next = 0

    def seek(self, index: int) -> None:
        """Serve the next request from the ``index``-th text on."""
        self._next = index

    def pipe(self, texts: Iterable[str], batch_size: int = 64) -> Iterator[Any]:
        """Yield the docs of ``texts``, parsed ahead when they were."""
        texts = list(texts)
        ahead = self._docs[self._next : self._next + len(texts)]
        if len(ahead) == len(texts) and all(
            d.text == t for d, t in zip(ahead, texts, strict=True)
        ):
            self._next += len(texts)
            return iter(ahead)
        return iter(self.nlp.pipe(texts, batch_size=batch_size))


def _worker_nlp() -> Any:
    if not _WORKER_NLP:
        _WORKER_NLP.append(load_nlp())
    return _WORKER_NLP[0]


def _init_worker() -> None:
    """Load the pipeline when a worker process starts."""
    _worker_nlp()


def extract_batch(jobs: Sequence[Job]) -> BatchResult:
    """Extract, check and write out a batch of documents (a worker's task).

    The texts of the whole batch go through ``nlp.pipe`` at once; each
    document is then extracted, turned into RDF and written out with
    ``store.prepare_document``. With ``job.validate``, the documents are
    SHACL-checked as the union of the batch's graphs; if that union fails,
    each is checked alone, so only the failing ones are refused.

    Args:
        jobs: the documents.

    Returns:
        One result per job, in order, and the seconds spent per stage.
    """
    with _WORKER_LOCK:
        return _extract_batch(jobs, _worker_nlp())


def _extract_batch(jobs: Sequence[Job], nlp: Any) -> BatchResult:
    seconds = dict.fromkeys(("nlp", "extract", "rdf", "validate", "prepare"), 0.0)
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[stage] += now - clock
        clock = now

    parsed = _Parsed(nlp, [a.text for job in jobs for a in job.articles])
    lap("nlp")
    built: list[tuple[Job, DocumentGraph | None, Any, str | None]] = []
    offset = 0
    for job in jobs:
        parsed.seek(offset)
        offset += len(job.articles)
        try:
            graph = extract_document(
                job.source, list(job.articles), cast("Language", parsed)
            )
            lap("extract")
            graphs = rdf.document_triples(graph)
            lap("rdf")
        except Exception as err:  # a bug: skip the document, go on
            logger.info("%s: document %s", job.path, job.doc, exc_info=True)
            built.append(
                (
                    job,
                    None,
                    None,
                    f"{job.path}: document {job.doc}: internal error "
                    f"({type(err).__name__}: {err}); not stored — please "
                    "report this as a bug (kg -v build shows the traceback)",
                )
            )
            lap("extract")
            continue
        built.append((job, graph, graphs, None))
    failed = _check_shapes(
        [(j, g) for j, _d, g, p in built if p is None and j.validate]
    )
    lap("validate")
    out = []
    for job, maybe, graphs, problem in built:
        problem = problem or failed.get(job.doc)
        if problem is not None or maybe is None:
            out.append(Extracted(job.doc, None, problem=problem))
            continue
        graph = maybe
        out.append(
            Extracted(
                job.doc,
                store.prepare_document(graphs, job.doc, job.digest),
                len(graph.articles),
                len(graph.entities),
                len(graph.relations),
            )
        )
    lap("prepare")
    return BatchResult(tuple(out), seconds, f"{socket.gethostname()}:{os.getpid()}")


def _check_shapes(items: list[tuple[Job, Any]]) -> dict[str, str]:
    """SHACL-check documents as one union; return the failing ones' problems."""
    if not items:
        return {}

    def union(parts: Iterable[tuple[Job, Any]]) -> Graph:
        out = Graph()
        for _job, graphs in parts:
            for g in graphs.values():
                out += g
        return out

    ok, report = rdf.validate(union(items))
    if ok:
        return {}
    if len(items) == 1:
        return {items[0][0].doc: _shacl_problem(items[0][0], report)}
    # Find the culprits; a document that passes alone is stored, as it would
    # be if it had been checked alone.
    failed = {}
    for job, graphs in items:
        ok, report = rdf.validate(union([(job, graphs)]))
        if not ok:
            failed[job.doc] = _shacl_problem(job, report)
    return failed


def _shacl_problem(job: Job, report: str) -> str:
    first = next((ln for ln in report.splitlines() if "Message" in ln), report[:200])
    return (
        f"{job.path}: document {job.doc} fails the SHACL shapes ({first.strip()}); "
        "not stored — please report this as a bug"
    )


class _Done:
    """A finished future (extraction in this process)."""

    def __init__(self, value: BatchResult) -> None:
        self.value = value

    def result(self) -> BatchResult:
        return self.value


def _validate_mode(validate: bool | str) -> str:
    if validate is True:
        return "all"
    if validate is False:
        return "none"
    if validate not in VALIDATE_MODES:
        raise ConfigError(
            f"unknown validation {validate!r}; "
            f"choose one of {', '.join(VALIDATE_MODES)}"
        )
    return validate


def build(
    paths: Iterable[Path],
    store_path: Path,
    *,
    backend: str = "oxigraph",
    force: bool = False,
    progress: Progress | None = None,
    validate: bool | str = True,
    max_bytes: int | None = MAX_BYTES,
    max_chars: int | None = MAX_CHARS,
    workers: int | None = None,
    executor: Executor | None = None,
    on_progress: Callable[[BuildProgress], None] | None = None,
) -> BuildSummary:
    """Ingest files and folders into the store at ``store_path``.

    Documents are extracted in batches of about ``BATCH_CHARS`` characters:
    in this process, in a pool of ``workers`` processes, or on the
    ``executor`` given (a Dask cluster's, see ``kg.distributed``); this
    process reads the files, skips unchanged documents and writes each
    batch to the store in one transaction. The result does not depend on
    where the extraction ran.

    Args:
        paths: files and folders of articles.
        store_path: the store directory (created if missing).
        backend: a ``store.STORE_PLUGINS`` name.
        force: re-extract documents whose content hash is already stored.
        progress: wraps the list of files (``kg demo``'s progress bar).
        validate: SHACL-check ``"all"`` documents (``True``), a ``"sample"``
            (one in ``SAMPLE_EVERY``), or ``"none"`` (``False``); a document
            that fails is not stored.
        max_bytes: skip (and report) a file larger than this; None: no limit.
        max_chars: skip (and report) a document with an article longer than
            this; None: no limit.
        workers: extraction processes; None picks the CPU count for a large
            input and this process for a small one; 1 always this process.
        executor: run extraction on this ``concurrent.futures.Executor``
            instead (it must be able to import kg); ``workers`` is ignored.
        on_progress: called after each batch is stored.

    Returns:
        The summary; ``problems`` has one line per skipped file, line or
        document (one whose extraction fails on a bug is skipped too, its
        traceback logged at INFO); ``stages`` the seconds per stage.

    Raises:
        StoreError: the store cannot be opened or written.
        CorpusError: no readable input path at all.
        ConfigError: an unknown ``validate`` mode.
        PipelineError: a worker process died.
    """
    started = time.perf_counter()
    mode = _validate_mode(validate)
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
    stages = summary.stages
    stages.update(dict.fromkeys(("read", "nlp", "extract", "rdf", "validate"), 0.0))
    stages.update(prepare=0.0, store=0.0)
    pool: Executor | None = None
    try:
        jobs = _jobs(
            files, dataset, summary, force, mode, max_bytes, max_chars, progress
        )
        queue: deque[Job] = deque()
        queued = [0, 0]  # articles, chars read and not yet sent off
        known = [0, 0]  # articles, chars read so far
        done = [0, 0]  # articles, chars stored or refused
        flushed = [0]  # summary.quads at the last flush
        exhausted = False

        def read_ahead() -> None:
            nonlocal exhausted
            while not exhausted and queued[1] < _READ_AHEAD_CHARS:
                job = next(jobs, None)
                if job is None:
                    exhausted = True
                    break
                queue.append(job)
                for counts in (queued, known):
                    counts[0] += len(job.articles)
                    counts[1] += job.chars

        def batches() -> Iterator[list[Job]]:
            while True:
                read_ahead()
                if not queue:
                    return
                batch: list[Job] = []
                chars = 0
                while queue and chars < BATCH_CHARS:
                    job = queue.popleft()
                    batch.append(job)
                    chars += job.chars
                queued[0] -= sum(len(j.articles) for j in batch)
                queued[1] -= chars
                yield batch

        read_ahead()
        submit: Callable[[list[Job]], Any]
        if executor is not None:
            submit, window = (lambda b: executor.submit(extract_batch, b)), 8
        elif workers == 1 or (
            workers is None and (exhausted and queued[1] < _PARALLEL_MIN_CHARS)
        ):
            nlp_box: list[Any] = []

            def submit(batch: list[Job]) -> _Done:
                if not nlp_box:
                    nlp_box.append(load_nlp())
                return _Done(_extract_batch(batch, nlp_box[0]))

            window = 1
        else:
            count = max(1, workers or os.cpu_count() or 1)
            pool = ProcessPoolExecutor(
                count, mp_context=get_context("spawn"), initializer=_init_worker
            )
            submit, window = (lambda b: pool.submit(extract_batch, b)), 2 * count
        in_flight: deque[tuple[list[Job], Any]] = deque()

        def finish(batch: list[Job], future: Any) -> None:
            try:
                result: BatchResult = future.result()
            except BrokenProcessPool as err:
                raise PipelineError(
                    f"an extraction worker process died ({err}); "
                    "rerun with --workers 1 to see why"
                ) from err
            summary.workers[result.worker] = summary.workers.get(result.worker, 0) + 1
            for stage, secs in result.seconds.items():
                stages[stage] = stages.get(stage, 0.0) + secs
            clock = time.perf_counter()
            _store(dataset, result, summary)
            if summary.quads - flushed[0] >= _FLUSH_QUADS:
                store.flush(dataset)
                flushed[0] = summary.quads
            stages["store"] += time.perf_counter() - clock
            done[0] += sum(len(j.articles) for j in batch)
            done[1] += sum(j.chars for j in batch)
            if on_progress is not None:
                on_progress(
                    BuildProgress(done[0], done[1], known[0], known[1], exhausted)
                )

        for batch in batches():
            in_flight.append((batch, submit(batch)))
            if len(in_flight) >= window:
                finish(*in_flight.popleft())
        while in_flight:
            finish(*in_flight.popleft())
        if summary.documents or not store.statistics_current(dataset):
            summary.merges = store.refresh_derived(dataset)
            # Even a small rewrite of the counts left the queries that read them
            # 2-2.5x slower until compacted (seconds: 7 s at a million triples).
            store.compact(dataset)
        summary.totals = store.stats(dataset)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        dataset.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _jobs(
    files: Sequence[Path],
    dataset: Dataset,
    summary: BuildSummary,
    force: bool,
    mode: str,
    max_bytes: int | None,
    max_chars: int | None,
    progress: Progress | None,
) -> Iterator[Job]:
    """Read the files and yield the documents that need extracting."""
    seen: dict[str, str] = {}
    count = 0
    for path in (progress or (lambda xs, _d: xs))(files, "build"):
        clock = time.perf_counter()
        summary.files += 1
        try:
            _check_size(path, max_bytes)
            item = corpus.read_file(path)
        except CorpusError as err:
            summary.problems.append(str(err))
            summary.skipped_files += 1
            summary.stages["read"] += time.perf_counter() - clock
            continue
        summary.problems += [str(e) for e in item.errors]
        summary.skipped_lines += len(item.errors)
        ready = []
        for doc, articles in _documents(item.articles):
            digest = _hash(articles)
            if not force and (
                seen.get(doc) == digest or store.stored_hash(dataset, doc) == digest
            ):
                summary.unchanged += 1
                continue
            problem = _too_long(path, articles, max_chars)
            if problem is not None:
                summary.problems.append(problem)
                summary.skipped_documents += 1
                continue
            seen[doc] = digest
            check = mode == "all" or (mode == "sample" and count % SAMPLE_EVERY == 0)
            count += 1
            source = doc if doc != path.stem else path.name
            ready.append(Job(str(path), doc, source, tuple(articles), digest, check))
        summary.stages["read"] += time.perf_counter() - clock
        yield from ready


def _store(dataset: Dataset, result: BatchResult, summary: BuildSummary) -> None:
    """Write a batch's documents (one transaction per run of distinct names)."""
    group: list[Extracted] = []
    names: set[str] = set()

    def flush() -> None:
        if group:
            summary.quads += store.write_documents(
                dataset, [e.prepared for e in group if e.prepared is not None]
            )
            group.clear()
            names.clear()

    for item in result.docs:
        if item.prepared is None:
            summary.problems.append(item.problem or f"document {item.doc}: not stored")
            summary.skipped_documents += 1
            continue
        if item.doc in names:
            flush()
        group.append(item)
        names.add(item.doc)
        summary.documents += 1
        summary.stored.append(item.doc)
        summary.articles += item.articles
        summary.entities += item.entities
        summary.relations += item.relations
    flush()


#: The default of views (``kg viz``, ``kg build --html``): a relation the
#: model gives less than an even chance is kept in the store, not drawn.
VIEW_MIN_CONFIDENCE = 0.5


def write_html(
    store_path: Path,
    out: Path,
    *,
    backend: str = "oxigraph",
    communities: bool = False,
    min_confidence: float = VIEW_MIN_CONFIDENCE,
) -> Path:
    """Write the interactive HTML view of the store to ``out``.

    Raises:
        StoreError: no store at ``store_path``.
    """
    from kg import analysis, visualize

    dataset = open_store(store_path, backend)
    try:
        g = analysis.viewer_graph(dataset, min_confidence)
    finally:
        dataset.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    return visualize.render_html(g, out, communities=communities)
