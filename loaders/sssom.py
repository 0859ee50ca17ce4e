"""Loader for SSSOM mapping tables (`data/mappings/*.sssom.tsv`): cross-references to public identifiers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal as TypingLiteral

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from drugkg.errors import DrugkgError
from drugkg.namespaces import RESOURCE, XREF_PREFIXES, expand_curie, resource_iri
from loaders.yaml_source import parse_yaml_text

__all__ = ["SEMAPV", "SSSOM", "Mapping", "MappingSet", "expand_subject", "read_sssom", "sssom_triples"]

SSSOM = "https://w3id.org/sssom/"
SEMAPV = "https://w3id.org/semapv/vocab/"
REQUIRED_COLUMNS = ("subject_id", "predicate_id", "object_id", "mapping_justification")
OPTIONAL_COLUMNS = ("subject_label", "object_label", "comment", "confidence")
PREDICATES = {
    "skos:exactMatch": SKOS.exactMatch,
    "skos:closeMatch": SKOS.closeMatch,
    "skos:broadMatch": SKOS.broadMatch,
    "skos:narrowMatch": SKOS.narrowMatch,
    "skos:relatedMatch": SKOS.relatedMatch,
}
JUSTIFICATIONS = (
    "semapv:ManualMappingCuration",
    "semapv:LexicalMatching",
    "semapv:LogicalReasoning",
    "semapv:MappingReview",
    "semapv:UnspecifiedMatching",
)
MAX_SSSOM_BYTES = 32 * 1024 * 1024
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # C0 controls other than tab, LF, CR


class MappingSetMetadata(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    mapping_set_id: str = Field(pattern=r"^https://w3id\.org/drugkg/mappings/[a-z0-9-]+$")
    mapping_set_title: str = Field(min_length=1)
    mapping_set_description: str | None = None
    license: str = Field(pattern=r"^https?://\S+$")
    mapping_date: dt.date
    creator_label: tuple[str, ...] = Field(min_length=1)
    curie_map: dict[str, str]

    @field_validator("curie_map")
    @classmethod
    def _drugkg_prefix(cls, value: dict[str, str]) -> dict[str, str]:
        if value.get("drugkg") != str(RESOURCE):
            raise ValueError(f"curie_map must map 'drugkg' to {RESOURCE}")
        return value


class Mapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    subject_id: str
    subject_label: str | None = None
    predicate_id: TypingLiteral[
        "skos:exactMatch", "skos:closeMatch", "skos:broadMatch", "skos:narrowMatch", "skos:relatedMatch"
    ]
    object_id: str
    object_label: str | None = None
    mapping_justification: TypingLiteral[
        "semapv:ManualMappingCuration",
        "semapv:LexicalMatching",
        "semapv:LogicalReasoning",
        "semapv:MappingReview",
        "semapv:UnspecifiedMatching",
    ]
    comment: str | None = None
    confidence: float | None = Field(default=None, ge=0, le=1)


@dataclass(frozen=True)
class MappingSet:
    path: Path
    metadata: MappingSetMetadata
    mappings: tuple[Mapping, ...]
    lines: tuple[int, ...]  # the file line of each mapping, for error messages

    @property
    def name(self) -> str:
        return self.metadata.mapping_set_id.rsplit("/", 1)[1]


def _err(path: Path, line: int | None, message: str, expected: str | None = None) -> DrugkgError:
    return DrugkgError(message, file=str(path), where=f"line {line}" if line else None, expected=expected)


def _read_text(path: Path) -> str:
    if path.is_dir():
        raise _err(path, None, "is a folder, not an SSSOM file")
    try:
        if path.stat().st_size > MAX_SSSOM_BYTES:
            raise _err(path, None, "file too large", f"at most {MAX_SSSOM_BYTES} bytes")
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise _err(
            path, line, f"is not UTF-8 text (byte 0x{raw[err.start]:02x} at offset {err.start})", "UTF-8"
        ) from None
    except OSError as err:
        raise _err(path, None, f"cannot be read: {err.strerror or err}") from None
    bad = _CONTROL.search(text)
    if bad:
        raise _err(
            path,
            text[: bad.start()].count("\n") + 1,
            f"control character U+{ord(bad.group()):04X} in the text",
            "printable text; cells separated by tabs",
        )
    return text


def _split_lines(text: str) -> list[str]:
    # TSV rows end at "\n" (or "\r\n") only: str.splitlines() would also split inside a cell at
    # U+2028, U+0085, form feeds and other Unicode line breaks that are legal cell content.
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def _metadata(path: Path, lines: list[str]) -> tuple[MappingSetMetadata, int]:
    """The metadata block and how many lines it takes."""
    meta_lines = []
    for line in lines:
        if not line.startswith("#"):
            break
        meta_lines.append(line[1:].removeprefix(" "))
    meta_doc = parse_yaml_text("\n".join(meta_lines), path) if any(m.strip() for m in meta_lines) else None
    raw_meta = meta_doc.value if meta_doc else None
    if not isinstance(raw_meta, dict):
        raise _err(path, 1, "missing metadata block", "'#'-prefixed YAML lines with mapping_set_id, license, curie_map")
    assert meta_doc is not None
    try:
        metadata = MappingSetMetadata.model_validate(raw_meta)
    except ValidationError as err:
        e = err.errors()[0]
        field = ".".join(str(p) for p in e["loc"]) or "metadata"
        raise _err(path, meta_doc.line_of(tuple(e["loc"])), f"metadata field {field}: {e['msg']}") from None
    # the graph expands cross-reference CURIEs with drugkg's prefix map: the file may not say otherwise
    for prefix, iri in metadata.curie_map.items():
        if prefix in XREF_PREFIXES and iri != XREF_PREFIXES[prefix]:
            raise _err(
                path,
                meta_doc.line_of(("curie_map", prefix)),
                f"metadata field curie_map.{prefix}: curie_map maps {prefix!r} to {iri}, "
                f"but drugkg expands it to {XREF_PREFIXES[prefix]}",
                XREF_PREFIXES[prefix],
            )
    return metadata, len(meta_lines)


def _columns(path: Path, reader: Iterator[list[str]], header_line: int) -> list[str]:
    try:
        columns = next(reader)
    except StopIteration:
        raise _err(
            path, header_line, "no header row", "a tab-separated header naming " + ", ".join(REQUIRED_COLUMNS)
        ) from None
    except csv.Error as err:
        raise _err(path, header_line, f"malformed header row: {err}") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    unknown = [c for c in columns if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if missing or unknown or len(set(columns)) != len(columns):
        what = f"missing columns {missing}" if missing else f"unknown or repeated columns {unknown or columns}"
        raise _err(path, header_line, what, "columns " + ", ".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS))
    return columns


def _mapping(path: Path, line_no: int, columns: list[str], row: list[str], metadata: MappingSetMetadata) -> Mapping:
    if len(row) != len(columns):
        raise _err(path, line_no, f"row has {len(row)} fields", f"{len(columns)} tab-separated fields")
    record = {c: (v if v != "" else None) for c, v in zip(columns, row, strict=True)}
    try:
        mapping = Mapping.model_validate(record)
    except ValidationError as err:
        e = err.errors()[0]
        field = str(e["loc"][0]) if e["loc"] else "row"
        raise _err(path, line_no, f"column {field}: {e['msg']} (got {record.get(field)!r})") from None
    for column, curie in (("subject_id", mapping.subject_id), ("object_id", mapping.object_id)):
        if _expand(curie, metadata) is None:
            raise _err(
                path,
                line_no,
                f"column {column}: unknown prefix or malformed CURIE {curie!r}",
                "PREFIX:local with a prefix from the drugkg prefix map",
            )
    if not mapping.subject_id.startswith("drugkg:"):
        raise _err(
            path,
            line_no,
            f"column subject_id: {mapping.subject_id!r} is not a drugkg resource",
            "a subject of the form drugkg:<kind>/<id>",
        )
    return mapping


def read_sssom(path: Path) -> MappingSet:
    """Parse and check an SSSOM TSV file with its embedded YAML metadata block."""
    path = Path(path)
    lines = _split_lines(_read_text(path))
    metadata, meta_count = _metadata(path, lines)
    header_line = meta_count + 1
    reader = csv.reader(io.StringIO("\n".join(lines[meta_count:])), delimiter="\t", strict=True)
    columns = _columns(path, reader, header_line)
    mappings: list[Mapping] = []
    mapping_lines: list[int] = []
    seen: dict[tuple[str, str, str], int] = {}
    line_no = header_line
    try:
        for row in reader:
            line_no = header_line + reader.line_num - 1
            if not row or all(not cell.strip() for cell in row):
                continue
            mapping = _mapping(path, line_no, columns, row, metadata)
            key = (mapping.subject_id, mapping.predicate_id, mapping.object_id)
            if key in seen:
                raise _err(path, line_no, f"duplicate mapping (first on line {seen[key]})")
            seen[key] = line_no
            mappings.append(mapping)
            mapping_lines.append(line_no)
    except csv.Error as err:
        raise _err(path, line_no + 1, f"malformed TSV: {err}") from None
    if not mappings:
        raise _err(path, header_line + 1, "no mapping rows")
    return MappingSet(path=path, metadata=metadata, mappings=tuple(mappings), lines=tuple(mapping_lines))


def expand_subject(ms: MappingSet, mapping: Mapping) -> str:
    """The IRI of a mapping's drugkg subject."""
    return _expand(mapping.subject_id, ms.metadata) or ""


def _expand(curie: str, metadata: MappingSetMetadata) -> str | None:
    prefix, sep, local = curie.partition(":")
    if prefix == "drugkg" and sep:
        if (
            not local
            or any(ch.isspace() for ch in local)
            or not all(part and part.replace("-", "").isalnum() and part == part.lower() for part in local.split("/"))
            or local.count("/") != 1
        ):
            return None
        return metadata.curie_map["drugkg"] + local
    return expand_curie(curie)


def sssom_triples(ms: MappingSet) -> Iterator[tuple[URIRef, URIRef, URIRef | Literal]]:
    """The mapping triples (subject skos:xMatch object) and one node per mapping with its justification."""
    set_node = URIRef(ms.metadata.mapping_set_id)
    yield set_node, RDF.type, URIRef(SSSOM + "MappingSet")
    yield set_node, RDFS.label, Literal(ms.metadata.mapping_set_title, lang="en")
    yield set_node, DCTERMS.title, Literal(ms.metadata.mapping_set_title, lang="en")
    if ms.metadata.mapping_set_description:
        yield set_node, DCTERMS.description, Literal(ms.metadata.mapping_set_description, lang="en")
    yield set_node, DCTERMS.license, URIRef(ms.metadata.license)
    yield set_node, DCTERMS.issued, Literal(ms.metadata.mapping_date.isoformat(), datatype=XSD.date)
    for creator in ms.metadata.creator_label:
        yield set_node, DCTERMS.creator, Literal(creator)
    for i, m in enumerate(ms.mappings, start=1):
        subject = URIRef(_expand(m.subject_id, ms.metadata) or "")
        obj = URIRef(_expand(m.object_id, ms.metadata) or "")
        yield subject, PREDICATES[m.predicate_id], obj
        node = URIRef(resource_iri("mapping", f"{ms.name}-{i}"))
        yield set_node, URIRef(SSSOM + "mappings"), node
        yield node, RDF.type, URIRef(SSSOM + "Mapping")
        yield node, RDFS.label, Literal(f"{m.subject_id} {m.predicate_id} {m.object_id}")
        yield node, URIRef(SSSOM + "subject_id"), subject
        yield node, URIRef(SSSOM + "predicate_id"), PREDICATES[m.predicate_id]
        yield node, URIRef(SSSOM + "object_id"), obj
        yield node, URIRef(SSSOM + "mapping_justification"), URIRef(SEMAPV + m.mapping_justification.split(":", 1)[1])
        if m.comment:
            yield node, RDFS.comment, Literal(m.comment, lang="en")
