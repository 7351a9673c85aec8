"""Bad input: ``kg build`` over ``tests/data/bad/`` reports each bad file and goes on.

The corpus is written by ``tests/make_bad_corpus.py`` (its tables say what is
good and what is bad); the 50 MB text and the 1 MB line are written into a
temporary folder here. Every article is invented.
"""

from __future__ import annotations

import inspect
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg import build, corpus
from kg.errors import CorpusError
from kg.records import Article
from tests.make_bad_corpus import (
    ARTICLE,
    BAD,
    FILES,
    GOOD,
    HERE,
    LARGE,
    SECOND,
    TRADITIONAL,
    write_corpus,
    write_large,
)

# Each good file in another encoding reads as the same text as this UTF-8 source.
SAME_AS = {
    "utf8-bom.md": ("# " + SECOND, ".md"),
    "gb18030.txt": (SECOND, ".txt"),
    "gb18030-bom.txt": (ARTICLE, ".txt"),
    "big5.txt": (TRADITIONAL, ".txt"),
    "utf16le-bom.txt": (ARTICLE, ".txt"),
    "utf16be-bom.txt": (SECOND, ".txt"),
    "utf16le-nobom.txt": (SECOND, ".txt"),
    "utf16be-nobom.txt": (ARTICLE, ".txt"),
}
# What a bad file's line says to do.
TO_DO = re.compile(
    r"; (save|add|fix|split|point|check|give|remove|use|rebuild|please)\b"
)


def _name_and_line(key: str) -> tuple[str, int | None]:
    name, _, line = key.partition(":")
    return name, int(line) if line else None


@pytest.fixture(scope="module")
def bad_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed bad corpus plus the two large files, in a temporary folder."""
    folder = tmp_path_factory.mktemp("bad") / "in"
    shutil.copytree(HERE, folder)
    write_large(folder)
    return folder


@pytest.fixture(scope="module")
def built(
    bad_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Run the real console entry point over the bad corpus, once."""
    store = tmp_path_factory.mktemp("bad-store") / "store"
    result = subprocess.run(
        [sys.executable, "-m", "kg", "build", str(bad_dir), "--store", str(store)],
        capture_output=True,
        text=True,
        timeout=600,  # a hang guard, not a speed check
        check=False,
    )
    return result, store


def test_committed_corpus_is_what_the_script_writes(tmp_path: Path) -> None:
    write_corpus(tmp_path)
    committed = {p.name: p.read_bytes() for p in HERE.iterdir()}
    assert committed == FILES
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == FILES
    named = {_name_and_line(k)[0] for k in BAD} | set(GOOD)
    assert named == set(FILES)


def test_large_files_are_large(bad_dir: Path) -> None:
    big, line = (bad_dir / name for name in LARGE)
    assert big.stat().st_size >= 50 * 2**20
    data = line.read_bytes()
    assert len(data) >= 2**20 and b"\n" not in data


@pytest.mark.parametrize("key", sorted(BAD))
def test_each_bad_file_gives_one_clear_error(key: str) -> None:
    name, line = _name_and_line(key)
    item = corpus.read_corpus([HERE / name])
    (only,) = list(item)
    messages = [str(e) for e in only.errors]
    where = f"{HERE / name}:{line}:" if line else f"{HERE / name}:"
    found = [m for m in messages if m.startswith(where) and BAD[key] in m]
    assert len(found) == 1, messages
    assert "\n" not in found[0] and TO_DO.search(found[0]), found[0]


@pytest.mark.parametrize(("name", "docs"), sorted(GOOD.items()))
def test_each_good_file_reads(name: str, docs: set[str]) -> None:
    item = corpus.read_file(HERE / name)
    assert {a.doc for a in item.articles} == docs
    for article in item.articles:
        assert article.text.strip()
        assert not re.search(
            r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200d\ufeff]", article.text
        )
        assert "<" not in article.text and "alert" not in article.text


@pytest.mark.parametrize(("name", "source"), sorted(SAME_AS.items()))
def test_other_encodings_read_as_their_utf8_source(
    name: str, source: tuple[str, str], tmp_path: Path
) -> None:
    text, suffix = source
    utf8 = tmp_path / f"{Path(name).stem}{suffix}"
    utf8.write_text(text, encoding="utf-8")
    expected = [(a.title, a.text, a.date) for a in corpus.read_articles(utf8)]
    got = [(a.title, a.text, a.date) for a in corpus.read_articles(HERE / name)]
    assert got == expected


def test_control_and_zero_width_characters_are_dropped() -> None:
    (article,) = corpus.read_articles(HERE / "control-chars.txt")
    assert "翠屏县云栖新能源有限公司" in article.text
    assert article.date == "2025-06-01"


def test_fullwidth_date_is_read() -> None:
    (article,) = corpus.read_articles(HERE / "fullwidth.txt")
    assert article.date == "2025-07-09"
    assert article.title == "ＡＢＣ岚溪储能科技有限公司获得授信"


def test_broken_html_keeps_the_text_and_drops_scripts_and_comments() -> None:
    (article,) = corpus.read_articles(HERE / "broken-tags.html")
    assert article.title == "鹭港市禾丰电子有限公司新厂投产"
    assert "董事长沈知秋表示" in article.text
    for furniture in ("document.write", "广告", "alert", "登录", "注释", "color"):
        assert furniture not in article.text


def test_build_over_the_bad_corpus_reports_and_goes_on(
    built: tuple[subprocess.CompletedProcess[str], Path], bad_dir: Path
) -> None:
    result, _store = built
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    # One line per bad file or line, each naming it and saying what to do.
    assert all(ln.startswith("skipped: ") for ln in lines), lines
    assert len(lines) == len(BAD) + len(LARGE), lines
    expected = {**BAD, **LARGE}
    for key, fragment in expected.items():
        name, line = _name_and_line(key)
        where = f"{bad_dir / name}:{line}:" if line else f"{bad_dir / name}:"
        hits = [ln for ln in lines if ln.startswith(f"skipped: {where}")]
        assert len(hits) == 1 and fragment in hits[0], (key, hits)
        assert TO_DO.search(hits[0]), hits[0]
    # The summary says what was skipped.
    files = sum(1 for k in BAD if ":" not in k) + 1  # + the 50 MB file
    jsonl_lines = sum(1 for k in BAD if ":" in k and k.startswith("records.jsonl"))
    mixed = sum(1 for k in BAD if k.startswith("mixed-encodings"))
    summary = f"skipped: {files + mixed} files, {jsonl_lines} lines, 1 documents"
    assert summary in result.stdout, result.stdout


def test_build_ingests_every_good_file(
    built: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    from kg import store

    result, path = built
    with store.opened_dataset("oxigraph", path) as dataset:
        documents = set(store.list_documents(dataset))
        hashes = {doc: store.stored_hash(dataset, doc) for doc in documents}
    assert documents == set().union(*GOOD.values())
    assert all(hashes.values())
    assert f"documents stored: {len(documents)}" in result.stdout


def test_second_build_skips_what_is_stored(
    built: tuple[subprocess.CompletedProcess[str], Path], bad_dir: Path
) -> None:
    _first, path = built
    again = subprocess.run(
        [sys.executable, "-m", "kg", "build", str(bad_dir), "--store", str(path)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert again.returncode == 1 and "Traceback" not in again.stderr
    stored = len(set().union(*GOOD.values()))
    assert f"documents stored: 0  unchanged: {stored}" in again.stdout


# -- limits, in process -----------------------------------------------------------


@pytest.fixture
def no_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Build with a stand-in extractor: these tests are about what is read."""
    from kg.records import DocumentGraph

    def fake_extract(source: str, articles: list[Article], nlp: object) -> object:
        return DocumentGraph(source, tuple(articles), ())

    monkeypatch.setattr(build, "load_nlp", lambda: None)
    monkeypatch.setattr(build, "extract_document", fake_extract)


def test_a_file_over_max_bytes_is_never_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_pipeline: None
) -> None:
    (tmp_path / "small.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "large.txt").write_text(ARTICLE * 40, encoding="utf-8")
    read: list[str] = []
    real = corpus.read_file

    def spy(path: Path, **kw: object) -> corpus.CorpusItem:
        read.append(path.name)
        return real(path)

    monkeypatch.setattr(corpus, "read_file", spy)
    limit = len(ARTICLE.encode()) * 2
    summary = build.build([tmp_path], tmp_path / "s", backend="memory", max_bytes=limit)
    assert read == ["small.txt"]
    assert summary.documents == 1 and summary.skipped_files == 1
    (problem,) = summary.problems
    assert problem.startswith(f"{tmp_path / 'large.txt'}: ")
    assert f"limit of {limit:,} bytes" in problem and "--max-bytes" in problem
    unlimited = build.build(
        [tmp_path], tmp_path / "s", backend="memory", max_bytes=None
    )
    assert unlimited.documents == 2 and not unlimited.problems


def test_a_document_with_an_article_over_max_chars_is_skipped_whole(
    tmp_path: Path, no_pipeline: None
) -> None:
    page = tmp_path / "page.txt"
    # Two articles, each closed by a byline; the second is long.
    page.write_text(
        f"{ARTICLE}记者 苏明澈\n望川新闻\n{'望川市召开大会。' * 50}\n记者 韩若水\n",
        encoding="utf-8",
    )
    articles = corpus.read_articles(page)
    assert len(articles) == 2 and len(articles[1].text) > 300
    summary = build.build([page], tmp_path / "s", backend="memory", max_chars=300)
    assert summary.documents == 0 and summary.skipped_documents == 1
    (problem,) = summary.problems
    assert "page/a2" in problem and "--max-chars" in problem
    summary = build.build([page], tmp_path / "s", backend="memory", max_chars=None)
    assert summary.documents == 1 and summary.articles == 2


def test_a_bug_in_one_document_skips_it_and_the_rest_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_pipeline: None
) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.txt").write_text(SECOND, encoding="utf-8")
    fake = build.extract_document

    def flaky(source: str, articles: list[Article], nlp: object) -> object:
        if source == "a.txt":
            raise IndexError("boom")
        return fake(source, articles, nlp)

    monkeypatch.setattr(build, "extract_document", flaky)
    summary = build.build([tmp_path], tmp_path / "s", backend="memory")
    assert summary.documents == 1 and summary.skipped_documents == 1
    (problem,) = summary.problems
    assert "a.txt" in problem and "IndexError: boom" in problem
    assert "report this as a bug" in problem


def test_cli_limits_default_to_the_library_ones() -> None:
    from kg.cli.commands import build_cli

    params = inspect.signature(build_cli).parameters
    assert params["max_bytes"].default == build.MAX_BYTES
    assert params["max_chars"].default == build.MAX_CHARS


def test_read_file_errors_are_corpus_errors_only(tmp_path: Path) -> None:
    """Every bad file raises CorpusError from read_articles, and nothing else."""
    for key in BAD:
        name, _line = _name_and_line(key)
        with pytest.raises(CorpusError):
            corpus.read_articles(HERE / name)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build", "--bogus", "x"], "No such option"),
        (["build"], "Missing argument"),
        (["nosuchcommand"], "No such command"),
        (["build", "x", "--max-bytes", "lots"], "Invalid value"),
    ],
)
def test_a_bad_command_line_is_a_usage_error(args: list[str], message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kg", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
