"""The catalogue of clinical questions: one `.rq` file per question, with a commented header.

A query file starts with header lines, then the SPARQL text:

    # title: Formulations and strengths by route
    # question: Which formulations of a drug exist, and in which strengths, by route?
    # keywords: formulation, strength, route
    # param: drug IRI https://w3id.org/drugkg/resource/drug/baclofen
    PREFIX drugkg: <https://w3id.org/drugkg/vocab#>
    SELECT ...

`param` lines give the variable name (without `?`), its kind (`IRI`, `string`, `name`,
`decimal`, `integer`) and optionally a default value. Parameters are bound as typed terms, never
pasted into the text. A `name` is a string matched in any letter case: it is bound in lower
case, to be looked up as a `drugkg:searchKey`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from drugkg.errors import DrugkgError
from drugkg.resources import queries_dir

__all__ = [
    "PARAM_KINDS",
    "CatalogueQuery",
    "Parameter",
    "load_catalogue",
    "parse_query_file",
]

PARAM_KINDS = ("IRI", "string", "name", "decimal", "integer")
_HEADER = re.compile(r"^#\s*(title|question|keywords|param)\s*:\s*(.*?)\s*$")


@dataclass(frozen=True)
class Parameter:
    name: str
    kind: str
    default: str | None = None


@dataclass(frozen=True)
class CatalogueQuery:
    name: str
    title: str
    question: str
    keywords: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    text: str
    path: Path

    @property
    def form(self) -> str:
        """SELECT, ASK, CONSTRUCT or DESCRIBE: the keyword after the prologue, read by drugkg's policy."""
        from drugkg.sparql.policy import analyse

        return analyse(self.text).form or "SELECT"


def parse_query_file(path: Path) -> CatalogueQuery:
    fields: dict[str, str] = {}
    params: list[Parameter] = []
    text = path.read_text(encoding="utf-8")
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if not match:
            continue
        key, value = match.groups()
        if key == "param":
            parts = value.split(None, 2)
            if len(parts) < 2 or parts[1] not in PARAM_KINDS:
                raise DrugkgError(
                    f"bad parameter line {value!r}",
                    file=str(path),
                    where=f"line {lineno}",
                    expected=f"'# param: NAME KIND [DEFAULT]' with KIND one of {', '.join(PARAM_KINDS)}",
                )
            params.append(Parameter(parts[0].lstrip("?$"), parts[1], parts[2] if len(parts) > 2 else None))
        else:
            fields[key] = value
    for required in ("title", "question"):
        if required not in fields:
            raise DrugkgError(
                f"missing '# {required}:' header line",
                file=str(path),
                where="line 1",
                expected="a header of '# title:', '# question:', '# keywords:' and '# param:' lines",
            )
    keywords = tuple(k.strip() for k in fields.get("keywords", "").split(",") if k.strip())
    _check_query_text(path, text, params)
    return CatalogueQuery(
        name=path.stem,
        title=fields["title"],
        question=fields["question"],
        keywords=keywords,
        parameters=tuple(params),
        text=text,
        path=path,
    )


def _check_query_text(path: Path, text: str, params: list[Parameter]) -> None:
    """The query passes drugkg's policy and has a variable for each parameter; else an error naming the file."""
    from drugkg.sparql.policy import QueryRefused, analyse

    try:
        query = analyse(text)
    except QueryRefused as err:
        raise DrugkgError(err.message, file=str(path), expected="a SPARQL 1.1 query drugkg runs") from None
    for param in params:
        if param.name not in query.variables:
            raise DrugkgError(
                f"the parameter {param.name!r} is no variable of the query",
                file=str(path),
                expected=f"a variable ?{param.name} in the query text",
            )


def load_catalogue(folder: Path | None = None) -> list[CatalogueQuery]:
    """Every query of the catalogue, sorted by name."""
    folder = folder or queries_dir()
    return [parse_query_file(p) for p in sorted(folder.glob("*.rq"))]
