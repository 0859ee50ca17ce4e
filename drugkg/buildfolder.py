"""The build-folder contract: the names of a build's files and graphs, its manifest, and the check
that a folder is a complete, unaltered build. Everything that reads a build uses this module; only
`drugkg.build` writes one."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from drugkg.errors import DrugkgError
from drugkg.namespaces import GRAPH

__all__ = [
    "GRAPH_EXAMPLES",
    "GRAPH_ONTOLOGY",
    "GRAPH_TERMS",
    "GRAPH_VOID",
    "MANIFEST",
    "STORE_DIR",
    "BuildFolder",
    "check_build",
    "file_sha256",
    "open_build",
    "read_manifest",
    "recover_interrupted_swap",
]

STORE_DIR = "store"
MANIFEST = "manifest.json"
GRAPH_ONTOLOGY = str(GRAPH) + "ontology"
GRAPH_VOID = str(GRAPH) + "void"
GRAPH_EXAMPLES = str(GRAPH) + "examples"
# Terms, sources and other resources that monographs share go to one graph, stored once: in a
# graph per monograph they would repeat, and Oxigraph's union of graphs is a bag (duplicate rows).
GRAPH_TERMS = str(GRAPH) + "terms"


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_manifest(out_dir: Path) -> dict[str, Any] | None:
    try:
        return json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def check_build(out_dir: Path) -> dict[str, Any]:
    """The manifest of a complete, unaltered build folder; DrugkgError naming what is wrong otherwise."""
    out_dir = Path(out_dir)
    recover_interrupted_swap(out_dir)
    if not out_dir.is_dir():
        raise DrugkgError("no build here", file=str(out_dir), expected="a folder written by 'drugkg build'")
    manifest = read_manifest(out_dir)
    if manifest is None or not isinstance(manifest.get("files"), dict):
        raise DrugkgError(
            f"{MANIFEST} is missing or unreadable: the build is partial or corrupt",
            file=str(out_dir),
            expected="a folder written by 'drugkg build' (run it again)",
        )
    for name, digest in manifest["files"].items():
        path = out_dir / name
        if not path.is_file():
            raise DrugkgError(
                f"{name} is missing: the build is partial",
                file=str(out_dir),
                expected="every file listed in manifest.json (run 'drugkg build' again)",
            )
        if file_sha256(path) != digest:
            raise DrugkgError(
                f"{name} does not match its checksum: the build is corrupt",
                file=str(out_dir),
                expected="files as written by 'drugkg build' (run it again)",
            )
    if not (out_dir / STORE_DIR).is_dir():
        raise DrugkgError(
            "store/ is missing: the build is partial",
            file=str(out_dir),
            expected="a folder written by 'drugkg build' (run it again)",
        )
    _check_store(out_dir, manifest)
    return manifest


def _check_store(out_dir: Path, manifest: dict[str, Any]) -> None:
    """The store opens read-only and holds every named graph the manifest lists (one seek per graph)."""
    graphs = manifest.get("graphs")
    try:
        store = ox.Store.read_only(str(out_dir / STORE_DIR))
        missing = [
            g
            for g in (graphs if isinstance(graphs, dict) else {})
            if not store.query("ASK { GRAPH ?g { ?s ?p ?o } }", substitutions={ox.Variable("g"): ox.NamedNode(g)})
        ]
        del store
    except (OSError, ValueError, RuntimeError) as err:
        first = str(err).strip().splitlines()[0][:200] if str(err).strip() else type(err).__name__
        raise DrugkgError(
            f"store/ cannot be opened ({first}): the build is corrupt",
            file=str(out_dir),
            expected="a folder written by 'drugkg build' (run it again)",
        ) from None
    if missing:
        raise DrugkgError(
            f"store/ lacks the graph {missing[0]}: the build is partial or corrupt",
            file=str(out_dir),
            expected="a folder written by 'drugkg build' (run it again)",
        )


def recover_interrupted_swap(out_dir: Path) -> None:
    """If a build was killed between moving the old folder aside and the new one in, put the old back."""
    if out_dir.exists():
        return
    for old in sorted(out_dir.parent.glob(f".{out_dir.name}.old-*")):
        if (old / MANIFEST).is_file():
            os.replace(old, out_dir)
            return


@dataclass(frozen=True)
class BuildFolder:
    """A build folder that passed `check_build`, with its manifest."""

    path: Path
    manifest: dict[str, Any]

    @property
    def store(self) -> Path:
        return self.path / STORE_DIR

    @property
    def void(self) -> Path:
        return self.path / "void.ttl"

    @property
    def graphs(self) -> dict[str, int]:
        """Named graph IRI -> triple count, as the manifest lists them."""
        graphs = self.manifest.get("graphs", {})
        return {str(k): int(v) for k, v in graphs.items()} if isinstance(graphs, dict) else {}

    def dumps(self) -> list[Path]:
        """The downloadable files: those the manifest lists (checked by sha256), and the manifest."""
        names = sorted(self.manifest.get("files", {}))
        files = [self.path / name for name in names if "/" not in name and (self.path / name).is_file()]
        return [*files, self.path / MANIFEST]


def open_build(path: Path) -> BuildFolder:
    """The build folder at `path`, after checking it; DrugkgError saying what is wrong otherwise."""
    path = Path(path).resolve()
    manifest = check_build(path)
    return BuildFolder(path=path, manifest=manifest)
