"""Supply chain, offline: the lock file pins what the tests ran with, and no pinned version is a known-bad one.

`pip-audit` needs PyPI's JSON API or OSV; neither answers from this build machine (see
docs/reliability.md), so this is the offline equivalent: the installed versions are the locked ones,
every dependency of pyproject.toml is locked at a version its bounds allow, and no locked version is
below the first release that fixed a published advisory of that package (the table below).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements.lock"

# package -> first version without the published advisories we know of (CVE ids for the record)
FIXED_IN = {
    "pyyaml": ("5.4", "CVE-2020-14343 full_load code execution"),
    "starlette": ("0.47.2", "CVE-2024-47874, CVE-2025-54121 multipart denial of service"),
    "h11": ("0.16.0", "CVE-2025-43859 request smuggling"),
    "idna": ("3.7", "CVE-2024-3651 quadratic encode"),
    "certifi": ("2024.7.4", "CVE-2024-39689 GLOBALTRUST roots"),
    "pillow": ("10.3.0", "CVE-2024-28219 buffer overflow"),
    "jinja2": ("3.1.6", "CVE-2025-27516 sandbox escape"),
    "urllib3": ("2.5.0", "CVE-2025-50181 redirect control"),
    "requests": ("2.32.4", "CVE-2024-47081 .netrc leak"),
    "lxml": ("4.9.1", "CVE-2022-2309 NULL dereference"),
}


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"not an exact pin: {line!r}"
            assert norm(name) not in pins, f"{name} is pinned twice"
            pins[norm(name)] = version.strip()
    return pins


def test_installed_versions_are_the_locked_ones() -> None:
    drift = {}
    for name, version in locked().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            drift[name] = (version, "not installed")
            continue
        if Version(installed) != Version(version):
            drift[name] = (version, installed)
    assert not drift, f"installed versions differ from requirements.lock (locked, installed): {drift}"


def test_every_project_dependency_is_locked_within_its_bounds() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = locked()
    wanted = project["dependencies"] + [
        r for extra in ("test", "bench") for r in project["optional-dependencies"][extra]
    ]
    for text in wanted:
        req = Requirement(text)
        assert norm(req.name) in pins, f"{req.name} is not in requirements.lock"
        assert req.specifier.contains(pins[norm(req.name)], prereleases=True), (
            f"{req.name}=={pins[norm(req.name)]} is outside pyproject's {req.specifier}"
        )


def test_the_lock_is_exactly_the_dependency_closure() -> None:
    """Nothing extra, nothing missing: regenerating from this venv gives the same pins."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "lock.py")], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    regenerated = {
        norm(n): v
        for n, _, v in (line.partition("==") for line in out.splitlines() if line and not line.startswith("#"))
    }
    assert regenerated == locked()


def test_no_locked_version_has_a_known_advisory() -> None:
    bad = {
        name: (pins, why)
        for name, pins in locked().items()
        if name in FIXED_IN
        for fixed, why in [FIXED_IN[name]]
        if Version(pins) < Version(fixed)
    }
    assert not bad, f"locked versions below the fix of a published advisory: {bad}"
