"""Tests for kg.lexicons and the general lists in kg/data."""

from __future__ import annotations

import pytest

from kg import lexicons
from kg.records import ENTITY_TYPES


@pytest.fixture(scope="module")
def gazetteer() -> dict[str, lexicons.RegionInfo]:
    pytest.importorskip("cpca", reason="the region gazetteer is built from cpca's data")
    return lexicons.region_gazetteer()


def test_universities_are_many_and_canonical() -> None:
    universities = lexicons.load_universities()
    canonical = set(universities.values())
    assert len(canonical) >= 400
    assert universities["清华大学"] == "清华大学"
    assert universities["清华"] == "清华大学"
    assert universities["哈工大"] == "哈尔滨工业大学"
    # every canonical name maps to itself, whatever short forms say
    assert all(universities[name] == name for name in canonical)


def test_universities_have_both_parenthesis_forms() -> None:
    universities = lexicons.load_universities()
    assert universities["中国矿业大学(北京)"] == universities["中国矿业大学（北京）"]


def test_universities_hold_no_research_institutes() -> None:
    names = set(lexicons.load_universities())
    assert not any(n.endswith(("研究所", "研究院", "实验室")) for n in names)
    assert names.isdisjoint(lexicons.load_academies())


def test_universities_keep_ambiguous_short_forms_out() -> None:
    universities = lexicons.load_universities()
    for word in ("人大", "重大", "南航", "西电"):
        assert word not in universities


def test_academies() -> None:
    academies = lexicons.load_academies()
    for name in (
        "中国工程院",
        "中国社会科学院",
        "中国农业科学院",
        "中国林业科学研究院",
    ):
        assert name in academies
    assert sum(a.endswith(("农业科学院", "农林科学院")) for a in academies) >= 25


def test_government_bodies() -> None:
    bodies = lexicons.load_government()
    assert {"国务院", "国家发展和改革委员会", "国家发展改革委", "工信部"} <= bodies


def test_suffixes_longest_first_and_typed() -> None:
    suffixes = lexicons.load_suffixes()
    assert len(suffixes) >= 80
    lengths = [len(s) for s, _ in suffixes]
    assert lengths == sorted(lengths, reverse=True)
    assert {t for _, t in suffixes} <= set(ENTITY_TYPES)
    table = dict(suffixes)
    assert table["有限公司"] == "Company"
    assert table["职业技术学院"] == "University"
    assert table["重点实验室"] == "ResearchInstitute"
    assert table["管委会"] == "GovernmentAgency"
    assert table["协会"] == "Organization"
    assert table["产业园"] == "Project"
    assert table["高新区"] == "Region"


def _type_of(name: str) -> str | None:
    return next((t for s, t in lexicons.load_suffixes() if name.endswith(s)), None)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("某某职业技术学院", "University"),
        ("某某科技股份有限公司", "Company"),
        ("某某大学化学研究所", "ResearchInstitute"),
        ("某某省煤基材料重点实验室", "ResearchInstitute"),
        ("某某高新区管委会", "GovernmentAgency"),
        ("某某产业园区", "Project"),
        ("某某经济技术开发区", "Region"),
        ("某某足球俱乐部", "Organization"),
    ],
)
def test_longest_suffix_decides(name: str, expected: str) -> None:
    assert _type_of(name) == expected


def test_loaders_are_cached(gazetteer: dict[str, lexicons.RegionInfo]) -> None:
    assert lexicons.load_universities() is lexicons.load_universities()
    assert lexicons.region_gazetteer() is gazetteer


def test_region_province_and_city(gazetteer: dict[str, lexicons.RegionInfo]) -> None:
    shanxi = gazetteer["山西"]
    assert shanxi.level == "province"
    assert shanxi.adcode == "140000"
    assert shanxi.name == "山西省"
    assert shanxi.parent_adcode is None
    assert gazetteer["山西省"] is shanxi
    datong = gazetteer["大同"]
    assert datong.level == "city"
    assert datong.name == "大同市"
    assert datong.parent_adcode == shanxi.adcode
    assert gazetteer["太原市"].short == "太原"
    assert datong.lat is not None and 39 < datong.lat < 41


@pytest.mark.parametrize(
    ("form", "name"),
    [
        ("内蒙古", "内蒙古自治区"),
        ("广西", "广西壮族自治区"),
        ("宁夏", "宁夏回族自治区"),
        ("新疆", "新疆维吾尔自治区"),
        ("西藏", "西藏自治区"),
        ("香港", "香港特别行政区"),
        ("延边", "延边朝鲜族自治州"),
        ("恩施", "恩施土家族苗族自治州"),
        ("吉林", "吉林省"),
        ("北京", "北京市"),
        ("海淀", "海淀区"),
        ("碑林", "碑林区"),
        ("神农架", "神农架林区"),
    ],
)
def test_region_short_forms(
    gazetteer: dict[str, lexicons.RegionInfo], form: str, name: str
) -> None:
    assert gazetteer[form].name == name


def test_region_generic_and_one_char_forms_excluded(
    gazetteer: dict[str, lexicons.RegionInfo],
) -> None:
    for form in ("城", "郊", "矿", "市中", "城关"):
        assert form not in gazetteer
    assert all(len(form) >= 2 for form in gazetteer)
    assert gazetteer["城区"].short is None
    assert "市辖区" not in gazetteer


def test_region_parents_under_municipality_and_direct_counties(
    gazetteer: dict[str, lexicons.RegionInfo],
) -> None:
    assert gazetteer["海淀区"].parent_adcode == gazetteer["北京"].adcode
    assert gazetteer["仙桃"].parent_adcode == gazetteer["湖北"].adcode
    codes = {info.adcode for info in gazetteer.values()}
    assert all(i.parent_adcode in codes for i in gazetteer.values() if i.parent_adcode)


def test_region_index_lists_every_reading(
    gazetteer: dict[str, lexicons.RegionInfo],
) -> None:
    readings = lexicons.region_index()["鼓楼区"]
    assert len(readings) >= 3
    assert len({r.adcode for r in readings}) == len(readings)
    assert gazetteer["鼓楼区"] is readings[0]
