"""Entity typing: turn every candidate into a typed mention of the eight types.

Order of work: rule candidates (organisations by suffix, bodies of a region,
projects by suffix), typing of model candidates by name suffix, then overlap
resolution (longest span wins), then nested organisations kept as their own
mentions (a university inside its institute's name).
"""

from __future__ import annotations

import bisect
import functools
import re
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans

from kg import lexicons
from kg.pipeline.extensions import Candidate
from kg.pipeline.gazetteer import ZONE_SUFFIXES, PhraseTable, parent_named
from kg.records import ORG_TYPES, Mention

__all__ = ["EntityTyper", "make_entity_typer", "type_by_suffix"]

_REGION_SUFFIXES = ("省", "市", "县", "区", "州", "镇", "乡", "旗", "盟", "自治区")
PROJECT_SUFFIXES = (
    "产业园区项目",
    "项目",
    "产业基地",
    "基地",
    "产业园区",
    "产业园",
    "示范线",
    "生产线",
    "产线",
    "铁路",
    "高铁",
    "特高压线路",
    "创业园",
    "工厂",
)
# Bodies whose names the model often misses: units, centres, laboratories, societies.
BODY_SUFFIXES = (
    "技术创新中心",
    "创新中心",
    "技术中心",
    "研究中心",
    "工程中心",
    "服务中心",
    "招商中心",
    "重点实验室",
    "实验室",
    "研究院",
    "研究所",
    "领导小组",
    "协会",
    "分会",
    "学会",
    "联合会",
    "商会",
    "联盟",
)
_BODY_SUFFIX_RE = re.compile("|".join(sorted(BODY_SUFFIXES, key=len, reverse=True)))
_PROJECT_RE = re.compile("|".join(sorted(PROJECT_SUFFIXES, key=len, reverse=True)))
# Words that may sit inside a project name (LAC tags).
_NAME_TAGS = {
    "n",
    "nz",
    "nw",
    "ORG",
    "LOC",
    "PER",
    "vn",
    "an",
    "a",
    "m",
    "q",
    "xc",
    "s",
}
# Verbs that sit inside project names (年产10万吨…, …研发总部基地, …扩建项目).
_NAME_VERBS = frozenset({"年产", "研发", "扩建", "改扩建", "孵化", "制造", "生产"})
# LAC sometimes calls an adjective phrase a place (国际领先).
_NOT_A_PLACE = re.compile(r"国际|国内|全国|全球|世界|领先|一流")
# Zones and areas named by kind only (国家级开发区, 旅游度假区, 矿区): not regions.
_GENERIC_REGION = re.compile(
    r"^(?:国家级|省级|市级|县级|各|该|本|旅游|度假|工业|产业|经济|技术|高新|矿|城|郊|景|园|保税|新|老|"
    r"开发|试验|示范|综合)*(?:区|开发区|度假区|工业区|园区|新区|示范区|试验区|保税区|片区)$"
)
# A project named by its owner's brand alone: 2–4 characters, then maybe a count.
_OWNER_BRAND = re.compile(
    r"([\u4e00-\u9fff]{2,4}?)(?:[\d一二三四五六七八九十]+[条个座期])?$"
)
# The output of a plant, which follows its owner's name in a project name.
_OUTPUT_WORD = re.compile(r"年产|年加工|年处理|年产能")
# "某某日报讯", "某某导报讯": the newspaper of a dateline, at a paragraph's start.
_DATELINE = re.compile(
    r"(?:^|\n)([\u4e00-\u9fff]{2,8}?(?:日报|晚报|导报|时报|商报|报))讯"
)
_COUNT = re.compile(r"^[\d一二三四五六七八九十百千万余多几]+[个项批家条座]$")
_PHASE_TAIL = re.compile(r"[一二三四五六七八九十\d]期(?:项目|工程)$")
_HARD_STOPS = set("\n,，。；;：:！？!?、")
_PROPER_TAGS = {"nz", "nw", "ORG", "LOC", "PER"}
# Leading words that make a project phrase generic, dropped from its start.
_GENERIC_LEAD = re.compile(
    r"^(?:该|这个|这些|此|各|一批|多个|重点|省级|市级|国家级|国家|重大|新|大型|"
    r"招商引资|签约|在建|拟建|新建|续建|开工|用地|非用地|上述|其他|相关|首个|"
    r"[一二三四五六七八九十\d]+[个期批项条]|[\d.]+(?:万|亿)?元?)+"
)
_GENERIC_NAMES = re.compile(
    r"^(?:[一二三四五六七八九十\d]+期|产业|工业|示范|研发|建设)?$"
)
# Bodies of a region written out: 省委, 市政府, 县人大常委会 … and 国务院.
_BODY_RE = re.compile(
    r"(?:(?<![\u4e00-\u9fff])|(?<=[，。、；：“”（）\s]))"
    r"[省市县区州](?:委|政府|人大常委会|人大|政协|纪委|委常委)"
)
_BODY_WORDS = ("委", "政府", "人大常委会", "政协", "纪委")
# A trade word right after a bare brand, then a break: part of the company's name.
_TRADE_TAIL = re.compile(
    r"(光电|科技|电子|能源|股份|集团|药业|实业|控股|电气|智能|新材料|生物|汽车)(?=[、，,。；和与等及\s]|$)"
)
# "某国矿业公司 Acme Corp": a country and a trade describe the Latin-named company.
_KIND_BEFORE_LATIN = re.compile(r"(?:公司)?\s?[A-Z][a-z]")
_SUPERLATIVE = re.compile(r"最大|最小|最早|最先进|最新|首个|首家|唯一")
_DESIGNATED = re.compile(r"(?:列为|评为|认定为|命名为|确定为|授予)$")
# Facilities and landmarks the model calls organisations: not entities.
_FACILITY = re.compile(r"(?:馆|广场|机场|车站|码头|景区|大桥|石窟)$")
# Verb-object words on 力 the model takes for brands (聚智汇力, 合力).
_EFFORT = re.compile(r"[聚助发合众着全努用给汇协戮]力$")
# A seat in brackets and a legal form after a brand: 某某科技（某市）有限公司.
_SEAT_TAIL = re.compile(
    r"[（(][\u4e00-\u9fff]{2,6}[）)](?:集团)?(?:股份)?(?:有限责任公司|有限公司|股份公司|公司)"
)
# A company in Latin letters with its legal form: Acme Mining Corp, Foo(HK)Limited.
_LATIN_COMPANY = re.compile(
    r"(?<![A-Za-z.])[A-Z][A-Za-z&\-]*"
    r"(?:[\s.]?(?:\([A-Za-z ]+\)|[A-Z][A-Za-z&\-]*)){0,4}?"
    r"[\s.]?(?:Corporation|Corp|Inc|Limited|Ltd|LLC|PLC|GmbH|AG|Group)(?![A-Za-z])\.?"
)
# Posts the model glues to a body (某区委书记) or takes for a person (董秘).
_POSTS = "书记|副书记|常委|主任|副主任|局长|副局长|部长|主席|董事长|总经理|副总经理|董秘|秘书长"
_TRAILING_POST = re.compile(rf"(?:{_POSTS})$")
_TITLE_ONLY = re.compile(rf"^(?:{_POSTS})$")
# The model sometimes glues the next verb to an organisation (某某科技联合).
_TRAILING_VERB = re.compile(r"(?:联合|携手|合作|共同|与|和)$")


@functools.lru_cache(maxsize=65536)
def type_by_suffix(name: str, default: str | None = None) -> str | None:
    """Return the entity type a name's suffix implies, or ``default``.

    Example:
        >>> type_by_suffix("某某大学化学研究所")
        'ResearchInstitute'
        >>> type_by_suffix("某某科技有限公司")
        'Company'
    """
    for suffix, label in lexicons.load_suffixes():
        if name.endswith(suffix):
            return label
    return default


class EntityTyper:
    """Resolve candidates into typed, non-crossing mentions."""

    def __init__(self, name: str) -> None:
        """Index the national bodies list."""
        self.name = name
        self.government = lexicons.load_government()
        self.bodies = PhraseTable(
            (form, "GovernmentAgency") for form in lexicons.load_government()
        )

    def __call__(self, doc: Doc) -> Doc:
        """Write ``doc._.kg_mentions`` and ``doc.ents``."""
        text = doc.text
        words = doc._.kg_words or []
        cands = [c for c in doc._.kg_candidates or [] if self._keep(text, c)]
        cands = [self._typed(text, c) for c in cands]
        cands.extend(_body_candidates(text, self.bodies))
        cands.extend(_project_candidates(text, words))
        cands.extend(_body_name_candidates(text, words, cands))
        cands.extend(_parent_prefixes(text, cands, self.government))
        cands.extend(_listed_kinds(text, words))
        cands = _country_prefixed(text, cands)
        kept = _resolve_overlaps(
            [
                c
                for c in cands
                if c.label != "ORG" and not _level_and_kind(text[c.start : c.end])
            ]
        )
        kept = _resolve_overlaps(kept + _list_members(text, kept))
        kept = [c for c in kept if not _fragment(text, c, kept)]
        mentions = [
            Mention(
                "",
                c.start,
                c.end,
                text[c.start : c.end],
                c.label,
                c.source,
                c.confidence,
            )
            for c in kept
        ]
        doc._.kg_mentions = mentions
        spans = []
        for m in mentions:
            span = doc.char_span(m.start, m.end, label=m.label, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.ents = filter_spans(spans)
        return doc

    @staticmethod
    def _keep(text: str, c: Candidate) -> bool:
        name = text[c.start : c.end].strip()
        if len(name) < 2:
            return False
        if c.label == "Person":
            return (
                2 <= len(name) <= 4
                and all("\u4e00" <= ch <= "\u9fff" for ch in name)
                and not _TITLE_ONLY.match(name)
                and _has_surname(name)
            )
        return True

    @staticmethod
    def _typed(text: str, c: Candidate) -> Candidate:
        name = text[c.start : c.end]
        if c.label == "LOC":
            if _GENERIC_REGION.match(name):
                return Candidate(c.start, c.end, "ORG", c.source, c.confidence)
            if name.endswith(ZONE_SUFFIXES) or (
                name.endswith(_REGION_SUFFIXES) and len(name) >= 3
            ):
                return Candidate(c.start, c.end, "Region", c.source, c.confidence)
            label = type_by_suffix(name)
            if label in ORG_TYPES:
                return Candidate(c.start, c.end, label, c.source, c.confidence)
            return Candidate(c.start, c.end, "ORG", c.source, c.confidence)
        if c.label == "ORG":
            post = _TRAILING_POST.search(name)
            if post and len(name) - len(post.group()) >= 2:
                # "某区委书记": the body without the post that follows it
                c = Candidate(
                    c.start, c.end - len(post.group()), c.label, c.source, c.confidence
                )
                name = text[c.start : c.end]
            trail = _TRAILING_VERB.search(name)
            if trail and len(name) - len(trail.group()) >= 2:
                c = Candidate(
                    c.start, c.end - len(trail.group()), c.label, c.source, c.confidence
                )
                name = text[c.start : c.end]
            seat = _SEAT_TAIL.match(text, c.end)
            if seat and type_by_suffix(name) is None:
                # "某某科技 | （某市）有限公司": the seat and legal form are the name's
                c = Candidate(c.start, seat.end(), c.label, c.source, c.confidence)
                name = text[c.start : c.end]
            tail = _TRADE_TAIL.match(text, c.end)
            if tail and type_by_suffix(name) is None:
                # the model cut a trade word off (某某 | 光电): take it back
                c = Candidate(c.start, tail.end(1), c.label, c.source, c.confidence)
                name = text[c.start : c.end]
            gaz = lexicons.region_gazetteer()
            place = gaz.get(name)
            if name in lexicons.load_countries() or (
                place is not None
                and (
                    name == place.name
                    or place.level in ("province", "city")
                    or parent_named(text, name, gaz)  # 某区 short form, its city named
                )
            ):
                # the model calls a city an organisation: 某某科技（某市）有限公司
                return Candidate(c.start, c.end, "Region", c.source, c.confidence)
            if _describes_latin_name(text, c.start, c.end) or (
                type_by_suffix(name) is None
                and (
                    _common_phrase(name)
                    or _in_a_situation(text, c.start, c.end)
                    or _FACILITY.search(name)
                    or _EFFORT.search(name)
                )
            ):
                # "新能源汽车", "品牌知名度": the model's ORG is a common noun phrase
                return Candidate(c.start, c.end, "ORG", c.source, c.confidence)
            label = type_by_suffix(name, "Company")
            if label == "Region":
                label = "Region" if name.endswith(ZONE_SUFFIXES) else "GovernmentAgency"
            if label == "Project":
                label = "Company"
            conf = c.confidence if type_by_suffix(name) else c.confidence * 0.8
            return Candidate(
                c.start, c.end, label or "Company", c.source + "+suffix", conf
            )
        return c


def _body_candidates(text: str, bodies: PhraseTable) -> list[Candidate]:
    out = [
        Candidate(m.start(1), m.end(1), "Organization", "dateline", 0.9)
        for m in _DATELINE.finditer(text)
    ]
    out += [
        Candidate(m.start(), m.end(), "Company", "latin-company", 0.8)
        for m in _LATIN_COMPANY.finditer(text)
    ]
    out += [
        Candidate(s, e, label, "national-bodies", 0.95)
        for s, e, label in bodies.find(text)
    ]
    out.extend(
        Candidate(m.start(), m.end(), "GovernmentAgency", "region-body", 0.9)
        for m in _BODY_RE.finditer(text)
        if not m.group().endswith("委常委")
    )
    return out


def _extend_left(
    text: str,
    words: list[tuple[int, int, str]],
    starts: list[int],
    s_start: int,
    end: int,
    *,
    lists: bool = True,
) -> tuple[int, int, bool]:
    """Extend a name leftwards from its suffix at ``s_start`` over name-like words.

    Returns:
        ``(start, end, proper)``: the name's span (``end`` takes a closing quote)
        and whether it holds a proper noun (a name, place, brand or quoted name).
    """
    i = bisect.bisect_right(starts, s_start) - 1
    start, proper, in_quote, quoted = s_start, False, False, ""
    if text[end : end + 1] in ("”", "」"):
        end, in_quote = end + 1, True
    if i >= 0 and words[i][0] < s_start:
        start = words[i][0]
        proper = words[i][2] in _PROPER_TAGS and words[i][2] != "LOC"
    j = i - 1 if i >= 0 and words[i][0] < s_start else i
    while j >= 0 and s_start - words[j][0] <= 30:
        w_start, w_end, tag = words[j]
        token = text[w_start:w_end]
        # a stop in the word or between it and the name (a line end, say)
        if any(ch in _HARD_STOPS for ch in text[w_start:start]):
            break
        if token in ("”", "」"):
            in_quote = True
        elif token in ("“", "「"):
            if not in_quote:
                break
            in_quote = False
        elif token in ("·", "（", "）", "(", ")") or in_quote:
            pass
        elif (token in PROJECT_SUFFIXES and w_start < s_start) or (
            tag == "m" and token.startswith("第") and w_end < s_start
        ):
            # the end of an earlier project, or an ordinal (第一个…); but 某地第二工厂
            break
        elif token in ("和", "与", "及"):
            if not lists or j == 0 or words[j - 1][2] not in _NAME_TAGS:
                break
        elif tag not in _NAME_TAGS and token not in _NAME_VERBS:
            break
        proper |= tag in _PROPER_TAGS and (tag != "LOC" or _is_place(token))
        if in_quote and token not in ("“", "”", "「", "」") and w_start < s_start:
            quoted += token  # the name's part, not its suffix (“某某项目” quoted whole)
        start = w_start
        j -= 1
    proper |= len(quoted) >= 3  # a quoted name (“上大压小”), not a quoted word
    while start < s_start and text[start] in "和与及":
        start += 1
    lead = _GENERIC_LEAD.match(text, start, s_start)
    if lead:
        start = lead.end()
    while start < s_start and text[start] in '”"』」）)':
        start += 1
    return start, end, proper


def _project_candidates(
    text: str, words: list[tuple[int, int, str]]
) -> list[Candidate]:
    """Find "<proper name>…项目/基地/产业园/…" phrases, extending left over LAC words."""
    if not words:
        return []
    starts = [w[0] for w in words]
    out: list[Candidate] = []
    for m in _PROJECT_RE.finditer(text):
        start, end, proper = _extend_left(text, words, starts, m.start(), m.end())
        line = _railway_name(text, m.start(), m.end())
        if not proper and line is not None:
            start, proper = line, True
        core = text[start : m.start()]
        if not proper or len(normalise_quotes(core)) < 2 or _GENERIC_NAMES.match(core):
            continue
        # "某地区最大的工厂", "被列为某省某产业基地": a description, not a name
        designated = _DESIGNATED.search(text, max(0, start - 4), start)
        if _SUPERLATIVE.search(core) or designated:
            continue
        before_suffix = bisect.bisect_right(starts, m.start() - 1) - 1
        if (
            before_suffix >= 0
            and words[before_suffix][1] == m.start()
            and _COUNT.match(text[words[before_suffix][0] : words[before_suffix][1]])
        ):
            continue  # "40个项目": a count, not a name
        phase = _PHASE_TAIL.search(text, start, end)
        if phase and text[start : phase.start()].endswith(PROJECT_SUFFIXES):
            end -= len(phase.group())  # "某某产业园区一期项目" names the park
        out.append(Candidate(start, end, "Project", "project-pattern", 0.7))
        if line is None or line != start:  # a railway's name is places, no owner
            out.extend(_owner(text, start, m.start()))
    return out


# A line named by the short forms of the places it joins: 某某铁路, 某某高铁.
_RAIL_SUFFIX = ("铁路", "高铁")
# Characters of function words, counts and times, never in the short name of a line.
_NOT_IN_LINE_NAME = re.compile(
    "[这那是的了着过在于和与及等个条多其我此该各每某从至到向跨沿随据比如除选取通负超最全今明年数部做保间后地"
    "为将以并由被把对给让使作感宣守接内域速线站层批]"
)
_CLAUSE_START = set("，,。；;：:、（(“\n") | {"与", "和", "及"}


def _railway_name(text: str, s_start: int, s_end: int) -> int | None:
    """Return where a railway named by 2–3 place characters starts, or None.

    The name is the whole stretch from a clause start to the suffix and no
    common word (高速铁路, 货运铁路 are kinds of line, not names).

    Example:
        >>> t = "汽笛长鸣，呼包银铁路挺起脊梁"
        >>> _railway_name(t, 8, 10)
        5
        >>> _railway_name("修建高速铁路", 4, 6) is None
        True
    """
    if text[s_start:s_end] not in _RAIL_SUFFIX:
        return None
    for n in (2, 3):
        start = s_start - n
        if start < 0:
            break
        core = text[start:s_start]
        if not all("\u4e00" <= ch <= "\u9fff" for ch in core):
            break
        before = text[start - 1] if start > 0 else "\n"
        if before in _CLAUSE_START:
            if (
                _common_phrase(core, 1)
                or _NOT_IN_LINE_NAME.search(core)
                or _names_a_place(core)
            ):
                return None
            return start
    return None


def _names_a_place(name: str) -> bool:
    """Return True for a region of the gazetteer, a country or a macro-region.

    Example:
        >>> _names_a_place("中国"), _names_a_place("长三角"), _names_a_place("青峰")
        (True, True, False)
    """
    return (
        name in lexicons.region_gazetteer()
        or name in lexicons.load_countries()
        or name in lexicons.load_macro_regions()
    )


def _owner(text: str, start: int, suffix_start: int) -> list[Candidate]:
    """Return the owner that starts a project name.

    The owner is a short brand (某某16条产线) or the name before 年产/年加工
    (某某晶体年产100万片某某项目); never a place (中国高铁: 中国 is no company).
    """
    owner = _OWNER_BRAND.match(text, start, suffix_start)
    if (
        owner
        and not _names_a_place(owner.group(1))
        and not owner.group(1).endswith(ZONE_SUFFIXES)
        and "第" not in owner.group(1)  # 某地第二工厂: an ordinal, not a brand
    ):
        return [Candidate(start, owner.end(1), "Company", "project-owner", 0.55)]
    output = _OUTPUT_WORD.search(text, start, suffix_start)
    if output is not None and 4 <= output.start() - start <= 12:
        name = text[start : output.start()]
        if not _names_a_place(name) and all("\u4e00" <= ch <= "\u9fff" for ch in name):
            return [Candidate(start, output.start(), "Company", "project-owner", 0.55)]
    return []


def _body_name_candidates(
    text: str, words: list[tuple[int, int, str]], taken: list[Candidate]
) -> list[Candidate]:
    """Find "<proper name>…创新中心/实验室/协会/领导小组" bodies the model missed."""
    if not words:
        return []
    starts = [w[0] for w in words]
    ends = {c.end for c in taken if c.label != "Person"}
    out: list[Candidate] = []
    for m in _BODY_SUFFIX_RE.finditer(text):
        if m.end() in ends:
            continue
        start, end, proper = _extend_left(
            text, words, starts, m.start(), m.end(), lists=False
        )
        # stopped inside a zone's name (某省转型综改示范区 | 新能源招商中心): the zone's
        # body, named from the zone's start
        zone = next(
            (
                r
                for r in taken
                if r.label == "Region" and r.start < start < r.end <= m.start()
            ),
            None,
        )
        if zone is not None:
            start, proper = zone.start, True
        core = text[start : m.start()]
        label = type_by_suffix(text[start:end])
        if proper and len(core) >= 2 and label in ORG_TYPES:
            out.append(Candidate(start, end, label, "body-pattern", 0.65))
    return out


# Tags of common words in jieba's dictionary (names are nr, ns, nt, nz, j).
_COMMON_TAGS = frozenset(
    {"n", "vn", "v", "a", "an", "ad", "d", "b", "l", "i", "vd", "f", "s"}
)


@functools.lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """Return the words (two characters or more) jieba's dictionary tags common."""
    import jieba

    path = Path(jieba.__file__).parent / "dict.txt"
    words = set()
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3 and len(parts[0]) >= 2 and parts[2] in _COMMON_TAGS:
                words.add(parts[0])
    return frozenset(words)


@functools.lru_cache(maxsize=4096)
def _common_phrase(name: str, fewest: int = 2) -> bool:
    """Return True when a name splits into ``fewest`` or more common dictionary words.

    Example:
        >>> [_common_phrase(n) for n in ("新能源汽车", "星河蓝科技", "兰州科技")]
        [True, False, False]
    """
    words = _common_words()
    n = len(name)
    best = [0] + [n + 1] * n  # the fewest common words that make name[:i]; n + 1: none
    for i in range(2, n + 1):
        for j in range(max(0, i - 8), i - 1):
            if best[j] <= n and name[j:i] in words:
                best[i] = min(best[i], best[j] + 1)
    return fewest <= best[n] <= n


def _in_a_situation(text: str, start: int, end: int) -> bool:
    """Return True for one common word framed by 在…中 (在发展的浪潮中): a situation.

    Example:
        >>> t = "在协同发展浪潮中书写新篇章"
        >>> _in_a_situation(t, 5, 7), _in_a_situation("浪潮集团在济南", 0, 2)
        (True, False)
    """
    return (
        text[end : end + 1] in ("中", "里")
        and "在" in text[max(0, start - 12) : start]
        and text[start:end] in _common_words()
    )


_LEVEL = re.compile(r"^(?:国家级|国家|省级|市级|县级|区级)")


def _describes_latin_name(text: str, start: int, end: int) -> bool:
    """Return True for "<country><trade>(公司)" right before a Latin company name.

    Example:
        >>> _describes_latin_name("澳大利亚矿业公司Qelto Corp", 0, 6)
        True
    """
    countries = lexicons.load_countries()
    return _KIND_BEFORE_LATIN.match(text, end) is not None and any(
        text[start : start + n] in countries for n in range(2, 6)
    )


def _level_and_kind(name: str) -> bool:
    """Return True for a level and a kind of body only: a designation, not a name.

    Example:
        >>> _level_and_kind("国家工程研究中心"), _level_and_kind("国家能源局")
        (True, False)
    """
    level = _LEVEL.match(name)
    if level is None:
        return False
    rest = name[level.end() :]
    return any(rest == suffix for suffix, _label in lexicons.load_suffixes())


def _has_surname(name: str) -> bool:
    """Return True when a name starts with a family name (a 4-character one, a compound).

    Example:
        >>> _has_surname("王小明"), _has_surname("欧阳明月"), _has_surname("瓦特")
        (True, True, False)
    """
    surnames = lexicons.load_surnames()
    if len(name) == 4:
        return name[:2] in surnames
    return name[:1] in surnames or name[:2] in surnames


def _is_place(word: str) -> bool:
    """Return True for a word the model calls a place that may name a project.

    Example:
        >>> _is_place("国际领先"), _is_place("青州")
        (False, True)
    """
    return not _NOT_A_PLACE.search(word)


def normalise_quotes(text: str) -> str:
    """Drop quotation marks."""
    return "".join(ch for ch in text if ch not in '“”"「」『』')


_SAME_BODY_TAIL = re.compile(
    r"^(?:股份)?(?:有限责任公司|有限公司|股份公司|公司|常委会|常务委员会|科技城|科技园|城|园)$"
)


def _parent_prefixes(
    text: str, cands: list[Candidate], government: frozenset[str]
) -> list[Candidate]:
    """Find the parent body that starts a unit's name (某协会某分会, 中共中央政治局).

    A prefix counts when it is a national body or ends like a complete
    non-commercial body (…协会, …大学, …科学院) or a group (…集团, …公司).
    """
    out = []
    for c in cands:
        if c.label not in ORG_TYPES or c.end - c.start < 5:
            continue
        name = text[c.start : c.end]
        for length in range(len(name) - 2, 2, -1):
            prefix = name[:length]
            rest = name[length:]
            if _SAME_BODY_TAIL.match(rest):
                continue  # 某集团有限公司, 市人大常委会: the same body, not a unit
            label = (
                "GovernmentAgency" if prefix in government else type_by_suffix(prefix)
            )
            if label == "Company" and not prefix.endswith(("集团", "公司")):
                continue
            if label == "University" and prefix not in lexicons.load_universities():
                continue
            if label in ORG_TYPES:
                out.append(
                    Candidate(c.start, c.start + length, label, "parent-in-name", 0.7)
                )
                break
        else:
            if c.label == "Company":
                out.extend(_parent_before_place(text, c))
    return out


def _country_prefixed(text: str, cands: list[Candidate]) -> list[Candidate]:
    """Give a foreign company's name the country written before it (某国某某咨询公司).

    The model often cuts the country off a translated name; a Chinese company
    keeps its place in the name it is tagged with, so China is left out.
    """
    countries = lexicons.load_countries()
    out = []
    for c in cands:
        if c.label == "Company" and type_by_suffix(text[c.start : c.end]) == "Company":
            for n in range(2, 6):
                country = text[max(0, c.start - n) : c.start]
                if len(country) == n and country in countries and country != "中国":
                    c = Candidate(
                        c.start - n, c.end, "Company", "country-prefix", c.confidence
                    )
                    break
        out.append(c)
    return out


def _parent_before_place(text: str, c: Candidate) -> list[Candidate]:
    """Return the parent of a unit named <parent><place><unit> (某某电力某市某某电厂).

    Example:
        >>> t = "青禾能源兰州西固热电公司"
        >>> c = Candidate(0, len(t), "Company", "t", 1)
        >>> [t[x.start : x.end] for x in _parent_before_place(t, c)]
        ['青禾能源']
    """
    gaz = lexicons.region_gazetteer()
    name = text[c.start : c.end]
    for i in range(2, len(name) - 4):
        if name[:i] in gaz or name[i - 1] in "省市县区（(":
            return []  # a place that starts the name, or a seat in brackets
        for j in range(min(len(name) - 2, i + 6), i + 1, -1):
            place = gaz.get(name[i:j])
            if place is not None and (
                name[i:j] == place.name or place.level in ("province", "city")
            ):
                return [
                    Candidate(c.start, c.start + i, "Company", "parent-in-name", 0.6)
                ]
    return []


# A list item: 2–10 characters between list separators.
_ITEM = re.compile(r"[\u4e00-\u9fffA-Za-z0-9·]{2,10}?(?=[、和及等，,。；]|$)")
_LIST_SEP = "、和及"


def _list_members(text: str, kept: list[Candidate]) -> list[Candidate]:
    """Type the unnamed neighbours of a company in a list alike (A、B和C等).

    Example:
        >>> c = Candidate(0, 4, "Company", "lac", 0.8)
        >>> [text[x.start:x.end] for text in ["甲乙科技、丙丁光电等"] for x in _list_members(text, [c])]
        ['丙丁光电']
    """
    out: list[Candidate] = []
    taken = [(c.start, c.end) for c in kept]
    for c in kept:
        if c.label == "GovernmentAgency":
            # "市某委、市某某委、": a neighbour with a body's suffix is a body too
            after = text[c.end : c.end + 1] == "、"
            m = _ITEM.match(text, c.end + 1) if after else None
            if m and type_by_suffix(m.group()) == "GovernmentAgency":
                out.append(Candidate(m.start(), m.end(), c.label, "list-member", 0.5))
            continue
        if c.label != "Company":
            continue
        # the item after: "<company>、X" / "<company>和X", ending at a separator
        if c.end < len(text) and text[c.end] in _LIST_SEP:
            m = _ITEM.match(text, c.end + 1)
            if m:
                out.append(Candidate(m.start(), m.end(), "Company", "list-member", 0.5))
        # the item before: "X、<company>"
        if c.start >= 3 and text[c.start - 1] in "、":
            j = c.start - 1
            i = j
            while (
                i > 0 and (text[i - 1].isalnum() or text[i - 1] == "·") and j - i < 10
            ):
                i -= 1
            if 2 <= j - i and (i == 0 or text[i - 1] in _LIST_SEP + "，,：:在与了对"):
                out.append(Candidate(i, j, "Company", "list-member", 0.5))
    return [
        c
        for c in out
        if not any(
            c.start < e
            and s < c.end
            # a body's name may take in a shorter one the model cut (市 | 某某委)
            and not (c.label == "GovernmentAgency" and c.start <= s and e == c.end)
            for s, e in taken
        )
        and not _generic_item(text[c.start : c.end])
    ]


# "A、B、C等算力巨头", "A等数据企业", "A、B等项目": the kind names what the items are.
_KIND_AFTER = re.compile(r"等(?:[\u4e00-\u9fff]{0,8}?(企业|公司|巨头|厂商)|(项目))")
_KIND_LABEL = dict.fromkeys(("企业", "公司", "巨头", "厂商"), "Company")
_ITEM_TAGS = {"ORG", "LOC", "PER", "nz", "nw", "n"}


def _listed_kinds(text: str, words: list[tuple[int, int, str]]) -> list[Candidate]:
    """Type the items of a list a kind word closes: A、B等企业, A、B等项目.

    The items between separators are whole; the first one is the model's word
    before it (a name it tags), or for projects the text back to a stop.
    """
    if not words:
        return []
    ends = {e: (s, tag) for s, e, tag in words}
    out: list[Candidate] = []
    for m in _KIND_AFTER.finditer(text):
        label = "Project" if m.group(2) else _KIND_LABEL[m.group(1)]
        items: list[tuple[int, int]] = []
        end = m.start()
        while True:
            sep = max(text.rfind(ch, 0, end) for ch in "、")
            item = text[sep + 1 : end] if sep >= 0 else ""
            whole = not any(ch in _HARD_STOPS for ch in item)
            if sep >= 0 and 2 <= len(item) <= 12 and whole:
                items.append((sep + 1, end))
                end = sep
                continue
            break
        first = _first_item(text, ends, end, label)
        if first is not None:
            items.append(first)
        for s, e in items:
            if _generic_item(text[s:e]) or _common_phrase(text[s:e], 1):
                continue
            out.append(Candidate(s, e, label, "list-kind", 0.85))
            suffix = _PROJECT_RE.search(text, s, e) if label == "Project" else None
            if suffix is not None and suffix.end() == e:
                out.extend(_owner(text, s, suffix.start()))
    return out


def _first_item(
    text: str, ends: dict[int, tuple[int, str]], end: int, label: str
) -> tuple[int, int] | None:
    """Return the span of a list's first item, which ends at ``end``."""
    if label == "Project":
        stop = max(text.rfind(ch, 0, end) for ch in _HARD_STOPS)
        if 2 <= end - stop - 1 <= 12:
            return stop + 1, end
        return None
    word = ends.get(end)
    if word is not None and word[1] in _ITEM_TAGS and end - word[0] >= 2:
        return word[0], end
    return None


def _generic_item(name: str) -> bool:
    """Return True for list items that are not names (企业, 单位, 高校…)."""
    return bool(_GENERIC_ITEM.search(name)) or name in lexicons.region_gazetteer()


_GENERIC_ITEM = re.compile(
    r"企业|单位|高校|部门|机构|平台|产品|项目|行业|产业|领域|技术|材料|设备|服务|实验室|力$|度$|品牌|市场"
)


def _fragment(text: str, c: Candidate, kept: list[Candidate]) -> bool:
    """Return True for a model's suffixless company that starts a longer body's name.

    "某协会某材" in "某协会某材行业分会": a piece the model cut, not a parent
    (parents found by rule, with their own suffix, stay).
    """
    return (
        c.label == "Company"
        and c.source.startswith("lac")
        and type_by_suffix(text[c.start : c.end]) is None
        and any(
            k.label in ORG_TYPES and k.start == c.start and k.end > c.end for k in kept
        )
    )


def _resolve_overlaps(cands: list[Candidate]) -> list[Candidate]:
    """Keep the longest of crossing candidates; keep nested organisations too."""
    order = sorted(cands, key=lambda c: (-(c.end - c.start), -c.confidence, c.start))
    kept: list[Candidate] = []
    for c in order:
        clash = False
        for k in kept:
            if c.start < k.end and k.start < c.end:
                nested = k.start <= c.start and c.end <= k.end
                if not (
                    nested
                    and c.label in ORG_TYPES
                    and (c.start, c.end) != (k.start, k.end)
                ):
                    clash = True
                    break
        if not clash:
            kept.append(c)
    return sorted(kept, key=lambda c: (c.start, c.end))


@Language.factory(
    "kg_entity_types",
    assigns=["doc._.kg_mentions", "doc.ents"],
    requires=["doc._.kg_candidates"],
)
def make_entity_typer(nlp: Language, name: str) -> EntityTyper:
    """Build the typing component."""
    return EntityTyper(name)
