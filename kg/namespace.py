"""The ``kg:`` vocabulary, the base of resource IRIs and where the ontology files are.

``KG`` lists exactly the terms that ``ontology/kg.ttl`` defines (a test keeps the two
in step) and, being closed (``_fail = True``), turns a misspelt term into an error
instead of a silent new IRI:

>>> KG.Company
rdflib.term.URIRef('https://w3id.org/kg-news/ontology#Company')
>>> KG.Compnay
Traceback (most recent call last):
...
AttributeError: term 'Compnay' not in namespace 'https://w3id.org/kg-news/ontology#'
"""

# ruff: noqa: N815 - the terms keep the ontology's camelCase
# No ``from __future__ import annotations``: DefinedNamespace reads the annotations
# below as classes (``as_jsonld_context`` calls ``issubclass`` on them).

from pathlib import Path

from rdflib.namespace import PROV, DefinedNamespace, Namespace
from rdflib.term import URIRef

__all__ = [
    "ID",
    "KG",
    "KG_URI",
    "ONTOLOGY_IRI",
    "PROV",
    "SCHEMA",
    "kg_term",
    "ontology_path",
]

KG_URI = "https://w3id.org/kg-news/ontology#"
"""The namespace of the ontology's terms (prefix ``kg:``)."""

ONTOLOGY_IRI = URIRef("https://w3id.org/kg-news/ontology")
"""The IRI of the ``owl:Ontology`` itself."""

ID = "https://w3id.org/kg-news/id/"
"""The base of every resource IRI; only ``kg.rdf.mint_iri`` appends to it."""

SCHEMA = Namespace("https://schema.org/")
"""schema.org, which the ontology aligns its classes and properties with."""


class KG(DefinedNamespace):
    """The terms of ``ontology/kg.ttl``, closed: an unknown term raises."""

    _NS = Namespace(KG_URI)
    _fail = True

    # Classes
    Entity: URIRef
    Person: URIRef
    Company: URIRef
    University: URIRef
    ResearchInstitute: URIRef
    GovernmentAgency: URIRef
    Organization: URIRef
    Region: URIRef
    Project: URIRef
    Article: URIRef
    Assertion: URIRef
    Mention: URIRef

    # The seven relations
    affiliatedWith: URIRef
    locatedIn: URIRef
    partOf: URIRef
    participatesIn: URIRef
    collaboratesWith: URIRef
    authorOf: URIRef
    fundedBy: URIRef

    # Provenance links
    mentionedIn: URIRef
    mentionOf: URIRef
    article: URIRef

    # Attributes
    name: URIRef
    alias: URIRef
    title: URIRef
    investmentAmount: URIRef
    currency: URIRef
    investmentText: URIRef
    role: URIRef
    evidence: URIRef
    start: URIRef
    end: URIRef
    confidence: URIRef
    text: URIRef
    byline: URIRef
    articleId: URIRef
    document: URIRef
    sourceFile: URIRef
    date: URIRef
    Merge: URIRef
    mergeOf: URIRef
    mergedInto: URIRef
    viaAlias: URIRef
    CoMention: URIRef
    coMentionOf: URIRef
    countedFrom: URIRef
    pairRank: URIRef
    AcademicLink: URIRef
    linkedAcademic: URIRef
    academicClass: URIRef
    linkedCompany: URIRef
    linkKind: URIRef
    linkProject: URIRef
    linkRank: URIRef
    Affiliation: URIRef
    affiliatedPerson: URIRef
    affiliatedOrganization: URIRef
    organizationClass: URIRef
    posts: URIRef
    affiliationRank: URIRef
    Participation: URIRef
    participant: URIRef
    participatedProject: URIRef
    participantClass: URIRef
    participationRole: URIRef
    participationRank: URIRef
    RegionalCollaboration: URIRef
    collaborationPartner: URIRef
    partnerRegion: URIRef
    otherPartner: URIRef
    otherRegion: URIRef
    collaborationAssertion: URIRef
    collaborationEvidence: URIRef
    partnerName: URIRef
    partnerRegionName: URIRef
    otherPartnerName: URIRef
    otherRegionName: URIRef
    collaborationRank: URIRef
    dateRank: URIRef
    mergeRank: URIRef
    topEvidence: URIRef
    assertionCount: URIRef
    relationCount: URIRef
    evidenceOrder: URIRef
    subjectLabel: URIRef
    predicateLabel: URIRef
    objectLabel: URIRef
    sourceDocument: URIRef
    sourceTitle: URIRef
    investmentRank: URIRef
    projectNames: URIRef
    bylineRank: URIRef
    mentionRank: URIRef
    articleCount: URIRef
    documentCount: URIRef
    projectCount: URIRef
    directProjectCount: URIRef
    investedProjectCount: URIRef
    investmentTotal: URIRef
    personCount: URIRef
    unitCount: URIRef
    unitsBefore: URIRef
    confidenceRank: URIRef
    amountRank: URIRef
    documentRank: URIRef
    documentArticleCount: URIRef
    documentFirstDate: URIRef
    documentLastDate: URIRef
    datePublished: URIRef
    publication: URIRef
    contentHash: URIRef


def kg_term(name: str) -> URIRef:
    """Return the ``kg:`` term called ``name`` (``KG[name]``, typed for mypy).

    Args:
        name: A term of the ontology, e.g. a predicate of ``kg.records.PREDICATES``.

    Returns:
        The term's IRI.

    Raises:
        AttributeError: If the ontology defines no such term.

    Example:
        >>> kg_term("locatedIn") == KG.locatedIn
        True
    """
    term: URIRef = getattr(KG, name)
    return term


def ontology_path(name: str = "kg.ttl") -> Path:
    """Return the path of an ontology file (``kg.ttl``, ``shapes.ttl``).

    The files live once, in the repository's ``ontology/`` directory beside the
    package (the project is installed editable from its repository); a
    ``kg/ontology/`` directory of package data is looked in second, for an
    installation that ships copies there.

    Args:
        name: The file name inside ``ontology/``.

    Returns:
        The path of the file.

    Raises:
        FileNotFoundError: If neither directory holds the file.

    Example:
        >>> ontology_path("kg.ttl").name
        'kg.ttl'
    """
    here = Path(__file__).resolve().parent
    candidates = (here.parent / "ontology" / name, here / "ontology" / name)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    looked = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(
        f"ontology file {name!r} not found (looked in {looked}); "
        "install kg editable from its repository: pip install -e ."
    )
