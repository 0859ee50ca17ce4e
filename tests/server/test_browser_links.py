"""Local links everywhere, clicked in a real browser (headless Chromium through Playwright): a
result IRI under drugkg's base lands on the local page in one click, other IRIs keep their own
links, and every header link shows HTML. Screenshots go to test-artifacts/."""

from __future__ import annotations

import httpx
import pytest
import support.browser as browsing
import support.serving as fx

ARTIFACTS, CHROMIUM = browsing.ARTIFACTS, browsing.CHROMIUM
real_build = fx.real_build
real_server = fx.real_server

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")

HEADER_LINKS = {
    "Query": ("/", "Query drugkg"),
    "Vocabulary": ("/vocab", "drugkg vocabulary"),
    "Dataset (VoID)": ("/dataset", "drugkg"),
    "Examples": ("/.well-known/sparql-examples", "SPARQL examples"),
    "Dumps": ("/dumps/", "Dumps"),
    "Service description": ("/sparql", "drugkg SPARQL endpoint (read-only)"),
}


def _run_question(page, server: str, name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/", wait_until="networkidle")
    page.wait_for_selector(".yasgui .yasqe")
    page.locator(f'#picker button[data-query="{name}"]').click()
    page.wait_for_selector(".yasr table tbody tr td a", timeout=20_000)


def test_result_iri_opens_the_local_page_in_one_click(page, real_server: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    _run_question(page, real_server, "off-label-uses")
    local = page.locator(".yasr table tbody a.drugkg-local", has_text="drug:baclofen").first
    assert local.get_attribute("href") == "/resource/drug/baclofen"
    assert local.get_attribute("title") == "https://w3id.org/drugkg/resource/drug/baclofen"
    # IRIs from elsewhere keep their own link (not followed: nothing may reach the network)
    mondo = page.locator(".yasr table tbody a.iri", has_text="MONDO_0001516").first
    assert mondo.get_attribute("href") == "http://purl.obolibrary.org/obo/MONDO_0001516"
    # compact IRIs: the table fits the page
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(ARTIFACTS / "query-page-local-links.png"), full_page=True)
    local.click()
    page.wait_for_url(f"{real_server}/resource/drug/baclofen", timeout=10_000)
    assert page.locator("h1").first.inner_text() == "baclofen"
    page.screenshot(path=str(ARTIFACTS / "clicked-result-iri.png"), full_page=True)
    assert [u for u in page.requests_seen if not u.startswith(real_server)] == []


@pytest.mark.parametrize("link", list(HEADER_LINKS))
def test_every_header_link_shows_html(page, real_server: str, link: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    path, heading = HEADER_LINKS[link]
    page.goto(f"{real_server}/resource/drug/baclofen")
    with page.expect_navigation():
        page.locator("header a", has_text=link).first.click()
    assert page.url == f"{real_server}{path}"
    document = page.evaluate("document.contentType")
    assert document == "text/html"
    assert heading in page.locator("h1").first.inner_text()
    slug = link.lower().replace(" ", "-").replace("(", "").replace(")", "")
    page.screenshot(path=str(ARTIFACTS / f"header-{slug}.png"), full_page=True)


def test_example_page_resolves_and_targets_this_endpoint(page, real_server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{real_server}/.well-known/sparql-examples")
    page.locator("section h2 a", has_text="Off-label uses").click()
    page.wait_for_url(f"{real_server}/examples/off-label-uses")
    assert page.evaluate("document.contentType") == "text/html"
    turtle = httpx.get(f"{real_server}/.well-known/sparql-examples", headers={"Accept": "text/turtle"}).text
    assert f"<{real_server}/sparql>" in turtle and "<https://w3id.org/drugkg/sparql>" not in turtle


def test_dataset_and_example_iris_resolve_by_content_negotiation(real_server: str) -> None:
    for path in ("/dataset", "/examples/off-label-uses"):
        r = httpx.get(f"{real_server}{path}", headers={"Accept": "text/turtle"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle"), path
        assert f"<https://w3id.org/drugkg{path}>" in r.text
        if path.startswith("/examples/"):
            assert f"<{real_server}/sparql>" in r.text and "<https://w3id.org/drugkg/sparql>" not in r.text
    r = httpx.get(f"{real_server}/.well-known/void", headers={"Accept": "text/html"}, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/dataset")
    r = httpx.get(f"{real_server}/.well-known/void", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and "void:Dataset" in r.text
    context = httpx.get(f"{real_server}/context.jsonld")
    assert context.status_code == 200 and context.headers["content-type"] == "application/ld+json"
    assert context.json()["@context"]["drugkg"] == "https://w3id.org/drugkg/vocab#"
