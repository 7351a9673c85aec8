"""Tests for kg.corpus: files, encodings, page splitting, md/html/jsonl readers.

Every article text here and in tests/data is invented.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from kg.corpus import (
    CorpusItem,
    decode_bytes,
    is_traditional,
    iso_date,
    iter_files,
    load_meta,
    normalize_text,
    parse_byline,
    read_articles,
    read_corpus,
    read_file,
)
from kg.errors import CorpusError
from kg.records import Article

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
SEED = ROOT / "corpus" / "000_e5e095a287f3bba7.txt"
SHARED = ROOT.parent / "shared"
SEED_GOLD = SHARED / "eval" / "seed.gold.json"

BYLINES = [
    ("李明", "李明"),
    ("欧阳春晓", "欧阳春晓"),
    ("记者 王小明", "王小明"),
    ("本报记者 王小明 通讯员 李华", "王小明、李华"),
    ("记者 王小明 李华 报道", "王小明、李华"),
    ("文/张三丰", "张三丰"),
    ("文\uff0f张三丰", "张三丰"),
    ("文/图 张三丰", "张三丰"),
    ("（张三丰）", "张三丰"),
    ("(张三丰)", "张三丰"),
    ("（记者 张三丰）", "张三丰"),
    ("张三丰 摄", "张三丰"),
    ("□ 本报记者 张三丰", "张三丰"),
    ("新华社记者 赵一鸣", "赵一鸣"),
    ("作者：钱二宝", "钱二宝"),
    ("阿依古丽·买买提", "阿依古丽·买买提"),
]
NOT_BYLINES = [
    "结语",
    "（待续）",
    "（完）",
    "海外",
    "政务服务跑出“加速度”",
    "张三说。",
    "一、总体要求",
    "2025年8月",
    "大数据",
    "记者从省发改委获悉，项目已开工。",
    "王小明说他今天去了工地",
    "",
]
DATES = [
    ("2025-08-13", "2025-08-13"),
    ("2025/8/3", "2025-08-03"),
    ("2025.08.03", "2025-08-03"),
    ("2025年8月3日", "2025-08-03"),
    ("2025年8月3日 星期日", "2025-08-03"),
    ("2025-08-13T10:20:00+08:00", "2025-08-13"),
    ("2025-02-30", None),
    ("八月三日", None),
    ("13/08/2025", None),
]

# An invented page whose articles are found by lead bylines and datelines
# (no trailing byline line), plus a bracketed byline at a paragraph's end.
LEAD_PAGE = "\n\n".join(
    [
        "绛河新区\n数字农业产业园首批企业入驻",
        "本报记者 祁晓东",
        "9月3日，绛河新区数字农业产业园迎来首批入驻企业，园区将建设智能温室、"
        "冷链仓储和农产品检测中心等设施，预计带动周边农户增收。",
        "园区负责人介绍，首批入驻的5家企业均为农业科技型企业，"
        "合计投资超过6亿元，将在明年全部投产。",
        "河谷镇光伏电站并网发电",
        "本报讯（记者 田雨萱）9月4日，河谷镇分布式光伏电站正式并网发电，"
        "年发电量可达1200万千瓦时，每年可节约标准煤约3600吨。",
        "电站采用“农光互补”模式，板上发电、板下种植，土地综合利用效率明显提升。",
        "山城区新建三所学校",
        "山城晚报讯 9月5日，山城区新建的三所中小学正式投入使用，"
        "新增学位4500个，有效缓解了城区入学压力。（蒋文涛）",
    ]
)

SUBHEAD_PAGE = "\n\n".join(
    [
        "新材料产业集群加速成长",
        "今年以来，滨河县围绕新材料产业链精准招商，先后引进高性能纤维、"
        "特种陶瓷等项目12个，总投资达86亿元，产业集群效应初步显现。",
        "展望未来",
        "下一步，滨河县将继续完善配套设施，推动新材料产业向高端化、智能化、"
        "绿色化方向发展，力争三年内产值突破百亿元。",
        "结语",
        "新材料是滨河县转型发展的关键一招，必须久久为功。",
        "鲁青山\n",
    ]
)

PLAIN_ARTICLE = "\n".join(
    [
        "青禾农业科技有限公司年产5万吨有机肥项目在沁水县开工建设",
        "2024-11-05",
        "",
        "11月4日，青禾农业科技有限公司年产5万吨有机肥项目在沁水县开工建设，"
        "项目总投资3.2亿元。",
        "项目建成后可带动当地200余名群众就业。",
        "",
    ]
)


# ------------------------------------------------------------------ helpers


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def body(article: Article) -> str:
    return article.text[article.body_start :]


def by_id(path: Path) -> dict[str, Article]:
    return {a.id: a for a in read_articles(path)}


# ------------------------------------------------------------ pure helpers


@pytest.mark.parametrize(("line", "expected"), BYLINES)
def test_parse_byline_forms(line: str, expected: str) -> None:
    assert parse_byline(line) == expected


@pytest.mark.parametrize("line", NOT_BYLINES)
def test_parse_byline_rejects(line: str) -> None:
    assert parse_byline(line) is None


@pytest.mark.parametrize(("value", "expected"), DATES)
def test_iso_date(value: str, expected: str | None) -> None:
    assert iso_date(value) == expected


def test_normalize_text() -> None:
    raw = "e\u0301\r\n甲\u200b乙\u200c丙\u200d\ufeff丁\x07\x1b\t戊\r己"
    assert normalize_text(raw) == "é\n甲乙丙丁\t戊\n己"


def test_is_traditional() -> None:
    assert is_traditional("臨汾經濟開發區新建產業園項目，總投資十億元。")
    assert not is_traditional("临汾经济开发区新建产业园项目，总投资十亿元。")
    assert not is_traditional("no Chinese here")


# --------------------------------------------------------------- iter_files


def test_iter_files_walks_sorted_and_filters(tmp_path: Path) -> None:
    for name in [
        "b.txt",
        "a.md",
        "sub/c.html",
        "sub/d.htm",
        "sub/deeper/e.jsonl",
        "sub/f.TXT",
        "notes.docx",
        "a.gold.json",
        "a.meta.json",
        "x.json",
        ".hidden.txt",
        ".git/config.txt",
        "sub/.cache/g.txt",
    ]:
        write(tmp_path / name, "文本")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_files([tmp_path])]
    assert found == [
        "a.md",
        "b.txt",
        "sub/c.html",
        "sub/d.htm",
        "sub/deeper/e.jsonl",
        "sub/f.TXT",
    ]


def test_iter_files_explicit_files_and_dedupe(tmp_path: Path) -> None:
    page = write(tmp_path / "p.txt", "文本")
    other = write(tmp_path / "notes.docx", "x")
    gold = write(tmp_path / "p.gold.json", "{}")
    missing = tmp_path / "missing.txt"
    found = list(iter_files([page, tmp_path, other, gold, missing, page]))
    # A named file is kept (so reading it reports the problem); sidecars are not.
    assert found == [page, other, missing]


# ---------------------------------------------------------- the invented page


def test_page_splits_into_masthead_and_articles() -> None:
    arts = read_articles(DATA / "jinyang_page.txt")
    assert [(a.id, a.kind) for a in arts] == [
        ("a0", "masthead"),
        ("a1", "article"),
        ("a2", "article"),
    ]
    a0, a1, a2 = arts
    assert a0.title == "" and a0.byline == "" and a0.body_start == 0
    assert (
        a0.text.splitlines()[0] == "山西省青年科技促进会主管 晋阳科技传媒有限公司主办"
    )
    assert len(a0.text.splitlines()) == 3
    assert a1.title == "汾东经开区 华岳碳纤维复合材料产业园项目开工"
    assert a2.title == "晋阳智能装备研究院 落户忻州 聚焦机器人核心部件"
    assert (a1.byline, a2.byline) == ("周文博", "韩雪晴")
    for a in arts:
        assert a.doc == "jinyang_page"
        assert a.source == str(DATA / "jinyang_page.txt")
        assert a.date is None and a.publication is None


def test_page_text_layout() -> None:
    a1 = by_id(DATA / "jinyang_page.txt")["a1"]
    lines = a1.text.split("\n")
    assert lines[:2] == ["汾东经开区", "华岳碳纤维复合材料产业园项目开工"]
    assert a1.body_start == len("汾东经开区\n华岳碳纤维复合材料产业园项目开工\n")
    assert body(a1).startswith("晋阳科技报讯 9月2日，位于晋中市")
    # The byline is kept apart; the sub-heading stays in the body.
    assert "周文博" not in a1.text
    assert "政务服务跑出“加速度”" in lines
    assert lines[-1].startswith("从签约到开工仅用了75天。")


def test_page_break_joins_a_cut_word() -> None:
    a1 = by_id(DATA / "jinyang_page.txt")["a1"]
    paras = a1.text.split("\n")
    joined = [p for p in paras if "在晋中集聚发展。" in p]
    assert len(joined) == 1
    assert joined[0].startswith("开工仪式上，")
    assert not any(p.startswith("聚发展") for p in paras)


def test_photo_caption_opens_the_body() -> None:
    a2 = by_id(DATA / "jinyang_page.txt")["a2"]
    assert body(a2).startswith("图为晋阳智能装备研究院实验室内")
    assert body(a2).split("\n")[1].startswith("晋阳科技报讯 9月5日")
    assert "韩雪晴" not in a2.text
    assert "记者" not in a2.text


@pytest.mark.parametrize(
    ("prev_end", "blank_lines", "joined"),
    [
        ("，将带动配套企业在本地集", 3, True),
        ("，将带动配套企业在本地集", 0, True),
        ("，将带动配套企业在本地集聚。", 2, False),
        ("，将带动配套企业在本地集聚：", 2, False),
    ],
)
def test_page_break_join_rules(
    tmp_path: Path, prev_end: str, blank_lines: int, joined: bool
) -> None:
    first = (
        "项目一期将建设4条智能化生产线，预计明年底建成投产，达产后年产值可达35亿元"
        + prev_end
    )
    nxt = (
        "聚发展。各方将继续优化服务，推动项目早日达产达效，为区域经济增长注入新的动能。"
    )
    text = "标题一行\n" + first + "\n" * (blank_lines + 1) + nxt + "\n"
    (art,) = read_articles(write(tmp_path / "p.txt", text))
    assert (first + nxt in art.text) is joined
    assert art.title == "标题一行"


def test_short_line_is_not_joined(tmp_path: Path) -> None:
    second = (
        "第二段落，内容较长，超过四十个字符的长度限制，"
        "因此应当单独成段而不被合并到上一行之后。"
    )
    text = f"标题\n正文开头不长的一行\n\n{second}\n"
    (art,) = read_articles(write(tmp_path / "p.txt", text))
    assert art.text.split("\n")[1:] == ["正文开头不长的一行", second]


def test_headlines_are_not_joined_to_body(tmp_path: Path) -> None:
    text = (
        "这是一行较长但没有标点的主标题文字\n副标题\n"
        "正文第一段从这里开始，讲述了一个完全虚构的新闻事件，内容足够长。\n"
    )
    (art,) = read_articles(write(tmp_path / "p.txt", text))
    assert art.title == "这是一行较长但没有标点的主标题文字 副标题"
    assert body(art).startswith("正文第一段")


# --------------------------------------------------------- other page shapes


def test_lead_bylines_and_datelines_split_articles(tmp_path: Path) -> None:
    arts = read_articles(write(tmp_path / "lead.txt", LEAD_PAGE))
    assert [a.id for a in arts] == ["a1", "a2", "a3"]
    assert [a.title for a in arts] == [
        "绛河新区 数字农业产业园首批企业入驻",
        "河谷镇光伏电站并网发电",
        "山城区新建三所学校",
    ]
    assert [a.byline for a in arts] == ["祁晓东", "田雨萱", "蒋文涛"]
    assert body(arts[0]).startswith("9月3日，绛河新区")
    assert body(arts[1]).startswith("本报讯 9月4日，河谷镇")
    assert body(arts[2]).endswith("有效缓解了城区入学压力。")
    for a in arts:
        assert a.byline not in a.text
        assert "记者" not in a.text


def test_short_subheadings_are_not_bylines(tmp_path: Path) -> None:
    (art,) = read_articles(write(tmp_path / "sub.txt", SUBHEAD_PAGE))
    assert art.title == "新材料产业集群加速成长"
    assert art.byline == "鲁青山"
    assert "展望未来" in art.text.split("\n")
    assert "结语" in art.text.split("\n")


def test_page_without_byline_is_one_article(tmp_path: Path) -> None:
    text = SUBHEAD_PAGE.replace("鲁青山\n", "")
    (art,) = read_articles(write(tmp_path / "nobyline.txt", text))
    assert (art.id, art.byline, art.kind) == ("a1", "", "article")


def test_plain_article_with_title_and_date(tmp_path: Path) -> None:
    (art,) = read_articles(write(tmp_path / "plain.txt", PLAIN_ARTICLE))
    assert art.title == "青禾农业科技有限公司年产5万吨有机肥项目在沁水县开工建设"
    assert art.date == "2024-11-05"
    assert "2024-11-05" not in art.text
    assert body(art).startswith("11月4日，青禾农业")
    assert body(art).split("\n")[1] == "项目建成后可带动当地200余名群众就业。"


def test_masthead_date_and_sidecar(tmp_path: Path) -> None:
    page = (
        "汾水晚报\n2025年9月8日 星期一\n第3版 经济\n\n"
        "沁源县通用机场项目签约\n\n"
        "9月6日，沁源县与一家虚构的航空公司签约建设通用机场项目，总投资4亿元。\n\n"
        "孔令德\n"
    )
    path = write(tmp_path / "evening.txt", page)
    a0, a1 = read_articles(path)
    assert a0.kind == "masthead" and a0.text.startswith("汾水晚报\n2025年9月8日")
    assert (a0.date, a1.date) == ("2025-09-08", "2025-09-08")
    assert a1.title == "沁源县通用机场项目签约" and a1.byline == "孔令德"
    meta = {"publication": "汾水晚报", "date": "2025/9/9", "site": "http://x.example"}
    write(tmp_path / "evening.meta.json", json.dumps(meta, ensure_ascii=False))
    assert load_meta(path) == {
        "publication": "汾水晚报",
        "date": "2025-09-09",
        "site": "http://x.example",
    }
    a0, a1 = read_articles(path)
    assert (a1.publication, a1.date) == ("汾水晚报", "2025-09-09")
    # meta given by the caller is laid over the sidecar
    a0, a1 = read_articles(path, meta={"publication": "别的报纸"})
    assert (a1.publication, a1.date) == ("别的报纸", "2025-09-09")


def test_own_date_beats_sidecar(tmp_path: Path) -> None:
    path = write(tmp_path / "plain.txt", PLAIN_ARTICLE)
    write(tmp_path / "plain.meta.json", '{"date": "2030-01-01", "kind": "x"}')
    (art,) = read_articles(path)
    assert art.date == "2024-11-05"


@pytest.mark.parametrize(
    ("sidecar", "message"),
    [
        (
            "{not json",
            r"plain\.meta\.json:1: malformed JSON .*; fix or delete the sidecar",
        ),
        ("[1, 2]", r"plain\.meta\.json: expected a JSON object, got list"),
        (
            '{"date": "昨天"}',
            r"plain\.meta\.json: date '昨天' is not a date; use YYYY-MM-DD",
        ),
        ('{"publication": 3}', r"plain\.meta\.json: 'publication' must be a string"),
    ],
)
def test_bad_sidecar(tmp_path: Path, sidecar: str, message: str) -> None:
    path = write(tmp_path / "plain.txt", PLAIN_ARTICLE)
    write(tmp_path / "plain.meta.json", sidecar)
    with pytest.raises(CorpusError, match=message):
        read_articles(path)


# ---------------------------------------------------------------- encodings

SIMPLIFIED = (
    "晋城经开区新材料产业园项目开工\n2025-03-02\n\n"
    "项目由晋城某某科技有限公司投资建设，总投资12亿元。\n"
)
TRADITIONAL = (
    "晉城經開區新材料產業園項目開工\n2025-03-02\n\n"
    "項目由晉城某某科技有限公司投資建設，總投資12億元。\n"
)


@pytest.mark.parametrize(
    ("text", "encoding", "detected"),
    [
        (SIMPLIFIED, "utf-8", "utf-8"),
        (SIMPLIFIED, "utf-8-sig", "utf-8"),
        (SIMPLIFIED, "utf-16", "utf-16"),
        (SIMPLIFIED, "utf-16-be", None),  # written with a BOM below
        (SIMPLIFIED, "gb18030", "gb18030"),
        (TRADITIONAL, "big5", "big5"),
        (TRADITIONAL, "gb18030", "gb18030"),
    ],
)
def test_encodings(
    tmp_path: Path, text: str, encoding: str, detected: str | None
) -> None:
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
        detected = "utf-16"
    assert decode_bytes(data, "x.txt") == (text, detected)
    path = tmp_path / "enc.txt"
    path.write_bytes(data)
    (art,) = read_articles(path)
    assert art.title == text.split("\n")[0]
    assert art.date == "2025-03-02"
    assert body(art) == text.split("\n")[3]


def test_traditional_text_is_kept_and_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "trad.txt"
    path.write_bytes(TRADITIONAL.encode("big5"))
    with caplog.at_level(logging.INFO, logger="kg.corpus"):
        (art,) = read_articles(path)
    assert "總投資12億元" in art.text  # not converted to simplified
    assert "traditional" in caplog.text
    assert "big5" in caplog.text


def test_normalisation_in_files(tmp_path: Path) -> None:
    raw = (
        "\ufeff标题\u200b一\r\n\r\n"
        "正文\u3000\u3000第一段，含有零宽\u200d字符和控制\x0b字符。\r\n"
    )
    (art,) = read_articles(write(tmp_path / "n.txt", raw))
    assert art.title == "标题一"
    assert body(art) == "正文 第一段，含有零宽字符和控制字符。"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file; add text or remove it"),
        (b"  \n\t\n", "empty file; add text or remove it"),
        ("\u3000\n\u200b\n".encode(), "empty file; add text or remove it"),
        (b"\xff\xfe" + "\n \n".encode("utf-16-le"), "empty file"),
        (b"PK\x03\x04\x00\x00binary\x00data", "binary file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        (b"\x80\x81\xff" * 40, "not UTF-8, UTF-16, GB18030 or Big5"),
    ],
)
def test_bad_files(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(CorpusError) as info:
        read_articles(path)
    text = str(info.value)
    assert message in text
    assert text.startswith(str(path) + ":")
    assert "\n" not in text


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing.txt", "no such file; check the path"),
        ("notes.docx", "unsupported file type '.docx'; use one of .htm, .html"),
    ],
)
def test_unreadable_paths(tmp_path: Path, name: str, message: str) -> None:
    path = tmp_path / name
    if name.endswith(".docx"):
        path.write_bytes(b"x")
    with pytest.raises(CorpusError, match=re.escape(message)):
        read_articles(path)


def test_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="is a folder"):
        read_articles(tmp_path)


# ---------------------------------------------------------------------- md

MARKDOWN = """\
---
title: 不用的标题
date: 2025-05-20
---

# 长子县**光伏**产业园项目开工

## 总投资8亿元

本报记者 欧阳春晓

5月19日，[长子县](https://example.org/zz)光伏产业园项目开工，
项目由一家虚构的能源公司投资建设。![现场](img/a.png)

- 一期建设组件生产线
- 二期建设`储能`电站

```
code block line
```

> 引用的*一段*话\\*不是强调\\*。

| 指标 | 数值 |
|---|---|
| 投资 | 8亿元 |

邓文昊
"""


def test_markdown(tmp_path: Path) -> None:
    (art,) = read_articles(write(tmp_path / "md_article.md", MARKDOWN))
    assert art.title == "长子县光伏产业园项目开工 总投资8亿元"
    assert art.date == "2025-05-20"
    assert art.byline == "欧阳春晓、邓文昊"
    assert art.text.split("\n") == [
        "长子县光伏产业园项目开工",
        "总投资8亿元",
        "5月19日，长子县光伏产业园项目开工，项目由一家虚构的能源公司投资建设。",
        "一期建设组件生产线",
        "二期建设储能电站",
        "code block line",
        "引用的一段话*不是强调*。",
        "指标 数值",
        "投资 8亿元",
    ]
    assert art.body_start == len("长子县光伏产业园项目开工\n总投资8亿元\n")


def test_markdown_setext_and_front_matter_title(tmp_path: Path) -> None:
    setext = "屯留区新建物流园\n=======\n\n正文第一段。\n"
    (art,) = read_articles(write(tmp_path / "s.md", setext))
    assert (art.title, body(art)) == ("屯留区新建物流园", "正文第一段。")
    front = "---\ntitle: 前言里的标题\nauthor: 记者 史文静\n---\n\n正文第一段。\n"
    (art,) = read_articles(write(tmp_path / "f.md", front))
    assert (art.title, art.byline, body(art)) == (
        "前言里的标题",
        "史文静",
        "正文第一段。",
    )


# -------------------------------------------------------------------- html


def test_html_main_text_only() -> None:
    (art,) = read_articles(DATA / "web_article.html")
    assert art.doc == "web_article"
    assert art.title == "新能源汽车零部件产业园在吕梁开工 总投资12亿元 预计2026年投产"
    assert art.byline == "陶宇航"
    assert art.date == "2025-06-30"
    for furniture in [
        "不该出现",
        "首页",
        "登录",
        "相关阅读",
        "版权所有",
        "请启用脚本",
        "上一篇",
        "来源",
        "三川经济网",
        "残留文字",
        "color",
    ]:
        assert furniture not in art.text, furniture
    paras = body(art).split("\n")
    assert paras[0].startswith("6月28日，恒通新能源汽车零部件产业园项目")
    assert paras[0].endswith("等轻量化零部件。")  # <b> inside a paragraph
    # a line break inside Chinese text is not a space; <br> splits paragraphs
    assert (
        "吕梁市发展和改革委员会相关负责人表示，项目将进一步完善吕梁新能源汽车产业链。"
        in paras
    )
    assert "据悉，离石区已与恒通配件签订长期合作协议 & 人才培养协议。" in paras


def test_html_title_fallback_and_broken_tags(tmp_path: Path) -> None:
    page = (
        "<html><head><title>阳城县新建陶瓷产业园_阳城新闻_某某网</title>"
        '<meta property="article:published_time" content="2025-04-01T08:00:00+08:00">'
        "</head><body><nav><ul><li>首页<li>新闻</nav>"
        "<div><p>第一段没有闭合<p>第二段<b>粗体没有闭合</span></div>"
        "<p>第三段 <a href='x'>链接</a><img src=a.png>结尾</p><div class=x"
    )
    (art,) = read_articles(write(tmp_path / "t.htm", page))
    assert art.title == "阳城县新建陶瓷产业园"
    assert art.date == "2025-04-01"
    assert body(art).split("\n") == [
        "第一段没有闭合",
        "第二段粗体没有闭合",
        "第三段 链接结尾",
    ]


def test_html_article_element_limits_the_text(tmp_path: Path) -> None:
    page = (
        "<body><div>站点口号不该进入正文</div><h1>壶关县智慧水务项目投运</h1>"
        "<article><p>正文第一段。</p><p>正文第二段。</p></article>"
        "<div>推荐阅读也不该进入</div></body>"
    )
    (art,) = read_articles(write(tmp_path / "a.html", page))
    assert art.text == "壶关县智慧水务项目投运\n正文第一段。\n正文第二段。"


def test_html_article_header_keeps_the_headline(tmp_path: Path) -> None:
    page = (
        "<body><header>站点页眉</header><main><article>"
        "<header><h1>平顺县花椒加工项目投产</h1><h2>年加工能力两万吨</h2></header>"
        "<p>正文第一段。</p><footer>分享到</footer></article></main>"
        "<footer>页脚</footer></body>"
    )
    (art,) = read_articles(write(tmp_path / "h.html", page))
    assert art.title == "平顺县花椒加工项目投产 年加工能力两万吨"
    assert body(art) == "正文第一段。"


def test_html_without_text(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.html", "<html><script>var a = 1;</script></html>")
    with pytest.raises(CorpusError, match="no text found"):
        read_articles(path)


# ------------------------------------------------------------------- jsonl


def test_jsonl_good_lines_and_bad_line() -> None:
    path = DATA / "releases.jsonl"
    item = read_file(path)
    assert [(a.doc, a.id) for a in item.articles] == [
        ("jl-001", "a1"),
        ("jl-002", "a1"),
    ]
    jl1, jl2 = item.articles
    assert jl1.title == "运城经开区签约氢能装备产业园项目" and jl1.date == "2025-07-18"
    assert jl2.date == "2025-08-20"
    assert body(jl1).split("\n")[1].startswith("河东氢能科技有限公司总经理冯嘉禾")
    assert jl1.source == str(path)
    (err,) = item.errors
    assert str(err).startswith(f"{path}:2: malformed JSON (")
    assert str(err).endswith("fix or remove the line")
    with pytest.raises(CorpusError, match=r"releases\.jsonl:2: malformed JSON"):
        read_articles(path)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "x", "title": "t"}', 'missing "text"; add it or remove the line'),
        ('{"id": "x", "text": 5}', '"text" must be str, not int'),
        (
            '{"id": "x", "title": 7, "text": "正文。"}',
            '"title" must be str or null, not int',
        ),
        ('{"id": true, "text": "正文。"}', '"id" must be str or int, not bool'),
        ('{"id": "x", "date": [2025], "text": "正文。"}', '"date" must be str or null'),
        ('{"id": "x", "text": "  \\n "}', 'empty "text"'),
        ("[1, 2, 3]", "expected a JSON object, got list"),
        ('{"id": "ok-1", "text": "正文。"}', "duplicate id 'ok-1' (first on line 1)"),
        (
            "{'id': 'x'}",
            "malformed JSON (Expecting property name enclosed in double quotes",
        ),
    ],
)
def test_jsonl_bad_lines(tmp_path: Path, line: str, message: str) -> None:
    good = json.dumps(
        {"id": "ok-1", "title": "标题", "text": "正文第一段。"}, ensure_ascii=False
    )
    last = json.dumps({"id": "ok-2", "text": "正文。"}, ensure_ascii=False)
    path = write(tmp_path / "r.jsonl", f"{good}\n\n{line}\n{last}\n")
    item = read_file(path)
    assert [a.doc for a in item.articles] == ["ok-1", "ok-2"]
    (err,) = item.errors
    assert str(err).startswith(f"{path}:3: ")
    assert message in str(err)


def test_jsonl_defaults_and_dates(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lines = [
        {"text": "第一条没有编号。", "extra": {"ignored": True}},
        {
            "id": 42,
            "title": None,
            "date": "2025/1/2",
            "text": "第二条。\n\n本报记者 祝小龙",
        },
        {"id": "c", "date": "上周", "text": "第三条。"},
    ]
    path = write(
        tmp_path / "rec.jsonl",
        "\n".join(json.dumps(r, ensure_ascii=False) for r in lines),
    )
    with caplog.at_level(logging.WARNING, logger="kg.corpus"):
        arts = read_articles(path)
    assert [(a.doc, a.title, a.date) for a in arts] == [
        ("rec-1", "", None),
        ("42", "", "2025-01-02"),
        ("c", "", None),
    ]
    assert arts[1].byline == "祝小龙" and arts[1].text == "第二条。"
    assert arts[0].body_start == 0
    assert "rec.jsonl:3: date '上周' is not a date" in caplog.text


def test_jsonl_unicode_line_separator_stays_inside_a_record(tmp_path: Path) -> None:
    record = json.dumps({"id": "u", "text": "甲\u2028乙"}, ensure_ascii=False)
    (art,) = read_articles(write(tmp_path / "u.jsonl", record + "\n"))
    assert art.text == "甲\n乙"


# ------------------------------------------------------------ read_corpus


def test_read_corpus_goes_on_past_bad_files(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path / "a_page.txt", SUBHEAD_PAGE)
    (tmp_path / "b_empty.txt").write_bytes(b"")
    (tmp_path / "c_binary.txt").write_bytes(b"\x00\x01\x02abc")
    (tmp_path / "d_releases.jsonl").write_bytes((DATA / "releases.jsonl").read_bytes())
    write(tmp_path / "e_plain.txt", PLAIN_ARTICLE)
    with caplog.at_level(logging.WARNING, logger="kg.corpus"):
        items = list(read_corpus([tmp_path, tmp_path / "nope.txt"]))
    assert all(isinstance(i, CorpusItem) for i in items)
    summary = [(i.path.name, len(i.articles), len(i.errors)) for i in items]
    assert summary == [
        ("a_page.txt", 1, 0),
        ("b_empty.txt", 0, 1),
        ("c_binary.txt", 0, 1),
        ("d_releases.jsonl", 2, 1),
        ("e_plain.txt", 1, 0),
        ("nope.txt", 0, 1),
    ]
    path, articles, errors = items[1]  # unpacks as a tuple
    assert path == tmp_path / "b_empty.txt" and articles == []
    assert str(errors[0]) == f"{path}: empty file; add text or remove it"
    assert "d_releases.jsonl:2: malformed JSON" in caplog.text
    assert caplog.text.count("WARNING") == 4


# -------------------------------------------------------- gold files agree


GOLD_FILES = sorted(DATA.glob("*.gold.json"))


def _gold_document(gold: dict[str, object]) -> list[Article]:
    """Read the articles of the document a tests/data gold file describes."""
    source = str(gold["source"])
    if (DATA / source).is_file():
        return read_articles(DATA / source)
    return [a for a in read_file(DATA / "releases.jsonl").articles if a.doc == source]


@pytest.mark.parametrize("gold_path", GOLD_FILES, ids=lambda p: p.name)
def test_gold_articles_match_reader(gold_path: Path) -> None:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    arts = {a.id: a for a in _gold_document(gold)}
    assert [g["id"] for g in gold["articles"]] == list(arts)
    for g in gold["articles"]:
        a = arts[g["id"]]
        assert (a.title, a.byline, body(a)[:20]) == (
            g["title"],
            g["byline"],
            g["starts_with"],
        )


@pytest.mark.parametrize("gold_path", GOLD_FILES, ids=lambda p: p.name)
def test_gold_names_and_evidence_are_in_the_text(gold_path: Path) -> None:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    arts = {a.id: a for a in _gold_document(gold)}
    for e in gold["entities"]:
        for aid in e["articles"]:
            a = arts[aid]
            forms = [e["name"], *e["aliases"]]
            assert any(f in a.text or f in a.byline.split("、") for f in forms), (
                e,
                aid,
            )
        for alias in e["aliases"]:
            assert any(alias in a.text for a in arts.values()), alias
    for r in gold["relations"]:
        a = arts[r["article"]]
        where = a.byline if r["predicate"] == "authorOf" else a.text
        assert r["evidence"] in where, r


@pytest.mark.parametrize("gold_path", GOLD_FILES, ids=lambda p: p.name)
def test_gold_files_are_valid(gold_path: Path) -> None:
    evaluate = pytest.importorskip("kg.evaluate")
    evaluate.load_gold(gold_path)


# ----------------------------------------------------------- the seed page


@pytest.fixture
def seed_articles() -> list[Article]:
    if not SEED.is_file():
        pytest.skip(f"seed page {SEED} is absent")
    return read_articles(SEED)


def test_seed_page_structure(seed_articles: list[Article]) -> None:
    arts = seed_articles
    assert [(a.id, a.kind) for a in arts] == [
        ("a0", "masthead"),
        ("a1", "article"),
        ("a2", "article"),
        ("a3", "article"),
        ("a4", "article"),
    ]
    raw_lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines()]
    standalone = set(raw_lines)
    assert arts[-1].byline == [x for x in raw_lines if x][-1]
    for a in arts[1:]:
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,3}", a.byline)
        assert a.byline in standalone
        head = a.text[: a.body_start].rstrip("\n").split("\n")
        assert len(head) == 2 and a.title == " ".join(head)
        assert a.byline not in a.text.split("\n")
    # Body lines cut by page breaks are joined to the next line.
    masthead = set(arts[0].text.split("\n"))
    cut = [
        x
        for x in raw_lines
        if len(x) > 40 and x[-1] not in "。！？”：;；…" and x not in masthead
    ]
    assert len(cut) >= 2, "the seed page has lines cut by page breaks"
    paragraphs = [p for a in arts[1:] for p in a.text.split("\n")]
    for line in cut:
        assert line not in paragraphs
        assert sum(p.startswith(line) for p in paragraphs) == 1


def test_seed_page_matches_seed_gold(seed_articles: list[Article]) -> None:
    if not SEED_GOLD.is_file():
        pytest.skip(f"{SEED_GOLD} is absent (../shared is not checked out)")
    gold = json.loads(SEED_GOLD.read_text(encoding="utf-8"))["articles"]
    got = [
        {"id": a.id, "title": a.title, "byline": a.byline, "starts_with": body(a)[:20]}
        for a in seed_articles
    ]
    want = [{k: g[k] for k in ("id", "title", "byline", "starts_with")} for g in gold]
    assert got == want


DEV = SHARED / "eval" / "dev"


@pytest.mark.parametrize("number", range(1, 11))
def test_dev_documents_match_their_gold_articles(number: int) -> None:
    text, gold_path = DEV / f"d{number}.txt", DEV / f"d{number}.gold.json"
    if not (text.is_file() and gold_path.is_file()):
        pytest.skip(f"{gold_path} is absent (../shared is not checked out)")
    gold = json.loads(gold_path.read_text(encoding="utf-8"))["articles"]
    got = [
        {"id": a.id, "title": a.title, "byline": a.byline, "starts_with": body(a)[:20]}
        for a in read_articles(text)
    ]
    want = [{k: g[k] for k in ("id", "title", "byline", "starts_with")} for g in gold]
    assert got == want
