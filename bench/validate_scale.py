"""`drugkg validate` (fast engine) against plain pySHACL at about 10k, 100k and 1M triples.

    python -m bench.validate_scale [--drugs 10,100,1000] [--pyshacl-timeout 600] [--runs 3] [--work DIR]

Synthetic drugs (`drugkg synth`, seed 1) are built once per size into --work. Each measurement is
a fresh process: the fast path is `drugkg validate BUILD --no-reasoning` (load + SHACL); plain
pySHACL parses the same N-Triples dump (plus nothing else: the ontology is already in it) into an
rdflib Memory graph and runs `pyshacl.validate` with the same shapes, no inference. pySHACL is
killed after --pyshacl-timeout seconds and reported as "> N s". Both runs' result sets are
compared where both finished. Prints a Markdown table (medians; peak RSS of the process).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

PYSHACL = r"""
import glob, json, sys, time
import rdflib, pyshacl
from drugkg.resources import shapes_dir
from drugkg.validation.reference import results_from_report
t = time.perf_counter()
shapes = rdflib.Graph()
for f in sorted(glob.glob(str(shapes_dir() / "*.ttl"))):
    shapes.parse(f, format="turtle")
data = rdflib.Graph()
data.parse(sys.argv[1], format="nt")
parsed = time.perf_counter() - t
conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none")
import resource
print(json.dumps({"parse": parsed, "keys": sorted(map(list, (r.key()[:6] for r in results_from_report(report)))),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""

FAST = r"""
import json, sys
from drugkg.validation import validate_build
o = validate_build(sys.argv[1], reasoning=False)
import resource
print(json.dumps({"timings": o.timings, "keys": sorted(map(list, (r.key()[:6] for r in o.results))), "triples": o.triples,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""


def timed(cmd: list[str], timeout: float | None) -> tuple[float | None, int, str]:
    """(wall seconds or None on timeout, peak RSS in MB as the child reports it, stdout)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return None, 0, ""
    wall = time.perf_counter() - start
    lines = out.strip().splitlines()
    rss = int(json.loads(lines[-1]).get("rss_mb", 0)) if lines else 0
    return wall, rss, out


def ensure_build(work: Path, drugs: int) -> Path:
    build = work / f"build-{drugs}"
    if not (build / "manifest.json").is_file():
        data = work / f"syn-{drugs}"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "drugkg.cli",
                "synth",
                "--drugs",
                str(drugs),
                "--seed",
                "1",
                "--out",
                str(data),
                "--force",
            ],
            check=True,
        )
        subprocess.run(
            [sys.executable, "-m", "drugkg.cli", "build", "--data", str(data), "--out", str(build)],
            check=True,
            capture_output=True,
        )
    return build


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drugs", default="10,100,1000")
    parser.add_argument("--pyshacl-timeout", type=float, default=600)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("bench-work"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    rows = []
    for drugs in (int(d) for d in args.drugs.split(",")):
        build = ensure_build(args.work, drugs)
        fast_runs = [timed([sys.executable, "-c", FAST, str(build)], None) for _ in range(args.runs)]
        fast_wall = statistics.median(w for w, _, _ in fast_runs if w is not None)
        fast_rss = max(r for _, r, _ in fast_runs)
        fast = json.loads(fast_runs[-1][2])
        ref_wall, ref_rss, ref_out = timed(
            [sys.executable, "-c", PYSHACL, str(build / "drugkg.nt")], args.pyshacl_timeout
        )
        same = None if ref_wall is None else json.loads(ref_out)["keys"] == fast["keys"]
        rows.append(
            (drugs, fast["triples"], fast_wall, fast_rss, fast["timings"], ref_wall, ref_rss, same, len(fast["keys"]))
        )
        print(f"# {drugs} drugs done", file=sys.stderr, flush=True)
    print(
        "| drugs | triples | fast: wall s (load + SHACL) | fast peak MB | pySHACL wall s | pySHACL peak MB | ratio | same results |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for drugs, triples, wall, rss, timings, ref_wall, ref_rss, same, n in rows:
        ref = f"> {args.pyshacl_timeout:.0f}" if ref_wall is None else f"{ref_wall:.1f}"
        ratio = f"> {args.pyshacl_timeout / wall:.0f}x" if ref_wall is None else f"{ref_wall / wall:.0f}x"
        same_text = "not compared (timeout)" if same is None else ("yes" if same else "NO")
        print(
            f"| {drugs} | {triples} | {wall:.1f} ({timings['load']:.1f} + {timings['shacl']:.1f}) | {rss} | {ref} | "
            f"{ref_rss or '-'} | {ratio} | {same_text} ({n} results) |"
        )


if __name__ == "__main__":
    main()
