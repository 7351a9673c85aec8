"""Gazetteer candidates from general resources, and patterns for zones.

Sources (all general, see ``kg/data/README.md``): administrative divisions
(cpca's table with codes and coordinates), a list of Chinese universities, a
list of academies and national research institutes, macro-regions, and the
development-zone pattern "<region>…经开区/高新区/示范区/开发区".
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable

from spacy.language import Language
from spacy.tokens import Doc

from kg import lexicons
from kg.pipeline.extensions import Candidate

__all__ = ["Gazetteer", "PhraseTable", "make_gazetteer", "parent_named"]

MACRO_REGIONS = (
    "京津冀",
    "长三角",
    "珠三角",
    "粤港澳大湾区",
    "成渝地区",
    "长江经济带",
    "东北地区",
)
ZONE_SUFFIXES = (
    "经济技术开发区",
    "高新技术产业开发区",
    "高新技术开发区",
    "综合保税区",
    "自由贸易试验区",
    "经开区",
    "高新区",
    "开发区",
    "示范区",
    "新区",
    "保税区",
    "自贸区",
    "产业园区",
)
# Zone words after a name the model sees (某某片区, 某某工业区); 产业园区 is a project.
_NAMED_ZONES = [z for z in (*ZONE_SUFFIXES, "工业区", "片区") if z != "产业园区"]
_NAMED_ZONE_RE = re.compile("(?:" + "|".join(_NAMED_ZONES) + ")")
_HAN = r"[\u4e00-\u9fff]"
# Between a region and a zone suffix: up to 8 Han characters, none of them a
# function word that would mean the zone phrase started later.
_ZONE_FILL = r"(?:(?![的在与和是了及为对从向把被将])" + _HAN + r"){0,8}?"
_ZONE_RE = re.compile(_ZONE_FILL + "(?:" + "|".join(ZONE_SUFFIXES) + ")")


# Set phrases that start with a country's name without naming the place.
_SET_PHRASE = re.compile(r"特色社会主义|式现代化")


class PhraseTable:
    """Longest-match lookup of a fixed set of phrases, keyed by first character."""

    def __init__(self, phrases: Iterable[tuple[str, str]]) -> None:
        """Index ``(phrase, label)`` pairs; the longest phrase wins at a position."""
        self._by_first: dict[str, dict[str, str]] = {}
        self._max = 0
        for phrase, label in phrases:
            if len(phrase) < 2:
                continue
            self._by_first.setdefault(phrase[0], {})[phrase] = label
            self._max = max(self._max, len(phrase))

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Return non-overlapping longest matches as ``(start, end, label)``.

        Example:
            >>> PhraseTable([("山西", "R"), ("山西省", "R")]).find("在山西省")
            [(1, 4, 'R')]
        """
        out: list[tuple[int, int, str]] = []
        i, n = 0, len(text)
        while i < n:
            table = self._by_first.get(text[i])
            hit = None
            if table is not None:
                for length in range(min(self._max, n - i), 1, -1):
                    label = table.get(text[i : i + length])
                    if label is not None:
                        hit = (i, i + length, label)
                        break
            if hit is None:
                i += 1
            else:
                out.append(hit)
                i = hit[1]
        return out


def _region_phrases() -> list[tuple[str, str]]:
    phrases: list[tuple[str, str]] = []
    for name, info in lexicons.region_gazetteer().items():
        # District and county short forms are often common words: they count
        # only where the model also sees a place (label "Region?").
        # So do districts whose full name is a generic word (矿区, 城区, 郊区).
        weak = (name != info.name and info.level not in ("province", "city")) or name[
            :-1
        ] in lexicons.GENERIC_REGION_SHORTS
        phrases.append((name, "Region?" if weak else "Region"))
    phrases.extend((m, "Region") for m in MACRO_REGIONS)
    weak_macros = lexicons.weak_macro_regions()
    phrases.extend(
        (m, "Region?" if m in weak_macros else "Region")
        for m in lexicons.load_macro_regions()
    )
    phrases.extend((c, "Region") for c in lexicons.load_countries())
    # foreign cities count only where the model also sees a place
    phrases.extend((c, "Region?") for c in lexicons.load_capitals())
    return phrases


class Gazetteer:
    """Propose Region, University and ResearchInstitute candidates from lists."""

    def __init__(self, name: str, confidence: float) -> None:
        """Build the phrase table from the bundled general lexicons."""
        self.name = name
        self.confidence = confidence
        phrases = _region_phrases()
        phrases.extend((u, "University") for u in lexicons.load_universities())
        phrases.extend((a, "ResearchInstitute") for a in lexicons.load_academies())
        self.table = PhraseTable(phrases)

    def __call__(self, doc: Doc) -> Doc:
        """Add gazetteer and zone candidates to ``doc._.kg_candidates``."""
        text = doc.text
        cands: list[Candidate] = list(doc._.kg_candidates or [])
        words = doc._.kg_words or []
        lac_places = {(s, e) for s, e, tag in words if tag == "LOC"}
        regions: list[tuple[int, int]] = []
        gaz = lexicons.region_gazetteer()
        for start, end, label in self.table.find(text):
            if _SET_PHRASE.match(text, end):
                continue  # 中国特色社会主义: a set phrase, not a mention of the place
            if label == "Region?":
                # a county's short form counts where the model sees a place or
                # where its city is named in the same text; never inside a
                # longer word of the model (云冈 in 云冈石窟, a landmark)
                if (start, end) not in lac_places and (
                    not parent_named(text, text[start:end], gaz)
                    or _inside_word(words, start, end)
                ):
                    continue
                label = "Region"
            cands.append(Candidate(start, end, label, "gazetteer", self.confidence))
            if label == "Region":
                regions.append((start, end))
            elif label in ("University", "ResearchInstitute"):
                cands.extend(self._nested(text, start, end))
        # a place the model sees, then a zone word: 某某片区, 某某工业区
        named = [(s, e) for s, e, tag in doc._.kg_words or () if tag in ("LOC", "ORG")]
        for start, end in named:
            m = _NAMED_ZONE_RE.match(text, end)
            if m is not None and (start, end) not in regions:
                cands.append(Candidate(start, m.end(), "Region", "zone-pattern", 0.85))
        for start, end in regions:
            m = _ZONE_RE.match(text, end)
            if m is not None:
                cands.append(Candidate(start, m.end(), "Region", "zone-pattern", 0.9))
        doc._.kg_candidates = cands
        return doc

    def _nested(self, text: str, start: int, end: int) -> list[Candidate]:
        """Return listed bodies that start a longer listed name (中国工程院 in 中国工程院某所)."""
        hits = self.table.find(text[start : end - 1])
        if (
            hits
            and hits[0][0] == 0
            and hits[0][2] in ("University", "ResearchInstitute")
        ):
            return [
                Candidate(
                    start, start + hits[0][1], hits[0][2], "gazetteer", self.confidence
                )
            ]
        return []


def _inside_word(words: list[tuple[int, int, str]], start: int, end: int) -> bool:
    """Return True when one of the model's words strictly holds ``[start, end)``.

    ``words`` are the model's ``(start, end, tag)`` in text order.

    Example:
        >>> _inside_word([(0, 4, "LOC")], 0, 2), _inside_word([(0, 2, "LOC")], 0, 2)
        (True, False)
    """
    i = bisect.bisect_right(words, start, key=lambda w: w[0]) - 1
    if i < 0:
        return False
    s, e, _tag = words[i]
    return s <= start and end <= e and e - s > end - start


def parent_named(text: str, name: str, gaz: dict[str, lexicons.RegionInfo]) -> bool:
    """Return True when the region that holds ``name`` is named in ``text``.

    Example:
        >>> from kg import lexicons
        >>> parent_named("兰州西固", "西固", lexicons.region_gazetteer())
        True
    """
    info = gaz.get(name)
    if info is None or info.parent_adcode is None:
        return False
    return any(form in text for form in _forms_by_code(info.parent_adcode))


@functools.lru_cache(maxsize=4096)
def _forms_by_code(adcode: str) -> tuple[str, ...]:
    return tuple(
        f
        for f, i in lexicons.region_gazetteer().items()
        if i.adcode == adcode and len(f) >= 2
    )


@Language.factory(
    "kg_gazetteer",
    assigns=["doc._.kg_candidates"],
    requires=["doc._.kg_words"],
    default_config={"confidence": 0.9},
)
def make_gazetteer(nlp: Language, name: str, confidence: float) -> Gazetteer:
    """Build the gazetteer component."""
    return Gazetteer(name, confidence)
