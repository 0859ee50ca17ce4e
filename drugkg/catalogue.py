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
    "DOC_EXAMPLES",
    "PARAM_KINDS",
    "CatalogueQuery",
    "Parameter",
    "catalogue_markdown",
    "doc_answers",
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
                f"missing '# {required}:' header line", file=str(path), where="line 1",
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
            raise DrugkgError(f"the parameter {param.name!r} is no variable of the query", file=str(path),
                              expected=f"a variable ?{param.name} in the query text")


def load_catalogue(folder: Path | None = None) -> list[CatalogueQuery]:
    """Every query of the catalogue, sorted by name."""
    folder = folder or queries_dir()
    return [parse_query_file(p) for p in sorted(folder.glob("*.rq"))]


# ---------------------------------------------------------------- the catalogue as documentation

# The questions docs/queries.md answers in full (also the README's three examples).
DOC_EXAMPLES: tuple[tuple[str, dict[str, str]], ...] = (
    ("status-for-condition", {}),
    ("withdrawal-reactions", {}),
    ("warnings-for-population", {"population": "elderly"}),
)


def catalogue_markdown(queries: list[CatalogueQuery] | None = None, answers: dict[str, str] | None = None) -> str:
    """docs/queries.md: the catalogue table from the headers, and worked examples with their answers."""
    queries = load_catalogue() if queries is None else queries
    lines = [
        "# The query catalogue",
        "",
        "<!-- Generated by `python -m drugkg.catalogue > docs/queries.md` from the headers of queries/*.rq",
        "     and the answers of the current build; a test fails when this file is out of date. -->",
        "",
        f"{len(queries)} clinical questions, one SPARQL file each in `queries/`. Run one with",
        "`drugkg query NAME [--param NAME=VALUE ...]`; `drugkg query --list` lists them. The same queries",
        "are published in the graph as SPARQL examples (`https://w3id.org/drugkg/graph/examples`,",
        "sib-swiss/sparql-examples style) and offered on the server's query page.",
        "",
        "Parameters are bound as typed RDF terms, never pasted into the query text. An IRI parameter",
        "takes a full IRI, a CURIE (`res:population/elderly`, `drugkg:Overdose`, `HP:0001250`) or a short",
        "name read in the namespace of its default (`population=elderly` means",
        "`https://w3id.org/drugkg/resource/population/elderly`). A `name` parameter is matched in any",
        "letter case: it is bound in lower case and looked up as a `drugkg:searchKey` (the lower-case form",
        "of every label, synonym and brand name); when you write the VALUES yourself, write it in lower case.",
        "Output: a table on a terminal, SPARQL",
        "TSV when piped, or `--format json|xml|csv|tsv`.",
        "",
        "A parameter is bound only where that gives exactly the unbound answer filtered to the value: the",
        "variable is bound in every solution of the WHERE group before each OPTIONAL, MINUS, BIND and FILTER,",
        "is a GROUP BY variable if the query aggregates, and the query has no LIMIT or OFFSET (or the variable",
        "is only used in expressions, where the value is substituted). Otherwise the query is refused with a",
        "message naming the parameter and the reason, for example `cannot bind the parameter ?o2: it is not",
        "bound in every solution of the WHERE group ...`.",
        "",
        "## Rules every query runs under (CLI, endpoint, catalogue)",
        "",
        "- **Refused before evaluation**, read from the query's SPARQL tokens (so `?viral_load`, `ex:load`",
        "  or `schema:Service` are ordinary names): SPARQL Update (HTTP 403), `SERVICE` and `LOAD` (403:",
        "  drugkg never fetches other URLs or files), brackets nested more than 64 deep (400), and text that",
        "  is no SPARQL. In the CLI each of these is a one-line error and exit code 2.",
        "- **The dataset**: with no FROM and no protocol graphs, the default graph is the union of all",
        "  graphs and `GRAPH` ranges over every named graph. FROM / FROM NAMED choose the graphs;",
        "  `default-graph-uri` / `named-graph-uri` (CLI: `--default-graph` / `--named-graph`) override them.",
        "  A dataset that names only default graphs has no named graphs; one that names only named graphs",
        "  has an empty default graph. Relative IRIs resolve against the endpoint's IRI (CLI: the query",
        "  file's `file:` IRI, or `--base`).",
        "- **Row cap**: the endpoint answers at most `--max-rows` rows or triples (default 10,000). A cut",
        "  answer is never silent: it carries the header `X-SPARQL-MaxRows: N`, and a JSON or XML result",
        "  names `https://w3id.org/drugkg/vocab#TruncatedResult` in its head's `link` (CSV, TSV and RDF",
        "  answers have only the header). `drugkg query` writes at most `--max-rows` rows (default 10,000;",
        "  0 for all) and says on stderr when it cut the result.",
        "",
        "| name | question | parameters (default) |",
        "|---|---|---|",
    ]
    for q in queries:
        params = "<br>".join(
            f"`{p.name}` {p.kind}" + (f" (`{_short(p.default)}`)" if p.default else " (required)") for p in q.parameters
        ) or "none"
        lines.append(f"| `{q.name}` | {q.question.replace('|', '/')} | {params} |")
    if answers:
        lines += ["", "## Three questions and their answers", ""]
        by_name = {q.name: q for q in queries}
        for name, params in DOC_EXAMPLES:
            q = by_name[name]
            args = "".join(f" --param {k}={v}" for k, v in params.items())
            lines += [f"### {q.title}", "", f"{q.question}", "", "```console", f"$ drugkg query {name}{args}",
                      answers[name].rstrip("\n"), "```", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _short(iri: str) -> str:
    for prefix, namespace in (("res:", "https://w3id.org/drugkg/resource/"), ("drugkg:", "https://w3id.org/drugkg/vocab#")):
        if iri.startswith(namespace):
            return prefix + iri[len(namespace):]
    return iri


def doc_answers(store_dir: Path) -> dict[str, str]:
    """The answers of DOC_EXAMPLES on the store of a build folder, as the CLI's table shows them."""
    import pyoxigraph as ox

    from drugkg.querying import (
        bind_parameters,
        find_query,
        render_table,
        run_on_store,
        to_table,
    )

    store = ox.Store.read_only(str(store_dir))
    answers = {}
    for name, params in DOC_EXAMPLES:
        q = find_query(name)
        answers[name] = render_table(to_table(run_on_store(store, q.text, bind_parameters(q, params))))
    return answers


def _main() -> int:
    import sys
    import tempfile

    from drugkg.build import STORE_DIR, build

    with tempfile.TemporaryDirectory(prefix="drugkg-docs-") as tmp:
        out = build(Path(tmp) / "build")
        sys.stdout.write(catalogue_markdown(answers=doc_answers(out / STORE_DIR)))
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
