"""Relation extraction over a resolved article: seven predicates, one rule set each.

Every rule reads a ``Context`` (the article, its sentences and its resolved
mentions) and yields ``Relation`` records with the evidence sentence, its
offsets, the rule's name and a confidence. ``RULES`` lists them; a rule is a
plain function, so a new one is one function and one line.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from kg import lexicons
from kg.records import ORG_TYPES, Article, Entity, Mention, Relation

__all__ = [
    "RULES",
    "TITLE_RE",
    "Context",
    "extract_relations",
    "person_titles",
    "project_investments",
]

_TITLES = [
    "董事长",
    "副董事长",
    "总经理",
    "副总经理",
    "常务副总经理",
    "总裁",
    "副总裁",
    "总监",
    "经理",
    "副经理",
    "主任",
    "副主任",
    "教授",
    "副教授",
    "研究员",
    "副研究员",
    "院长",
    "副院长",
    "所长",
    "副所长",
    "校长",
    "副校长",
    "党委书记",
    "书记",
    "副书记",
    "局长",
    "副局长",
    "厅长",
    "副厅长",
    "部长",
    "副部长",
    "主席",
    "副主席",
    "负责人",
    "总工程师",
    "工程师",
    "首席科学家",
    "院士",
    "博士",
    "市长",
    "副市长",
    "省长",
    "副省长",
    "县长",
    "副县长",
    "区长",
    "副区长",
    "常委",
    "委员",
    "秘书长",
    "会长",
    "副会长",
    "理事长",
    "创始人",
    "董事",
    "监事会主席",
    "总经济师",
    "总会计师",
    "处长",
    "科长",
    "总书记",
    "总理",
    "副总理",
    "组长",
    "副组长",
    "主任委员",
    "技术总监",
    "党工委书记",
    "管委会主任",
    "项目经理",
    "厂长",
    "副厂长",
    "站长",
    "行长",
    "副行长",
    "副秘书长",
    "董秘",
    "董事会秘书",
    "副总工程师",
    "总编辑",
    "社长",
    "主编",
    "研究员级高级工程师",
    "高级工程师",
    "首席执行官",
    "首席技术官",
    "合伙人",
    "州长",
    "总统",
    "首相",
    "大使",
]
_TITLE_ALT = "|".join(sorted(set(_TITLES), key=len, reverse=True))
TITLE_RE = re.compile(f"(?:{_TITLE_ALT})")
# The gap between an organisation and a person that makes the person's post.
_ORG_TITLE_GAP = re.compile(rf"^(?:的)?(?:[\u4e00-\u9fff]{{0,4}}?)((?:{_TITLE_ALT})+)$")
# Words that make a post more specific and belong to it as written (项目负责人,
# 常务副市长, 国际业务总经理, 政协委员).
_TITLE_MODS = (
    "项目|企业|国际业务|业务|常务|执行|首席|行政|技术|营销|财务|运营|党委|党组|"
    "董事会|监事会|市委|省委|县委|区委|政协|人大"
)
_POST_BEFORE = re.compile(rf"((?:{_TITLE_MODS})*(?:{_TITLE_ALT})+)$")
_MOD = r"[\u4e00-\u9fff]{0,4}?"
# "书记、" / "常委、常务副市长" / "的副总经理": the posts between a body and a person.
_POST_CHAIN = re.compile(
    rf"^(?:的)?{_MOD}((?:{_TITLE_ALT})+)(?:[、，]{_MOD}(?:{_TITLE_ALT})+)*[、，]?$"
)
_CONNECT = re.compile(r"^(?:与|和|及|、|同|联合|携手|，|(?:能|将|要|已|正)?与)$")
_MUTUAL = re.compile(r"双方[^，,。；;]{0,12}?(?:签署|签订|签约|合作|携手|共建|共同)")
_DESCRIBED = re.compile(
    r"^(?:的)?[^，,。；;、：:“”]{0,10}?(?:企业|公司|集团|生产商|制造商|供应商|运营商|开发商|厂商|巨头)$"
)
_CORE_OF = "同志为核心的"
_ANAPHOR = re.compile(r"该市|该省|该县|该区|我市|我省|我县|我区|全市|全省")
_JOINT_VENTURE = re.compile(r"合资(?:公司|企业)[\[【“「（(]?$")
_SUBSIDIARY = re.compile(r"^(?:的|旗下)?(?:全资|控股|独资)?(?:子公司|分公司)$")
_FROM_PLACE = re.compile(r"^的[\u4e00-\u9fff]{0,4}$")
# "公司副总经理", "分会常务副秘书长": a bare kind of body (not a name's end), a post.
_KIND_POST = re.compile(
    rf"(?<![\u4e00-\u9fff])(公司|集团|分会|协会|学会|研究院|研究所|企业)"
    rf"((?:{_TITLE_MODS})*(?:{_TITLE_ALT})+)"
)
_SEAT = re.compile(r"[（(]([\u4e00-\u9fff]{2,6})[）)]")
_ASIDE = re.compile(r"[（(][^（()）]{0,30}[）)]")
_WITH_BEFORE = re.compile(r"(?:与|同|和)$")
_LEGAL_SUFFIX = re.compile(
    r"(?:集团)?(?:股份)?(?:有限责任公司|有限公司|股份公司|公司)$"
)
_TRADE_SUFFIX = re.compile(r"(?:药业|科技|实业|集团|控股|股份|能源|电力|电子|汽车)$")
_PARTICIPATE = re.compile(
    r"投资建设|共同投资|投资|投建|承建|建设|建成|新建|运营|共建|兴建|打造|实施|开发|主导|牵头|"
    r"参与|参建|入股|出资"
)
_COLLAB = re.compile(r"共同|共建|合作|签约|签署|携手|联合|对接|协同")
_FOCUS = re.compile(r"该项目|项目由|该基地|该园区|该产业园")
_SITED_APPOSITION = re.compile(r"^的[^，,。；;]{0,12}?(?:——|—|：|:)$")
_UNIT_VERB = re.compile(r"共建|建成|成立|设立|组建|获批|获评|认定为|入选")
# A place in a headline that starts a longer name (某地某某科技): not the article's place.
_NAME_GOES_ON = re.compile(r"[\u4e00-\u9fff]{2,6}(?:科技|集团|公司|股份|大学|银行)")
_PUBLICATION = re.compile(r"(?:日报|晚报|导报|时报|商报|报社|杂志|电视台)$")
_LOCATED = re.compile(
    r"^(?:位于|落户|落户于|坐落于|地处|建在|在)(?:本市|本省|本县|本区|我市|我省|我县|我区)?$"
)
# "投资15亿元的X项目", "投入36亿元用于X项目": the amount names the project after it.
_AMOUNT_FOR = re.compile(r"^(?:的|用于|用来|建设|兴建|打造|实施)$")
_CLAUSE_BREAK = re.compile(r"[，,；;。]")
_FUND = re.compile(r"贷款|融资|授信|资助|基金支持")


@dataclass(frozen=True, slots=True)
class Context:
    """What a rule sees of one article."""

    article: Article
    sentences: Sequence[tuple[int, int]]
    mentions: Sequence[tuple[Mention, Entity]]  # sorted by start
    entities: Sequence[Entity]  # every entity of the document

    def in_span(self, start: int, end: int) -> list[tuple[Mention, Entity]]:
        """Return the mentions inside ``[start, end)``."""
        # mentions are sorted by start: bisect to the first one, stop past the end
        i = bisect.bisect_left(self.mentions, start, key=lambda me: me[0].start)
        out = []
        for m, e in self.mentions[i:]:
            if m.start >= end:
                break
            if m.end <= end:
                out.append((m, e))
        return out

    def sentence_of(self, pos: int) -> tuple[int, int]:
        """Return the sentence holding offset ``pos``."""
        for s, e in self.sentences:
            if s <= pos < e:
                return s, e
        return pos, pos


Rule = Callable[[Context], Iterator[Relation]]


def _rel(
    ctx: Context,
    subject: Entity,
    predicate: str,
    obj: Entity,
    span: tuple[int, int],
    rule: str,
    confidence: float,
    role: str | None = None,
) -> Relation:
    start, end = span
    return Relation(
        subject=subject.name,
        predicate=predicate,
        object=obj.name,
        article=ctx.article.id,
        evidence=ctx.article.text[start:end],
        start=start,
        end=end,
        source=rule,
        confidence=confidence,
        role=role,
    )


def _is_org(e: Entity) -> bool:
    return e.type in ORG_TYPES


def _is_zone(e: Entity) -> bool:
    # 京津冀地区, 阿里地区: an area, not a zone
    return (
        e.type == "Region"
        and e.name.endswith(("区", "新区"))
        and not e.name.endswith("地区")
        and len(e.name) > 3
    )


def affiliation(ctx: Context) -> Iterator[Relation]:
    """X公司副总经理Y, 来自X大学的Y教授, 市委书记、市人大常委会主任Y (a chain of posts)."""
    text = ctx.article.text
    for k, (m, e) in enumerate(ctx.mentions):
        if e.type != "Person":
            continue
        sent = ctx.sentence_of(m.start)
        after = TITLE_RE.match(text, m.end)
        cursor = m.start
        for pm, pe in reversed(ctx.mentions[:k]):
            if pm.end > cursor or pm.start < sent[0] or cursor - pm.end > 16:
                if pm.end <= cursor and cursor - pm.end > 16:
                    break
                continue
            if not (_is_org(pe) or _is_zone(pe)):
                if pe.type == "Person" or pm.end == cursor:
                    break
                continue
            if any(o.start <= pm.start and pm.end < o.end for o, _ in ctx.mentions):
                continue  # a body inside a longer name: the longer one holds the post
            gap = text[pm.end : cursor]
            hit = _POST_CHAIN.match(gap)
            if hit:
                yield _rel(
                    ctx,
                    e,
                    "affiliatedWith",
                    pe,
                    (pm.start, m.end),
                    "org-title-person",
                    0.85,
                    hit.group(1),
                )
                cursor = pm.start
                continue
            if (
                cursor == m.start
                and gap == "的"
                and text[max(sent[0], pm.start - 2) : pm.start].endswith("来自")
            ):
                span = (pm.start - 2, after.end() if after else m.end)
                yield _rel(
                    ctx,
                    e,
                    "affiliatedWith",
                    pe,
                    span,
                    "from-org",
                    0.8,
                    after.group() if after else None,
                )
            break


def affiliation_after(ctx: Context) -> Iterator[Relation]:
    """Y等某某委员 (Y is a member of the body), 以Y同志为核心的某某 (Y leads it)."""
    text = ctx.article.text
    for (m, e), (om, oe) in itertools.pairwise(ctx.mentions):
        if e.type != "Person" or not _is_org(oe):
            continue
        gap = text[m.end : om.start]
        post = TITLE_RE.match(text, om.end)
        if gap == "等" and post:
            span = (m.start, post.end())
            role = text[om.start : post.end()]  # the post as written: 某某委员
            yield _rel(ctx, e, "affiliatedWith", oe, span, "member-of-body", 0.75, role)
        elif gap == _CORE_OF:
            span = (m.start, om.end)
            yield _rel(ctx, e, "affiliatedWith", oe, span, "core-of-body", 0.8, "核心")


def affiliation_by_kind(ctx: Context) -> Iterator[Relation]:
    """公司副总经理Y, 分会秘书长Y, 企业负责人Y: the last body of that kind named."""
    text = ctx.article.text
    for k, (m, e) in enumerate(ctx.mentions):
        if e.type != "Person":
            continue
        hit = _KIND_POST.search(text, max(0, m.start - 14), m.start)
        if hit is None or hit.end() != m.start:
            continue
        kind = hit.group(1)
        body = next(
            (
                (pm, pe)
                for pm, pe in reversed(ctx.mentions[:k])
                if pm.end <= hit.start()
                and _is_org(pe)
                and (
                    pe.name.endswith(kind) or (kind == "企业" and pe.type == "Company")
                )
            ),
            None,
        )
        if body is not None:
            span, role = (hit.start(), m.end), hit.group(2)
            rule = "kind-title-person"
            yield _rel(ctx, e, "affiliatedWith", body[1], span, rule, 0.6, role)


def project_post(ctx: Context) -> Iterator[Relation]:
    """某某·某地某项目负责人Y: Y works for the owner that starts the project's name."""
    text = ctx.article.text
    for (pm, pe), (m, e) in itertools.pairwise(_outermost(ctx.mentions)):
        if pe.type != "Project" or e.type != "Person":
            continue
        post = _POST_CHAIN.match(text[pm.end : m.start])
        owner = next(
            (
                oe
                for om, oe in ctx.in_span(pm.start, pm.end)
                if om.start == pm.start and om.end < pm.end and _is_org(oe)
            ),
            None,
        )
        if post is not None and owner is not None:
            span, role = (pm.start, m.end), post.group(1)
            yield _rel(ctx, e, "affiliatedWith", owner, span, "project-post", 0.6, role)


def person_titles(ctx: Context) -> dict[str, list[str]]:
    """Return the posts written next to each person: 副市长Y, Y教授, X公司总经理Y."""
    text = ctx.article.text
    out: dict[str, list[str]] = {}
    for m, e in ctx.mentions:
        if e.type != "Person":
            continue
        titles = out.setdefault(e.name, [])
        after = TITLE_RE.match(text, m.end)
        if after:
            titles.append(after.group())
        before = text[max(0, m.start - 10) : m.start].rstrip(" \u3000")
        hit = _POST_BEFORE.search(before)
        if hit:
            titles.append(hit.group(1))
    return {k: list(dict.fromkeys(v)) for k, v in out.items() if v}


def located_by_name(ctx: Context) -> Iterator[Relation]:
    """A name that starts with a region of the document: 某市科技局 locatedIn 某市."""
    regions = [e for e in ctx.entities if e.type == "Region"]
    forms = sorted(
        ((f, r) for r in regions for f in (r.name, *r.aliases)),
        key=lambda x: -len(x[0]),
    )
    parents = {(m.start, m.end) for m, e in ctx.mentions if _is_org(e)}
    for m, e in ctx.mentions:
        if e.type in ("Region", "Person"):
            continue
        # a unit or project whose name starts with its parent's or owner's name
        # (某国某协会某分会, 某省某某年产…项目): a country or province there names
        # where the parent is registered, not where the unit is
        wide = any((m.start, end) in parents for end in range(m.start + 2, m.end))
        seat = _SEAT.search(m.text)
        if seat:
            # 某某科技（某市）有限公司: the seat in brackets
            region = next((r for f, r in forms if _same_place(f, seat.group(1))), None)
            if region is not None:
                span = (m.start, m.end)
                yield _rel(ctx, e, "locatedIn", region, span, "seat-in-name", 0.8)
                continue
        for form, region in forms:
            if len(form) >= 2 and m.text.startswith(form) and len(m.text) > len(form):
                if wide and _is_wide(region):
                    break
                if _is_zone(region) and e.type in (
                    "GovernmentAgency",
                    "ResearchInstitute",
                ):
                    yield _rel(
                        ctx,
                        e,
                        "partOf",
                        region,
                        (m.start, m.end),
                        "zone-unit-name",
                        0.8,
                    )
                else:
                    yield _rel(
                        ctx,
                        e,
                        "locatedIn",
                        region,
                        (m.start, m.end),
                        "region-in-name",
                        0.75,
                    )
                break


def _is_wide(region: Entity) -> bool:
    """Return True for a country or a province (a macro-region too)."""
    gaz = lexicons.region_gazetteer()
    info = next((gaz[f] for f in (region.name, *region.aliases) if f in gaz), None)
    if info is not None:
        return info.level == "province"
    countries = lexicons.load_countries()
    return _is_macro(region) or any(
        f in countries for f in (region.name, *region.aliases)
    )


def _same_place(a: str, b: str) -> bool:
    """Return True for two forms of one place (兰州 / 兰州市)."""
    gaz = lexicons.region_gazetteer()
    return a == b or (a in gaz and b in gaz and gaz[a].adcode == gaz[b].adcode)


def located_by_phrase(ctx: Context) -> Iterator[Relation]:
    """某区的X, 位于某区的X, X位于/落户某区."""
    text = ctx.article.text
    ms = _outermost(ctx.mentions)
    gaz = lexicons.region_gazetteer()
    for k, (a, b) in enumerate(itertools.pairwise(ms)):
        (am, ae), (bm, be) = a, b
        gap = text[am.end : bm.start]
        if (
            ae.type == be.type == "Region"
            and gap == ""
            and bm.text not in gaz
            and not _is_wide(be)
        ):
            # 某区某某工业区: a zone written right after the place that holds it;
            # a country, province or macro-region is no zone (中国意大利文化年)
            span = (am.start, bm.end)
            yield _rel(ctx, be, "partOf", ae, span, "region-then-zone", 0.75)
        elif (
            ae.type == "Region"
            and be.type == "Person"
            and _FROM_PLACE.match(gap)
            and text[max(0, am.start - 2) : am.start] == "来自"
        ):
            # 来自某地的游客Y: the person's home region
            span = (am.start - 2, bm.end)
            yield _rel(ctx, be, "locatedIn", ae, span, "person-from-region", 0.7)
        elif (
            ae.type == "Region" and be.type not in ("Region", "Person") and gap == "的"
        ):
            yield _rel(ctx, be, "locatedIn", ae, (am.start, bm.end), "region-de-x", 0.8)
        elif (
            ae.type == "Region"
            and be.type in ("Project", "Company", "ResearchInstitute")
            and _SITED_APPOSITION.match(gap)
            and text[max(0, am.start - 2) : am.start].endswith(("位于", "在"))
        ):
            # 位于某区的省级重点项目——某项目
            yield _rel(
                ctx, be, "locatedIn", ae, (am.start, bm.end), "sited-apposition", 0.75
            )
        elif ae.type == "Region" and _is_org(be) and _DESCRIBED.match(gap):
            # 某国最大钾肥生产商X, 某国另一家民营企业X: a company of that country
            span = (am.start, bm.end)
            yield _rel(ctx, be, "locatedIn", ae, span, "region-kind-x", 0.7)
        elif (
            be.type == "Region"
            and ae.type not in ("Region", "Person")
            and _LOCATED.match(gap)
        ):
            # 位于某区某某工业区: the last of adjacent places is the most specific
            end = k + 1
            while (
                end + 1 < len(ms)
                and ms[end + 1][1].type == "Region"
                and ms[end + 1][0].start == ms[end][0].end
            ):
                end += 1
            em, ee = ms[end]
            span = (am.start, em.end)
            yield _rel(ctx, ae, "locatedIn", ee, span, "x-located-region", 0.8)


_LEVEL_OF_BODY = {
    "省": "province",
    "市": "city",
    "州": "city",
    "县": "district",
    "区": "district",
}


def _is_macro(region: Entity) -> bool:
    """Return True for a macro-region (京津冀, 长三角地区, 中国)."""
    macros = lexicons.load_macro_regions()
    return any(f in macros for f in (region.name, *region.aliases))


def _forms_with_short(region: Entity, gaz: dict[str, lexicons.RegionInfo]) -> list[str]:
    """Return a region's names, aliases and gazetteer short forms (长治市 → 长治)."""
    forms = [region.name, *region.aliases]
    return forms + [gaz[f].short for f in forms if f in gaz and gaz[f].short]


def _province_of(code: str) -> str:
    return code[:2] + "0000"


def _member_of(
    region: Entity, info: lexicons.RegionInfo | None, members: Sequence[str]
) -> bool:
    """Return True when a macro-region's member list covers ``region``.

    Members are province codes, country names, or ``*`` (every province).
    """
    if any(f in members for f in (region.name, *region.aliases)):
        return True
    if info is None:
        return False
    if "*" in members:
        return info.level == "province"
    # members are provinces (京津冀) or cities (晋北: its cities' codes)
    return _province_of(info.adcode) in members or _city_of(info.adcode) in members


def _city_of(code: str) -> str:
    return code[:4] + "00"


def _inside_one_province(members: Sequence[str]) -> bool:
    """Return True when a macro-region's members all lie in one province."""
    codes = [m for m in members if m[:1].isdigit()]
    return (
        len(codes) == len(members) > 0
        and len({_province_of(c) for c in codes}) == 1
        and (len(codes) == 1 or all(_province_of(c) != c for c in codes))
    )


def _at_level(info: lexicons.RegionInfo, level: str) -> bool:
    """Return True for a region of ``level``; 北京/天津/上海/重庆 count as cities too."""
    return info.level == level or (
        level == "city" and info.level == "province" and info.name.endswith("市")
    )


def _topic_region(ctx: Context, level: str | None = None) -> Entity | None:
    """Return the region the article is about: the most mentioned (ties: first)."""
    gaz = lexicons.region_gazetteer()
    counts: dict[str, tuple[int, int, Entity]] = {}
    for m, e in ctx.mentions:
        if e.type != "Region" or _is_macro(e):
            continue
        info = next((gaz[f] for f in (e.name, *e.aliases) if f in gaz), None)
        if level is not None and (info is None or not _at_level(info, level)):
            continue
        n, first, _ = counts.get(e.name, (0, m.start, e))
        counts[e.name] = (n + 1, first, e)
    if not counts:
        return None
    return max(counts.values(), key=lambda v: (v[0], -v[1]))[2]


def _province_of_topic(ctx: Context) -> Entity | None:
    """Return the province entity holding the article's topic city, if both are named."""
    gaz = lexicons.region_gazetteer()
    city = _title_region(ctx) or _topic_region(ctx, "city")
    info = (
        next((gaz[f] for f in (city.name, *city.aliases) if f in gaz), None)
        if city
        else None
    )
    if info is None or info.level == "province":
        return None
    code = _province_of(info.adcode)
    for e in ctx.entities:
        if e.type == "Region" and any(
            gaz.get(f) and gaz[f].adcode == code for f in (e.name, *e.aliases)
        ):
            return e
    return None


def located_bodies(ctx: Context) -> Iterator[Relation]:
    """市委, 市政府, 省科技厅: a body named by its level is in the article's region of that level."""
    for m, e in ctx.mentions:
        if e.type != "GovernmentAgency" or m.text[:1] not in _LEVEL_OF_BODY:
            continue
        level = _LEVEL_OF_BODY[m.text[0]]
        region = _province_of_topic(ctx) if level == "province" else None
        region = region or _topic_region(ctx, level)
        if region is not None:
            yield _rel(
                ctx,
                e,
                "locatedIn",
                region,
                (m.start, m.end),
                "body-of-topic-region",
                0.6,
            )


def _title_region(ctx: Context) -> Entity | None:
    """Return the region the headline names (the most specific one), if any."""
    title_end = ctx.article.body_start
    found = [
        (m, e)
        for m, e in ctx.mentions
        if m.end <= title_end
        and e.type == "Region"
        and not any(
            o.start <= m.start and m.end <= o.end and o is not m
            for o, _ in ctx.mentions
        )
        and not _NAME_GOES_ON.match(ctx.article.text, m.end)
        and not _starts_a_name(ctx, m)
    ]
    found = [(m, e) for m, e in found if not _is_macro(e)]
    return max(found, key=lambda me: len(me[1].name))[1] if found else None


def _starts_a_name(ctx: Context, m: Mention) -> bool:
    """Return True when a place starts an organisation's name (某地某某科技公司)."""
    head = ctx.article.text[m.start : m.end + 2]
    if len(head) < m.end - m.start + 2:
        return False
    return any(
        form.startswith(head)
        for e in ctx.entities
        if _is_org(e)
        for form in (e.name, *e.aliases)
    )


def located_in_headline_region(
    ctx: Context, stated: Sequence[Relation]
) -> Iterator[Relation]:
    """An organisation or project with no stated place is in the region the headline names."""
    region = _title_region(ctx)
    types = ("Company", "Project", "University", "ResearchInstitute", "Organization")
    if region is None:
        # no place in the headline: a project is where the article mostly is
        region, types = _topic_region(ctx), ("Project",)
    if region is None:
        return
    gaz = lexicons.region_gazetteer()
    if not any(f in gaz for f in (region.name, *region.aliases)):
        # a foreign country in the headline is where the project is, not the
        # home of the organisations that go there
        types = ("Project",)
    # placed: stated places, units of a region; an investor is placed by its
    # project, not by the article's region; a unit's partOf its parent places nothing
    placed = {
        r.subject
        for r in stated
        if r.predicate in ("locatedIn", "participatesIn")
        or (r.predicate == "partOf" and r.source != "unit-in-name")
    }
    for m, e in _outermost(ctx.mentions):
        if e.type in types and not _PUBLICATION.search(e.name):
            if e.name not in placed and m.start >= ctx.article.body_start:
                placed.add(e.name)
                yield _rel(
                    ctx,
                    e,
                    "locatedIn",
                    region,
                    (m.start, m.end),
                    "headline-region",
                    0.5,
                )


def region_hierarchy(ctx: Context) -> Iterator[Relation]:
    """Region partOf region from the gazetteer, and a zone partOf the region in its name."""
    gaz = lexicons.region_gazetteer()
    macros = lexicons.load_macro_regions()
    mine = {e.name for m, e in ctx.mentions if e.type == "Region"}
    regions = [e for e in ctx.entities if e.type == "Region"]
    by_code = {}
    for r in regions:
        for f in (r.name, *r.aliases):
            info = gaz.get(f)
            if info is not None:
                by_code[info.adcode] = r
    for r in regions:
        if r.name not in mine:
            continue
        first = next(m for m in r.mentions if m.article == ctx.article.id)
        info = next((gaz[f] for f in (r.name, *r.aliases) if f in gaz), None)
        code = info.parent_adcode if info else None
        while code:
            parent = by_code.get(code)
            if parent is not None and parent is not r:
                yield _rel(
                    ctx,
                    r,
                    "partOf",
                    parent,
                    (first.start, first.end),
                    "gazetteer-parent",
                    0.9,
                )
                break
            p_info = next((i for i in gaz.values() if i.adcode == code), None)
            code = p_info.parent_adcode if p_info else None
        province_named = (
            info is not None
            and info.level != "province"
            and _province_of(info.adcode) in by_code
        )
        weak = lexicons.weak_macro_regions()
        for macro in regions:
            forms = (macro.name, *macro.aliases)
            members = next((macros[f] for f in forms if f in macros), ())
            if macro is r or not members or _is_macro(r):
                continue
            inside_one = _inside_one_province(members)
            if (
                inside_one
                and info is not None
                and info.level == "province"
                and _province_of(members[0]) == info.adcode
            ):
                # a macro-region inside one province is partOf it
                span = (first.start, first.end)
                yield _rel(ctx, macro, "partOf", r, span, "macro-region", 0.8)
                continue
            if not _member_of(r, info, members):
                continue
            if any(f in weak for f in forms) and not inside_one:
                continue  # an informal grouping of provinces (京津, 晋陕蒙): no partOf
            if (
                info is not None
                and info.level == "district"
                and _city_of(info.adcode) in members
                and _city_of(info.adcode) in by_code
            ):
                continue  # a county goes to its city, which is named, not to 晋北
            # a city is partOf a macro-region only when its province is not named
            # (or when the macro-region lies inside that province)
            if not province_named or inside_one:
                span = (first.start, first.end)
                yield _rel(ctx, r, "partOf", macro, span, "macro-region", 0.8)
        if _is_zone(r):
            for other in sorted(regions, key=lambda x: -len(x.name)):
                if (
                    other is not r
                    and not _is_zone(other)
                    and any(
                        r.name.startswith(f)
                        for f in _forms_with_short(other, gaz)
                        if len(f) >= 2
                    )
                ):
                    yield _rel(
                        ctx,
                        r,
                        "partOf",
                        other,
                        (first.start, first.end),
                        "zone-in-region",
                        0.85,
                    )
                    break


def subsidiaries(ctx: Context) -> Iterator[Relation]:
    """A全资子公司B, A旗下子公司B: B is partOf A."""
    text = ctx.article.text
    for (am, ae), (bm, be) in itertools.pairwise(_outermost(ctx.mentions)):
        if _is_org(ae) and _is_org(be) and _SUBSIDIARY.match(text[am.end : bm.start]):
            yield _rel(ctx, be, "partOf", ae, (am.start, bm.end), "subsidiary-of", 0.8)


def joint_ventures(ctx: Context) -> Iterator[Relation]:
    """A与B…设立合资公司C: C is partOf A and of B."""
    text = ctx.article.text
    for s, e in ctx.sentences:
        agents = [(m, x) for m, x in ctx.in_span(s, e) if _is_org(x)]
        for k, (cm, ce) in enumerate(agents):
            if not _JOINT_VENTURE.search(text, max(s, cm.start - 6), cm.start):
                continue
            runs = [r for r in _groups(ctx, agents[:k]) if len(r) > 1]
            for _pm, parent in runs[-1] if runs else ():
                yield _rel(ctx, ce, "partOf", parent, (s, e), "joint-venture", 0.7)


def units_built(ctx: Context) -> Iterator[Relation]:
    """A company that builds or is granted a centre or laboratory: the unit is partOf it."""
    text = ctx.article.text
    for s, e in ctx.sentences:
        inside = ctx.in_span(s, e)
        for k, (um, ue) in enumerate(inside):
            if ue.type != "ResearchInstitute":
                continue
            before = [
                (m, x)
                for m, x in inside[:k]
                if x.type == "Company" and m.end <= um.start
            ]
            if not before:
                continue
            cm, company = before[0]
            if _UNIT_VERB.search(text, cm.end, um.start):
                yield _rel(
                    ctx, ue, "partOf", company, (cm.start, um.end), "unit-built-by", 0.6
                )


def nested_names(ctx: Context) -> Iterator[Relation]:
    """A body inside a longer name: its unit is partOf it; its project it participates in."""
    for m, e in ctx.mentions:
        for im, ie in ctx.in_span(m.start, m.end):
            if (
                ie is e
                or not (m.start <= im.start and im.end <= m.end)
                or im.end - im.start >= m.end - m.start
            ):
                continue
            if _is_org(e) and _is_org(ie):
                yield _rel(ctx, e, "partOf", ie, (m.start, m.end), "unit-in-name", 0.85)
            elif e.type == "Project" and _is_org(ie):
                yield _rel(
                    ctx,
                    ie,
                    "participatesIn",
                    e,
                    (m.start, m.end),
                    "owner-in-name",
                    0.75,
                    "owner",
                )
            elif e.type == "Project" and ie.type == "Project":
                yield _rel(
                    ctx, e, "partOf", ie, (m.start, m.end), "project-in-name", 0.75
                )


def _groups(
    ctx: Context, items: list[tuple[Mention, Entity]]
) -> list[list[tuple[Mention, Entity]]]:
    """Split a sentence's organisations into runs joined by 与/和/、/联合."""
    text = ctx.article.text
    runs: list[list[tuple[Mention, Entity]]] = []
    if not items:
        return runs
    found = _ASIDE.finditer(text, items[0][0].start, items[-1][0].end)
    asides = [a.span() for a in found]
    for m, e in _outermost(items):
        if any(a < m.start and m.end < b for a, b in asides):
            continue  # a short name declared in brackets: its long name stands
        # "A（以下简称甲）与B": an aside between two names does not part them
        gap = _ASIDE.sub("", text[runs[-1][-1][0].end : m.start]) if runs else ""
        if runs and _SUBSIDIARY.match(gap):
            runs[-1][-1] = (m, e)  # "A与B全资子公司C签署": C, not B, signs
        elif runs and _CONNECT.match(gap):
            runs[-1].append((m, e))
        else:
            runs.append([(m, e)])
    return runs


def _outermost(items: Sequence[tuple[Mention, Entity]]) -> list[tuple[Mention, Entity]]:
    """Drop the mentions inside a longer one (某科学院 in 某科学院某研究所).

    ``items`` are sorted by start, longer first at a start (as ``Context.mentions``).
    """
    out: list[tuple[Mention, Entity]] = []
    reach = -1
    for m, e in items:
        same = bool(out) and (out[-1][0].start, out[-1][0].end) == (m.start, m.end)
        if m.end <= reach and not same:
            continue
        out.append((m, e))
        reach = max(reach, m.end)
    return out


def participation(ctx: Context) -> Iterator[Relation]:
    """由A与B共同投资建设, A联合B、C共建D, 吸引A、B等参与: roles by verb."""
    text = ctx.article.text
    focus: tuple[Mention, Entity] | None = None
    focus_sentence = -1
    for k, (s, e) in enumerate(ctx.sentences):
        inside = ctx.in_span(s, e)
        projects = [(m, x) for m, x in inside if x.type == "Project"]
        agents = [(m, x) for m, x in inside if _is_org(x)]
        sentence = text[s:e]
        near = focus is not None and (
            _FOCUS.search(sentence) or focus_sentence == k - 1
        )
        targets = projects or ([focus] if focus is not None and near else [])
        if projects:
            focus, focus_sentence = projects[-1], k
        if not targets or not agents:
            continue
        for run in _groups(ctx, agents):
            last = run[-1][0]
            tail = text[last.end : _clause_end(text, last.end, e, 20)]
            verb = _PARTICIPATE.search(tail)
            if verb is None:
                continue
            role = _role(tail[: verb.end()])
            if len(run) > 1 and text[run[0][0].end : run[1][0].start] in (
                "联合",
                "携手",
            ):
                run = run[:1]  # "A联合B、C建成D": A builds D; B and C are A's partners
            for pm, px in targets:
                if any(pm.start <= am.start and am.end <= pm.end for am, _ in run):
                    continue
                for _am, ax in run:
                    yield _rel(
                        ctx,
                        ax,
                        "participatesIn",
                        px,
                        (s, e),
                        "agent-verb-project",
                        0.7,
                        role,
                    )


def owner_by_name(ctx: Context) -> Iterator[Relation]:
    """某某药业有限公司 owns 某某创新药物…项目: a project named after a company's own name."""
    companies = [e for e in ctx.entities if e.type == "Company"]
    for m, e in ctx.mentions:
        if e.type != "Project":
            continue
        for c in companies:
            core = _company_core(c.name)
            if (
                len(core) >= 3
                and e.name.startswith(core)
                and not e.name.startswith(c.name)
            ):
                yield _rel(
                    ctx,
                    c,
                    "participatesIn",
                    e,
                    (m.start, m.end),
                    "owner-by-name",
                    0.6,
                    "owner",
                )


def _company_core(name: str) -> str:
    """Return a company name without its legal or trade suffix (某某药业有限公司 → 某某).

    Example:
        >>> _company_core("青州远航药业有限公司")
        '青州远航'
    """
    out = _LEGAL_SUFFIX.sub("", name)
    return _TRADE_SUFFIX.sub("", out) or out


def _clause_end(text: str, start: int, limit: int, width: int) -> int:
    """Return where the clause starting at ``start`` ends (within ``width`` chars)."""
    m = _CLAUSE_BREAK.search(text, start, min(limit, start + width))
    return m.start() if m else min(limit, start + width)


def _role(verb_text: str) -> str:
    if any(w in verb_text for w in ("共建", "联合", "参与", "参建", "入股")):
        return "partner"
    if "投资" in verb_text or "出资" in verb_text:
        return "investor"
    if "运营" in verb_text:
        return "operator"
    return "builder"


def collaboration(ctx: Context) -> Iterator[Relation]:
    """A与B签约/合作, A联合B、C共建 (every pair), 与B、C的合作 (the subject in focus)."""
    text = ctx.article.text
    topic = _title_region(ctx) or _topic_region(ctx)
    for s, e in ctx.sentences:
        agents = [
            (m, x)
            for m, x in ctx.in_span(s, e)
            if _is_org(x) or (x.type == "Region" and not _starts_a_name(ctx, m))
        ]
        for run in _groups(ctx, agents):
            last = run[-1][0]
            tail = text[last.end : _clause_end(text, last.end, e, 30)]
            joined = any(
                text[a[0].end : b[0].start] in ("联合", "携手")
                for a, b in itertools.pairwise(run)
            )
            # "A与B获悉，双方已签署合作协议": 双方 names the two of the run
            mutual = len(run) > 1 and _MUTUAL.search(text, last.end, e) is not None
            if not _COLLAB.search(tail) and not joined and not mutual:
                continue
            members = [x for _, x in run]
            head = run[0][0]
            pairs = [(a, b) for i, a in enumerate(members) for b in members[i + 1 :]]
            if _WITH_BEFORE.search(text, max(s, head.start - 3), head.start):
                # "与B、C…合作": the other side is the agent before, or the article's
                # region when the subject is 该市/我省; B and C are partners of it only
                before = [(m, x) for m, x in agents if m.end <= head.start]
                since = before[-1][0].end if before else s
                if _ANAPHOR.search(text, since, head.start):
                    other = topic
                else:
                    other = before[-1][1] if before else None
                pairs = [(other, x) for x in members] if other is not None else []
            for a, b in pairs:
                if a is b or a.name == b.name or _holds(a, b) or _holds(b, a):
                    continue
                if a.type == b.type == "GovernmentAgency":
                    continue  # ministries issuing together are not partners
                yield _rel(ctx, a, "collaboratesWith", b, (s, e), "joint-verb", 0.7)


def _holds(a: Entity, b: Entity) -> bool:
    """Return True when a's name holds one of b's (某新区管委会 / 某新区)."""
    return any(len(f) >= 2 and f in a.name for f in (b.name, *b.aliases))


def funding(ctx: Context) -> Iterator[Relation]:
    """A project that gets a loan or funding from a named bank or fund."""
    for s, e in ctx.sentences:
        inside = ctx.in_span(s, e)
        projects = [x for _, x in inside if x.type == "Project"]
        funders = [
            x
            for _, x in inside
            if x.type == "Company" and x.name.endswith(("银行", "基金"))
        ]
        if projects and funders and _FUND.search(ctx.article.text[s:e]):
            for p in projects:
                for f in funders:
                    yield _rel(ctx, p, "fundedBy", f, (s, e), "project-loan", 0.6)


RULES: tuple[Rule, ...] = (
    affiliation,
    affiliation_after,
    affiliation_by_kind,
    project_post,
    located_by_name,
    located_by_phrase,
    region_hierarchy,
    nested_names,
    subsidiaries,
    joint_ventures,
    units_built,
    located_bodies,
    participation,
    owner_by_name,
    collaboration,
    funding,
)


# Rules that only fill what the others left unsaid (they see the relations so far).
FALLBACKS: tuple[Callable[[Context, Sequence[Relation]], Iterator[Relation]], ...] = (
    located_in_headline_region,
)


def extract_relations(ctx: Context, rules: Sequence[Rule] = RULES) -> list[Relation]:
    """Run the rules; keep one relation per (subject, predicate, object).

    The first rule to state a fact wins; a symmetric collaboratesWith is kept
    once whatever its direction; no entity relates to itself.
    """
    seen: set[tuple[str, str, str]] = set()
    out: list[Relation] = []
    for rule in rules:
        for r in rule(ctx):
            key = (r.subject, r.predicate, r.object)
            if r.subject == r.object or key in seen:
                continue
            if (
                r.predicate == "collaboratesWith"
                and (r.object, r.predicate, r.subject) in seen
            ):
                continue
            seen.add(key)
            out.append(r)
    for fallback in FALLBACKS:
        out.extend(
            r
            for r in fallback(ctx, out)
            if (r.subject, r.predicate, r.object) not in seen
        )
    return out


def project_investments(
    ctx: Context, find: Callable[[str], list[tuple[int, int, object]]]
) -> dict[str, tuple[int, int, object]]:
    """Attach each total-investment amount to the project in focus.

    Args:
        ctx: the article context.
        find: ``attributes.find_investments``: amounts in a sentence.
    """
    text = ctx.article.text
    out: dict[str, tuple[int, int, object]] = {}
    focus: Entity | None = None
    for s, e in ctx.sentences:
        inside = [(m, x) for m, x in ctx.in_span(s, e) if x.type == "Project"]
        for start, end, amount in find(text[s:e]):
            a_start, a_end = s + start, s + end
            after = [x for m, x in inside if _AMOUNT_FOR.match(text[a_end : m.start])]
            clause = [
                x
                for m, x in inside
                if m.end <= a_start and not _CLAUSE_BREAK.search(text[m.end : a_start])
            ]
            target = after[0] if after else clause[-1] if clause else focus
            if target is not None and target.name not in out:
                out[target.name] = (a_start, a_end, amount)
        if inside:
            focus = inside[-1][1]
    return out
