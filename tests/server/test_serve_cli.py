"""`drugkg serve` as a user runs it: start-up, where to point a browser, and clear refusals."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import support.serving as fx
from support.serving import free_port

# The shared fixtures of serve_fixtures.py, used by name below.
real_build = fx.real_build

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = "import sys; from drugkg.cli import main; sys.exit(main(sys.argv[1:]))"  # as the console script


def _drugkg(*args: str) -> list[str]:
    return [sys.executable, "-c", SCRIPT, *args]


def _serve(*args: str, cwd: Path = ROOT) -> subprocess.Popen:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    return subprocess.Popen(
        _drugkg("serve", *args),
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_ready(proc: subprocess.Popen, timeout: float = 90) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "ready" in line:
            return lines
    proc.kill()
    raise AssertionError("drugkg serve did not become ready:\n" + "".join(lines))


def _stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGINT)
    try:
        out, _ = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        raise AssertionError("drugkg serve did not stop on Ctrl-C") from None
    return out


def test_serve_existing_build(real_build) -> None:
    port = free_port()
    started = time.monotonic()
    proc = _serve("--data", str(real_build), "--port", str(port), "--timeout", "5")
    try:
        lines = _wait_ready(proc)
        startup = time.monotonic() - started
        text = "".join(lines)
        assert f"http://127.0.0.1:{port}/" in text  # where to point a browser
        assert startup < 30, f"start-up took {startup:.1f} s"
        r = httpx.get(
            f"http://127.0.0.1:{port}/sparql",
            params={"query": "ASK { ?s a <https://w3id.org/drugkg/vocab#Drug> }"},
        )
        assert r.status_code == 200 and r.json()["boolean"] is True
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/health").json()["fast_path"] == {"on": True, "answered": 1}
    finally:
        out = _stop(proc)
    assert "Traceback" not in out
    assert proc.returncode in (0, 130)
    # the fast path's access-log line, as the application's: client, method, path, status
    assert " 127.0.0.1 GET /sparql?query=ASK+%7B+%3Fs+a+" in out
    [line] = [line for line in out.splitlines() if " GET /sparql?query=" in line]
    assert line.split()[-3] == "200", line


def test_no_fast_path_sends_the_get_through_the_application(real_build) -> None:
    port = free_port()
    proc = _serve("--data", str(real_build), "--port", str(port), "--no-fast-path")
    try:
        _wait_ready(proc)
        r = httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK { FILTER(true) }"})
        assert (r.status_code, r.json()["boolean"]) == (200, True)
        assert httpx.get(f"http://127.0.0.1:{port}/health").json()["fast_path"] == {"on": False}
    finally:
        out = _stop(proc)
    assert "Traceback" not in out


def test_serve_builds_when_there_is_no_build(tmp_path: Path) -> None:
    port = free_port()
    proc = _serve("--port", str(port), cwd=tmp_path)
    try:
        text = "".join(_wait_ready(proc))
        assert "building it first" in text
        assert (tmp_path / "build" / "manifest.json").is_file()
        r = httpx.get(
            f"http://127.0.0.1:{port}/resource/drug/baclofen",
            headers={"Accept": "text/turtle"},
        )
        assert r.status_code == 200 and "baclofen" in r.text
    finally:
        _stop(proc)


def test_port_in_use_is_a_clear_error(real_build) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run(
            _drugkg("serve", "--data", str(real_build), "--port", str(port)),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    assert f"port {port} on 127.0.0.1 is already in use" in done.stderr
    assert "--port" in done.stderr and "Traceback" not in done.stderr


def test_damaged_build_is_refused(real_build, tmp_path: Path) -> None:
    broken = tmp_path / "build"
    shutil.copytree(real_build, broken)
    (broken / "void.ttl").write_text("# cut short\n")
    done = subprocess.run(
        _drugkg("serve", "--data", str(broken), "--port", str(free_port())),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "void.ttl does not match its checksum" in done.stderr and "Traceback" not in done.stderr
    (broken / "manifest.json").unlink()
    done = subprocess.run(
        _drugkg("serve", "--data", str(broken), "--port", str(free_port())),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "manifest.json is missing" in done.stderr
    missing = subprocess.run(
        _drugkg("serve", "--data", str(tmp_path / "nothing")),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 2 and "no build here" in missing.stderr


def test_help_shows_an_example() -> None:
    for command in ("serve", "publish"):
        done = subprocess.run(
            _drugkg(command, "--help"),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0
        assert f"drugkg {command} --" in done.stdout  # the example line
    bad = subprocess.run(
        _drugkg("serve", "--timeout", "-1"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "must be above 0" in bad.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--trusted-proxies", "10.0.0.1/8"],
            "argument --trusted-proxies: '10.0.0.1/8' is not an IP address or network (nor *)",
        ),
        (["--client-ipv6-prefix", "129"], "argument --client-ipv6-prefix: '129' is not a prefix length from 1 to 128"),
        (["--client-ipv4-prefix", "0"], "argument --client-ipv4-prefix: '0' is not a prefix length from 1 to 32"),
    ],
)
def test_serve_refuses_a_bad_client_setting_before_starting(args: list[str], message: str) -> None:
    bad = subprocess.run(_drugkg("serve", *args), cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and f"drugkg serve: error: {message}" in bad.stderr
    assert "Traceback" not in bad.stderr
