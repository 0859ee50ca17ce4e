"""What a query is and whether drugkg runs it, decided from the grammar's tokens (drugkg.sparql.lexer).

`analyse(text)` reads the query once (cached by text) and gives its form, prologue, dataset
clauses, variables, the offset of its WHERE group and its nesting depth; it raises QueryRefused
for what drugkg never runs:

- SPARQL Update (403): the first keyword after the prologue is an update operation;
- anything that reads a URL or a file (403): the keyword `SERVICE` (federation) or `LOAD`;
- a prefixed name whose prefix is `SERVICE` (400): Oxigraph reads `SERVICE:g {` as the keyword
  followed by `:g`, the grammar as a name, so the two readings would differ;
- nesting deeper than MAX_DEPTH (400), counted on the tokens, before any recursive parser sees the query;
- text that is no sequence of SPARQL terminals (400).

Everything else is left to the engine's parser, whose syntax errors are answered with 400.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import urljoin

from drugkg.errors import DrugkgError
from drugkg.sparql.lexer import LexError, Token, TooDeep, tokenize

__all__ = [
    "MAX_DEPTH",
    "QUERY_FORMS",
    "UPDATE_OPERATIONS",
    "DatasetClause",
    "QueryRefused",
    "QueryText",
    "analyse",
    "service_in_algebra",
]

# Deep enough for any real query (the catalogue's deepest is 6, the W3C suites' 9); shallow
# enough that neither Oxigraph's recursive parser nor rdflib's pyparsing grammar overflows.
MAX_DEPTH = 64
QUERY_FORMS = frozenset(("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"))
UPDATE_OPERATIONS = frozenset(("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"))
_FETCHING = frozenset(("SERVICE", "LOAD"))
_OPENERS = frozenset("{([")
_CLOSERS = frozenset("})]")


class QueryRefused(DrugkgError):
    """A query drugkg will not evaluate; `status` is the HTTP status to answer with (400 or 403).

    In the CLI it is a DrugkgError like any other: the message, and exit code 2.
    """

    def __init__(self, message: str, status: int, *, fetches: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.fetches = fetches  # the query would read another URL or a file (SERVICE, LOAD)


@dataclass(frozen=True)
class DatasetClause:
    """The IRIs of a query's FROM and FROM NAMED clauses, resolved against its BASE (if any)."""

    default: tuple[str, ...] = ()
    named: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.default or self.named)


@dataclass(frozen=True)
class QueryText:
    """A query that passed the policy, with what the lexer found in it."""

    text: str
    form: str | None  # SELECT, ASK, CONSTRUCT, DESCRIBE; None when no form keyword follows the prologue
    base: str | None
    prefixes: dict[str, str]
    dataset: DatasetClause
    variables: frozenset[str]
    where_brace: int | None  # offset of the `{` opening the WHERE group
    construct_short: bool  # `CONSTRUCT WHERE { ... }`: the template is the pattern
    depth: int
    words: frozenset[str]  # every bare word (keywords, function names), upper case

    @property
    def is_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")

    def resolve(self, iri: str, request_base: str | None = None) -> str:
        """`iri` (relative or not) resolved against the query's BASE, itself resolved against `request_base`."""
        base = self.base if request_base is None else urljoin(request_base, self.base or "")
        return urljoin(base, iri) if base else iri


@dataclass
class _Reading:
    """What the scan has gathered so far."""

    base: str | None = None
    form: str | None = None
    where_brace: int | None = None
    construct_short: bool = False
    template_seen: bool = False
    depth: int = 0
    max_depth: int = 0


def _refuse_word(token: Token, first_word: bool) -> None:
    upper = token.text.upper()
    if first_word and upper in UPDATE_OPERATIONS:
        raise QueryRefused(f"SPARQL Update ({upper}) is not allowed: this endpoint is read-only", 403)
    if upper in _FETCHING:
        raise QueryRefused(
            f"{upper} is not allowed: drugkg never fetches other URLs or files (federated queries are refused)",
            403,
            fetches=True,
        )


def _refuse_pname(token: Token) -> None:
    prefix = token.text.split(":", 1)[0]
    if prefix.upper() == "SERVICE":  # LOAD is no keyword of the query grammar, so `load:x` is only a name
        raise QueryRefused(
            f"the prefixed name {token.text} at offset {token.offset} would be read as the keyword "
            f"{prefix.upper()} by the query engine; declare the namespace under another prefix",
            400,
            fetches=True,
        )


def _max_depth(tokens: list[Token]) -> int:
    """How deep the brackets nest (only punctuation has these texts)."""
    depth = deepest = 0
    for token in tokens:
        text = token.text
        if text in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        elif text in _CLOSERS:
            depth -= 1
    return deepest


def _where(tokens: list[Token], index: int, reading: _Reading) -> None:
    """Note the WHERE group: the first `{` at depth 0 after the form, except a CONSTRUCT template."""
    if reading.where_brace is not None or reading.form is None or reading.depth != 0:
        return
    previous = tokens[index - 1].text.upper() if index else ""
    if reading.form == "CONSTRUCT":
        if previous == "CONSTRUCT":
            reading.template_seen = True
            return
        reading.construct_short = not reading.template_seen
    if reading.form == "DESCRIBE" and previous != "WHERE":
        return
    reading.where_brace = tokens[index].offset


def _prologue(tokens: list[Token], prefixes: dict[str, str], reading: _Reading) -> int:
    """Read BASE and PREFIX declarations; the index of the first token after them."""
    i = 0
    while i + 1 < len(tokens):
        word = tokens[i].text.upper() if tokens[i].kind == "word" else ""
        if word == "BASE" and tokens[i + 1].kind == "iri":
            reading.base = urljoin(reading.base or "", tokens[i + 1].text[1:-1])
            i += 2
        elif word == "PREFIX" and i + 2 < len(tokens) and tokens[i + 1].kind == "pname" and tokens[i + 2].kind == "iri":
            prefixes[tokens[i + 1].text.rstrip(":")] = urljoin(reading.base or "", tokens[i + 2].text[1:-1])
            i += 3
        else:
            break
    return i


def _dataset(tokens: list[Token], prefixes: dict[str, str], base: str | None) -> DatasetClause:
    default: list[str] = []
    named: list[str] = []
    depth = 0
    for i, token in enumerate(tokens):
        if token.text in _OPENERS:
            depth += 1
        elif token.text in _CLOSERS:
            depth -= 1
        if depth or token.kind != "word" or token.text.upper() != "FROM":
            continue
        target = tokens[i + 1 : i + 3]
        into = default
        if target and target[0].kind == "word" and target[0].text.upper() == "NAMED":
            into, target = named, target[1:]
        if target:
            into.append(_iri_of(target[0], prefixes, base))
    return DatasetClause(tuple(default), tuple(named))


def _iri_of(token: Token, prefixes: dict[str, str], base: str | None) -> str:
    if token.kind == "iri":
        return urljoin(base, token.text[1:-1]) if base else token.text[1:-1]
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local.replace("\\", "")
    raise QueryRefused(f"FROM must name a graph by an IRI, not {token.text!r} (offset {token.offset})", 400)


def _scan(text: str) -> list[Token]:
    try:
        return tokenize(text, max_depth=MAX_DEPTH)
    except TooDeep as err:
        raise QueryRefused(
            f"the query nests brackets more than {MAX_DEPTH} deep (at offset {err.offset}); "
            "write it with fewer nested groups or parentheses",
            400,
        ) from None
    except LexError as err:
        line = text.count("\n", 0, err.offset) + 1
        column = err.offset - (text.rfind("\n", 0, err.offset) + 1) + 1
        what = str(err)
        if text.startswith("\\", err.offset):
            what += " (a backslash escape such as \\u0053 is read only inside strings, IRIs and prefixed names)"
        raise QueryRefused(f"SPARQL syntax error at line {line}, column {column}: {what}", 400) from None


def _read(text: str) -> tuple[list[Token], _Reading, dict[str, str], int]:
    reading = _Reading()
    tokens = _scan(text)
    reading.max_depth = _max_depth(tokens)
    prefixes: dict[str, str] = {}
    start = _prologue(tokens, prefixes, reading)
    return tokens, reading, prefixes, start


def analyse(text: str) -> QueryText:
    """The policy's verdict on `text`: a QueryText, or QueryRefused (see the module docstring)."""
    verdict = _verdict(text)
    if isinstance(verdict, QueryRefused):
        raise QueryRefused(str(verdict), verdict.status, fetches=verdict.fetches)
    return verdict


@functools.lru_cache(maxsize=2048)
def _verdict(text: str) -> QueryText | QueryRefused:
    """The verdict, refusals cached too: the same refused query sent again costs a lookup."""
    try:
        return _analysed(text)
    except QueryRefused as refusal:
        return QueryRefused(str(refusal), refusal.status, fetches=refusal.fetches)  # without its frames


def _analysed(text: str) -> QueryText:
    tokens, reading, prefixes, start = _read(text)
    words: set[str] = set()
    variables: set[str] = set()
    depth = 0
    for index, token in enumerate(tokens):
        kind, value = token.kind, token.text
        if kind == "word":
            upper = value.upper()
            if upper in _FETCHING or (index == start and upper in UPDATE_OPERATIONS):
                _refuse_word(token, index == start)
            words.add(upper)
            if index == start and upper in QUERY_FORMS:
                reading.form = upper
        elif kind == "var":
            variables.add(value[1:])
        elif kind == "pname":
            if value.partition(":")[0].upper() == "SERVICE":
                _refuse_pname(token)
        elif value in _OPENERS:
            if value == "{":
                reading.depth = depth
                _where(tokens, index, reading)
            depth += 1
        elif value in _CLOSERS:
            depth -= 1
    return QueryText(
        text=text,
        form=reading.form,
        base=reading.base,
        prefixes=prefixes,
        dataset=_dataset(tokens[start:], prefixes, reading.base),
        variables=frozenset(variables),
        where_brace=reading.where_brace,
        construct_short=reading.construct_short,
        depth=reading.max_depth,
        words=frozenset(words),
    )


def service_in_algebra(text: str) -> bool | None:
    """True if the query would read another URL or a file (SERVICE, LOAD); None if it is no SPARQL drugkg runs.

    The worker's own check before evaluation, so that a job that did not come through the server's
    screen is still refused: the same grammar-token policy, about 0.1 ms a query."""
    try:
        analyse(text)
    except QueryRefused as err:
        return True if err.fetches else None
    return False
