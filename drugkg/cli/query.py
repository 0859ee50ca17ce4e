"""`drugkg query`: ask the graph a clinical question from the catalogue, or any SPARQL query."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from drugkg.buildfolder import STORE_DIR
from drugkg.catalogue import CatalogueQuery, load_catalogue, parse_query_file
from drugkg.cli.buildpolicy import add_store_arguments, ensure_build
from drugkg.errors import DrugkgError
from drugkg.execution import Limits
from drugkg.execution.limited import DEFAULT_CLI_LIMITS, run_limited
from drugkg.querying import (
    GRAPH_FORMATS,
    RESULT_FORMATS,
    Result,
    adhoc_parameters,
    bind_parameters,
    cap_rows,
    find_query,
    open_build_store,
    parse_param_assignments,
    run_on_endpoint,
    run_on_store,
    write_result,
)
from drugkg.rdfconvert import OxTerm
from drugkg.sparql import analyse

__all__ = ["EXAMPLE", "HELP", "add_arguments", "run"]

HELP = "answer a clinical question from the query catalogue, or run any SPARQL query"
EXAMPLE = "drugkg query warnings-for-population --param population=elderly"

_FORMATS = ("table", *RESULT_FORMATS, *(f for f in GRAPH_FORMATS if f not in RESULT_FORMATS))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = (
        f"examples:\n  {EXAMPLE}\n"
        "  drugkg query --list\n"
        "  drugkg query target-genes --format json\n"
        "  drugkg query drugs-causing-effect --param effect=HP:0001250\n"
        "  drugkg query -e 'SELECT ?s WHERE { ?s a <https://w3id.org/drugkg/vocab#Drug> }'\n"
        "  drugkg query boxed-warnings --endpoint http://127.0.0.1:8000/sparql\n\n"
        "parameter values: an IRI parameter takes a full IRI, a CURIE (population:elderly,\n"
        "drugkg:Overdose, HP:0001250) or a short name read in the namespace of its default\n"
        "(population=elderly). Values are bound as typed RDF terms, never pasted into the query.\n\n"
        "output: a table on a terminal, SPARQL TSV when piped; --format json|xml|csv|tsv gives the\n"
        "W3C SPARQL results formats (CONSTRUCT/DESCRIBE: turtle, ntriples, json (JSON-LD), xml (RDF/XML))."
    )
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--list", action="store_true", help="list the catalogue: name, title and parameters")
    what.add_argument("--file", type=Path, metavar="Q.rq", help="run the query in this file")
    what.add_argument("-e", "--execute", metavar="SPARQL", help="run this query text")
    parser.add_argument("name", nargs="?", metavar="NAME", help="a query of the catalogue (see --list)")
    parser.add_argument(
        "--param", "-p", action="append", default=[], metavar="NAME=VALUE", help="a parameter value (repeatable)"
    )
    parser.add_argument(
        "--format",
        "-f",
        choices=_FORMATS,
        default=None,
        help="output format (default: table on a terminal, tsv otherwise)",
    )
    parser.add_argument("--show", action="store_true", help="print the query text with its parameters, do not run it")
    add_store_arguments(parser, "query")
    parser.add_argument(
        "--no-build", action="store_true", help="never build: query the build folder as it is, or fail if there is none"
    )
    parser.add_argument(
        "--default-graph",
        action="append",
        default=[],
        metavar="IRI",
        help="a graph of the default graph (repeatable; as the protocol's default-graph-uri, "
        "overrides FROM; default: the union of all graphs)",
    )
    parser.add_argument(
        "--named-graph",
        action="append",
        default=[],
        metavar="IRI",
        help="a named graph for GRAPH (repeatable; as named-graph-uri, overrides FROM NAMED)",
    )
    parser.add_argument(
        "--base", metavar="IRI", help="resolve relative IRIs against this IRI (default: the query file's file: IRI)"
    )
    limits = parser.add_argument_group(
        "limits", "a query on the build's store runs in a worker process, cut off the network, under these"
    )
    limits.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_CLI_LIMITS.timeout,
        metavar="SECONDS",
        help=f"time limit (default {DEFAULT_CLI_LIMITS.timeout:g})",
    )
    limits.add_argument(
        "--memory-mb",
        type=int,
        default=DEFAULT_CLI_LIMITS.memory_mb,
        metavar="MiB",
        help=f"memory limit (default {DEFAULT_CLI_LIMITS.memory_mb})",
    )
    limits.add_argument(
        "--max-rows",
        type=int,
        default=DEFAULT_CLI_LIMITS.max_rows,
        metavar="N",
        help=f"most rows or triples; a cut answer is said so on stderr (default {DEFAULT_CLI_LIMITS.max_rows})",
    )
    limits.add_argument(
        "--no-limits", action="store_true", help="run in this process with no limit at all: for queries you trust"
    )


def run(args: argparse.Namespace) -> int:
    if args.list:
        if args.name:
            raise DrugkgError("give either --list or a query NAME, not both")
        _print_list(load_catalogue())
        return 0
    sources = [s for s in (args.name, args.file, args.execute) if s]
    if len(sources) != 1:
        raise DrugkgError(
            "say which query to run",
            expected="a catalogue NAME, --file Q.rq or -e 'SPARQL' (drugkg query --list shows the names)",
        )
    given = parse_param_assignments(args.param)
    catalogued: CatalogueQuery | None = None
    if args.name:
        catalogued = find_query(args.name)
        text, bindings = catalogued.text, bind_parameters(catalogued, given)
    elif args.file:
        query_or_text = _read_file(args.file)
        if isinstance(query_or_text, CatalogueQuery):
            catalogued = query_or_text
            text, bindings = query_or_text.text, bind_parameters(query_or_text, given)
        else:
            text, bindings = query_or_text, adhoc_parameters(given)
    else:
        text, bindings = args.execute, adhoc_parameters(given)

    if args.show:
        sys.stdout.write(text.rstrip() + "\n")
        for name, term in bindings.items():
            sys.stdout.write(f"# ?{name} = {term}\n")
        return 0

    result: Result
    kept: int | None = 0
    cut = False
    if args.endpoint:
        from drugkg.hints import run_on_endpoint_with_hint

        endpoint = args.endpoint
        if catalogued is not None and given:
            bindings = _resolved(catalogued, bindings, given, lambda q, b: run_on_endpoint(endpoint, q, b))
        result, kept, cut = cap_rows(run_on_endpoint_with_hint(endpoint, text, bindings), args.max_rows)
    else:
        analyse(text)  # the policy refuses before the build is opened (or built)
        build_dir = ensure_build(args.data, may_build=not args.no_build, command="query")
        base = args.base or (args.file.resolve().as_uri() if args.file else None)
        dataset = {"default_graphs": args.default_graph, "named_graphs": args.named_graph, "base_iri": base}
        if catalogued is not None and given:
            # the values are looked up by drugkg's own lookup queries, in this process
            lookup_store = open_build_store(build_dir)
            bindings = _resolved(catalogued, bindings, given, lambda q, b: run_on_store(lookup_store, q, b))
        if args.no_limits:
            result = run_on_store(open_build_store(build_dir), text, bindings, **dataset)
        else:
            result, kept, cut = run_limited(build_dir / STORE_DIR, text, bindings, _limits(args), **dataset)
    fmt = args.format or ("table" if sys.stdout.isatty() else "tsv")
    out = sys.stdout.buffer
    write_result(result, fmt, out)
    out.flush()
    if cut:
        sys.stderr.write(
            f"drugkg query: result cut at {kept} rows (--max-rows {args.max_rows}); "
            "there are more: make the query more selective, or raise --max-rows\n"
        )
    return 0


def _limits(args: argparse.Namespace) -> Limits:
    for flag, value in (("--timeout", args.timeout), ("--memory-mb", args.memory_mb), ("--max-rows", args.max_rows)):
        if value <= 0:
            raise DrugkgError(f"{flag} {value:g} must be above 0", expected="or --no-limits for no limit")
    return Limits(timeout=args.timeout, memory_mb=args.memory_mb, max_rows=args.max_rows)


def _resolved(
    query: CatalogueQuery,
    bindings: dict[str, OxTerm],
    given: dict[str, str],
    run: Callable[[str, Mapping[str, OxTerm]], object],
) -> dict[str, OxTerm]:
    """The given parameter values checked against the graph: cross-references read as the drugkg
    resource they match; a value that names nothing reported on stderr with the closest matches."""
    from drugkg.param_resolution import resolve_parameters

    checked = {name: term for name, term in bindings.items() if name in given}
    resolution = resolve_parameters(run, query, checked)
    for message in (*resolution.notes, *resolution.unknown):
        print(f"drugkg query: {message}", file=sys.stderr)
    return {**bindings, **resolution.bindings}


def _read_file(path: Path) -> CatalogueQuery | str:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise DrugkgError(f"cannot read the query file: {err.strerror}", file=str(path)) from None
    if any(line.startswith("# title:") for line in text.splitlines()[:20]):
        return parse_query_file(path)
    return text


def _print_list(queries: list[CatalogueQuery]) -> None:
    rows = []
    for q in queries:
        params = " ".join(
            f"{p.name}={p.default}" if p.default else f"{p.name} ({p.kind}, required)" for p in q.parameters
        )
        rows.append((q.name, q.title, params))
    width = max((len(r[0]) for r in rows), default=4)
    for name, title, params in rows:
        sys.stdout.write(f"{name.ljust(width)}  {title}\n")
        if params:
            sys.stdout.write(f"{'':{width}}    parameters: {params}\n")
    sys.stdout.write(f"\n{len(rows)} queries; run one with: drugkg query NAME [--param NAME=VALUE ...]\n")
