"""Entity resolution rules: same name, declared aliases, region codes, short forms."""

from __future__ import annotations

from kg.records import Mention
from kg.resolution import declared_aliases, normalise, resolve_entities


def m(text, label, start=0, article="a1", source="t"):
    return Mention(article, start, start + len(text), text, label, source)


def by_name(entities):
    return {e.name: e for e in entities}


def test_same_name_in_two_articles_is_one_entity():
    ents = by_name(
        resolve_entities([m("张小林", "Person", 0), m("张小林", "Person", 5, "a2")])
    )
    assert list(ents) == ["张小林"]
    assert ents["张小林"].articles == ("a1", "a2")
    assert "same-name" in ents["张小林"].merged_by


def test_city_with_and_without_shi_merge_by_region_code():
    ents = resolve_entities([m("兰州", "Region", 0), m("兰州市", "Region", 9)])
    assert len(ents) == 1
    assert ents[0].name == "兰州市" and ents[0].aliases == ("兰州",)
    assert "region-code" in ents[0].merged_by


def test_company_short_form_merges_into_full_name():
    ents = by_name(
        resolve_entities(
            [m("远航新材料科技股份公司", "Company", 0), m("远航科技", "Company", 30)]
        )
    )
    assert list(ents) == ["远航新材料科技股份公司"]
    assert ents["远航新材料科技股份公司"].aliases == ("远航科技",)


def test_different_companies_do_not_merge():
    assert (
        len(
            resolve_entities(
                [m("远航集团", "Company", 0), m("远洋科技", "Company", 10)]
            )
        )
        == 2
    )


def test_zone_short_form():
    ents = resolve_entities(
        [m("江北转型创新示范区", "Region", 0), m("创新区", "Region", 20)]
    )
    assert len(ents) == 1 and ents[0].aliases == ("创新区",)


def test_type_keeps_entities_apart():
    assert len(resolve_entities([m("青山", "Person", 0), m("青山", "Company", 5)])) == 2


def test_declared_alias():
    text = "青州远航新材料有限公司（以下简称“远航”）成立于2010年"
    first = m("青州远航新材料有限公司", "Company", 0)
    assert declared_aliases(text, [first]) == {"远航": "青州远航新材料有限公司"}


def test_quotes_give_a_bare_alias():
    ents = resolve_entities([m("江北“光明”项目", "Project", 0)])
    assert "江北光明项目" in ents[0].aliases
    assert normalise("江北 “光明”项目") == "江北光明项目"


def test_a_body_without_its_place_is_the_same_body():
    ents = by_name(
        resolve_entities(
            [m("兰州市星河蓝集团", "Company", 0), m("星河蓝集团", "Company", 20)]
        )
    )
    assert list(ents) == ["兰州市星河蓝集团"]
    assert ents["兰州市星河蓝集团"].aliases == ("星河蓝集团",)


def test_a_park_and_the_park_project_are_one_project():
    ents = resolve_entities(
        [
            m("星河蓝（兰州）产业园", "Project", 0),
            m("星河蓝（兰州）产业园项目", "Project", 30),
        ]
    )
    assert len(ents) == 1


def test_a_bare_zone_name_typed_as_a_company_is_the_zone():
    ents = resolve_entities(
        [
            m("甘南青禾新区", "Region", 0),
            m("青禾", "Company", 20),
            m("兰州", "Region", 30),
            m("兰州经开区", "Region", 40),
        ]
    )
    by = {e.name: e for e in ents}
    assert by["甘南青禾新区"].aliases == ("青禾",)
    assert "兰州" in by and by["兰州"].type == "Region"


def test_a_bare_brand_goes_to_the_company_it_names_without_legal_form():
    ents = by_name(
        resolve_entities(
            [
                m("QBT集团", "Company", 0),
                m("QBT星河科技(兰州)有限公司", "Company", 10),
                m("QBT", "Company", 40),
            ]
        )
    )
    assert ents["QBT集团"].aliases == ("QBT",)
