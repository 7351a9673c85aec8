"""What the rules propose for one document, before the learned layer decides."""

from __future__ import annotations

from dataclasses import dataclass

from kg.records import Article, DocumentGraph, Entity, Mention, Relation

__all__ = ["ArticleView", "Proposal"]


@dataclass(frozen=True, slots=True)
class ArticleView:
    """One article as the relation candidates see it."""

    article: Article
    sentences: tuple[tuple[int, int], ...]
    mentions: tuple[tuple[Mention, str], ...]  # (mention, entity name), by start


@dataclass(frozen=True, slots=True)
class Proposal:
    """The rules' entities and relations of a document, and its articles' views."""

    source: str
    articles: tuple[Article, ...]
    entities: tuple[Entity, ...]
    relations: tuple[Relation, ...]
    views: tuple[ArticleView, ...]

    def rules_graph(self) -> DocumentGraph:
        """Return the graph the rules alone give."""
        return DocumentGraph(self.source, self.articles, self.entities, self.relations)
