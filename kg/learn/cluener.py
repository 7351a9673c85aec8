"""Extra entity examples from CLUENER: general news sentences with their names typed.

The rules run on each sentence as a one-article document; each entity they
propose as a Company (the type the rules fall back to for a name of unknown
kind) is labelled from the sentence's CLUENER spans:

- a proposal whose span is exactly a CLUENER name takes that name's type
  (``name`` → Person, ``company`` → Company, ``government`` →
  GovernmentAgency, ``address`` → Region; ``organization`` → Organization, or
  the rules' type when that is a more specific body: a university, an
  institute, an agency); books, games, films, scenes and posts are not
  entities of ours (``O``);
- a proposal overlapping no CLUENER span is not an entity (``O``): CLUENER
  marks every name of its ten kinds;
- a proposal overlapping a span it does not equal (a city inside an address)
  teaches nothing and is left out.

These examples teach the entity classifier which of the rules' Companies are
companies in news at large (common nouns, parties, leagues, teams are not),
which 34 documents of business and broadcast news cannot. Only the rules'
Companies are used: CLUENER's conventions for places (whole addresses) and
its lack of projects disagree with the guidelines, and examples of those
types lowered the cross-validated score. The data stays in ``../shared``;
only weights ship.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from kg.errors import GoldFileError
from kg.learn.decide import NOT_AN_ENTITY
from kg.learn.features import entity_features
from kg.learn.proposal import Proposal
from kg.learn.train import Example
from kg.records import Article

__all__ = ["cluener_examples"]

_TYPE_OF = {
    "name": "Person",
    "company": "Company",
    "government": "GovernmentAgency",
    "address": "Region",
    "organization": "Organization",
}
_SPECIFIC_BODIES = ("University", "ResearchInstitute", "GovernmentAgency")


def _spans(row: dict[str, object]) -> dict[tuple[int, int], str]:
    labels = row.get("label", {})
    assert isinstance(labels, dict)
    return {
        (s, e + 1): label
        for label, names in labels.items()
        for spans in names.values()
        for s, e in spans
    }


def cluener_examples(
    path: Path,
    propose: Callable[[str, list[Article]], Proposal],
    limit: int | None = None,
) -> list[Example]:
    """Return labelled entity examples from the CLUENER file at ``path``.

    Raises:
        GoldFileError: the file cannot be read or a line is not CLUENER JSON.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise GoldFileError(
            f"{path}: cannot read ({err.strerror}); check the path"
        ) from err
    out: list[Example] = []
    for number, line in enumerate(lines[:limit], 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text = str(row["text"])
            spans = _spans(row)
        except (ValueError, KeyError, TypeError, AssertionError) as err:
            raise GoldFileError(
                f"{path}:{number}: not a CLUENER line ({err}); fix or remove it"
            ) from err
        article = Article(doc=f"cluener-{number}", id="a1", title="", text=text)
        proposal = propose(article.doc, [article])
        for e in proposal.entities:
            if e.type != "Company":
                continue
            places = {(m.start, m.end) for m in e.mentions if m.source != "byline"}
            exact = [spans[p] for p in places if p in spans]
            overlapping = any(
                s < pe and ps < e_ for ps, pe in places for s, e_ in spans
            )
            if exact:
                kind = _TYPE_OF.get(exact[0], NOT_AN_ENTITY)
                if kind == "Organization" and e.type in _SPECIFIC_BODIES:
                    kind = e.type
            elif overlapping:
                continue
            else:
                kind = NOT_AN_ENTITY
            out.append((entity_features(e, proposal), kind))
    return out
