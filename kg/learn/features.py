"""Candidates and their features: the rules' detections become evidence to weigh.

Entities: every entity the rules resolved is a candidate; its features are
the rules' type and sources, the shape of its name (its first and last
characters), where and how often it is named, and the characters around its
mentions. The classifier says whether it is an entity and of which type.

Relations: every (subject, predicate, object) that a rule states, and every
pair of entities named in one sentence whose types the predicate allows, is a
candidate fact of the document. Its features are the union over the
sentences that name both ends (the words between them, their distance and
order, other names between them), whether the subject's name holds the
object's, whether an end is named in the headline, and which rules state it.
One binary classifier per predicate weighs them.

Features are plain strings; a model holds a weight per string.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from kg import lexicons
from kg.learn.proposal import ArticleView, Proposal
from kg.pipeline.entity_types import type_by_suffix
from kg.records import ORG_TYPES, Entity, Mention, Relation

__all__ = [
    "RelationCandidate",
    "allowed",
    "entity_features",
    "relation_candidates",
]

_AGENTS = ORG_TYPES | {"Region"}


def allowed(predicate: str, subject_type: str, object_type: str) -> bool:
    """Say whether the guidelines allow ``predicate`` between these types.

    Example:
        >>> allowed("participatesIn", "Company", "Project")
        True
        >>> allowed("participatesIn", "Region", "Project")
        False
    """
    s, o = subject_type, object_type
    if predicate == "affiliatedWith":
        return s == "Person" and (o in ORG_TYPES or o == "Region")
    if predicate == "locatedIn":
        return s != "Region" and o == "Region"
    if predicate == "partOf":
        return (
            (s == o == "Region")
            or (s in ORG_TYPES and o in _AGENTS)
            or (s == o == "Project")
        )
    if predicate == "participatesIn":
        return s in ORG_TYPES and o == "Project"
    if predicate == "collaboratesWith":
        return s in _AGENTS and o in _AGENTS
    if predicate == "fundedBy":
        return s == "Project" and o in ORG_TYPES
    return False


_LEARNED_PREDICATES = (
    "affiliatedWith",
    "locatedIn",
    "partOf",
    "participatesIn",
    "collaboratesWith",
    "fundedBy",
)


def _bucket(n: int, edges: tuple[int, ...] = (0, 1, 2, 3, 5, 8, 12, 20, 40)) -> str:
    for edge in edges:
        if n <= edge:
            return str(edge)
    return "more"


def _kind(name: str) -> str:
    if all("\u4e00" <= ch <= "\u9fff" for ch in name):
        return "han"
    if any(ch.isdigit() for ch in name):
        return "digit"
    if any(ch.isascii() and ch.isalpha() for ch in name):
        return "latin"
    return "mixed"


def entity_features(entity: Entity, proposal: Proposal) -> list[str]:
    """Return the features of one proposed entity.

    Example:
        >>> from kg.records import Article, Mention
        >>> a = Article(doc="d", id="a1", title="t", text="甲乙科技公司在某地")
        >>> m = Mention("a1", 0, 6, "甲乙科技公司", "Company", "lac", 0.8)
        >>> e = Entity("甲乙科技公司", "Company", articles=("a1",), mentions=(m,))
        >>> p = Proposal("d", (a,), (e,), (), ())
        >>> [f for f in entity_features(e, p) if f.startswith("suffix-")]
        ['suffix-type=Company', 'suffix-type|Company=Company', 'suffix-agrees']
    """
    name = entity.name
    t = entity.type
    out = [
        f"type={t}",
        f"suf1={name[-1:]}",
        f"suf2={name[-2:]}",
        f"suf3={name[-3:]}",
        f"suffix|{t}={name[-1:]}",
        f"pre1={name[:1]}",
        f"pre2={name[:2]}",
        f"len={_bucket(len(name))}",
        f"len|{t}={_bucket(len(name))}",
        f"script={_kind(name)}",
        f"mentions={_bucket(len(entity.mentions))}",
        f"articles={_bucket(len(entity.articles))}",
    ]
    implied = type_by_suffix(name) or "none"
    out += [
        f"suffix-type={implied}",
        f"suffix-type|{t}={implied}",
        "suffix-agrees" if implied == t else "suffix-disagrees",
    ]
    if any(ch.isdigit() for ch in name):
        out.append("has-digit")
    word = lexicons.common_words().get(name)
    if word is None:
        out.append(f"word|{t}=none")
    else:
        freq, pos = word
        band = "rare" if freq < 100 else "common" if freq < 2000 else "frequent"
        out += [f"word={pos}", f"word|{t}={pos}", f"word|{t}={pos}|{band}"]
    regions = lexicons.region_gazetteer()
    if len(name) > 3 and (name[:2] in regions or name[:3] in regions):
        out.append(f"region-first|{t}")
    out += [f"merged={rule}" for rule in entity.merged_by]
    out += [f"alias|{t}" for _ in entity.aliases[:1]]
    if name in lexicons.region_gazetteer():
        out.append("gazetteer-region")
    if name in lexicons.load_countries():
        out.append("country")
    if name in lexicons.load_government():
        out.append("government-list")
    if name in lexicons.load_universities():
        out.append("university-list")
    texts = {a.id: a for a in proposal.articles}
    sources: set[str] = set()
    around: set[str] = set()
    headline = False
    for m in entity.mentions:
        sources.add(f"src={m.source}")
        sources.add(f"src|{t}={m.source}")
        article = texts.get(m.article)
        if article is None or m.source == "byline":
            continue
        text = article.text
        headline = headline or m.start < article.body_start
        around.add(f"left1={text[m.start - 1 : m.start]}")
        around.add(f"left2={text[max(m.start - 2, 0) : m.start]}")
        around.add(f"right1={text[m.end : m.end + 1]}")
        around.add(f"right2={text[m.end : m.end + 2]}")
    if headline:
        out.append("in-headline")
    out += sorted(sources) + sorted(around)
    return out


@dataclass(frozen=True, slots=True)
class RelationCandidate:
    """A candidate fact of a document with its features and best evidence."""

    subject: str
    predicate: str
    object: str
    features: tuple[str, ...]
    article: str
    start: int
    end: int
    rule: Relation | None  # the rule's relation, when a rule states it

    @property
    def classifier(self) -> str:
        """Name the classifier that weighs it: ``predicate`` or ``predicate/pair``.

        Facts a rule states and facts only a sentence pairs are weighed
        apart: most pairs are not facts, most rules' facts are.
        """
        return self.predicate if self.rule is not None else f"{self.predicate}/pair"


def _sentence_features(
    text: str, a: Mention, b: Mention, others: int, headline: bool
) -> list[str]:
    """Features of subject mention ``a`` and object mention ``b`` in one sentence."""
    out = ["cooccur"]
    if a.start <= b.start and b.end <= a.end:
        out.append("object-inside-subject")
        return out
    if b.start <= a.start and a.end <= b.end:
        out.append("subject-inside-object")
        return out
    first, second = (a, b) if a.start < b.start else (b, a)
    out.append("subject-first" if first is a else "object-first")
    between = text[first.end : second.start]
    out.append(f"gap={_bucket(len(between))}")
    out.append(f"others={_bucket(others, (0, 1, 2, 4))}")
    if len(between) <= 1:
        out.append(f"adjacent={between}")
    if len(between) <= 24:
        out += [f"bi={between[i : i + 2]}" for i in range(len(between) - 1)]
        out += [f"uni={ch}" for ch in between]
    else:
        out += [f"near-first={between[i : i + 2]}" for i in range(4)]
        out += [f"near-second={between[-i - 2 : len(between) - i]}" for i in range(4)]
    out.append(f"before={text[max(first.start - 2, 0) : first.start]}")
    out.append(f"after={text[second.end : second.end + 2]}")
    if headline:
        out.append("headline-sentence")
    return out


_Pair = tuple[Mention, str, Mention, str, int, tuple[int, int]]


def _pairs(view: ArticleView) -> Iterator[_Pair]:
    """Yield mention pairs of distinct entities within a sentence of the article.

    Each pair comes with the number of other names between the two and the
    sentence's offsets.
    """
    mentions = [(m, n) for m, n in view.mentions if m.source != "byline"]
    for s, e in view.sentences:
        inside = [(i, m, n) for i, (m, n) in enumerate(mentions) if s <= m.start < e]
        for i, m1, n1 in inside:
            for j, m2, n2 in inside:
                if n1 == n2 or i == j:
                    continue
                lo, hi = min(m1.end, m2.end), max(m1.start, m2.start)
                others = sum(1 for _k, m, _n in inside if lo <= m.start and m.end <= hi)
                yield m1, n1, m2, n2, others, (s, e)


_Where = dict[tuple[str, str, str], tuple[int, str, int, int]]
_Feats = dict[tuple[str, str, str], set[str]]
_KeyOf = Callable[[str, str, str], tuple[str, str, str]]


def _short(name: str) -> str:
    """Return a place's name without its level (山东省 → 山东), else the name."""
    for suffix in ("自治区", "省", "市", "县", "区"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _first_sentences(proposal: Proposal) -> dict[str, tuple[str, int, int]]:
    """Return the first sentence (article, start, end) naming each entity."""
    out: dict[str, tuple[str, int, int]] = {}
    for view in proposal.views:
        for m, n in view.mentions:
            if n in out or m.source == "byline":
                continue
            for s, e in view.sentences:
                if s <= m.start < e:
                    out[n] = (view.article.id, s, e)
                    break
    return out


def _contained(
    proposal: Proposal,
    types: Mapping[str, str],
    feats: _Feats,
    where: _Where,
    key_of: _KeyOf,
) -> None:
    """Add the pairs whose object's name is written inside the subject's name."""
    first = _first_sentences(proposal)
    for a in sorted(types):
        if a not in first:
            continue
        for b in sorted(types):
            if a == b or len(b) >= len(a):
                continue
            short = _short(b)
            if short not in a:
                continue
            for p in _LEARNED_PREDICATES:
                if p == "collaboratesWith" or not allowed(p, types[a], types[b]):
                    continue
                key = key_of(a, p, b)
                feats.setdefault(key, set()).update(
                    ("named-inside", "prefix" if a.startswith(short) else "infix")
                )
                if key not in where:
                    article, s, e = first[a]
                    where[key] = (10**6, article, s, e)


def relation_candidates(
    proposal: Proposal, types: Mapping[str, str]
) -> list[RelationCandidate]:
    """Return the document's candidate facts under the decided entity types.

    Args:
        proposal: the rules' graph and views of the document.
        types: each kept entity's decided type, by name.

    Returns:
        One candidate per (subject, predicate, object) (collaboratesWith once
        per pair), in a deterministic order.
    """
    feats: dict[tuple[str, str, str], set[str]] = {}
    where: dict[tuple[str, str, str], tuple[int, str, int, int]] = {}
    rules: dict[tuple[str, str, str], Relation] = {}

    def key_of(s: str, p: str, o: str) -> tuple[str, str, str]:
        if p == "collaboratesWith" and o < s:
            return (o, p, s)
        return (s, p, o)

    for r in proposal.relations:
        if r.predicate not in _LEARNED_PREDICATES:
            continue
        st, ot = types.get(r.subject), types.get(r.object)
        if st is None or ot is None or not allowed(r.predicate, st, ot):
            continue
        key = key_of(r.subject, r.predicate, r.object)
        rules.setdefault(key, r)
        feats.setdefault(key, set()).update((f"rule={r.source}", "rule-any"))
    headline_names = {
        n
        for v in proposal.views
        for m, n in v.mentions
        if m.start < v.article.body_start
    }
    for view in proposal.views:
        text = view.article.text
        for m1, n1, m2, n2, others, (s, e) in _pairs(view):
            t1, t2 = types.get(n1), types.get(n2)
            if t1 is None or t2 is None:
                continue
            for p in _LEARNED_PREDICATES:
                if not allowed(p, t1, t2):
                    continue
                if p == "collaboratesWith" and n2 < n1:
                    continue  # the pair is seen in both orders: keep one
                key = key_of(n1, p, n2)
                f = feats.setdefault(key, set())
                headline = s < view.article.body_start
                f.update(_sentence_features(text, m1, m2, others, headline))
                best = where.get(key)
                if best is None or e - s < best[0]:
                    where[key] = (e - s, view.article.id, s, e)
    _contained(proposal, types, feats, where, key_of)
    out = []
    for key in sorted(feats):
        subj, p, obj = key
        st, ot = types[subj], types[obj]
        f = feats[key]
        f.add(f"types={st}>{ot}")
        if obj in subj:
            f.add("object-name-in-subject")
        if subj in obj:
            f.add("subject-name-in-object")
        if subj in headline_names:
            f.add("subject-in-headline")
        if obj in headline_names:
            f.add("object-in-headline")
        rule = rules.get(key)
        if rule is None and key not in where:
            continue
        if rule is not None:
            article, start, end = rule.article, rule.start, rule.end
        else:
            _size, article, start, end = where[key]
        out.append(
            RelationCandidate(subj, p, obj, tuple(sorted(f)), article, start, end, rule)
        )
    return out
