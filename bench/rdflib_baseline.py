"""The plain-rdflib baselines, run as a child process so they can be timed, measured and bounded.

python -m bench.rdflib_baseline build BUILD_DIR OUT_DIR
    parse the build's N-Triples dump with rdflib and write it as Turtle (the obvious way to
    make the dumps without drugkg's pipeline).
python -m bench.rdflib_baseline queries BUILD_DIR PARAMS_JSON SECONDS
    load the N-Triples dump into an rdflib Graph and time every catalogue query with rdflib's
    SPARQL engine; prints one JSON object (load seconds, per-query medians) on stdout.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path


def _build(build_dir: Path, out_dir: Path) -> None:
    import rdflib

    out_dir.mkdir(parents=True, exist_ok=True)
    g = rdflib.Graph()
    g.parse(build_dir / "drugkg.nt", format="nt")
    g.serialize(out_dir / "rdflib.ttl", format="turtle")


def _queries(build_dir: Path, params_file: Path, budget: float) -> None:
    import rdflib

    from bench.queries import catalogue_with_bindings
    from drugkg.querying import run_on_graph, to_table

    started = time.perf_counter()
    g = rdflib.Graph()
    g.parse(build_dir / "drugkg.nt", format="nt")
    load = time.perf_counter() - started
    out: dict[str, object] = {"load_seconds": load, "queries": {}}
    deadline = time.perf_counter() + budget
    for name, text, bindings in catalogue_with_bindings(json.loads(params_file.read_text())):
        times = []
        rows = None
        for _ in range(3):
            if time.perf_counter() > deadline:
                break
            t = time.perf_counter()
            rows = len(to_table(run_on_graph(g, text, bindings)).rows)
            times.append(time.perf_counter() - t)
        out["queries"][name] = {
            "median_s": statistics.median(times) if times else None,  # type: ignore[index]
            "runs": len(times),
            "rows": rows,
        }
        print(json.dumps(out), flush=True)  # the parent keeps the last complete line if it must stop us


def main(argv: list[str]) -> int:
    if argv[0] == "build":
        _build(Path(argv[1]), Path(argv[2]))
    elif argv[0] == "queries":
        _queries(Path(argv[1]), Path(argv[2]), float(argv[3]))
    else:
        raise SystemExit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
