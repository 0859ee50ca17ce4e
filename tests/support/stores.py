"""Real external stores for the tests: Debian's Virtuoso 7 from a private virtuoso.ini in a temp
folder, and the README's recipes run as the README has them."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support.serving import free_port, wait_http

ROOT = Path(__file__).resolve().parents[2]
PACKAGED_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
VIRTUOSO = shutil.which("virtuoso-t") or "/usr/bin/virtuoso-t"
VENV_BIN = Path(sys.executable).parent


def virtuoso_ini(folder: Path, host: str, http_port: int, sql_port: int) -> Path:
    """A copy of the packaged virtuoso.ini with the database, log, lock and ports in `folder`."""
    assert PACKAGED_INI.is_file(), "Debian's virtuoso-opensource is installed by `make system-deps`"
    text = PACKAGED_INI.read_text(encoding="utf-8")
    text = text.replace("/var/lib/virtuoso-opensource-7/db", str(folder))
    text = re.sub(r"(?m)^ServerPort\s*=\s*1111\b", f"ServerPort = {host}:{sql_port}", text)
    text = re.sub(r"(?m)^ServerPort\s*=\s*8890\b", f"ServerPort = {host}:{http_port}", text)
    ini = folder / "virtuoso.ini"
    ini.write_text(text, encoding="utf-8")
    return ini


@contextlib.contextmanager
def running_virtuoso(folder: Path, host: str, http_port: int, sql_port: int) -> Iterator[str]:
    """Start Virtuoso in the foreground from a private ini; yield its base URL; stop it after."""
    folder.mkdir(parents=True, exist_ok=True)
    ini = virtuoso_ini(folder, host, http_port, sql_port)
    log = (folder / "virtuoso.out").open("wb")
    proc = subprocess.Popen([VIRTUOSO, "-c", str(ini), "+foreground"], cwd=folder, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://{host}:{http_port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Virtuoso did not start: {(folder / 'virtuoso.out').read_text()[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def readme_recipe(name: str) -> str:
    """The shell block of the README that follows `<!-- recipe: NAME ...-->`, as the README has it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- recipe: " + re.escape(name) + r"\b[^>]*-->\n```sh\n(.*?)```", readme, re.DOTALL)
    assert match, f"the README has no recipe {name!r}"
    return match.group(1)


def shim_bin(folder: Path) -> Path:
    """A bin folder whose `drugkg` runs this checkout (the venv's console script may be an older copy)."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "drugkg"
    script.write_text(f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" -m drugkg.cli "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    return folder


def can_isolate_network() -> bool:
    """Whether `unshare -n` gives this process a private network namespace (root, or CAP_SYS_ADMIN)."""
    if os.environ.get("DRUGKG_TEST_NO_NETNS") or shutil.which("unshare") is None or shutil.which("ip") is None:
        return False  # DRUGKG_TEST_NO_NETNS=1 runs the fallback (free loopback ports) where a namespace works
    done = subprocess.run(
        ["unshare", "-n", "ip", "link", "set", "lo", "up"], capture_output=True, timeout=30, check=False
    )
    return done.returncode == 0


OXIGRAPH = Path(sys.executable).parent / "oxigraph"


@pytest.fixture
def plain_oxigraph(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [str(OXIGRAPH), "serve", "--location", str(tmp_path / "store"), "--bind", f"127.0.0.15:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_http(f"http://127.0.0.15:{port}/query?query=ASK%7B%7D", timeout=30)
        yield f"http://127.0.0.15:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
