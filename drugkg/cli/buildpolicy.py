"""When to build: the one policy that `drugkg query`, `serve` and `validate` apply to a build folder.

Nothing below the CLI builds on demand; each command calls `ensure_build` with the folder it was
given and whether it may build there."""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from drugkg.build import build, build_is_current
from drugkg.buildfolder import check_build, read_manifest
from drugkg.errors import DrugkgError
from drugkg.resources import data_dir
from loaders import LOADERS

__all__ = ["add_store_arguments", "ensure_build"]

log = logging.getLogger("drugkg.cli")


def add_store_arguments(parser: argparse.ArgumentParser, verb: str) -> None:
    """`--data DIR` (a build folder, built when missing or stale) or `--endpoint URL`, one of them."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--data",
        type=Path,
        default=Path("build"),
        metavar="DIR",
        help=f"build folder whose embedded store to {verb} (default: ./build; built if missing or stale)",
    )
    where.add_argument("--endpoint", metavar="URL", help=f"{verb} this remote SPARQL 1.1 endpoint instead")


def ensure_build(folder: Path, *, may_build: bool, command: str) -> Path:
    """`folder` as a checked build folder.

    With `may_build`, a missing or stale build of the shipped data is (re)built first; a build made
    from other sources (`drugkg build --data OTHER`) is used as it is, never replaced; a folder that
    is not a build and holds other files is refused. Without it, the folder must already be a
    complete build."""
    folder = Path(folder)
    if not may_build or build_is_current(folder):
        check_build(folder)
        return folder
    manifest = read_manifest(folder)
    if folder.exists() and any(folder.iterdir()) and manifest is None:
        raise DrugkgError(
            "is not a drugkg build and holds other files; refusing to build there",
            file=str(folder),
            expected="a build folder (drugkg build --out DIR) or an empty path",
        )
    if manifest is not None and not _built_from_shipped_data(manifest):
        log.warning("drugkg %s: %s was built from other sources; using it as it is", command, folder)
        check_build(folder)
        return folder
    log.info("drugkg %s: no current build in %s/, building it first", command, folder)
    started = time.perf_counter()
    build(folder)
    log.info("drugkg %s: built %s in %.1f s", command, folder, time.perf_counter() - started)
    return folder


def _built_from_shipped_data(manifest: Mapping[str, Any]) -> bool:
    shipped = sorted(str(p.relative_to(data_dir())) for kind in LOADERS.values() for p in data_dir().glob(kind.pattern))
    return sorted(manifest.get("sources", [])) == shipped
