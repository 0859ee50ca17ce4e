"""The catalogue published as sib-swiss/sparql-examples-style SPARQL examples in the build's examples graph."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from support.queries import assert_same_answer, expected_table, rdflib_graph, store

from drugkg.catalogue import load_catalogue
from drugkg.examples import EXAMPLES_BASE, declared_prefixes, examples_triples
from drugkg.querying import run_on_graph, run_on_store, to_table

CATALOGUE = {q.name: q for q in load_catalogue()}
EXAMPLES_GRAPH = "https://w3id.org/drugkg/graph/examples"
SH = "http://www.w3.org/ns/shacl#"

# What a SIB-style client (e.g. sib-swiss/sparql-editor) asks an endpoint to discover its examples.
DISCOVER = """
PREFIX sh: <http://www.w3.org/ns/shacl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
SELECT ?example ?comment ?query ?target WHERE {
  ?example a sh:SPARQLExecutable ;
           rdfs:comment ?comment ;
           sh:select|sh:ask|sh:construct|sh:describe ?query ;
           schema:target ?target .
}
"""
PREFIXES = """
PREFIX sh: <http://www.w3.org/ns/shacl#>
SELECT ?example ?prefix ?namespace WHERE {
  ?example sh:prefixes ?declarations .
  ?declarations sh:declare ?declaration .
  ?declaration sh:prefix ?prefix ; sh:namespace ?namespace .
}
"""


def _example_rows(example: str) -> dict[str, str]:
    rows = to_table(run_on_store(store(), DISCOVER, {"example": ox.NamedNode(example)})).rows
    assert len(rows) == 1, f"{example}: {len(rows)} descriptions"
    _, comment, query, target = rows[0]
    return {"comment": comment.value, "query": query.value, "target": target.value}


def test_every_query_is_published_as_an_example() -> None:
    rows = to_table(run_on_store(store(), DISCOVER)).rows
    names = {row[0].value.removeprefix(EXAMPLES_BASE) for row in rows}
    assert names == set(CATALOGUE)
    assert {row[3].value for row in rows} == {"https://w3id.org/drugkg/sparql"}


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_example_describes_its_question_and_form(name: str) -> None:
    q = CATALOGUE[name]
    node = ox.NamedNode(EXAMPLES_BASE + name)
    graph = ox.NamedNode(EXAMPLES_GRAPH)
    types = {
        quad.object.value
        for quad in store().quads_for_pattern(
            node, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), None, graph
        )
    }
    form_class = {"SELECT": "SPARQLSelectExecutable", "ASK": "SPARQLAskExecutable"}[q.form]
    assert types == {SH + "SPARQLExecutable", SH + form_class}
    described = _example_rows(EXAMPLES_BASE + name)
    assert described["comment"] == q.question
    keywords = {
        quad.object.value
        for quad in store().quads_for_pattern(node, ox.NamedNode("https://schema.org/keywords"), None, graph)
    }
    assert keywords == set(q.keywords)
    prefixes = {(r[1].value, r[2].value) for r in to_table(run_on_store(store(), PREFIXES, {"example": node})).rows}
    assert set(declared_prefixes(q.text)) <= prefixes, "every prefix of the query is declared with sh:declare"


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_published_text_runs_as_is_and_gives_the_golden_answer(name: str) -> None:
    """Defaults are bound in the published text, so a consumer gets the documented answer on any engine."""
    text = _example_rows(EXAMPLES_BASE + name)["query"]
    assert not text.startswith("#"), "the header is not part of the published query"
    assert_same_answer(expected_table(name), to_table(run_on_store(store(), text)), f"example {name} on Oxigraph")
    assert_same_answer(expected_table(name), to_table(run_on_graph(rdflib_graph(), text)), f"example {name} on rdflib")


def test_examples_graph_has_no_blank_nodes_and_one_prefix_node() -> None:
    triples = list(examples_triples())
    assert not any(isinstance(t, ox.BlankNode) for triple in triples for t in triple)
    ontologies = {s for s, p, o in triples if str(o) == "http://www.w3.org/2002/07/owl#Ontology"}
    assert [str(s) for s in ontologies] == [EXAMPLES_BASE + "prefixes"]
    declared = {str(o) for s, p, o in triples if str(p) == SH + "declare"}
    assert len(declared) == len({p for q in CATALOGUE.values() for p, _ in declared_prefixes(q.text)})


def test_examples_are_in_their_own_named_graph() -> None:
    count = sum(1 for _ in store().quads_for_pattern(None, None, None, ox.NamedNode(EXAMPLES_GRAPH)))
    assert count == len(list(examples_triples()))
