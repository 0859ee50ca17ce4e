"""Exports of a build in other communities' formats: KGX in the Biolink Model."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from drugkg.buildfolder import STORE_DIR, check_build
from drugkg.errors import DrugkgError
from drugkg.export.kgx import KgxGraph
from drugkg.export.kgxfiles import export_store

__all__ = ["FORMATS", "export_build"]

FORMATS = ("kgx",)


def export_build(build_dir: Path, out_dir: Path, fmt: str = "kgx") -> tuple[KgxGraph, list[Path]]:
    """Export the build in `build_dir` (checked against its manifest first) to `out_dir`."""
    if fmt not in FORMATS:
        raise DrugkgError(f"unknown export format {fmt!r}", expected=" or ".join(FORMATS))
    check_build(Path(build_dir))
    try:
        store = ox.Store.read_only(str(Path(build_dir) / STORE_DIR))
    except OSError as err:
        raise DrugkgError(f"cannot open the store: {err}", file=str(Path(build_dir) / STORE_DIR)) from None
    return export_store(store, Path(out_dir))
