"""`drugkg export`: a build in another community's format (KGX files in the Biolink Model)."""

from __future__ import annotations

import argparse
from pathlib import Path

from drugkg.export import FORMATS, export_build

__all__ = ["EXAMPLE", "HELP", "add_arguments", "run"]

HELP = "export a build as KGX node and edge files in the Biolink Model (TSV and JSON Lines)"
EXAMPLE = "drugkg export --format kgx --data build --out kgx/"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = (
        f"example:\n  {EXAMPLE}\n\n"
        "writes nodes.tsv, edges.tsv, nodes.jsonl and edges.jsonl (KGX); merge them with other\n"
        "sources with `kgx merge` (see docs/biolink-export.md)."
    )
    parser.add_argument("--format", "-f", choices=FORMATS, default="kgx", help="export format (default: kgx)")
    parser.add_argument(
        "--data",
        type=Path,
        default=Path("build"),
        metavar="DIR",
        help="build folder to export (default: ./build; never rebuilt)",
    )
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for the exported files")


def run(args: argparse.Namespace) -> int:
    graph, files = export_build(args.data, args.out, args.format)
    print(
        f"exported {len(graph.nodes)} nodes and {len(graph.edges)} edges to {args.out} "
        f"({', '.join(f.name for f in files)})"
    )
    return 0
