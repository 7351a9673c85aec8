"""Tests for ontology/kg.ttl, ontology/shapes.ttl and kg.namespace, which must agree."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection

from kg.namespace import KG, KG_URI, ONTOLOGY_IRI, ontology_path
from kg.records import ENTITY_TYPES, ORG_TYPES, PREDICATES

SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SH = Namespace("http://www.w3.org/ns/shacl#")

OBJECT_PROPERTIES = (*PREDICATES, "mentionedIn", "mentionOf", "article")
DATATYPE_PROPERTIES = (
    "name", "alias", "title", "investmentAmount", "currency", "investmentText", "role",
    "evidence", "start", "end", "confidence", "text", "byline", "articleId", "document",
    "sourceFile", "datePublished", "publication", "contentHash",
)  # fmt: skip
ALIGNMENT = [
    ("Person", OWL.equivalentClass, SCHEMA.Person),
    ("Person", RDFS.subClassOf, FOAF.Person),
    ("Person", RDFS.subClassOf, PROV.Agent),
    ("Company", RDFS.subClassOf, SCHEMA.Corporation),
    ("Company", RDFS.subClassOf, ORG.FormalOrganization),
    ("University", RDFS.subClassOf, SCHEMA.CollegeOrUniversity),
    ("ResearchInstitute", RDFS.subClassOf, SCHEMA.ResearchOrganization),
    ("GovernmentAgency", RDFS.subClassOf, SCHEMA.GovernmentOrganization),
    ("Organization", RDFS.subClassOf, ORG.Organization),
    ("Organization", RDFS.subClassOf, SCHEMA.Organization),
    ("Region", RDFS.subClassOf, SCHEMA.Place),
    ("Region", RDFS.subClassOf, SCHEMA.AdministrativeArea),
    ("Project", RDFS.subClassOf, SCHEMA.Project),
    ("Article", RDFS.subClassOf, SCHEMA.NewsArticle),
    ("Article", RDFS.subClassOf, PROV.Entity),
    ("Assertion", RDFS.subClassOf, PROV.Entity),
    ("affiliatedWith", RDFS.subPropertyOf, SCHEMA.affiliation),
    ("locatedIn", RDFS.subPropertyOf, SCHEMA.location),
    ("authorOf", OWL.inverseOf, SCHEMA.author),
    ("fundedBy", RDFS.subPropertyOf, SCHEMA.funder),
]


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ontology_path("kg.ttl"))


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(ontology_path("shapes.ttl"))


def defined_terms(graph: Graph) -> set[URIRef]:
    return {
        s for s in graph.subjects() if isinstance(s, URIRef) and s.startswith(KG_URI)
    }


def test_namespace_lists_exactly_the_terms_of_the_ontology(ontology: Graph) -> None:
    namespace_terms = set(dir(KG))
    assert namespace_terms == defined_terms(ontology)


def test_namespace_is_closed() -> None:
    with pytest.raises(AttributeError):
        _ = KG.affiliatedTo


def test_ontology_header(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    labels = {lit.language for lit in ontology.objects(ONTOLOGY_IRI, RDFS.label)}
    assert labels == {"en", "zh"}
    assert ontology.value(ONTOLOGY_IRI, RDFS.comment) is not None
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")


def test_every_term_has_english_and_chinese_labels_and_a_comment(
    ontology: Graph,
) -> None:
    for term in defined_terms(ontology):
        languages = {lit.language for lit in ontology.objects(term, RDFS.label)}
        assert {"en", "zh"} <= languages, term
        assert ontology.value(term, RDFS.comment) is not None, term


def test_classes(ontology: Graph) -> None:
    for name in (*ENTITY_TYPES, "Entity", "Article", "Assertion", "Mention"):
        assert (KG[name], RDF.type, OWL.Class) in ontology, name
    for name in ENTITY_TYPES:
        assert (KG[name], RDFS.subClassOf, KG.Entity) in ontology, name
    for name in ("Article", "Assertion", "Mention"):
        assert (KG[name], RDFS.subClassOf, KG.Entity) not in ontology


def test_entity_types_are_disjoint(ontology: Graph) -> None:
    [node] = list(ontology.subjects(RDF.type, OWL.AllDisjointClasses))
    members = set(Collection(ontology, ontology.value(node, OWL.members)))
    assert members == {KG[t] for t in ENTITY_TYPES}


def test_properties(ontology: Graph) -> None:
    for name in OBJECT_PROPERTIES:
        assert (KG[name], RDF.type, OWL.ObjectProperty) in ontology, name
    for name in DATATYPE_PROPERTIES:
        assert (KG[name], RDF.type, OWL.DatatypeProperty) in ontology, name
    assert (KG.collaboratesWith, RDF.type, OWL.SymmetricProperty) in ontology


def _classes(ontology: Graph, node: URIRef) -> set[URIRef]:
    union = ontology.value(node, OWL.unionOf)
    return set(Collection(ontology, union)) if union is not None else {node}


def test_domains_and_ranges_follow_the_guidelines(ontology: Graph) -> None:
    orgs = {KG[t] for t in ORG_TYPES}

    def domain(p: str) -> set[URIRef]:
        return _classes(ontology, ontology.value(KG[p], RDFS.domain))

    def range_(p: str) -> set[URIRef]:
        return _classes(ontology, ontology.value(KG[p], RDFS.range))

    assert domain("affiliatedWith") == {KG.Person}
    assert range_("affiliatedWith") == orgs | {KG.Region}
    assert range_("locatedIn") == {KG.Region}
    assert domain("participatesIn") == orgs and range_("participatesIn") == {KG.Project}
    assert (
        domain("collaboratesWith") == range_("collaboratesWith") == orgs | {KG.Region}
    )
    assert domain("authorOf") == {KG.Person} and range_("authorOf") == {KG.Article}
    assert domain("fundedBy") == {KG.Project} and range_("fundedBy") == orgs
    assert range_("investmentAmount") == {
        URIRef("http://www.w3.org/2001/XMLSchema#decimal")
    }


@pytest.mark.parametrize(("term", "relation", "target"), ALIGNMENT)
def test_alignment_with_schema_org_org_prov_foaf(
    ontology: Graph, term: str, relation: URIRef, target: URIRef
) -> None:
    assert (KG[term], relation, target) in ontology


def test_shapes_use_only_defined_terms(ontology: Graph, shapes: Graph) -> None:
    defined = defined_terms(ontology)
    used = {
        t
        for triple in shapes
        for t in triple
        if isinstance(t, URIRef) and t.startswith(KG_URI)
    }
    assert used, "the shapes name no kg: term"
    assert used <= defined, used - defined


def test_shapes_cover_every_entity_relation(shapes: Graph) -> None:
    targets = set(shapes.objects(None, SH.targetSubjectsOf))
    assert targets >= {KG[p] for p in PREDICATES}
    assert KG.Entity in set(shapes.objects(None, SH.targetClass))
    assert KG.Assertion in set(shapes.objects(None, SH.targetClass))


def test_ontology_path_finds_the_files_and_names_a_missing_one() -> None:
    assert ontology_path("kg.ttl").is_file()
    assert ontology_path("shapes.ttl").is_file()
    with pytest.raises(FileNotFoundError, match=r"no-such\.ttl"):
        ontology_path("no-such.ttl")


def test_package_copies_if_any_equal_the_repository_files() -> None:
    package_dir = Path(__import__("kg").__file__).parent / "ontology"
    repository_dir = Path(__import__("kg").__file__).parents[1] / "ontology"
    if not package_dir.is_dir():
        pytest.skip("no kg/ontology/ copies; the files live only in ontology/")
    for copy in package_dir.glob("*.ttl"):
        assert copy.read_bytes() == (repository_dir / copy.name).read_bytes(), copy.name
