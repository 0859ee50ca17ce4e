"""`drugkg synth`: write fictional drug monographs for tests and benchmarks."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from drugkg.devtools.synth import synthesize
from drugkg.errors import DrugkgError

__all__ = ["EXAMPLE", "HELP", "add_arguments", "run"]

HELP = "write N synthetic (fictional) drug monographs in the curated format, for tests and benchmarks"
EXAMPLE = "drugkg synth --drugs 1000 --seed 1 --out synth-1k/ && drugkg build --data synth-1k/ --out build-1k/"


def _count(text: str) -> int:
    try:
        value = int(text.replace("_", "").lower().removesuffix("k")) * (1000 if text.lower().endswith("k") else 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--drugs", type=_count, required=True, metavar="N", help="number of drugs (e.g. 100, 1k)")
    parser.add_argument(
        "--seed", type=int, default=0, help="random seed; the same seed gives the same files (default 0)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="folder to write drugs/*.yaml and mappings/synthetic.sssom.tsv into",
    )
    parser.add_argument("--no-mappings", action="store_true", help="write no SSSOM mapping table")
    parser.add_argument(
        "--force",
        action="store_true",
        help="write into a folder that is not empty (synthetic files of an earlier run are replaced)",
    )


def run(args: argparse.Namespace) -> int:
    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise DrugkgError("exists and is not a folder", file=str(out), expected="a folder, or a path to create")
    if out.is_dir() and any(out.iterdir()) and not args.force:
        raise DrugkgError(
            "is not empty; refusing to write synthetic monographs into it",
            file=str(out),
            expected="an empty or new folder, or --force to write into this one",
        )
    drugs_dir = out / "drugs"
    if drugs_dir.is_dir() and any(not p.name.startswith("syn-") for p in drugs_dir.glob("*.yaml")):
        raise DrugkgError(
            "holds monographs that drugkg synth did not write; refusing to mix synthetic and curated data",
            file=str(drugs_dir),
            expected="an empty folder, or one written by drugkg synth",
        )
    start = time.perf_counter()
    written = synthesize(out, args.drugs, args.seed, mappings=not args.no_mappings)
    from drugkg.progress import enabled

    if enabled() or args.verbose:
        print(
            f"wrote {len(written)} files ({args.drugs} synthetic drugs, seed {args.seed}) into {out} "
            f"in {time.perf_counter() - start:.1f} s",
            file=sys.stderr,
        )
    return 0
