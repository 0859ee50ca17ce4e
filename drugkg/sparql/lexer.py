"""A lexer over the SPARQL 1.1 grammar's terminals (section 19.8), for the policy's cheap checks.

One regular expression with a named group per terminal, tried in the grammar's order of longest
match: comments and whitespace are skipped; IRIs, prefixed names, blank node labels, variables,
language tags, numbers and the four kinds of string are single tokens, so a keyword inside any of
them (`?viral_load`, `ex:load`, `"SERVICE"`) is never read as the keyword. Bare words (`SELECT`,
`SERVICE`, `a`, function names) and punctuation are what is left.
"""

from __future__ import annotations

import re
from itertools import islice
from typing import NamedTuple

__all__ = ["LexError", "Token", "TooDeep", "tokenize"]

# PN_CHARS_BASE and friends of the grammar (19.8, productions 164-173), as character classes.
_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PN_PREFIX = rf"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_LOCAL = (
    rf"(?:[{_PN_CHARS_U}:0-9]|{_PLX})"
    rf"(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
)
_VARNAME = rf"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
_ECHAR = r"\\[tbnrf\\\"']"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_ESC = rf"{_ECHAR}|{_UCHAR}"

# Each match is the whitespace and comments before a token (skipped), then the token; the last
# match may be whitespace and comments alone. The first alternative that matches wins, so the
# order keeps iri, var and number before punct (`<`, `?`, `.`), pname before word and each long
# string before its short form; otherwise the commonest terminals come first.
_TERMINALS = re.compile(
    rf"""
    (?:[\x20\t\r\n]+|\#[^\r\n]*)*+
    (?:
      (?P<var>[?$]{_VARNAME})
    | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)
    | (?P<number>(?:[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.?[0-9]+[eE][+-]?[0-9]+|[0-9]*\.[0-9]+|[0-9]+))
    | (?P<punct>\^\^|&&|\|\||!=|<=|>=|[{{}}()\[\].,;=<>!+\-*/^|?])
    | (?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)
    | (?P<word>[A-Za-z][A-Za-z0-9_]*)
    | (?P<long2>\"\"\"(?:(?:"|"")?(?:[^"\\]|{_ESC}))*\"\"\")
    | (?P<string2>"(?:[^"\\\n\r]|{_ESC})*")
    | (?P<long1>'''(?:(?:'|'')?(?:[^'\\]|{_ESC}))*''')
    | (?P<string1>'(?:[^'\\\n\r]|{_ESC})*')
    | (?P<bnode>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)
    | (?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)
    | (?P<error>.)
    )?
    """,
    re.VERBOSE | re.DOTALL,
)


class Token(NamedTuple):
    """One terminal: its kind (a group name above), its text and its offset in the query."""

    kind: str
    text: str
    offset: int


_new_tuple = tuple.__new__  # makes a Token without NamedTuple's Python-level __new__ (about 80 a query)


class LexError(ValueError):
    """Text that is no SPARQL terminal; `offset` is where it starts."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


class TooDeep(ValueError):
    """Brackets nested deeper than allowed; `offset` is the bracket that goes past the limit."""

    def __init__(self, offset: int) -> None:
        super().__init__(f"brackets nested too deep at offset {offset}")
        self.offset = offset


_CHUNK = 256  # tokens read at a time: a refusal stops the reading within a chunk of its place
_DEPTH_STEP = {"{": 1, "(": 1, "[": 1, "}": -1, ")": -1, "]": -1}


def tokenize(text: str, *, max_depth: int | None = None) -> list[Token]:
    """The query's tokens in order, without whitespace and comments; LexError at a character no terminal takes.

    The matches tile the text: `error` takes a character that starts no terminal. With
    `max_depth`, TooDeep at the first bracket that nests deeper. Either way the first problem in
    the text is the one raised, and the text after its chunk is not read, so a huge nested query
    costs little to refuse.
    """
    if max_depth is not None and text.count("{") + text.count("(") + text.count("[") <= max_depth:
        max_depth = None  # it cannot nest deeper
    matches = _TERMINALS.finditer(text)
    tokens: list[Token] = []
    depth = 0
    while chunk := list(islice(matches, _CHUNK)):
        kinds = [found.lastgroup for found in chunk]
        error = None
        if "error" in kinds:
            end = kinds.index("error")
            error, kinds, chunk = chunk[end], kinds[:end], chunk[:end]
        read = [
            _new_tuple(Token, (kind, found[kind], found.start(kind)))
            for kind, found in zip(kinds, chunk, strict=True)
            if kind
        ]
        if max_depth is not None:
            depth = _nest(read, depth, max_depth)
        if error is not None:
            raise LexError(f"unexpected character {error.group('error')!r}", error.start("error"))
        tokens += read
    return tokens


def _nest(tokens: list[Token], depth: int, max_depth: int) -> int:
    """The bracket depth after `tokens`, from `depth`; TooDeep past `max_depth`."""
    for token in tokens:
        if token.kind == "punct" and token.text in _DEPTH_STEP:
            depth += _DEPTH_STEP[token.text]
            if depth > max_depth:
                raise TooDeep(token.offset)
    return depth
