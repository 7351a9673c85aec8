"""Extraction of one source document: articles → mentions → entities → relations.

The one place that chains the NLP stages (pipeline, resolution, relations,
attributes); ``kg extract``, ``kg build`` and the notebooks all call
``extract_document``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

from spacy.language import Language

from kg.learn.decide import decide
from kg.learn.model import Model, shipped_model
from kg.learn.proposal import ArticleView, Proposal
from kg.pipeline import attributes
from kg.records import Amount, Article, DocumentGraph, Entity, Mention, Relation
from kg.relations import Context, extract_relations, person_titles, project_investments
from kg.resolution import declared_aliases, find_alias_mentions, resolve_entities

__all__ = ["byline_names", "extract_document", "propose_document"]

_BYLINE_NOISE = re.compile(
    r"记者|通讯员|实习生|文/|图/|摄|报道|编辑|责编|[（）()\s/:：]"
)


def byline_names(byline: str) -> list[str]:
    """Return the person names of a byline.

    Example:
        >>> byline_names("记者 张三 通讯员 李四五")
        ['张三', '李四五']
    """
    names = []
    for part in re.split(r"[\s,，、/]+", byline):
        name = _BYLINE_NOISE.sub("", part)
        # A name cut by noise (苏明(澈) is not one: its offsets must find it as written.
        if (
            2 <= len(name) <= 4
            and all("\u4e00" <= ch <= "\u9fff" for ch in name)
            and name in part
        ):
            names.append(name)
    return names


def extract_document(
    source: str,
    articles: Sequence[Article],
    nlp: Language,
    batch_size: int = 16,
    model: Model | Literal["shipped"] | None = "shipped",
) -> DocumentGraph:
    """Extract the graph of one source document.

    The rules propose entities and relations (:func:`propose_document`); the
    trained model (``kg/models/extractor``) keeps, types and scores them.

    Args:
        source: the document's name (its file name).
        articles: the document's articles, from ``corpus.read_articles``.
        nlp: the pipeline from ``pipeline.make_nlp``.
        batch_size: docs per ``nlp.pipe`` batch.
        model: the learned layer; ``"shipped"`` loads the packaged one,
            ``None`` keeps the rules' decisions.

    Returns:
        The document's articles, resolved entities and relations.
    """
    proposal = propose_document(source, articles, nlp, batch_size)
    chosen = shipped_model() if model == "shipped" else model
    if chosen is None:
        return proposal.rules_graph()
    graph = decide(proposal, chosen)
    by_id = {a.id: a for a in articles}
    # Facts only a sentence pairs were not dated with the rules' facts.
    relations = [
        r if r.date or r.source != "sentence-pair" else _dated([r], by_id[r.article])[0]
        for r in graph.relations
    ]
    return replace(graph, relations=tuple(relations))


def propose_document(
    source: str, articles: Sequence[Article], nlp: Language, batch_size: int = 16
) -> Proposal:
    """Run the pipeline and the rules: every entity and relation they propose.

    Args:
        source: the document's name (its file name).
        articles: the document's articles, from ``corpus.read_articles``.
        nlp: the pipeline from ``pipeline.make_nlp``.
        batch_size: docs per ``nlp.pipe`` batch.

    Returns:
        The rules' graph with, per article, its sentences and resolved
        mentions, which the learned layer reads.
    """
    docs = list(nlp.pipe((a.text for a in articles), batch_size=batch_size))
    mentions: dict[str, list[Mention]] = {}
    aliases: dict[str, tuple[str, str]] = {}
    for article, doc in zip(articles, docs, strict=True):
        found = [replace(m, article=article.id) for m in doc._.kg_mentions or ()]
        for alias, name in declared_aliases(article.text, found).items():
            label = next(m.label for m in found if m.text == name)
            aliases[alias] = (name, label)
        mentions[article.id] = found
    for article in articles:
        mentions[article.id] += find_alias_mentions(
            article, aliases, mentions[article.id]
        )
        mentions[article.id] += [
            Mention(
                article.id,
                *_in_byline(article.byline, name),
                name,
                "Person",
                "byline",
                0.95,
            )
            for name in byline_names(article.byline)
        ]
    every = [m for ms in mentions.values() for m in ms]
    entities = resolve_entities(_drop_declared(every, aliases))
    entities = _attach_declared(entities, aliases)
    by_mention = {
        (m.article, m.start, m.end, m.text): e for e in entities for m in e.mentions
    }
    relations: list[Relation] = []
    views: list[ArticleView] = []
    titles: dict[str, list[str]] = {}
    investments: dict[str, Amount] = {}
    for article, doc in zip(articles, docs, strict=True):
        resolved = sorted(
            (
                (m, by_mention[(m.article, m.start, m.end, m.text)])
                for m in mentions[article.id]
                if m.source != "byline"
                and (m.article, m.start, m.end, m.text) in by_mention
            ),
            key=lambda me: (me[0].start, -me[0].end),
        )
        ctx = Context(article, doc._.kg_sentences or [], resolved, entities)
        views.append(
            ArticleView(
                article,
                tuple(ctx.sentences),
                tuple((m, e.name) for m, e in resolved),
            )
        )
        relations += _dated(extract_relations(ctx), article)
        relations += _authorship(article, entities)
        for name, posts in person_titles(ctx).items():
            titles.setdefault(name, []).extend(
                p for p in posts if p not in titles.get(name, [])
            )
        for name, (_s, _e, amount) in project_investments(
            ctx, attributes.find_investments
        ).items():
            if isinstance(amount, Amount):
                investments.setdefault(name, amount)
    entities = [
        replace(
            e, titles=tuple(titles.get(e.name, ())), investment=investments.get(e.name)
        )
        for e in entities
    ]
    return Proposal(
        source,
        tuple(articles),
        tuple(entities),
        tuple(_once(relations)),
        tuple(views),
    )


def _dated(relations: list[Relation], article: Article) -> list[Relation]:
    """Give each relation the day its evidence names, resolved against the article's date.

    "8月13日，A与B签约" in an article of 2025-08-20 dates the collaboration
    2025-08-13; a day without a year stays undated when the article's date is
    unknown. The first day of the evidence wins.

    Example:
        >>> a = Article(doc="d", id="a1", title="t", text="", date="2025-08-20")
        >>> r = Relation("甲", "collaboratesWith", "乙", "a1", "8月13日，甲与乙签约", 0, 11, "x")
        >>> _dated([r], a)[0].date
        '2025-08-13'
    """
    out = []
    for r in relations:
        try:
            found = attributes.find_dates(r.evidence, article.date)
        except ValueError:  # an article date that is not ISO: no reference
            found = attributes.find_dates(r.evidence)
        out.append(replace(r, date=found[0][2]) if found else r)
    return out


def _drop_declared(
    mentions: list[Mention], aliases: dict[str, tuple[str, str]]
) -> list[Mention]:
    """Give a declared alias's mentions the type of the entity it names."""
    out = []
    for m in mentions:
        if m.text in aliases:
            m = replace(m, label=aliases[m.text][1], source=m.source)
        out.append(m)
    return out


def _attach_declared(
    entities: list[Entity], aliases: dict[str, tuple[str, str]]
) -> list[Entity]:
    """Merge the entity of a declared alias into the entity it abbreviates."""
    by_name = {e.name: e for e in entities}
    merged: dict[str, Entity] = {}
    gone: set[str] = set()
    for alias, (name, _label) in aliases.items():
        short, full = by_name.get(alias), merged.get(name) or by_name.get(name)
        if short is None or full is None or short is full:
            continue
        merged[full.name] = replace(
            full,
            aliases=tuple(dict.fromkeys((*full.aliases, short.name, *short.aliases))),
            articles=tuple(sorted({*full.articles, *short.articles})),
            mentions=full.mentions + short.mentions,
            merged_by=tuple(sorted({*full.merged_by, "declared-alias"})),
        )
        gone.add(short.name)
    return [merged.get(e.name, e) for e in entities if e.name not in gone]


def _authorship(article: Article, entities: Sequence[Entity]) -> list[Relation]:
    return [
        Relation(
            name,
            "authorOf",
            article.id,
            article.id,
            name,
            *_in_byline(article.byline, name),
            "byline",
            0.95,
        )
        for name in byline_names(article.byline)
        if any(e.name == name and e.type == "Person" for e in entities)
    ]


def _in_byline(byline: str, name: str) -> tuple[int, int]:
    """Return the offsets of ``name`` in the byline (byline evidence is not in the text)."""
    start = max(byline.find(name), 0)
    return start, start + len(name)


def _once(relations: list[Relation]) -> list[Relation]:
    """Keep one relation per fact for the document (symmetric ones once)."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for r in relations:
        key = (r.subject, r.predicate, r.object)
        if key in seen or (
            r.predicate == "collaboratesWith"
            and (r.object, r.predicate, r.subject) in seen
        ):
            continue
        seen.add(key)
        out.append(r)
    return out
