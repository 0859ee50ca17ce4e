"""IRIs of drugkg and the one prefix map used to expand and shorten cross-references."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

__all__ = [
    "BASE",
    "DCAT",
    "DCTERMS",
    "GRAPH",
    "NCIT",
    "OWL",
    "PAV",
    "PROV",
    "RDF",
    "RDFS",
    "RDF_TYPE",
    "RESOURCE",
    "RO",
    "SCHEMA",
    "SH",
    "SKOS",
    "TURTLE_PREFIXES",
    "VOCAB",
    "VOCAB_IRI",
    "VOID",
    "XREF_PREFIXES",
    "XSD",
    "expand_curie",
    "resource_iri",
]

BASE = "https://w3id.org/drugkg/"
VOCAB_IRI = "https://w3id.org/drugkg/vocab"
VOCAB = Namespace(VOCAB_IRI + "#")
RESOURCE = Namespace(BASE + "resource/")
GRAPH = Namespace(BASE + "graph/")
RDF_TYPE = str(RDF.type)
SCHEMA = Namespace("http://schema.org/")
RO = Namespace("http://purl.obolibrary.org/obo/RO_")
SH = Namespace("http://www.w3.org/ns/shacl#")
PAV = Namespace("http://purl.org/pav/")
NCIT = Namespace("http://purl.obolibrary.org/obo/NCIT_")

# Bioregistry's preferred prefixes and the IRI each expands to (the URI format bioregistry lists
# first for RDF use). A CURIE with any other prefix is refused.
XREF_PREFIXES: dict[str, str] = {
    "CHEBI": "http://purl.obolibrary.org/obo/CHEBI_",
    "DRUGBANK": "https://go.drugbank.com/drugs/",
    "RXNORM": "http://purl.bioontology.org/ontology/RXNORM/",
    "PUBCHEM.COMPOUND": "http://rdf.ncbi.nlm.nih.gov/pubchem/compound/CID",
    "ATC": "http://purl.bioontology.org/ontology/ATC/",
    "UNII": "https://precision.fda.gov/uniisearch/srs/unii/",
    "MESH": "http://id.nlm.nih.gov/mesh/",
    "CHEMBL.COMPOUND": "http://rdf.ebi.ac.uk/resource/chembl/molecule/",
    "KEGG.DRUG": "https://www.kegg.jp/entry/",
    "UMLS": "http://linkedlifedata.com/resource/umls/id/",
    "CAS": "https://commonchemistry.cas.org/detail?cas_rn=",
    "INCHIKEY": "https://www.ebi.ac.uk/unichem/rest/inchikey/",
    "MONDO": "http://purl.obolibrary.org/obo/MONDO_",
    "DOID": "http://purl.obolibrary.org/obo/DOID_",
    "ORPHA": "http://www.orpha.net/ORDO/Orphanet_",
    "OMIM": "https://omim.org/entry/",
    "HP": "http://purl.obolibrary.org/obo/HP_",
    "UNIPROT": "http://purl.uniprot.org/uniprot/",
    "NCBIGene": "http://identifiers.org/ncbigene/",
    "HGNC": "http://identifiers.org/hgnc/",
    "ENSEMBL": "http://identifiers.org/ensembl/",
    "NCIT": "http://purl.obolibrary.org/obo/NCIT_",
    "wikidata": "http://www.wikidata.org/entity/",
}

TURTLE_PREFIXES: dict[str, str] = {
    "drugkg": str(VOCAB),
    "res": str(RESOURCE),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "dcat": str(DCAT),
    "void": str(VOID),
    "schema": str(SCHEMA),
    "sh": str(SH),
    "pav": str(PAV),
    "obo": "http://purl.obolibrary.org/obo/",
    "spdx": "http://spdx.org/rdf/terms#",
}


def resource_iri(kind: str, slug: str) -> str:
    """The IRI of a drugkg resource: `<base>resource/<kind>/<slug>`."""
    return f"{RESOURCE}{kind}/{slug}"


def expand_curie(curie: str) -> str | None:
    """The IRI for a CURIE of a known prefix, or None when the prefix is unknown or the CURIE malformed."""
    prefix, sep, local = curie.partition(":")
    if not sep or not local or local.strip() != local or " " in local:
        return None
    base = XREF_PREFIXES.get(prefix)
    return None if base is None else base + local
