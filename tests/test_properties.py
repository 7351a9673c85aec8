"""Property-based tests (hypothesis): any input gives a result or a clean error.

- the corpus reader: any bytes, in any suffix, give articles or a CorpusError;
- the amount and date normalisers: any text gives values or None, and written
  numbers and days read back as what they were made from;
- the extractor: any Unicode article gives a graph whose offsets point at its
  evidence (``article.text[start:end]``, or the byline for what a byline says).

Examples are bounded and derandomized, so the suite is the same on every run;
set ``KG_PROPERTY_EXAMPLES=500`` to explore more (randomly).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kg import corpus
from kg.errors import CorpusError
from kg.extract import byline_names, extract_document
from kg.pipeline import attributes
from kg.records import ENTITY_TYPES, Article

_EXPLORE = int(os.environ.get("KG_PROPERTY_EXAMPLES", "0"))


def bounded(examples: int) -> Any:
    """Settings for one property: few fixed examples, or many random ones."""
    return settings(
        max_examples=_EXPLORE or examples,
        derandomize=not _EXPLORE,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# -- strategies ---------------------------------------------------------------------

# Pieces of invented news text, so that random articles name things and relate them.
PIECES = [
    "岚溪市", "望川县", "翠屏区", "鹭港", "澄湾科技有限公司", "澄湾科技",
    "禾丰新材料股份有限公司", "北岭理工大学", "北岭理工大学材料学院", "岚溪储能研究院",
    "岚溪市人民政府", "管委会", "岚溪经济技术开发区", "苏明澈", "沈知秋", "韩若水",
    "总经理", "董事长", "教授", "院长", "表示", "介绍", "与", "和", "、",
    "签署合作协议", "共建", "合作", "投资建设", "承建", "年产5万吨储能材料项目",
    "项目", "产业园",
    "总投资", "12亿元", "3.5亿美元", "三千万元", "贷款", "融资", "获得", "位于", "落户",
    "（以下简称“澄湾”）", "澄湾", "（简称禾丰）", "8月13日", "2025年3月5日", "今年5月",
    "。", "，", "；", "！", "？", "\n", "“", "”", "（", "）", "(", ")", "《", "》", " ",
    "\u3000", "\uff11\uff12亿元", "\uff21\uff22\uff23", "记者", "摄",
]  # fmt: skip
TEXT = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), min_size=1, max_size=30
).map("".join)
BYLINE = st.one_of(
    st.just(""),
    st.sampled_from(["记者 苏明澈", "苏明澈、沈知秋", "文/韩若水", "（记者 沈知秋）"]),
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "记者",
                    "苏明澈",
                    "沈知秋",
                    "苏",
                    "明",
                    "澈",
                    " ",
                    "/",
                    "、",
                    "摄",
                    "（",
                    ")",
                    "报道",
                ]
            ),
            st.text(max_size=4),
        ),
        max_size=6,
    ).map("".join),
)


@st.composite
def articles(draw: st.DrawFn) -> list[Article]:
    """One to three articles of one document, each with a title, text and byline."""
    out = []
    for k in range(1, draw(st.integers(1, 3)) + 1):
        title = draw(st.one_of(st.just(""), TEXT.map(lambda t: t[:20])))
        body = draw(TEXT)
        text = f"{title}\n{body}" if title else body
        out.append(
            Article(
                doc="prop",
                id=f"a{k}",
                title=title,
                text=text,
                byline=draw(BYLINE),
                date=draw(st.sampled_from([None, "2025-08-13"])),
                body_start=len(title) + 1 if title else 0,
            )
        )
    return out


# -- the corpus reader --------------------------------------------------------------

ENCODINGS = [
    "utf-8",
    "utf-8-sig",
    "gb18030",
    "big5",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
]


def _check_articles(found: list[Article]) -> None:
    for article in found:
        assert isinstance(article.text, str) and isinstance(article.title, str)
        assert 0 <= article.body_start <= len(article.text)
        # The text is already normal: no control or zero-width characters, NFC.
        assert corpus.normalize_text(article.text) == article.text
        assert "\r" not in article.text
        assert article.date is None or dt.date.fromisoformat(article.date)
        for field in (article.doc, article.title, article.text, article.byline):
            field.encode("utf-8")  # no lone surrogate: every encoder takes it
        assert article.id.startswith("a") and article.doc


def _read(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"doc{suffix}"
        path.write_bytes(data)
        try:
            item = corpus.read_file(path)
        except CorpusError as err:
            assert str(err).startswith(str(path)) and "\n" not in str(err)
            return
        _check_articles(item.articles)
        for error in item.errors:
            assert isinstance(error, CorpusError) and str(error).startswith(str(path))
        (again,) = list(corpus.read_corpus([path]))
        assert again.articles == item.articles


@bounded(150)
@given(data=st.binary(max_size=2000), suffix=st.sampled_from(corpus.SUFFIXES))
def test_any_bytes_give_articles_or_a_corpus_error(data: bytes, suffix: str) -> None:
    _read(data, suffix)


@bounded(150)
@given(
    text=st.one_of(TEXT, st.text(max_size=300)),
    encoding=st.sampled_from(ENCODINGS),
    suffix=st.sampled_from(corpus.SUFFIXES),
)
def test_any_text_in_any_encoding_gives_articles_or_a_corpus_error(
    text: str, encoding: str, suffix: str
) -> None:
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        assume(False)
        return
    _read(data, suffix)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@bounded(100)
@given(
    records=st.lists(
        st.dictionaries(
            st.sampled_from(["id", "title", "date", "text", "extra"]),
            st.one_of(JSON_VALUES, TEXT),
            max_size=5,
        ),
        max_size=6,
    ),
    junk=st.lists(st.text(max_size=30), max_size=3),
)
def test_any_jsonl_gives_articles_and_line_errors(
    records: list[dict[str, object]], junk: list[str]
) -> None:
    import json

    lines = [json.dumps(r, ensure_ascii=False) for r in records] + junk
    _read("\n".join(lines).encode("utf-8"), ".jsonl")


# Text with lone surrogates, which a .jsonl string can hold as "\ud800" escapes.
SURROGATES = st.text(
    alphabet=st.one_of(st.characters(), st.integers(0xD800, 0xDFFF).map(chr)),
    max_size=40,
)


@bounded(100)
@given(
    fields=st.dictionaries(
        st.sampled_from(["id", "title", "date", "text"]),
        st.one_of(SURROGATES, TEXT.map(lambda t: t + "\ud800")),
        min_size=1,
    )
)
def test_jsonl_strings_with_lone_surrogates_read_clean(fields: dict[str, str]) -> None:
    import json

    line = json.dumps(fields, ensure_ascii=True)  # "\ud800" stays an escape
    _read(line.encode("ascii") + b"\n", ".jsonl")


@bounded(200)
@given(st.binary(max_size=500))
def test_decode_bytes_gives_text_or_a_corpus_error(data: bytes) -> None:
    try:
        text, encoding = corpus.decode_bytes(data, "x.txt")
    except CorpusError as err:
        assert str(err).startswith("x.txt")
        return
    assert isinstance(text, str) and encoding


@bounded(200)
@given(st.text(max_size=300))
def test_utf8_text_decodes_as_itself(text: str) -> None:
    try:
        decoded, encoding = corpus.decode_bytes(text.encode("utf-8"), "x.txt")
    except CorpusError as err:
        assert "binary" in str(err) or "empty" in str(err)
        return
    if encoding != "utf-8":
        # Text full of NULs is also UTF-16 of ASCII ("a\x00b\x00" is "ab").
        assert encoding.startswith("utf-16") and "\x00" in text
        return
    assert decoded == text.removeprefix("\ufeff")


@bounded(200)
@given(st.text(max_size=200))
def test_normalize_text_is_idempotent_and_clean(text: str) -> None:
    once = corpus.normalize_text(text)
    assert corpus.normalize_text(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert not any(ch in once for ch in "\r\u200b\u200c\u200d\ufeff\x00\x07")


@bounded(200)
@given(
    st.one_of(
        st.text(max_size=40),
        st.dates().map(lambda d: f"{d.year}年{d.month}月{d.day}日"),
    )
)
def test_iso_date_gives_a_valid_date_or_none(value: str) -> None:
    found = corpus.iso_date(value)
    assert found is None or dt.date.fromisoformat(found)


@bounded(100)
@given(st.dates(min_value=dt.date(1000, 1, 1)), st.sampled_from(["-", "/", ".", "年"]))
def test_iso_date_reads_every_written_day(day: dt.date, sep: str) -> None:
    end = "日" if sep == "年" else ""
    second = "月" if sep == "年" else sep
    assert (
        corpus.iso_date(f"{day.year}{sep}{day.month}{second}{day.day}{end}")
        == day.isoformat()
    )


@bounded(150)
@given(st.text(max_size=60))
def test_parse_byline_never_raises(line: str) -> None:
    names = corpus.parse_byline(line)
    assert names is None or all(n and n in line for n in names.split("、"))


# -- amounts and dates ----------------------------------------------------------------

CN_DIGITS = "零一二三四五六七八九"


def _chinese(n: int) -> str:
    """Write 1 <= n < 10,000 in Chinese numerals (三千零五, 十二 is 一十二)."""
    out = ""
    zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            out += ("零" if zero and out else "") + CN_DIGITS[digit] + unit
            zero = False
        elif out:
            zero = True
    return out


NUMERIC_TEXT = st.lists(
    st.one_of(
        st.sampled_from(
            [
                *"0123456789.,万亿千百十元美欧港日零一二三四五六七八九两余多数几约点",
                *["亿元", "万元", "总投资", "投资", "贷款", "签约", "。", "，", "\n"],
            ]
        ),
        st.text(max_size=3),
    ),
    max_size=30,
).map("".join)


@bounded(300)
@given(st.one_of(NUMERIC_TEXT, st.text(max_size=40)))
def test_parse_number_gives_a_value_or_none(text: str) -> None:
    value = attributes.parse_number(text)
    assert value is None or (isinstance(value, Decimal) and value >= 0)


@bounded(300)
@given(st.one_of(NUMERIC_TEXT, st.text(max_size=60)))
def test_find_amounts_spans_are_the_amount_text(text: str) -> None:
    found = attributes.find_amounts(text)
    previous = 0
    for start, end, amount in found:
        assert previous <= start < end <= len(text)
        assert text[start:end] == amount.text
        assert amount.amount >= 0 and amount.currency in set(
            attributes.CURRENCIES.values()
        )
        previous = end
    kept = attributes.find_investments(text)
    assert all(k in found for k in kept)
    single = attributes.parse_amount(text)
    assert single is None or single.text in text


@bounded(200)
@given(
    st.integers(min_value=0, max_value=10**15),
    st.sampled_from(["", "万", "亿", "万亿"]),
    st.sampled_from(sorted(attributes.CURRENCIES)),
    st.booleans(),
)
def test_written_amounts_read_back(
    n: int, unit: str, currency: str, fullwidth: bool
) -> None:
    scale = {"": 1, "万": 10**4, "亿": 10**8, "万亿": 10**12}[unit]
    digits = str(n)
    if fullwidth:
        digits = digits.translate({ord("0") + i: 0xFF10 + i for i in range(10)})
    amount = attributes.parse_amount(f"{digits}{unit}{currency}")
    assert amount is not None
    assert (amount.amount, amount.currency) == (
        n * scale,
        attributes.CURRENCIES[currency],
    )
    assert attributes.parse_amount(
        f"约{n:,}{unit}{currency}左右"
    ) == attributes.parse_amount(f"{n:,}{unit}{currency}")


@bounded(200)
@given(st.integers(min_value=2, max_value=9999), st.sampled_from(["", "万", "亿"]))
def test_chinese_numerals_read_back(n: int, unit: str) -> None:
    scale = {"": 1, "万": 10**4, "亿": 10**8}[unit]
    assert attributes.parse_number(_chinese(n) + unit) == n * scale
    assume(len(_chinese(n) + unit) > 1)  # 三元材料: one numeral before 元 is a word
    amount = attributes.parse_amount(f"{_chinese(n)}{unit}元")
    assert amount is not None and amount.amount == n * scale


@bounded(300)
@given(
    st.one_of(NUMERIC_TEXT, st.text(max_size=40), TEXT),
    st.one_of(st.none(), st.dates().map(dt.date.isoformat)),
)
def test_find_dates_gives_valid_days(text: str, ref: str | None) -> None:
    for start, end, iso in attributes.find_dates(text, ref):
        assert 0 <= start < end <= len(text)
        assert dt.date.fromisoformat(iso)
    resolved = attributes.resolve_date(text, ref)
    assert resolved is None or dt.date.fromisoformat(resolved)


@bounded(200)
@given(st.dates(min_value=dt.date(1000, 1, 1)), st.sampled_from(["年月日", "-", "/"]))
def test_written_days_read_back(day: dt.date, form: str) -> None:
    if form == "年月日":
        text = f"{day.year}年{day.month}月{day.day}日"
    else:
        text = f"{day.year}{form}{day.month:02d}{form}{day.day:02d}"
    assert attributes.resolve_date(text) == day.isoformat()
    assert (
        attributes.resolve_date(f"{day.month}月{day.day}日", day.isoformat())
        == day.isoformat()
    )


def test_bad_reference_date_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="reference date"):
        attributes.find_dates("8月13日", "yesterday")


# -- the extractor --------------------------------------------------------------------


@bounded(300)
@given(BYLINE)
def test_byline_names_are_written_in_the_byline(byline: str) -> None:
    for name in byline_names(byline):
        assert name in byline


def _where(article: Article, source: str) -> str:
    return article.byline if source == "byline" else article.text


@bounded(60)
@given(docs=articles())
def test_extractor_offsets_point_at_the_evidence(nlp: Any, docs: list[Article]) -> None:
    graph = extract_document("prop.txt", docs, nlp)
    by_id = {a.id: a for a in docs}
    for entity in graph.entities:
        assert entity.type in ENTITY_TYPES and entity.name
        for m in entity.mentions:
            article = by_id[m.article]
            where = _where(article, m.source)
            assert 0 <= m.start <= m.end <= len(where)
            assert where[m.start : m.end] == m.text, (m, where)
    for r in graph.relations:
        article = by_id[r.article]
        where = _where(article, r.source)
        assert 0 <= r.start <= r.end <= len(where)
        assert where[r.start : r.end] == r.evidence, (r, where)
        assert 0 < r.confidence <= 1


@bounded(30)
@given(docs=articles())
def test_extractor_output_becomes_rdf(nlp: Any, docs: list[Article]) -> None:
    from kg import rdf

    graph = extract_document("prop.txt", docs, nlp)
    graphs = rdf.document_quads(graph)
    assert len(graphs) == len(docs)
