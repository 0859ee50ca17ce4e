"""`GET /check` on a real server (uvicorn, the query workers): status code and body for each case."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.serving import running_server

from drugkg.check import NOTICE


@pytest.fixture(scope="module")
def base(built: Path) -> Iterator[str]:
    with running_server(built, workers=1, timeout=20.0) as url:
        yield url


def test_check_json_lists_the_boxed_warning_for_intrathecal_epilepsy_pregnancy(base: str) -> None:
    r = httpx.get(
        f"{base}/check",
        params={"age": "10", "route": "intrathecal", "condition": "epilepsy", "pregnant": "true"},
        timeout=60,
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["notice"] == NOTICE
    labels = {a["label"] for a in body["applies"]}
    assert {
        "baclofen: boxed warning (boxed intrathecal withdrawal)",
        "baclofen: use with caution (epilepsy)",
        "baclofen: precaution (pregnancy)",
        "baclofen: precaution (pediatric intrathecal body mass)",
    } <= labels
    assert "baclofen: not established (pediatric oral)" not in labels
    assert "baclofen: not established (pediatric oral)" in {n["label"] for n in body["checked_and_not_applying"]}


def test_check_unknown_condition_is_400_with_what_was_expected(base: str) -> None:
    r = httpx.get(f"{base}/check", params={"condition": "gout"}, timeout=60)
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "unknown condition 'gout'"
    assert body["expected"].startswith("one of: ")


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"age": "ten"}, "age 'ten' is not a number of years"),
        ({"pregnant": "maybe"}, "parameter 'pregnant' must be true or false, not 'maybe'"),
        ({"weight": "30"}, "unknown parameter 'weight'"),
    ],
)
def test_check_bad_parameter_is_400(base: str, params: dict[str, str], error: str) -> None:
    r = httpx.get(f"{base}/check", params=params, timeout=60)
    assert r.status_code == 400
    assert r.json()["error"].startswith(error)


def test_check_form_escapes_what_it_echoes_and_says_it_is_not_advice(base: str) -> None:
    r = httpx.get(f"{base}/check", params={"route": "<script>", "format": "html"}, timeout=60)
    assert r.status_code == 400
    assert "<script>" not in r.text and "&lt;script&gt;" in r.text
    assert "not medical advice" in r.text
    ok = httpx.get(f"{base}/check", params={"age": "10", "route": "oral", "format": "html"}, timeout=60)
    assert ok.status_code == 200
    assert "[safety and efficacy not established] baclofen: not established (pediatric oral)" in ok.text
    assert "default-src 'none'" in ok.headers["content-security-policy"]
