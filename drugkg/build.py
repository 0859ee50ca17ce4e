"""`drugkg build`: curated sources -> one RDF dataset -> dumps, dataset description and a store.

Everything is written to a temporary sibling folder and moved into place only when every step
succeeded, so a failed or interrupted build leaves the previous build as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from drugkg import __version__
from drugkg.errors import DrugkgError
from drugkg.examples import examples_triples
from drugkg.namespaces import GRAPH, TURTLE_PREFIXES
from drugkg.rdfconvert import to_quads
from drugkg.resources import data_dir, ontology_dir, queries_dir
from drugkg.void import DUMP_MEDIA_TYPES, void_triples
from loaders import LOADERS
from loaders.monograph_model import TERM_KINDS, Monograph
from loaders.sssom import MappingSet, expand_subject

__all__ = [
    "build",
    "build_is_current",
    "inputs_digest",
    "check_build",
    "read_manifest",
    "STORE_DIR",
    "MANIFEST",
    "DUMP_FILES",
    "GRAPH_ONTOLOGY",
    "GRAPH_VOID",
    "GRAPH_EXAMPLES",
]

log = logging.getLogger("drugkg.build")

STORE_DIR = "store"
MANIFEST = "manifest.json"
DUMP_FILES = tuple(DUMP_MEDIA_TYPES)
GRAPH_ONTOLOGY = str(GRAPH) + "ontology"
GRAPH_VOID = str(GRAPH) + "void"
GRAPH_EXAMPLES = str(GRAPH) + "examples"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass
class Sources:
    """Every curated input, parsed and checked, with the named graph each goes to."""

    items: list[tuple[str, Path, Any]] = field(default_factory=list)  # (loader name, file, parsed)


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
        h.update(path.read_bytes() if path.is_file() else b"<not a file>")
    return h.hexdigest()


def read_sources(sources: Path) -> Sources:
    """Read and check every source file; the first problem stops the build before any output."""
    out = Sources()
    if not sources.is_dir():
        raise DrugkgError("no such data folder", file=str(sources), expected="a folder with drugs/*.yaml")
    for name, kind in LOADERS.items():
        for path in sorted(sources.glob(kind.pattern)):
            log.debug("reading %s", path)
            out.items.append((name, path, kind.read(path)))
    if not any(name == "monograph" for name, _, _ in out.items):
        raise DrugkgError("no monographs found", file=str(sources), expected="at least one drugs/*.yaml file")
    _check_across_files(out)
    return out


def _check_across_files(src: Sources) -> None:
    terms: dict[tuple[str, str], tuple[dict[str, Any], Path]] = {}
    drugs: dict[str, Path] = {}
    sources: dict[str, tuple[dict[str, Any], Path]] = {}
    subjects: set[str] = set()
    from loaders.monograph import monograph_triples  # local: only to know the typed subjects

    for name, path, parsed in src.items:
        if name != "monograph":
            continue
        m: Monograph = parsed
        if m.drug.id in drugs:
            raise DrugkgError(f"drug id {m.drug.id!r} is also defined in {drugs[m.drug.id]}", file=str(path),
                              where="drug.id", expected="one monograph per drug")
        drugs[m.drug.id] = path
        for kind in TERM_KINDS:
            for term in getattr(m.terms, kind):
                key = (kind, term.id)
                dumped = term.model_dump()
                if key in terms and terms[key][0] != dumped:
                    raise DrugkgError(
                        f"terms.{kind} {term.id!r} differs from its definition in {terms[key][1]}",
                        file=str(path), where=f"terms.{kind}", expected="the same definition of a shared term in every file",
                    )
                terms.setdefault(key, (dumped, path))
        for s in m.sources:
            dumped = s.model_dump()
            if s.id in sources and sources[s.id][0] != dumped:
                raise DrugkgError(f"source {s.id!r} differs from its definition in {sources[s.id][1]}",
                                  file=str(path), where="sources", expected="the same source record in every file")
            sources.setdefault(s.id, (dumped, path))
        subjects.update(str(s) for s, p, _ in monograph_triples(m) if str(p) == _RDF_TYPE)
    for name, path, parsed in src.items:
        if name != "sssom":
            continue
        ms: MappingSet = parsed
        for mapping, line in zip(ms.mappings, ms.lines, strict=True):
            if expand_subject(ms, mapping) not in subjects:
                raise DrugkgError(f"column subject_id: {mapping.subject_id!r} is not a resource of any monograph",
                                  file=str(path), where=f"line {line}", expected="the id of a curated drug or term")


def _graph_name(loader: str, path: Path) -> str:
    stem = path.name.split(".")[0]
    return f"{GRAPH}{LOADERS[loader].graph_kind}/{stem}"


def _issued(src: Sources) -> dt.date:
    dates = [s.last_updated for n, _, p in src.items if n == "monograph" for s in p.sources]
    dates += [p.metadata.mapping_date for n, _, p in src.items if n == "sssom"]
    return max(dates)


def _ontology_quads() -> list[ox.Quad]:
    """The ontology with its blank nodes (OWL axiom lists) given canonical labels, so dumps are stable."""
    graph = ox.NamedNode(GRAPH_ONTOLOGY)
    ds = ox.Dataset(q for path in sorted(ontology_dir().glob("*.ttl"))
                    for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return [ox.Quad(q.subject, q.predicate, q.object, graph) for q in ds]


def _load_store(store: ox.Store, src: Sources) -> dict[str, int]:
    store.bulk_extend(_ontology_quads())
    for name, path, parsed in src.items:
        store.bulk_extend(to_quads(LOADERS[name].triples(parsed), _graph_name(name, path)))
    store.bulk_extend(to_quads(examples_triples(), GRAPH_EXAMPLES))
    store.bulk_extend(to_quads(void_triples(store, _issued(src)), GRAPH_VOID))
    store.flush()
    sizes: dict[str, int] = {}
    for row in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        sizes[row["g"].value] = int(row["n"].value)  # type: ignore[index, union-attr]
    return dict(sorted(sizes.items()))


def _write_dumps(store: ox.Store, folder: Path) -> int:
    """Write every dump; returns the number of distinct triples of the union."""
    union = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    nt = ox.serialize(union, format=ox.RdfFormat.N_TRIPLES)  # type: ignore[arg-type]
    lines = sorted(set(nt.splitlines()))
    (folder / "drugkg.nt").write_bytes(b"\n".join(lines) + b"\n")
    triples = list(ox.parse(path=str(folder / "drugkg.nt"), format=ox.RdfFormat.N_TRIPLES))
    ox.serialize(triples, str(folder / "drugkg.ttl"), ox.RdfFormat.TURTLE, prefixes=TURTLE_PREFIXES)
    store.dump(str(folder / "drugkg.trig"), ox.RdfFormat.TRIG, prefixes=TURTLE_PREFIXES)
    expanded = json.loads(ox.serialize(triples, format=ox.RdfFormat.JSON_LD))
    context_ref = "context.jsonld"
    with (folder / "drugkg.jsonld").open("w", encoding="utf-8") as fh:
        json.dump({"@context": context_ref, "@graph": expanded}, fh, ensure_ascii=False, sort_keys=True)
    with (folder / "context.jsonld").open("w", encoding="utf-8") as fh:
        json.dump(_jsonld_context(), fh, indent=2, sort_keys=True)
    return len(lines)


def _jsonld_context() -> dict[str, Any]:
    """A context consumers can reuse: the prefixes, plus every drugkg property with its value type."""
    import rdflib

    ctx: dict[str, Any] = dict(TURTLE_PREFIXES)
    onto = rdflib.Graph()
    for path in sorted(ontology_dir().glob("*.ttl")):
        onto.parse(path, format="turtle")
    owl = rdflib.OWL
    vocab = TURTLE_PREFIXES["drugkg"]
    for prop in sorted(set(onto.subjects(rdflib.RDF.type, owl.ObjectProperty))):
        if str(prop).startswith(vocab):
            ctx[str(prop)[len(vocab):]] = {"@id": f"drugkg:{str(prop)[len(vocab):]}", "@type": "@id"}
    for prop in sorted(set(onto.subjects(rdflib.RDF.type, owl.DatatypeProperty))):
        if str(prop).startswith(vocab):
            rng = onto.value(prop, rdflib.RDFS.range)
            entry: dict[str, str] = {"@id": f"drugkg:{str(prop)[len(vocab):]}"}
            if rng is not None and str(rng) != str(rdflib.XSD.string):
                entry["@type"] = str(rng).replace(str(rdflib.XSD), "xsd:")
            ctx[str(prop)[len(vocab):]] = entry
    ctx["label"] = {"@id": "rdfs:label", "@container": "@language"}
    return {"@context": ctx}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_manifest(out_dir: Path) -> dict[str, Any] | None:
    try:
        return json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    except (OSError, ValueError):
        return None


def check_build(out_dir: Path) -> dict[str, Any]:
    """The manifest of a complete, unaltered build folder; DrugkgError naming what is wrong otherwise."""
    out_dir = Path(out_dir)
    _recover_interrupted_swap(out_dir)
    if not out_dir.is_dir():
        raise DrugkgError("no build here", file=str(out_dir), expected="a folder written by 'drugkg build'")
    manifest = read_manifest(out_dir)
    if manifest is None or not isinstance(manifest.get("files"), dict):
        raise DrugkgError(f"{MANIFEST} is missing or unreadable: the build is partial or corrupt",
                          file=str(out_dir), expected="a folder written by 'drugkg build' (run it again)")
    for name, digest in manifest["files"].items():
        path = out_dir / name
        if not path.is_file():
            raise DrugkgError(f"{name} is missing: the build is partial", file=str(out_dir),
                              expected="every file listed in manifest.json (run 'drugkg build' again)")
        if _sha256(path) != digest:
            raise DrugkgError(f"{name} does not match its checksum: the build is corrupt", file=str(out_dir),
                              expected="files as written by 'drugkg build' (run it again)")
    if not (out_dir / STORE_DIR).is_dir():
        raise DrugkgError("store/ is missing: the build is partial", file=str(out_dir),
                          expected="a folder written by 'drugkg build' (run it again)")
    return manifest


def build_is_current(out_dir: Path, sources: Path | None = None) -> bool:
    """True when `out_dir` holds a complete build of exactly the current inputs."""
    try:
        manifest = check_build(out_dir)
    except DrugkgError:
        return False
    return bool(manifest.get("inputs_sha256") == inputs_digest(sources))


def _recover_interrupted_swap(out_dir: Path) -> None:
    """If a build was killed between moving the old folder aside and the new one in, put the old back."""
    if out_dir.exists():
        return
    for old in sorted(out_dir.parent.glob(f".{out_dir.name}.old-*")):
        if (old / MANIFEST).is_file():
            os.replace(old, out_dir)
            return


def build(out_dir: Path, sources: Path | None = None) -> Path:
    """Build everything from `sources` (default: the shipped data) into `out_dir`; returns `out_dir`."""
    out_dir = Path(out_dir).resolve()
    sources = Path(sources).resolve() if sources else data_dir()
    _recover_interrupted_swap(out_dir)
    digest = inputs_digest(sources)
    src = read_sources(sources)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    tmp.chmod(0o755)
    try:
        store = ox.Store(str(tmp / STORE_DIR))
        sizes = _load_store(store, src)
        triples = _write_dumps(store, tmp)
        void = store.query(
            "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <%s> { ?s ?p ?o } }" % GRAPH_VOID  # constant IRI, no user input
        )
        ox.serialize(void, str(tmp / "void.ttl"), ox.RdfFormat.TURTLE, prefixes=TURTLE_PREFIXES)  # type: ignore[arg-type]
        store.flush()
        del store
        files = {name: _sha256(tmp / name) for name in (*DUMP_FILES, "context.jsonld", "void.ttl")}
        manifest = {
            "drugkg_version": __version__,
            "inputs_sha256": digest,
            "triples": triples,
            "graphs": sizes,
            "sources": [str(path.relative_to(sources)) for _, path, _ in src.items],
            "files": files,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        _swap_into_place(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("built %d triples in %d graphs into %s", triples, len(sizes), out_dir)
    return out_dir


def _swap_into_place(tmp: Path, out_dir: Path) -> None:
    if out_dir.exists() and not (out_dir / MANIFEST).is_file() and any(out_dir.iterdir()):
        raise DrugkgError("exists and is not a drugkg build; refusing to replace it", file=str(out_dir),
                          expected="an empty folder, a previous build, or a new path")
    old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(tmp, out_dir)
    shutil.rmtree(old, ignore_errors=True)


def iter_dump_triples(out_dir: Path) -> Iterable[ox.Triple]:
    return ox.parse(path=str(Path(out_dir) / "drugkg.nt"), format=ox.RdfFormat.N_TRIPLES)  # type: ignore[return-value]
