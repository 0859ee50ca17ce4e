"""`drugkg validate` stamps a conforming build; the stamp counts only for that manifest and those shapes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from drugkg.cli import main
from drugkg.validation.stamp import STAMP, has_valid_stamp


def test_stamp_follows_the_build(built: Path, tmp_path: Path) -> None:
    folder = tmp_path / "b"
    shutil.copytree(built, folder)
    (folder / STAMP).unlink(missing_ok=True)
    assert not has_valid_stamp(folder)
    assert main(["validate", "--no-reasoning", str(folder)]) == 0
    stamp = json.loads((folder / STAMP).read_text())
    assert stamp["conforms"] is True and stamp["triples"] > 3000
    assert has_valid_stamp(folder)
    manifest = folder / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"drugkg_version"', '"drugkg_version" ', 1))
    assert not has_valid_stamp(folder), "a changed manifest must invalidate the stamp"


def test_validating_other_files_leaves_the_stamp_alone(built: Path, tmp_path: Path) -> None:
    folder = tmp_path / "b"
    shutil.copytree(built, folder)
    assert main(["validate", "--no-reasoning", str(folder)]) == 0
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix drugkg: <https://w3id.org/drugkg/vocab#> .\n"
        '<https://w3id.org/drugkg/resource/quantity/x> a drugkg:Quantity ; drugkg:unit "mg" .\n'
    )
    assert main(["validate", "--no-reasoning", str(bad)]) == 1
    assert has_valid_stamp(folder), "validating another file leaves the build's stamp alone"
