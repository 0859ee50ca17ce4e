"""`drugkg build`: turn the curated sources into the graph, its dumps and its store."""

from __future__ import annotations

import argparse
from pathlib import Path

from drugkg.build import build
from drugkg.buildfolder import read_manifest

__all__ = ["EXAMPLE", "HELP", "add_arguments", "run"]

HELP = "build the knowledge graph from the curated sources (dumps, dataset description, store)"
EXAMPLE = "drugkg build --out build/"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path("build"), help="output folder (default: ./build)")
    parser.add_argument(
        "--data", type=Path, default=None, help="folder of curated sources (default: the data shipped with drugkg)"
    )


def run(args: argparse.Namespace) -> int:
    out = build(args.out, args.data)
    manifest = read_manifest(out) or {}
    graphs = manifest.get("graphs", {})
    print(f"built {manifest.get('triples')} triples in {len(graphs)} named graphs into {out}")
    return 0
