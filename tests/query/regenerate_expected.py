"""Rewrite the golden answers in tests/query/expected/ from the current build. Run by hand only:

    .venv/bin/python tests/query/regenerate_expected.py [--out /tmp/drugkg-build]

then read `git diff tests/query/expected/` against the source document before committing: the goldens are
clinical facts, and a changed answer must be a deliberate, reviewed change. The tests never call this.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE.parent))

import pyoxigraph as ox  # noqa: E402 - after sys.path is set, for running this file by hand
from support.queries import EXPECTED_DIR, all_cases  # noqa: E402 - after sys.path is set, for running this file by hand

from drugkg.build import build  # noqa: E402 - after sys.path is set, for running this file by hand
from drugkg.buildfolder import STORE_DIR  # noqa: E402 - after sys.path is set, for running this file by hand
from drugkg.querying import bind_parameters, find_query, run_on_store  # noqa: E402 - after sys.path is set, for running this file by hand


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=None, help="build folder to use (default: a temporary one)")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="drugkg-golden-")) / "build"
    build(out)
    store = ox.Store.read_only(str(out / STORE_DIR))
    written = 0
    for case, (name, params) in all_cases().items():
        query = find_query(name)
        result = run_on_store(store, query.text, bind_parameters(query, params))
        path = EXPECTED_DIR / f"{case}.srj"
        data = json.loads(result.serialize(format=ox.QueryResultsFormat.JSON))
        # indented so that a changed answer reads as a small diff in review
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written += 1
    print(f"wrote {written} golden files into {EXPECTED_DIR}; review them with git diff before committing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
