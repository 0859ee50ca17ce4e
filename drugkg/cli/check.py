"""`drugkg check`: which warnings, age limits, cautions and dose adjustments apply to one patient profile."""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal, InvalidOperation

from drugkg.check import Profile, check_profile, endpoint_runner, result_as_json, result_as_table, store_runner
from drugkg.cli.buildpolicy import add_store_arguments, ensure_build
from drugkg.errors import DrugkgError
from drugkg.namespaces import resource_iri
from drugkg.querying import open_build_store

__all__ = ["EXAMPLE", "HELP", "add_arguments", "run"]

HELP = (
    "list what one source document says applies to a patient profile: warnings, age limits, cautions, "
    "dose adjustments, boxed warnings and activities to avoid (a restatement of the source, not medical advice)"
)
EXAMPLE = "drugkg check --age 10 --route intrathecal --condition epilepsy --pregnant"


def _age(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of years (e.g. 10 or 2.5)") from None
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(150):
        raise argparse.ArgumentTypeError(f"{text!r} is not an age in years from 0 to 150")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = (
        f"examples:\n  {EXAMPLE}\n"
        "  drugkg check --age 10 --route oral\n"
        "  drugkg check --formulation tablet --condition 'kidney problems' --elderly --format json\n\n"
        "conditions: epilepsy, psychotic-disorder, schizophrenia, confusional-state, stroke,\n"
        "autonomic-dysreflexia, kidney-problems, spasticity-supporting-function, multiple-sclerosis, ...\n"
        "(a slug or a label, any case). Without --route or --formulation every route is checked.\n"
        "A patient under 18 is read as a child (the source gives no age for 'children').\n\n"
        "This restates one source document and is not medical advice."
    )
    parser.add_argument("--age", type=_age, metavar="YEARS", help="age in years")
    parser.add_argument("--route", metavar="ROUTE", help="route of administration: oral or intrathecal")
    parser.add_argument(
        "--formulation", metavar="FORM", help="dosage form: tablet, granules, oral-solution, oral-suspension, injection"
    )
    parser.add_argument(
        "--condition", action="append", default=[], metavar="CONDITION", help="a condition the patient has (repeatable)"
    )
    parser.add_argument("--pregnant", action="store_true", help="the patient is pregnant")
    parser.add_argument("--breastfeeding", action="store_true", help="the patient is breastfeeding")
    parser.add_argument("--elderly", action="store_true", help="the patient is elderly")
    parser.add_argument("--drug", default="baclofen", metavar="DRUG", help="drug id or IRI (default: baclofen)")
    parser.add_argument("--format", "-f", choices=("table", "json"), default="table", help="output format")
    add_store_arguments(parser, "ask")


def run(args: argparse.Namespace) -> int:
    drug = args.drug if args.drug.startswith(("http://", "https://")) else resource_iri("drug", args.drug)
    if not drug.startswith(("http://", "https://")) or any(c in drug for c in ' <>"{}|\\^`'):
        raise DrugkgError(f"--drug {args.drug!r} is not a drug id or IRI", expected="baclofen, or a full IRI")
    profile = Profile(
        age=args.age,
        route=args.route,
        formulation=args.formulation,
        conditions=tuple(args.condition),
        pregnant=args.pregnant,
        breastfeeding=args.breastfeeding,
        elderly=args.elderly,
    )
    runner = (
        endpoint_runner(args.endpoint)
        if args.endpoint
        else store_runner(open_build_store(ensure_build(args.data, may_build=True, command="check")))
    )
    result = check_profile(runner, profile, drug)
    if args.format == "json":
        sys.stdout.write(json.dumps(result_as_json(result), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(result_as_table(result))
    return 0
