"""The validation report model shared by every engine and output format."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import SH

__all__ = ["INFO", "VIOLATION", "WARNING", "Path", "ReasoningOutcome", "Term", "ValidationOutcome", "ValidationResult"]

Term = URIRef | BNode | Literal
VIOLATION = SH.Violation
WARNING = SH.Warning
INFO = SH.Info


# SHACL path kinds with one step, as SPARQL writes them (prefix or suffix)
UNARY_PATHS = {"inverse": ("^", ""), "zeroOrMore": ("", "*"), "oneOrMore": ("", "+"), "zeroOrOne": ("", "?")}


@dataclass(frozen=True, order=True)
class Path:
    """A SHACL property path: a predicate, a sequence or alternative of paths, an inverse path, or a
    zero-or-more, one-or-more or zero-or-one path."""

    kind: str  # "predicate" | "sequence" | "alternative" | one of UNARY_PATHS
    predicate: str = ""
    steps: tuple[Path, ...] = ()

    @classmethod
    def of(cls, iri: str) -> Path:
        return cls("predicate", iri)

    def sparql(self) -> str:
        return self.text(nested=True)

    def __str__(self) -> str:
        return self.text()

    def text(self, shorten=lambda iri: f"<{iri}>", nested: bool = False) -> str:
        """The path in SPARQL syntax (`nested`: in parentheses when it is a sequence or an alternative)."""
        if self.kind == "predicate":
            return str(shorten(self.predicate))
        if self.kind in UNARY_PATHS:
            before, after = UNARY_PATHS[self.kind]
            return f"{before}{self.steps[0].text(shorten, nested=True)}{after}"
        inner = ("/" if self.kind == "sequence" else "|").join(step.text(shorten, nested=True) for step in self.steps)
        return f"({inner})" if nested else inner


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL validation result: what is wrong (or suspicious), where, and which rule said so."""

    focus: Term
    path: Path | None
    value: Term | None
    component: URIRef
    severity: URIRef
    source_shape: URIRef | BNode
    messages: tuple[str, ...] = ()
    source_constraint: URIRef | BNode | None = None

    @property
    def message(self) -> str:
        return " ".join(self.messages)

    def key(self) -> tuple[str, str, str, str, str, str, tuple[str, ...]]:
        """Everything that identifies a result, as text: for sorting and comparing engines."""
        return (
            str(self.focus),
            self.path.text() if self.path else "",
            _n3(self.value),
            str(self.component),
            str(self.severity),
            str(self.source_shape),
            tuple(sorted(self.messages)),
        )


def _n3(term: Term | None) -> str:
    return "" if term is None else term.n3()


@dataclass
class ReasoningOutcome:
    """What the OWL reasoner said: consistent, inconsistent (with the individuals involved), or not run."""

    status: str  # "consistent" | "inconsistent" | "skipped" | "unavailable"
    detail: str = ""
    individuals: tuple[str, ...] = ()
    seconds: float = 0.0


@dataclass
class ValidationOutcome:
    """The outcome of `drugkg validate`: SHACL results, the reasoner's verdict, and timings."""

    results: list[ValidationResult]
    reasoning: ReasoningOutcome | None = None
    triples: int = 0
    engine: str = "fast"
    timings: dict[str, float] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # focus IRI -> rdfs:label, for reports
    locations: dict[str, tuple[str, int]] = field(default_factory=dict)  # focus IRI -> (file, line) stating it
    store: Any = field(default=None, repr=False)  # the validated data (a pyoxigraph Store), for reports
    shapes_graph: Any = field(default=None, repr=False)  # the shapes (an rdflib Graph)

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == VIOLATION]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity != VIOLATION]

    @property
    def inconsistent(self) -> bool:
        return self.reasoning is not None and self.reasoning.status == "inconsistent"

    @property
    def conforms(self) -> bool:
        """True when there is no SHACL violation and the reasoner did not find the graph inconsistent."""
        return not self.violations and not self.inconsistent

    def passes(self, strict: bool = False) -> bool:
        return self.conforms and not (strict and self.warnings)
