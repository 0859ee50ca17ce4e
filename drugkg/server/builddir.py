"""A checked build folder: manifest present and every listed file intact (drugkg.build.check_build)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["BuildFolder", "open_build"]


@dataclass(frozen=True)
class BuildFolder:
    """A build folder that passed `drugkg.build.check_build`, with its manifest."""

    path: Path
    manifest: dict[str, Any]

    @property
    def store(self) -> Path:
        return self.path / "store"

    @property
    def void(self) -> Path:
        return self.path / "void.ttl"

    @property
    def graphs(self) -> dict[str, int]:
        """Named graph IRI -> triple count, as the manifest lists them."""
        graphs = self.manifest.get("graphs", {})
        return (
            {str(k): int(v) for k, v in graphs.items()}
            if isinstance(graphs, dict)
            else {}
        )

    def dumps(self) -> list[Path]:
        """The downloadable files: those the manifest lists (checked by sha256), and the manifest."""
        names = sorted(self.manifest.get("files", {}))
        files = [
            self.path / name
            for name in names
            if "/" not in name and (self.path / name).is_file()
        ]
        return [*files, self.path / "manifest.json"]


def open_build(path: Path) -> BuildFolder:
    """The build folder at `path`, after checking it; DrugkgError saying what is wrong otherwise."""
    from drugkg.build import check_build

    path = Path(path).resolve()
    manifest = check_build(path)
    return BuildFolder(path=path, manifest=manifest)
