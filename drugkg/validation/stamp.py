"""Remember that a build conformed, so `drugkg serve` need not validate the same build twice.

A stamp (`validated.json` in the build folder) records the sha256 of the build's manifest and of
the shapes it was validated with; it counts only while both are unchanged. Only a conforming
outcome is stamped.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from drugkg.buildfolder import MANIFEST
from drugkg.resources import shapes_dir
from drugkg.validation.report import ValidationOutcome

__all__ = ["STAMP", "has_valid_stamp", "stamp_key", "write_stamp"]

STAMP = "validated.json"


def stamp_key(build_dir: Path) -> dict[str, str]:
    shapes = hashlib.sha256()
    for path in sorted(shapes_dir().glob("*.ttl")):
        shapes.update(path.name.encode() + b"\n" + path.read_bytes())
    manifest = hashlib.sha256((Path(build_dir) / MANIFEST).read_bytes()).hexdigest()
    return {"manifest_sha256": manifest, "shapes_sha256": shapes.hexdigest()}


def has_valid_stamp(build_dir: Path) -> bool:
    try:
        stamp = json.loads((Path(build_dir) / STAMP).read_text(encoding="utf-8"))
        return bool(stamp.get("conforms")) and {k: stamp.get(k) for k in stamp_key(build_dir)} == stamp_key(build_dir)
    except (OSError, ValueError, AttributeError):
        return False


def write_stamp(build_dir: Path, outcome: ValidationOutcome) -> None:
    """Stamp a conforming outcome (atomically); anything else removes an old stamp."""
    target = Path(build_dir) / STAMP
    if not outcome.conforms:
        target.unlink(missing_ok=True)
        return
    record = {**stamp_key(build_dir), "conforms": True, "triples": outcome.triples, "warnings": len(outcome.warnings)}
    tmp = target.with_suffix(f".tmp-{os.getpid()}")
    tmp.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, target)
