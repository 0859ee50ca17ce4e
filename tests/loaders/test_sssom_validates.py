"""The mapping file passes sssom-py's own checks, and every object label is the label of its term."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDFS

from drugkg.namespaces import XREF_PREFIXES
from loaders.sssom import read_sssom

MAPPINGS = Path(__file__).resolve().parents[2] / "data" / "mappings" / "baclofen.sssom.tsv"

# Labels written by hand from /work/shared/IDENTIFIERS.md (the row each identifier is listed on;
# where that file gives the registry's own label, that label: Vertigo, Excessive daytime somnolence).
OBJECT_LABELS = {
    **{
        c: "baclofen"
        for c in (
            "CHEBI:2972",
            "DRUGBANK:DB00181",
            "PUBCHEM.COMPOUND:2284",
            "RXNORM:1292",
            "ATC:M03BX01",
            "UNII:H789N3FKE8",
            "MESH:D001418",
            "CHEMBL.COMPOUND:CHEMBL701",
            "KEGG.DRUG:D00241",
            "UMLS:C0004609",
        )
    },
    "MONDO:0001516": "spinal muscular atrophy",
    "MESH:D009134": "spinal muscular atrophy",
    "DOID:12377": "spinal muscular atrophy",
    "MONDO:0005301": "multiple sclerosis",
    "MESH:D009103": "multiple sclerosis",
    "MONDO:0043797": "spinal cord injury",
    "MESH:D013119": "spinal cord injury",
    "MONDO:0002545": "spinal cord disorder",
    "MONDO:0005485": "psychotic disorder",
    "MONDO:0005090": "schizophrenia",
    "MONDO:0005027": "epilepsy",
    "MONDO:0005098": "stroke",
    "MONDO:0043975": "autonomic dysreflexia",
    "MESH:D020211": "autonomic dysreflexia",
    "HP:0001257": "spasticity",
    "HP:0003394": "muscle spasm",
    "HP:0001252": "hypotonia",
    "HP:0001250": "seizure",
    "HP:0000738": "hallucinations",
    "HP:0002019": "constipation",
    "HP:0000016": "urinary retention",
    "HP:0002018": "nausea",
    "HP:0002315": "headache",
    "HP:0002615": "hypotension",
    "HP:0002321": "Vertigo",
    "HP:0002329": "drowsiness",
    "HP:0001262": "Excessive daytime somnolence",
    "HP:0001974": "leukocytosis",
    "HP:0000138": "ovarian cyst",
    "HP:0003201": "rhabdomyolysis",
    "HP:0001945": "fever",
    "HP:0000713": "agitation",
    "HP:0025143": "chills",
    "HP:0001324": "muscle weakness",
    "HP:0002063": "rigidity",
    "HGNC:11117": "SMN1",
    "NCBIGene:6606": "SMN1",
    "ENSEMBL:ENSG00000172062": "SMN1",
    "HGNC:4070": "GABBR1",
    "NCBIGene:2550": "GABBR1",
    "HGNC:4507": "GABBR2",
    "NCBIGene:9568": "GABBR2",
    "UNIPROT:Q9UBS5": "GABBR1",
    "UNIPROT:O75899": "GABBR2",
    "NCIT:C38288": "oral",
    "NCIT:C38267": "intrathecal",
    "NCIT:C42998": "tablet",
    "NCIT:C42986": "solution",
    "NCIT:C42938": "granule",
    "NCIT:C42946": "injection",
}


def _rows() -> list[dict[str, str]]:
    text = MAPPINGS.read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    return list(csv.DictReader(io.StringIO(body), delimiter="\t"))


def test_sssom_py_schema_prefix_and_curie_checks_pass() -> None:
    from sssom.constants import SchemaValidationType as Check
    from sssom.parsers import parse_sssom_table
    from sssom.validators import validate

    msdf = parse_sssom_table(str(MAPPINGS))
    assert len(msdf.df) == len(_rows()) == 60
    reports = validate(
        msdf,
        validation_types=[Check.JsonSchema, Check.PrefixMapCompleteness, Check.StrictCurieFormat],
        fail_on_error=False,
    )
    assert {check.value: report.results for check, report in reports.items()} == {
        "JsonSchema": [],
        "PrefixMapCompleteness": [],
        "StrictCurieFormat": [],
    }


def test_curie_map_declares_every_prefix_used_with_drugkgs_expansion() -> None:
    ms = read_sssom(MAPPINGS)
    used = {m.object_id.split(":")[0] for m in ms.mappings}
    assert used <= set(ms.metadata.curie_map)
    assert {p: ms.metadata.curie_map[p] for p in used} == {p: XREF_PREFIXES[p] for p in used}


def test_object_label_is_the_label_of_the_identifier() -> None:
    rows = _rows()
    assert {r["object_id"]: r["object_label"] for r in rows} == OBJECT_LABELS
    assert all(r["object_label"] for r in rows)


def test_subject_label_is_the_graphs_label(graph: rdflib.Graph) -> None:
    ms = read_sssom(MAPPINGS)
    for m in ms.mappings:
        iri = rdflib.URIRef(ms.metadata.curie_map["drugkg"] + m.subject_id.split(":", 1)[1])
        assert {str(x) for x in graph.objects(iri, RDFS.label)} == {m.subject_label}, m.subject_id


@pytest.mark.parametrize(
    ("object_id", "predicate"), [("HP:0002321", "skos:closeMatch"), ("NCIT:C42986", "skos:broadMatch")]
)
def test_dizziness_is_close_not_exact_and_oral_solution_is_broad(object_id: str, predicate: str) -> None:
    assert [r["predicate_id"] for r in _rows() if r["object_id"] == object_id] == [predicate]
