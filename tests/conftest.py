"""Shared fixtures: one build of the shipped data per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib

from drugkg.build import build

ROOT = Path(__file__).resolve().parents[1]

# Fixtures shared by name across stages: headless Chromium, and real outside stores
pytest_plugins = ("support.browser", "support.stores")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build folder of the shipped curated data."""
    return build(tmp_path_factory.mktemp("build") / "out")


@pytest.fixture(scope="session")
def graph(built: Path) -> rdflib.Graph:
    """The union of the build as an rdflib Memory graph (parsed from the N-Triples dump)."""
    g = rdflib.Graph()
    g.parse(built / "drugkg.nt", format="nt")
    return g
