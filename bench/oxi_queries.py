"""Time catalogue queries on a build's embedded store, in a child process the parent can stop.

    python -m bench.oxi_queries BUILD_DIR PARAMS_JSON BUDGET_S [SKIP,...]

pyoxigraph's Store.query has no timeout, so the parent (bench.run) bounds each query by killing
this process and starting it again without the query. One JSON line per event on stdout.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    import pyoxigraph as ox

    from bench.queries import catalogue_with_bindings
    from drugkg.querying import run_on_store, to_table

    build, params, budget = Path(argv[0]), json.loads(Path(argv[1]).read_text()), float(argv[2])
    skip = set(argv[3].split(",")) if len(argv) > 3 and argv[3] else set()
    store = ox.Store.read_only(str(build / "store"))
    for name, text, bindings in catalogue_with_bindings(params):
        if name in skip:
            continue
        print(json.dumps({"start": name}), flush=True)
        t = time.perf_counter()
        rows = len(to_table(run_on_store(store, text, bindings)).rows)  # warm-up, and the row count
        times = [time.perf_counter() - t]
        spent = 0.0
        while len(times) < 30 and spent < budget:
            t = time.perf_counter()
            to_table(run_on_store(store, text, bindings))
            times.append(time.perf_counter() - t)
            spent += times[-1]
        timed = times[1:] or times
        print(
            json.dumps({"name": name, "ms": statistics.median(timed) * 1000, "rows": rows, "runs": len(timed)}),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
