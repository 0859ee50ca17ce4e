"""Read what `drugkg validate` checks (a build folder or the user's RDF files) into one Oxigraph store, safely.

Hostile input is refused before any parser sees it: files above `MAX_INPUT_BYTES`, RDF/XML with a
DOCTYPE or entity declarations (no entity expansion, no external entities), and JSON-LD whose
`@context` is remote (nothing is fetched). A relative `@context` naming a file next to the document
(as the build's `drugkg.jsonld` does with `context.jsonld`) is read from disk.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from drugkg.buildfolder import MANIFEST, check_build
from drugkg.errors import DrugkgError
from drugkg.resources import ontology_dir
from drugkg.validation.nesting import check_nesting

__all__ = [
    "FORMATS",
    "MAX_INPUT_BYTES",
    "format_for",
    "is_build_folder",
    "ontology_quads",
    "read_build",
    "read_files",
    "read_quads",
    "read_rdf",
]

MAX_INPUT_BYTES = 1 << 30  # 1 GiB per file: about 6 million triples of N-Triples
FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ntriples": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_MAX_CONTEXT_BYTES = 1 << 20


def is_build_folder(path: Path) -> bool:
    return path.is_dir() and (path / MANIFEST).is_file()


def format_for(path: Path) -> ox.RdfFormat:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DrugkgError(
            f"unknown RDF file extension {path.suffix or '(none)'!r}",
            file=str(path),
            expected="one of " + ", ".join(sorted(FORMATS)),
        )
    return fmt


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        if path.is_dir():
            raise DrugkgError(
                "is a folder but not a drugkg build (no manifest.json)",
                file=str(path),
                expected="an RDF file or a folder written by 'drugkg build'",
            )
        size = path.stat().st_size
        if size > max_bytes:
            raise DrugkgError(
                f"file is {size} bytes, above the limit of {max_bytes}",
                file=str(path),
                expected=f"at most {max_bytes} bytes (raise it with --max-bytes)",
            )
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as err:
        raise DrugkgError(f"cannot be read: {err.strerror or err}", file=str(path)) from None
    if len(data) > max_bytes:
        raise DrugkgError(f"file is above the limit of {max_bytes} bytes", file=str(path))
    return data


def _inline_contexts(doc: object, base: Path, path: Path) -> object:
    """Replace each string @context with the local file it names; refuse anything remote."""
    if isinstance(doc, list):
        return [_inline_contexts(item, base, path) for item in doc]
    if not isinstance(doc, dict):
        return doc
    out = {}
    for key, value in doc.items():
        if key == "@context":
            value = _resolve_context(value, base, path)
        else:
            value = _inline_contexts(value, base, path)
        out[key] = value
    return out


def _resolve_context(value: object, base: Path, path: Path) -> object:
    if isinstance(value, list):
        return [_resolve_context(item, base, path) for item in value]
    if isinstance(value, dict):
        return _inline_contexts(value, base, path)
    if isinstance(value, str):
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value) or value.startswith("//"):
            raise DrugkgError(
                f"JSON-LD @context {value!r} is remote; drugkg validate fetches nothing",
                file=str(path),
                expected="an inline @context, or a relative file name next to the document",
            )
        local = (base / value).resolve()
        if local.parent != base.resolve() or not local.is_file():
            raise DrugkgError(
                f"JSON-LD @context {value!r} is not a file next to the document",
                file=str(path),
                expected="an inline @context, or a relative file name next to the document",
            )
        try:
            ctx = json.loads(_read_bytes(local, _MAX_CONTEXT_BYTES))
        except ValueError as err:
            raise DrugkgError(f"JSON-LD context file is not JSON: {err}", file=str(local)) from None
        inner = ctx.get("@context") if isinstance(ctx, dict) else None
        if inner is None:
            raise DrugkgError("JSON-LD context file has no @context", file=str(local))
        return _resolve_context(inner, base, local)
    return value


def _syntax_error(path: Path, err: SyntaxError) -> DrugkgError:
    line, column = getattr(err, "lineno", None), getattr(err, "offset", None)
    where = f"line {line}, column {column}" if line else None
    message = str(getattr(err, "msg", err)) or "syntax error"
    message = re.sub(
        r"^Parser error (at line \d+ between columns \d+ and \d+"
        r"|between line \d+ column \d+ and line \d+ column \d+|at line \d+ column \d+)?:?\s*",
        "",
        message,
    )
    return DrugkgError(f"syntax error: {message}", file=str(path), where=where)


def read_quads(path: Path, max_bytes: int = MAX_INPUT_BYTES, *, allow_empty: bool = False) -> list[ox.Quad]:
    """The triples of one RDF file (named graphs merged), refused with a clear error when empty or hostile."""
    return read_rdf(path, max_bytes, allow_empty=allow_empty)[0]


def read_rdf(
    path: Path, max_bytes: int = MAX_INPUT_BYTES, *, allow_empty: bool = False
) -> tuple[list[ox.Quad], dict[str, str]]:
    """`read_quads`, and the prefixes the file declares."""
    quads, prefixes = _file_quads(Path(path), max_bytes)
    if not quads and not allow_empty:
        raise DrugkgError(
            "no triples", file=str(path), expected="an RDF file stating at least one triple (or --allow-empty)"
        )
    return quads, prefixes


def _file_quads(path: Path, max_bytes: int) -> tuple[list[ox.Quad], dict[str, str]]:
    fmt = format_for(path)
    data = _read_bytes(path, max_bytes)
    check_nesting(data, fmt, str(path))
    if fmt == ox.RdfFormat.RDF_XML and _DTD.search(data):
        raise DrugkgError(
            "RDF/XML with a DOCTYPE or entity declaration is refused (entities could read files or the network)",
            file=str(path),
            expected="RDF/XML without <!DOCTYPE> or <!ENTITY>",
        )
    if fmt == ox.RdfFormat.JSON_LD:
        try:
            doc = json.loads(data)
        except UnicodeDecodeError:
            raise DrugkgError("is not UTF-8 text", file=str(path)) from None
        except json.JSONDecodeError as err:
            raise DrugkgError(
                f"syntax error: {err.msg}", file=str(path), where=f"line {err.lineno}, column {err.colno}"
            ) from None
        data = json.dumps(_inline_contexts(doc, path.parent, path)).encode()
    try:
        parser = ox.parse(data, format=fmt, base_iri=path.resolve().as_uri())
        quads = [ox.Quad(q.subject, q.predicate, q.object) for q in parser]
        return quads, dict(parser.prefixes)
    except SyntaxError as err:
        raise _syntax_error(path, err) from None
    except (ValueError, OSError) as err:
        raise DrugkgError(f"cannot be parsed: {err}", file=str(path)) from None


def ontology_quads() -> Iterator[ox.Quad]:
    for path in sorted(ontology_dir().glob("*.ttl")):
        for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            yield ox.Quad(q.subject, q.predicate, q.object)


def read_files(
    paths: Iterable[Path], *, with_ontology: bool = True, max_bytes: int = MAX_INPUT_BYTES, allow_empty: bool = False
) -> ox.Store:
    """The union of `paths` (named graphs merged into the default graph), plus drugkg's ontology."""
    store = ox.Store()
    for path in paths:
        store.bulk_extend(read_quads(Path(path), max_bytes, allow_empty=allow_empty))
    if with_ontology:
        store.bulk_extend(list(ontology_quads()))
    return store


def read_build(build_dir: Path) -> ox.Store:
    """The union graph of a complete build folder (checked against its manifest), in an in-memory store."""
    check_build(build_dir)
    store = ox.Store()
    store.bulk_load(path=str(Path(build_dir) / "drugkg.nt"), format=ox.RdfFormat.N_TRIPLES)
    return store
