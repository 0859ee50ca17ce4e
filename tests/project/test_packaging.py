"""The wheel carries the ontology, shapes, queries and data, and `pip install .` gives a working command."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (found,) = out.glob("drugkg-*.whl")
    return found


def test_wheel_holds_package_and_data_only(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for folder in ("ontology", "shapes", "queries", "data"):
        tracked = subprocess.run(
            ["git", "-C", str(ROOT), "ls-files", folder], capture_output=True, text=True
        ).stdout.split()
        on_disk = [p for p in tracked if (ROOT / p).is_file()] or [
            str(p.relative_to(ROOT)) for p in (ROOT / folder).rglob("*") if p.is_file()
        ]
        assert on_disk, f"{folder}/ is empty"
        for rel in on_disk:
            assert f"drugkg/resources/{rel}" in names, f"{rel} is not in the wheel"
    top = {n.split("/")[0] for n in names}
    assert top == {"drugkg", "loaders", wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info"}
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc") or "/tests/" in n]


def test_installed_command_builds_from_any_folder(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    pip = [str(env_dir / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)]
    subprocess.run(pip, check=True, capture_output=True, timeout=600)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [str(env_dir / "bin" / "drugkg"), "build", "--out", "kg"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("built ") and "named graphs" in result.stdout
    assert (work / "kg" / "drugkg.nt").read_bytes() == (work / "kg" / "drugkg.nt").read_bytes()
    assert (work / "kg" / "manifest.json").is_file()
    assert str(ROOT) not in (work / "kg" / "manifest.json").read_text()
