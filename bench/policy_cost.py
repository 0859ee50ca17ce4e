"""What the query policy costs per query: drugkg.sparql.policy.analyse against rdflib's parser.

    python -m bench.policy_cost [--repeat N]

For each catalogue query: `analyse` uncached (the lexer and the checks, as for a query never
seen before), `analyse` cached (the same text again), rdflib's `parseQuery`, and `parseQuery` +
`translateQuery` (what the exact parameter check uses, once per query text). Medians over the
catalogue, in microseconds.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from drugkg.catalogue import load_catalogue
from drugkg.sparql.policy import analyse

__all__ = ["main", "measure"]


def _median_us(run: Callable[[str], object], texts: list[str], repeat: int, before: Callable[[], None]) -> float:
    per_query = []
    for text in texts:
        times = []
        for _ in range(repeat):
            before()
            start = time.perf_counter()
            run(text)
            times.append(time.perf_counter() - start)
        per_query.append(statistics.median(times))
    return statistics.median(per_query) * 1e6


def measure(repeat: int = 20) -> dict[str, float]:
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    texts = [q.text for q in load_catalogue()]

    def nothing() -> None:
        return None

    analyse(texts[0])
    return {
        "analyse, uncached": _median_us(analyse, texts, repeat, analyse.cache_clear),
        "analyse, cached": _median_us(analyse, texts, repeat, nothing),
        "rdflib parseQuery": _median_us(parseQuery, texts, max(1, repeat // 4), nothing),
        "rdflib parseQuery + translateQuery": _median_us(
            lambda t: translateQuery(parseQuery(t)), texts, max(1, repeat // 4), nothing
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    for name, us in measure(args.repeat).items():
        print(f"{name:40s} {us:10.1f} µs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
