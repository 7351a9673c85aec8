"""Tests for kg.evaluate: the Scoring rules of GUIDELINES.md on invented graphs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kg.errors import GoldFileError
from kg.evaluate import (
    AttributeScore,
    Counts,
    Report,
    combine,
    load_gold,
    normalize,
    score,
)

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED_TEXT = SHARED / "corpus" / "000_e5e095a287f3bba7.txt"

# An invented article; every name below is made up for these tests.
TEXT = (
    "青禾科技有限公司（以下简称青禾科技）与云杉大学签署合作协议。"
    "青禾科技北岭新材料产业园项目总投资12亿元，落户蓝川市。"
    "青禾科技副总经理韩若溪表示，北岭新材料产业园将于明年投产。"
)


def ent(name: str, type_: str, *aliases: str, **attributes: Any) -> dict[str, Any]:
    return {
        "name": name,
        "type": type_,
        "aliases": list(aliases),
        "articles": ["a1"],
        "attributes": attributes,
    }


def rel(subject: str, predicate: str, obj: str, **extra: Any) -> dict[str, Any]:
    return {"subject": subject, "predicate": predicate, "object": obj, **extra}


def graph(
    entities: list[dict[str, Any]], relations: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "source": "invented.txt",
        "articles": [{"id": "a1", "title": "标题", "byline": "", "starts_with": ""}],
        "entities": entities,
        "relations": relations or [],
    }


def run(
    pred_entities: list[dict[str, Any]],
    gold_entities: list[dict[str, Any]],
    pred_relations: list[dict[str, Any]] | None = None,
    gold_relations: list[dict[str, Any]] | None = None,
    text: str = TEXT,
) -> Report:
    return score(
        graph(pred_entities, pred_relations),
        graph(gold_entities, gold_relations),
        text,
    )


# ----------------------------------------------------------------- entities


def test_exact_match_counts_true_positive() -> None:
    r = run([ent("云杉大学", "University")], [ent("云杉大学", "University")])
    assert r.entities["University"] == Counts(tp=1)
    assert r.entities_micro.f1 == 1.0
    assert r.misses == () and r.false_positives == ()


def test_extra_keys_of_prediction_are_ignored() -> None:
    pred = ent("云杉大学", "University")
    pred["provenance"] = [{"article": "a1", "start": 0, "end": 4, "text": "云杉大学"}]
    r = run([pred], [ent("云杉大学", "University")])
    assert r.entities["University"] == Counts(tp=1)


@pytest.mark.parametrize(
    ("pred", "gold"),
    [
        (ent("青禾科技", "Company"), ent("青禾科技有限公司", "Company", "青禾科技")),
        (ent("青禾科技有限公司", "Company", "青禾科技"), ent("青禾科技", "Company")),
        (ent("青禾集团", "Company", "青禾"), ent("青禾科技", "Company", "青禾")),
    ],
    ids=["pred-name=gold-alias", "pred-alias=gold-name", "alias=alias"],
)
def test_alias_match(pred: dict[str, Any], gold: dict[str, Any]) -> None:
    r = run([pred], [gold])
    assert r.entities["Company"] == Counts(tp=1)


def test_different_forms_do_not_match() -> None:
    r = run([ent("青禾科技", "Company")], [ent("青禾材料", "Company")])
    assert r.entities["Company"] == Counts(fp=1, fn=1)
    assert [f.text for f in r.false_positives] == ["青禾科技"]
    assert [f.text for f in r.misses] == ["青禾材料"]


@pytest.mark.parametrize(
    ("pred_name", "gold_name"),
    [
        ("Blue Fern Corp", "BlueFern Corp"),
        ("蓝川\u3000市", "蓝川市"),
        ("云杉\n大学", " 云杉大学 "),
    ],
)
def test_white_space_is_removed_before_comparing(
    pred_name: str, gold_name: str
) -> None:
    r = run([ent(pred_name, "Region")], [ent(gold_name, "Region")])
    assert r.entities["Region"] == Counts(tp=1)


def test_normalize_removes_every_kind_of_white_space() -> None:
    assert normalize(" a\tb\u3000c\nd ") == "abcd"


def test_type_mismatch_is_false_positive_and_miss() -> None:
    r = run([ent("云杉大学", "ResearchInstitute")], [ent("云杉大学", "University")])
    assert r.entities["ResearchInstitute"] == Counts(fp=1)
    assert r.entities["University"] == Counts(fn=1)
    assert "University" in r.false_positives[0].note
    assert "ResearchInstitute" in r.misses[0].note
    assert r.ignored == ()


def test_gold_entity_is_found_only_once() -> None:
    r = run(
        [ent("青禾科技有限公司", "Company"), ent("青禾科技", "Company")],
        [ent("青禾科技有限公司", "Company", "青禾科技")],
    )
    assert r.entities["Company"] == Counts(tp=1, fp=1)
    # The exact-name prediction wins; the short form is the extra one.
    assert [f.text for f in r.false_positives] == ["青禾科技"]
    assert "already matched" in r.false_positives[0].note


def test_prediction_matches_at_most_one_gold_entity() -> None:
    r = run(
        [ent("青禾", "Company", "青禾科技", "青禾材料")],
        [ent("青禾科技", "Company"), ent("青禾材料", "Company")],
    )
    assert r.entities["Company"] == Counts(tp=1, fn=1)


def test_matching_is_maximum_not_first_come() -> None:
    # The first prediction could take either gold entity; taking the first
    # would leave the second prediction without a partner.
    r = run(
        [
            ent("丙公司", "Company", "甲公司", "乙公司"),
            ent("丁公司", "Company", "甲公司"),
        ],
        [ent("甲公司", "Company"), ent("乙公司", "Company")],
    )
    assert r.entities["Company"] == Counts(tp=2)


# ---------------------------------------------------------- ignore rule


def test_name_only_inside_gold_names_is_ignored() -> None:
    gold = [ent("青禾科技北岭新材料产业园项目", "Project", "北岭新材料产业园")]
    r = run([ent("北岭", "Region")], gold)
    assert r.entities["Region"] == Counts()
    assert r.false_positives == ()
    assert [(f.label, f.text) for f in r.ignored] == [("Region", "北岭")]
    assert r.entities["Project"] == Counts(fn=1)


def test_name_also_standing_alone_is_false_positive() -> None:
    gold = [ent("青禾科技北岭新材料产业园项目", "Project", "北岭新材料产业园")]
    text = TEXT + "北岭是一座小镇。"
    r = run([ent("北岭", "Region")], gold, text=text)
    assert r.entities["Region"] == Counts(fp=1)
    assert r.ignored == ()


def test_name_absent_from_text_is_false_positive() -> None:
    r = run([ent("紫陌", "Region")], [ent("蓝川市", "Region")])
    assert r.entities["Region"] == Counts(fp=1, fn=1)
    assert r.ignored == ()


def test_wrong_type_of_a_gold_name_is_not_ignored() -> None:
    # 青禾科技 occurs only inside 青禾科技有限公司 / the project name, but it
    # is a gold form, so a wrong type stays a false positive.
    gold = [ent("青禾科技有限公司", "Company", "青禾科技")]
    r = run([ent("青禾科技", "Organization")], gold)
    assert r.entities["Organization"] == Counts(fp=1)
    assert r.ignored == ()


def test_relation_with_ignored_end_is_ignored() -> None:
    gold = [ent("青禾科技北岭新材料产业园项目", "Project", "北岭新材料产业园")]
    pred = [ent("青禾科技北岭新材料产业园项目", "Project"), ent("北岭", "Region")]
    rels = [rel("青禾科技北岭新材料产业园项目", "locatedIn", "北岭")]
    r = run(pred, gold, rels)
    assert r.relations_micro == Counts()
    assert [f.kind for f in r.ignored] == ["entity", "relation"]


def test_relation_with_ignored_string_end_is_ignored() -> None:
    # The object names no predicted entity; as a string it occurs only
    # inside a gold name.
    gold = [ent("青禾科技北岭新材料产业园项目", "Project", "北岭新材料产业园")]
    pred = [ent("青禾科技北岭新材料产业园项目", "Project")]
    r = run(pred, gold, [rel("青禾科技北岭新材料产业园项目", "locatedIn", "北岭")])
    assert r.relations_micro == Counts()
    assert len(r.ignored) == 1


def test_relation_with_unmatched_end_is_false_positive() -> None:
    gold = [ent("青禾科技有限公司", "Company"), ent("蓝川市", "Region")]
    pred = [ent("青禾科技有限公司", "Company"), ent("紫陌市", "Region")]
    r = run(pred, gold, [rel("青禾科技有限公司", "locatedIn", "紫陌市")])
    assert r.relations["locatedIn"] == Counts(fp=1)
    assert "object" in r.false_positives[-1].note


# ------------------------------------------------------------ relations

ORGS = [
    ent("青禾科技有限公司", "Company", "青禾科技"),
    ent("云杉大学", "University"),
    ent("蓝川市", "Region", "蓝川"),
]


def test_relation_matches_through_entity_aliases() -> None:
    pred = [
        ent("青禾科技", "Company"),
        ent("云杉大学", "University"),
        ent("蓝川", "Region"),
    ]
    gold_rels = [rel("青禾科技有限公司", "locatedIn", "蓝川市")]
    r = run(pred, ORGS, [rel("青禾科技", "locatedIn", "蓝川")], gold_rels)
    assert r.relations["locatedIn"] == Counts(tp=1)
    assert r.relations_micro.f1 == 1.0


def test_relation_end_that_is_no_predicted_entity_is_compared_as_string() -> None:
    gold_rels = [rel("青禾科技有限公司", "locatedIn", "蓝川市")]
    r = run([], ORGS, [rel("青禾科技", "locatedIn", "蓝川 市")], gold_rels)
    assert r.relations["locatedIn"] == Counts(tp=1)


def test_relation_end_resolves_through_the_entity_matching() -> None:
    # The predicted 蓝川 is a Company, so it matches no gold entity and the
    # relation pointing to it cannot match the gold one.
    pred = [ent("青禾科技", "Company"), ent("蓝川", "Company")]
    gold_rels = [rel("青禾科技有限公司", "locatedIn", "蓝川市")]
    r = run(pred, ORGS, [rel("青禾科技", "locatedIn", "蓝川")], gold_rels)
    assert r.relations["locatedIn"] == Counts(fp=1, fn=1)


def test_wrong_predicate_is_false_positive_and_miss() -> None:
    gold_rels = [rel("青禾科技有限公司", "locatedIn", "蓝川市")]
    r = run(ORGS, ORGS, [rel("青禾科技有限公司", "partOf", "蓝川市")], gold_rels)
    assert r.relations["partOf"] == Counts(fp=1)
    assert r.relations["locatedIn"] == Counts(fn=1)


def test_collaborates_with_matches_either_direction() -> None:
    gold_rels = [rel("青禾科技有限公司", "collaboratesWith", "云杉大学")]
    r = run(ORGS, ORGS, [rel("云杉大学", "collaboratesWith", "青禾科技")], gold_rels)
    assert r.relations["collaboratesWith"] == Counts(tp=1)


def test_other_predicates_are_directed() -> None:
    gold_rels = [rel("青禾科技有限公司", "locatedIn", "蓝川市")]
    r = run(ORGS, ORGS, [rel("蓝川市", "locatedIn", "青禾科技有限公司")], gold_rels)
    assert r.relations["locatedIn"] == Counts(fp=1, fn=1)


def test_author_of_compares_article_ids() -> None:
    people = [ent("韩若溪", "Person")]
    gold_rels = [rel("韩若溪", "authorOf", "a1")]
    right = run(people, people, [rel("韩若溪", "authorOf", "a1")], gold_rels)
    wrong = run(people, people, [rel("韩若溪", "authorOf", "a2")], gold_rels)
    assert right.relations["authorOf"] == Counts(tp=1)
    assert wrong.relations["authorOf"] == Counts(fp=1, fn=1)


def test_duplicate_predictions_count_once() -> None:
    gold_rels = [
        rel("青禾科技有限公司", "locatedIn", "蓝川市"),
        rel("青禾科技有限公司", "collaboratesWith", "云杉大学"),
    ]
    pred_rels = [
        rel("青禾科技有限公司", "locatedIn", "蓝川市", evidence="一", start=0, end=1),
        rel("青禾科技有限公司", "locatedIn", "蓝川市", evidence="二", start=5, end=6),
        rel("青禾科技", "locatedIn", "蓝川"),  # same entities, by alias
        rel("青禾科技有限公司", "collaboratesWith", "云杉大学"),
        rel("云杉大学", "collaboratesWith", "青禾科技有限公司"),
        rel("云杉大学", "locatedIn", "蓝川市"),  # wrong, given twice
        rel("云杉大学", "locatedIn", "蓝川市"),
    ]
    r = run(ORGS, ORGS, pred_rels, gold_rels)
    assert r.relations["locatedIn"] == Counts(tp=1, fp=1)
    assert r.relations["collaboratesWith"] == Counts(tp=1)


def test_micro_averages_sum_the_rows() -> None:
    pred = [*ORGS, ent("紫陌市", "Region")]
    gold_rels = [
        rel("青禾科技有限公司", "locatedIn", "蓝川市"),
        rel("云杉大学", "locatedIn", "蓝川市"),
    ]
    r = run(pred, ORGS, [rel("青禾科技有限公司", "locatedIn", "蓝川市")], gold_rels)
    assert r.entities_micro == Counts(tp=3, fp=1)
    assert r.relations_micro == Counts(tp=1, fn=1)
    assert r.micro == Counts(tp=4, fp=1, fn=1)
    assert r.micro.precision == pytest.approx(0.8)
    assert r.micro.recall == pytest.approx(0.8)


# ----------------------------------------------------------- attributes

INVEST = {"amount": 1200000000, "currency": "CNY", "text": "12亿元"}


def test_investment_amount_must_equal_gold() -> None:
    gold = [
        ent("北岭新材料产业园", "Project", investment=INVEST),
        ent("蓝川物流园", "Project", investment={**INVEST, "amount": 5}),
        ent("云杉科创园", "Project", investment=INVEST),
        ent("紫陌港", "Project"),  # no gold investment: not scored
    ]
    pred = [
        ent("北岭新材料产业园", "Project", investment={**INVEST, "text": "十二亿元"}),
        ent("蓝川物流园", "Project", investment={**INVEST, "amount": 6}),
        ent("紫陌港", "Project", investment=INVEST),
    ]
    a = run(pred, gold).attributes["Project.investment"]
    assert (a.right, a.total) == (1, 3)
    assert {w.text for w in a.wrong} == {"蓝川物流园", "云杉科创园"}
    assert any("not found" in w.note for w in a.wrong)


def test_title_right_when_any_title_is_a_gold_title() -> None:
    gold = [
        ent("韩若溪", "Person", title=["副总经理", "党委委员"]),
        ent("苏望舒", "Person", title=["教授"]),
        ent("林知远", "Person", title=["主任"]),
        ent("顾清和", "Person"),  # no gold title: not scored
    ]
    pred = [
        ent("韩若溪", "Person", title=["董事", "党委 委员"]),
        ent("苏望舒", "Person", title="教授"),
        ent("林知远", "Person", title=["副主任"]),
        ent("顾清和", "Person", title=["经理"]),
    ]
    a = run(pred, gold).attributes["Person.title"]
    assert (a.right, a.total) == (2, 3)
    assert [w.text for w in a.wrong] == ["林知远"]


# ------------------------------------------------------ report and combine


def test_combine_sums_counts_and_findings() -> None:
    one = run([ent("云杉大学", "University")], [ent("云杉大学", "University")])
    two = run(
        [ent("紫陌大学", "University")],
        [ent("云杉大学", "University"), ent("韩若溪", "Person", title=["教授"])],
    )
    both = combine([one, two])
    assert both.documents == ("invented.txt", "invented.txt")
    assert both.entities["University"] == Counts(tp=1, fp=1, fn=1)
    assert both.entities["Person"] == Counts(fn=1)
    assert len(both.misses) == 2 and len(both.false_positives) == 1
    assert both.attributes["Person.title"] == AttributeScore(
        0, 1, two.attributes["Person.title"].wrong
    )
    assert combine([]).micro == Counts()
    assert combine([both]) == both


def test_report_mappings_are_read_only() -> None:
    r = run([], [])
    with pytest.raises(TypeError):
        r.entities["Person"] = Counts(tp=9)  # type: ignore[index]


def test_as_table_rows_and_alignment() -> None:
    r = run([ent("云杉大学", "University"), ent("紫陌市", "Region")], ORGS)
    table = r.as_table()
    lines = table.splitlines()
    rows = [
        line for line in lines if line and line.split()[0] in {"University", "Region"}
    ]
    assert rows[0].split() == ["University", "1", "0", "0", "1.000", "1.000", "1.000"]
    assert rows[1].split() == ["Region", "0", "1", "1", "0.000", "0.000", "0.000"]
    grid = lines[: lines.index("")]
    assert len({len(line) for line in grid}) == 1, "table columns are not aligned"
    labels = [line.split()[0] for line in grid[2:] if not line.startswith("-")]
    assert labels[-1] == "all" and "fundedBy" in labels
    assert any(line.startswith("entities micro") for line in grid)
    assert any(line.startswith("relations micro") for line in grid)
    assert "Person.title: 0/0 right" in table
    assert "紫陌市" not in table
    verbose = r.as_table(verbose=True)
    assert "false positives (1):" in verbose and "紫陌市" in verbose
    assert "misses (2):" in verbose and "青禾科技有限公司" in verbose


def test_as_json_is_serialisable() -> None:
    r = run([ent("云杉大学", "University"), ent("紫陌市", "Region")], ORGS)
    data = json.loads(json.dumps(r.as_json(), ensure_ascii=False))
    assert data["entities"]["University"]["tp"] == 1
    assert data["micro"]["entities"]["precision"] == 0.5
    assert data["micro"]["all"]["recall"] == pytest.approx(1 / 3)
    assert data["false_positives"][0]["text"] == "紫陌市"
    assert set(data["attributes"]) == {"Project.investment", "Person.title"}


def test_malformed_prediction_raises_value_error() -> None:
    with pytest.raises(ValueError, match=r"entities\[0\]"):
        score(graph([{"type": "Company"}]), graph([]), TEXT)


# ------------------------------------------------------------ gold files


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "x.gold.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_load_gold_returns_the_graph(tmp_path: Path) -> None:
    data = graph(ORGS, [rel("云杉大学", "locatedIn", "蓝川市")])
    assert load_gold(write(tmp_path, data)) == data


BAD_GOLD = [
    ([], "not an object"),
    ({"source": "x", "articles": [], "entities": []}, "'relations'"),
    (graph([ent("青禾", "Firm")]), "type 'Firm'"),
    (graph([{"type": "Company"}]), "no name"),
    (graph([ent("青禾", "Company"), ent("青禾", "Region")]), "name also used"),
    (graph([ent("青禾", "Company", 7)]), "aliases"),  # type: ignore[arg-type]
    (graph([ent("园", "Project", investment={"text": "12亿元"})]), "amount"),
    (graph([ent("韩", "Person", title="教授")]), "title"),
    (
        graph([ent("青禾", "Company")], [rel("青禾", "owns", "青禾")]),
        "predicate 'owns'",
    ),
    (
        graph([ent("青禾", "Company")], [rel("青禾", "locatedIn", "蓝川")]),
        "object '蓝川'",
    ),
    (
        graph([ent("青禾", "Company")], [rel("韩", "affiliatedWith", "青禾")]),
        "subject '韩'",
    ),
    (graph([ent("韩", "Person")], [rel("韩", "authorOf", "a9")]), "no article id"),
    (
        graph(
            [ent("青禾", "Company"), ent("云杉", "University")],
            [
                rel("青禾", "collaboratesWith", "云杉"),
                rel("云杉", "collaboratesWith", "青禾"),
            ],
        ),
        "same relation",
    ),
]


@pytest.mark.parametrize(("data", "expected"), BAD_GOLD)
def test_bad_gold_file_raises_one_line_error(
    tmp_path: Path, data: Any, expected: str
) -> None:
    path = write(tmp_path, data)
    with pytest.raises(GoldFileError) as info:
        load_gold(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert "\n" not in message and "; " in message


def test_gold_file_with_bad_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "x.gold.json"
    path.write_text('{\n  "source": "x",\n  oops\n}', encoding="utf-8")
    with pytest.raises(GoldFileError, match=r"x\.gold\.json:3:\d+: invalid JSON"):
        load_gold(path)


def test_missing_or_binary_gold_file(tmp_path: Path) -> None:
    with pytest.raises(GoldFileError, match="cannot read"):
        load_gold(tmp_path / "absent.gold.json")
    path = tmp_path / "latin.gold.json"
    path.write_bytes(b'{"source": "\xe9"}')
    with pytest.raises(GoldFileError, match="UTF-8"):
        load_gold(path)


def test_score_checks_the_gold_graph() -> None:
    with pytest.raises(GoldFileError, match="type 'Firm'"):
        score(graph([]), graph([ent("青禾", "Firm")]), TEXT)


# -------------------------------------------- the shared gold files, self-scored


def shared_gold_files() -> list[Any]:
    if not (SHARED / "eval").is_dir():
        reason = (
            f"shared gold files not found at {SHARED / 'eval'} (../shared is missing)"
        )
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=reason))]
    pairs = [(SHARED / "eval" / "seed.gold.json", SEED_TEXT)]
    pairs += [
        (gold, gold.with_name(gold.name.replace(".gold.json", ".txt")))
        for gold in sorted((SHARED / "eval" / "dev").glob("*.gold.json"))
    ]
    return [pytest.param(g, t, id=g.name) for g, t in pairs]


@pytest.mark.parametrize(("gold_path", "text_path"), shared_gold_files())
def test_gold_scored_against_itself_is_perfect(
    gold_path: Path, text_path: Path
) -> None:
    gold = load_gold(gold_path)
    r = score(gold, gold, text_path.read_text(encoding="utf-8"))
    assert r.micro.f1 == 1.0
    assert r.entities_micro.f1 == 1.0
    for row in (*r.entities.values(), *r.relations.values()):
        assert row.fp == 0 and row.fn == 0
        assert row.empty or row.f1 == 1.0
    assert r.false_positives == () and r.misses == () and r.ignored == ()
    assert all(a.right == a.total for a in r.attributes.values())
    assert r.relations_micro.tp == len(gold["relations"])
    assert r.entities_micro.tp == len(gold["entities"])
