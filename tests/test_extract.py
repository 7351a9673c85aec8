"""Extraction of whole invented documents: entities, relations, attributes, provenance."""

from __future__ import annotations

import json

from dataclasses import replace

from kg.extract import byline_names, extract_document
from kg.namespace import KG
from kg.rdf import document_triples
from kg.records import Article

BODY = (
    "科技日报讯 9月2日，位于青州高新区的青州远航新材料有限公司迎来了客人。"
    "来自兰州大学的王立新教授与青州远航新材料有限公司副总经理周海平一同考察了远航年产5万吨石墨烯项目。"
    "该项目由青州远航新材料有限公司与青州市城投集团共同投资建设，总投资12亿元。"
)
TITLE = "石墨烯项目落地青州"


def article(body=BODY, byline="赵明"):
    text = TITLE + "\n" + body
    return Article("doc1", "a1", TITLE, text, byline=byline, body_start=len(TITLE) + 1)


def rels(graph):
    return {(r.subject, r.predicate, r.object) for r in graph.relations}


def test_invented_article_relations_and_attributes(nlp):
    g = extract_document("doc1.txt", [article()], nlp)
    ents = {e.name: e for e in g.entities}
    r = rels(g)
    assert ("王立新", "affiliatedWith", "兰州大学") in r
    assert ("周海平", "affiliatedWith", "青州远航新材料有限公司") in r
    assert ("赵明", "authorOf", "a1") in r
    assert ("青州远航新材料有限公司", "locatedIn", "青州高新区") in r
    project = next(e for e in g.entities if e.type == "Project")
    assert ("青州远航新材料有限公司", "participatesIn", project.name) in r
    assert project.investment is not None and project.investment.amount == 1_200_000_000
    assert "教授" in ents["王立新"].titles
    assert "副总经理" in ents["周海平"].titles


def test_every_relation_has_evidence_at_its_offsets(nlp):
    a = article()
    g = extract_document("doc1.txt", [a], nlp)
    assert g.relations
    for r in g.relations:
        where = a.byline if r.source == "byline" else a.text
        assert where[r.start : r.end] == r.evidence, r
        assert r.source and 0 < r.confidence <= 1


def test_json_form_of_the_guidelines(nlp):
    out = extract_document("doc1.txt", [article()], nlp).to_json()
    json.dumps(out, ensure_ascii=False)
    assert out["articles"][0] == {
        "id": "a1",
        "title": TITLE,
        "byline": "赵明",
        "starts_with": BODY[:20],
    }
    assert {"name", "type", "aliases", "articles", "attributes"} <= set(
        out["entities"][0]
    )
    assert {"subject", "predicate", "object", "article", "evidence"} <= set(
        out["relations"][0]
    )


def test_collaboratesWith_is_stored_once(nlp):
    body = "青州远航新材料有限公司与兰州大学签署战略合作协议。兰州大学与青州远航新材料有限公司将共同合作。"
    g = extract_document("d.txt", [article(body)], nlp)
    pairs = [
        frozenset((r.subject, r.object))
        for r in g.relations
        if r.predicate == "collaboratesWith"
    ]
    assert frozenset(("青州远航新材料有限公司", "兰州大学")) in pairs
    assert len(pairs) == len(set(pairs))


def test_byline_names():
    assert byline_names("记者 张三 通讯员 李四五") == ["张三", "李四五"]
    assert byline_names("") == []


def test_a_fact_gets_the_day_its_sentence_names(nlp):
    body = "3月12日，青州远航新材料有限公司与兰州大学签署战略合作协议。双方表示将长期合作。"
    art = Article(doc="d.txt", id="a1", title="签约", text=body, date="2024-03-20")
    g = extract_document("d.txt", [art], nlp)
    dated = [r for r in g.relations if r.predicate == "collaboratesWith"]
    assert dated and all(r.date == "2024-03-12" for r in dated)
    undated = extract_document("d.txt", [replace(art, date=None)], nlp)
    assert all(r.date is None for r in undated.relations)  # no year, no reference
    triples = [t for ts in document_triples(g).values() for t in ts]
    assert any(p == KG.date and str(o) == "2024-03-12" for _s, p, o in triples)


def _graph(nlp, body, title="新闻"):
    text = title + "\n" + body
    a = Article("doc1", "a1", title, text, byline="", body_start=len(title) + 1)
    return extract_document("doc1.txt", [a], nlp)


def test_partners_named_with_their_parent_bodies_all_collaborate(nlp):
    # nested names (中国工程院 in 中国工程院某研究院) do not break the list
    g = _graph(
        nlp,
        "星河蓝科技联合中国工程院青禾研究院、兰州大学材料研究所等单位共建了一个新的实验室。",
    )
    r = {frozenset((s, o)) for s, p, o in rels(g) if p == "collaboratesWith"}
    assert frozenset(("星河蓝科技", "兰州大学材料研究所")) in r
    assert frozenset(("中国工程院青禾研究院", "兰州大学材料研究所")) in r


def test_both_sides_sign_after_bracketed_short_names(nlp):
    g = _graph(
        nlp,
        "记者从星河蓝矿业股份有限公司(下称“星河蓝”)与青禾国际控股有限公司(下称青禾)获悉，"
        "双方已签署战略合作协议。",
    )
    r = {frozenset((s, o)) for s, p, o in rels(g) if p == "collaboratesWith"}
    assert frozenset(("星河蓝矿业股份有限公司", "青禾国际控股有限公司")) in r


def test_latin_company_names_and_a_seat_in_brackets(nlp):
    g = _graph(
        nlp,
        "兰州市与Orvanta(HongKong)Limited签约，双方将设立星河蓝科技(兰州)有限公司。"
        "加拿大矿业公司Qelto Minerals Corp表示支持。",
    )
    companies = {e.name for e in g.entities if e.type == "Company"}
    assert {
        "Orvanta(HongKong)Limited",
        "Qelto Minerals Corp",
        "星河蓝科技(兰州)有限公司",
    } <= companies
    assert "兰州" not in companies
    assert ("星河蓝科技(兰州)有限公司", "locatedIn", "兰州市") in rels(g)


def test_an_investor_is_not_placed_in_the_headline_region(nlp):
    g = _graph(
        nlp,
        "星河蓝科技有限公司投资建设的星河蓝年产5万吨石墨烯项目昨日开工。",
        title="青州开工一批项目",
    )
    r = rels(g)
    project = next(e.name for e in g.entities if e.type == "Project")
    assert (project, "locatedIn", "青州") in r
    assert ("星河蓝科技有限公司", "participatesIn", project) in r
    assert ("星河蓝科技有限公司", "locatedIn", "青州") not in r


def test_a_foreign_country_in_the_headline_places_only_projects(nlp):
    g = _graph(
        nlp,
        "星河蓝集团与青禾矿业有限公司签署协议，共同开发星河蓝钾盐项目。",
        title="两家企业合作开发秘鲁钾矿",
    )
    r = rels(g)
    assert ("青禾矿业有限公司", "locatedIn", "秘鲁") not in r
    assert ("星河蓝集团", "locatedIn", "秘鲁") not in r


def test_a_place_that_starts_a_company_name_in_the_headline_is_not_the_topic(nlp):
    g = _graph(
        nlp,
        "兰州星河蓝科技有限公司与青禾集团签约。青禾集团董事长赵明出席。",
        title="青禾携手兰州星河蓝建设新工厂",
    )
    assert ("青禾集团", "locatedIn", "兰州") not in rels(g)


def test_a_company_described_as_one_of_a_country(nlp):
    g = _graph(nlp, "据悉，澳大利亚最大矿业生产商Qelto Minerals Corp已表示同意。")
    assert ("Qelto Minerals Corp", "locatedIn", "澳大利亚") in rels(g)


def test_members_of_a_body_and_the_core_of_a_body(nlp):
    g = _graph(
        nlp,
        "赵明远等政协委员提出建议。要团结在以王建国同志为核心的党中央周围。",
    )
    r = rels(g)
    assert ("赵明远", "affiliatedWith", "政协") in r
    assert ("王建国", "affiliatedWith", "党中央") in r


def test_a_zone_after_its_district_and_a_site_in_this_city(nlp):
    g = _graph(nlp, "星河蓝（兰州）产业园位于本市七里河区红旗岭工业区，占地约500亩。")
    r = rels(g)
    regions = {e.name for e in g.entities if e.type == "Region"}
    assert "红旗岭工业区" in regions
    assert ("红旗岭工业区", "partOf", "七里河区") in r
    assert ("星河蓝（兰州）产业园", "locatedIn", "红旗岭工业区") in r


def test_partners_of_this_city_are_not_partners_of_each_other(nlp):
    g = _graph(
        nlp,
        "兰州市科技局负责人表示，该市强化与天水市、白银市的常态化对接机制。"
        "兰州新区管委会与兰州新区合作。",
        title="兰州扩大开放",
    )
    r = {frozenset((s, o)) for s, p, o in rels(g) if p == "collaboratesWith"}
    assert frozenset(("兰州", "天水市")) in r
    assert frozenset(("兰州", "白银市")) in r
    assert frozenset(("天水市", "白银市")) not in r
    assert frozenset(("兰州市科技局", "天水市")) not in r
    assert not [p for p in r if "兰州新区管委会" in p]


def test_a_macro_region_inside_one_province_is_part_of_it(nlp):
    g = _graph(nlp, "江门等珠江三角洲城市是广东省的制造业中心。")
    r = rels(g)
    assert ("珠江三角洲", "partOf", "广东省") in r
    assert ("江门", "partOf", "珠江三角洲") in r
    assert ("广东省", "partOf", "珠江三角洲") not in r


def test_a_wholly_owned_subsidiary_signs_for_its_parent(nlp):
    g = _graph(
        nlp,
        "昨日，青禾集团与星河蓝科技股份有限公司全资子公司Orvanta(HongKong)Limited正式签署合作协议。",
    )
    r = rels(g)
    assert ("Orvanta(HongKong)Limited", "partOf", "星河蓝科技股份有限公司") in r
    pairs = {frozenset((s, o)) for s, p, o in r if p == "collaboratesWith"}
    assert frozenset(("青禾集团", "Orvanta(HongKong)Limited")) in pairs
    assert frozenset(("青禾集团", "星河蓝科技股份有限公司")) not in pairs


def test_a_local_unit_named_after_its_parent_and_place(nlp):
    g = _graph(
        nlp,
        "青禾能源兰州西固热电公司副总经理王建国表示，项目进展顺利。",
        title="兰州推进能源项目",
    )
    r = rels(g)
    assert ("青禾能源兰州西固热电公司", "partOf", "青禾能源") in r
    assert ("青禾能源兰州西固热电公司", "locatedIn", "兰州") in r
    assert ("青禾能源", "locatedIn", "兰州") not in r


def test_with_and_no_named_subject_makes_no_partners(nlp):
    g = _graph(nlp, "这次与青禾集团、蓝鲸公司合作是强强联手。", title="兰州招商")
    assert not [p for s, p, o in rels(g) if p == "collaboratesWith"]


def test_a_visitor_from_a_place_and_a_branch_placed_through_its_parent(nlp):
    g = _graph(
        nlp,
        "来自兰州的游客王建国一家正在参观。据甘肃省青禾工业协会钛材行业分会介绍，甘肃省产能增长。",
    )
    r = rels(g)
    assert ("王建国", "locatedIn", "兰州") in r
    assert ("甘肃省青禾工业协会钛材行业分会", "partOf", "甘肃省青禾工业协会") in r
    assert ("甘肃省青禾工业协会", "locatedIn", "甘肃省") in r
    assert ("甘肃省青禾工业协会钛材行业分会", "locatedIn", "甘肃省") not in r


def test_the_owner_before_its_output_and_a_province_in_its_name(nlp):
    g = _graph(
        nlp,
        "甘肃青禾晶体年产50万片碳化硅晶片项目昨日在兰州新区开工，甘肃各界关注。",
        title="兰州新区项目开工",
    )
    r = rels(g)
    project = next(
        e.name for e in g.entities if e.type == "Project" and "年产" in e.name
    )
    assert not [s for s, p, o in r if p == "participatesIn" and s == "兰州新区"]
    assert ("甘肃青禾晶体", "participatesIn", project) in r
    assert ("甘肃青禾晶体", "locatedIn", "甘肃") in r
    assert (project, "locatedIn", "甘肃") not in r


def test_a_country_before_a_railway_owns_nothing(nlp):
    g = _graph(nlp, "近年来，中国高铁运营里程持续增长，中国铁路网络不断完善。")
    assert ("中国", "Company") not in {(e.name, e.type) for e in g.entities}
    assert not [s for s, p, o in rels(g) if p == "participatesIn" and s == "中国"]


def test_a_zone_body_the_model_splits_is_named_from_the_zone(nlp):
    g = _graph(
        nlp,
        "甘肃转型创新示范区今年引进项目20个。甘肃转型创新示范区新能源招商中心主任王建国介绍，项目进展顺利。",
    )
    r = rels(g)
    assert ("甘肃转型创新示范区新能源招商中心", "partOf", "甘肃转型创新示范区") in r
    assert ("王建国", "affiliatedWith", "甘肃转型创新示范区新能源招商中心") in r


def test_a_country_and_trade_before_a_latin_name_describe_it(nlp):
    g = _graph(nlp, "不久前，澳大利亚矿业公司Qelto Minerals Corp表示支持。")
    names = {e.name for e in g.entities if e.type == "Company"}
    assert "澳大利亚矿业公司" not in names
    assert ("Qelto Minerals Corp", "locatedIn", "澳大利亚") in rels(g)


def test_a_joint_venture_is_part_of_both_parents(nlp):
    g = _graph(
        nlp,
        "昨日，青禾集团与星河蓝科技股份有限公司签署关于设立合资公司[青禾星河蓝(兰州)有限公司]的合同。",
    )
    r = rels(g)
    assert ("青禾星河蓝(兰州)有限公司", "partOf", "青禾集团") in r
    assert ("青禾星河蓝(兰州)有限公司", "partOf", "星河蓝科技股份有限公司") in r


def test_a_post_of_a_bare_kind_of_body_refers_to_the_last_one_named(nlp):
    g = _graph(
        nlp,
        "青禾新材料有限公司在兰州投资建厂。“从签约到开工只用了三个月。”企业负责人王建国说。"
        "公司副总经理李华表示，项目进展顺利。",
    )
    r = rels(g)
    assert ("王建国", "affiliatedWith", "青禾新材料有限公司") in r
    assert ("李华", "affiliatedWith", "青禾新材料有限公司") in r


def test_the_head_of_a_project_works_for_the_owner_in_its_name(nlp):
    g = _graph(
        nlp,
        "星河蓝集团·兰州智慧物流中心项目负责人王建国回忆，项目从签约到开工只用了三个月。",
    )
    project = next(e.name for e in g.entities if e.type == "Project")
    r = rels(g)
    assert ("星河蓝集团", "participatesIn", project) in r
    assert ("王建国", "affiliatedWith", "星河蓝集团") in r


def test_a_sub_region_of_a_province_holds_its_cities_not_their_counties(nlp):
    g = _graph(
        nlp,
        "地处苏北的盐城市积极融入长三角。江苏省支持盐城市建湖县发展海上风电。",
    )
    r = rels(g)
    assert "苏北" in {e.name for e in g.entities if e.type == "Region"}
    assert ("苏北", "partOf", "江苏省") in r
    assert ("盐城市", "partOf", "苏北") in r
    assert not [t for t in r if t[0] == "建湖县" and t[2] == "苏北"]


def test_a_short_sub_region_inside_a_word_is_no_place(nlp):
    g = _graph(nlp, "各级机关中的党员干部要带头学习。")
    assert "关中" not in {e.name for e in g.entities}


def test_an_area_named_after_a_grouping_is_not_a_zone_of_it(nlp):
    g = _graph(nlp, "京津冀地区的企业加快向京津以外转移，北京市与天津市加强合作。")
    r = rels(g)
    assert not [t for t in r if t[0] == "京津冀地区" and t[1] == "partOf"]
    assert not [t for t in r if t[2] == "京津" and t[1] == "partOf"]


def test_districts_created_after_the_division_table_are_places(nlp):
    g = _graph(nlp, "济南市章丘区新建一座公园，济阳区也在推进。")
    r = rels(g)
    assert ("章丘区", "partOf", "济南市") in r
    assert ("济阳区", "partOf", "济南市") in r


def test_a_district_short_form_inside_a_landmark_word_is_no_place(nlp):
    g = _graph(nlp, "西安市的游客来到鄠邑草堂寺参观。")
    assert "鄠邑" not in {e.name for e in g.entities}


def test_two_countries_side_by_side_are_not_a_place_and_its_zone(nlp):
    body = "中国意大利文化年在罗马开幕，芬兰中国商会派员出席。兰州市七里河区红旗岭工业区引进新项目。"
    g = extract_document("d.txt", [article(body)], nlp)
    r = rels(g)
    countries = {"中国", "意大利", "芬兰"}
    assert not {(a, b) for a, p, b in r if p == "partOf" and {a, b} <= countries}
    assert (
        "红旗岭工业区",
        "partOf",
        "七里河区",
    ) in r  # a zone after its place still is


def test_an_academy_and_its_institute_are_found_by_rule_not_by_list(nlp):
    # neither name is listed: the suffixes find both, the unit rule links them
    g = _graph(nlp, "星河蓝科技联合中国青禾科学院星河光电研究所共建实验室。")
    types = {e.name: e.type for e in g.entities}
    assert types.get("中国青禾科学院") == "ResearchInstitute"
    assert types.get("中国青禾科学院星河光电研究所") == "ResearchInstitute"
    assert ("中国青禾科学院星河光电研究所", "partOf", "中国青禾科学院") in rels(g)
