"""Instructions the server process (the front) executes per SPARQL request, counted by callgrind.

    python -m bench.front_instructions            # 100k, 200 distinct queries twice (about 20 s)

Timings of one request move by a third between runs on this machine; an instruction count does
not (two runs of the same code agree within 0.5%). So a change to the front's path is measured
here first: `drugkg serve` (defaults, result cache off) runs under `valgrind --tool=callgrind`
with instrumentation off; once it is up and has answered the workload once, instrumentation is
turned on for exactly one more pass of it, and the count (user space only: the kernel's share and
the workers, which are other processes, are not in it) is divided by the requests. Needs
valgrind (Debian: apt-get install valgrind). Writes bench/results/front-instructions.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["main"]


def _instructions(dump_prefix: Path) -> int:
    """The largest total over the dump files callgrind wrote under `dump_prefix`."""
    total = 0
    for dump in dump_prefix.parent.glob(dump_prefix.name + "*"):
        for line in dump.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith(("summary:", "totals:")):
                total = max(total, int(line.split()[1]))
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("serve_args", nargs="*", help="extra `drugkg serve` options (after --)")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        raise SystemExit("bench.front_instructions needs valgrind (Debian: apt-get install valgrind)")

    from bench import serve_speed
    from bench.load import wait_until_up
    from bench.overhead import lean_times
    from bench.run import ENV, RESULTS, ROOT, WORK, drugkg_serve, free_port, prepare_data

    build = serve_speed._build("100k")
    _, _, inproc = serve_speed._workload(prepare_data("100k"), build / "store")
    texts = list(inproc)[: args.queries]
    command, url = drugkg_serve(build, free_port(), 0, tuple(args.serve_args))
    dumps = WORK / "callgrind" / "front"
    shutil.rmtree(dumps.parent, ignore_errors=True)
    dumps.parent.mkdir(parents=True)
    valgrind = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={dumps}"]
    with open(WORK / "front-instructions.log", "wb") as log:
        proc = subprocess.Popen(
            valgrind + command,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, **ENV, "PYTHONHASHSEED": "0"},
        )
    try:
        if wait_until_up(url, timeout=600, is_alive=lambda: proc.poll() is None) is None:
            raise SystemExit(f"drugkg serve did not start under valgrind (see {WORK / 'front-instructions.log'})")
        lean_times(url, texts)  # both passes untimed here: every query's policy verdict and code paths warm
        for step in (["-i", "on"], None, ["-i", "off"], ["-d"]):
            if step is None:
                lean_times(url, texts)
            else:
                subprocess.run(["callgrind_control", *step, str(proc.pid)], check=True, capture_output=True)
        time.sleep(1)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(60)
    requests = 2 * len(texts)
    out = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "requests": requests,
        "serve_args": args.serve_args,
        "instructions_per_request": round(_instructions(dumps) / requests),
    }
    print(f"drugkg serve's front: {out['instructions_per_request']:,} instructions a request ({requests} requests)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "front-instructions.json").write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
