"""Frozen records passed between the stages.

Offsets (``start``, ``end``) are character offsets into ``Article.text``; the
evidence of a relation is ``article.text[start:end]``, except for what a byline
states (``source == "byline"``: a byline mention, an authorOf relation), whose
offsets are into ``Article.byline``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "ENTITY_TYPES",
    "ORG_TYPES",
    "PREDICATES",
    "Amount",
    "Article",
    "DocumentGraph",
    "Entity",
    "Mention",
    "Relation",
]

ENTITY_TYPES = (
    "Person",
    "Company",
    "University",
    "ResearchInstitute",
    "GovernmentAgency",
    "Organization",
    "Region",
    "Project",
)
ORG_TYPES = frozenset(
    {"Company", "University", "ResearchInstitute", "GovernmentAgency", "Organization"}
)
PREDICATES = (
    "affiliatedWith",
    "locatedIn",
    "partOf",
    "participatesIn",
    "collaboratesWith",
    "authorOf",
    "fundedBy",
)


@dataclass(frozen=True, slots=True)
class Article:
    """One article of a source document.

    ``text`` holds the headline lines then the body, one paragraph a line;
    the byline is kept apart. ``id`` is local to the document (``a0`` is a
    masthead block when the page has one); ``doc`` names the document.
    """

    doc: str
    id: str
    title: str
    text: str
    byline: str = ""
    date: str | None = None
    source: str = ""
    publication: str | None = None
    kind: str = "article"  # "article" or "masthead"
    body_start: int = 0  # offset in ``text`` where the body begins

    @property
    def key(self) -> str:
        """Return the article's global key, ``doc/id``."""
        return f"{self.doc}/{self.id}"


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of an article that names an entity."""

    article: str  # local article id
    start: int
    end: int
    text: str
    label: str  # one of ENTITY_TYPES
    source: str  # the rule or model that made it
    confidence: float = 1.0
    sentence: int = 0


@dataclass(frozen=True, slots=True)
class Amount:
    """A normalised amount of money."""

    amount: int
    currency: str
    text: str


@dataclass(frozen=True, slots=True)
class Entity:
    """One real-world thing of a document, however often and however named."""

    name: str
    type: str
    aliases: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    mentions: tuple[Mention, ...] = ()
    investment: Amount | None = None
    titles: tuple[str, ...] = ()
    merged_by: tuple[str, ...] = ()  # the resolution rules that merged its forms
    confidence: float = 1.0  # the probability that it is a real entity of this type


@dataclass(frozen=True, slots=True)
class Relation:
    """A fact between two entities (or a person and an article), with evidence."""

    subject: str
    predicate: str
    object: str
    article: str
    evidence: str
    start: int
    end: int
    source: str
    confidence: float = 1.0
    role: str | None = None
    date: str | None = None  # the day its sentence names (YYYY-MM-DD), if any


@dataclass(frozen=True, slots=True)
class DocumentGraph:
    """What the extractor says of one source document."""

    source: str
    articles: tuple[Article, ...]
    entities: tuple[Entity, ...]
    relations: tuple[Relation, ...] = field(default=())

    def to_json(self) -> dict[str, object]:
        """Return the graph in the JSON form of GUIDELINES.md."""
        return {
            "source": self.source,
            "articles": [
                {
                    "id": a.id,
                    "title": a.title,
                    "byline": a.byline,
                    "starts_with": _body(a)[:20],
                    **({"date": a.date} if a.date else {}),
                }
                for a in self.articles
            ],
            "entities": [_entity_json(e) for e in self.entities],
            "relations": [_relation_json(r) for r in self.relations],
        }


def _body(article: Article) -> str:
    return article.text[article.body_start :]


def _entity_json(e: Entity) -> dict[str, object]:
    attributes: dict[str, object] = {}
    if e.investment is not None:
        attributes["investment"] = {
            "amount": e.investment.amount,
            "currency": e.investment.currency,
            "text": e.investment.text,
        }
    if e.titles:
        attributes["title"] = list(e.titles)
    return {
        "name": e.name,
        "type": e.type,
        "aliases": list(e.aliases),
        "articles": list(e.articles),
        "confidence": e.confidence,
        "attributes": attributes,
        "provenance": [
            {
                "article": m.article,
                "start": m.start,
                "end": m.end,
                "text": m.text,
                "source": m.source,
                "confidence": m.confidence,
            }
            for m in e.mentions
        ],
    }


def _relation_json(r: Relation) -> dict[str, object]:
    out: dict[str, object] = {
        "subject": r.subject,
        "predicate": r.predicate,
        "object": r.object,
        "article": r.article,
        "evidence": r.evidence,
        "start": r.start,
        "end": r.end,
        "source": r.source,
        "confidence": r.confidence,
    }
    if r.role:
        out["role"] = r.role
    if r.date:
        out["date"] = r.date
    return out
