"""Differential test: random small shapes and data within the fast engine's subset; the fast engine and
plain pySHACL must give the same results (focus, path, component, severity, value, source shape).

Every generated shapes graph must be run by the fast engine itself (engine == "fast"), so the test
also checks that the subset checker does not refuse what the fast engine claims to run.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyshacl
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from rdflib import Graph
from support.w3c_shacl import _report_keys, drugkg_keys

from drugkg.validation import validate_files

EX = "http://example.org/"
NODES = [f"<{EX}n{i}>" for i in range(4)]
CLASSES = [f"<{EX}C{i}>" for i in range(2)]
PREDICATES = [f"<{EX}p>", f"<{EX}q>"]
LITERALS = [
    '"3"^^<http://www.w3.org/2001/XMLSchema#integer>',
    '"2.5"^^<http://www.w3.org/2001/XMLSchema#decimal>',
    '"abc"',
    '"x"@en',
    '"ab"',
    '"7"^^<http://www.w3.org/2001/XMLSchema#integer>',
    '"five"^^<http://www.w3.org/2001/XMLSchema#integer>',
    '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>',
]
XSD = "http://www.w3.org/2001/XMLSchema#"
SH = "http://www.w3.org/ns/shacl#"
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"

objects = st.sampled_from(NODES + LITERALS + ["[]", f"[ <{EX}q> <{EX}n0> ]"])
triples = st.tuples(st.sampled_from(NODES), st.sampled_from(PREDICATES), objects).map(lambda t: " ".join(t) + " .")
types = st.tuples(st.sampled_from(NODES), st.sampled_from(CLASSES)).map(lambda t: f"{t[0]} {TYPE} {t[1]} .")
subclass = st.sampled_from(
    ["", f"{CLASSES[1]} {SUBCLASS} {CLASSES[0]} .", f"_:k {SUBCLASS} {CLASSES[0]} . {NODES[3]} {TYPE} _:k ."]
)
data = st.tuples(st.lists(triples, max_size=10), st.lists(types, max_size=4), subclass).map(
    lambda t: "\n".join(t[0] + t[1] + [t[2]]) + "\n"
)

targets = st.sampled_from(
    [
        f"sh:targetClass {CLASSES[0]}",
        f"sh:targetClass {CLASSES[1]}",
        f"sh:targetNode {NODES[0]}",
        f"sh:targetNode {NODES[1]}, {NODES[2]}",
        f"sh:targetSubjectsOf {PREDICATES[0]}",
        f"sh:targetObjectsOf {PREDICATES[1]}",
        'sh:targetNode "abc"',
    ]
)
counts = st.integers(min_value=0, max_value=3)
limits = st.sampled_from(["3", "2.5", '"abc"', "0", '"7"^^xsd:integer'])
cardinalities = st.one_of(
    st.builds(lambda n: f"sh:minCount {n}", counts), st.builds(lambda n: f"sh:maxCount {n}", counts)
)
node_constraints = st.one_of(
    st.builds(lambda n: f"sh:minLength {n}", counts),
    st.sampled_from(
        [f"sh:datatype xsd:{d}" for d in ("integer", "string", "decimal", "boolean")]
        + ["sh:datatype rdf:langString", "sh:datatype rdfs:Literal"]
    ),
    st.sampled_from([f"sh:class {c}" for c in CLASSES]),
    st.sampled_from(
        [
            f"sh:nodeKind sh:{k}"
            for k in ("IRI", "BlankNode", "Literal", "BlankNodeOrIRI", "BlankNodeOrLiteral", "IRIOrLiteral")
        ]
    ),
    st.sampled_from([f'sh:in ( {NODES[0]} "abc" 3 )', "sh:in ( )", f"sh:in ( {NODES[1]} )"]),
    st.builds(
        lambda k, v: f"sh:{k} {v}",
        st.sampled_from(["minInclusive", "maxInclusive", "minExclusive", "maxExclusive"]),
        limits,
    ),
)
value_constraints = st.one_of(cardinalities, node_constraints)


def _one_per_parameter(constraints: list[str]) -> list[str]:
    """SHACL allows each parameter once per shape (pySHACL refuses more)."""
    return list({c.split()[0]: c for c in constraints}.values())


paths = st.sampled_from(
    [PREDICATES[0], PREDICATES[1], f"[ sh:inversePath {PREDICATES[0]} ]", f"( {PREDICATES[0]} {PREDICATES[1]} )"]
)
sparql = st.sampled_from(
    [
        f"SELECT $this ?value WHERE {{ $this {PREDICATES[0]} ?value . FILTER(isLiteral(?value)) }}",
        f"SELECT $this WHERE {{ $this {PREDICATES[0]} ?v . FILTER NOT EXISTS {{ $this {PREDICATES[1]} ?w }} }}",
        f"SELECT $this ?value WHERE {{ $this ?p ?value . OPTIONAL {{ ?value {PREDICATES[1]} ?x }} FILTER(!bound(?x)) }}",
        (
            f"SELECT $this ?path ?value WHERE {{ $this {PREDICATES[1]} ?value . BIND({PREDICATES[1]} AS ?path) "
            f"FILTER(isIRI(?value) && ?value != $this) }}"
        ),
        f"SELECT DISTINCT $this {{ ?s {PREDICATES[0]} $this }}",
        f"SELECT * WHERE {{ $this {TYPE} ?c . FILTER EXISTS {{ ?c {SUBCLASS} ?d }} }}",
        f"SELECT $this WHERE {{ $this {PREDICATES[0]} ?v . FILTER NOT EXISTS {{ ?x {PREDICATES[1]} ?y FILTER(?x = $this) }} }}",
        (
            f"SELECT $this ?value WHERE {{ $this {PREDICATES[0]} ?value . OPTIONAL {{ ?z {PREDICATES[1]} ?w "
            f"FILTER(?z = $this) }} FILTER(!bound(?z)) }}"
        ),
        f"SELECT $this WHERE {{ ?s {PREDICATES[0]} ?o . FILTER(?o = $this || ?s = $this) }}",
    ]
)
severity = st.sampled_from(["", "sh:severity sh:Warning ;", "sh:severity sh:Info ;"])


@st.composite
def shapes(draw: st.DrawFn) -> str:
    out = [
        "@prefix sh: <http://www.w3.org/ns/shacl#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
    ]
    for i in range(draw(st.integers(min_value=1, max_value=2))):
        parts = [f"<{EX}S{i}> a sh:NodeShape ;", draw(severity), draw(targets) + " ;"]
        parts += [c + " ;" for c in _one_per_parameter(draw(st.lists(node_constraints, max_size=2)))]
        for j in range(draw(st.integers(min_value=0, max_value=2))):
            inner = " ; ".join(_one_per_parameter(draw(st.lists(value_constraints, min_size=1, max_size=3))))
            parts.append(f"sh:property <{EX}S{i}P{j}> ;")
            out.append(f"<{EX}S{i}P{j}> sh:path {draw(paths)} ; {draw(severity)} {inner} .")
        if draw(st.booleans()):
            parts.append(f'sh:sparql [ sh:select """{draw(sparql)}""" ] ;')
        out.append(" ".join(parts) + " .")
    return "\n".join(out) + "\n"


@settings(
    max_examples=int(__import__("os").environ.get("DIFF_EXAMPLES", "60")),
    print_blob=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=data, shapes_ttl=shapes())
def test_fast_engine_equals_pyshacl(data: str, shapes_ttl: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_file, shapes_file = Path(tmp) / "data.ttl", Path(tmp) / "shapes.ttl"
        data_file.write_text(data, encoding="utf-8")
        shapes_file.write_text(shapes_ttl, encoding="utf-8")
        outcome = validate_files([data_file], shapes=[shapes_file], reasoning=False, allow_empty=True)
        assert outcome.engine == "fast", shapes_ttl
        dg, sg = Graph().parse(data_file), Graph().parse(shapes_file)
        _conforms, report, _text = pyshacl.validate(dg, shacl_graph=sg, inference="none")
        got = drugkg_keys(outcome)
        event(f"{min(len(got[1]), 3)}+ results" if len(got[1]) >= 3 else f"{len(got[1])} results")
        assert got == _report_keys(report, dg + sg + report), (data, shapes_ttl)
