"""The endpoint under load and abuse (bench/abuse.py, bounded: about 40 s, loopback only).

Two clients run the catalogue queries for 8 s, first alone, then while seven others (each from its
own loopback address) send malformed, oversized, update, SERVICE and too-slow queries, runaways
they abandon, memory bombs, deep nesting and half-sent requests, with 500 idle connections held
and a worker killed -9 every 2 s, to `drugkg serve --timeout 1` (no result cache). Asserted: every
answer is the expected one for its kind (no 500, ever), the good queries are still served during the
abuse, the answers at the end equal those at the start, the server is alive, and its memory (with
its workers) returns near where it started. The figures go to test-artifacts/abuse.json.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.abuse import EXPECTED, run

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def figures(built: Path) -> dict:
    return run(built, good=4000, seconds=8, out=ROOT / "test-artifacts" / "abuse.json")


def test_every_answer_is_the_expected_one(figures: dict) -> None:
    assert figures["catalogue queries answering 200"] == figures["catalogue queries"]
    assert not figures["status 500 seen"]
    assert figures["unexpected answers"] == []
    by_kind = figures["under abuse"]["by kind and status"]
    # "killed" and "abuse-killed" (a request whose worker was killed -9 under it) happen only when a
    # kill lands on a busy worker
    chance = {"killed", "abuse-killed"}
    sent = set(by_kind) - chance
    assert sent == set(EXPECTED) - chance, f"some kinds of abuse were never sent: {set(EXPECTED) - set(by_kind)}"


def test_good_queries_are_still_served_during_the_abuse(figures: dict) -> None:
    assert figures["workers killed -9"] >= 2
    storm = figures["under abuse"]
    assert storm["good requests"] >= 20, storm
    assert storm["p99 ms"] is not None and storm["p99 ms"] < 5000, storm


def test_the_server_answers_correctly_at_the_end(figures: dict) -> None:
    assert figures["server alive at the end"]
    assert figures["answers at the end equal the baseline"], figures["answers that changed"]


def test_memory_returns_near_its_start(figures: dict) -> None:
    rss = figures["rss MiB"]
    assert rss["end"] <= rss["start"] + max(64, rss["start"] / 2), rss
