"""Progress bars on a terminal, nothing when stderr is piped or under --quiet; `synth` refuses a
non-empty folder unless --force."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _with_tty_stderr(*args: str) -> tuple[int, str]:
    """Run `drugkg ARGS` with stderr on a pseudo-terminal; return its exit code and what it drew."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal of 100 columns
    proc = subprocess.Popen(
        [sys.executable, "-m", "drugkg.cli", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env={**os.environ, "COLUMNS": "100"},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return proc.wait(timeout=300), b"".join(chunks).decode("utf-8", "replace")


def _piped(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "drugkg.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )


def test_synth_and_build_draw_progress_on_a_terminal(tmp_path: Path) -> None:
    code, drawn = _with_tty_stderr("synth", "--drugs", "30", "--seed", "2", "--out", str(tmp_path / "syn"))
    assert code == 0
    assert "synth" in drawn and "30/30" in drawn and "monograph" in drawn
    code, drawn = _with_tty_stderr("build", "--data", str(tmp_path / "syn"), "--out", str(tmp_path / "build"))
    assert code == 0, drawn
    assert "build: reading sources" in drawn and "file" in drawn
    assert "writing the dumps" in drawn


def test_validate_draws_its_stages_on_a_terminal(built: Path) -> None:
    code, drawn = _with_tty_stderr("validate", str(built), "--no-reasoning")
    assert code == 0, drawn
    assert "validate" in drawn and "checking the shapes" in drawn


def test_quiet_on_a_terminal_and_piped_draw_nothing(tmp_path: Path) -> None:
    code, drawn = _with_tty_stderr("synth", "--drugs", "30", "--out", str(tmp_path / "a"), "--quiet")
    assert code == 0 and drawn == ""
    done = _piped("synth", "--drugs", "30", "--out", str(tmp_path / "b"))
    assert done.returncode == 0 and done.stderr == ""
    done = _piped("build", "--data", str(tmp_path / "b"), "--out", str(tmp_path / "build"), "--quiet")
    assert done.returncode == 0 and done.stderr == ""


def test_synth_refuses_a_non_empty_folder_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    done = _piped("synth", "--drugs", "3", "--out", str(out))
    assert done.returncode == 2
    assert done.stderr == (
        f"drugkg synth: {out}: is not empty; refusing to write synthetic monographs into it "
        "(expected an empty or new folder, or --force to write into this one)\n"
    )
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]  # nothing written
    forced = _piped("synth", "--drugs", "3", "--out", str(out), "--force")
    assert forced.returncode == 0, forced.stderr
    assert len(list((out / "drugs").glob("syn-*.yaml"))) == 3


def test_publish_draws_its_uploads_on_a_terminal(plain_oxigraph: str, built: Path) -> None:
    code, drawn = _with_tty_stderr(
        "publish", "--to", f"{plain_oxigraph}/store", "--no-transaction", "--data", str(built)
    )
    assert code == 0, drawn
    assert "publish: uploading" in drawn and "graph" in drawn
    assert "HTTP Request:" not in drawn
    code, drawn = _with_tty_stderr(
        "publish", "--to", f"{plain_oxigraph}/store", "--no-transaction", "--data", str(built), "--quiet"
    )
    assert code == 0 and "publish: uploading" not in drawn
