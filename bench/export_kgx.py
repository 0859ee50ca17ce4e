"""Time `drugkg export --format kgx` against kgx's own RDF-to-KGX transform on the same N-Triples.

  python -m bench.export_kgx --drugs 100 [--work /tmp/bench-kgx] [--kgx-python .venv-kgx/bin/python]

Synthesises N drugs (seed 1), builds them, then runs each tool once in its own process and reports
wall time and peak resident memory (ru_maxrss of that process). kgx runs through
scripts/kgx_offline.py (the packaged Biolink Model, no network). The two do different work: kgx
turns every triple into KGX generically (reified statements become nodes with their properties),
drugkg maps each statement to one Biolink edge; the figure says what the obvious alternative costs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS in MB of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
    return seconds, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drugs", default="100")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-kgx"))
    parser.add_argument("--kgx-python", default=str(ROOT / ".venv-kgx" / "bin" / "python"))
    args = parser.parse_args()
    py = sys.executable
    data, build, out, kgx_out = (args.work / n for n in ("data", "build", "drugkg-kgx", "kgx-transform"))
    subprocess.run(
        [py, "-m", "drugkg.cli", "synth", "--drugs", args.drugs, "--seed", "1", "--out", str(data)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [py, "-m", "drugkg.cli", "build", "--data", str(data), "--out", str(build)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    triples = json.loads((build / "manifest.json").read_text())["triples"]
    export_s, export_mb = _timed(
        [py, "-m", "drugkg.cli", "export", "--format", "kgx", "--data", str(build), "--out", str(out)]
    )
    kgx_out.mkdir(parents=True, exist_ok=True)
    kgx_s, kgx_mb = _timed(
        [
            args.kgx_python,
            str(ROOT / "scripts" / "kgx_offline.py"),
            "kgx",
            "transform",
            "--input-format",
            "nt",
            "--output-format",
            "tsv",
            "--output",
            str(kgx_out / "kgx"),
            str(build / "drugkg.nt"),
        ]
    )
    edges = sum(1 for _ in (out / "edges.tsv").open()) - 1
    kgx_edges = sum(1 for _ in (kgx_out / "kgx_edges.tsv").open()) - 1
    print(
        json.dumps(
            {
                "triples": triples,
                "drugs": args.drugs,
                "drugkg_export": {"seconds": round(export_s, 1), "peak_mb": round(export_mb), "edges": edges},
                "kgx_transform_nt": {"seconds": round(kgx_s, 1), "peak_mb": round(kgx_mb), "edges": kgx_edges},
            },
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
