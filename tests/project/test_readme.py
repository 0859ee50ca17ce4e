"""The README keeps its promises: the two commands exist and CI runs the test one; the diagram matches the ontology."""

from __future__ import annotations

import re
from pathlib import Path

from drugkg.devtools.diagram import BEGIN, END, mermaid_diagram, replace_diagram

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_diagram_is_generated_from_the_ontology() -> None:
    diagram = mermaid_diagram()
    assert "Indication <|-- ApprovedIndication" in diagram
    assert "DosingRegimen --> Quantity : startingDose" in diagram
    assert replace_diagram(README, diagram) == README, "run: python -m drugkg.devtools.diagram README.md"
    assert README.index(BEGIN) < README.index(END)


def test_two_commands_and_ci() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines() if line.strip()]
    assert commands == ["make run", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^run: ", makefile, re.M) and re.search(r"^test: ", makefile, re.M)
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci.splitlines()[-1]


def test_every_catalogue_query_named_in_readme_exists() -> None:
    named = set(re.findall(r"drugkg query ([a-z][a-z0-9-]+)", README))
    assert named, "the README shows no query"
    assert {n for n in named if not (ROOT / "queries" / f"{n}.rq").is_file()} == set()
