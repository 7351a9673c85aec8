"""Crash safety: ``kg build`` killed with SIGKILL at random points loses nothing.

A corpus of a few hundred small invented articles (a .jsonl of many documents
and some newspaper pages of several articles each) is built by ``kg build`` in
a subprocess that is killed with SIGKILL at random moments, then run again to
the end. The store must then be consistent (SHACL-valid, no duplicate facts,
every document wholly in or wholly out) and hold exactly the quads of an
uninterrupted build of the same corpus, which runs meanwhile on the other core.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kg import build, corpus, rdf, store
from kg.namespace import KG

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="SIGKILL is a POSIX signal"
)

SEED = 20250813
RECORDS = 240  # .jsonl documents, one article each
PAGES = 12  # .txt documents, three articles each
KILLS = 4

# Invented places, bodies and people; every combination is fiction.
CITIES = ["岚溪市", "望川市", "鹭港市", "翠屏市", "云栖市", "澄湾市"]
FIRMS = ["澄湾", "禾丰", "青岚", "远帆", "栖霞", "明澈", "望舒", "鹭岛"]
TRADES = ["新能源科技", "储能材料", "智能装备", "数据科技", "生物医药", "电子"]
UNIVERSITIES = ["北岭理工大学", "南湖大学", "东川师范大学"]
PEOPLE = ["苏明澈", "沈知秋", "韩若水", "林望舒", "宋清和", "周远帆", "许云栖"]
POSTS = ["总经理", "董事长", "副总经理", "技术总监"]


def _article(rng: random.Random) -> tuple[str, str]:
    city = rng.choice(CITIES)
    firm = f"{rng.choice(FIRMS)}{rng.choice(TRADES)}有限公司"
    person, post = rng.choice(PEOPLE), rng.choice(POSTS)
    amount = rng.randint(2, 90)
    title = f"{city}{firm[:2]}项目签约"
    sentences = [
        f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日，"
        f"{firm}年产{amount}万吨材料项目落户{city}。",
        f"项目总投资{amount}亿元，由{firm}投资建设。",
        f"{firm}{post}{person}表示，公司将与{rng.choice(UNIVERSITIES)}合作。",
    ]
    rng.shuffle(sentences)
    return title, "".join(sentences[: rng.randint(1, 3)])


def write_corpus(folder: Path, seed: int = SEED) -> Path:
    """Write the invented corpus; return the folder."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for k in range(RECORDS):
        title, text = _article(rng)
        lines.append(
            json.dumps(
                {
                    "id": f"crash-{k:04d}",
                    "title": title,
                    "date": "2025-08-13",
                    "text": text,
                },
                ensure_ascii=False,
            )
        )
    (folder / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for p in range(PAGES):
        parts = []
        for _ in range(3):
            title, text = _article(rng)
            parts += [title, text, f"记者 {rng.choice(PEOPLE)}"]
        (folder / f"page-{p:02d}.txt").write_text(
            "\n".join(parts) + "\n", encoding="utf-8"
        )
    return folder


# ``kg build`` writes a batch of documents (BATCH_CHARS of text) per transaction.
# The killed builds run the real CLI with two test settings: small batches, so
# that a small corpus makes many transactions, and a line on stderr after each
# one, so that the test kills a build that is under way rather than loading.
_WATCHED = """
import sys
from kg import build, store
build.BATCH_CHARS = int(sys.argv[1])
write = store.write_documents
def watched(*args, **kwargs):
    count = write(*args, **kwargs)
    print("kg-test: batch written", file=sys.stderr, flush=True)
    return count
store.write_documents = watched
from kg.cli import main
sys.argv = ["kg", *sys.argv[2:]]
main()
"""
BATCH_CHARS = 1500
WRITTEN = "kg-test: batch written"


def _kg_build(
    source: Path, target: Path, batch: int | None = None
) -> subprocess.Popen[str]:
    command = (
        [sys.executable, "-m", "kg"]
        if batch is None
        else [sys.executable, "-c", _WATCHED, str(batch)]
    )
    return subprocess.Popen(
        [*command, "build", str(source), "--store", str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _kill_after_writes(proc: subprocess.Popen[str], writes: int, delay: float) -> bool:
    """SIGKILL ``proc`` ``delay`` s after its ``writes``-th batch; False if it ended."""
    assert proc.stderr is not None
    seen = 0
    for line in proc.stderr:  # ends when the process does
        seen += line.startswith(WRITTEN)
        if seen >= writes:
            time.sleep(delay)  # into the next batch's extraction or write
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate(timeout=60)
                return True
            break
    proc.communicate(timeout=900)
    return False


def _finish(proc: subprocess.Popen[str]) -> str:
    out, err = proc.communicate(timeout=900)  # a hang guard, not a speed check
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    return out


def _stored(out: str) -> tuple[int, int]:
    """Read ``documents stored: N  unchanged: M`` from a build's summary."""
    head = out.split("documents stored: ", 1)[1].split()
    return int(head[0]), int(head[2])


def _quads(path: Path) -> set[tuple[object, ...]]:
    with store.opened_dataset("oxigraph", path) as dataset:
        return {
            (s, p, o, g)
            for s, p, o, g in dataset.quads((None, None, None, None))
            if isinstance(g, URIRef)
        }


def _expected_documents(folder: Path) -> dict[str, tuple[set[URIRef], str]]:
    """Each document's article graphs and content hash, from reading the corpus."""
    out = {}
    for item in corpus.read_corpus([folder]):
        assert not item.errors
        for doc, articles in build._documents(item.articles):
            out[doc] = ({rdf.article_iri(a) for a in articles}, build._hash(articles))
    return out


def _graphs(quads: set[tuple[object, ...]]) -> dict[URIRef, set[tuple[object, ...]]]:
    graphs: dict[URIRef, set[tuple[object, ...]]] = {}
    for s, p, o, g in quads:
        graphs.setdefault(g, set()).add((s, p, o))  # type: ignore[arg-type]
    return graphs


def _check_consistent(quads: set[tuple[object, ...]], folder: Path) -> None:
    graphs = _graphs(quads)
    union = graphs.pop(DATASET_DEFAULT_GRAPH_ID, set())
    # the default graph is exactly the union of the named graphs (kg.store)
    assert union == set().union(*graphs.values())
    # the graphs derived from the articles' graphs (rebuilt by the last build)
    assert graphs.pop(rdf.STATISTICS_GRAPH), "the build counted its statistics"
    graphs.pop(rdf.MERGES_GRAPH, None)
    expected = _expected_documents(folder)
    by_doc: dict[str, set[URIRef]] = {}
    for name, triples in graphs.items():
        docs = {o for s, p, o in triples if s == name and p == KG.document}
        hashes = {o for s, p, o in triples if s == name and p == KG.contentHash}
        assert len(docs) == 1 and len(hashes) == 1, (name, docs, hashes)
        (doc,) = docs
        assert {str(h) for h in hashes} == {expected[str(doc)][1]}, name
        by_doc.setdefault(str(doc), set()).add(name)
        _check_no_duplicates(name, triples)
    # Wholly in or wholly out: all of a document's article graphs, or none.
    for doc, names in by_doc.items():
        assert names == expected[doc][0], doc
    ok, report = rdf.validate(_union(quads))
    assert ok, report[:2000]


def _union(quads: set[tuple[object, ...]]) -> Graph:
    union = Graph()
    for s, p, o, _g in quads:
        union.add((s, p, o))  # type: ignore[arg-type]
    return union


def _check_no_duplicates(name: URIRef, triples: set[tuple[object, ...]]) -> None:
    """One name and type per entity, one of each provenance field per fact node."""
    names = Counter(s for s, p, _o in triples if p == KG.name)
    types = Counter(
        s
        for s, p, o in triples
        if p == RDF.type and o not in (KG.Mention, KG.Assertion)
    )
    assert all(n == 1 for n in names.values()), (name, names)
    assert all(n == 1 for n in types.values()), (name, types)
    for cls in (KG.Mention, KG.Assertion):
        nodes = {s for s, p, o in triples if p == RDF.type and o == cls}
        for field in (KG.start, KG.end, KG.article, KG.confidence):
            per = Counter(s for s, p, _o in triples if p == field and s in nodes)
            assert all(per[n] == 1 for n in nodes), (name, cls, field)
    # One assertion per (subject, predicate, object, start, end).
    facts = Counter(
        tuple(
            next(o for s2, p2, o in triples if s2 == node and p2 == p)
            for p in (RDF.subject, RDF.predicate, RDF.object, KG.start, KG.end)
        )
        for node in {s for s, p, o in triples if p == RDF.type and o == KG.Assertion}
    )
    assert all(n == 1 for n in facts.values()), (name, facts)


@pytest.mark.slow
def test_sigkill_during_build_loses_nothing(tmp_path: Path) -> None:
    folder = write_corpus(tmp_path / "corpus")
    killed_store, reference_store = tmp_path / "killed", tmp_path / "reference"
    # The uninterrupted build (plain ``kg build``) runs on the other core meanwhile.
    reference = _kg_build(folder, reference_store)
    rng = random.Random(SEED)
    kills = 0
    progress: list[int] = []
    try:
        for _ in range(KILLS):
            proc = _kg_build(folder, killed_store, BATCH_CHARS)
            writes, delay = rng.randint(1, 3), rng.uniform(0.0, 1.0)
            kills += _kill_after_writes(proc, writes, delay)
            progress.append(_documents_in(killed_store))
            print(f"killed {delay:.2f} s after {writes} writes: {progress[-1]} stored")
        out = _finish(_kg_build(folder, killed_store, BATCH_CHARS))
    finally:
        if reference.poll() is None:
            reference.kill()
    ref_out = _finish(reference)
    total = RECORDS + PAGES
    assert _stored(ref_out) == (total, 0)
    stored, unchanged = _stored(out)
    assert stored + unchanged == total
    assert kills == KILLS, "a build finished before its kill: give it more work"
    assert unchanged > 0, "no kill landed after a document was stored"
    assert progress == sorted(progress)
    quads = _quads(killed_store)
    assert quads == _quads(reference_store)
    _check_consistent(quads, folder)
    print(f"kills survived: {kills}; documents stored before the last run: {unchanged}")


def _documents_in(path: Path) -> int:
    if not path.exists():
        return 0
    with store.opened_dataset("oxigraph", path) as dataset:
        return len(store.list_documents(dataset))
