"""The SPARQL the KGX export runs over a build's store (default graph = union of the named graphs)."""

from __future__ import annotations

from typing import Final

__all__ = ["EXPORTED_STATEMENT_KINDS", "KNOWLEDGE_LEVELS", "NODES", "STATEMENTS", "STRUCTURED_VALUES"]

# drugkg classes whose statements become edges (local names in the drugkg vocabulary).
EXPORTED_STATEMENT_KINDS: Final = (
    "ApprovedIndication",
    "OffLabelUse",
    "AdverseEffectAssociation",
    "MechanismOfAction",
    "DiseaseMechanism",
    "Formulation",
    "DosingRegimen",
    "DoseAdjustment",
    "Warning",
)

# Every property of every statement of an exported kind, one row per value: assembled in Python,
# so a multi-valued property never multiplies rows. The union of graphs is a bag: rows may repeat.
STATEMENTS: Final = """
PREFIX d: <https://w3id.org/drugkg/vocab#>
SELECT ?s ?kind ?p ?o WHERE {
  VALUES ?kind {
    d:ApprovedIndication d:OffLabelUse d:AdverseEffectAssociation d:MechanismOfAction d:DiseaseMechanism
    d:Formulation d:DosingRegimen d:DoseAdjustment d:Warning
  }
  ?s a ?kind ; ?p ?o .
}
"""

# Resources that can be nodes: their class, label, exact matches and (targets) subunits.
NODES: Final = """
PREFIX d: <https://w3id.org/drugkg/vocab#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?n ?type ?label ?match ?subunit WHERE {
  VALUES ?type {
    d:Drug d:Condition d:ClinicalFinding d:Gene d:Protein d:Target d:Population d:CellType
    d:Formulation d:DosingRegimen d:ExposureContext
  }
  ?n a ?type .
  OPTIONAL { ?n rdfs:label ?label }
  OPTIONAL { ?n skos:exactMatch ?match }
  OPTIONAL { ?n d:hasSubunit ?subunit }
}
"""

# The Biolink knowledge level the ontology gives each certainty level (drugkg:biolinkKnowledgeLevel).
KNOWLEDGE_LEVELS: Final = """
PREFIX d: <https://w3id.org/drugkg/vocab#>
SELECT ?level ?knowledgeLevel WHERE { ?level d:biolinkKnowledgeLevel ?knowledgeLevel }
"""

# The values a statement points at that are figures, not things (a dose, a strength range, a
# concentration, a titration): their properties become drugkg_<property>__<sub-property> columns.
STRUCTURED_VALUES: Final = """
PREFIX d: <https://w3id.org/drugkg/vocab#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?r ?p ?o WHERE {
  VALUES ?type { d:Quantity d:StrengthRange d:Concentration d:Titration }
  ?r a ?type ; ?p ?o .
  FILTER (?p NOT IN (rdfs:label, <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>))
}
"""
