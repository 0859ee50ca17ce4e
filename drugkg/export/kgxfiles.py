"""The KGX files of an export: nodes and edges as TSV and JSON Lines, and the prefixes they use."""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from drugkg.errors import DrugkgError
from drugkg.export.curies import RESOURCE_PREFIX, VOCAB_PREFIX
from drugkg.export.kgx import EDGE_COLUMNS, NODE_COLUMNS, KgxGraph, Row, read_graph
from drugkg.namespaces import RESOURCE, VOCAB

__all__ = ["FILES", "export_store", "prefix_map", "write_kgx"]

FILES = ("nodes.tsv", "edges.tsv", "nodes.jsonl", "edges.jsonl", "prefixes.json")
_V = str(VOCAB)
_R = str(RESOURCE)


def prefix_map(graph: KgxGraph) -> dict[str, str]:
    """The drugkg prefixes the export's CURIEs use (none is in Biolink's prefix map), to expand them."""
    found: dict[str, str] = {VOCAB_PREFIX: _V}
    for row in [*graph.nodes, *graph.edges]:
        for value in row.values():
            for item in value if isinstance(value, list) else str(value).split("|"):
                prefix = item.partition(":")[0]
                if prefix.startswith(RESOURCE_PREFIX + ".") and prefix != VOCAB_PREFIX:
                    found[prefix] = f"{_R}{prefix[len(RESOURCE_PREFIX) + 1 :]}/"
    return found


def _columns(rows: Iterable[Row], fixed: tuple[str, ...]) -> list[str]:
    extra = sorted({k for r in rows for k in r} - set(fixed))
    return [*fixed, *extra]


def _tsv_value(value: Any) -> str:
    return "|".join(value) if isinstance(value, list) else str(value)


def _write_tsv(path: Path, rows: list[Row], columns: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_tsv_value(row[c]) if c in row else "" for c in columns])


def _write_jsonl(path: Path, rows: list[Row]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps({k: v for k, v in row.items() if v not in ("", [])}, ensure_ascii=False) + "\n")


def write_kgx(graph: KgxGraph, out_dir: Path) -> list[Path]:
    """Write nodes.tsv, edges.tsv, nodes.jsonl and edges.jsonl into `out_dir`, all or nothing."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise DrugkgError("is not a folder", file=str(out_dir), expected="a folder for the KGX files")
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".kgx-", dir=out_dir))
    try:
        _write_tsv(tmp / "nodes.tsv", graph.nodes, _columns(graph.nodes, NODE_COLUMNS))
        _write_tsv(tmp / "edges.tsv", graph.edges, _columns(graph.edges, EDGE_COLUMNS))
        _write_jsonl(tmp / "nodes.jsonl", graph.nodes)
        _write_jsonl(tmp / "edges.jsonl", graph.edges)
        (tmp / "prefixes.json").write_text(
            json.dumps(prefix_map(graph), indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
        for name in FILES:
            os.replace(tmp / name, out_dir / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [out_dir / n for n in FILES]


def export_store(store: ox.Store, out_dir: Path) -> tuple[KgxGraph, list[Path]]:
    graph = read_graph(store)
    return graph, write_kgx(graph, out_dir)
