"""General lexicons: universities, academies, national bodies, suffixes, regions.

The lists live in ``kg/data/`` (see its README: general resources compiled
from general knowledge, never from a scored text). The region gazetteer is
built from the administrative divisions bundled with the ``cpca`` package.
Every loader reads its file on first call and caches the result; nothing is
read at import time.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from kg.errors import ConfigError, PipelineError
from kg.records import ENTITY_TYPES

__all__ = [
    "GENERIC_REGION_SHORTS",
    "RegionInfo",
    "government_canonical",
    "load_academies",
    "load_capitals",
    "load_countries",
    "load_government",
    "load_macro_regions",
    "load_suffixes",
    "load_surnames",
    "load_universities",
    "region_gazetteer",
    "region_index",
    "weak_macro_regions",
]

_DATA_PACKAGE = "kg.data"

#: Short forms of districts too generic to name one place (城区, 郊区, 矿区 …).
GENERIC_REGION_SHORTS = frozenset(
    {
        "城",
        "郊",
        "矿",
        "市中",
        "城关",
        "城中",
        "城东",
        "城西",
        "城南",
        "城北",
        "新城",
        "老城",
        "新区",
        "市辖",
        "开发",
        "高新",
        "经济",
        "中心",
        "东区",
        "西区",
        "南区",
        "北区",
        "中区",
        "和平",
        "新华",
        "东方",
        "城厢",
    }
)
# Administrative-division words, longest first, stripped to make short forms.
_REGION_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "矿区",
    "省",
    "市",
    "县",
    "区",
    "盟",
)
# Divisions whose kind word is not a plain suffix (碑林区 is no 林区).
_SPECIAL_SHORTS = {"神农架林区": "神农架", "六枝特区": "六枝"}
# Pseudo-divisions in the adcode table that are not places.
_PSEUDO = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
# Ethnic group names that stand between a place name and 自治区/州/县.
_EXTRA_ETHNIC = ("维吾尔", "壮", "回", "藏", "蒙古", "朝鲜", "哈萨克", "柯尔克孜")


@dataclass(frozen=True, slots=True)
class RegionInfo:
    """One administrative division of China, from cpca's adcode table.

    ``adcode`` is the six-digit code (``"140000"`` for 山西省);
    ``parent_adcode`` is the province of a city and the city (or, under a
    municipality or a province-administered county, the province) of a
    district or county; None for a province.
    """

    name: str
    short: str | None
    adcode: str
    level: str  # "province", "city" or "district"
    parent_adcode: str | None
    lat: float | None
    lon: float | None


def _read_data(name: str) -> str:
    try:
        return (resources.files(_DATA_PACKAGE) / name).read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError) as err:
        raise ConfigError(
            f"lexicon {name!r} is missing from {_DATA_PACKAGE}; reinstall kg"
        ) from err


def _rows(name: str) -> list[list[str]]:
    """Return the tab-separated rows of a data file, without comments or blanks."""
    rows = []
    for line in _read_data(name).splitlines():
        line = unicodedata.normalize("NFC", line).strip()
        if line and not line.startswith("#"):
            rows.append([cell.strip() for cell in line.split("\t")])
    return rows


def _paren_variants(name: str) -> set[str]:
    """Return a name with full-width and ASCII parentheses."""
    full = name.replace("(", "（").replace(")", "）")
    return {name, full, full.replace("（", "(").replace("）", ")")}


@lru_cache(maxsize=1)
def load_universities() -> dict[str, str]:
    """Return every university name and well-known short form, to its canonical name.

    Names with parentheses (中国矿业大学（北京）) appear with both full-width
    and ASCII parentheses.

    Returns:
        ``{form: canonical name}``; a canonical name maps to itself.

    Raises:
        ConfigError: If the list is missing from the installed package.

    Example:
        >>> load_universities()["清华"]
        '清华大学'
    """
    names: dict[str, str] = {}
    shorts: dict[str, str] = {}
    for row in _rows("universities.txt"):
        canonical = row[0]
        for form in _paren_variants(canonical):
            names[form] = canonical
        for short in row[1:]:
            for alias in short.split(","):
                if alias.strip():
                    shorts[alias.strip()] = canonical
    # A full name always wins over someone else's short form.
    return {**shorts, **names}


@lru_cache(maxsize=1)
def load_academies() -> frozenset[str]:
    """Return the names of national and provincial academies and institutes.

    Raises:
        ConfigError: If the list is missing from the installed package.

    Example:
        >>> "中国工程院" in load_academies()
        True
    """
    return frozenset(
        form
        for row in _rows("research_academies.txt")
        for form in _paren_variants(row[0])
    )


@lru_cache(maxsize=1)
def load_capitals() -> dict[str, str]:
    """Return world capitals and great cities outside China, each with its country.

    Raises:
        ConfigError: If the list is missing from the installed package.

    Example:
        >>> load_capitals()["堪培拉"]
        '澳大利亚'
    """
    return {row[0]: row[1] for row in _rows("capitals.txt") if len(row) >= 2}


@lru_cache(maxsize=1)
def load_countries() -> frozenset[str]:
    """Return country names (short and official) and world-region names.

    Raises:
        ConfigError: If the list is missing from the installed package.

    Example:
        >>> {"加拿大", "中华人民共和国", "东南亚"} <= load_countries()
        True
    """
    return frozenset(
        cell.strip() for row in _rows("countries.txt") for cell in row if cell.strip()
    )


@lru_cache(maxsize=1)
def load_macro_regions() -> dict[str, tuple[str, ...]]:
    """Return macro-regions and their members (province adcodes or country names).

    ``"*"`` stands for every province of China.

    Example:
        >>> load_macro_regions()["京津冀"]
        ('110000', '120000', '130000')
    """
    return {
        row[0].strip(): tuple(m.strip() for m in row[1].split(",") if m.strip())
        for row in _rows("macro_regions.tsv")
        if len(row) > 1
    }


@lru_cache(maxsize=1)
def weak_macro_regions() -> frozenset[str]:
    """Return the macro-regions that count only where the model also sees a place.

    Their short names (晋北, 关中, 中原) can be words or parts of words
    (机关中); the file marks them with ``?`` in a third column.

    Example:
        >>> "晋北" in weak_macro_regions(), "京津冀" in weak_macro_regions()
        (True, False)
    """
    return frozenset(
        row[0].strip()
        for row in _rows("macro_regions.tsv")
        if len(row) > 2 and row[2].strip() == "?"
    )


@lru_cache(maxsize=1)
def load_government() -> frozenset[str]:
    """Return the names and usual short forms of national government bodies.

    Raises:
        ConfigError: If the list is missing from the installed package.

    Example:
        >>> {"国务院", "国家发展改革委"} <= load_government()
        True
    """
    return frozenset(
        form
        for row in _rows("government_bodies.txt")
        for cell in row
        for name in cell.split(",")
        if name.strip()
        for form in _paren_variants(name.strip())
    )


@lru_cache(maxsize=1)
def common_words() -> dict[str, tuple[int, str]]:
    """Return jieba's dictionary: each word's frequency and part of speech.

    A name that is a frequent common noun (国际, 苹果) or an adverb is weak
    evidence of an entity; ``nt`` marks organisations, ``j`` abbreviations.

    Example:
        >>> common_words()["联合国"][1]
        'nt'
    """
    import jieba

    out: dict[str, tuple[int, str]] = {}
    with jieba.get_dict_file() as fh:
        for raw in fh:
            parts = raw.decode("utf-8").split()
            if len(parts) >= 2:
                out[parts[0]] = (int(parts[1]), parts[2] if len(parts) > 2 else "")
    return out


@lru_cache(maxsize=1)
def load_surnames() -> frozenset[str]:
    """Return common Chinese family names (single and compound).

    Example:
        >>> {"王", "欧阳"} <= load_surnames()
        True
    """
    return frozenset(
        name for row in _rows("surnames.txt") for cell in row for name in cell.split()
    )


@lru_cache(maxsize=1)
def government_canonical() -> dict[str, str]:
    """Map each listed national body's short form to its full name.

    Example:
        >>> government_canonical()["科技部"]
        '科学技术部'
    """
    out: dict[str, str] = {}
    for row in _rows("government_bodies.txt"):
        full = row[0].strip()
        for cell in row[1:]:
            for short in cell.split(","):
                if short.strip():
                    out[short.strip()] = full
    return out


@lru_cache(maxsize=1)
def load_suffixes() -> tuple[tuple[str, str], ...]:
    """Return ``(suffix, type)`` pairs, longest suffix first.

    The first pair whose suffix ends a name gives the name's type, so
    职业技术学院 is tried before 学院 and 有限公司 before 公司.

    Raises:
        ConfigError: If the list is missing, or a row names an unknown type.

    Example:
        >>> dict(load_suffixes())["研究所"]
        'ResearchInstitute'
    """
    pairs: dict[str, str] = {}
    for number, row in enumerate(_rows("org_suffixes.tsv"), start=1):
        if len(row) < 2 or row[1] not in ENTITY_TYPES:
            raise ConfigError(
                f"org_suffixes.tsv row {number} {row!r}: the type must be one of "
                f"{', '.join(ENTITY_TYPES)}"
            )
        pairs.setdefault(row[0], row[1])
    return tuple(sorted(pairs.items(), key=lambda p: (-len(p[0]), p[0])))


def _cpca_adcodes() -> Path:
    # find_spec on a top-level package locates it without importing it.
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise PipelineError("the region gazetteer needs cpca; run `pip install cpca`")
    path = (
        Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"
    )
    if not path.is_file():
        raise PipelineError(f"cpca has no adcode table at {path}; reinstall cpca")
    return path


def _ethnic_groups() -> tuple[str, ...]:
    path = _cpca_adcodes().with_name("56_nations.csv")
    names: set[str] = set(_EXTRA_ETHNIC)
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line.endswith("族") and len(line) >= 2:
                names.update({line, line[:-1]})
    return tuple(sorted(names, key=len, reverse=True))


def _short_form(name: str, ethnic: tuple[str, ...]) -> str | None:
    """Return a division's short form: 山西省 → 山西, 延边朝鲜族自治州 → 延边."""
    if name in _SPECIAL_SHORTS:
        return _SPECIAL_SHORTS[name]
    for suffix in _REGION_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            break
    else:
        return None
    if suffix in ("特别行政区", "自治区", "自治州", "自治县", "自治旗"):
        # Strip the ethnic groups, as many as there are (土家族苗族).
        changed = True
        while changed:
            changed = False
            for group in ethnic:
                if stem.endswith(group) and len(stem) - len(group) >= 2:
                    stem = stem[: -len(group)]
                    changed = True
                    break
    if len(stem) < 2 or stem in GENERIC_REGION_SHORTS or stem in ethnic:
        return None
    return stem


def _level(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    return "city" if code.endswith("00") else "district"


@lru_cache(maxsize=1)
def _regions() -> tuple[RegionInfo, ...]:
    text = _cpca_adcodes().read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    names = {row["adcode"][:6]: row["name"].strip() for row in rows}
    ethnic = _ethnic_groups()

    def real(code: str) -> bool:
        return code in names and names[code] not in _PSEUDO

    out = []
    for row in rows:
        code, name = row["adcode"][:6], row["name"].strip()
        if name in _PSEUDO:
            continue
        level = _level(code)
        parent: str | None = None
        if level == "city":
            parent = code[:2] + "0000"
        elif level == "district":
            city = code[:4] + "00"
            parent = city if real(city) else code[:2] + "0000"
        out.append(
            RegionInfo(
                name=name,
                short=_short_form(name, ethnic),
                adcode=code,
                level=level,
                parent_adcode=parent,
                lat=float(row["latitude"]) if row.get("latitude") else None,
                lon=float(row["longitude"]) if row.get("longitude") else None,
            )
        )
    out.extend(_recent_divisions(out, ethnic))
    return tuple(sorted(out, key=lambda r: r.adcode))


def _recent_divisions(
    known: list[RegionInfo], ethnic: tuple[str, ...]
) -> list[RegionInfo]:
    """Return the divisions of ``recent_divisions.tsv`` that cpca's table lacks.

    A new name for an existing code (a renamed district) is another name of the
    same place; the coordinates are those of the parent city.
    """
    by_code = {r.adcode: r for r in known}
    names = {r.name for r in known}
    out = []
    for row in _rows("recent_divisions.tsv"):
        code, name = row[0], row[1]
        if name in names:
            continue
        city = by_code.get(code[:4] + "00")
        parent = city.adcode if city else code[:2] + "0000"
        place = by_code.get(code) or city
        out.append(
            RegionInfo(
                name=name,
                short=_short_form(name, ethnic),
                adcode=code,
                level=_level(code),
                parent_adcode=parent,
                lat=place.lat if place else None,
                lon=place.lon if place else None,
            )
        )
    return out


_LEVEL_RANK = {"province": 0, "city": 1, "district": 2}


@lru_cache(maxsize=1)
def region_index() -> dict[str, tuple[RegionInfo, ...]]:
    """Return every division that a name or short form can stand for.

    Returns:
        ``{form: divisions}``, full names before short forms, then provinces
        before cities before districts, then by adcode.

    Raises:
        PipelineError: If cpca or its adcode table is not installed.

    Example:
        >>> [r.adcode for r in region_index()["鼓楼区"]][:2]
        ['320106', '320302']
    """
    found: dict[str, list[tuple[tuple[int, int, str], RegionInfo]]] = {}
    for info in _regions():
        rank = _LEVEL_RANK[info.level]
        found.setdefault(info.name, []).append(((0, rank, info.adcode), info))
        if info.short:
            found.setdefault(info.short, []).append(((1, rank, info.adcode), info))
    return {
        form: tuple(info for _key, info in sorted(items, key=lambda item: item[0]))
        for form, items in found.items()
    }


@lru_cache(maxsize=1)
def region_gazetteer() -> dict[str, RegionInfo]:
    """Return the division each name or short form most likely means.

    Keys are full names (山西省, 太原市, 海淀区) and short forms (山西, 太原,
    内蒙古, 海淀); a short form of one character or a generic one (城区 → 城)
    is never a key. Where a form is ambiguous, a full name beats a short form,
    then a province beats a city beats a district (吉林 is the province,
    朝阳 the city), then the lower adcode wins; see :func:`region_index` for
    every reading.

    Returns:
        ``{form: RegionInfo}``.

    Raises:
        PipelineError: If cpca or its adcode table is not installed.

    Example:
        >>> info = region_gazetteer()["大同"]
        >>> info.name, info.level, info.parent_adcode
        ('大同市', 'city', '140000')
    """
    return {form: infos[0] for form, infos in region_index().items()}
