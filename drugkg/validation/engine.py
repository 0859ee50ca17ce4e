"""Run a validation: SHACL (fast engine or plain pySHACL) and OWL reasoning over one Oxigraph store."""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import RDFS

from drugkg.progress import Stages
from drugkg.validation.inputs import (
    MAX_INPUT_BYTES,
    is_build_folder,
    read_build,
    read_files,
)
from drugkg.validation.report import ValidationOutcome, ValidationResult
from drugkg.validation.shapes import Unsupported, compile_shapes, load_shapes_graph

__all__ = ["ENGINES", "validate_build", "validate_files", "validate_paths", "validate_store"]

ENGINES = ("fast", "pyshacl")


def _labels(store: ox.Store, results: list[ValidationResult]) -> dict[str, str]:
    focus = sorted({str(r.focus) for r in results if r.focus.__class__.__name__ == "URIRef"})
    labels: dict[str, str] = {}
    for start in range(0, len(focus), 500):
        values = " ".join(f"<{iri}>" for iri in focus[start:start + 500])
        q = f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {values} }} ?s <{RDFS.label}> ?l }} ORDER BY ?s ?l"
        for row in store.query(q):  # type: ignore[union-attr]
            labels.setdefault(row["s"].value, row["l"].value)  # type: ignore[index, union-attr]
    return labels


def validate_store(store: ox.Store, *, engine: str = "fast", reasoning: bool = True,
                   shapes_folder: Path | None = None, timings: dict[str, float] | None = None) -> ValidationOutcome:
    """Validate the default graph of `store` (which must include drugkg's ontology) against drugkg's shapes."""
    timings = dict(timings or {})
    start = time.perf_counter()
    stages = Stages("validate", ["checking the shapes", *(["OWL reasoning"] if reasoning else [])])
    stages.start("checking the shapes")
    try:
        return _validate_store(store, engine, reasoning, shapes_folder, timings, start, stages)
    finally:
        stages.close()


def _validate_store(store: ox.Store, engine: str, reasoning: bool, shapes_folder: Path | None,
                    timings: dict[str, float], start: float, stages: Stages) -> ValidationOutcome:
    shapes_graph = load_shapes_graph(shapes_folder)
    if engine == "fast":
        try:
            from drugkg.validation.fast import validate_store as fast

            results = fast(store, compile_shapes(shapes_graph))
        except Unsupported:
            engine = "pyshacl"
    if engine == "pyshacl":
        from drugkg.validation.reference import validate_with_pyshacl

        results = validate_with_pyshacl(store, shapes_graph)
    elif engine != "fast":
        raise ValueError(f"unknown engine {engine!r}")
    timings["shacl"] = time.perf_counter() - start
    outcome = ValidationOutcome(results=results, triples=len(store), engine=engine, timings=timings)
    if reasoning:
        from drugkg.reasoning import check_consistency

        stages.start("OWL reasoning")
        outcome.reasoning = check_consistency(store)
        timings["reasoning"] = outcome.reasoning.seconds
    outcome.labels = _labels(store, results)
    return outcome


def validate_build(build_dir: Path, *, reasoning: bool = True, engine: str = "fast") -> ValidationOutcome:
    """Validate a build folder (its union graph, ontology included). `outcome.conforms` is the verdict."""
    start = time.perf_counter()
    store = read_build(Path(build_dir))
    return validate_store(store, engine=engine, reasoning=reasoning, timings={"load": time.perf_counter() - start})


def validate_files(paths: Iterable[Path], *, reasoning: bool = True, engine: str = "fast",
                   max_bytes: int = MAX_INPUT_BYTES) -> ValidationOutcome:
    """Validate RDF files (their union plus drugkg's ontology) against drugkg's shapes."""
    start = time.perf_counter()
    store = read_files([Path(p) for p in paths], max_bytes=max_bytes)
    return validate_store(store, engine=engine, reasoning=reasoning, timings={"load": time.perf_counter() - start})


def validate_paths(paths: list[Path], **kwargs) -> ValidationOutcome:  # type: ignore[no-untyped-def]
    """One build folder, or any number of RDF files."""
    if len(paths) == 1 and is_build_folder(paths[0]):
        kwargs.pop("max_bytes", None)
        return validate_build(paths[0], **kwargs)
    return validate_files(paths, **kwargs)
