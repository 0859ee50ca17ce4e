"""How long `drugkg validate` takes on the real graph from a cold start, and where the time goes.

    python -m bench.validate_cold [--build DIR] [--runs 5]

Each run is a fresh Python process (cold imports, cold caches apart from the OS page cache) that
times its phases: imports, loading the build (parse into Oxigraph), SHACL, OWL reasoning (HermiT,
including the JVM start), and writing the report. Prints a Markdown table of medians.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
from drugkg.validation import validate_store
from drugkg.validation.inputs import read_build
from drugkg.validation.formats import render
t1 = time.perf_counter()
store = read_build(sys.argv[1])
t2 = time.perf_counter()
outcome = validate_store(store, reasoning=True)
t3 = time.perf_counter()
text = render(outcome, "text")
t4 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "load": t2 - t1, "shacl": outcome.timings["shacl"],
                  "reasoning": outcome.timings.get("reasoning", 0.0), "report": t4 - t3,
                  "triples": outcome.triples, "results": len(outcome.results),
                  "reasoning_status": outcome.reasoning.status if outcome.reasoning else None}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", type=Path, default=None, help="build folder (default: build the shipped data)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    build = args.build
    if build is None:
        from drugkg.build import build as do_build

        build = do_build(Path(tempfile.mkdtemp(prefix="drugkg-bench-")) / "build")
    rows = []
    for _ in range(args.runs):
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", CHILD, str(build)], capture_output=True, text=True, check=True)
        wall = time.perf_counter() - start
        row = json.loads(out.stdout.strip().splitlines()[-1])
        row["wall"] = wall
        rows.append(row)
    med = {
        k: statistics.median(r[k] for r in rows) for k in ("imports", "load", "shacl", "reasoning", "report", "wall")
    }
    print(
        f"Cold-start `drugkg validate` of the real graph: {rows[0]['triples']} triples, {rows[0]['results']} results, "
        f"reasoning {rows[0]['reasoning_status']}; median of {args.runs} runs.\n"
    )
    print("| phase | seconds |\n|---|---|")
    for k in ("imports", "load", "shacl", "reasoning", "report"):
        print(f"| {k} | {med[k]:.2f} |")
    print(f"| **total (process wall clock, incl. interpreter start)** | **{med['wall']:.2f}** |")


if __name__ == "__main__":
    main()
