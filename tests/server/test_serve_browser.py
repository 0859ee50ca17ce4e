"""The query page and a resource page in a real browser (headless Chromium through Playwright).

Screenshots go to test-artifacts/. The only skip: no /usr/bin/chromium (CI installs Debian's
`chromium` package); Playwright's own browser download is never used.
"""

from __future__ import annotations

import httpx
import pytest
import support.serving as fx
from support.browser import ARTIFACTS, CHROMIUM

from drugkg.catalogue import load_catalogue
from drugkg.server.pages import catalogue_entries

# The shared fixtures of serve_fixtures.py, used by name below.
real_build = fx.real_build
real_server = fx.real_server

QUESTION = "common-side-effects"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")


def _expected_labels(server: str) -> set[str]:
    entry = next(e for e in catalogue_entries(load_catalogue()) if e["name"] == QUESTION)
    r = httpx.post(
        f"{server}/sparql",
        data={"query": entry["query"]},
        headers={"Accept": "application/sparql-results+json"},
    )
    labels = {row["effectLabel"]["value"] for row in r.json()["results"]["bindings"]}
    assert labels, "the catalogue question has no answer to look for"
    return labels


def test_query_page_runs_a_catalogue_question(page, real_server: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    expected = _expected_labels(real_server)
    page.goto(f"{real_server}/", wait_until="networkidle")
    page.wait_for_selector(".yasgui .yasqe")
    button = page.locator(f'#picker button[data-query="{QUESTION}"]')
    assert button.count() == 1
    button.click()
    page.wait_for_selector(".yasr table tbody tr td", timeout=20_000)
    page.wait_for_function(
        "n => document.querySelectorAll('.yasr table tbody tr').length >= n",
        arg=min(len(expected), 10),
        timeout=20_000,
    )
    table = page.locator(".yasr table").last.inner_text()
    missing = {label for label in expected if label not in table}
    assert not missing, f"rows missing from the result table: {sorted(missing)}"
    page.screenshot(path=str(ARTIFACTS / "query-page.png"), full_page=True)
    outside = [u for u in page.requests_seen if not u.startswith(real_server) and not u.startswith(("data:", "blob:"))]
    assert outside == [], f"the page fetched from elsewhere: {outside}"
    assert page.console_errors == [], page.console_errors


def test_resource_page(page, real_server: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{real_server}/resource/drug/baclofen")
    assert page.locator("h1").inner_text() == "baclofen"
    assert "Gablofen" in page.locator("table.props").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "resource-page.png"), full_page=True)
    page.locator('a[href="/resource/target/gaba-b-receptor"]').first.click()
    page.wait_for_url(f"{real_server}/resource/target/gaba-b-receptor")
    assert "GABA" in page.locator("h1").inner_text()
    assert page.locator('a[href="/resource/drug/baclofen"]').count() >= 1  # the statement pointing back
    outside = [u for u in page.requests_seen if not u.startswith(real_server)]
    assert outside == []
