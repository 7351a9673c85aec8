"""Time every saved query on a graph of about a million triples, on two stores.

The graph is generated in the ontology's shape: synthetic ``DocumentGraph``
records (invented names; entity popularity Zipf-like, so some entities appear
in hundreds of articles and merge across documents; sentences with their
mentions, relations, roles, amounts and bylines) are turned into quads by
``kg.rdf.document_quads`` and stored with ``kg.store.replace_document``, exactly
as ``kg build`` stores them. (The extractor runs at roughly one article a
second on this machine, too slow for ~3,000 articles in a benchmark run.)

Each saved query runs through ``kg.sparql.run_saved`` (what ``kg query --saved``
does) on (a) the default store, Oxigraph on disk through oxrdflib, whose default
graph is the materialized union of the article graphs (each distinct triple once,
see ``kg.store``), and (b) rdflib's in-memory Dataset (``default_union=True``,
which also gives each triple once); after a warm-up round, ``--runs`` timed runs on
Oxigraph, round-robin over the queries (each round runs every query once, so
that a slow or fast spell of the machine is shared by all), and ``--rdflib-runs``
on rdflib, where a run longer than ``--cap`` seconds is stopped and reported as
"> cap". It also times the same query on
pyoxigraph directly (no rdflib terms), to show what the rdflib layer costs.

    .venv/bin/python benchmarks/bench_queries.py            # ~1M triples
    .venv/bin/python benchmarks/bench_queries.py --triples 50000 --runs 5

Prints the table and writes it to ``benchmarks/results/queries.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import random
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Dataset, URIRef

from kg import rdf, sparql, store
from kg.records import Amount, Article, DocumentGraph, Entity, Mention, Relation

ROOT = Path(__file__).resolve().parents[1]
TRIPLES_PER_ARTICLE = 330  # measured on the generator's output (see --triples)

# --- invented names ----------------------------------------------------------------

PLACE = "青云岭江川河湖海山安平宁丰德华兴长东明远泰嘉禾林峰源阳湾溪桥沙石盛福瑞鑫汇澄滨岚晋临清凤祥润恒茂"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍建国志新宇航晨远川晴岚博文涵轩瑶"
WORDS = [
    "科技",
    "新材料",
    "能源",
    "智能",
    "数据",
    "装备",
    "环保",
    "医药",
    "半导体",
    "储能",
    "氢能",
    "光电",
]
PRODUCTS = [
    "负极材料",
    "光伏组件",
    "锂电池",
    "氢燃料电池",
    "碳纤维",
    "芯片封装",
    "生物医药",
    "智能装备",
]
KINDS = ["项目", "产业园", "基地", "生产线", "数据中心"]
TITLES = [
    "董事长",
    "总经理",
    "副总经理",
    "院长",
    "教授",
    "主任",
    "书记",
    "研究员",
    "总工程师",
]
ROLES = ["投资", "建设", "运营", "承建"]
AGENCY = ["发展和改革委员会", "工业和信息化局", "科学技术局", "商务局", "人民政府"]
ORG = ["产业发展基金", "商会", "行业协会", "农村商业银行", "产业投资集团"]
FILLER = [
    "会议强调，要坚持创新驱动发展，推动产业转型升级。",
    "据介绍，今年以来当地新签约项目数量同比增长。",
    "与会代表围绕产业链协同进行了深入交流。",
    "下一步，将持续优化营商环境，强化要素保障。",
]


def _names(rng: random.Random, count: int, make: Callable[[], str]) -> list[str]:
    seen: dict[str, None] = {}
    while len(seen) < count:
        seen[make()] = None
    return list(seen)


def _place(rng: random.Random) -> str:
    return "".join(rng.sample(PLACE, 2))


@dataclass
class World:
    """The pools of entities the articles draw on."""

    provinces: list[str]
    cities: dict[str, str]  # city -> province
    counties: dict[str, str]  # county -> city
    people: list[str]
    journalists: list[str]
    companies: list[str]
    universities: list[str]
    institutes: dict[str, str]  # institute -> university
    agencies: list[str]
    orgs: list[str]
    projects: list[str]
    amounts: dict[str, int] = field(default_factory=dict)
    home: dict[str, str] = field(default_factory=dict)  # company/project -> region


def make_world(rng: random.Random, scale: float) -> World:
    """Invent the entities (counts grow with ``scale``, 1.0 ≈ 1M triples)."""

    def n(base: int) -> int:
        return max(5, int(base * scale))

    provinces = [p + "省" for p in _names(rng, 25, lambda: _place(rng))]
    cities = {
        c + "市": rng.choice(provinces)
        for c in _names(rng, n(200), lambda: _place(rng))
    }
    counties = {
        c + rng.choice("县区"): rng.choice(list(cities))
        for c in _names(rng, n(900), lambda: _place(rng))
    }
    people = _names(
        rng,
        n(6000),
        lambda: rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2)))),
    )
    journalists = people[: min(150, len(people) // 4)]
    companies = _names(
        rng,
        n(4000),
        lambda: (
            _place(rng)
            + rng.choice(WORDS)
            + rng.choice(("有限公司", "股份有限公司", "集团有限公司"))
        ),
    )
    universities = _names(
        rng, n(150), lambda: _place(rng) + rng.choice(("大学", "理工大学", "科技大学"))
    )
    institutes = {
        u + rng.choice(WORDS) + "研究院": u
        for u in rng.sample(universities, k=len(universities) // 2)
    }
    institutes |= {
        _place(rng) + rng.choice(WORDS) + "研究所": rng.choice(universities)
        for _ in range(n(200))
    }
    agencies = [
        c + rng.choice(AGENCY)
        for c in rng.sample(list(cities), k=min(len(cities), n(300)))
    ]
    orgs = [_place(rng) + rng.choice(ORG) for _ in range(n(300))]
    projects = _names(
        rng,
        n(6000),
        lambda: (
            _place(rng)
            + f"年产{rng.randint(1, 50)}万吨"
            + rng.choice(PRODUCTS)
            + rng.choice(KINDS)
        ),
    )
    world = World(
        provinces,
        cities,
        counties,
        people,
        journalists,
        companies,
        universities,
        institutes,
        agencies,
        orgs,
        projects,
    )
    regions = list(cities) + list(counties)
    for p in projects:
        world.amounts[p] = int(math.exp(rng.gauss(math.log(5e8), 1.2))) // 10**6 * 10**6
        world.home[p] = rng.choice(regions)
    for c in companies:
        world.home[c] = rng.choice(regions)
    for u in universities:
        world.home[u] = rng.choice(regions)
    for i, u in institutes.items():  # an institute of a university: often its city
        world.home[i] = world.home[u] if rng.random() < 0.7 else rng.choice(regions)
    return world


class Zipf:
    """Draw items with probability proportional to 1 / rank ** s."""

    def __init__(self, items: list[str], rng: random.Random, s: float = 0.9) -> None:
        self.items = items
        self.rng = rng
        weights = [1 / (rank + 1) ** s for rank in range(len(items))]
        total = sum(weights)
        acc, self.cum = 0.0, []
        for w in weights:
            acc += w / total
            self.cum.append(acc)

    def __call__(self) -> str:
        import bisect

        i = bisect.bisect_left(self.cum, self.rng.random())
        return self.items[min(i, len(self.items) - 1)]


def _yuan(amount: int) -> str:
    return f"{amount / 1e8:g}亿元" if amount >= 10**8 else f"{amount // 10**4}万元"


class _Doc:
    """Collects one document's entities, mentions and relations."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.articles: list[Article] = []
        self.entities: dict[tuple[str, str], dict[str, Any]] = {}
        self.relations: list[Relation] = []

    def entity(self, name: str, type_: str) -> dict[str, Any]:
        return self.entities.setdefault(
            (name, type_),
            {
                "articles": {},
                "mentions": [],
                "titles": {},
                "aliases": {},
                "investment": None,
            },
        )

    def graph(self) -> DocumentGraph:
        entities = tuple(
            Entity(
                name=name,
                type=type_,
                aliases=tuple(e["aliases"]),
                articles=tuple(e["articles"]),
                mentions=tuple(e["mentions"]),
                investment=e["investment"],
                titles=tuple(e["titles"]),
            )
            for (name, type_), e in self.entities.items()
        )
        return DocumentGraph(
            self.name, tuple(self.articles), entities, tuple(self.relations)
        )


def _article(
    doc: _Doc, world: World, draw: dict[str, Zipf], rng: random.Random, aid: str
) -> None:
    sentences: list[
        tuple[str, list[tuple[str, str]], list[tuple[str, str, str, str | None]]]
    ] = []
    # Each sentence: text, [(name, type) mentioned], [(subj, pred, obj, role)].

    def company() -> str:
        return draw["company"]()

    def academic() -> tuple[str, str]:
        if rng.random() < 0.5:
            return draw["university"](), "University"
        return draw["institute"](), "ResearchInstitute"

    project = draw["project"]()
    region = world.home[project]
    builder = company()
    amount = world.amounts[project]
    title = f"{project}在{region}开工"
    sentences.append(
        (
            f"{builder}投资{_yuan(amount)}建设{project}，项目位于{region}。",
            [(builder, "Company"), (project, "Project"), (region, "Region")],
            [
                (builder, "participatesIn", project, "投资"),
                (project, "locatedIn", region, None),
            ],
        )
    )
    for _ in range(rng.randint(4, 9)):
        kind = rng.random()
        if kind < 0.22:
            person = draw["person"]()
            org, org_type = rng.choice(
                [
                    (company(), "Company"),
                    (*academic(),),
                    (rng.choice(world.agencies), "GovernmentAgency"),
                ]
            )
            post = rng.choice(TITLES)
            sentences.append(
                (
                    f"{org}{post}{person}表示，将加快推进项目建设。",
                    [(org, org_type), (person, "Person")],
                    [(person, "affiliatedWith", org, post)],
                )
            )
        elif kind < 0.38:
            # a company and a university, an institute or (a third) another company;
            # half the time the sentence says where the partner is
            a = company()
            b, b_type = (company(), "Company") if rng.random() < 0.33 else academic()
            if b != a and rng.random() < 0.5:
                where = world.home[b]
                sentences.append(
                    (
                        f"{a}与位于{where}的{b}签署战略合作协议，共建联合实验室。",
                        [(a, "Company"), (where, "Region"), (b, b_type)],
                        [
                            (a, "collaboratesWith", b, None),
                            (b, "locatedIn", where, None),
                        ],
                    )
                )
            elif b != a:
                sentences.append(
                    (
                        f"{a}与{b}签署战略合作协议，共建联合实验室。",
                        [(a, "Company"), (b, b_type)],
                        [(a, "collaboratesWith", b, None)],
                    )
                )
        elif kind < 0.50:
            other = draw["project"]()
            bank = rng.choice(world.orgs)
            sentences.append(
                (
                    f"{bank}为{other}提供{_yuan(world.amounts[other] // 3)}贷款。",
                    [(bank, "Organization"), (other, "Project")],
                    [(other, "fundedBy", bank, None)],
                )
            )
        elif kind < 0.60:
            inst = rng.choice(list(world.institutes))
            uni = world.institutes[inst]
            sentences.append(
                (
                    f"{inst}是{uni}的二级单位。",
                    [(inst, "ResearchInstitute"), (uni, "University")],
                    [(inst, "partOf", uni, None)],
                )
            )
        elif kind < 0.70:
            county = rng.choice(list(world.counties))
            city = world.counties[county]
            sentences.append(
                (
                    f"{county}隶属于{city}，{city}位于{world.cities[city]}。",
                    [
                        (county, "Region"),
                        (city, "Region"),
                        (world.cities[city], "Region"),
                    ],
                    [
                        (county, "partOf", city, None),
                        (city, "partOf", world.cities[city], None),
                    ],
                )
            )
        elif kind < 0.82:
            other = draw["project"]()
            c = company()
            if rng.random() < 0.1:  # named by a short form only (merged by its alias)
                c = c[:4]
            role = rng.choice(ROLES)
            sentences.append(
                (
                    f"{c}参与{other}{role}，项目总投资{_yuan(world.amounts[other])}，落户{world.home[other]}。",
                    [(c, "Company"), (other, "Project"), (world.home[other], "Region")],
                    [
                        (c, "participatesIn", other, role),
                        (other, "locatedIn", world.home[other], None),
                    ],
                )
            )
        elif kind < 0.90:
            c = company()
            sentences.append(
                (
                    f"{c}总部位于{world.home[c]}。",
                    [(c, "Company"), (world.home[c], "Region")],
                    [(c, "locatedIn", world.home[c], None)],
                )
            )
        else:
            sentences.append((rng.choice(FILLER), [], []))
    # A quarter of the sentences that state facts name their day ("3月5日，").
    dates: list[str | None] = []
    for i, (text, mentioned, rels) in enumerate(sentences):
        day = None
        if rels and rng.random() < 0.25:
            month, dom = rng.randint(1, 12), rng.randint(1, 28)
            day = f"2025-{month:02d}-{dom:02d}"
            sentences[i] = (f"{month}月{dom}日，{text}", mentioned, rels)
        dates.append(day)
    journalist = rng.choice(world.journalists)
    byline = f"记者 {journalist}"
    head = title + "\n"
    body_parts: list[str] = []
    offset = len(head)
    placed: list[tuple[int, str, list[tuple[str, str]], list[Any]]] = []
    for text, mentioned, rels in sentences:
        placed.append((offset, text, mentioned, rels))
        body_parts.append(text)
        offset += len(text)
    text = head + "".join(body_parts)
    doc.articles.append(
        Article(
            doc.name,
            aid,
            title,
            text,
            byline=byline,
            date=f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            source=f"synthetic/{doc.name}.txt",
            publication="合成日报",
            body_start=len(head),
        )
    )
    for index, (start, sentence, mentioned, rels) in enumerate(placed):
        for name, type_ in dict.fromkeys(mentioned):
            at = sentence.find(name)
            entity = doc.entity(name, type_)
            entity["articles"][aid] = None
            entity["mentions"].append(
                Mention(
                    aid,
                    start + at,
                    start + at + len(name),
                    name,
                    type_,
                    "bench.synthetic",
                    round(rng.uniform(0.6, 1.0), 2),
                    index,
                )
            )
            if type_ == "Project":
                entity["investment"] = Amount(
                    world.amounts[name], "CNY", _yuan(world.amounts[name])
                )
            if type_ == "Company" and len(name) > 4 and rng.random() < 0.1:
                entity["aliases"][name[:4]] = None
        for subject, predicate, obj, role in rels:
            if predicate == "affiliatedWith" and role:
                doc.entity(subject, "Person")["titles"][role] = None
            doc.relations.append(
                Relation(
                    subject,
                    predicate,
                    obj,
                    aid,
                    sentence,
                    start,
                    start + len(sentence),
                    f"bench.{predicate}",
                    round(rng.uniform(0.5, 1.0), 2),
                    role,
                    dates[index],
                )
            )
    author = doc.entity(journalist, "Person")
    author["articles"][aid] = None
    author["mentions"].append(
        Mention(aid, 3, 3 + len(journalist), journalist, "Person", "byline", 1.0, 0)
    )
    author["titles"]["记者"] = None
    doc.relations.append(
        Relation(
            journalist, "authorOf", aid, aid, byline, 0, len(byline), "byline", 1.0
        )
    )


def synthetic_documents(triples: int, seed: int = 0) -> Iterator[DocumentGraph]:
    """Yield documents (1–5 articles each) until about ``triples`` triples."""
    rng = random.Random(seed)
    articles = max(3, triples // TRIPLES_PER_ARTICLE)
    world = make_world(rng, scale=articles / 3000)
    draw = {
        "person": Zipf(world.people[len(world.journalists) :], rng),
        "company": Zipf(world.companies, rng),
        "university": Zipf(world.universities, rng),
        "institute": Zipf(list(world.institutes), rng),
        "project": Zipf(world.projects, rng, s=0.6),
    }
    made = number = 0
    while made < articles:
        number += 1
        doc = _Doc(f"合成日报-{number:05d}")
        for i in range(min(rng.randint(1, 5), articles - made)):
            _article(doc, world, draw, rng, f"a{i + 1}")
            made += 1
        yield doc.graph()


# --- timing ------------------------------------------------------------------------


class Capped(BaseException):
    """A run went over the cap (a BaseException, so no ``except Exception`` eats it)."""


def _alarm(_signum: int, _frame: Any) -> None:
    raise Capped


def timed(
    run: Callable[[], Any], runs: int, cap: float | None
) -> tuple[list[float], Any]:
    """Time ``runs`` runs after one warm-up; stop at the first run over ``cap``."""
    times: list[float] = []
    result = None
    for i in range(runs + 1):
        if cap is not None:
            signal.setitimer(signal.ITIMER_REAL, cap)
        started = time.perf_counter()
        try:
            result = run()
        except Capped:
            return [math.inf], None
        finally:
            if cap is not None:
                signal.setitimer(signal.ITIMER_REAL, 0)
        if i:  # the first run warms caches up
            times.append(time.perf_counter() - started)
    return times, result


def pct(times: list[float], q: float) -> float:
    if not times:
        return math.nan
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def ms(value: float, cap: float | None = None) -> str:
    if math.isinf(value) or math.isnan(value):
        return f"> {cap:g} s"
    return f"{value * 1000:.1f}" if value < 1 else f"{value * 1000:.0f}"


def choose_params(dataset: Dataset) -> dict[str, dict[str, Any]]:
    """Pick each parameter: the company in most articles, a threshold of 0.55."""
    from collections import Counter

    from kg.namespace import KG

    counts: Counter[str] = Counter()
    for s, _p, _o, _g in dataset.quads((None, KG.mentionedIn, None, None)):
        if "/entity/Company/" in str(s):
            counts[str(s)] += 1
    top = URIRef(counts.most_common(1)[0][0])
    company = str(next(dataset.objects(top, KG.name)))
    return {
        "entity-profile": {"name": company},
        "evidence-of": {"name": company},
        "neighbourhood": {"name": company},
        "low-confidence": {"threshold": "0.55"},
    }


def rows_of(result: Any) -> list[tuple[str, ...]]:
    """Return a result's rows as sorted tuples of strings (to compare stores)."""
    if result is None:
        return []
    if result.type == "ASK":
        return [(str(result.askAnswer),)]
    if result.type != "SELECT":
        return sorted((str(s), str(p), str(o)) for s, p, o in result.graph)
    names = result.vars or []
    return sorted(
        tuple("" if row.get(v) is None else str(row.get(v)) for v in names)
        for row in result.bindings
    )


def digest(rows: list[tuple[str, ...]]) -> str:
    return hashlib.sha1(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()[:12]


def native(dataset: Dataset, name: str, params: dict[str, Any]) -> Callable[[], int]:
    """The same saved query on pyoxigraph itself (no rdflib terms), for comparison.

    It reads the default graph as ``kg.sparql.run_saved`` does: the store's own
    (the materialized union), or the union computed at query time for a store of
    an earlier kg opened read-only (``Dataset.default_union``).
    """
    import pyoxigraph as ox

    inner = dataset.store._inner  # oxrdflib's pyoxigraph Store
    text = sparql.saved_queries()[name].text
    kinds = dict(sparql._parse_params(text))
    subs = {}
    for key, value in params.items():
        if kinds.get(key) == "float":
            subs[ox.Variable(key)] = ox.Literal(
                repr(float(value)),
                datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#double"),
            )
        else:
            subs[ox.Variable(key)] = ox.Literal(str(value))

    def run() -> int:
        result = inner.query(
            text,
            use_default_graph_as_union=dataset.default_union,
            prefixes=sparql.PREFIXES,
            substitutions=subs,
        )
        return sum(1 for _ in result)

    return run


PROBE = "_probe"


def probe() -> float:
    """Time a fixed pure-Python loop: how fast the machine is during a round.

    This machine's speed moves by up to 2x for minutes at a time; the probe's
    p50, printed with the table, says which kind of spell a run fell in (see
    benchmarks/README.md for its figures).
    """
    started = time.perf_counter()
    sum(i * i for i in range(20_000))
    return time.perf_counter() - started


def measure_child(path: str, queries_json: str, runs: int) -> None:
    """In a child process: time the queries on the store, one JSON line per run.

    Round-robin: each round runs every query once (through ``kg.sparql.run_saved``,
    then on pyoxigraph itself), so each query's runs are spread over the whole
    measurement. This machine's speed moves by 2x for seconds at a time; 20 runs
    of one query in a row (under a second) could fall wholly in a slow or a fast
    spell, and a query's place in the list decided its figure.
    """
    dataset = store.open_read_only(Path(path))
    queries = json.loads(queries_json)
    natives = {name: native(dataset, name, params) for name, params in queries.items()}
    for i in range(runs + 1):
        print(json.dumps({"name": PROBE, "run": i, "probe": probe()}), flush=True)
        for name, params in queries.items():
            # The answer's rows are read (run_saved returns them as rdflib terms);
            # sorting them as strings, to compare the stores, is not timed (nor is
            # it on rdflib's side).
            started = time.perf_counter()
            result = sparql.run_saved(dataset, name, **params)
            elapsed = time.perf_counter() - started
            rows = rows_of(result)
            line = {"name": name, "run": i, "kg": elapsed, "rows": len(rows)}
            if i == 0:
                line["digest"] = digest(rows)
            print(json.dumps(line), flush=True)
            started = time.perf_counter()
            natives[name]()
            elapsed = time.perf_counter() - started
            print(json.dumps({"name": name, "run": i, "native": elapsed}), flush=True)


def measure_oxigraph(
    path: Path, queries: dict[str, dict[str, Any]], runs: int, cap: float
) -> dict[str, dict[str, Any]]:
    """Time the queries in a child process, round-robin (see :func:`measure_child`).

    A run longer than ``cap`` seconds kills the child: that query is reported as
    "> cap" and the others are measured again without it.
    """
    left = dict(queries)
    out: dict[str, dict[str, Any]] = {}
    probes: list[float] = []
    while left:
        for name in left:
            out[name] = {"kg": [], "native": [], "rows": None, "digest": None}
        child = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--measure",
                str(path),
                json.dumps(left),
                str(runs),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        order = list(left)
        last: tuple[str, int] | None = None  # (phase, index in order) of the last line
        stuck = None
        try:
            while True:
                ready, _w, _x = select.select([child.stdout], [], [], cap)
                if not ready:  # the run after the last line passed the cap
                    child.kill()
                    if last is None:
                        stuck = order[0]
                    elif last[0] == "kg":
                        stuck = order[last[1]]
                    else:
                        stuck = order[(last[1] + 1) % len(order)]
                    break
                line = child.stdout.readline()
                if not line:
                    break
                item = json.loads(line)
                if item["name"] == PROBE:  # a round starts with the first query
                    if item["run"] > 0:
                        probes.append(item["probe"])
                    last = ("native", -1)
                    continue
                into = out[item["name"]]
                phase = "kg" if "kg" in item else "native"
                last = (phase, order.index(item["name"]))
                if "digest" in item:
                    into["digest"], into["rows"] = item["digest"], item["rows"]
                if item["run"] > 0:  # run 0 warms caches up
                    into[phase].append(item[phase])
        finally:
            child.wait()
        if stuck is None:
            break
        out[stuck] = {
            "kg": [math.inf],
            "native": [math.inf],
            "rows": None,
            "digest": None,
        }
        left = {name: p for name, p in left.items() if name != stuck}
    out[PROBE] = {"probe": probes}
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--measure"]:
        measure_child(argv[1], argv[2], int(argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20, help="timed runs on Oxigraph")
    parser.add_argument(
        "--rdflib-runs", type=int, default=3, help="timed runs on rdflib"
    )
    parser.add_argument(
        "--cap", type=float, default=30.0, help="seconds per run before giving up"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", nargs="*", help="saved query names")
    parser.add_argument("--no-rdflib", action="store_true")
    parser.add_argument(
        "--store", type=Path, help="keep the Oxigraph store here (reused if present)"
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks/results/queries.md"
    )
    args = parser.parse_args(argv)

    names = args.only or list(sparql.saved_queries())
    signal.signal(signal.SIGALRM, _alarm)
    t0 = time.perf_counter()
    docs = list(synthetic_documents(args.triples, args.seed))
    quads = [(d, rdf.document_quads(d)) for d in docs]
    generated = time.perf_counter() - t0
    articles = sum(len(d.articles) for d in docs)
    print(
        f"generated {len(docs)} documents, {articles} articles in {generated:.1f} s",
        file=sys.stderr,
    )

    tmp = tempfile.TemporaryDirectory(prefix="kg-bench-")
    path = args.store or Path(tmp.name) / "store"
    reuse = path.exists()
    ox_ds = store.open_dataset("oxigraph", path)
    t0 = time.perf_counter()
    if not reuse:
        for doc, graphs in quads:
            store.replace_document(
                ox_ds, graphs, doc.articles[0].doc, store.document_hash(doc.source)
            )
    ox_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    if not reuse or not store.statistics_current(ox_ds):
        # as kg build ends: the merges and the counts kept in the data, then
        # (a large build) the compaction
        store.refresh_derived(ox_ds)
        store.compact(ox_ds)
    ox_derive = time.perf_counter() - t0
    # Write the memory tables out, so that the read-only children do not
    # replay a long log on opening (which took the first query past the cap).
    store.flush(ox_ds)
    totals = store.stats(ox_ds)
    params = choose_params(ox_ds)
    # The derived graphs, copied to the rdflib store below: counting them there with
    # rdflib's engine would take most of an hour at this size.
    derived = [
        (s, p, o, name)
        for name in (rdf.MERGES_GRAPH, rdf.STATISTICS_GRAPH)
        for s, p, o in ox_ds.graph(name)
    ]
    ox_ds.close()
    print(
        f"oxigraph: {totals['quads']} quads, {totals['triples']} distinct triples, "
        f"{'reused' if reuse else f'loaded in {ox_load:.1f} s'}; "
        f"merges, statistics and compaction (refresh_derived, compact) in {ox_derive:.2f} s",
        file=sys.stderr,
    )

    mem_ds = None
    mem_load = math.nan
    if not args.no_rdflib:
        mem_ds = store.open_dataset("memory")
        t0 = time.perf_counter()
        for doc, graphs in quads:
            store.replace_document(
                mem_ds, graphs, doc.articles[0].doc, store.document_hash(doc.source)
            )
        for s, p, o, name in derived:
            mem_ds.graph(name).add((s, p, o))
        mem_load = time.perf_counter() - t0
        print(f"rdflib memory: loaded in {mem_load:.1f} s", file=sys.stderr)
    del quads, docs

    rows: list[dict[str, Any]] = []
    measured = measure_oxigraph(
        path, {name: params.get(name, {}) for name in names}, args.runs, args.cap
    )
    for name in names:
        p = params.get(name, {})
        ox = measured[name]
        row: dict[str, Any] = {
            "name": name,
            "params": p,
            "rows": ox["rows"],
            "ox50": pct(ox["kg"], 0.5),
            "ox95": pct(ox["kg"], 0.95),
            "nat50": pct(ox["native"], 0.5),
        }
        if mem_ds is not None:
            mem_times, mem_result = timed(
                lambda: sparql.run_saved(mem_ds, name, **p), args.rdflib_runs, args.cap
            )
            row["mem50"], row["mem95"] = pct(mem_times, 0.5), pct(mem_times, 0.95)
            row["same"] = (
                "—"
                if mem_result is None or ox["digest"] is None
                else "yes"
                if digest(rows_of(mem_result)) == ox["digest"]
                else "NO"
            )
        rows.append(row)
        print(
            f"{name:30} rows {row['rows']}  oxigraph p50 {ms(row['ox50'], args.cap)} ms "
            f"p95 {ms(row['ox95'], args.cap)}  pyoxigraph {ms(row['nat50'], args.cap)}"
            + (
                f"  rdflib p50 {ms(row['mem50'], args.cap)} p95 {ms(row['mem95'], args.cap)}  same {row['same']}"
                if mem_ds is not None
                else ""
            ),
            file=sys.stderr,
            flush=True,
        )

    cap = f"{args.cap:g} s"
    lines = [
        f"Saved queries on {totals['triples']:,} distinct triples ({totals['quads']:,} quads in "
        f"{totals['graphs']:,} article graphs of {totals['documents']:,} documents; "
        + ("a reused store" if reuse else f"synthetic, seed {args.seed}")
        + f"). Times in ms, p50/p95: {args.runs} runs on Oxigraph (the default "
        "store, on disk, through oxrdflib and `kg.sparql.run_saved`, rows read; "
        "round-robin, each round running every query once), "
        + (
            "rdflib not run (--no-rdflib); "
            if args.no_rdflib
            else f"{args.rdflib_runs} on rdflib's in-memory Dataset, "
        )
        + "each after a warm-up run; a run "
        f'longer than {cap} is stopped ("> {cap}"). "pyoxigraph" is the same query on '
        "pyoxigraph itself (rows read, no rdflib terms). "
        f"Load: Oxigraph {ox_load:.0f} s{' (reused store)' if reuse else ''}"
        + ("" if math.isnan(mem_load) else f", rdflib memory {mem_load:.0f} s")
        + f". Machine: {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"speed probe (a fixed pure-Python loop, once a round) p50 "
        f"{pct(measured[PROBE]['probe'], 0.5) * 1000:.2f} ms.",
        "",
        "| query | params | rows | Oxigraph p50 | Oxigraph p95 | pyoxigraph p50 | rdflib p50 | rdflib p95 | rdflib / Oxigraph | same rows |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for r in rows:
        ratio = "—"
        if mem_ds is not None and not math.isinf(r["ox50"]):
            ratio = (
                f"> {args.cap / r['ox50']:.0f}×"
                if math.isinf(r["mem50"])
                else f"{r['mem50'] / r['ox50']:.1f}×"
            )
        p = ", ".join(f"{k}={v}" for k, v in r["params"].items())
        lines.append(
            f"| {r['name']} | {p} | {'—' if r['rows'] is None else r['rows']} | {ms(r['ox50'], args.cap)} | "
            f"{ms(r['ox95'], args.cap)} | {ms(r['nat50'], args.cap)} | "
            + (
                f"{ms(r['mem50'], args.cap)} | {ms(r['mem95'], args.cap)} | {ratio} | {r['same']} |"
                if mem_ds is not None
                else "— | — | — | — |"
            )
        )
    table = "\n".join(lines) + "\n"
    print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(table, encoding="utf-8")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
