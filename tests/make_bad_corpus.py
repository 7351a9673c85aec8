"""Write the bad-input corpus of ``tests/data/bad/`` (and its two large files).

Run ``python tests/make_bad_corpus.py`` to rewrite ``tests/data/bad/`` from the
tables below; ``tests/test_bad_input.py`` checks that the folder matches them.
The two large files (a 50 MB text and a single 1 MB line) are not committed:
:func:`write_large` writes them into a temporary folder at test time.

Every name and every article here is invented.

``GOOD`` maps each file that ``kg build`` must ingest to the documents it
gives; ``BAD`` maps each file (or ``file:line``) that must be reported to a
fragment of its one-line message.
"""

from __future__ import annotations

import codecs
import json
import sys
from pathlib import Path

__all__ = ["BAD", "FILES", "GOOD", "LARGE", "write_corpus", "write_large"]

HERE = Path(__file__).resolve().parent / "data" / "bad"

# -- invented articles ------------------------------------------------------------

ARTICLE = (
    "岚溪市澄湾科技有限公司储能材料项目开工\n"
    "2025-03-18\n"
    "3月18日，岚溪市澄湾科技有限公司年产五万吨储能材料项目在岚溪经济技术开发区开工。"
    "项目总投资12亿元，由澄湾科技有限公司投资建设。\n"
    "澄湾科技有限公司总经理苏明澈表示，公司将与北岭理工大学合作，共建储能材料联合实验室。\n"
)
TRADITIONAL = (
    "鷺港市禾豐電子有限公司新廠投產\n"
    "2025-04-02\n"
    "4月2日，鷺港市禾豐電子有限公司新廠在鷺港高新技術產業開發區投產。"
    "禾豐電子有限公司董事長沈知秋表示，公司將與翠屏大學共建實驗室。\n"
)
SECOND = (
    "望川市举行重点项目签约仪式\n"
    "2025-05-06\n"
    "5月6日，望川市与禾丰新材料有限公司签署合作协议，禾丰新材料产业园项目落户望川市。"
    "禾丰新材料有限公司副总经理韩若水介绍，项目总投资8亿元。\n"
)
# Control characters, zero-width characters and a BOM inside the text.
CONTROL = (
    "\x07翠屏县\u200b云栖\u200d新能源有限公司扩产\x1b\n"
    "2025-06-01\n"
    "6月1日，翠屏县云栖\u200c新能源有限公司\ufeff扩产项目开工\x00，"
    "项目总投资3亿元。\x08云栖新能源有限公司经理林望舒表示，将与北岭理工大学合作。\n"
)
FULLWIDTH = (  # full-width Latin letters, digits and dashes, on purpose
    "ＡＢＣ岚溪储能科技有限公司获得授信\n"
    "２０２５－０７－０９\n"  # noqa: RUF001
    "７月９日，ＡＢＣ岚溪储能科技有限公司获得岚溪农商银行２亿元授信，"
    "用于年产１０ＧＷｈ电池项目。公司总经理宋清和表示，项目位于岚溪市。\n"
)
BROKEN_HTML = (
    "<html><head><title>鹭港新闻网</title>"
    "<script>document.write('<p>广告</p>'); var x = '</div>';</script>"
    "<style>p { color: red }</style></head><body>"
    "<nav>首页 | 新闻 | <a href='#'>登录</nav>"
    "<h1>鹭港市禾丰电子有限公司新厂投产</h1>"
    "<p>4月2日，鹭港市禾丰电子有限公司新厂在鹭港高新区投产<b>。"
    "<p>禾丰电子有限公司董事长沈知秋表示，公司将与翠屏大学合作<i>共建实验室</b>。"
    "<div><p>项目总投资5亿元<span>"
    "<script>alert('x')</script>"
    "<img src=x onerror=alert(1)>"
    "<!-- 未闭合的注释 "
)
SCRIPTS_ONLY = (
    "<html><head><script>var a = 1;</script><style>body{}</style></head>"
    "<body><script>alert('only scripts')</script><noscript>请启用脚本</noscript>"
    "</body></html>"
)


def _record(**fields: object) -> str:
    return json.dumps(fields, ensure_ascii=False)


JSONL_LINES = [
    _record(id="bad-jl-1", title="望川市签约", date="2025-05-06", text=SECOND),
    '{"id": "bad-jl-2", "title": "没有写完的记录", "text": "岚溪',  # 2: malformed
    _record(id="bad-jl-3", title="缺少正文", date="2025-05-07"),  # 3: no "text"
    _record(id="bad-jl-4", title="正文类型不对", text=12345),  # 4: wrong type
    _record(id="bad-jl-5", title=["标题", "是列表"], text="岚溪市召开会议。"),  # 5
    "[1, 2, 3]",  # 6: not an object
    _record(id="bad-jl-1", title="重复的编号", text="重复。"),  # 7: duplicate id
    _record(id="bad-jl-8", title="空正文", text="   \n  "),  # 8: empty text
    _record(id="bad-jl-9", title="翠屏县消息", text=CONTROL),
]

# -- the files ----------------------------------------------------------------------

FILES: dict[str, bytes] = {
    # Good files, each in an encoding or form kg reads.
    "utf8.txt": ARTICLE.encode("utf-8"),
    "utf8-bom.md": codecs.BOM_UTF8 + ("# " + SECOND).encode("utf-8"),
    "gb18030.txt": SECOND.encode("gb18030"),
    "gb18030-bom.txt": "\ufeff".encode("gb18030") + ARTICLE.encode("gb18030"),
    "big5.txt": TRADITIONAL.encode("big5"),
    "utf16le-bom.txt": codecs.BOM_UTF16_LE + ARTICLE.encode("utf-16-le"),
    "utf16be-bom.txt": codecs.BOM_UTF16_BE + SECOND.encode("utf-16-be"),
    "utf16le-nobom.txt": SECOND.encode("utf-16-le"),
    "utf16be-nobom.txt": ARTICLE.encode("utf-16-be"),
    "control-chars.txt": CONTROL.encode("utf-8"),
    "fullwidth.txt": FULLWIDTH.encode("utf-8"),
    "broken-tags.html": BROKEN_HTML.encode("utf-8"),
    "records.jsonl": "\n".join(JSONL_LINES).encode("utf-8") + b"\n",
    # Bad files.
    "empty.txt": b"",
    "blank.md": b" \n\t\n\r\n",
    "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,
    "binary.jsonl": bytes(range(256)) * 4,
    "mixed-encodings.txt": ARTICLE.encode("utf-8") + SECOND.encode("gb18030"),
    "shift-jis.txt": ("東京の新しい会社が研究所を開設しました。" * 8).encode(
        "shift_jis"
    ),
    "utf16-truncated.txt": codecs.BOM_UTF16_LE + ARTICLE.encode("utf-16-le")[:-1],
    "scripts-only.html": SCRIPTS_ONLY.encode("utf-8"),
}

GOOD: dict[str, set[str]] = {
    "utf8.txt": {"utf8"},
    "utf8-bom.md": {"utf8-bom"},
    "gb18030.txt": {"gb18030"},
    "gb18030-bom.txt": {"gb18030-bom"},
    "big5.txt": {"big5"},
    "utf16le-bom.txt": {"utf16le-bom"},
    "utf16be-bom.txt": {"utf16be-bom"},
    "utf16le-nobom.txt": {"utf16le-nobom"},
    "utf16be-nobom.txt": {"utf16be-nobom"},
    "control-chars.txt": {"control-chars"},
    "fullwidth.txt": {"fullwidth"},
    "broken-tags.html": {"broken-tags"},
    "records.jsonl": {"bad-jl-1", "bad-jl-9"},
}
"""Each good file and the ``kg:document`` values of what it holds."""

BAD: dict[str, str] = {
    "empty.txt": "empty file",
    "blank.md": "empty file",
    "binary.txt": "binary file",
    "binary.jsonl": "binary file",
    "mixed-encodings.txt:5": "mixed encodings",
    "shift-jis.txt": "save it as UTF-8",
    "utf16-truncated.txt": "broken utf-16",
    "scripts-only.html": "no text found",
    "records.jsonl:2": "malformed JSON",
    "records.jsonl:3": 'missing "text"',
    "records.jsonl:4": '"text" must be str',
    "records.jsonl:5": '"title" must be str or null',
    "records.jsonl:6": "expected a JSON object",
    "records.jsonl:7": "duplicate id",
    "records.jsonl:8": 'empty "text"',
}
"""Each bad file (``name``) or line (``name:line``) and a fragment of its message."""

LARGE: dict[str, str] = {
    "large-50mb.txt": "--max-bytes",
    "one-line-1mb.txt": "--max-chars",
}
"""The files of :func:`write_large` and the option their message names."""


def write_corpus(dest: Path = HERE) -> list[Path]:
    """Write the files of :data:`FILES` into ``dest`` (created if missing).

    Args:
        dest: the folder to write.

    Returns:
        The paths written, sorted.
    """
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in sorted(FILES.items()):
        path = dest / name
        path.write_bytes(data)
        written.append(path)
    return written


def write_large(dest: Path) -> list[Path]:
    """Write a 50 MB text and a text that is one 1 MB line into ``dest``.

    Both are made of the invented article's sentences: the first of 50 MB of
    ordinary lines, the second of one line with no line break.

    Args:
        dest: the folder to write.

    Returns:
        The two paths, in the order of :data:`LARGE`.
    """
    dest.mkdir(parents=True, exist_ok=True)
    sentence = ARTICLE.split("\n")[2]
    big = dest / "large-50mb.txt"
    block = ("\n".join([sentence] * 64) + "\n").encode("utf-8")
    with big.open("wb") as fh:
        for _ in range(50 * 2**20 // len(block) + 1):
            fh.write(block)
    line = dest / "one-line-1mb.txt"
    count = 2**20 // len(sentence.encode("utf-8")) + 1
    line.write_bytes((sentence * count).encode("utf-8"))
    return [big, line]


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for written in write_corpus(target):
        print(written)
