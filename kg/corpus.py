r"""Read source documents into :class:`~kg.records.Article` records.

One source file is one *document*; a document holds one or more articles.

``.txt``
    A newspaper page or a plain article. A page may open with a masthead block
    (主管/主办, 网址, 出版物号, 邮发代号, 投稿邮箱 … before the first headline),
    which becomes the article ``a0`` with ``kind="masthead"``. Then come
    articles: headline lines (short, no sentence punctuation), body paragraphs,
    and a byline (``李明``, ``记者 李明``, ``文/李明``, ``（李明）`` …) that ends
    the article. A page without bylines is one article. A plain article whose
    second line is a date (``2025-08-13``) has its first line as title. A body
    line cut by a page break (no closing punctuation, longer than 40
    characters) is joined to the line that continues it, with no separator.
``.md``
    Markdown syntax is stripped; the first ``#`` heading is the title.
``.html`` / ``.htm``
    Main text only (``html.parser``): script, style, nav, header, footer, aside
    and noscript are dropped; the first ``<h1>`` (else ``<title>``) is the title.
``.jsonl``
    One article a line: ``{"id", "title", "date", "text"}``; extra keys are
    ignored. A bad line is reported and skipped; the other lines still count.

Each article's ``text`` is its headline lines then its body paragraphs, one a
line; ``body_start`` is the offset of the body, ``title`` the headline lines
joined by a space. The byline is kept apart, its names joined by ``、``.
``doc`` is the file stem (for ``.jsonl``: the record's ``id``); ``id`` is
``a1``, ``a2`` … in page order. Text is decoded from UTF-8 (with or without
BOM), UTF-16/32 (with BOM), GB18030 or Big5, then normalised: NFC, ``\n``
line ends, no zero-width or control characters. Traditional characters are
kept as written (and logged).

A sidecar ``<stem>.meta.json`` beside a file (keys ``publication``, ``site``,
``language``, ``date``) gives every article of the file its publication and,
when the article states none, its date. An article's own date wins, then the
metadata's, then a date in the page's masthead.

API:
    - :func:`iter_files` lists the readable files under paths.
    - :func:`read_file` reads one file; bad ``.jsonl`` lines come back as
      errors next to the good articles.
    - :func:`read_articles` reads one file and raises on any error.
    - :func:`read_corpus` reads many files and never raises
      :class:`~kg.errors.CorpusError`: it yields a :class:`CorpusItem`
      ``(path, articles, errors)`` for every file, so a batch goes on past bad
      files and bad lines. Each error message starts ``path:`` or
      ``path:line:``.
"""

from __future__ import annotations

import codecs
import datetime as dt
import functools
import json
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple

from kg.errors import CorpusError
from kg.records import Article

__all__ = [
    "META_KEYS",
    "SUFFIXES",
    "CorpusItem",
    "decode_bytes",
    "is_traditional",
    "iso_date",
    "iter_files",
    "load_meta",
    "normalize_text",
    "parse_byline",
    "read_articles",
    "read_corpus",
    "read_file",
]

logger = logging.getLogger(__name__)

SUFFIXES = (".htm", ".html", ".jsonl", ".md", ".txt")
"""File suffixes read from folders (compared in lower case)."""
META_KEYS = ("date", "language", "publication", "site")
"""Keys of a ``<stem>.meta.json`` sidecar; other keys are ignored."""

_SIDECARS = (".gold.json", ".meta.json")
_HEADLINE_MAX = 30  # a headline line has at most this many characters
_JOIN_MIN = 40  # a line cut by a page break is longer than this
_LEAD_MAX = 3  # date / byline / source lines read after a headline


class CorpusItem(NamedTuple):
    """What :func:`read_file` and :func:`read_corpus` give for one file.

    ``errors`` holds the file's :class:`~kg.errors.CorpusError` s: one for a
    file that cannot be read (then ``articles`` is empty), or one per bad
    ``.jsonl`` line (messages ``path:line: …``).
    """

    path: Path
    articles: list[Article]
    errors: list[CorpusError]


# ---------------------------------------------------------------- public API


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Yield the source files named by ``paths``, each once.

    A folder is walked recursively, in sorted order, for files with a suffix
    in :data:`SUFFIXES`; hidden files and folders and ``*.gold.json`` /
    ``*.meta.json`` sidecars are skipped. A file named directly is yielded
    whatever its suffix (but sidecars), so that reading it reports a wrong
    type or a missing file instead of dropping it unseen.

    Args:
        paths: files and folders, in the order to read them.

    Yields:
        File paths, built from the paths as given.
    """
    seen: set[Path] = set()
    for path in paths:
        found: Iterable[Path]
        if path.is_dir():
            found = (
                p
                for p in sorted(path.rglob("*"))
                if p.suffix.lower() in SUFFIXES
                and not _is_sidecar(p)
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and p.is_file()
            )
        elif _is_sidecar(path):
            logger.debug("%s: sidecar, not a source document; skipped", path)
            continue
        else:
            found = (path,)
        for file in found:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                yield file


def read_file(path: Path, *, meta: Mapping[str, object] | None = None) -> CorpusItem:
    """Read one source file into articles, keeping bad ``.jsonl`` lines apart.

    Args:
        path: a ``.txt``, ``.md``, ``.html``/``.htm`` or ``.jsonl`` file.
        meta: metadata (keys of :data:`META_KEYS`) laid over the file's
            ``<stem>.meta.json`` sidecar.

    Returns:
        The file's articles and one error per bad ``.jsonl`` line.

    Raises:
        CorpusError: the file is missing, unreadable, of an unknown type,
            empty, binary, not decodable, holds no text, or its sidecar or
            ``meta`` is malformed.
    """
    where = str(path)
    if path.is_dir():
        raise CorpusError(f"{where}: is a folder; pass it to read_corpus instead")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES and path.exists():
        raise CorpusError(
            f"{where}: unsupported file type {suffix or '(no suffix)'!r}; "
            f"use one of {', '.join(SUFFIXES)}"
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError as err:
        raise CorpusError(f"{where}: no such file; check the path") from err
    except OSError as err:
        raise CorpusError(
            f"{where}: cannot read ({err.strerror}); check that it is a readable file"
        ) from err
    info = {**load_meta(path), **_check_meta(meta or {}, f"{where}: meta")}
    if not data.strip():
        raise CorpusError(f"{where}: empty file; add text or remove it")
    raw, encoding = decode_bytes(data, where)
    text = normalize_text(raw)
    if not text.strip():
        raise CorpusError(f"{where}: empty file; add text or remove it")
    if encoding != "utf-8":
        logger.info("%s: decoded as %s", where, encoding)
    if is_traditional(text):
        logger.info("%s: traditional characters; kept as written", where)
    ctx = _Context(doc=path.stem, source=where, meta=info)
    errors: list[CorpusError] = []
    if suffix == ".jsonl":
        # Lines of the raw text: normalising would cut a record at a U+2028.
        articles = _read_jsonl(raw, ctx, errors)
    elif suffix == ".md":
        articles = _read_markdown(text, ctx)
    elif suffix in (".html", ".htm"):
        articles = _read_html(text, ctx)
    else:
        articles = _read_txt(text, ctx)
    if not articles and not errors:
        raise CorpusError(
            f"{where}: no text found; check that the file holds an article"
        )
    return CorpusItem(path, articles, errors)


def read_articles(
    path: Path, *, meta: Mapping[str, object] | None = None
) -> list[Article]:
    """Read the articles of one source file, strictly.

    Args:
        path: a ``.txt``, ``.md``, ``.html``/``.htm`` or ``.jsonl`` file.
        meta: metadata laid over the file's ``<stem>.meta.json`` sidecar.

    Returns:
        The articles in document order.

    Raises:
        CorpusError: as :func:`read_file`, or for the first bad ``.jsonl``
            line (use :func:`read_file` to keep the good lines).
    """
    item = read_file(path, meta=meta)
    if item.errors:
        raise item.errors[0]
    return item.articles


def read_corpus(
    paths: Iterable[Path], *, meta: Mapping[str, object] | None = None
) -> Iterator[CorpusItem]:
    """Read every source file under ``paths``, going on past bad ones.

    Each error is logged at WARNING and yielded, never raised.

    Args:
        paths: files and folders, as for :func:`iter_files`.
        meta: metadata laid over every file's sidecar.

    Yields:
        One ``CorpusItem(path, articles, errors)`` per file.
    """
    for path in iter_files(paths):
        try:
            item = read_file(path, meta=meta)
        except CorpusError as err:
            item = CorpusItem(path, [], [err])
        for error in item.errors:
            logger.warning("%s", error)
        yield item


def load_meta(path: Path) -> dict[str, str]:
    """Return the ``<stem>.meta.json`` sidecar of ``path``, or ``{}``.

    Args:
        path: the source file.

    Returns:
        The sidecar's keys of :data:`META_KEYS` with string values; ``date``
        in ISO form.

    Raises:
        CorpusError: the sidecar is not a JSON object of strings, or its date
            is not a date.
    """
    sidecar = path.with_name(f"{path.stem}.meta.json")
    if not sidecar.is_file():
        return {}
    try:
        raw = json.loads(sidecar.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as err:
        raise CorpusError(
            f"{sidecar}:{err.lineno}: malformed JSON ({err.msg}); "
            "fix or delete the sidecar"
        ) from err
    except (OSError, UnicodeDecodeError) as err:
        raise CorpusError(
            f"{sidecar}: cannot read ({err}); save it as UTF-8 JSON or delete it"
        ) from err
    if not isinstance(raw, dict):
        raise CorpusError(
            f"{sidecar}: expected a JSON object, got {type(raw).__name__}; "
            "fix the sidecar"
        )
    return _check_meta(raw, str(sidecar))


def decode_bytes(data: bytes, where: str) -> tuple[str, str]:
    """Decode a file's bytes: UTF-8, UTF-16/32 with BOM, GB18030 or Big5.

    Strict UTF-8 (a BOM is dropped) is tried first, then a byte order mark,
    then charset-normalizer restricted to GB18030 and Big5, whose result must
    be mostly CJK and ASCII.

    Args:
        data: the raw bytes.
        where: the file name, for messages.

    Returns:
        The text and the name of its encoding.

    Raises:
        CorpusError: binary data or an encoding none of the above.

    Example:
        >>> decode_bytes("新闻".encode("gb18030"), "x.txt")
        ('新闻', 'gb18030')
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        utf8_error: UnicodeDecodeError | None = err
    else:
        utf8_error = None
        if not _looks_binary(text):
            return text, "utf-8"
        if _utf16_without_bom(data) is None:
            raise CorpusError(
                f"{where}: binary file; save it as UTF-8 text or remove it"
            )
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as err:
                raise CorpusError(
                    f"{where}: broken {encoding} text at byte {err.start}; "
                    "save it as UTF-8"
                ) from err
            if _looks_binary(text):
                raise CorpusError(
                    f"{where}: binary file; save it as UTF-8 text or remove it"
                )
            return text, encoding
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    if utf8_error is not None:
        _check_mixed(data, utf8_error, where)
    if b"\x00" in data:
        raise CorpusError(
            f"{where}: binary file (NUL bytes); save it as UTF-8 text or remove it"
        )
    best: tuple[tuple[float, bool], str, str] | None = None
    for encoding in _chinese_candidates(data):
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if not _mostly_cjk_or_ascii(text) or _common_han_ratio(text) < _COMMON_MIN:
            # Another codec read as Chinese gives rare characters (mojibake).
            continue
        # Short texts decode either way; the codec whose characters are the
        # common ones wins, GB18030 on a tie.
        score = (_common_han_ratio(text), encoding == "gb18030")
        if best is None or score > best[0]:
            best = (score, text, encoding)
    if best is not None:
        return best[1], best[2]
    raise CorpusError(
        f"{where}: not UTF-8, UTF-16, GB18030 or Big5 text (binary?); "
        "save it as UTF-8 or remove it"
    )


def normalize_text(text: str) -> str:
    r"""Normalise text: NFC, ``\n`` line ends, no zero-width or control chars.

    Tabs and newlines are kept; lone surrogates are dropped.

    Args:
        text: decoded text.

    Returns:
        The normalised text.

    Example:
        >>> normalize_text("甲\u200b乙\r\n丙\x07")
        '甲乙\n丙'
    """
    text = unicodedata.normalize("NFC", text)
    text = _NEWLINES.sub("\n", text)
    text = text.translate(_ZERO_WIDTH)
    return _CONTROL.sub("", text)


def iso_date(value: str) -> str | None:
    """Return ``value`` as an ISO date ``YYYY-MM-DD``, or None.

    Accepts ``2025-08-13``, ``2025/8/13``, ``2025.8.13``, ``2025年8月13日``,
    optionally followed by a time.

    Args:
        value: a date as written.

    Returns:
        The ISO date, or None when ``value`` is not a valid date.

    Example:
        >>> iso_date("2025年8月3日 星期日")
        '2025-08-03'
        >>> iso_date("2025-02-30") is None
        True
    """
    match = _DATE_VALUE.fullmatch(value.strip())
    return _valid_date(match) if match else None


def parse_byline(line: str) -> str | None:
    """Return the names of a byline line joined by ``、``, or None.

    Knows the bare form (2 to 4 Han characters starting with a common surname),
    role forms (``记者 某某``, ``本报记者 某某 通讯员 某某``, ``文/某某``,
    ``某某 摄``) and bracketed forms (``（某某）``, ``（记者 某某）``).

    Args:
        line: one line of text.

    Returns:
        The names, or None when the line is not a byline.

    Example:
        >>> parse_byline("本报记者 王小明 通讯员 李华")
        '王小明、李华'
        >>> parse_byline("（张三）")
        '张三'
        >>> parse_byline("结语") is None
        True
    """
    found = _byline(line)
    return "、".join(found.names) if found else None


def is_traditional(text: str) -> bool:
    """Tell whether ``text`` is written in traditional Chinese characters.

    Args:
        text: any text.

    Returns:
        True when at least 5% of its first 5000 Han characters change when
        converted to simplified characters.

    Example:
        >>> is_traditional("經濟開發區"), is_traditional("经济开发区")
        (True, False)
    """
    han = "".join(_HAN.findall(text, 0, 50_000))[:5000]
    if not han:
        return False
    simplified = _t2s()(han)
    if len(simplified) == len(han):
        changed = sum(a != b for a, b in zip(han, simplified, strict=True))
    else:
        changed = len(set(han) - set(simplified))
    return changed >= 0.05 * len(han)


# ------------------------------------------------------------- text helpers

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"))
# Control characters, and lone surrogates (a .jsonl string may hold "\ud800"),
# which no encoder accepts.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_CJK = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
# Chinese text is mostly common characters (> 95 %); mojibake is not (~30 %).
_COMMON_MIN = 0.6
_MIXED_MIN = 8  # non-ASCII UTF-8 characters before a bad byte that make it mixed


def _is_sidecar(path: Path) -> bool:
    return path.name.lower().endswith(_SIDECARS)


def _is_han(ch: str) -> bool:
    code = ord(ch)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x3FFFF
    )


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for ch in sample if ch not in "\r\f" and _CONTROL.match(ch))
    # A stray NUL or control character in a text is dropped by normalize_text.
    nuls = sample.count("\x00")
    return nuls > max(1, 0.01 * len(sample)) or controls > 0.1 * max(len(sample), 1)


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """Decode UTF-16 without a byte order mark, told by where its NUL bytes are.

    The ASCII characters of UTF-16 text (digits, punctuation, line breaks) have a
    NUL high byte: at odd offsets in little-endian, even offsets in big-endian.
    """
    if len(data) < 4 or len(data) % 2:
        return None
    half = len(data) // 2
    even, odd = data[0::2].count(0), data[1::2].count(0)
    for nuls, others, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        # Han characters such as 开 (U+5F00) put a few NULs on the other side.
        if nuls < max(2, 0.02 * half) or 4 * others > nuls:
            continue
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if (
            not _looks_binary(text)
            and _mostly_cjk_or_ascii(text)
            and _common_han_ratio(text) >= _COMMON_MIN
        ):
            return text, encoding
    return None


def _check_mixed(data: bytes, err: UnicodeDecodeError, where: str) -> None:
    """Refuse a file that is UTF-8 up to a line and another encoding after it."""
    head = data[: err.start].decode("utf-8-sig")
    if sum(not ch.isascii() for ch in head) >= _MIXED_MIN:
        line = data.count(b"\n", 0, err.start) + 1
        raise CorpusError(
            f"{where}:{line}: mixed encodings: the lines before are UTF-8, this one "
            "is not; save the whole file as UTF-8"
        )


def _chinese_candidates(data: bytes) -> list[str]:
    from charset_normalizer import from_bytes

    ranked = [m.encoding for m in from_bytes(data, cp_isolation=["gb18030", "big5"])]
    return ranked + [e for e in ("gb18030", "big5") if e not in ranked]


def _common_han_ratio(text: str) -> float:
    han = _HAN.findall(text, 0, 50_000)[:2000]
    return sum(map(_is_common_han, han)) / len(han) if han else 1.0


@functools.cache
def _is_common_han(ch: str) -> bool:
    """Tell whether ``ch`` is a common simplified or traditional character.

    Common means GB2312 level 1 (first byte 0xB0-0xD7) or the Big5 frequent
    characters (first byte 0xA4-0xC6).
    """
    for codec, low, high in (("gb2312", 0xB0, 0xD7), ("big5", 0xA4, 0xC6)):
        try:
            first = ch.encode(codec)[0]
        except UnicodeEncodeError:
            continue
        if low <= first <= high:
            return True
    return False


def _mostly_cjk_or_ascii(text: str) -> bool:
    chars = [ch for ch in text[:50_000] if not ch.isspace()]
    bad = sum(1 for ch in chars if not _cjk_or_ascii(ch))
    return bad <= 0.05 * len(chars)


def _cjk_or_ascii(ch: str) -> bool:
    if ch.isascii():
        return ch.isprintable()
    if _is_han(ch) or 0x3100 <= ord(ch) <= 0x312F:  # Han, bopomofo
        return True
    category = unicodedata.category(ch)
    # Punctuation, symbols and numbers of any script are fine; letters of
    # other scripts (kana, Cyrillic …) and private-use characters are what a
    # wrong Chinese codec produces.
    return category[0] in "PSN" or category == "Zs"


@functools.cache
def _t2s() -> Callable[[str], str]:
    from opencc import OpenCC  # type: ignore[import-untyped]

    convert: Callable[[str], str] = OpenCC("t2s").convert
    return convert


def _clean_line(line: str) -> str:
    return _SPACES.sub(" ", line).strip()


def _lines(text: str) -> list[str]:
    return [line for line in map(_clean_line, text.split("\n")) if line]


# ------------------------------------------------------------ dates, meta

_DATE = (  # separators: ASCII, 年月日, or full-width (\uff0d \uff0f \uff0e)
    r"(\d{4})\s*[-/.年\uff0d\uff0f\uff0e]\s*(\d{1,2})\s*[-/.月\uff0d\uff0f\uff0e]"
    r"\s*(\d{1,2})\s*日?"
)
_TIME = r"\d{1,2}[:：]\d{2}(?:[:：]\d{2})?"
_WEEKDAY = r"(?:星期|周)[一二三四五六日天]"
_DATE_VALUE = re.compile(rf"{_DATE}(?:[T\s].*)?")
_DATE_LINE = re.compile(
    rf"(?:(?:发布|发表|更新|出版)?(?:时间|日期)\s*[:：]?\s*)?{_DATE}"
    rf"(?:\s*(?:{_WEEKDAY}|{_TIME}|农历\S*))*"
)
_DATE_ANYWHERE = re.compile(_DATE)
_SOURCE_LINE = re.compile(r"(?:来源|作者|发布时间|发布日期|浏览|阅读)\s*[:：]")
_AUTHOR = re.compile(
    r"(?:作者|记者)\s*[:：]\s*"
    r"([\u4e00-\u9fff·]{2,10}(?:[、，, ][\u4e00-\u9fff·]{2,10})*)"
)


def _valid_date(match: re.Match[str]) -> str | None:
    try:
        return dt.date(*(int(g) for g in match.groups()[:3])).isoformat()
    except ValueError:
        return None


def _date_line(line: str) -> str | None:
    match = _DATE_LINE.fullmatch(line)
    return _valid_date(match) if match else None


def _date_in(text: str) -> str | None:
    for match in _DATE_ANYWHERE.finditer(text):
        date = _valid_date(match)
        if date:
            return date
    return None


def _check_meta(raw: Mapping[str, object], where: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key in META_KEYS:
        value = raw.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise CorpusError(
                f"{where}: {key!r} must be a string, not {type(value).__name__}; fix it"
            )
        value = _clean_line(normalize_text(value))  # as any text: no controls
        if key == "date":
            date = iso_date(value)
            if date is None:
                raise CorpusError(
                    f"{where}: date {value!r} is not a date; use YYYY-MM-DD"
                )
            value = date
        out[key] = value
    return out


# ----------------------------------------------------------------- bylines

_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋"
    "蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫"
    "阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞"
    "颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成"
    "苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车"
    "项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商"
    "刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚"
    "鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国"
    "狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那"
    "宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝"
    "智幸奉植衡富尧闭由"
)
_COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "令狐",
        "宇文",
        "夏侯",
        "司徒",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "轩辕",
        "呼延",
        "澹台",
        "公冶",
        "太史",
        "申屠",
        "闻人",
        "万俟",
    ]
)
# Short lines that pass the surname test but are sub-headings or page notes.
_NOT_NAMES = frozenset(
    [
        "结语",
        "编者按",
        "编后",
        "编后语",
        "后记",
        "链接",
        "新闻链接",
        "相关链接",
        "延伸阅读",
        "背景",
        "记者手记",
        "短评",
        "评论",
        "点评",
        "小贴士",
        "图片新闻",
        "待续",
        "未完待续",
        "全文完",
        "前言",
        "导语",
        "简讯",
        "快讯",
        "要闻",
        "综述",
        "观察",
        "声音",
        "数读",
        "微评",
        "附件",
        "来源",
        "专家观点",
        "项目简介",
        "企业简介",
        "名词解释",
        "相关新闻",
        "公告",
        "通知",
        "明天",
        "明日",
        "今天",
        "今日",
        "国内",
        "国际",
        "海外",
        "成果",
        "展望",
        "路径",
        "方向",
        "关键",
        "原因",
        "路线",
    ]
)
_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,6}·[\u4e00-\u9fff]{1,8}")
_ROLE_LONG = re.compile(
    r"(?:[\u4e00-\u9fff]{0,8}?(?:记者|通讯员)|实习生|特约撰稿人?|撰稿人?|作者|编译|口述)"
    r"\s*[/\uff0f:：]?"
)
_ROLE_SHORT = re.compile(
    r"(?:文[/\uff0f]图|图[/\uff0f]文|文图|图文|文|图|摄影|摄|据)\s*[/\uff0f:：]"
)
_ROLE_TOKENS = frozenset(
    [
        "文",
        "图",
        "摄",
        "摄影",
        "报道",
        "供图",
        "整理",
        "文图",
        "图文",
        "文/图",
        "图/文",
        "文\uff0f图",
        "图\uff0f文",
    ]
)
_BULLETS = "□■◎●○◆◇★☆▲△※•"
_BRACKETED = re.compile(
    r"[（(【\[\u3014]([^（）()【】\[\]\u3014\u3015]+)[）)】\]\u3015]"
)
_TRAILING_BRACKET = re.compile(r"(.*[。！？!?”」』…])\s*[（(]([^（）()]{2,30})[）)]")
_LEAD_BRACKET = re.compile(
    r"(\S{0,16}?(?:报|社|台|网|刊)讯|本报讯|本刊讯)\s*[（(]([^（）()]{2,30})[）)]\s*"
)


@dataclass(frozen=True, slots=True)
class _Byline:
    names: tuple[str, ...]
    marked: bool  # a role word (记者, 文/ …) says it is a byline


def _byline(line: str) -> _Byline | None:
    text = line.strip()
    bracketed = _BRACKETED.fullmatch(text)
    if bracketed:
        text = bracketed.group(1)
    text = text.lstrip(_BULLETS).strip()
    if not text or len(text) > 40:
        return None
    names: list[str] = []
    marked = False
    for token in re.split(r"[\s、，,；;|]+", text):
        role = _ROLE_SHORT.match(token) or _ROLE_LONG.match(token)
        if role:
            marked = True
            token = token[role.end() :]
        if not token:
            continue
        if token in _ROLE_TOKENS:
            marked = True
            continue
        if token.endswith("摄") and _NAME.fullmatch(token[:-1]):
            marked = True
            token = token[:-1]
        if not _NAME.fullmatch(token):
            return None
        names.append(token)
    if not names or len(names) > 6:
        return None
    if not marked and not all(_looks_like_name(n) for n in names):
        return None
    return _Byline(tuple(names), marked)


def _looks_like_name(name: str) -> bool:
    if "·" in name:
        return True
    if name in _NOT_NAMES:
        return False
    return name[:2] in _COMPOUND_SURNAMES or name[0] in _SURNAMES


def _marked_byline(line: str) -> _Byline | None:
    found = _byline(line)
    return found if found and found.marked else None


def _trailing_byline(line: str) -> tuple[str, _Byline] | None:
    """Split ``……。（记者 某某）`` into the paragraph and its byline."""
    match = _TRAILING_BRACKET.fullmatch(line)
    if not match:
        return None
    found = _byline(match.group(2))
    return (match.group(1).rstrip(), found) if found else None


def _merge_names(*groups: Iterable[str]) -> str:
    names: list[str] = []
    for group in groups:
        for name in group:
            if name and name not in names:
                names.append(name)
    return "、".join(names)


# -------------------------------------------------------- article building

_SENTENCE_END = "。！？!?；;：:，,、"
_CLOSING = '。！？!?”」』…：:；;）).\u2019"'
_LEAD = re.compile(
    r"(?:[\u4e00-\u9fff]{2,12}(?:报|社|台|网|刊)讯|本报讯|本刊讯"
    r"|[\u4e00-\u9fff]{2,12}(?:社|网|报|台)[\u4e00-\u9fff]{1,8}\d{1,2}月\d{1,2}日电)"
)
_CAPTION = re.compile(r"图为|图：|图:|.*[（(][^（）()]*摄[）)]$")
_MASTHEAD = re.compile(
    r"(?:主管|主办)(?:\s|$)|网址|出版物号|刊号|邮发代号|投稿邮箱|电子信箱|新闻热线|"
    r"热线\s*[:：]|电话\s*[:：]|传真|社址|地址\s*[:：]|邮编|邮政编码|邮政发行|国内统一|"
    r"CN\s?\d{2}\s?-\s?\d{4}|ISSN|今日\s*\d+\s*版|第\s*\d+\s*版|总第\s*\d+\s*期|"
    r"本版编辑|责任编辑|https?://|www\."
)


@dataclass(slots=True)
class _Draft:
    headlines: list[str] = field(default_factory=list)
    paras: list[str] = field(default_factory=list)
    byline: str = ""
    date: str | None = None

    def add_byline(self, names: Iterable[str]) -> None:
        self.byline = _merge_names(self.byline.split("、"), names)

    def empty(self) -> bool:
        return not self.headlines and not self.paras


@dataclass(frozen=True, slots=True)
class _Context:
    doc: str
    source: str
    meta: Mapping[str, str]


def _is_lead(line: str) -> bool:
    return _LEAD.match(line) is not None


def _is_caption(line: str) -> bool:
    return _CAPTION.match(line) is not None


def _is_headline(line: str) -> bool:
    return (
        len(line) <= _HEADLINE_MAX
        and line[-1] not in _SENTENCE_END
        and "。" not in line  # a headline is not a sentence
        and _date_line(line) is None
        and not _is_lead(line)
        and not _is_caption(line)
    )


def _is_masthead(line: str) -> bool:
    return (
        len(line) <= 100
        and line[-1] not in "。！？!?"
        and _MASTHEAD.search(line) is not None
    )


def _masthead_length(lines: list[str]) -> int:
    """Count the leading lines that form a masthead block (0 if none)."""
    end = 0
    for i, line in enumerate(lines[:12]):
        if _is_masthead(line):
            end = i + 1
        elif not (_is_headline(line) or _date_line(line)):
            break
    return end


def _take_lead(draft: _Draft, lines: list[str], i: int) -> int:
    """Read date, byline and source lines after a headline; return next index."""
    for _ in range(_LEAD_MAX):
        if i >= len(lines):
            break
        line = lines[i]
        date = _date_line(line)
        byline = _marked_byline(line)
        if date and draft.date is None:
            draft.date = date
        elif byline:
            draft.add_byline(byline.names)
        elif len(line) <= 80 and _SOURCE_LINE.search(line):
            draft.date = draft.date or _date_in(line)
            author = _AUTHOR.search(line)
            if author:
                draft.add_byline(re.split(r"[、，, ]", author.group(1)))
        else:
            break
        i += 1
    return i


def _ends_article(lines: list[str], i: int) -> bool:
    """Tell whether what follows line ``i`` can start a new article."""
    if i + 1 >= len(lines):
        return True
    nxt = lines[i + 1]
    return _is_headline(nxt) or _is_lead(nxt) or _is_caption(nxt) or bool(_byline(nxt))


def _starts_article(lines: list[str], i: int) -> bool:
    """Tell whether headline lines at ``i`` open a new article (not a sub-heading)."""
    j = i
    while (
        j < len(lines)
        and j - i < 4
        and _is_headline(lines[j])
        and not _byline(lines[j])
    ):
        j += 1
    if j == i or j >= len(lines):
        return False
    if _is_caption(lines[j]) and j + 1 < len(lines):
        j += 1
    return _is_lead(lines[j]) or _marked_byline(lines[j]) is not None


def _add_para(draft: _Draft, line: str) -> None:
    """Append a body line, joining it to a line cut by a page break."""
    if draft.paras:
        prev = draft.paras[-1]
        if (
            len(prev) > _JOIN_MIN
            and prev[-1] not in _CLOSING
            and not _is_headline(line)
        ):
            draft.paras[-1] = prev + line
            return
    draft.paras.append(line)


def _split_page(lines: list[str]) -> list[_Draft]:
    """Split the lines of a page (after its masthead) into article drafts."""
    drafts: list[_Draft] = []
    draft = _Draft()
    i, n = 0, len(lines)
    in_head = True
    if n > 2 and _date_line(lines[1]) and not _date_line(lines[0]):
        # A plain article: title line, date line, body.
        draft.headlines.append(lines[0])
        i = _take_lead(draft, lines, 1)
        in_head = False

    def close() -> None:
        nonlocal draft
        if not draft.empty():
            drafts.append(draft)
        draft = _Draft()

    while i < n:
        line = lines[i]
        if in_head:
            if _is_headline(line) and not _marked_byline(line):
                draft.headlines.append(line)
                i += 1
                continue
            in_head = False
            if draft.headlines or not draft.paras:
                i = _take_lead(draft, lines, i)
                continue
        byline = _byline(line) if draft.paras else None
        if byline and (byline.marked or _ends_article(lines, i)):
            draft.add_byline(byline.names)
            i += 1
            # Two or more byline lines in a row belong to one article.
            while i < n and (more := _byline(lines[i])) and _ends_article(lines, i):
                draft.add_byline(more.names)
                i += 1
            close()
            in_head = True
            continue
        trailing = _trailing_byline(line)
        if trailing and _ends_article(lines, i):
            _add_para(draft, trailing[0])
            draft.add_byline(trailing[1].names)
            close()
            in_head = True
            i += 1
            continue
        if draft.paras and _is_headline(line) and _starts_article(lines, i):
            close()
            in_head = True
            continue
        _add_para(draft, line)
        i += 1
    close()
    return drafts


def _single_draft(
    headlines: list[str], paras: list[str], *, furniture: bool = False
) -> _Draft:
    """Make the one article of a titled document (md, html, jsonl).

    With ``furniture`` (HTML), what follows a marked byline among the last
    paragraphs is page furniture and is dropped.
    """
    draft = _Draft(headlines=[h for h in headlines if h])
    i = _take_lead(draft, paras, 0)
    body = paras[i:]
    if furniture:
        for k in range(len(body) - 1, max(len(body) - 4, 0), -1):
            if _marked_byline(body[k]):
                logger.debug(
                    "dropped %d paragraphs after the byline", len(body) - k - 1
                )
                body = body[: k + 1]
                break
    if len(body) > 1:
        last = _byline(body[-1])
        if last:
            draft.add_byline(last.names)
            body = body[:-1]
        else:
            trailing = _trailing_byline(body[-1])
            if trailing:
                draft.add_byline(trailing[1].names)
                body[-1] = trailing[0]
    draft.paras = body
    return draft


def _lead_byline(draft: _Draft) -> None:
    """Move ``本报讯（记者 某某）`` from the first paragraph to the byline."""
    if not draft.paras:
        return
    match = _LEAD_BRACKET.match(draft.paras[0])
    if not match:
        return
    found = _byline(match.group(2))
    if found and found.marked:
        draft.add_byline(found.names)
        rest = draft.paras[0][match.end() :]
        draft.paras[0] = f"{match.group(1)} {rest}".rstrip()


def _to_article(
    draft: _Draft,
    ctx: _Context,
    aid: str,
    *,
    doc: str | None = None,
    date: str | None = None,
) -> Article:
    _lead_byline(draft)
    head = "\n".join(draft.headlines)
    body = "\n".join(draft.paras)
    text = f"{head}\n{body}" if head and body else head or body
    return Article(
        doc=doc or ctx.doc,
        id=aid,
        title=" ".join(draft.headlines),
        text=text,
        byline=draft.byline,
        date=draft.date or ctx.meta.get("date") or date,
        source=ctx.source,
        publication=ctx.meta.get("publication"),
        body_start=len(head) + 1 if head and body else len(head),
    )


def _page_articles(lines: list[str], ctx: _Context) -> list[Article]:
    """Split lines into a masthead (``a0``) and articles ``a1`` …."""
    size = _masthead_length(lines)
    masthead, rest = lines[:size], lines[size:]
    page_date = _date_in("\n".join(masthead)) if masthead else None
    articles = []
    if masthead:
        articles.append(
            Article(
                doc=ctx.doc,
                id="a0",
                title="",
                text="\n".join(masthead),
                date=ctx.meta.get("date") or page_date,
                source=ctx.source,
                publication=ctx.meta.get("publication"),
                kind="masthead",
            )
        )
    drafts = _split_page(rest)
    articles += [
        _to_article(d, ctx, f"a{k}", date=page_date) for k, d in enumerate(drafts, 1)
    ]
    return articles


def _titled_articles(
    headlines: list[str],
    paras: list[str],
    ctx: _Context,
    *,
    date: str | None,
    byline: str,
    furniture: bool = False,
) -> list[Article]:
    """Make a titled document's one article, or split an untitled one as a page."""
    if not headlines:
        articles = _page_articles(paras, ctx)
        if date or byline:
            articles = [
                a
                if a.kind == "masthead"
                else replace(a, date=a.date or date, byline=a.byline or byline)
                for a in articles
            ]
        return articles
    draft = _single_draft(headlines, paras, furniture=furniture)
    draft.date = draft.date or date
    if byline and not draft.byline:
        draft.byline = byline
    if not draft.paras and not draft.headlines:
        return []
    return [_to_article(draft, ctx, "a1")]


# ------------------------------------------------------------------ .txt


def _read_txt(text: str, ctx: _Context) -> list[Article]:
    return _page_articles(_lines(text), ctx)


# ------------------------------------------------------------------- .md

_MD_ATX = re.compile(r"\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*")
_MD_FENCE = re.compile(r"\s{0,3}(`{3,}|~{3,})")
_MD_RULE = re.compile(r"\s{0,3}([-*_])(?:\s*\1){2,}\s*")
_MD_SETEXT = re.compile(r"\s{0,3}(=+|-+)\s*")
_MD_REFDEF = re.compile(r"\s{0,3}\[[^\]]+\]:\s*\S")
_MD_QUOTE = re.compile(r"\s{0,3}(?:>\s?)+")
_MD_ITEM = re.compile(r"\s*(?:[-*+]|\d{1,3}[.)])\s+")
_MD_TABLE_RULE = re.compile(r"\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_MD_INLINE = (
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"!\[[^\]]*\]\[[^\]]*\]"), ""),
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),  # autolinks
    (re.compile(r"<!--.*?-->"), ""),
    (re.compile(r"</?[A-Za-z][^>]*>"), ""),  # inline HTML
    (re.compile(r"(`+)(.+?)\1"), r"\2"),  # code spans
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"\*(?=\S)(.+?)(?<=\S)\*"), r"\1"),
    (re.compile(r"(?<![A-Za-z0-9])_(?=\S)(.+?)(?<=\S)_(?![A-Za-z0-9])"), r"\1"),
    (re.compile(r"~~(.+?)~~"), r"\1"),
)
_ESCAPED_BASE = 0xF0000  # escaped characters hide in a private-use plane


def _md_inline(text: str) -> str:
    text = _MD_ESCAPE.sub(lambda m: chr(_ESCAPED_BASE + ord(m.group(1))), text)
    for pattern, repl in _MD_INLINE:
        text = pattern.sub(repl, text)
    text = re.sub(
        "[\U000f0000-\U000f00ff]", lambda m: chr(ord(m.group()) - _ESCAPED_BASE), text
    )
    return _clean_line(text)


def _join_wrapped(lines: list[str]) -> str:
    """Join soft-wrapped lines: no space next to CJK, one space otherwise."""
    out = ""
    for line in lines:
        if out and not (
            re.match(f"[{_CJK}]", out[-1]) or re.match(f"[{_CJK}]", line[0])
        ):
            out += " "
        out += line
    return out


def _markdown_blocks(text: str) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """Return a Markdown text's blocks as (kind, text) and its front matter."""
    lines = text.split("\n")
    front: dict[str, str] = {}
    if lines and lines[0].strip() == "---":
        for k in range(1, min(len(lines), 60)):
            if lines[k].strip() in ("---", "..."):
                for raw in lines[1:k]:
                    key, sep, value = raw.partition(":")
                    if sep:
                        front[key.strip().lower()] = value.strip().strip("\"'")
                lines = lines[k + 1 :]
                break
    blocks: list[tuple[str, str]] = []
    para: list[str] = []
    fence = ""

    def flush(kind: str = "p") -> None:
        if para:
            content = _md_inline(_join_wrapped(para))
            if content:
                blocks.append((kind, content))
            para.clear()

    for raw in lines:
        line = raw.rstrip()
        if fence:
            if line.strip().startswith(fence):
                fence = ""
            elif line.strip():
                blocks.append(("p", _clean_line(line)))
            continue
        if match := _MD_FENCE.match(line):
            flush()
            fence = match.group(1)[:3]
            continue
        if not line.strip():
            flush()
            continue
        if para and (match := _MD_SETEXT.fullmatch(line)):
            flush("h1" if match.group(1)[0] == "=" else "h2")
            continue
        if _MD_RULE.fullmatch(line) or _MD_REFDEF.match(line):
            flush()
            continue
        if match := _MD_ATX.fullmatch(line):
            flush()
            heading = _md_inline(match.group(2))
            if heading:
                blocks.append((f"h{len(match.group(1))}", heading))
            continue
        line = _MD_QUOTE.sub("", line, count=1)
        if match := _MD_ITEM.match(line):
            flush()
            line = line[match.end() :]
        if line.lstrip().startswith("|"):
            flush()
            if not _MD_TABLE_RULE.fullmatch(line):
                cells = [c.strip() for c in line.strip().strip("|").split("|")]
                para.append(" ".join(c for c in cells if c))
                flush()
            continue
        para.append(line.strip())
    flush()
    return blocks, front


def _headed(blocks: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """Take the first ``h1`` and the headings right after it as headline lines."""
    first = next((k for k, (kind, _) in enumerate(blocks) if kind == "h1"), None)
    if first is None:
        return [], [t for _, t in blocks]
    end = first + 1
    while end < len(blocks) and blocks[end][0] in ("h2", "h3", "h4", "h5", "h6"):
        end += 1
    headlines = [t for _, t in blocks[first:end]]
    return headlines, [t for _, t in blocks[:first] + blocks[end:]]


def _read_markdown(text: str, ctx: _Context) -> list[Article]:
    blocks, front = _markdown_blocks(text)
    headlines, paras = _headed(blocks)
    if not headlines and front.get("title"):
        headlines = [_clean_line(front["title"])]
    byline = ""
    if front.get("author"):
        found = _byline(front["author"])
        byline = "、".join(found.names) if found else _clean_line(front["author"])
    date = iso_date(front["date"]) if front.get("date") else None
    return _titled_articles(headlines, paras, ctx, date=date, byline=byline)


# ----------------------------------------------------------------- .html

_HTML_SKIP = frozenset(
    [
        "script",
        "style",
        "nav",
        "header",
        "footer",
        "aside",
        "noscript",
        "template",
        "svg",
        "iframe",
        "form",
        "button",
        "select",
        "textarea",
        "object",
        "canvas",
    ]
)
_HTML_SKIP_ROLES = frozenset(
    [
        "navigation",
        "banner",
        "contentinfo",
        "complementary",
        "search",
        "menu",
        "menubar",
        "toolbar",
    ]
)
_HTML_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
_HTML_BLOCK = frozenset(
    [
        "address",
        "article",
        "blockquote",
        "br",
        "center",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    ]
)
_HTML_DATE_META = frozenset(
    [
        "pubdate",
        "publishdate",
        "publish_date",
        "publication_date",
        "date",
        "dc.date",
        "dc.date.issued",
        "article:published_time",
        "og:published_time",
        "og:release_date",
    ]
)
_HTML_JOIN = re.compile(rf"(?<=[{_CJK}])[ \t\r\f\v]*\n\s*(?=[{_CJK}])")
_SITE_SUFFIX = re.compile(r"\s*[|_\uff5c]\s*|\s+[-\u2013\u2014]\s+")


class _MainText(HTMLParser):
    """Collect the text blocks of an HTML page, leaving page furniture out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str, bool]] = []  # kind, text, inside main
        self.title = ""
        self.dates: list[str] = []
        self.author = ""
        self._stack: list[tuple[str, bool, bool]] = []  # tag, skips, is main
        self._skip = 0
        self._main = 0
        self._buf: list[str] = []
        self._kind = "p"
        self._in_title = False
        self._title_parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            self._meta(attr)
            return
        if tag == "title":
            self._in_title = not self._skip and not self.title
            return
        if tag == "time" and attr.get("datetime"):
            self.dates.append(attr["datetime"])
        skips = (
            # An <article>'s own <header> holds its headline.
            (tag in _HTML_SKIP and not (tag == "header" and self._main))
            or attr.get("role", "").lower() in _HTML_SKIP_ROLES
            or "hidden" in attr
            or attr.get("aria-hidden", "").lower() == "true"
        )
        if tag in _HTML_BLOCK or skips:
            self._flush()
        if tag in _HTML_VOID:
            return
        is_main = tag in ("main", "article")
        self._stack.append((tag, skips, is_main))
        self._skip += skips
        self._main += is_main
        if re.fullmatch(r"h[1-6]", tag):
            self._kind = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            if self._in_title:
                self.title = _clean_line("".join(self._title_parts))
            self._in_title = False
            return
        if tag in _HTML_BLOCK or tag in _HTML_SKIP:
            self._flush()
        for k in range(len(self._stack) - 1, -1, -1):
            if self._stack[k][0] == tag:
                # Close the tag and whatever was left open inside it.
                for _, skips, is_main in self._stack[k:]:
                    self._skip -= skips
                    self._main -= is_main
                del self._stack[k:]
                break

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title_parts.append(data)
        elif not self._skip:
            self._buf.append(data)

    def close(self) -> None:
        # A tag or comment cut off at the end of the file is not text.
        if re.match(r"</?[A-Za-z]|<!", self.rawdata):
            self.rawdata = ""
        super().close()
        self._flush()
        if self._in_title and not self.title:
            self.title = _clean_line("".join(self._title_parts))

    def _meta(self, attr: dict[str, str]) -> None:
        key = (
            attr.get("name") or attr.get("property") or attr.get("itemprop") or ""
        ).lower()
        content = attr.get("content", "")
        if key in _HTML_DATE_META and content:
            self.dates.append(content)
        elif key == "author" and content:
            self.author = content

    def _flush(self) -> None:
        text = _HTML_JOIN.sub("", "".join(self._buf))
        text = re.sub(r"\s+", " ", text).strip()
        self._buf = []
        if text:
            self.blocks.append((self._kind, text, self._main > 0))
        self._kind = "p"


def _read_html(text: str, ctx: _Context) -> list[Article]:
    parser = _MainText()
    parser.feed(text)
    parser.close()
    blocks = parser.blocks
    if any(main for _, _, main in blocks):
        outside_h1 = next(
            (t for kind, t, main in blocks if kind == "h1" and not main), None
        )
        blocks = [b for b in blocks if b[2]]
        if outside_h1 and not any(kind == "h1" for kind, _, _ in blocks):
            blocks.insert(0, ("h1", outside_h1, True))
    pairs = [(kind, t) for kind, t, _ in blocks]
    headlines, paras = _headed(pairs)
    if headlines:
        # Text before the <h1> (site name, breadcrumbs, log-in links) is furniture.
        first = next(k for k, (kind, _) in enumerate(pairs) if kind == "h1")
        paras = paras[first:]
    elif parser.title:
        title = _SITE_SUFFIX.split(parser.title)[0]
        headlines = [title if len(title) >= 4 else parser.title]
    date = next((d for d in map(iso_date, parser.dates) if d), None)
    found = _byline(parser.author) if parser.author else None
    byline = "、".join(found.names) if found else ""
    return _titled_articles(
        headlines, paras, ctx, date=date, byline=byline, furniture=True
    )


# ---------------------------------------------------------------- .jsonl


def _read_jsonl(text: str, ctx: _Context, errors: list[CorpusError]) -> list[Article]:
    articles: list[Article] = []
    seen: dict[str, int] = {}
    # Split on "\n" only: a JSON string may hold U+2028, which splitlines() cuts.
    for number, raw in enumerate(re.split(r"\r?\n", text), 1):
        if not raw.strip():
            continue
        where = f"{ctx.source}:{number}"
        try:
            article = _jsonl_article(raw, ctx, number, where)
        except CorpusError as err:
            errors.append(err)
            continue
        if article.doc in seen:
            errors.append(
                CorpusError(
                    f"{where}: duplicate id {article.doc!r} (first on line "
                    f"{seen[article.doc]}); give each record its own id"
                )
            )
            continue
        seen[article.doc] = number
        articles.append(article)
    return articles


def _jsonl_article(raw: str, ctx: _Context, number: int, where: str) -> Article:
    try:
        record = json.loads(raw.lstrip("\ufeff"))
    except json.JSONDecodeError as err:
        raise CorpusError(
            f"{where}: malformed JSON ({err.msg.removesuffix(' at')} at column "
            f"{err.colno}); fix or remove the line"
        ) from err
    if not isinstance(record, dict):
        raise CorpusError(
            f"{where}: expected a JSON object, got {type(record).__name__}; "
            "fix or remove the line"
        )
    if "text" not in record:
        raise CorpusError(f'{where}: missing "text"; add it or remove the line')
    expected: dict[str, tuple[type, ...]] = {
        "id": (str, int),
        "title": (str, type(None)),
        "date": (str, type(None)),
        "text": (str,),
    }
    for key, types in expected.items():
        value = record.get(key)
        if key in record and (not isinstance(value, types) or isinstance(value, bool)):
            wanted = " or ".join(
                "null" if t is type(None) else t.__name__ for t in types
            )
            raise CorpusError(
                f'{where}: "{key}" must be {wanted}, not {type(value).__name__}; '
                "fix or remove the line"
            )
    body = _lines(normalize_text(record["text"]))
    if not body:
        raise CorpusError(
            f'{where}: empty "text"; add the article text or remove the line'
        )
    doc = (
        _clean_line(normalize_text(str(record.get("id", "")))) or f"{ctx.doc}-{number}"
    )
    title = _clean_line(normalize_text(record.get("title") or ""))
    date = None
    if record.get("date"):
        date = iso_date(record["date"])
        if date is None:
            logger.warning("%s: date %r is not a date; left out", where, record["date"])
    draft = _single_draft([title] if title else [], body)
    draft.date = draft.date or date
    return _to_article(draft, ctx, "a1", doc=doc)
