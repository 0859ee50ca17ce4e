"""`drugkg build`: curated sources -> one RDF dataset -> dumps, dataset description and a store.

Everything is written to a temporary sibling folder and moved into place only when every step
succeeded, so a failed or interrupted build leaves the previous build as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import multiprocessing as mp
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from drugkg import __version__
from drugkg.buildfolder import (
    GRAPH_EXAMPLES,
    GRAPH_ONTOLOGY,
    GRAPH_TERMS,
    GRAPH_VOID,
    MANIFEST,
    STORE_DIR,
    check_build,
    file_sha256,
    recover_interrupted_swap,
)
from drugkg.dumps import CONTEXT_FILE, compact_jsonld, dump_prefixes, gzip_copy
from drugkg.errors import DrugkgError
from drugkg.examples import examples_triples
from drugkg.namespaces import GRAPH, TURTLE_PREFIXES
from drugkg.progress import Stages, track
from drugkg.rdfconvert import to_quads
from drugkg.resources import data_dir, ontology_dir, queries_dir
from drugkg.void import DUMP_MEDIA_TYPES, distribution_triples, void_triples
from loaders import LOADERS, AcrossFiles

__all__ = ["DUMP_FILES", "build", "build_is_current", "inputs_digest", "iter_dump_triples"]

log = logging.getLogger("drugkg.build")

DUMP_FILES = tuple(DUMP_MEDIA_TYPES)
GZIP_FILES = tuple(name + ".gz" for name in DUMP_FILES)
DIGEST_MAX_BYTES = 64 * 1024 * 1024  # above every loader's size limit (loaders/*.py MAX_*_BYTES)


@dataclass
class Loaded:
    """One curated file, read and checked: its triples (as N-Quads in its named graph) and what the
    checks across files need. Made in a worker process when there are many files."""

    name: str  # loader name
    path: Path
    nquads: bytes
    facts: Any  # what the kind's checks across files need (SourceKind.facts)
    deferred: BaseException | None = None  # an error making the triples, raised when the store is loaded


@dataclass
class Sources:
    """Every curated input, parsed and checked, with the named graph each goes to."""

    items: list[Loaded] = field(default_factory=list)


def _input_files(sources: Path) -> list[Path]:
    files: list[Path] = []
    for kind in LOADERS.values():
        files.extend(sorted(sources.glob(kind.pattern)))
    files.extend(sorted(ontology_dir().glob("*.ttl")))
    files.extend(sorted(queries_dir().glob("*.rq")))
    return files


def inputs_digest(sources: Path | None = None) -> str:
    """sha256 over drugkg's version and every input file (names and bytes)."""
    sources = sources or data_dir()
    h = hashlib.sha256(f"drugkg {__version__}\n".encode())
    for path in _input_files(sources):
        h.update(f"{path.parent.name}/{path.name}\n".encode())
        if not path.is_file():
            h.update(b"<not a file>")
            continue
        size = path.stat().st_size
        if size > DIGEST_MAX_BYTES:
            # larger than any loader accepts: the build refuses it, so do not read gigabytes to hash it
            h.update(f"<{size} bytes, mtime {path.stat().st_mtime_ns}>".encode())
            continue
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def read_sources(sources: Path) -> Sources:
    """Read and check every source file; the first problem stops the build before any output.

    Files are read, checked and turned into N-Quads in worker processes when there are many; the
    results come back in file order, so the first problem reported is the one a serial read finds.
    """
    out = Sources()
    if not sources.is_dir():
        raise DrugkgError("no such data folder", file=str(sources), expected="a folder with drugs/*.yaml")
    jobs = [(name, path) for name, kind in LOADERS.items() for path in sorted(sources.glob(kind.pattern))]
    for loaded in track(_map_files(jobs), total=len(jobs), desc="build: reading sources"):
        if isinstance(loaded, _Failure):
            raise DrugkgError(
                loaded.message,
                file=loaded.file,
                where=loaded.where,
                expected=loaded.expected,
                exit_code=loaded.exit_code,
            )
        out.items.append(loaded)
    for kind in LOADERS.values():
        if kind.required and not any(item.name == kind.name for item in out.items):
            raise DrugkgError(
                f"no {kind.name} files found", file=str(sources), expected=f"at least one {kind.pattern} file"
            )
    _check_across_files(out)
    return out


@dataclass(frozen=True)
class _Failure:
    """A DrugkgError raised in a worker, carried back field by field."""

    message: str
    file: str | None
    where: str | None
    expected: str | None
    exit_code: int


PARALLEL_MIN_FILES = 64  # below this, worker processes cost more than they save


def _workers() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))


def _map_files(jobs: list[tuple[str, Path]]) -> Iterator[Loaded | _Failure]:
    workers = _workers()
    if len(jobs) < PARALLEL_MIN_FILES or workers < 2 or "fork" not in mp.get_all_start_methods():
        for name, path in jobs:
            yield _load_file(name, path)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as pool:
        chunk = max(1, min(32, len(jobs) // (workers * 8)))
        yield from pool.map(_load_file, [n for n, _ in jobs], [p for _, p in jobs], chunksize=chunk)


def _load_file(name: str, path: Path) -> Loaded | _Failure:
    """Read, check and convert one file (in a worker process or in this one)."""
    log.debug("reading %s", path)
    kind = LOADERS[name]
    try:
        parsed = kind.read(path)
    except DrugkgError as err:
        return _Failure(err.message, err.file, err.where, err.expected, err.exit_code)
    graph = ox.NamedNode(_graph_name(name, path))
    quads: list[ox.Quad] = []
    deferred: BaseException | None = None
    try:
        quads = kind.quads(parsed, graph, ox.NamedNode(GRAPH_TERMS))
    except Exception as err:
        deferred = err
    nquads = b"" if deferred else ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    return Loaded(name, path, nquads or b"", kind.facts(parsed, quads), deferred)


def _check_across_files(src: Sources) -> None:
    """Each kind's checks that span files, in table order, then any error deferred from a worker."""
    seen = AcrossFiles()
    for kind in LOADERS.values():
        for item in src.items:
            if item.name == kind.name:
                kind.check_across(item.facts, item.path, seen)
                if item.deferred is not None:
                    raise item.deferred


def _graph_name(loader: str, path: Path) -> str:
    stem = path.name.split(".")[0]
    return f"{GRAPH}{LOADERS[loader].graph_kind}/{stem}"


def _issued(src: Sources) -> dt.date:
    return max(d for item in src.items for d in LOADERS[item.name].dates(item.facts))


def _ontology_quads() -> list[ox.Quad]:
    """The ontology with its blank nodes (OWL axiom lists) given canonical labels, so dumps are stable."""
    graph = ox.NamedNode(GRAPH_ONTOLOGY)
    ds = ox.Dataset(
        q for path in sorted(ontology_dir().glob("*.ttl")) for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
    )
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return [ox.Quad(q.subject, q.predicate, q.object, graph) for q in ds]


def _load_store(store: ox.Store, src: Sources) -> dict[str, int]:
    store.bulk_extend(_ontology_quads())
    # one bulk load for every source file: each bulk load has a fixed cost, so one per file is slow
    for item in src.items:
        if item.deferred is not None:
            raise item.deferred
    chunks = _ChunkReader([item.nquads for item in src.items])
    store.bulk_load(input=chunks, format=ox.RdfFormat.N_QUADS)  # type: ignore[arg-type]  # a raw binary stream
    store.bulk_extend(to_quads(examples_triples(), GRAPH_EXAMPLES))
    store.bulk_extend(to_quads(void_triples(store, _issued(src)), GRAPH_VOID))
    store.flush()
    sizes: dict[str, int] = {}
    for row in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):  # type: ignore[union-attr]
        sizes[row["g"].value] = int(row["n"].value)
    return dict(sorted(sizes.items()))


class _ChunkReader(io.RawIOBase):
    """A read-only binary stream over a list of byte strings, dropping each once it has been read."""

    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = chunks
        self._chunks.reverse()
        self._current = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._current and self._chunks:
            self._current = memoryview(self._chunks.pop())
        n = min(len(buffer), len(self._current))
        buffer[:n] = self._current[:n]
        self._current = self._current[n:]
        return n


def _union_nt_lines(store: ox.Store, src: Sources) -> set[bytes]:
    """The N-Triples lines of the union of every graph, as `CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }`
    over the union would give them, but without reading the source graphs back from the store: a
    source file's N-Quads lines, less their one graph name, are its N-Triples lines (same writer).
    The other graphs (ontology, examples, VoID: small, made by the build) are read from the store."""
    lines: set[bytes] = set()
    from_sources: set[str] = {GRAPH_TERMS}
    shared_suffix = f" <{GRAPH_TERMS}> .\n".encode()
    for item in src.items:
        from_sources.add(_graph_name(item.name, item.path))
        suffix = f" <{_graph_name(item.name, item.path)}> .\n".encode()
        chunk = item.nquads
        if chunk.count(suffix) + chunk.count(shared_suffix) != chunk.count(b"\n") or b"_:" in chunk:
            # unexpected shape or blank nodes: read the union back from the store
            union = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
            return set((ox.serialize(union, format=ox.RdfFormat.N_TRIPLES) or b"").splitlines())  # type: ignore[arg-type]
        lines.update(chunk.replace(suffix, b" .\n").replace(shared_suffix, b" .\n").splitlines())
    for graph in store.named_graphs():  # the ontology, examples, VoID, and whatever else the build adds
        if isinstance(graph, ox.NamedNode) and graph.value in from_sources:
            continue
        triples = [q.triple for q in store.quads_for_pattern(None, None, None, graph)]
        lines.update((ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").splitlines())
    return lines


def _write_dumps(store: ox.Store, folder: Path, src: Sources) -> tuple[int, dict[str, str]]:
    """Write every dump and its gzipped copy; returns the number of distinct triples of the union
    and the Turtle prefixes used."""
    lines = sorted(_union_nt_lines(store, src))
    for item in src.items:
        item.nquads = b""  # no longer needed
    nt = b"\n".join(lines) + b"\n"
    del lines
    prefixes = dump_prefixes(nt, (g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)))
    # The TriG dump reads the whole store back (the slowest dump) and pyoxigraph releases the GIL
    # while it runs: write it in a thread, alongside the dumps made here from the N-Triples.
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="drugkg-dump") as pool:
        trig = pool.submit(store.dump, str(folder / "drugkg.trig"), ox.RdfFormat.TRIG, prefixes=prefixes)
        count = _write_triple_dumps(nt, folder, prefixes)
        trig.result()
        # zlib releases the GIL too
        list(pool.map(gzip_copy, [folder / name for name in DUMP_FILES]))
    return count, prefixes


def _write_triple_dumps(nt: bytes, folder: Path, prefixes: dict[str, str]) -> int:
    (folder / "drugkg.nt").write_bytes(nt)
    triples = list(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES))
    ox.serialize(triples, str(folder / "drugkg.ttl"), ox.RdfFormat.TURTLE, prefixes=prefixes)
    document = compact_jsonld(json.loads(ox.serialize(triples, format=ox.RdfFormat.JSON_LD) or b"[]"), prefixes)
    with (folder / "drugkg.jsonld").open("w", encoding="utf-8") as fh:
        # json.dumps (C encoder), not json.dump (pure-Python encoder): the same text, several times faster
        fh.write(json.dumps(document, ensure_ascii=False, sort_keys=True))
    with (folder / CONTEXT_FILE).open("w", encoding="utf-8") as fh:
        json.dump(_jsonld_context(), fh, indent=2, sort_keys=True)
    return len(triples)


def _jsonld_context() -> dict[str, Any]:
    """A context consumers can reuse: the prefixes, plus every drugkg property with its value type."""
    import rdflib

    ctx: dict[str, Any] = dict(TURTLE_PREFIXES)
    onto = rdflib.Graph()
    for path in sorted(ontology_dir().glob("*.ttl")):
        onto.parse(path, format="turtle")
    owl = rdflib.OWL
    vocab = TURTLE_PREFIXES["drugkg"]
    for prop in sorted(set(onto.subjects(rdflib.RDF.type, owl.ObjectProperty)), key=str):
        if str(prop).startswith(vocab):
            ctx[str(prop)[len(vocab) :]] = {"@id": f"drugkg:{str(prop)[len(vocab) :]}", "@type": "@id"}
    for prop in sorted(set(onto.subjects(rdflib.RDF.type, owl.DatatypeProperty)), key=str):
        if str(prop).startswith(vocab):
            rng = onto.value(prop, rdflib.RDFS.range)
            entry: dict[str, str] = {"@id": f"drugkg:{str(prop)[len(vocab) :]}"}
            if rng is not None and str(rng) == str(rdflib.RDF.langString):
                entry["@language"] = "en"
            elif rng is not None and str(rng) != str(rdflib.XSD.string):
                entry["@type"] = str(rng).replace(str(rdflib.XSD), "xsd:")
            ctx[str(prop)[len(vocab) :]] = entry
    ctx["label"] = {"@id": "rdfs:label", "@container": "@language"}
    return {"@context": ctx}


def build_is_current(out_dir: Path, sources: Path | None = None) -> bool:
    """True when `out_dir` holds a complete build of exactly the current inputs."""
    try:
        manifest = check_build(out_dir)
    except DrugkgError:
        return False
    return bool(manifest.get("inputs_sha256") == inputs_digest(sources))


def build(out_dir: Path, sources: Path | None = None) -> Path:
    """Build everything from `sources` (default: the shipped data) into `out_dir`; returns `out_dir`."""
    out_dir = Path(out_dir).resolve()
    sources = Path(sources).resolve() if sources else data_dir()
    recover_interrupted_swap(out_dir)
    _remove_leftovers(out_dir)
    digest = inputs_digest(sources)
    src = read_sources(sources)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    # the pid in the name lets a later build tell a dead build's leftovers from a running build's folder
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-{os.getpid()}-", dir=out_dir.parent))
    tmp.chmod(0o755)
    stages = Stages("build", ["loading the store", "writing the dumps", "describing the dataset"])
    try:
        stages.start("loading the store")
        store = ox.Store(str(tmp / STORE_DIR))
        sizes = _load_store(store, src)
        stages.start("writing the dumps")
        triples, prefixes = _write_dumps(store, tmp, src)
        stages.start("describing the dataset")
        files = {name: file_sha256(tmp / name) for name in (*DUMP_FILES, *GZIP_FILES, CONTEXT_FILE)}
        void = store.query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH_VOID}> {{ ?s ?p ?o }} }}"  # constant IRI, no user input
        )
        void_file = [*void, *distribution_triples(tmp, files)]  # type: ignore[misc]
        void_prefixes = {**prefixes, **dump_prefixes(ox.serialize(void_file, format=ox.RdfFormat.N_TRIPLES) or b"")}
        ox.serialize(void_file, str(tmp / "void.ttl"), ox.RdfFormat.TURTLE, prefixes=void_prefixes)
        files["void.ttl"] = file_sha256(tmp / "void.ttl")
        store.flush()
        del store
        manifest = {
            "drugkg_version": __version__,
            "inputs_sha256": digest,
            "triples": triples,
            "graphs": sizes,
            "sources": [str(item.path.relative_to(sources)) for item in src.items],
            "files": files,
            "prefixes": prefixes,  # the dumps' Turtle prefixes, for compact IRIs in the query page
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        _swap_into_place(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        stages.close()
    log.debug("built %d triples in %d graphs into %s", triples, len(sizes), out_dir)
    return out_dir


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_leftovers(out_dir: Path) -> None:
    """Remove temp and moved-aside folders left by builds that were killed (their process is gone).

    Only folders named with a pid (`.NAME.tmp-PID-*`, `.NAME.old-PID`) whose process no longer runs
    are removed; a moved-aside build is kept while `out_dir` is missing (it is the one to put back).
    """
    if not out_dir.parent.is_dir():
        return
    for path in out_dir.parent.glob(f".{out_dir.name}.*"):
        kind, _, rest = path.name[len(out_dir.name) + 2 :].partition("-")
        pid_text = rest.split("-", 1)[0]
        if kind not in ("tmp", "old") or not pid_text.isdigit() or _pid_alive(int(pid_text)):
            continue
        if kind == "old" and not (out_dir / MANIFEST).is_file():
            continue
        log.debug("removing %s, left by a build that was interrupted", path)
        shutil.rmtree(path, ignore_errors=True)


def _swap_into_place(tmp: Path, out_dir: Path) -> None:
    if out_dir.exists() and not (out_dir / MANIFEST).is_file() and any(out_dir.iterdir()):
        raise DrugkgError(
            "exists and is not a drugkg build; refusing to replace it",
            file=str(out_dir),
            expected="an empty folder, a previous build, or a new path",
        )
    old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(tmp, out_dir)
    shutil.rmtree(old, ignore_errors=True)


def iter_dump_triples(out_dir: Path) -> Iterable[ox.Triple]:
    return ox.parse(path=str(Path(out_dir) / "drugkg.nt"), format=ox.RdfFormat.N_TRIPLES)
