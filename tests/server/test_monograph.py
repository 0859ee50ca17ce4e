"""The monograph view at the top of a drug's page, built by SPARQL over the store: each line links
to its statement and names its source section. Checked on the real build and in headless Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import support.browser as browsing
import support.serving as fx

from drugkg.server.monograph import SECTIONS, monograph_html

ARTIFACTS, CHROMIUM = browsing.ARTIFACTS, browsing.CHROMIUM
real_build = fx.real_build
real_server = fx.real_server
BACLOFEN = "https://w3id.org/drugkg/resource/drug/baclofen"
RES = "https://w3id.org/drugkg/resource/"


@pytest.fixture(scope="module")
def html(built: Path) -> str:
    store = ox.Store.read_only(str(built / "store"))
    return monograph_html(store, BACLOFEN, lambda iri: iri)


def _lines(html: str, section: str) -> list[tuple[str, str, str]]:
    """(statement IRI, text, source) of each line of one section."""
    part = re.search(rf'<section class="mono" id="monograph-{section}">(.*?)</section>', html, re.DOTALL)
    assert part, f"no {section} section"
    return re.findall(
        r'<li><a href="([^"]+)">([^<]+)</a>(?: <span class="src">source: ([^<]+)</span>)?</li>', part.group(1)
    )


def test_every_section_is_there_in_order(html: str) -> None:
    found = re.findall(r'id="monograph-([a-z]+)"', html)
    assert found == [s.key for s in SECTIONS]


def test_dosing_line_states_start_titration_and_maxima(html: str) -> None:
    assert _lines(html, "dosing") == [
        (
            RES + "regimen/baclofen-oral-standard",
            (
                "oral: start with 5 mg 3 times a day; can be raised every 3 days, as clinical response and tolerability allow; "
                "at most 20 mg a dose 4 times a day; 80 mg a day at most"
            ),
            "How is baclofen administered?",
        )
    ]


def test_uses_say_approved_or_off_label(html: str) -> None:
    lines = _lines(html, "uses")
    assert [text.split(":")[0] for _, text, _ in lines] == ["approved indication"] * 3 + ["off-label use"]
    assert lines[-1] == (
        RES + "indication/baclofen-sma-spasticity",
        "off-label use: spinal muscular atrophy; for spasticity, muscle spasm",
        "Therapy snapshot · What is baclofen for SMA?",
    )


def test_formulations_show_strengths(html: str) -> None:
    texts = {text for _, text, _ in _lines(html, "formulations")}
    assert "oral solution (oral); 25 mg / 5 mL" in texts
    assert "tablet (oral); 5 mg to 20 mg" in texts


def test_effects_grouped_by_context_and_warnings_by_population(html: str) -> None:
    effects = re.search(r'id="monograph-effects">(.*?)</section>', html, re.DOTALL).group(1)  # type: ignore[union-attr]
    assert re.findall(r"<h3>([^<]+)</h3>", effects)[:2] == ["abrupt withdrawal", "exposure before birth"]
    warnings = re.search(r'id="monograph-warnings">(.*?)</section>', html, re.DOTALL).group(1)  # type: ignore[union-attr]
    groups = re.findall(r"<h3>([^<]+)</h3>", warnings)
    assert len(groups) == len(set(groups)) >= 3  # one heading per population


def test_every_line_links_a_statement_of_the_drug_and_names_its_source(html: str, built: Path) -> None:
    store = ox.Store.read_only(str(built / "store"))
    lines = [line for s in SECTIONS for line in _lines(html, s.key)]
    assert len(lines) > 60
    for iri, _, source in lines:
        assert next(iter(store.quads_for_pattern(ox.NamedNode(iri), None, None, None)), None) is not None, iri
        assert source, f"{iri} shows no source section"


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_drug_page_shows_the_monograph_above_the_properties(page, real_server: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{real_server}/resource/drug/baclofen")
    glance = page.locator("h2", has_text="At a glance").bounding_box()
    properties = page.locator("h2", has_text="Properties").bounding_box()
    assert glance is not None and properties is not None and glance["y"] < properties["y"]
    page.screenshot(path=str(ARTIFACTS / "monograph-baclofen.png"), full_page=True)
    page.locator("#monograph-dosing li a").first.click()
    page.wait_for_url(f"{real_server}/resource/regimen/baclofen-oral-standard")
    assert page.locator("h1").first.inner_text() == "baclofen oral dosing"
    page.goto(f"{real_server}/resource/finding/seizure")
    assert page.locator(".monograph").count() == 0  # only drugs have the monograph view
