"""Extra entity examples from CLUENER: general news sentences with their names typed.

The rules run on each sentence as a one-article document; each entity they
propose as a Company (the type the rules fall back to for a name of unknown
kind) is labelled from the sentence's CLUENER spans:

- a proposal whose span is exactly a CLUENER name takes that name's type
  (``name`` → Person, ``company`` → Company, ``government`` →
  GovernmentAgency, ``address`` → Region, ``organization`` → Organization);
  books, games, films, scenes and posts are not entities of ours (``O``);
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

from collections.abc import Callable
from pathlib import Path

from kg.learn.decide import NOT_AN_ENTITY
from kg.learn.features import entity_features
from kg.learn.proposal import Proposal
from kg.learn.train import Example
from kg.ner_eval import read_cluener
from kg.records import Article

__all__ = ["cluener_examples"]

_TYPE_OF = {
    "name": "Person",
    "company": "Company",
    "government": "GovernmentAgency",
    "address": "Region",
    "organization": "Organization",
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
    out: list[Example] = []
    for number, (text, found) in enumerate(read_cluener(path, limit, labels=None), 1):
        spans = {(s, e): label for s, e, label in found}
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
            elif overlapping:
                continue
            else:
                kind = NOT_AN_ENTITY
            out.append((entity_features(e, proposal), kind))
    return out
