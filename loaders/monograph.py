"""Loader for curated drug monographs (`data/drugs/*.yaml`): read, check, turn into triples."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from drugkg.errors import DrugkgError
from drugkg.namespaces import VOCAB, resource_iri
from drugkg.rdfconvert import OxTerms
from loaders.monograph_model import Monograph, reference_errors
from loaders.monograph_parts import TERM_IRI_KIND, RdfTerms, all_triples
from loaders.yaml_source import YamlDocument, read_yaml

__all__ = [
    "TERM_IRI_KIND",
    "is_shared_subject",
    "monograph_ox_triples",
    "monograph_triples",
    "read_monograph",
    "term_iri",
]

Triple = tuple[URIRef, URIRef, URIRef | Literal]

# Resources that several monographs may describe alike (terms, sources, their sections, disease
# mechanisms): the build puts their triples in one shared graph, so each is stored once.
_SHARED_KINDS = (*tuple(TERM_IRI_KIND.values()), "age-limit", "source", "section", "disease-mechanism")
_SHARED_PREFIXES = tuple(resource_iri(kind, "") for kind in _SHARED_KINDS)


def is_shared_subject(iri: str) -> bool:
    """True for the IRI of a resource that is not one drug's own (a term, a source, ...)."""
    return iri.startswith(_SHARED_PREFIXES)


TERM_CLASS = {
    "organizations": VOCAB.Organization,
    "people": VOCAB.Person,
    "drug_classes": VOCAB.DrugClass,
    "chemicals": VOCAB.ChemicalEntity,
    "genes": VOCAB.Gene,
    "proteins": VOCAB.Protein,
    "targets": VOCAB.Target,
    "cell_types": VOCAB.CellType,
    "conditions": VOCAB.Condition,
    "findings": VOCAB.ClinicalFinding,
    "populations": VOCAB.Population,
    "routes": VOCAB.Route,
    "dosage_forms": VOCAB.DosageForm,
    "delivery_modes": VOCAB.DeliveryMode,
    "recommendations": VOCAB.Recommendation,
    "actors": VOCAB.Actor,
    "activities": VOCAB.Activity,
    "monitored_items": VOCAB.MonitoredItem,
}
CERTAINTY = {
    "stated": VOCAB.Stated,
    "possible": VOCAB.Possible,
    "reported": VOCAB.Reported,
    "unknown": VOCAB.Unknown,
}
CONTEXT = {
    "common-use": VOCAB.CommonUse,
    "abrupt-withdrawal": VOCAB.AbruptWithdrawal,
    "overdose": VOCAB.Overdose,
    "neonatal-exposure": VOCAB.NeonatalExposure,
    "implantation": VOCAB.Implantation,
}
FREQUENCY = {"common": VOCAB.Common, "rare": VOCAB.Rare, "some-cases": VOCAB.SomeCases}
OUTCOME = {"fatal": VOCAB.Fatal, "mostly-resolved-spontaneously": VOCAB.MostlyResolvedSpontaneously}
WARNING_KIND = {
    "boxed-warning": VOCAB.BoxedWarning,
    "precaution": VOCAB.Precaution,
    "use-with-caution": VOCAB.UseWithCaution,
    "avoid-activity": VOCAB.AvoidActivity,
    "not-established": VOCAB.NotEstablished,
    "not-evaluated": VOCAB.NotEvaluated,
    "lactation": VOCAB.Lactation,
}
MILK = {"detected": VOCAB.MilkDetected, "unknown": VOCAB.MilkUnknown, "not-detected": VOCAB.MilkNotDetected}
ACTION = {
    "binds": VOCAB.Binds,
    "agonist": VOCAB.Agonist,
    "antagonist": VOCAB.Antagonist,
    "inhibitor": VOCAB.Inhibitor,
    "modulator": VOCAB.Modulator,
}
LIFE_STAGE = {
    "neonate": VOCAB.Neonate,
    "infancy": VOCAB.Infancy,
    "childhood": VOCAB.Childhood,
    "adult": VOCAB.Adulthood,
    "elderly": VOCAB.OldAge,
    "pregnancy": VOCAB.Pregnancy,
    "lactation": VOCAB.LactationStage,
}


def term_iri(kind: str, term_id: str) -> URIRef:
    return URIRef(resource_iri(TERM_IRI_KIND[kind], term_id))


def read_monograph(path: Path, known_terms: dict[str, set[str]] | None = None) -> Monograph:
    """Parse and check one monograph file; any problem raises DrugkgError with file, line and field."""
    doc = read_yaml(path)
    try:
        monograph = Monograph.model_validate(doc.value)
    except ValidationError as err:
        first = err.errors()[0]
        raise _located(doc, first["loc"], _pydantic_message(first), _pydantic_expected(first)) from None
    problems = reference_errors(monograph, known_terms)
    if problems:
        loc, message, expected = problems[0]
        raise _located(doc, loc, message, expected)
    return monograph


def _located(doc: YamlDocument, loc: tuple[str | int, ...], message: str, expected: str | None) -> DrugkgError:
    field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".") or "(top level)"
    return DrugkgError(f"{field}: {message}", file=str(doc.path), where=f"line {doc.line_of(loc)}", expected=expected)


def _pydantic_message(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    value = error.get("input")
    shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return f"{error['msg']} (got {shown})"


def _pydantic_expected(error: ErrorDetails) -> str | None:
    ctx = error.get("ctx") or {}
    if "expected" in ctx:
        return str(ctx["expected"])
    if "pattern" in ctx:
        return f"text matching {ctx['pattern']}"
    return None


_TABLES = {
    "term_class": TERM_CLASS,
    "context": CONTEXT,
    "frequency": FREQUENCY,
    "outcome": OUTCOME,
    "warning_kind": WARNING_KIND,
    "milk": MILK,
    "action": ACTION,
    "life_stage": LIFE_STAGE,
    "certainty": CERTAINTY,
}
_RDFLIB_TERMS = RdfTerms(URIRef, Literal, VOCAB, RDF, RDFS, SKOS, PROV, DCTERMS, _TABLES)


def monograph_triples(m: Monograph) -> Iterator[Triple]:
    """Every triple of a checked monograph (rdflib terms). Assertion nodes get minted IRIs, never blank nodes."""
    return all_triples(m, _RDFLIB_TERMS)


def _ox_terms() -> RdfTerms:
    t = OxTerms()
    tables = {name: {k: t.convert(v) for k, v in table.items()} for name, table in _TABLES.items()}
    return RdfTerms(
        t.named,
        t.literal,
        t.namespace(VOCAB),
        t.namespace(RDF),
        t.namespace(RDFS),
        t.namespace(SKOS),
        t.namespace(PROV),
        t.namespace(DCTERMS),
        tables,
    )


_OX_TERMS = _ox_terms()


def monograph_ox_triples(m: Monograph) -> Iterator[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]]:
    """The same triples as monograph_triples, as pyoxigraph terms (for the build)."""
    return all_triples(m, _OX_TERMS)
