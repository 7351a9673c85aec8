"""Attribute parsers: money amounts, investments and dates in Chinese news text.

Pure functions over strings. Offsets are character offsets into the string
given; full-width digits are read as digits without changing any offset.

- :func:`parse_amount` reads one amount (``"17亿元"`` → 1 700 000 000 CNY).
- :func:`find_amounts` finds every amount in a text.
- :func:`find_investments` keeps the amounts that a sentence gives as an
  investment (``总投资17亿元``), not a contract value, revenue or loan.
- :func:`resolve_date` and :func:`find_dates` turn ``8月13日`` or
  ``2024年3月5日`` into ISO dates, with a reference date for the year.

Arithmetic is done in :class:`decimal.Decimal`, so ``419.85亿元`` is exactly
41 985 000 000.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from kg.records import Amount

__all__ = [
    "CURRENCIES",
    "INVESTMENT_BLOCKERS",
    "INVESTMENT_CUES",
    "find_amounts",
    "find_dates",
    "find_investments",
    "parse_amount",
    "parse_number",
    "resolve_date",
]

# Full-width digits and the full-width full stop map one-to-one onto ASCII,
# so a translated text keeps every offset of the original.
_FULLWIDTH = str.maketrans(
    "".join(chr(0xFF10 + i) for i in range(10)) + "\uff0e", "0123456789."
)

_CN_DIGITS: dict[str, int] = {
    "零": 0,
    "\u3007": 0,  # ideographic number zero
    "○": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "贰": 2,
    "貳": 2,
    "两": 2,
    "兩": 2,
    "三": 3,
    "叁": 3,
    "參": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "陸": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
_SMALL_UNITS: dict[str, int] = {
    "十": 10,
    "拾": 10,
    "百": 100,
    "佰": 100,
    "千": 1000,
    "仟": 1000,
}
_BIG_UNITS: dict[str, int] = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}

#: Currency words after a number, longest first, and their ISO 4217 codes.
CURRENCIES: dict[str, str] = {
    "人民币": "CNY",
    "美元": "USD",
    "美金": "USD",
    "欧元": "EUR",
    "港元": "HKD",
    "港币": "HKD",
    "日元": "JPY",
    "韩元": "KRW",
    "澳元": "AUD",
    "英镑": "GBP",
    "卢布": "RUB",
    "元": "CNY",
}

_CN_NUM_CHARS = "".join([*_CN_DIGITS, *_SMALL_UNITS, *_BIG_UNITS])
_CN_START = "".join([*_CN_DIGITS, *_SMALL_UNITS])
_UNIT_CHARS = "".join([*_SMALL_UNITS, *_BIG_UNITS])
# A money run is Arabic digits (with thousands commas and a decimal part)
# followed by units and more digits ("1亿5000万", "5千万"), or Chinese numerals
# (with 点 as decimal point: "三点五亿"); 余/多 may stand inside ("3000余万元").
# A run never starts with 万 or 亿 ("万元GDP能耗" is no amount) nor follows
# 数 or 几 (vague: 数十亿元). Atomic groups keep the digit loops linear.
_ARABIC = r"(?>(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?)"
_CN_DIGIT_CHARS = "".join(_CN_DIGITS)
_ARABIC_RUN = (
    rf"(?<![\d.,]){_ARABIC}(?:[{_UNIT_CHARS}{_CN_DIGIT_CHARS}余多]|{_ARABIC})*"
)
_CHINESE_RUN = (
    rf"(?<![{_CN_NUM_CHARS}数几])[{_CN_START}][{_CN_NUM_CHARS}余多]*"
    rf"(?:点[{_CN_DIGIT_CHARS}]+[{_UNIT_CHARS}余多]*)?"
)
_CURRENCY = "|".join(sorted(CURRENCIES, key=len, reverse=True))
# 元 must not begin another word (元素, 元件, 元宵, 元旦, 二元化).
_AMOUNT_RE = re.compile(
    rf"(?P<num>{_ARABIC_RUN}|{_CHINESE_RUN})(?P<cur>{_CURRENCY})(?![素件宵旦化])"
)
# Words that may stand before an amount in parse_amount's input.
_PREFIX_RE = re.compile(
    r"^\s*(?:约合|约为|约|大约|超过|超|逾|近|将近|接近|达到|达|高达|多达|共计|合计|"
    r"总计|累计|计|不少于|不低于|至少|人民币)?\s*"
)
_SUFFIX_RE = re.compile(r"\s*(?:左右|以上|以下|上下|之多|多)?\s*$")

#: Words that make a following amount the investment of a project.
INVESTMENT_CUES: tuple[str, ...] = (
    "总投资额",
    "投资总额",
    "计划总投资",
    "总投资",
    "计划投资",
    "项目投资",
    "拟投资",
    "预计投资",
    "投资规模",
    "总投入",
    "投资",
    "投入",
)
#: Words that, between a cue and an amount (or right before the amount),
#: make it something else: a contract value, revenue, a loan, a flow.
INVESTMENT_BLOCKERS: tuple[str, ...] = (
    "签约金额",
    "签约额",
    "签约总额",
    "签约",
    "合同额",
    "合同金额",
    "营收",
    "营业收入",
    "销售收入",
    "销售额",
    "收入",
    "产值",
    "贷款",
    "授信",
    "融资",
    "净流入",
    "流入资金",
    "利润",
    "利税",
    "税收",
    "纳税",
    "补贴",
    "奖补",
    "奖励",
    "资助",
    "交易额",
    "成交额",
    "出口额",
    "进出口",
    "市值",
    "注册资本",
    "增加值",
    "完成投资",
    "已投资",
    "累计投资",
    "已完成",
    "累计完成",
    "年度投资",
)
_INVESTMENT_WINDOW = 12
_SENTENCE_BREAK = re.compile(r"[。；;！？!?\n]")

_CN_YEAR = "[〇零○一二三四五六七八九]{4}"
_CN_MONTH = "十[一二]?|[一二三四五六七八九]"
_CN_DAY = "[二三]?十[一二三四五六七八九]?|[一二三四五六七八九]"
_RELATIVE_YEARS = {"今年": 0, "本年": 0, "去年": -1, "上年": -1, "前年": -2, "明年": 1}
_DATE_RE = re.compile(
    rf"(?:(?P<year>(?<!\d)\d{{4}}|{_CN_YEAR})年|(?P<rel>{'|'.join(_RELATIVE_YEARS)}))?"
    rf"(?<![\d一二三四五六七八九十])(?P<month>\d{{1,2}}|{_CN_MONTH})月"
    rf"(?P<day>\d{{1,2}}|{_CN_DAY})[日号](?!\d)"
)
_ISO_DATE_RE = re.compile(
    r"(?<!\d)(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})(?!\d)"
)


def _digits(text: str) -> str:
    return text.translate(_FULLWIDTH)


def parse_number(text: str) -> Decimal | None:
    """Read a number written in Arabic digits, Chinese numerals or a mix.

    Units multiply what stands before them, as in speech: ``1亿5000万``,
    ``三千五百万``, ``1.2万亿``, ``百亿``. 余 and 多 (more than) are read as
    nothing. Full-width digits are accepted.

    Args:
        text: The number alone, without a currency.

    Returns:
        The value, exactly, or None when ``text`` is not a number.

    Example:
        >>> parse_number("1.2万亿")
        Decimal('1200000000000.0')
        >>> parse_number("三千五百万")
        Decimal('35000000')
        >>> parse_number("1亿5000万")
        Decimal('150000000')
        >>> parse_number("亿") is None
        True
    """
    text = _digits(text).replace(",", "").strip()
    if not text or text[0] in _BIG_UNITS:
        return None
    total = Decimal(0)  # everything multiplied by 万 or 亿 so far
    section = Decimal(0)  # the part below 万 being built
    current: Decimal | None = None  # the last number not yet given a unit
    last_was_digit = False
    seen = False  # a digit or numeral has been read (so 0万 is 0, not 万)
    i = 0
    while i < len(text):
        char = text[i]
        seen = seen or char.isdigit() or char in _CN_DIGITS
        if char.isdigit() or char == ".":
            match = re.match(r"\d+(?:\.\d+)?", text[i:])
            if match is None or current is not None:
                return None
            current = Decimal(match.group())
            i += match.end()
            last_was_digit = False
            continue
        if char in _CN_DIGITS:
            digit = Decimal(_CN_DIGITS[char])
            # "二〇二五" reads digit by digit; "三千零五" drops the 零.
            if last_was_digit and current is not None:
                current = current * 10 + digit
            elif char not in "零\u3007○" or current is None:
                current = digit
            last_was_digit = True
        elif char == "点" and current is not None:
            match = re.match(rf"[{_CN_DIGIT_CHARS}]+", text[i + 1 :])
            if match is None:
                return None
            fraction = "".join(str(_CN_DIGITS[c]) for c in match.group())
            current = Decimal(f"{current}.{fraction}")
            i += 1 + match.end()
            last_was_digit = False
            continue
        elif char in _SMALL_UNITS:
            section += (current if current is not None else 1) * _SMALL_UNITS[char]
            current = None
            last_was_digit = False
        elif char in _BIG_UNITS:
            value = section + (current if current is not None else 0)
            if char in "亿億":
                # 亿 multiplies everything before it: 1.2万亿 = 1.2 * 10^4 * 10^8.
                value += total
                # A unit after no number counts one (十亿 has 十); 0万亿 is 0.
                total = (value if value or seen else Decimal(1)) * _BIG_UNITS[char]
            else:
                total += (value if value or seen else Decimal(1)) * _BIG_UNITS[char]
            section = Decimal(0)
            current = None
            last_was_digit = False
        elif char in "余多":
            last_was_digit = False
        else:
            return None
        i += 1
    return total + section + (current if current is not None else 0)


def _to_amount(number: str, currency: str, text: str) -> Amount | None:
    value = parse_number(number)
    if value is None:
        return None
    try:
        units = int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except InvalidOperation:
        return None
    return Amount(amount=units, currency=CURRENCIES[currency], text=text)


def find_amounts(text: str) -> list[tuple[int, int, Amount]]:
    """Find every amount of money in a text.

    An amount is a number (Arabic digits, Chinese numerals or both) with
    optional units 万/亿/千万/百万/万亿 followed by a currency (元, 美元, 欧元,
    港元, 日元, 英镑, …). Vague amounts (数十亿元, 几千万元) and a bare unit
    (万元, 亿元) are not amounts, nor is one Chinese numeral before 元
    (三元材料).

    Args:
        text: Any text.

    Returns:
        ``(start, end, amount)`` triples in text order; ``text[start:end]``
        is ``amount.text``, the number and unit as written.

    Example:
        >>> found = find_amounts("投资17亿元，另有2.5亿美元")
        >>> [(s, e, a.amount, a.currency) for s, e, a in found]
        [(2, 6, 1700000000, 'CNY'), (9, 15, 250000000, 'USD')]
        >>> find_amounts("每万元GDP能耗下降，数十亿元")
        []
    """
    found: list[tuple[int, int, Amount]] = []
    for match in _AMOUNT_RE.finditer(_digits(text)):
        start, end = match.span()
        if len(match["num"]) == 1 and not match["num"].isdigit():
            continue  # 三元材料, 二元结构: a word, not three yuan
        amount = _to_amount(match["num"], match["cur"], text[start:end])
        if amount is not None:
            found.append((start, end, amount))
    return found


def parse_amount(text: str) -> Amount | None:
    """Read one amount of money written on its own.

    Words like 约, 超过, 逾, 近 before the amount and 左右, 以上 after it are
    allowed and left out of :attr:`Amount.text`.

    Args:
        text: An amount such as ``"17亿元"`` or ``"约2.5亿美元"``.

    Returns:
        The amount in whole units of its currency, or None when ``text`` is
        not exactly one amount.

    Example:
        >>> parse_amount("419.85亿元")
        Amount(amount=41985000000, currency='CNY', text='419.85亿元')
        >>> parse_amount("约１７亿元")
        Amount(amount=1700000000, currency='CNY', text='１７亿元')
        >>> parse_amount("5000万欧元").currency
        'EUR'
        >>> parse_amount("17亿") is None
        True
    """
    prefix = _PREFIX_RE.match(text)
    start = prefix.end() if prefix else 0
    suffix = _SUFFIX_RE.search(text, start)
    end = suffix.start() if suffix else len(text)
    found = find_amounts(text[start:end])
    if len(found) != 1:
        return None
    first, last, amount = found[0]
    if first != 0 or last != end - start:
        return None
    return amount


def _last_cue(window: str) -> int | None:
    """Return where the cue nearest the window's end starts, or None."""
    best: tuple[int, int] | None = None  # (end, -start): nearest, then longest
    for cue in INVESTMENT_CUES:
        at = window.rfind(cue)
        if at >= 0 and (best is None or (at + len(cue), -at) > best):
            best = (at + len(cue), -at)
    return None if best is None else -best[1]


def find_investments(sentence: str) -> list[tuple[int, int, Amount]]:
    """Find the amounts a sentence gives as the investment in a project.

    An amount counts when one of :data:`INVESTMENT_CUES` (总投资, 投资, 拟投资,
    投入, …) ends within 12 characters before it, in the same clause of the
    sentence, and neither another amount nor one of
    :data:`INVESTMENT_BLOCKERS` (签约金额, 营收, 贷款, 净流入, …) stands
    between the cue and the amount.

    Args:
        sentence: One sentence (a longer text works; cues never reach over
            。；！？ or a line break).

    Returns:
        ``(start, end, amount)`` triples, in text order, as
        :func:`find_amounts` gives them.

    Example:
        >>> found = find_investments("项目总投资约17亿元，签约金额5亿元。")
        >>> [a.text for _, _, a in found]
        ['17亿元']
        >>> find_investments("去年营收达到30亿元，获得贷款2亿元")
        []
    """
    kept: list[tuple[int, int, Amount]] = []
    previous_end = -1
    for start, end, amount in find_amounts(sentence):
        window_start = max(0, start - _INVESTMENT_WINDOW)
        window = sentence[window_start:start]
        breaks = list(_SENTENCE_BREAK.finditer(window))
        if breaks:
            window_start += breaks[-1].end()
            window = sentence[window_start:start]
        cue = _last_cue(window)
        # A cue already spent on an earlier amount does not reach this one.
        spent = cue is not None and previous_end > window_start + cue
        previous_end = end
        if cue is None or spent:
            continue
        # A blocker counts when it overlaps or follows the cue (完成投资 holds 投资).
        if any(
            (at := window.rfind(blocker)) >= 0 and at + len(blocker) > cue
            for blocker in INVESTMENT_BLOCKERS
        ):
            continue
        kept.append((start, end, amount))
    return kept


def _cn_int(text: str) -> int:
    """Read a small Chinese numeral (a year digit by digit, a month, a day)."""
    if text.isdigit():
        return int(text)
    if any(c in _SMALL_UNITS for c in text):
        value = parse_number(text)
        return int(value) if value is not None else -1
    return int("".join(str(_CN_DIGITS[c]) for c in text))


def _closest_year(month: int, day: int, ref: dt.date) -> dt.date | None:
    candidates = []
    for year in (ref.year - 1, ref.year, ref.year + 1):
        try:
            candidates.append(dt.date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        return None
    return min(candidates, key=lambda d: (abs((d - ref).days), d > ref))


def _parse_ref(ref: str | None) -> dt.date | None:
    if not ref:
        return None
    try:
        return dt.date.fromisoformat(ref[:10])
    except ValueError as err:
        raise ValueError(f"reference date {ref!r} is not YYYY-MM-DD") from err


def _date_from_match(match: re.Match[str], ref: dt.date | None) -> str | None:
    month = _cn_int(match["month"])
    day = _cn_int(match["day"])
    groups = match.groupdict()
    try:
        if groups.get("year"):
            return dt.date(_cn_int(match["year"]), month, day).isoformat()
        if ref is None:
            return None
        if groups.get("rel"):
            year = ref.year + _RELATIVE_YEARS[match["rel"]]
            return dt.date(year, month, day).isoformat()
    except ValueError:
        return None
    closest = _closest_year(month, day, ref)
    return closest.isoformat() if closest else None


def find_dates(text: str, ref: str | None = None) -> list[tuple[int, int, str]]:
    """Find every calendar day in a text.

    Reads ``2024年3月5日``, ``今年3月5日``, ``8月13日``, ``三月五日``,
    ``2024-03-05`` and ``2024/3/5``, in Arabic, full-width or Chinese
    digits. A day without a year takes the year that puts it closest to
    ``ref`` (an article of 2025-01-03 speaking of 12月28日 means 2024-12-28).
    A year or a month alone is not a day.

    Args:
        text: Any text.
        ref: The reference date, ``YYYY-MM-DD`` (the article's date), or None.

    Returns:
        ``(start, end, iso_date)`` triples in text order.

    Raises:
        ValueError: If ``ref`` is not an ISO date.

    Example:
        >>> find_dates("8月13日开工，2024年3月5日签约", "2025-08-20")
        [(0, 5, '2025-08-13'), (8, 17, '2024-03-05')]
    """
    reference = _parse_ref(ref)
    normal = _digits(text)
    found: list[tuple[int, int, str]] = []
    for pattern in (_DATE_RE, _ISO_DATE_RE):
        for match in pattern.finditer(normal):
            iso = _date_from_match(match, reference)
            if iso is not None:
                found.append((match.start(), match.end(), iso))
    return sorted(found)


def resolve_date(text: str, ref: str | None = None) -> str | None:
    """Turn a written day into an ISO date.

    Args:
        text: A day such as ``"8月13日"``, ``"2024年3月5日"`` or ``"三月五日"``.
        ref: The reference date, ``YYYY-MM-DD``, that supplies a missing year.

    Returns:
        ``YYYY-MM-DD``, or None when ``text`` is not exactly one day (a year
        or a month alone, an impossible day, a day without year and no ref).

    Raises:
        ValueError: If ``ref`` is not an ISO date.

    Example:
        >>> resolve_date("8月13日", "2025-08-20")
        '2025-08-13'
        >>> resolve_date("二〇二四年三月五日")
        '2024-03-05'
        >>> resolve_date("今年3月", "2025-08-20") is None
        True
    """
    stripped = text.strip()
    found = find_dates(stripped, ref)
    if len(found) != 1:
        return None
    start, end, iso = found[0]
    if start != 0 or end != len(stripped):
        return None
    return iso
