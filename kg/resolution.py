"""Entity resolution: one entity per real thing per document.

Rules, each recorded in ``Entity.merged_by`` when it merges forms:

- ``same-name``: the same name (white space and quotes aside) and type.
- ``declared-alias``: ``X（以下简称“Y”）`` / ``X（简称Y）`` declares Y a name of X;
  other occurrences of Y in the document become mentions of X.
- ``region-code``: region names with the same administrative code
  (大同 / 大同市).
- ``short-form``: an organisation name whose characters appear in order in a
  longer name of the same type starting with the same two characters
  (远航科技 ⊂ 远航新材料科技股份公司); a zone short form "XY区" of a zone
  whose name holds "XY" (综改区 ⊂ 某省转型综改示范区).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from kg import lexicons
from kg.records import ORG_TYPES, Article, Entity, Mention

__all__ = ["declared_aliases", "find_alias_mentions", "normalise", "resolve_entities"]

_QUOTES = '“”"‘’「」『』'
_DECLARED = re.compile(
    r"[（(]\s*(?:以下|下文)?简称\s*[“\"「]?([^”\"」）)，,]{2,20})[”\"」]?\s*[）)]"
)
_LEGAL_FORM = re.compile(
    r"(?:集团|控股)?(?:股份)?(?:有限责任公司|有限公司|股份公司|公司)$|集团$"
)
_ZONE_TAIL = ("示范区", "开发区", "经开区", "高新区", "新区", "试验区", "保税区")


def normalise(name: str) -> str:
    """Return the comparison key of a name: no white space, no quotes.

    Example:
        >>> normalise("同城 “快线”项目")
        '同城快线项目'
    """
    return "".join(ch for ch in name if not ch.isspace() and ch not in _QUOTES)


def declared_aliases(text: str, mentions: Sequence[Mention]) -> dict[str, str]:
    """Map each alias declared with 以下简称/简称 to the mention it follows.

    Example:
        >>> m = Mention("a1", 0, 8, "甲乙丙丁有限公司", "Company", "t")
        >>> declared_aliases("甲乙丙丁有限公司（以下简称“甲乙”）成立", [m])
        {'甲乙': '甲乙丙丁有限公司'}
    """
    out: dict[str, str] = {}
    for m in _DECLARED.finditer(text):
        before = [x for x in mentions if x.end <= m.start() and m.start() - x.end <= 2]
        if before:
            out[m.group(1).strip()] = max(before, key=lambda x: x.end).text
    return out


def find_alias_mentions(
    article: Article, aliases: dict[str, tuple[str, str]], mentions: Sequence[Mention]
) -> list[Mention]:
    """Find occurrences of known aliases not yet covered by a mention.

    Args:
        article: the article to search.
        aliases: alias → (entity name, type).
        mentions: the mentions already found in the article.
    """
    taken = [(m.start, m.end) for m in mentions]
    out: list[Mention] = []
    for alias, (_name, label) in sorted(aliases.items(), key=lambda kv: -len(kv[0])):
        for m in re.finditer(re.escape(alias), article.text):
            s, e = m.start(), m.end()
            if any(s < te and ts < e for ts, te in taken):
                continue
            taken.append((s, e))
            out.append(Mention(article.id, s, e, alias, label, "declared-alias", 0.9))
    return out


def _stem(label: str, name: str) -> str:
    """Return the form two names of one thing share: 京津冀地区 → 京津冀, 国家商务部 → 商务部.

    Example:
        >>> _stem("Region", "京津冀地区"), _stem("GovernmentAgency", "国家商务部")
        ('京津冀', '商务部')
    """
    if label == "Region" and name.endswith("地区") and len(name) >= 4:
        return name[:-2]
    if label == "GovernmentAgency":
        if name.startswith("国家") and name.endswith("部"):
            name = name[2:]
        return lexicons.government_canonical().get(name, name)
    return name


def _region_key(name: str) -> str | None:
    info = lexicons.region_gazetteer().get(name)
    return info.adcode if info is not None else None


def _is_short_form(short: str, long: str) -> bool:
    """Return True when ``short`` reads as an abbreviation of ``long``.

    Example:
        >>> _is_short_form("甲能科技", "甲能清洁能源科技股份公司")
        True
        >>> _is_short_form("甲能", "乙能集团")
        False
    """
    if len(short) < 2 or len(short) >= len(long) or short[:2] != long[:2]:
        return False
    it = iter(long)
    return all(ch in it for ch in short)


def _has_own_suffix(name: str) -> bool:
    """Return True when a name ends like a full body name (…大学, …研究院, …集团)."""
    return any(
        name.endswith(suffix) and len(name) > len(suffix)
        for suffix, label in lexicons.load_suffixes()
        if label != "Company" or suffix in ("公司", "有限公司", "集团", "股份有限公司")
    )


def _strip_region(name: str) -> str:
    """Drop a leading region name (青州远航… → 远航…) for short-form tests."""
    gaz = lexicons.region_gazetteer()
    for length in range(min(len(name) - 2, 9), 1, -1):
        if name[:length] in gaz:
            return name[length:]
    return name


def _place_follows(short: str, long: str) -> bool:
    """Return True when ``long`` is ``short`` then a listed place (某某电力某市某厂).

    Example:
        >>> _place_follows("青禾能源", "青禾能源兰州西固热电公司")
        True
        >>> _place_follows("青禾", "青禾能源公司")
        False
    """
    if not long.startswith(short):
        return False
    gaz = lexicons.region_gazetteer()
    rest = long[len(short) :]
    return any(rest[:n] in gaz for n in range(2, min(len(rest), 7)))


def _is_project_short(short: str, long: str) -> bool:
    """Return True for a shorter name of the same project (…扩建项目 / …产能扩建项目).

    Example:
        >>> _is_project_short("石墨烯项目", "远航年产5万吨石墨烯项目")
        True
        >>> _is_project_short("光伏项目", "风电项目")
        False
        >>> _is_project_short("远航（青州）产业园", "远航（青州）产业园项目")
        True
    """
    if long == short + "项目":
        return True  # 某某产业园 / 某某产业园项目
    if len(short) < 4 or len(short) >= len(long) or short[-2:] != long[-2:]:
        return False
    if long.endswith(short):
        return True
    it = iter(long)
    return short[:2] in long and all(ch in it for ch in short)


def _is_zone_short(short: str, long: str) -> bool:
    """Return True for a shorter name of the same zone.

    Example:
        >>> _is_zone_short("综改区", "某省转型综改示范区")
        True
        >>> _is_zone_short("临江经济开发区", "临江经济技术开发区")
        True
    """
    if not long.endswith(_ZONE_TAIL) or len(short) >= len(long):
        return False
    if not short.endswith("区") and len(short) >= 2:
        # 青禾 / 甘南青禾新区; a listed place (某市 / 某市经开区) is a region of its own
        listed = short in lexicons.region_gazetteer()
        return not listed and _zone_core(long).endswith(short)
    if short.endswith("区") and len(short) <= 4:
        core = short[:-1]
        return len(core) >= 2 and core in long[:-1]
    if short[:2] != long[:2] or short[-3:] != long[-3:]:
        return False
    it = iter(long)
    return all(ch in it for ch in short)


def _zone_core(name: str) -> str:
    """Return a zone's name without its zone word (某某新区 → 某某)."""
    tail = next((t for t in _ZONE_TAIL if name.endswith(t)), "")
    return name[: len(name) - len(tail)] if tail else ""


def _zone_cores(mentions: list[Mention]) -> list[Mention]:
    """Make a bare zone name typed as a company the zone's (青禾 of 甘南青禾新区).

    Example:
        >>> zone = Mention("a", 0, 6, "甘南青禾新区", "Region", "t")
        >>> ms = [zone, Mention("a", 9, 11, "青禾", "Company", "t")]
        >>> [m.label for m in _zone_cores(ms)]
        ['Region', 'Region']
    """
    regions = [normalise(m.text) for m in mentions if m.label == "Region"]
    cores = {_zone_core(r) for r in regions} - {""}
    out = []
    for m in mentions:
        name = normalise(m.text)
        if (
            m.label == "Company"
            and len(name) >= 2
            and not _has_own_suffix(name)
            and any(core.endswith(name) for core in cores)
        ):
            m = replace(m, label="Region")
        out.append(m)
    return out


def resolve_entities(mentions: Iterable[Mention]) -> list[Entity]:
    """Group a document's mentions into entities (see the module rules).

    Returns:
        Entities sorted by type then name; ``name`` is the fullest form.
    """
    groups: dict[tuple[str, str], list[Mention]] = {}
    rules: dict[tuple[str, str], set[str]] = {}
    for m in _zone_cores(list(mentions)):
        key = (m.label, _stem(m.label, normalise(m.text)))
        if m.label == "Region":
            code = _region_key(key[1])
            if code is not None:
                key = (m.label, "code:" + code)
        groups.setdefault(key, []).append(m)
        if m.source == "declared-alias":
            rules.setdefault(key, set()).add("declared-alias")
    # short forms merge into the longest compatible group of the same type
    names = {k: max((x.text for x in v), key=len) for k, v in groups.items()}
    for key in sorted(groups, key=lambda k: len(names[k])):
        label, _ = key
        if label not in ORG_TYPES and label not in ("Region", "Project"):
            continue
        if label == "GovernmentAgency":
            continue
        short = normalise(names[key])
        # a name that is exactly another's name without its legal form goes to it
        # first (某某 → 某某集团, not 某某某某科技有限公司), then to the longest
        exact = {k for k in groups if _LEGAL_FORM.sub("", names[k]) == names[key]}
        for other in sorted(groups, key=lambda k: (k not in exact, -len(names[k]))):
            if other == key or other[0] != label or other not in groups:
                continue
            long = normalise(names[other])
            rule = None
            if label == "Region":
                rule = "short-form" if _is_zone_short(short, long) else None
            elif label == "Project":
                rule = "short-form" if _is_project_short(short, long) else None
            elif short == _strip_region(long) and short != long:
                rule = "short-form"  # 某某集团 / 某市某某集团: without its place
            elif _has_own_suffix(short) or _place_follows(short, long):
                # 某某大学 in 某某大学某研究所, 某某电力 in 某某电力某市某某发电公司:
                # a parent body, not a short form
                rule = None
            elif (
                _is_short_form(short, long)
                or _is_short_form(short, _strip_region(long))
                or (short == _strip_region(long) and short != long)
            ):
                rule = "short-form"
            if rule:
                groups[other].extend(groups.pop(key))
                rules.setdefault(other, set()).update({rule, *rules.pop(key, set())})
                break
    entities = []
    for key, ms in groups.items():
        forms = sorted({m.text for m in ms}, key=lambda t: (-len(normalise(t)), t))
        name = forms[0]
        aliases = [f for f in forms[1:] if normalise(f) != normalise(name)]
        for f in forms:
            bare = normalise(f)
            if bare != f and bare not in aliases and bare != name:
                aliases.append(bare)
        merged = set(rules.get(key, set()))
        if key[1].startswith("code:") and len(forms) > 1:
            merged.add("region-code")
        if len({normalise(m.text) for m in ms}) < len(ms):
            merged.add("same-name")
        entities.append(
            Entity(
                name=name,
                type=key[0],
                aliases=tuple(aliases),
                articles=tuple(sorted({m.article for m in ms}, key=_article_order)),
                mentions=tuple(
                    sorted(ms, key=lambda m: (_article_order(m.article), m.start))
                ),
                merged_by=tuple(sorted(merged)),
            )
        )
    return sorted(entities, key=lambda e: (e.type, e.name))


def _article_order(article_id: str) -> tuple[int, str]:
    digits = "".join(ch for ch in article_id if ch.isdigit())
    return (int(digits) if digits else 0, article_id)
