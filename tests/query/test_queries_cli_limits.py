"""`drugkg query` on the local store runs in a worker under limits; --no-limits runs it in process."""

from __future__ import annotations

import time

from support.queries import drugkg

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n0 ?o }"
BOMB = (
    'SELECT (STRLEN(?s34) AS ?n) WHERE { BIND("0123456789abcdef" AS ?s0) '
    + " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(34))
    + " }"
)
COUNT_TYPES = "SELECT ?s WHERE { ?s a ?type }"


def test_a_runaway_query_stops_at_the_time_limit() -> None:
    started = time.monotonic()
    out = drugkg("-e", HEAVY, "--timeout", "1")
    assert out.returncode == 2, out.stderr
    assert "drugkg query: query stopped: it ran past the time limit of 1 s" in out.stderr
    assert "--no-limits" in out.stderr and "Traceback" not in out.stderr
    assert time.monotonic() - started < 30


def test_a_memory_bomb_stops_at_the_memory_limit() -> None:
    out = drugkg("-e", BOMB, "--memory-mb", "150")
    assert out.returncode == 2, out.stderr
    assert "memory budget of 150 MiB" in out.stderr and "Traceback" not in out.stderr


def test_a_cut_answer_is_said_so() -> None:
    out = drugkg("-e", COUNT_TYPES, "--max-rows", "3", "-f", "tsv")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == "?s" and len(out.stdout.splitlines()) == 4
    assert "result cut at 3 rows (--max-rows 3)" in out.stderr


def test_no_limits_gives_the_same_answer_in_process() -> None:
    limited = drugkg("boxed-warnings", "-f", "json")
    trusted = drugkg("boxed-warnings", "-f", "json", "--no-limits")
    assert limited.returncode == trusted.returncode == 0, (limited.stderr, trusted.stderr)
    assert limited.stdout == trusted.stdout and '"bindings":[{' in limited.stdout


def test_service_is_refused_before_any_worker_runs() -> None:
    out = drugkg("-e", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert out.returncode == 2
    assert "drugkg query: SERVICE is not allowed" in out.stderr  # refused by the policy before any worker runs
