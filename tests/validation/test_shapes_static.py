"""The shapes themselves: every class the loaders produce has a node shape, every shape has a message."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import RDF, SH

from drugkg.namespaces import XREF_PREFIXES
from drugkg.reasoning import class_hierarchy
from drugkg.validation.inputs import read_build
from drugkg.validation.shapes import compile_shapes, load_shapes_graph


def test_every_class_in_the_build_is_targeted(built: Path) -> None:
    store = read_build(built)
    classes = {
        row["c"].value
        for row in store.query(  # type: ignore[union-attr, index]
            "SELECT DISTINCT ?c WHERE { ?s a ?c FILTER(STRSTARTS(STR(?s), 'https://w3id.org/drugkg/')) }"
        )
    }
    hierarchy = class_hierarchy(store)
    targeted = {
        str(v) for shape in compile_shapes(load_shapes_graph()) for p, v in shape.targets if p == SH.targetClass
    }
    # typed only alongside sh:SPARQLExecutable, which is targeted
    executables = {
        f"http://www.w3.org/ns/shacl#SPARQL{f}Executable" for f in ("Select", "Ask", "Construct", "Describe")
    }
    produced = {c for c in classes if not c.startswith("http://www.w3.org/2002/07/owl#")} - executables
    assert "https://w3id.org/drugkg/vocab#DosingRegimen" in produced and len(produced) >= 30
    untargeted = {c for c in produced if not hierarchy.get(c, {c}) & targeted}
    assert untargeted == set()


def test_every_shape_has_a_message_and_an_iri() -> None:
    g = load_shapes_graph()
    for shape in compile_shapes(g):
        assert isinstance(shape.node, URIRef)
        for prop in shape.properties:
            assert isinstance(prop.node, URIRef) and prop.messages, prop.node
        for constraint in shape.sparql:
            assert constraint.messages, constraint.node
            assert not shape.messages, f"{shape.node}: a shape with SPARQL constraints must not carry sh:message"
        if shape.constraints:
            assert shape.messages, shape.node
    assert len(list(g.subjects(RDF.type, SH.PropertyShape))) >= 150


def test_cross_reference_namespaces_follow_the_prefix_map() -> None:
    g = load_shapes_graph()
    text = str(g.value(URIRef("https://w3id.org/drugkg/shapes#CrossReference-knownNamespace"), SH.select))
    pattern = re.search(r'REGEX\(STR\(\?value\), "\^\((.*)\)\.\+\$"\)', text)
    assert pattern is not None
    listed = {re.sub(r"\[(.)\]", r"\1", alt) for alt in pattern.group(1).split("|")}
    assert listed == set(XREF_PREFIXES.values()) | {"https://w3id.org/drugkg/resource/"}


def test_shapes_load_in_oxigraph_too() -> None:
    from drugkg.resources import shapes_dir

    for path in shapes_dir().glob("*.ttl"):
        assert list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)), path
