"""Outside data checked against drugkg's shapes: one monograph's own graph, without the shared terms it
points at and without search keys, validates (drugkg adds its ontology, shared terms and the derived
search keys); users' own shapes replace drugkg's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import yaml

from drugkg.buildfolder import GRAPH_TERMS
from drugkg.cli import main
from drugkg.namespaces import VOCAB
from drugkg.validation import validate_files

SEARCH_KEY = ox.NamedNode(str(VOCAB.searchKey))


def _monograph_graph(built: Path) -> list[ox.Triple]:
    quads = list(ox.parse(path=str(built / "drugkg.trig"), format=ox.RdfFormat.TRIG))
    graphs = sorted(
        {
            q.graph_name.value
            for q in quads
            if isinstance(q.graph_name, ox.NamedNode) and "/monograph/" in q.graph_name.value
        }
    )
    assert graphs, "the build has no monograph graph"
    return [ox.Triple(q.subject, q.predicate, q.object) for q in quads if q.graph_name == ox.NamedNode(graphs[0])]


def test_monograph_without_shared_terms_and_search_keys_validates(built: Path, tmp_path: Path) -> None:
    triples = [t for t in _monograph_graph(built) if t.predicate != SEARCH_KEY]
    terms = {
        q.subject
        for q in ox.parse(path=str(built / "drugkg.trig"), format=ox.RdfFormat.TRIG)
        if q.graph_name == ox.NamedNode(GRAPH_TERMS)
    }
    assert terms and not any(t.subject in terms for t in triples)  # the terms are not restated
    assert any(t.object in terms for t in triples)  # but pointed at
    data = tmp_path / "drug.nt"
    ox.serialize(triples, str(data), ox.RdfFormat.N_TRIPLES)
    outcome = validate_files([data], reasoning=False)
    assert outcome.engine == "fast"
    assert [(str(r.focus), str(r.path), r.component) for r in outcome.results] == []


def test_a_wrong_search_key_of_outside_data_is_still_reported(built: Path, tmp_path: Path) -> None:
    triples = _monograph_graph(built)
    drug = next(t.subject for t in triples if t.predicate == SEARCH_KEY)
    triples.append(ox.Triple(drug, SEARCH_KEY, ox.Literal("not a name of it")))
    data = tmp_path / "drug.nt"
    ox.serialize(triples, str(data), ox.RdfFormat.N_TRIPLES)
    outcome = validate_files([data], reasoning=False)
    assert [(str(r.focus), str(r.path), str(r.value), r.component.rsplit("#", 1)[1]) for r in outcome.results] == [
        (drug.value, f"<{VOCAB.searchKey}>", "not a name of it", "SPARQLConstraintComponent")
    ]


def test_users_own_shapes_replace_drugkgs(tmp_path: Path) -> None:
    shapes = tmp_path / "mine.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n<http://example.org/S> a sh:NodeShape ; "
        "sh:targetClass <http://example.org/Thing> ; sh:property [ sh:path <http://example.org/name> ; "
        "sh:minCount 1 ] .\n",
        encoding="utf-8",
    )
    data = tmp_path / "data.ttl"
    data.write_text(
        "<http://example.org/a> a <http://example.org/Thing> .\n"
        '<http://example.org/b> a <http://example.org/Thing> ; <http://example.org/name> "b" .\n',
        encoding="utf-8",
    )
    outcome = validate_files([data], shapes=[shapes], reasoning=False)
    assert outcome.engine == "fast" and outcome.triples == 3
    assert [(str(r.focus), r.component.rsplit("#", 1)[1]) for r in outcome.results] == [
        ("http://example.org/a", "MinCountConstraintComponent")
    ]
    assert main(["validate", str(data), "--shapes", str(shapes), "--no-reasoning"]) == 1
    assert main(["validate", str(data), "--no-reasoning"]) == 0  # drugkg's shapes say nothing about ex:Thing


def test_pre_commit_hook_validates_the_whole_data_set(tmp_path: Path) -> None:
    """The hook (pass_filenames: false) checks every file of the data set, not only those staged."""
    root = Path(__file__).resolve().parents[2]
    (hook,) = yaml.safe_load((root / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["pass_filenames"] is False and hook["entry"] == "drugkg validate"
    assert hook["args"] == ["--dataset", "."]
    (tmp_path / "data" / "sub").mkdir(parents=True)
    (tmp_path / "data" / "good.ttl").write_text("<http://example.org/a> <http://example.org/p> 1 .\n", encoding="utf-8")
    (tmp_path / "data" / "sub" / "bad.ttl").write_text(
        "<http://example.org/x> a <https://w3id.org/drugkg/vocab#Drug> .\n", encoding="utf-8"
    )
    (tmp_path / "data" / ".git").mkdir()
    (tmp_path / "data" / ".git" / "junk.ttl").write_text("not turtle", encoding="utf-8")
    (tmp_path / "package.json").write_text("{}", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "drugkg.cli", "validate", *hook["args"], "--no-reasoning", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    assert proc.returncode == 1, proc.stderr
    focus = {r["focus"] for r in json.loads(proc.stdout)["results"]}
    assert focus == {"http://example.org/x"}
