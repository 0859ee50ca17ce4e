"""`drugkg validate`: check the built graph, or any RDF file, against drugkg's shapes and ontology."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from drugkg.errors import DrugkgError

__all__ = ["EXAMPLE", "HELP", "add_arguments", "run"]

HELP = (
    "check the built graph or RDF files against drugkg's SHACL shapes and OWL ontology "
    "(exit 0 conforms, 1 violations, 2 could not run)"
)
EXAMPLE = "drugkg validate                      # the build in ./build\n  drugkg validate my-drugs.ttl --format junit --output report.xml"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from drugkg.validation import ENGINES, MAX_INPUT_BYTES
    from drugkg.validation.formats import FORMATS

    parser.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="RDF files (.ttl .nt .nq .trig .jsonld .rdf/.owl/.xml) or one build folder; "
        "default: the build folder given by --data",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=Path("build"),
        metavar="DIR",
        help="build folder to check when no FILE is given (default: ./build)",
    )
    parser.add_argument(
        "--format",
        choices=sorted(FORMATS),
        default="text",
        help="report format: text (people), turtle (SHACL report), json, junit (CI)",
    )
    parser.add_argument("--output", type=Path, default=None, metavar="FILE", help="write the report here, not stdout")
    parser.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")
    parser.add_argument("--no-reasoning", action="store_true", help="skip the OWL consistency check (HermiT)")
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="fast",
        help="SHACL engine: fast (Oxigraph, default) or pyshacl (the reference; slow on big graphs)",
    )
    parser.add_argument(
        "--max-bytes",
        type=int,
        default=MAX_INPUT_BYTES,
        metavar="N",
        help=f"refuse input files larger than N bytes (default {MAX_INPUT_BYTES})",
    )
    parser.add_argument(
        "--shapes",
        type=Path,
        nargs="+",
        default=[],
        metavar="PATH",
        help="validate against these SHACL shape files instead of drugkg's shapes (the FILEs are then "
        "checked as given, without drugkg's ontology)",
    )
    parser.add_argument(
        "--dataset",
        type=Path,
        nargs="+",
        default=[],
        metavar="DIR",
        help="validate every RDF file under DIR (recursively; hidden folders and build folders "
        "skipped) together with the FILEs: the whole data set, as the pre-commit hook does",
    )
    parser.add_argument(
        "--allow-empty",
        action="store_true",
        help="accept files that state no triple (default: an empty file is an error, exit 2)",
    )


def dataset_files(folders: list[Path]) -> list[Path]:
    """Every RDF file under `folders`, sorted; hidden folders and drugkg build folders are skipped."""
    from drugkg.validation.inputs import FORMATS, is_build_folder

    suffixes = set(FORMATS) - {".json", ".xml"}  # too often not RDF to take from a folder unasked
    found: list[Path] = []
    for folder in folders:
        if not folder.is_dir():
            raise DrugkgError("no such folder", file=str(folder), expected="a folder holding the data set's RDF files")
        for path in sorted(folder.rglob("*")):
            parts = path.relative_to(folder).parts
            if any(p.startswith(".") for p in parts) or any(
                is_build_folder(folder.joinpath(*parts[:i])) for i in range(1, len(parts))
            ):
                continue
            if path.is_file() and path.suffix.lower() in suffixes:
                found.append(path)
        if not found:
            raise DrugkgError(
                "no RDF files found", file=str(folder), expected="files ending in " + ", ".join(sorted(suffixes))
            )
    return found


def run(args: argparse.Namespace) -> int:
    from drugkg.validation import validate_paths
    from drugkg.validation.formats import render
    from drugkg.validation.inputs import is_build_folder
    from drugkg.validation.stamp import write_stamp

    paths = list(args.files) + dataset_files(args.dataset)
    paths = paths or [args.data]
    for path in [*paths, *args.shapes]:
        if not path.exists():
            raise DrugkgError(
                "no such file or folder",
                file=str(path),
                expected="an RDF file, or a build folder (run 'drugkg build' first)",
            )
    outcome = validate_paths(
        paths,
        reasoning=not args.no_reasoning,
        engine=args.engine,
        max_bytes=args.max_bytes,
        shapes=list(args.shapes),
        allow_empty=args.allow_empty,
    )
    if len(paths) == 1 and is_build_folder(paths[0]) and not args.shapes:
        write_stamp(paths[0], outcome)  # lets `drugkg serve` skip validating this build again
    report = render(outcome, args.format, args.strict)
    if args.output:
        try:
            args.output.write_text(report, encoding="utf-8")
        except OSError as err:
            raise DrugkgError(f"cannot write the report: {err.strerror or err}", file=str(args.output)) from None
        if args.format != "text":
            print(render(outcome, "text", args.strict).splitlines()[-1], file=sys.stderr)
    else:
        sys.stdout.write(report)
    return 0 if outcome.passes(args.strict) else 1
