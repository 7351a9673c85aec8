"""Score a predicted document graph against a gold file (GUIDELINES.md, Scoring).

Both sides are in the JSON form of GUIDELINES.md (the prediction is
``DocumentGraph.to_json()``; keys the scorer does not use, such as
``provenance``, ``start`` or ``evidence``, are ignored).

How the rules of GUIDELINES.md are applied:

- **Names.** Two names are equal when they are equal after removing all white
  space (:func:`normalize`). An entity's *forms* are its name and its aliases.
- **Entities.** A predicted entity can match a gold entity when the types are
  equal and they share a form. Matching is one-to-one: a gold entity is found
  at most once and a predicted entity matches at most one gold entity. The
  pairs are a maximum-cardinality matching (augmenting paths, breadth first);
  predicted entities are placed in order of their closest candidate, and each
  one tries its candidates closest first (name = name, then a name equals
  the other's alias, then alias = alias), then in gold order, so the result is
  deterministic. An unmatched predicted entity is a false positive, an
  unmatched gold entity a miss. Counts go to the entity's type.
- **Ignored predictions.** A predicted entity is left out of the score when
  none of its forms is a form of any gold entity (of any type, so a wrong type
  or a duplicate stays a false positive), its name occurs in the document
  (white space removed), and every occurrence lies inside an occurrence of a
  longer name or alias of a gold entity. A predicted relation with such an
  end is left out too.
- **Relation ends.** A predicted end names a predicted entity (by name, else
  by alias); it then stands for the gold entity that entity was matched to.
  An end that names no predicted entity is compared as a string with the
  forms of every gold entity. The ``authorOf`` object is an article id and is
  compared with the gold id directly.
- **Relations.** A predicted relation matches a gold relation with the same
  predicate whose subject and object are the gold entities its ends stand
  for; ``collaboratesWith`` matches in either direction. Predicted relations
  whose predicate and (resolved) ends are the same are counted once. Matching
  is one-to-one, as for entities. Counts go to the predicate.
- **Attributes** are scored apart, over matched pairs only. A gold Project with
  an ``investment`` is right when the matched prediction's amount equals the
  gold amount (the currency is not compared). A gold Person with titles is
  right when any predicted title equals (white space removed) any gold title.
- **Averages.** Precision, recall and F1 are given per type, per predicate,
  and micro-averaged over entities, over relations and over all. A ratio
  whose denominator is zero is 0.0. :func:`combine` sums the counts of
  several documents, so its averages are micro-averages over the documents.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from kg.errors import GoldFileError
from kg.records import ENTITY_TYPES, PREDICATES

__all__ = [
    "ATTRIBUTES",
    "AttributeScore",
    "Counts",
    "Finding",
    "Report",
    "combine",
    "inside_gold_names_only",
    "load_gold",
    "normalize",
    "score",
]

#: The scored attributes, as ``Type.attribute``.
ATTRIBUTES = ("Project.investment", "Person.title")

_GOLD_KEYS = ("source", "articles", "entities", "relations")


def normalize(name: str) -> str:
    r"""Return ``name`` without any white space, the form names are compared in.

    Args:
        name: A name as written.

    Returns:
        The name with every white-space character removed.

    Example:
        >>> normalize(" North\u3000Star  Corp ")
        'NorthStarCorp'
    """
    return "".join(name.split())


# --------------------------------------------------------------------------
# Records


@dataclass(frozen=True, slots=True)
class Counts:
    """True positives, false positives and false negatives of one row.

    Example:
        >>> c = Counts(tp=3, fp=1, fn=1)
        >>> (c.precision, c.recall, c.f1)
        (0.75, 0.75, 0.75)
        >>> (c + Counts(fn=2)).recall
        0.5
    """

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """Return tp / (tp + fp), or 0.0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """Return tp / (tp + fn), or 0.0 when there is no gold item."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Return the harmonic mean of precision and recall (0.0 if both are 0)."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def empty(self) -> bool:
        """Return True when the row has no item at all."""
        return not (self.tp or self.fp or self.fn)

    def __add__(self, other: Counts) -> Counts:
        """Return the element-wise sum of two rows."""
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def as_json(self) -> dict[str, int | float]:
        """Return the counts and the three ratios as a JSON object."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass(frozen=True, slots=True)
class Finding:
    """One item worth a look: a miss, a false positive, an ignored prediction.

    ``kind`` is ``"entity"``, ``"relation"`` or ``"attribute"``; ``label`` is
    the entity type, the predicate or the attribute (``Project.investment``);
    ``text`` is the name, or ``"subject -> object"`` for a relation; ``note``
    says why, when the scorer knows.
    """

    doc: str
    kind: str
    label: str
    text: str
    note: str = ""

    def __str__(self) -> str:
        """Return the finding as one line."""
        note = f"  ({self.note})" if self.note else ""
        return f"[{self.doc}] {self.label} {self.text}{note}"

    def as_json(self) -> dict[str, str]:
        """Return the finding as a JSON object."""
        return {
            "doc": self.doc,
            "kind": self.kind,
            "label": self.label,
            "text": self.text,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class AttributeScore:
    """How many gold attribute values the prediction got right."""

    right: int = 0
    total: int = 0
    wrong: tuple[Finding, ...] = ()

    @property
    def accuracy(self) -> float:
        """Return right / total, or 0.0 when no gold entity has the attribute."""
        return self.right / self.total if self.total else 0.0

    def __add__(self, other: AttributeScore) -> AttributeScore:
        """Return the sum of two scores (wrong values concatenated)."""
        return AttributeScore(
            self.right + other.right, self.total + other.total, self.wrong + other.wrong
        )

    def as_json(self) -> dict[str, Any]:
        """Return the score as a JSON object."""
        return {
            "right": self.right,
            "total": self.total,
            "accuracy": self.accuracy,
            "wrong": [w.as_json() for w in self.wrong],
        }


def _frozen_map(items: Mapping[str, Any], order: Sequence[str]) -> Mapping[str, Any]:
    """Return a read-only copy of ``items``: ``order`` first, then the rest sorted."""
    keys = [k for k in order if k in items] + sorted(k for k in items if k not in order)
    return MappingProxyType({k: items[k] for k in keys})


@dataclass(frozen=True, slots=True)
class Report:
    """The score of one or more documents.

    ``entities`` maps every entity type (and any unknown type a prediction
    used) to its :class:`Counts`, ``relations`` every predicate;
    ``attributes`` maps each of :data:`ATTRIBUTES` to an
    :class:`AttributeScore`. The mappings are read-only.
    """

    documents: tuple[str, ...] = ()
    entities: Mapping[str, Counts] = field(default_factory=dict)
    relations: Mapping[str, Counts] = field(default_factory=dict)
    attributes: Mapping[str, AttributeScore] = field(default_factory=dict)
    misses: tuple[Finding, ...] = ()
    false_positives: tuple[Finding, ...] = ()
    ignored: tuple[Finding, ...] = ()

    def __post_init__(self) -> None:
        """Complete the rows and make the mappings read-only."""
        entities = {t: Counts() for t in ENTITY_TYPES} | dict(self.entities)
        relations = {p: Counts() for p in PREDICATES} | dict(self.relations)
        attributes = {a: AttributeScore() for a in ATTRIBUTES} | dict(self.attributes)
        object.__setattr__(self, "entities", _frozen_map(entities, ENTITY_TYPES))
        object.__setattr__(self, "relations", _frozen_map(relations, PREDICATES))
        object.__setattr__(self, "attributes", _frozen_map(attributes, ATTRIBUTES))

    @property
    def entities_micro(self) -> Counts:
        """Return the counts summed over the entity types."""
        return sum(self.entities.values(), Counts())

    @property
    def relations_micro(self) -> Counts:
        """Return the counts summed over the predicates."""
        return sum(self.relations.values(), Counts())

    @property
    def micro(self) -> Counts:
        """Return the counts summed over entities and relations."""
        return self.entities_micro + self.relations_micro

    def as_table(self, verbose: bool = False) -> str:
        r"""Return the scores as an aligned plain-text table.

        Rows: each entity type, ``entities micro``, each predicate,
        ``relations micro``, ``all micro``; then one line per attribute.

        Args:
            verbose: Also list the misses, false positives, ignored
                predictions and wrong attribute values, one a line.

        Returns:
            The table, lines joined with ``\n``, without a final newline.
        """
        rows: list[tuple[str, Counts] | None] = [
            *self.entities.items(),
            ("entities micro", self.entities_micro),
            None,
            *self.relations.items(),
            ("relations micro", self.relations_micro),
            None,
            ("all micro", self.micro),
        ]
        width = max(len(row[0]) for row in rows if row is not None)
        head = (
            f"{'':<{width}} {'tp':>5} {'fp':>5} {'fn':>5} {'P':>6} {'R':>6} {'F1':>6}"
        )
        rule = "-" * len(head)
        lines = [head, rule]
        for row in rows:
            if row is None:
                lines.append(rule)
                continue
            label, c = row
            if c.empty:
                ratios = f"{'-':>6} {'-':>6} {'-':>6}"
            else:
                ratios = f"{c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f}"
            lines.append(f"{label:<{width}} {c.tp:5d} {c.fp:5d} {c.fn:5d} {ratios}")
        lines.append("")
        for name, a in self.attributes.items():
            shown = f"{a.accuracy:.3f}" if a.total else "-"
            lines.append(f"{name}: {a.right}/{a.total} right ({shown})")
        if verbose:
            wrong = tuple(w for a in self.attributes.values() for w in a.wrong)
            for title, items in (
                ("misses", self.misses),
                ("false positives", self.false_positives),
                ("ignored", self.ignored),
                ("wrong attributes", wrong),
            ):
                lines += ["", f"{title} ({len(items)}):"]
                lines += [f"  {item}" for item in items]
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        """Return the whole report as a JSON-serialisable object."""
        return {
            "documents": list(self.documents),
            "entities": {k: c.as_json() for k, c in self.entities.items()},
            "relations": {k: c.as_json() for k, c in self.relations.items()},
            "micro": {
                "entities": self.entities_micro.as_json(),
                "relations": self.relations_micro.as_json(),
                "all": self.micro.as_json(),
            },
            "attributes": {k: a.as_json() for k, a in self.attributes.items()},
            "misses": [f.as_json() for f in self.misses],
            "false_positives": [f.as_json() for f in self.false_positives],
            "ignored": [f.as_json() for f in self.ignored],
        }


def combine(reports: Iterable[Report]) -> Report:
    """Sum the counts of several reports (a micro-average over documents).

    Args:
        reports: Reports of single documents or already combined ones.

    Returns:
        One report whose counts, findings and attribute scores are the sums
        of those given; an empty report when none are given.
    """
    documents: list[str] = []
    entities: dict[str, Counts] = {}
    relations: dict[str, Counts] = {}
    attributes: dict[str, AttributeScore] = {}
    misses: list[Finding] = []
    false_positives: list[Finding] = []
    ignored: list[Finding] = []
    for report in reports:
        documents += report.documents
        for key, c in report.entities.items():
            entities[key] = entities.get(key, Counts()) + c
        for key, c in report.relations.items():
            relations[key] = relations.get(key, Counts()) + c
        for key, a in report.attributes.items():
            attributes[key] = attributes.get(key, AttributeScore()) + a
        misses += report.misses
        false_positives += report.false_positives
        ignored += report.ignored
    return Report(
        documents=tuple(documents),
        entities=entities,
        relations=relations,
        attributes=attributes,
        misses=tuple(misses),
        false_positives=tuple(false_positives),
        ignored=tuple(ignored),
    )


# --------------------------------------------------------------------------
# Gold files


def load_gold(path: str | Path) -> dict[str, Any]:
    """Read a gold file and check that it is in the form of GUIDELINES.md.

    Besides the JSON shape this checks that entity types and predicates are
    among the valid ones, that entity names are unique, that every relation
    names gold entities (an article id for the ``authorOf`` object) and that
    no relation is given twice.

    Args:
        path: The ``*.gold.json`` file.

    Returns:
        The parsed JSON object, unchanged.

    Raises:
        GoldFileError: The file cannot be read or is not in the guidelines'
            form; the one-line message names the file, the place and the fix.
    """
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise GoldFileError(
            f"{where}: not UTF-8 text ({err.reason} at byte {err.start}); "
            "save the gold file as UTF-8"
        ) from err
    except OSError as err:
        raise GoldFileError(
            f"{where}: cannot read gold file ({err.strerror}); "
            "check that the path names a readable *.gold.json file"
        ) from err
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise GoldFileError(
            f"{where}:{err.lineno}:{err.colno}: invalid JSON ({err.msg}); "
            "fix the JSON syntax there"
        ) from err
    validate_gold(data, where)
    return data  # type: ignore[no-any-return]


def validate_gold(data: object, where: str = "gold") -> None:
    """Check that ``data`` is a gold graph in the form of GUIDELINES.md.

    Args:
        data: The parsed JSON.
        where: The file name (or another label) the messages start with.

    Raises:
        GoldFileError: ``data`` is not in the guidelines' form.
    """

    def fail(place: str, what: str, todo: str) -> GoldFileError:
        return GoldFileError(f"{where}: {place}{what}; {todo}")

    if not isinstance(data, dict):
        raise fail(
            "",
            f"top level is {_json_kind(data)}, not an object",
            "write one JSON object with keys " + ", ".join(_GOLD_KEYS),
        )
    missing = [k for k in _GOLD_KEYS if k not in data]
    if missing:
        raise fail(
            "",
            "missing key(s) " + ", ".join(repr(k) for k in missing),
            "a gold file has keys " + ", ".join(_GOLD_KEYS) + " (see GUIDELINES.md)",
        )
    if not isinstance(data["source"], str):
        raise fail("source: ", "not a string", "give the document's file name")
    for part in ("articles", "entities", "relations"):
        if not isinstance(data[part], list):
            raise fail(
                f"{part}: ", f"{_json_kind(data[part])}, not a list", "make it a list"
            )

    article_ids: set[str] = set()
    for i, art in enumerate(data["articles"]):
        place = f"articles[{i}]: "
        if not isinstance(art, dict) or not _nonempty_str(art.get("id")):
            raise fail(place, "no article id", 'give each article an "id" such as "a1"')
        if art["id"] in article_ids:
            raise fail(place, f"article id {art['id']!r} repeated", "make ids unique")
        article_ids.add(art["id"])

    names: dict[str, int] = {}
    for i, ent in enumerate(data["entities"]):
        place = f"entities[{i}]: "
        if not isinstance(ent, dict) or not _nonempty_str(ent.get("name")):
            raise fail(place, "no name", 'give each entity a non-empty "name"')
        place = f"entities[{i}] ({ent['name']!r}): "
        if ent.get("type") not in ENTITY_TYPES:
            raise fail(
                place,
                f"type {ent.get('type')!r} is not valid",
                "use one of " + ", ".join(ENTITY_TYPES),
            )
        aliases = ent.get("aliases", [])
        if not isinstance(aliases, list) or not all(_nonempty_str(a) for a in aliases):
            raise fail(place, "aliases is not a list of names", 'write ["…", "…"]')
        attrs = ent.get("attributes", {})
        if not isinstance(attrs, dict):
            raise fail(place, "attributes is not an object", 'write {"title": [...]}')
        inv = attrs.get("investment")
        if inv is not None and not (
            isinstance(inv, dict) and _number(inv.get("amount"))
        ):
            raise fail(
                place,
                "investment has no numeric amount",
                'write {"amount": 1700000000, "currency": "CNY", "text": "17亿元"}',
            )
        title = attrs.get("title")
        if title is not None and not (
            isinstance(title, list) and all(_nonempty_str(t) for t in title)
        ):
            raise fail(place, "title is not a list of posts", 'write ["副总经理"]')
        if ent["name"] in names:
            raise fail(
                place,
                f"name also used by entities[{names[ent['name']]}]",
                "merge the two or give each entity its own name",
            )
        names[ent["name"]] = i

    seen: dict[tuple[str, ...], int] = {}
    for i, rel in enumerate(data["relations"]):
        place = f"relations[{i}]: "
        if not isinstance(rel, dict) or not all(
            isinstance(rel.get(k), str) for k in ("subject", "predicate", "object")
        ):
            raise fail(
                place,
                "not an object with string subject, predicate, object",
                "see the relation form in GUIDELINES.md",
            )
        s, p, o = rel["subject"], rel["predicate"], rel["object"]
        place = f"relations[{i}] ({s} -{p}-> {o}): "
        if p not in PREDICATES:
            raise fail(
                place,
                f"predicate {p!r} is not valid",
                "use one of " + ", ".join(PREDICATES),
            )
        if s not in names:
            raise fail(
                place,
                f"subject {s!r} is no entity name",
                "use the exact name of an entity of the file",
            )
        if p == "authorOf":
            if o not in article_ids:
                raise fail(
                    place,
                    f"object {o!r} is no article id",
                    "authorOf points to an id of articles, such as 'a1'",
                )
        elif o not in names:
            raise fail(
                place,
                f"object {o!r} is no entity name",
                "use the exact name of an entity of the file",
            )
        key = (p, *sorted((s, o))) if p == "collaboratesWith" else (p, s, o)
        if key in seen:
            raise fail(
                place,
                f"same relation as relations[{seen[key]}]",
                "give a relation once per document (collaboratesWith in one direction)",
            )
        seen[key] = i


def _json_kind(value: object) -> str:
    kinds = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return kinds.get(type(value), "a number")


def _nonempty_str(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# --------------------------------------------------------------------------
# Scoring


@dataclass(frozen=True, slots=True)
class _Ent:
    """An entity of either side, reduced to what scoring needs."""

    name: str
    type: str
    key: str  # the normalised name
    forms: frozenset[str]  # normalised name and aliases
    attributes: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class _End:
    """A predicted relation end, resolved against the gold entities."""

    key: tuple[str, str]  # identity for de-duplication
    golds: frozenset[int]  # the gold entities it stands for
    ignored: bool
    unmatched_pred: bool  # names a predicted entity that matched nothing


def score(pred: Mapping[str, Any], gold: Mapping[str, Any], doc_text: str) -> Report:
    """Score one predicted document graph against its gold graph.

    See the module docstring for how each rule of GUIDELINES.md is applied.

    Args:
        pred: The prediction, ``DocumentGraph.to_json()`` or the same form.
        gold: The gold graph, as returned by :func:`load_gold`.
        doc_text: The text of the source document (for the ignore rule).

    Returns:
        The report of this document.

    Raises:
        GoldFileError: ``gold`` is not in the guidelines' form.
        ValueError: ``pred`` lacks entities or relations in that form.
    """
    validate_gold(gold, "gold " + str(gold.get("source", "")))
    doc = str(gold["source"])
    text = normalize(doc_text)
    golds = [_entity(e) for e in gold["entities"]]
    preds = [_pred_entity(e, i) for i, e in enumerate(_pred_list(pred, "entities"))]
    gold_forms = sorted({f for g in golds for f in g.forms}, key=len)

    entities: dict[str, Counts] = {}
    misses: list[Finding] = []
    false_positives: list[Finding] = []
    ignored: list[Finding] = []

    def count(
        table: dict[str, Counts], key: str, tp: int = 0, fp: int = 0, fn: int = 0
    ) -> None:
        table[key] = table.get(key, Counts()) + Counts(tp, fp, fn)

    # -- entities
    match = _match_entities(preds, golds)  # pred index -> gold index
    matched_golds = set(match.values())
    ignored_preds: set[int] = set()
    for i, p in enumerate(preds):
        if i in match:
            count(entities, golds[match[i]].type, tp=1)
            continue
        sharing = [g for g in golds if g.forms & p.forms]
        if not sharing and inside_gold_names_only(p.key, text, gold_forms):
            ignored_preds.add(i)
            ignored.append(
                Finding(doc, "entity", p.type, p.name, "occurs only inside gold names")
            )
            continue
        count(entities, p.type, fp=1)
        note = ""
        if any(g.type == p.type for g in sharing):
            taken = next(g for g in sharing if g.type == p.type)
            note = f"gold {taken.name!r} already matched by another prediction"
        elif sharing:
            note = f"gold has it as {sharing[0].type}"
        false_positives.append(Finding(doc, "entity", p.type, p.name, note))
    for j, g in enumerate(golds):
        if j not in matched_golds:
            count(entities, g.type, fn=1)
            typed = [p.type for p in preds if p.forms & g.forms and p.type != g.type]
            note = f"predicted as {typed[0]}" if typed else ""
            misses.append(Finding(doc, "entity", g.type, g.name, note))

    # -- relations
    relations, rel_misses, rel_fps, rel_ignored = _score_relations(
        doc, pred, gold, preds, golds, match, ignored_preds, text, gold_forms
    )
    misses += rel_misses
    false_positives += rel_fps
    ignored += rel_ignored

    attributes = _score_attributes(doc, preds, golds, match)
    return Report(
        documents=(doc,),
        entities=entities,
        relations=relations,
        attributes=attributes,
        misses=tuple(misses),
        false_positives=tuple(false_positives),
        ignored=tuple(ignored),
    )


def _score_relations(
    doc: str,
    pred: Mapping[str, Any],
    gold: Mapping[str, Any],
    preds: Sequence[_Ent],
    golds: Sequence[_Ent],
    match: Mapping[int, int],
    ignored_preds: set[int],
    text: str,
    gold_forms: Sequence[str],
) -> tuple[dict[str, Counts], list[Finding], list[Finding], list[Finding]]:
    """Score the relations once the entities are matched."""
    gold_index = {g.name: j for j, g in enumerate(golds)}
    gold_rels = [
        (
            gold_index[r["subject"]],
            r["predicate"],
            normalize(r["object"])
            if r["predicate"] == "authorOf"
            else gold_index[r["object"]],
            r,
        )
        for r in gold["relations"]
    ]
    by_name: dict[str, list[int]] = {}
    by_alias: dict[str, list[int]] = {}
    for i, pe in enumerate(preds):
        by_name.setdefault(pe.key, []).append(i)
        for form in pe.forms - {pe.key}:
            by_alias.setdefault(form, []).append(i)

    def resolve(end: str) -> _End:
        norm = normalize(end)
        found = by_name.get(norm) or by_alias.get(norm) or []
        if found:
            hits = frozenset(match[i] for i in found if i in match)
            return _End(
                key=("entity", ",".join(map(str, found))),
                golds=hits,
                ignored=not hits and all(i in ignored_preds for i in found),
                unmatched_pred=not hits,
            )
        hits = frozenset(j for j, g in enumerate(golds) if norm in g.forms)
        return _End(
            key=("name", norm),
            golds=hits,
            ignored=not hits and inside_gold_names_only(norm, text, gold_forms),
            unmatched_pred=False,
        )

    # De-duplicate, resolve, and set the ignored ones aside.
    entries: list[tuple[str, str, str, _End, _End | str]] = []
    seen: set[tuple[object, ...]] = set()
    ignored: list[Finding] = []
    for i, r in enumerate(_pred_list(pred, "relations")):
        if not isinstance(r, Mapping) or not all(
            isinstance(r.get(k), str) for k in ("subject", "predicate", "object")
        ):
            raise ValueError(
                f"prediction: relations[{i}] lacks a string subject, predicate or "
                "object; pass DocumentGraph.to_json() output"
            )
        s, p, o = r["subject"], r["predicate"], r["object"]
        subj = resolve(s)
        obj: _End | str = normalize(o) if p == "authorOf" else resolve(o)
        okey: tuple[str, str] = obj.key if isinstance(obj, _End) else ("article", obj)
        ends = (subj.key, okey)
        key = (p, *sorted(ends)) if p == "collaboratesWith" else (p, *ends)
        if key in seen:
            continue
        seen.add(key)
        if subj.ignored or (isinstance(obj, _End) and obj.ignored):
            ignored.append(
                Finding(
                    doc,
                    "relation",
                    p,
                    f"{s} -> {o}",
                    "an end occurs only inside gold names",
                )
            )
            continue
        entries.append((s, p, o, subj, obj))

    def fits(
        entry: tuple[str, str, str, _End, _End | str],
        g: tuple[int, str, int | str, Any],
    ) -> bool:
        _, p, _, subj, obj = entry
        gs, gp, go, _ = g
        if p != gp:
            return False
        if isinstance(obj, str):  # authorOf: article ids
            return gs in subj.golds and obj == go
        forward = gs in subj.golds and go in obj.golds
        backward = p == "collaboratesWith" and gs in obj.golds and go in subj.golds
        return forward or backward

    candidates = [[j for j, g in enumerate(gold_rels) if fits(e, g)] for e in entries]
    found = _max_matching(candidates, list(range(len(entries))))
    relations: dict[str, Counts] = {}
    false_positives: list[Finding] = []
    misses: list[Finding] = []
    for i, (s, p, o, subj, obj) in enumerate(entries):
        if i in found:
            relations[p] = relations.get(p, Counts()) + Counts(tp=1)
            continue
        relations[p] = relations.get(p, Counts()) + Counts(fp=1)
        if candidates[i]:
            note = "its gold relation is already matched"
        elif not subj.golds:
            note = "subject matches no gold entity"
        elif isinstance(obj, _End) and not obj.golds:
            note = "object matches no gold entity"
        else:
            note = "no such gold relation"
        false_positives.append(Finding(doc, "relation", p, f"{s} -> {o}", note))
    hit = set(found.values())
    for j, (_, gp, _, r) in enumerate(gold_rels):
        if j not in hit:
            relations[gp] = relations.get(gp, Counts()) + Counts(fn=1)
            misses.append(
                Finding(doc, "relation", gp, f"{r['subject']} -> {r['object']}")
            )
    return relations, misses, false_positives, ignored


def _score_attributes(
    doc: str, preds: Sequence[_Ent], golds: Sequence[_Ent], match: Mapping[int, int]
) -> dict[str, AttributeScore]:
    """Score investment amounts and titles over the matched entity pairs."""
    pred_of = {j: preds[i] for i, j in match.items()}
    inv_right = inv_total = title_right = title_total = 0
    wrong_inv: list[Finding] = []
    wrong_title: list[Finding] = []
    for j, g in enumerate(golds):
        p = pred_of.get(j)
        investment = g.attributes.get("investment")
        if g.type == "Project" and investment is not None:
            inv_total += 1
            want = investment["amount"]
            got = _pred_amount(p.attributes) if p is not None else None
            if got is not None and got == want:
                inv_right += 1
            else:
                shown = "entity not found" if p is None else f"predicted {got}"
                wrong_inv.append(
                    Finding(
                        doc,
                        "attribute",
                        "Project.investment",
                        g.name,
                        f"gold {want}, {shown}",
                    )
                )
        titles = g.attributes.get("title") or []
        if g.type == "Person" and titles:
            title_total += 1
            got_titles = _pred_titles(p.attributes) if p is not None else []
            if {normalize(t) for t in titles} & {normalize(t) for t in got_titles}:
                title_right += 1
            else:
                shown = (
                    "entity not found"
                    if p is None
                    else f"predicted {'、'.join(got_titles) or 'none'}"
                )
                wrong_title.append(
                    Finding(
                        doc,
                        "attribute",
                        "Person.title",
                        g.name,
                        f"gold {'、'.join(titles)}, {shown}",
                    )
                )
    return {
        "Project.investment": AttributeScore(inv_right, inv_total, tuple(wrong_inv)),
        "Person.title": AttributeScore(title_right, title_total, tuple(wrong_title)),
    }


def _pred_amount(attributes: Mapping[str, Any]) -> int | float | None:
    investment = attributes.get("investment")
    if isinstance(investment, Mapping) and _number(investment.get("amount")):
        return investment["amount"]  # type: ignore[no-any-return]
    return None


def _pred_titles(attributes: Mapping[str, Any]) -> list[str]:
    title = attributes.get("title")
    if isinstance(title, str):
        return [title]
    if isinstance(title, list | tuple):
        return [t for t in title if isinstance(t, str)]
    return []


def _entity(e: Mapping[str, Any]) -> _Ent:
    name: str = e["name"]
    aliases = [a for a in e.get("aliases") or [] if isinstance(a, str)]
    forms = frozenset(f for f in map(normalize, [name, *aliases]) if f)
    attributes = e.get("attributes")
    return _Ent(
        name=name,
        type=str(e["type"]),
        key=normalize(name),
        forms=forms,
        attributes=attributes if isinstance(attributes, Mapping) else {},
    )


def _pred_entity(e: object, i: int) -> _Ent:
    if not (
        isinstance(e, Mapping)
        and isinstance(e.get("name"), str)
        and isinstance(e.get("type"), str)
    ):
        raise ValueError(
            f"prediction: entities[{i}] lacks a string name or type; "
            "pass DocumentGraph.to_json() output"
        )
    return _entity(e)


def _pred_list(pred: Mapping[str, Any], key: str) -> list[Any]:
    items = pred.get(key, [])
    if not isinstance(items, list | tuple):
        raise ValueError(
            f"prediction: {key!r} is not a list; pass DocumentGraph.to_json() output"
        )
    return list(items)


def _match_entities(preds: Sequence[_Ent], golds: Sequence[_Ent]) -> dict[int, int]:
    """Return a one-to-one matching of predicted to gold entities (see module doc)."""
    ranked: list[list[tuple[int, int]]] = []
    for p in preds:
        options = []
        for j, g in enumerate(golds):
            if g.type != p.type or not (g.forms & p.forms):
                continue
            if p.key == g.key:
                rank = 0
            elif p.key in g.forms or g.key in p.forms:
                rank = 1
            else:
                rank = 2
            options.append((rank, j))
        ranked.append(sorted(options))
    order = sorted(
        range(len(preds)), key=lambda i: (ranked[i][0][0] if ranked[i] else 3, i)
    )
    return _max_matching([[j for _, j in r] for r in ranked], order)


def _max_matching(
    candidates: Sequence[Sequence[int]], order: Sequence[int]
) -> dict[int, int]:
    """Return a maximum-cardinality bipartite matching, left index -> right index.

    Each left node in ``order`` looks for an augmenting path breadth first,
    trying its candidates in the order given.

    Example:
        >>> _max_matching([[0, 1], [0]], [0, 1])
        {0: 1, 1: 0}
    """
    left_of: dict[int, int] = {}  # right -> left
    right_of: dict[int, int] = {}  # left -> right
    for start in order:
        parent: dict[int, int] = {}  # right -> the left that reached it
        queue = deque([start])
        done = False
        while queue and not done:
            u = queue.popleft()
            for j in candidates[u]:
                if j in parent:
                    continue
                parent[j] = u
                if j in left_of:
                    queue.append(left_of[j])
                    continue
                # A free right node: flip the path back to ``start``.
                while True:
                    v = parent[j]
                    previous = right_of.get(v)
                    left_of[j], right_of[v] = v, j
                    if v == start or previous is None:
                        break
                    j = previous
                done = True
                break
    return dict(sorted(right_of.items()))


def _occurrences(text: str, needle: str) -> list[int]:
    """Return every start of ``needle`` in ``text``, overlapping ones included."""
    starts = []
    at = text.find(needle)
    while at != -1:
        starts.append(at)
        at = text.find(needle, at + 1)
    return starts


def inside_gold_names_only(name: str, text: str, gold_forms: Sequence[str]) -> bool:
    """Return True when ``name`` occurs in ``text`` only inside longer gold forms.

    ``name``, ``text`` and ``gold_forms`` are already normalised.

    Example:
        >>> park = ["北岭新材料产业园"]
        >>> inside_gold_names_only("北岭", "北岭新材料产业园在建。", park)
        True
        >>> inside_gold_names_only("北岭", "北岭新材料产业园位于北岭。", park)
        False
    """
    starts = _occurrences(text, name) if name else []
    if not starts:
        return False
    spans = [
        (a, a + len(form))
        for form in gold_forms
        if len(form) > len(name) and name in form
        for a in _occurrences(text, form)
    ]
    return all(any(a <= s and s + len(name) <= b for a, b in spans) for s in starts)
