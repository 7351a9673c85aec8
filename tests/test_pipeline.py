"""The spaCy pipeline: sentences, LAC NER, gazetteer, typing, projects."""

from __future__ import annotations

import pytest
import spacy

from kg.errors import PipelineError
from kg.pipeline import PIPE_NAMES, make_nlp
from kg.pipeline.entity_types import _country_prefixed, type_by_suffix
from kg.pipeline.extensions import Candidate
from kg.pipeline.sentences import sentence_spans

TEXT = (
    "9月2日，位于青州高新区的青州远航新材料有限公司迎来了客人。"
    "来自兰州大学的王立新教授与公司副总经理周海平一同考察了远航年产5万吨石墨烯项目。"
    "该项目总投资12亿元，由青州远航新材料有限公司与青州市城投集团共同投资建设。"
)

SUFFIX_CASES = [
    ("某某大学化学研究所", "ResearchInstitute"),
    ("某某科技有限公司", "Company"),
    ("某市科学技术局", "GovernmentAgency"),
    ("某省科学技术协会", "Organization"),
    ("某某师范大学", "University"),
]


def _mentions(nlp, text):
    doc = nlp(text)
    return {(m.text, m.label) for m in doc._.kg_mentions}, doc


def test_pipeline_has_the_kg_components_in_order(nlp):
    assert tuple(nlp.pipe_names) == PIPE_NAMES
    assert nlp.lang == "zh"


def test_pipeline_refuses_unknown_segmenter_and_component():
    with pytest.raises(PipelineError, match="unknown segmenter"):
        make_nlp(segmenter="nope")
    with pytest.raises(PipelineError, match="unknown components"):
        make_nlp(disable=("kg_nothing",))


def test_factories_are_registered_with_spacy():
    for name in ("kg_lac_ner", "kg_gazetteer", "kg_entity_types", "kg_sentences"):
        assert name in spacy.registry.factories or name in spacy.Language.factories


def test_sentence_spans_split_on_end_punctuation_and_lines():
    text = "甲说：“好。”乙走了！\n标题\n\n正文；下一句"
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "甲说：“好。”",
        "乙走了！",
        "标题",
        "正文；",
        "下一句",
    ]


@pytest.mark.parametrize(("name", "label"), SUFFIX_CASES)
def test_type_by_suffix(name, label):
    assert type_by_suffix(name) == label


def test_entities_of_an_invented_article(nlp):
    found, doc = _mentions(nlp, TEXT)
    assert ("青州远航新材料有限公司", "Company") in found
    assert ("兰州大学", "University") in found
    assert ("王立新", "Person") in found
    assert ("周海平", "Person") in found
    assert ("青州高新区", "Region") in found
    assert any(
        label == "Project" and name.endswith("石墨烯项目") for name, label in found
    )
    # offsets are exact and doc.ents mirrors the mentions for displaCy
    for m in doc._.kg_mentions:
        assert TEXT[m.start : m.end] == m.text
        assert m.source and 0 < m.confidence <= 1
    assert {e.label_ for e in doc.ents} >= {"Company", "Person", "University"}


def test_generic_project_phrases_are_not_projects(nlp):
    found, _ = _mentions(nlp, "该项目进展顺利，一期项目已经投产，招商引资项目85个。")
    assert not [n for n, label in found if label == "Project"]


def test_a_generic_phrase_quoted_with_its_suffix_is_no_project(nlp):
    found, _ = _mentions(nlp, "从“引资项目”到“培育产业”，青州的营商环境持续升级。")
    assert not [n for n, label in found if label == "Project"]
    found, _ = _mentions(nlp, "青州市启动了“星火燎原”项目，计划三年完成。")
    assert any(label == "Project" and "星火燎原" in n for n, label in found)


def test_disabling_the_gazetteer_loses_gazetteer_regions(nlp):
    bare = make_nlp(disable=("kg_gazetteer",))
    text = "黑龙江省和内蒙古自治区的代表出席。"
    with_gaz = {m.source for m in nlp(text)._.kg_mentions}
    without = {m.source for m in bare(text)._.kg_mentions}
    assert "gazetteer" in with_gaz
    assert "gazetteer" not in without


def test_common_noun_phrases_the_model_calls_organisations_are_dropped(nlp):
    found, _ = _mentions(
        nlp,
        "当地要提升品牌知名度，提高核心竞争力，大力发展新能源汽车。星河蓝科技与青禾光电签约。",
    )
    companies = {n for n, label in found if label == "Company"}
    assert not companies & {"品牌知名度", "核心竞争力", "新能源汽车"}
    assert {"星河蓝科技", "青禾光电"} <= companies


def test_items_of_a_list_closed_by_a_kind_word(nlp):
    found, _ = _mentions(
        nlp,
        "园区吸引了腾云、蓝鲸、王伟明等数字巨头入驻，还引进天水云帆等数据企业。"
        "今年以来，蓝鲸8条产线、云帆智造城等项目陆续投产。交通、水利等项目也在推进。",
    )
    companies = {n for n, label in found if label == "Company"}
    projects = {n for n, label in found if label == "Project"}
    assert {"蓝鲸", "王伟明", "天水云帆"} <= companies
    assert ("王伟明", "Person") not in found
    assert {"蓝鲸8条产线", "云帆智造城"} <= projects
    assert not {"交通", "水利"} & (companies | projects)


def test_descriptions_and_facilities_are_not_entities(nlp):
    found, _ = _mentions(
        nlp,
        "该市被列为甘肃省新材料产业基地。这里将建成西北最大发动机工厂。"
        "代表们参观了兰州大学校史馆。",
    )
    names = {n for n, _label in found}
    assert not [n for n in names if n.endswith(("产业基地", "发动机工厂"))]
    assert "兰州大学校史馆" not in names
    assert ("甘肃省", "Region") in found


def test_a_neighbour_of_a_body_in_a_list_with_a_body_suffix_is_a_body(nlp):
    found, _ = _mentions(
        nlp, "市建委、市市政绿化委、市农业局参加。要落实党中央、国务院决策部署。"
    )
    assert ("市市政绿化委", "GovernmentAgency") in found
    assert ("国务院", "GovernmentAgency") in found
    assert not [n for n, _label in found if n.endswith("部署")]


def test_effort_words_the_model_calls_organisations_are_dropped(nlp):
    found, _ = _mentions(nlp, "聚智汇力谋发展")
    assert not [n for n, label in found if label == "Company"]


def test_a_branch_of_an_association_and_a_foreign_company_with_its_country(nlp):
    found, _ = _mentions(
        nlp, "据记者从中国青禾工业协会钛材(粉)行业分会了解到，产能增长。"
    )
    assert ("中国青禾工业协会钛材(粉)行业分会", "Organization") in found
    # the model sometimes tags 某国 | 某某公司 as two organisations
    text = "据德国蓝鲸勘探咨询公司出具的报告"
    cands = [
        Candidate(1, 3, "ORG", "lac", 0.8),
        Candidate(3, 11, "Company", "lac", 0.8),
    ]
    spans = {text[c.start : c.end] for c in _country_prefixed(text, cands)}
    assert "德国蓝鲸勘探咨询公司" in spans and "蓝鲸勘探咨询公司" not in spans


def test_a_level_and_a_kind_of_body_is_a_designation_and_a_generic_district_is_weak(
    nlp,
):
    found, _ = _mentions(nlp, "该公司获批建设国家工程研究中心。工人们在矿区开展勘探。")
    names = {n for n, _label in found}
    assert "国家工程研究中心" not in names
    assert "矿区" not in names


def test_a_foreign_capital_is_a_region(nlp):
    found, _ = _mentions(nlp, "新开通的航班直飞堪培拉，当地游客大增。")
    assert ("堪培拉", "Region") in found


def test_a_set_phrase_that_starts_with_a_country_is_not_a_place(nlp):
    found, _ = _mentions(
        nlp, "会议强调，要坚持和发展中国特色社会主义，推进中国式现代化。"
    )
    assert ("中国", "Region") not in found


def test_a_second_plant_named_after_its_district(nlp):
    found, _ = _mentions(nlp, "兰州市西固区的企业在西固第二工厂的基础上扩建新厂。")
    assert ("西固第二工厂", "Project") in found
    assert not [n for n, label in found if label == "Company" and "第二" in n]


RAILWAY_CASES = [
    ("汽笛长鸣，呼包银铁路挺起钢铁脊梁。", "呼包银铁路"),
    ("今年年底，郑渝高铁将全线贯通。", "郑渝高铁"),
]


@pytest.mark.parametrize(("text", "name"), RAILWAY_CASES)
def test_a_railway_named_by_the_places_it_joins(nlp, text, name):
    found, _ = _mentions(nlp, text)
    assert (name, "Project") in found
    assert not [n for n, label in found if label == "Company" and name.startswith(n)]


@pytest.mark.parametrize(
    "text",
    [
        "，高速铁路",
        "，普速铁路",
        "，为郑渝高铁",
        "，全国铁路",
        "，中国铁路",
        "，这条铁路",
    ],
)
def test_a_kind_of_railway_or_a_phrase_is_no_railway_name(text):
    from kg.pipeline.entity_types import _railway_name

    assert _railway_name(text, len(text) - 2, len(text)) is None


def test_a_common_word_framed_by_zai_zhong_is_no_company(nlp):
    found, _ = _mentions(nlp, "天水以奋进之姿，在黄河流域协同发展浪潮中谱写新篇章。")
    assert ("浪潮", "Company") not in found
