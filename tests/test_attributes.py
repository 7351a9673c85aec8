"""Tests for kg.pipeline.attributes: amounts, investments, dates."""

from __future__ import annotations

import random

import pytest

from kg.pipeline.attributes import (
    find_amounts,
    find_dates,
    find_investments,
    parse_amount,
    parse_number,
    resolve_date,
)
from kg.records import Amount

AMOUNTS = [
    ("17亿元", 1_700_000_000, "CNY", "17亿元"),
    ("15亿元", 1_500_000_000, "CNY", "15亿元"),
    ("419.85亿元", 41_985_000_000, "CNY", "419.85亿元"),
    ("3000万元", 30_000_000, "CNY", "3000万元"),
    ("5千万元", 50_000_000, "CNY", "5千万元"),
    ("百亿元", 10_000_000_000, "CNY", "百亿元"),
    ("1.2万亿元", 1_200_000_000_000, "CNY", "1.2万亿元"),
    ("十二亿元", 1_200_000_000, "CNY", "十二亿元"),
    ("三千五百万元", 35_000_000, "CNY", "三千五百万元"),
    ("一百零五万元", 1_050_000, "CNY", "一百零五万元"),
    ("三点五亿元", 350_000_000, "CNY", "三点五亿元"),
    ("2.5亿美元", 250_000_000, "USD", "2.5亿美元"),
    ("5000万欧元", 50_000_000, "EUR", "5000万欧元"),
    ("8000万港元", 80_000_000, "HKD", "8000万港元"),
    ("2万亿日元", 2_000_000_000_000, "JPY", "2万亿日元"),
    ("3亿英镑", 300_000_000, "GBP", "3亿英镑"),
    ("1,200万元", 12_000_000, "CNY", "1,200万元"),
    ("\uff11\uff17亿元", 1_700_000_000, "CNY", "\uff11\uff17亿元"),  # full width
    (
        "\uff11\uff17\uff0e\uff15亿元",
        1_750_000_000,
        "CNY",
        "\uff11\uff17\uff0e\uff15亿元",
    ),
    ("约17亿元", 1_700_000_000, "CNY", "17亿元"),
    ("超过17亿元", 1_700_000_000, "CNY", "17亿元"),
    ("逾17亿元", 1_700_000_000, "CNY", "17亿元"),
    ("近17亿元", 1_700_000_000, "CNY", "17亿元"),
    ("17亿元左右", 1_700_000_000, "CNY", "17亿元"),
    ("3000余万元", 30_000_000, "CNY", "3000余万元"),
    ("1亿5000万元", 150_000_000, "CNY", "1亿5000万元"),
    ("500元", 500, "CNY", "500元"),
    ("0.35亿元", 35_000_000, "CNY", "0.35亿元"),
    ("人民币10亿元", 1_000_000_000, "CNY", "10亿元"),
]

NOT_AMOUNTS = [
    "17亿",
    "亿元",
    "万元",
    "数十亿元",
    "几千万元",
    "二〇二四年",
    "总投资17亿元",
    "",
    "元",
]

DATES = [
    ("8月13日", "2025-08-20", "2025-08-13"),
    ("2024年3月5日", None, "2024-03-05"),
    ("2024年3月5日", "2025-08-20", "2024-03-05"),
    ("２０２４年３月５日", None, "2024-03-05"),
    ("三月五日", "2025-08-20", "2025-03-05"),
    ("十二月三十一日", "2025-08-20", "2025-12-31"),
    ("二〇二四年十月一日", None, "2024-10-01"),
    ("今年3月5日", "2025-08-20", "2025-03-05"),
    ("去年3月5日", "2025-08-20", "2024-03-05"),
    ("12月28日", "2025-01-03", "2024-12-28"),
    ("1月2日", "2025-12-30", "2026-01-02"),
    ("8月13号", "2025-08-20", "2025-08-13"),
    ("2024-03-05", None, "2024-03-05"),
    ("2024/3/5", None, "2024-03-05"),
    ("2024年", "2025-08-20", None),
    ("今年3月", "2025-08-20", None),
    ("3月", "2025-08-20", None),
    ("8月13日", None, None),
    ("13日", "2025-08-20", None),
    ("2月30日", "2025-08-20", None),
    ("2025年13月1日", None, None),
]


@pytest.mark.parametrize(("text", "amount", "currency", "written"), AMOUNTS)
def test_parse_amount(text: str, amount: int, currency: str, written: str) -> None:
    assert parse_amount(text) == Amount(amount, currency, written)


@pytest.mark.parametrize("text", NOT_AMOUNTS)
def test_parse_amount_rejects(text: str) -> None:
    assert parse_amount(text) is None


def test_parse_amount_is_exact_decimal() -> None:
    # 0.29 * 10**8 in binary floating point is 28999999.999999996
    amount = parse_amount("0.29亿元")
    assert amount is not None
    assert amount.amount == 29_000_000
    assert parse_amount("419.85亿元") == Amount(41_985_000_000, "CNY", "419.85亿元")


def test_find_amounts_offsets_match_text() -> None:
    text = "该园区总投资约１２亿元，带动3000余万元配套，另有2.5亿美元外资。"
    found = find_amounts(text)
    assert [a.amount for _, _, a in found] == [1_200_000_000, 30_000_000, 250_000_000]
    for start, end, amount in found:
        assert text[start:end] == amount.text


def test_find_amounts_skips_words_with_yuan() -> None:
    text = "三元材料、二元结构、元素、单元、多元化、每万元产值能耗、数十亿元"
    assert find_amounts(text) == []


def test_find_amounts_keeps_adjacent_numeral_words_apart() -> None:
    # 统一 ends with a numeral; the amount after it must still be found.
    found = find_amounts("统一17亿元")
    assert [(s, e, a.amount) for s, e, a in found] == [(2, 6, 1_700_000_000)]


def test_find_investments_keeps_investment_only() -> None:
    sentence = (
        "某某新材料项目总投资约17亿元，其中一期投资5亿元，签约金额达80亿元，"
        "预计年营收20亿元，获银行贷款3亿元，净流入资金4亿元。"
    )
    kept = [a.amount for _, _, a in find_investments(sentence)]
    assert kept == [1_700_000_000, 500_000_000]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("计划投资120亿元建设示范线", [12_000_000_000]),
        ("拟投资3.5亿元新建厂房", [350_000_000]),
        ("项目投资总额达8亿元", [800_000_000]),
        ("累计投入资金6000万元", [60_000_000]),
        ("总投资额1,200万元", [12_000_000]),
        ("今年已完成投资2亿元", []),
        ("签约金额50亿元", []),
        ("实现营收30亿元", []),
        ("投资建设的项目，年产值可达30亿元", []),
        ("总投资。另外一家公司贷款3亿元", []),
        ("投资17亿元，带动3亿元", [1_700_000_000]),
        ("投资17亿元，再投资3亿元", [1_700_000_000, 300_000_000]),
    ],
)
def test_find_investments_cases(sentence: str, expected: list[int]) -> None:
    assert [a.amount for _, _, a in find_investments(sentence)] == expected


def test_find_investments_window_is_short() -> None:
    far = "总投资" + "甲" * 20 + "5亿元"
    near = "总投资" + "甲" * 5 + "5亿元"
    assert find_investments(far) == []
    assert len(find_investments(near)) == 1


def _wan_yi(value: int) -> str:
    """Write a multiple of 10 000 as N亿M万元."""
    yi, wan = divmod(value // 10_000, 10_000)
    parts = (f"{yi}亿" if yi else "") + (f"{wan}万" if wan else "")
    return parts + "元"


_CN = "零一二三四五六七八九"


def _chinese_below_wan(n: int) -> str:
    """Write 1..9999 in Chinese numerals (一千零五, 三百二十, 十二)."""
    out = ""
    zero = False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, unit)
        if digit:
            if zero and out:
                out += "零"
            out += _CN[digit] + name
            zero = False
        else:
            zero = True
    return out


def _chinese(value: int) -> str:
    """Write a multiple of 10 000 in Chinese numerals with 亿 and 万."""
    yi, wan = divmod(value // 10_000, 10_000)
    out = (_chinese_below_wan(yi) + "亿") if yi else ""
    if wan:
        out += ("零" if yi and wan < 1000 else "") + _chinese_below_wan(wan) + "万"
    return out + "元"


def test_generated_amounts_round_trip() -> None:
    rng = random.Random(20250813)
    for _ in range(500):
        value = rng.randrange(1, 10**8) * 10_000
        written = _wan_yi(value)
        assert parse_amount(written) == Amount(value, "CNY", written), written
        chinese = _chinese(value)
        assert parse_amount(chinese) == Amount(value, "CNY", chinese), chinese


def test_generated_decimal_amounts_round_trip() -> None:
    rng = random.Random(7)
    for _ in range(300):
        hundredths = rng.randrange(1, 10**6)
        written = f"{hundredths // 100}.{hundredths % 100:02d}亿元"
        assert parse_amount(written) == Amount(hundredths * 10**6, "CNY", written)


def test_parse_number_mixed_forms() -> None:
    assert parse_number("两千") == 2000
    assert parse_number("二〇二五") == 2025
    assert parse_number("1亿五千万") == 150_000_000
    assert parse_number("万") is None
    assert parse_number("abc") is None


@pytest.mark.parametrize(("text", "ref", "expected"), DATES)
def test_resolve_date(text: str, ref: str | None, expected: str | None) -> None:
    assert resolve_date(text, ref) == expected


def test_resolve_date_bad_reference() -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        resolve_date("8月13日", "13/08/2025")


def test_find_dates_offsets() -> None:
    text = "2025年8月13日至15日召开，9月1日起施行，３月份、12月、2023年另计。"
    found = find_dates(text, "2025-08-20")
    assert found == [(0, 10, "2025-08-13"), (17, 21, "2025-09-01")]
    assert text[17:21] == "9月1日"
