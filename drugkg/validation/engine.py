"""Run a validation: SHACL (fast engine or plain pySHACL) and OWL reasoning over one Oxigraph store."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from drugkg.buildfolder import check_build
from drugkg.errors import DrugkgError
from drugkg.progress import Stages
from drugkg.validation.background import background_quads, derived_search_keys
from drugkg.validation.fast import to_rdflib
from drugkg.validation.inputs import (
    MAX_INPUT_BYTES,
    format_for,
    is_build_folder,
    read_build,
    read_rdf,
)
from drugkg.validation.locations import focus_locations
from drugkg.validation.reference import graph_of, quiet_rdflib
from drugkg.validation.report import ValidationOutcome, ValidationResult
from drugkg.validation.shapes import Unsupported, compile_shapes, load_shapes_graph

__all__ = ["ENGINES", "validate_build", "validate_files", "validate_paths", "validate_store"]

ENGINES = ("fast", "pyshacl")


def _labels(store: ox.Store, results: list[ValidationResult]) -> dict[str, str]:
    focus = sorted({str(r.focus) for r in results if r.focus.__class__.__name__ == "URIRef"})
    labels: dict[str, str] = {}
    for start in range(0, len(focus), 500):
        values = " ".join(f"<{iri}>" for iri in focus[start : start + 500])
        q = f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {values} }} ?s <{RDFS.label}> ?l }} ORDER BY ?s ?l"
        for row in store.query(q):  # type: ignore[union-attr]
            labels.setdefault(row["s"].value, row["l"].value)
    return labels


def validate_store(
    store: ox.Store,
    *,
    engine: str = "fast",
    reasoning: bool = True,
    shapes_folder: Path | None = None,
    timings: dict[str, float] | None = None,
    shapes_graph: Graph | None = None,
    reference_data: Callable[[], Graph] | None = None,
) -> ValidationOutcome:
    """Validate the default graph of `store` against `shapes_graph` (default: drugkg's shapes, and then the
    store must include drugkg's ontology).

    The fast engine runs the shapes when every one of them is within its supported subset
    (`drugkg.validation.subset`); otherwise plain pySHACL runs them, over `reference_data()` when given
    (the data exactly as parsed, not as Oxigraph stores it).
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}")
    timings = dict(timings or {})
    stages = Stages("validate", ["checking the shapes", *(["OWL reasoning"] if reasoning else [])])
    stages.start("checking the shapes")
    try:
        outcome = _shacl(store, engine, shapes_graph or load_shapes_graph(shapes_folder), reference_data, timings)
        if reasoning:
            from drugkg.reasoning import check_consistency

            stages.start("OWL reasoning")
            outcome.reasoning = check_consistency(store)
            timings["reasoning"] = outcome.reasoning.seconds
    finally:
        stages.close()
    outcome.labels = _labels(store, outcome.results)
    return outcome


def _shacl(
    store: ox.Store,
    engine: str,
    shapes_graph: Graph,
    reference_data: Callable[[], Graph] | None,
    timings: dict[str, float],
) -> ValidationOutcome:
    """The SHACL part: the fast engine where it can run every shape exactly, plain pySHACL otherwise."""
    start = time.perf_counter()
    results: list[ValidationResult] | None = None
    if engine == "fast":
        try:
            from drugkg.validation.fast import validate_store as fast

            results = fast(store, compile_shapes(shapes_graph))
        except Unsupported:
            engine = "pyshacl"
    if results is None:
        from drugkg.validation.reference import rdflib_graph, validate_with_pyshacl

        data = reference_data() if reference_data is not None else rdflib_graph(store)
        results = validate_with_pyshacl(data, shapes_graph)
    timings["shacl"] = time.perf_counter() - start
    outcome = ValidationOutcome(results=results, triples=len(store), engine=engine, timings=timings)
    outcome.store, outcome.shapes_graph = store, shapes_graph
    return outcome


def validate_build(build_dir: Path, *, reasoning: bool = True, engine: str = "fast") -> ValidationOutcome:
    """Validate a build folder (its union graph, ontology included). `outcome.conforms` is the verdict."""
    start = time.perf_counter()
    store = read_build(Path(build_dir))
    return validate_store(store, engine=engine, reasoning=reasoning, timings={"load": time.perf_counter() - start})


_PLAIN = frozenset({"http://www.w3.org/2001/XMLSchema#string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"})
_PROBE_S, _PROBE_P = ox.NamedNode("urn:drugkg:probe"), ox.NamedNode("urn:drugkg:value")


def _stored_as_written(data: list[ox.Quad]) -> bool:
    """Does the fast engine see every literal of `data` as pySHACL does? Oxigraph stores typed literals in
    canonical form ("1.50"^^xsd:decimal as "1.5"), rdflib normalises some ("01"^^xsd:integer as "1")."""
    written = {q.object for q in data if isinstance(q.object, ox.Literal) and q.object.datatype.value not in _PLAIN}
    probe = ox.Store()
    probe.bulk_extend([ox.Quad(_PROBE_S, _PROBE_P, lit) for lit in written])
    stored = {q.object for q in probe}
    if written == stored:
        return True
    with quiet_rdflib():
        return {to_rdflib(o) for o in written} == {to_rdflib(o) for o in stored}


def _shapes_graph(
    shapes: Sequence[Path],
    quads_of: Callable[[Path], list[ox.Quad]],
    parsed: dict[Path, tuple[list[ox.Quad], dict[str, str]]],
) -> Graph:
    """The user's shape files as one rdflib graph, with the prefixes they declare (pySHACL reads those)."""
    return _with_prefixes(graph_of(q for path in shapes for q in quads_of(path)), shapes, parsed)


def _with_prefixes(g: Graph, paths: Iterable[Path], parsed: dict[Path, tuple[list[ox.Quad], dict[str, str]]]) -> Graph:
    """`g` with the prefixes the files declare bound (pySHACL resolves undeclared SPARQL prefixes with them)."""
    for path in paths:
        for prefix, namespace in parsed[Path(path).resolve()][1].items():
            g.bind(prefix, namespace, override=False)
    return g


def validate_files(
    paths: Sequence[Path],
    *,
    reasoning: bool = True,
    engine: str = "fast",
    max_bytes: int = MAX_INPUT_BYTES,
    shapes: Sequence[Path] = (),
    allow_empty: bool = False,
) -> ValidationOutcome:
    """Validate RDF files against drugkg's shapes (their union plus drugkg's ontology and shared terms), or,
    when `shapes` names shape files, against those shapes alone (the files' union, nothing added).

    A file that is both data and shapes is read once, so its blank nodes are the same in both graphs.
    """
    start = time.perf_counter()
    parsed: dict[Path, tuple[list[ox.Quad], dict[str, str]]] = {}

    def quads_of(path: Path) -> list[ox.Quad]:
        key = Path(path).resolve()
        if key not in parsed:
            parsed[key] = read_rdf(Path(path), max_bytes, allow_empty=allow_empty)
        return parsed[key][0]

    data = [q for path in paths for q in quads_of(path)]
    shapes_graph = _shapes_graph(shapes, quads_of, parsed) if shapes else None
    if shapes_graph is None:
        data.extend(background_quads())
    store = ox.Store()
    store.bulk_extend(data)
    if shapes_graph is None:
        keys = derived_search_keys(store, load_shapes_graph())
        store.bulk_extend(keys)
        data.extend(keys)
    if engine == "fast" and not _stored_as_written(data):
        engine = "pyshacl"  # the fast engine would report Oxigraph's canonical form of a value, not the user's
    timings = {"load": time.perf_counter() - start}
    try:
        outcome = validate_store(
            store,
            engine=engine,
            reasoning=reasoning,
            timings=timings,
            shapes_graph=shapes_graph,
            reference_data=lambda: _with_prefixes(graph_of(data), paths, parsed),
        )
    except DrugkgError as err:
        if err.file is None and shapes:  # a problem of the user's shapes: name their files
            err.file = ", ".join(str(p) for p in shapes)
        raise
    focus = {str(r.focus) for r in outcome.results if isinstance(r.focus, URIRef)}
    outcome.locations = focus_locations(
        focus, [(Path(p), format_for(Path(p)), parsed[Path(p).resolve()][1]) for p in paths]
    )
    return outcome


def validate_paths(paths: list[Path], **kwargs) -> ValidationOutcome:
    """One build folder, or any number of RDF files."""
    if len(paths) == 1 and is_build_folder(paths[0]) and kwargs.get("shapes"):
        check_build(paths[0])
        paths = [paths[0] / "drugkg.nt"]  # the build's union, against the user's shapes
    if len(paths) == 1 and is_build_folder(paths[0]):
        for option in ("max_bytes", "shapes", "allow_empty"):
            kwargs.pop(option, None)
        return validate_build(paths[0], **kwargs)
    return validate_files(paths, **kwargs)
