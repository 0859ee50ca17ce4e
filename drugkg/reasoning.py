"""OWL reasoning over the ontology plus data: consistency with HermiT (owlready2), and inferred types.

`check_consistency` asks HermiT whether drugkg's ontology together with the data is consistent. When
it is not, the individuals that break a disjointness axiom are named (found by `disjointness_clashes`,
which reads the same axioms: rdfs:subClassOf, rdfs:domain, rdfs:range, owl:disjointWith and
owl:AllDisjointClasses). Without Java the check reports "unavailable" and everything else still runs.

`inferred_type_triples` lists every rdf:type entailed by the asserted types and the ontology's
class hierarchy. The build does not store them (docs/validation.md says why).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from drugkg.inference import _store_of, class_hierarchy, inferred_type_triples
from drugkg.namespaces import RDF_TYPE
from drugkg.validation.report import ReasoningOutcome

__all__ = [
    "REASONING_MAX_TRIPLES",
    "check_consistency",
    "class_hierarchy",
    "disjointness_clashes",
    "hermit_hierarchy",
    "inferred_type_triples",
    "java_executable",
]

log = logging.getLogger("drugkg.reasoning")

REASONING_MAX_TRIPLES = 200_000  # HermiT's time grows quickly with the ABox; above this the check is skipped
_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
_OWL = "http://www.w3.org/2002/07/owl#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def java_executable() -> str | None:
    """The Java HermiT will run with, or None when there is none."""
    import owlready2

    configured = getattr(owlready2, "JAVA_EXE", None) or "java"
    return shutil.which(configured) or shutil.which("java")


def _disjoint_pairs(store: ox.Store) -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for row in store.query(f"SELECT ?a ?b WHERE {{ ?a <{_OWL}disjointWith> ?b }}"):  # type: ignore[union-attr]
        a, b = row["a"].value, row["b"].value
        pairs.add((min(a, b), max(a, b)))
    q = f"SELECT ?set ?m WHERE {{ ?set a <{_OWL}AllDisjointClasses> ; <{_OWL}members>/<{_RDF}rest>*/<{_RDF}first> ?m }}"
    members: dict[str, list[str]] = defaultdict(list)
    for row in store.query(q):  # type: ignore[union-attr]
        members[str(row["set"])].append(row["m"].value)
    for group in members.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if a != b:
                    pairs.add((min(a, b), max(a, b)))
    return pairs


_TYPES = f"""
SELECT DISTINCT ?x ?t WHERE {{
  {{ ?x <{RDF_TYPE}> ?t }}
  UNION {{ ?x ?p ?o . ?p <http://www.w3.org/2000/01/rdf-schema#domain> ?t }}
  UNION {{ ?s ?p ?x . ?p <http://www.w3.org/2000/01/rdf-schema#range> ?t . ?p a <{_OWL}ObjectProperty> }}
  FILTER(isIRI(?t))
}}"""


def disjointness_clashes(data: ox.Store | Iterable[ox.Quad | ox.Triple]) -> list[tuple[str, str, str]]:
    """(individual, class, disjoint class) for each individual that falls in two disjoint classes.

    Its classes are its asserted types, the domains of properties it has and the ranges of object
    properties pointing at it, each with all its superclasses.
    """
    store = _store_of(data)
    hierarchy = class_hierarchy(store)
    pairs = _disjoint_pairs(store)
    types: dict[str, set[str]] = defaultdict(set)
    for row in store.query(_TYPES):  # type: ignore[union-attr]
        x = row["x"]
        if isinstance(x, ox.NamedNode):
            types[x.value] |= hierarchy.get(row["t"].value, {row["t"].value})
    clashes = []
    for x in sorted(types):
        for a, b in sorted(pairs):
            if a in types[x] and b in types[x]:
                clashes.append((x, a, b))
    return clashes


# HermiT supports only the OWL 2 datatype map; values of other XSD datatypes (drugkg uses xsd:date and
# xsd:duration) are given to it as strings, and range axioms naming them as xsd:string. SHACL checks
# their lexical forms; the reasoner checks everything else.
_NOT_OWL2 = {
    f"http://www.w3.org/2001/XMLSchema#{name}"
    for name in (
        "date",
        "time",
        "duration",
        "gYear",
        "gYearMonth",
        "gMonth",
        "gMonthDay",
        "gDay",
        "dayTimeDuration",
        "yearMonthDuration",
    )
}
_XSD_STRING = ox.NamedNode("http://www.w3.org/2001/XMLSchema#string")


def _owl2_term(term):
    if isinstance(term, ox.Literal) and term.datatype.value in _NOT_OWL2:
        return ox.Literal(term.value)
    if isinstance(term, ox.NamedNode) and term.value in _NOT_OWL2:
        return _XSD_STRING
    return term


_OWL_IMPORTS = ox.NamedNode("http://www.w3.org/2002/07/owl#imports")
# owl:imports whose content drugkg has locally: its own ontology (always in the validated graph) and the
# SHACL vocabulary (the examples graph imports it; it holds no OWL axioms about drug data)
LOCAL_IMPORTS = frozenset(
    {
        "https://w3id.org/drugkg/vocab",
        "https://w3id.org/drugkg/vocab#",
        "http://www.w3.org/ns/shacl",
        "http://www.w3.org/ns/shacl#",
    }
)


def _ntriples(store: ox.Store, folder: Path) -> tuple[Path, list[str]]:
    """The graph as N-Triples for owlready2, without owl:imports (owlready2 would fetch them over the network).

    Returns the file and the imported IRIs that drugkg has no local copy of (not followed)."""
    path = folder / "data.nt"
    triples, unresolved = [], set()
    for q in store.quads_for_pattern(None, None, None, None):
        if q.predicate == _OWL_IMPORTS:
            if not (isinstance(q.object, ox.NamedNode) and q.object.value in LOCAL_IMPORTS):
                unresolved.add(str(q.object))
            continue
        triples.append(ox.Triple(q.subject, q.predicate, _owl2_term(q.object)))
    ox.serialize(triples, str(path), ox.RdfFormat.N_TRIPLES)
    return path, sorted(unresolved)


def check_consistency(
    data: ox.Store | Iterable[ox.Quad | ox.Triple], *, max_triples: int = REASONING_MAX_TRIPLES
) -> ReasoningOutcome:
    """Is the ontology plus data consistent for HermiT? `data` must include drugkg's ontology."""
    start = time.perf_counter()
    store = _store_of(data)
    size = len(store)
    if size > max_triples:
        return ReasoningOutcome(
            "skipped",
            f"graph has {size} triples, above the reasoning limit of {max_triples}; SHACL still ran in full",
            seconds=time.perf_counter() - start,
        )
    java = java_executable()
    if java is None:
        return ReasoningOutcome(
            "unavailable",
            "Java was not found, so the OWL consistency check (HermiT) did not "
            "run; install a Java runtime (e.g. apt-get install default-jre-headless)",
            seconds=time.perf_counter() - start,
        )
    import owlready2

    owlready2.JAVA_EXE = java
    with tempfile.TemporaryDirectory(prefix="drugkg-owl-") as tmp:
        path, unresolved = _ntriples(store, Path(tmp))
        world = owlready2.World()
        try:
            world.get_ontology(path.as_uri()).load(format="ntriples")
            with open(os.devnull, "w") as devnull, _quiet(devnull):
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            clashes = disjointness_clashes(store)
            individuals = tuple(sorted({x for x, _, _ in clashes}))
            if clashes:
                detail = "; ".join(
                    f"{x} is both {_short(a)} and {_short(b)}, which are disjoint" for x, a, b in clashes
                )
            else:
                detail = "HermiT found the ontology plus data inconsistent (no disjointness clash found to name)"
            return ReasoningOutcome("inconsistent", detail, individuals, time.perf_counter() - start)
        except owlready2.OwlReadyJavaError as err:
            return ReasoningOutcome(
                "unavailable",
                f"HermiT could not run: {str(err).strip().splitlines()[-1][:300]}",
                seconds=time.perf_counter() - start,
            )
        finally:
            world.close()
    note = (
        "; owl:imports not followed (nothing is fetched): " + ", ".join(f"<{i}>" for i in unresolved)
        if unresolved
        else ""
    )
    return ReasoningOutcome(
        "consistent", "HermiT: the ontology plus data is consistent" + note, seconds=time.perf_counter() - start
    )


def hermit_hierarchy() -> dict[str, set[str]]:
    """The class hierarchy HermiT infers for drugkg's ontology alone: class -> its named superclasses (with itself)."""
    import owlready2

    from drugkg.resources import ontology_dir

    owlready2.JAVA_EXE = java_executable() or "java"
    store = ox.Store()
    for path in sorted(ontology_dir().glob("*.ttl")):
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    with tempfile.TemporaryDirectory(prefix="drugkg-owl-") as tmp:
        path, _unresolved = _ntriples(store, Path(tmp))
        world = owlready2.World()
        try:
            onto = world.get_ontology(path.as_uri()).load(format="ntriples")
            with open(os.devnull, "w") as devnull, _quiet(devnull):
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
            out: dict[str, set[str]] = {}
            for cls in world.classes():
                out[cls.iri] = {c.iri for c in cls.ancestors() if c is not owlready2.Thing}
            del onto
            return out
        finally:
            world.close()


def _short(iri: str) -> str:
    return iri.rsplit("#", 1)[-1] if "#" in iri else iri.rsplit("/", 1)[-1]


class _quiet:
    """Silence owlready2's prints to stdout while HermiT runs (our stdout carries the report)."""

    def __init__(self, sink):
        self.sink = sink

    def __enter__(self):
        import contextlib

        self._ctx = contextlib.redirect_stdout(self.sink)
        return self._ctx.__enter__()

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)
