"""The fast engine runs a shape only when it gives pySHACL's answer; each regression here is a wrong answer
or a crash it gave before (issue 12). Every case compares drugkg's default engine with plain pySHACL on
the same files, and checks which engine ran."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph
from rdflib.namespace import SH
from support.w3c_shacl import _report_keys, drugkg_keys

from drugkg.validation import validate_files
from drugkg.validation.paths import path_from_rdf
from drugkg.validation.reference import results_from_report

XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
"""


def both(tmp_path: Path, data: str, shapes: str) -> tuple[str, tuple[bool, set], tuple[bool, set]]:  # type: ignore[type-arg]
    """(engine drugkg used, drugkg's keys, plain pySHACL's keys)."""
    (tmp_path / "data.ttl").write_text(PREFIXES + data, encoding="utf-8")
    (tmp_path / "shapes.ttl").write_text(PREFIXES + shapes, encoding="utf-8")
    outcome = validate_files([tmp_path / "data.ttl"], shapes=[tmp_path / "shapes.ttl"], reasoning=False)
    dg = Graph().parse(tmp_path / "data.ttl")
    sg = Graph().parse(tmp_path / "shapes.ttl")
    _c, report, _t = pyshacl.validate(dg, shacl_graph=sg, inference="none")
    return outcome.engine, drugkg_keys(outcome), _report_keys(report, dg + sg + report)


def sparql_shape(select: str, target: str = "sh:targetClass ex:C") -> str:
    return (
        f'ex:S a sh:NodeShape ; {target} ; sh:sparql [ sh:select """PREFIX ex: <http://example.org/>\n{select}""" ] .\n'
    )


DATA = "ex:a a ex:C ; ex:p 1, 2 . ex:b a ex:C ; ex:p 3 . ex:c ex:p 4 .\n"


def test_blank_node_value_under_min_exclusive_is_a_violation_not_a_crash(tmp_path: Path) -> None:
    """Was a VALUES syntax error: a blank node cannot be written in a query."""
    engine, got, want = both(
        tmp_path,
        "ex:a a ex:C ; ex:p [ ex:q 1 ], 5 .\n",
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minExclusive 3 ] .\n",
    )
    assert engine == "fast"
    assert got == want and len(got[1]) == 1


def test_sparql_constraint_without_where_keyword(tmp_path: Path) -> None:
    """Was an AssertionError: WHERE is optional in SPARQL."""
    engine, got, want = both(
        tmp_path, DATA, sparql_shape("SELECT $this ?value { $this ex:p ?value FILTER(?value > 1) }")
    )
    assert engine == "fast"
    assert got == want and len(got[1]) == 2


@pytest.mark.parametrize(
    "select",
    [
        "SELECT $this WHERE { $this ex:p ?v } LIMIT 1",
        "SELECT $this WHERE { $this ex:p ?v } ORDER BY ?v OFFSET 1",
        "SELECT $this (COUNT(?v) AS ?n) WHERE { $this ex:p ?v } GROUP BY $this HAVING (COUNT(?v) > 1)",
        "SELECT $this WHERE { { $this ex:p ?v } UNION { FILTER($this = ex:b) } }",
        "SELECT $this WHERE { ?x ex:p ?v { FILTER($this = ex:b) } }",
        "SELECT $this WHERE { ?s ex:p ?v . FILTER(?s = $currentShape) }",
        "SELECT $this WHERE { $this ex:p ?v . BIND($this AS ?that) FILTER(?that = ex:a) OPTIONAL { { FILTER($this = ex:a) } } }",
    ],
    ids=[
        "limit",
        "order-offset",
        "group-having",
        "this-in-union",
        "this-in-nested-group",
        "currentShape",
        "this-nested-in-optional",
    ],
)
def test_sparql_outside_the_subset_goes_to_pyshacl(tmp_path: Path, select: str) -> None:
    """Were answered by the fast engine with the target joined in front: solution modifiers applied to all
    focus nodes at once, $this unbound in nested groups."""
    engine, got, want = both(tmp_path, DATA, sparql_shape(select))
    assert engine == "pyshacl"
    assert got == want


def test_prefix_declared_only_by_the_shapes_file_goes_to_pyshacl(tmp_path: Path) -> None:
    """Was a SyntaxError from Oxigraph: pySHACL also reads the prefixes the shapes file binds (@prefix)."""
    shapes = 'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select """SELECT $this WHERE { $this ex:p 3 }""" ] .\n'
    engine, got, want = both(tmp_path, DATA, shapes)
    assert engine == "pyshacl"
    assert got == want and len(got[1]) == 1


def test_shape_without_target_has_no_focus_nodes(tmp_path: Path) -> None:
    """Was: the empty target group matched once with $this unbound, so the query ran over every node."""
    engine, got, want = both(
        tmp_path,
        DATA,
        "ex:S a sh:NodeShape ; sh:sparql [ sh:select "
        '"""SELECT $this WHERE { $this <http://example.org/p> ?v }""" ] .\n'
        "ex:T a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; "
        "sh:maxCount 1 ] .\n",
    )
    assert engine == "fast"
    assert got == want and len(got[1]) == 1


def test_blank_node_subclass_reaches_target_class_and_sh_class(tmp_path: Path) -> None:
    engine, got, want = both(
        tmp_path,
        "_:k rdfs:subClassOf ex:C . ex:x a _:k . ex:y ex:r ex:x . ex:z ex:r ex:w .\n",
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; "
        "sh:minCount 1 ] .\n ex:R a sh:NodeShape ; sh:targetSubjectsOf ex:r ; "
        "sh:property [ sh:path ex:r ; sh:class ex:C ] .\n",
    )
    assert engine == "fast"
    assert got == want and len(got[1]) == 2


def test_custom_constraint_component_goes_to_pyshacl(tmp_path: Path) -> None:
    """Was: the component's parameter was ignored and the data passed."""
    shapes = (
        "ex:Comp a sh:ConstraintComponent ; sh:parameter [ sh:path ex:banned ] ; sh:validator [ a "
        'sh:SPARQLAskValidator ; sh:ask "ASK { FILTER ($value != $banned) }" ] .\n'
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; ex:banned 2 ] .\n"
    )
    engine, got, want = both(tmp_path, DATA, shapes)
    assert engine == "pyshacl"
    assert got == want and len(got[1]) == 1


def test_non_canonical_literal_in_data_goes_to_pyshacl(tmp_path: Path) -> None:
    """Oxigraph stores "1.50"^^xsd:decimal as "1.5": the fast engine would report a value the file does not hold."""
    engine, got, want = both(
        tmp_path,
        'ex:a a ex:C ; ex:p "1.50"^^xsd:decimal .\n',
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:maxInclusive 0 ] .\n",
    )
    assert engine == "pyshacl"
    assert got == want and {k[4] for k in got[1]} == {("literal", "1.50", XSD_DECIMAL, "")}


def test_literal_rdflib_and_oxigraph_both_normalise_stays_fast(tmp_path: Path) -> None:
    engine, got, want = both(
        tmp_path,
        'ex:a a ex:C ; ex:p "01"^^xsd:integer .\n',
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:maxInclusive 0 ] .\n",
    )
    assert engine == "fast"
    assert got == want and {k[4] for k in got[1]} == {("literal", "1", XSD_INTEGER, "")}


def test_pyshacl_report_complex_paths_are_read_not_empty() -> None:
    """Was: every path other than a predicate, inverse or sequence read as the empty sequence `()`."""
    report = Graph().parse(
        data=PREFIXES
        + """
[] a sh:ValidationReport ; sh:conforms false ; sh:result
  [ a sh:ValidationResult ; sh:focusNode ex:a ; sh:resultPath [ sh:alternativePath ( ex:p [ sh:zeroOrMorePath ex:q ] ) ] ;
    sh:sourceConstraintComponent sh:MinCountConstraintComponent ; sh:resultSeverity sh:Violation ; sh:sourceShape ex:S ;
    sh:detail [ a sh:ValidationResult ; sh:focusNode ex:b ; sh:resultPath ( ex:p [ sh:oneOrMorePath ex:q ] [ sh:zeroOrOnePath ex:r ] ) ;
                sh:sourceConstraintComponent sh:MinCountConstraintComponent ; sh:resultSeverity sh:Violation ; sh:sourceShape ex:S ] ] .
""",
        format="turtle",
    )
    results = results_from_report(report)
    assert [(str(r.focus), r.path.text() if r.path else None) for r in results] == [
        ("http://example.org/a", "<http://example.org/p>|<http://example.org/q>*"),
    ]
    nested = next(report.objects(None, SH.detail))
    path = path_from_rdf(report, report.value(nested, SH.resultPath))
    assert path.text() == "<http://example.org/p>/<http://example.org/q>+/<http://example.org/r>?"


def test_drugkg_own_shapes_run_on_the_fast_engine(built: Path) -> None:
    """The subset checker must not send drugkg's own shapes to pySHACL (minutes instead of seconds)."""
    from drugkg.validation import validate_build

    outcome = validate_build(built, reasoning=False)
    assert outcome.engine == "fast"
    assert outcome.results == []
