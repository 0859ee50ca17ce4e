"""Read a curated YAML file into plain Python values, remembering the line of every value.

Curated files are data, not programs: anchors and aliases (the "billion laughs" bomb), duplicate
keys, custom tags, non-UTF-8 text and oversized files are refused with the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml

from drugkg.errors import DrugkgError

__all__ = ["MAX_DEPTH", "MAX_YAML_BYTES", "YamlDocument", "parse_yaml_text", "read_yaml"]

MAX_YAML_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 32

Location = tuple[str | int, ...]
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The safe loader, with the implicit-tag resolution of each scalar remembered: the resolver's
    regular expressions are the costliest part of composing a large file, and values repeat."""

    _resolved: ClassVar[dict[tuple[Any, ...], str]] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if self.yaml_path_resolvers:  # tags that depend on the path: nothing to remember
            return super().resolve(kind, value, implicit)
        key = (kind, value, implicit)
        tag = self._resolved.get(key)
        if tag is None:
            if len(self._resolved) > 1 << 16:
                self._resolved.clear()
            tag = self._resolved[key] = super().resolve(kind, value, implicit)
        return tag


@dataclass
class YamlDocument:
    """The parsed value of a YAML file and the line (1-based) where each nested value starts."""

    path: Path
    value: Any
    lines: dict[Location, int] = field(default_factory=dict)

    def line_of(self, location: Location) -> int:
        """The line of the deepest known value on `location` (a path such as ('drug', 'label'))."""
        loc = tuple(location)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), 1)


def _error(path: Path, line: int | None, message: str, expected: str | None = None) -> DrugkgError:
    return DrugkgError(message, file=str(path), where=f"line {line}" if line else None, expected=expected)


def read_yaml(path: Path) -> YamlDocument:
    path = Path(path)
    if path.is_dir():
        raise _error(path, None, "is a folder, not a YAML file")
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise _error(path, None, f"file is {size} bytes", f"at most {MAX_YAML_BYTES} bytes")
        raw = path.read_bytes()
    except OSError as err:
        raise _error(path, None, f"cannot be read: {err.strerror or err}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise _error(path, line, f"is not UTF-8 text (byte 0x{raw[err.start]:02x})", "UTF-8") from None
    return parse_yaml_text(text, path)


def parse_yaml_text(text: str, path: Path) -> YamlDocument:
    """Parse YAML text (read from `path`, for messages) with the same refusals as `read_yaml`."""
    path = Path(path)
    try:
        if "&" in text or "*" in text:  # an anchor needs '&' and an alias '*': without both, skip the scan
            for event in yaml.parse(text, Loader=_Loader):
                if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                    at = event.start_mark.line + 1 if event.start_mark is not None else 1
                    raise _error(path, at, "YAML anchors and aliases are not allowed in curated data")
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        raise DrugkgError(f"malformed YAML: {err.problem or err.context}", file=str(path), where=where) from None
    except yaml.reader.ReaderError as err:
        # A character YAML does not allow (control characters, NUL): the reader gives a character offset.
        line = text[: max(err.position, 0)].count("\n") + 1 if isinstance(err.position, int) else None
        raise _error(
            path,
            line,
            f"malformed YAML: character {_char(err.character)} is not allowed in YAML text",
            "printable Unicode text",
        ) from None
    except yaml.YAMLError as err:
        raise _error(path, None, f"malformed YAML: {err}") from None
    except RecursionError:
        raise _error(path, None, f"nesting deeper than {MAX_DEPTH} levels") from None
    if node is None:
        raise _error(path, 1, "is empty", "a YAML mapping")
    doc = YamlDocument(path=path, value=None)
    doc.value = _convert(node, (), doc, 0, yaml.SafeLoader(""))
    return doc


def _char(character: object) -> str:
    code = character if isinstance(character, int) else ord(str(character)[:1] or "\0")
    return f"U+{code:04X}"


def _convert(node: yaml.Node, loc: Location, doc: YamlDocument, depth: int, scalars: yaml.SafeLoader) -> Any:
    line = node.start_mark.line + 1
    doc.lines.setdefault(loc, line)
    if depth > MAX_DEPTH:
        raise _error(doc.path, line, f"nesting deeper than {MAX_DEPTH} levels")
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _error(doc.path, key_node.start_mark.line + 1, "a mapping key must be a plain string")
            key = key_node.value
            if key in result:
                raise _error(doc.path, key_node.start_mark.line + 1, f"duplicate key {key!r}")
            doc.lines[(*loc, key)] = key_node.start_mark.line + 1
            result[key] = _convert(value_node, (*loc, key), doc, depth + 1, scalars)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*loc, i), doc, depth + 1, scalars) for i, item in enumerate(node.value)]
    if node.tag == "tag:yaml.org,2002:str" and isinstance(node, yaml.ScalarNode):
        return node.value  # what the safe constructor returns for a string, without its overhead
    if node.tag.startswith("tag:yaml.org,2002:") and node.tag.rsplit(":", 1)[1] in {
        "str",
        "int",
        "float",
        "bool",
        "null",
        "timestamp",
    }:
        try:
            return scalars.construct_object(node)
        except (ValueError, OverflowError, yaml.YAMLError):
            # e.g. a date that does not exist (2025-13-45) or an integer of thousands of digits
            kind = node.tag.rsplit(":", 1)[1]
            shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
            field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".") or "(top level)"
            expected = {"timestamp": "a real date (YYYY-MM-DD)", "int": "an integer of at most 4300 digits"}
            raise _error(
                doc.path, line, f"{field}: {shown!r} is not a valid YAML {kind}", expected.get(kind, f"a {kind} value")
            ) from None
    raise _error(doc.path, line, f"unsupported YAML tag {node.tag!r}")
