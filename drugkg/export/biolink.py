"""The Biolink Model terms drugkg's classes and properties map to (chosen from Biolink 4.4.3).

Every choice is explained in docs/biolink-export.md; the tests check each term against the model's
own schema (the `biolink-model` package) and its generated pydantic classes.
"""

from __future__ import annotations

from typing import Final

from drugkg.namespaces import VOCAB

__all__ = [
    "ADVERSE_EVENT",
    "AGENT_TYPE",
    "BIOLINK_PREFIX",
    "BIOLINK_VERSION",
    "CAUSAL_MECHANISM",
    "COMPLEX_CATEGORY",
    "DISEASE_PHENOTYPE",
    "DOSE_ADJUSTMENT",
    "DRUGKG_INFORES",
    "DRUG_EXTRA_CATEGORY",
    "FORMULATION",
    "GENE_CAUSES",
    "GENE_CONTRIBUTES",
    "INDICATION",
    "KNOWLEDGE_LEVEL",
    "KNOWLEDGE_LEVEL_ABSENT",
    "KNOWLEDGE_LEVEL_ENUM",
    "NODE_CATEGORIES",
    "OFF_LABEL_USE",
    "PREFERRED_PREFIXES",
    "REGIMEN",
    "SIDE_EFFECT",
    "TARGET_INTERACTION",
    "WARNING",
    "EdgeKind",
]

BIOLINK_VERSION: Final = "4.4.3"
# drugkg has no entry in the Information Resource Registry: this infores id is drugkg's own.
DRUGKG_INFORES: Final = "infores:drugkg"

_V = str(VOCAB)

# drugkg class -> Biolink category of the node.
NODE_CATEGORIES: Final[dict[str, str]] = {
    _V + "Drug": "biolink:Drug",
    _V + "Condition": "biolink:Disease",
    _V + "ClinicalFinding": "biolink:PhenotypicFeature",
    _V + "Gene": "biolink:Gene",
    _V + "Protein": "biolink:Protein",
    _V + "Target": "biolink:Protein",
    _V + "Population": "biolink:PopulationOfIndividualOrganisms",
    _V + "CellType": "biolink:Cell",
    _V + "Formulation": "biolink:Drug",
    _V + "DosingRegimen": "biolink:DrugExposure",
    _V + "ExposureContext": "biolink:ExposureEvent",
}
# A drugkg:Drug is an active ingredient: the object of a formulation's has_active_ingredient, whose
# range is molecular entity. drugkg records no structure or size, so not the narrower SmallMolecule.
DRUG_EXTRA_CATEGORY: Final = "biolink:MolecularEntity"
# A drugkg:Target made of more than one subunit (GABA-B is a GABBR1/GABBR2 dimer) is a complex.
COMPLEX_CATEGORY: Final = "biolink:MacromolecularComplex"

# Which cross-reference becomes the node id, by Biolink category: the order of the model's
# id_prefixes for the class, limited to the prefixes drugkg maps. For drugs the model lists UMLS
# first; drugkg takes the chemical-entity order (CHEBI first), the identity Translator's node
# normaliser gives a drug.
PREFERRED_PREFIXES: Final[dict[str, tuple[str, ...]]] = {
    "biolink:Drug": ("CHEBI", "UNII", "PUBCHEM.COMPOUND", "CHEMBL.COMPOUND", "DRUGBANK", "MESH", "UMLS"),
    "biolink:Disease": ("MONDO", "DOID", "OMIM", "orphanet", "UMLS", "MESH", "NCIT", "HP"),
    "biolink:PhenotypicFeature": ("HP", "NCIT", "UMLS", "MESH"),
    "biolink:Gene": ("NCBIGene", "ENSEMBL", "HGNC", "OMIM", "UMLS"),
    "biolink:Protein": ("UniProtKB", "ENSEMBL", "UMLS", "NCIT", "MESH"),
    "biolink:MacromolecularComplex": (),
    "biolink:PopulationOfIndividualOrganisms": (),
    "biolink:Cell": (),
    "biolink:DrugExposure": (),
    "biolink:ExposureEvent": (),
}

# drugkg's (bioregistry's) prefix -> the spelling in Biolink's prefix map, where they differ.
BIOLINK_PREFIX: Final[dict[str, str]] = {
    "UNIPROT": "UniProtKB",
    "ORPHA": "orphanet",
    "wikidata": "WIKIDATA",
}

# drugkg:certainty -> Biolink knowledge_level, for an ontology without drugkg:biolinkKnowledgeLevel
# (the ontology's annotation wins when present). Biolink has no value for a hedge: "possible" is a
# claim the curated source puts forward (knowledge_assertion); `prediction` names a method
# (probabilistic reasoning over indirect evidence), which a source's "may" is not. The hedge itself
# stays in the drugkg_certainty column.
KNOWLEDGE_LEVEL: Final[dict[str, str]] = {
    _V + "Stated": "knowledge_assertion",
    _V + "Possible": "knowledge_assertion",
    _V + "Reported": "observation",
    _V + "Unknown": "not_provided",
}
# Biolink 4.4.3's KnowledgeLevelEnum: a level outside it is refused.
KNOWLEDGE_LEVEL_ENUM: Final = frozenset(
    {
        "knowledge_assertion",
        "logical_entailment",
        "prediction",
        "statistical_association",
        "text_co_occurrence",
        "observation",
        "not_provided",
    }
)
KNOWLEDGE_LEVEL_ABSENT: Final = "not_provided"  # the statement has no drugkg:certainty
AGENT_TYPE: Final = "manual_agent"  # every drugkg statement is curated by people

# drugkg:action -> Biolink causal_mechanism_qualifier (CausalMechanismQualifierEnum).
CAUSAL_MECHANISM: Final[dict[str, str]] = {
    _V + "Binds": "binding",
    _V + "Agonist": "agonism",
    _V + "Antagonist": "antagonism",
    _V + "Inhibitor": "inhibition",
    _V + "Modulator": "modulation",
}


class EdgeKind:
    """One kind of drugkg statement as a Biolink edge: its predicate and association class."""

    def __init__(self, name: str, predicate: str, category: str) -> None:
        self.name = name
        self.predicate = predicate
        self.category = category

    def __repr__(self) -> str:
        return f"EdgeKind({self.name!r}, {self.predicate!r}, {self.category!r})"


_CHEM_DISEASE = "biolink:ChemicalEntityToDiseaseOrPhenotypicFeatureAssociation"
INDICATION: Final = EdgeKind("approved indication", "biolink:treats", _CHEM_DISEASE)
OFF_LABEL_USE: Final = EdgeKind("off-label use", "biolink:applied_to_treat", _CHEM_DISEASE)
SIDE_EFFECT: Final = EdgeKind(
    "adverse effect in common use", "biolink:has_side_effect", "biolink:ChemicalOrDrugOrTreatmentSideEffectAssociation"
)
ADVERSE_EVENT: Final = EdgeKind(
    "adverse effect in another context",
    "biolink:has_adverse_event",
    "biolink:ChemicalOrDrugOrTreatmentAdverseEventAssociation",
)
TARGET_INTERACTION: Final = EdgeKind(
    "mechanism of action", "biolink:directly_physically_interacts_with", "biolink:ChemicalGeneInteractionAssociation"
)
GENE_CAUSES: Final = EdgeKind(
    "disease mechanism (sole cause)", "biolink:causes", "biolink:CausalGeneToDiseaseAssociation"
)
GENE_CONTRIBUTES: Final = EdgeKind(
    "disease mechanism (main but not sole cause)", "biolink:contributes_to", "biolink:GeneToDiseaseAssociation"
)
# A mechanism without a gene: the condition's consequences are its phenotypes. `has_phenotype`
# (domain biological entity, range phenotypic feature) is the model's predicate for a disease's
# phenotypes; DiseaseToPhenotypicFeatureAssociation has subject disease, object phenotypic feature.
DISEASE_PHENOTYPE: Final = EdgeKind(
    "disease mechanism (consequences, no gene)",
    "biolink:has_phenotype",
    "biolink:DiseaseToPhenotypicFeatureAssociation",
)

# A formulation (a drug product) is a node of its own: product -> active ingredient.
FORMULATION: Final = EdgeKind(
    "formulation", "biolink:has_active_ingredient", "biolink:ChemicalEntityToChemicalEntityAssociation"
)
# Biolink has no predicate from a drug exposure (a regimen: how much of the drug is taken, how often)
# to the drug, nor to a population, nor one from a drug to what a warning concerns that claims no
# more than a warning does: these edges claim only a relation, and the rest is in drugkg_* columns.
_RELATED = "biolink:related_to_at_instance_level"
REGIMEN: Final = EdgeKind("dosing regimen", _RELATED, "biolink:Association")
DOSE_ADJUSTMENT: Final = EdgeKind("dose adjustment of a regimen", _RELATED, "biolink:Association")
WARNING: Final = EdgeKind("warning", _RELATED, "biolink:Association")
