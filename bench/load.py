"""A bounded SPARQL load generator for loopback servers: N concurrent clients, a time and request cap."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import httpx

__all__ = ["LoadResult", "percentile", "run_load", "wait_until_up"]

ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, */*;q=0.1"


@dataclass
class LoadResult:
    clients: int
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    first_error: str = ""


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[k]


async def _load(
    url: str,
    queries: list[str],
    clients: int,
    duration: float,
    max_requests: int,
    request_timeout: float,
    latencies: list[float],
) -> LoadResult:
    kept = len(latencies)
    errors = 0
    first_error = ""
    sent = 0
    # Each client connects from its own loopback address, as separate users would.
    sessions = [
        httpx.AsyncClient(
            timeout=request_timeout,
            trust_env=False,
            transport=httpx.AsyncHTTPTransport(local_address=f"127.0.0.{2 + c % 250}"),
        )
        for c in range(clients)
    ]
    try:

        async def worker(offset: int) -> None:
            nonlocal errors, first_error, sent
            client = sessions[offset // 7]
            i = offset
            while time.perf_counter() < deadline and sent < max_requests:
                sent += 1
                q = queries[i % len(queries)]
                i += 1
                t = time.perf_counter()
                try:
                    r = await client.get(url, params={"query": q}, headers={"Accept": ACCEPT})
                    await r.aread()
                    ok = r.status_code == 200
                    if not ok and not first_error:
                        first_error = f"HTTP {r.status_code}: {r.text[:200]}"
                except httpx.HTTPError as err:
                    ok = False
                    if not first_error:
                        first_error = f"{type(err).__name__}: {err}"
                if ok:
                    latencies.append(time.perf_counter() - t)
                else:
                    errors += 1

        started = time.perf_counter()
        deadline = started + duration  # from here: the clients' set-up is not load time
        await asyncio.gather(*(worker(c * 7) for c in range(clients)))
        elapsed = time.perf_counter() - started
    finally:
        for session in sessions:
            await session.aclose()
    mine = sorted(latencies[kept:])
    return LoadResult(
        clients,
        len(mine),
        errors,
        elapsed,
        len(mine) / elapsed if elapsed else 0.0,
        percentile(mine, 0.5) * 1000,
        percentile(mine, 0.99) * 1000,
        first_error,
    )


def run_load(
    url: str,
    queries: list[str],
    clients: int,
    *,
    duration: float = 8.0,
    max_requests: int = 5000,
    request_timeout: float = 60.0,
    latencies: list[float] | None = None,
) -> LoadResult:
    """Round-robin `queries` from `clients` concurrent clients for at most `duration` s / `max_requests`.

    `latencies`: a list the seconds of each answered request are added to (for percentiles over
    several runs)."""
    sink = [] if latencies is None else latencies
    return asyncio.run(_load(url, queries, clients, duration, max_requests, request_timeout, sink))


def wait_until_up(url: str, *, timeout: float, is_alive: object = None) -> float | None:
    """Seconds until `url` answers an ASK query with 200, or None if it does not within `timeout`."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if callable(is_alive) and not is_alive():
            return None
        try:
            r = httpx.get(
                url, params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": ACCEPT}, timeout=5, trust_env=False
            )
            if r.status_code == 200:
                return time.perf_counter() - start
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    return None
