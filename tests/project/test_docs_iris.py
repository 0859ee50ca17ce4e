"""IRIs as the docs and the CLI show them parse as Turtle: prefixed names end at the last slash
(`drug:baclofen`, declared by the dumps), never `res:route/oral` (which Turtle refuses)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_SLASHED_CURIE = re.compile(r"(?<![\w/<.-])res:[a-z-]+/[a-z0-9-]+")
_CURIE = re.compile(r"(?<![\w/<.:-])([a-z][a-z0-9-]*):([a-z0-9][a-z0-9-]*)(?![\w/:.-])")


def _help() -> str:
    return subprocess.run(
        [sys.executable, "-m", "drugkg.cli", "query", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_no_slashed_curies_in_the_docs(path: Path) -> None:
    assert _SLASHED_CURIE.findall(path.read_text(encoding="utf-8")) == []


def test_no_slashed_curies_in_the_cli_help() -> None:
    assert _SLASHED_CURIE.findall(_help()) == []


def test_resource_curies_in_the_docs_parse_as_turtle_to_resources_of_the_build(built: Path) -> None:
    prefixes = json.loads((built / "manifest.json").read_text())["prefixes"]
    declared = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in prefixes.items())
    subjects = {q.subject.value for q in ox.parse(path=str(built / "drugkg.nt"), format=ox.RdfFormat.N_TRIPLES)}
    checked = 0
    for path in [*DOCS]:
        for prefix, local in _CURIE.findall(path.read_text(encoding="utf-8")):
            namespace = prefixes.get(prefix)
            if namespace is None or not namespace.startswith("https://w3id.org/drugkg/resource/"):
                continue
            doc = f"{declared}<urn:x> <urn:p> {prefix}:{local} .\n"
            (triple,) = list(ox.parse(doc.encode(), format=ox.RdfFormat.TURTLE))
            assert triple.object.value in subjects, f"{path.name}: {prefix}:{local} is not a resource of the build"
            checked += 1
    assert checked >= 10
