"""`drugkg validate` on input from outside: wrong answers reachable from the CLI (issue 12), empty and
deeply nested files, owl:imports, and a record of every DNS lookup and socket connection attempted.

Each command runs in a child process with a Python audit hook that writes one `NET` line to stderr
per DNS lookup or socket connect (the hook cannot be removed, so it lives in the child only); a
loopback listener named by the hostile files records any connection that gets past Python.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS
from support.serving import RecordingListener

ROOT = Path(__file__).resolve().parents[2]
DRUG = "https://w3id.org/drugkg/vocab#Drug"

_AUDITED = (
    "import runpy, sys\n"
    "EVENTS = {'socket.getaddrinfo', 'socket.gethostbyname', 'socket.gethostbyname_ex', 'socket.gethostbyaddr',\n"
    "          'socket.connect', 'socket.connect_ex', 'socket.sendto', 'urllib.Request'}\n"
    "def hook(event, args):\n"
    "    if event in EVENTS:\n"
    "        sys.stderr.write(f'NET {event} {args!r:.200}\\n')\n"
    "sys.addaudithook(hook)\n"
    "sys.argv = ['drugkg'] + sys.argv[1:]\n"
    "runpy.run_module('drugkg.cli', run_name='__main__')\n"
)


def validate(*args: str, timeout: float = 120) -> tuple[int, str, str, list[str]]:
    """`drugkg validate ARGS` in a child process: exit code, stdout, stderr (without NET lines), NET lines."""
    proc = subprocess.run(
        [sys.executable, "-c", _AUDITED, "validate", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )
    net = [line for line in proc.stderr.splitlines() if line.startswith("NET ")]
    err = "".join(line + "\n" for line in proc.stderr.splitlines() if not line.startswith("NET "))
    return proc.returncode, proc.stdout, err, net


@pytest.fixture()
def listener() -> Iterator[RecordingListener]:
    lst = RecordingListener(reply=b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    yield lst
    lst.close()


def _results(stdout: str) -> set[tuple[str, str, str]]:
    doc = json.loads(stdout)
    return {(r["focus"], r["path"] or "", r["component"].rsplit("#", 1)[1]) for r in doc["results"]}


# --------------------------------------------------------------------------- blank-node classes

BNODE_SUBCLASS = f"_:k <{RDFS.subClassOf}> <{DRUG}> .\n<http://example.org/x> a _:k .\n"


def test_blank_node_subclass_of_drug_fails_as_with_pyshacl(tmp_path: Path) -> None:
    """Was PASS with the fast engine: a class that is a blank node was dropped from sh:targetClass."""
    data = tmp_path / "bnode-class.ttl"
    data.write_text(BNODE_SUBCLASS, encoding="utf-8")
    code, out, err, net = validate(str(data), "--no-reasoning", "--format", "json")
    assert code == 1, err
    fast = _results(out)
    code_ref, out_ref, err_ref, _ = validate(str(data), "--no-reasoning", "--format", "json", "--engine", "pyshacl")
    assert code_ref == 1, err_ref
    assert fast == _results(out_ref)
    paths = {path.rsplit("#", 1)[-1].rstrip(">") for focus, path, _ in fast if focus == "http://example.org/x"}
    assert {"label", "wasDerivedFrom", "brandNamesComplete", "drugClass", "sourceSection"} <= paths
    assert all(focus == "http://example.org/x" for focus, _, _ in fast)
    assert net == []


# --------------------------------------------------------------------------- empty files


def test_empty_turtle_file_exits_2_no_triples(tmp_path: Path) -> None:
    empty = tmp_path / "empty.ttl"
    empty.write_text("# nothing here\n", encoding="utf-8")
    code, out, err, net = validate(str(empty), "--no-reasoning")
    assert code == 2 and out == ""
    assert (
        err.strip() == f"drugkg validate: {empty}: no triples (expected an RDF file stating at least one "
        "triple (or --allow-empty))"
    )
    code, out, err, _ = validate(str(empty), "--no-reasoning", "--allow-empty")
    assert code == 0, err
    assert "PASS: 0 violations" in out
    assert net == []


# --------------------------------------------------------------------------- the build's own union


def test_union_reserialised_with_a_label_removed_exits_1_naming_it_without_network(
    built: Path, tmp_path: Path, listener: RecordingListener
) -> None:
    """Was exit 2, 'internal error: OwlReadyOntologyParsingError', and a DNS lookup: owlready2 followed the
    examples graph's owl:imports <http://www.w3.org/ns/shacl#>."""
    g = Graph().parse(built / "drugkg.nt", format="nt")
    drug = next(s for s in g.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(DRUG)))
    assert (None, URIRef("http://www.w3.org/2002/07/owl#imports"), None) in g
    g.remove((drug, RDFS.label, None))
    dump = tmp_path / "union.ttl"
    g.serialize(dump, format="turtle")
    code, out, err, net = validate(str(dump), "--format", "json")
    assert code == 1, err
    assert (str(drug), f"<{RDFS.label}>", "MinCountConstraintComponent") in _results(out)
    doc = json.loads(out)
    assert doc["reasoning"]["status"] in ("consistent", "unavailable"), doc["reasoning"]
    assert net == []
    time.sleep(0.2)
    assert listener.connections == []


def test_build_dumps_make_no_network_attempt(built: Path) -> None:
    for name in ("drugkg.nt", "drugkg.ttl", "drugkg.jsonld"):
        code, out, err, net = validate(str(built / name), "--no-reasoning")
        assert code == 0, (name, err, out[-500:])
        assert net == [], (name, net)
    code, out, err, net = validate(str(built))
    assert code == 0, err
    assert net == []


def test_remote_owl_imports_are_not_followed_and_said_so(tmp_path: Path, listener: RecordingListener) -> None:
    data = tmp_path / "imports.ttl"
    data.write_text(
        f"<http://example.org/o> a <http://www.w3.org/2002/07/owl#Ontology> ;\n"
        f"  <http://www.w3.org/2002/07/owl#imports> <{listener.url}/onto.owl>, "
        f"<http://ontology.invalid/o.owl> .\n",
        encoding="utf-8",
    )
    code, out, err, net = validate(str(data), "--format", "json")
    assert code == 0, err
    reasoning = json.loads(out)["reasoning"]
    if reasoning["status"] == "consistent":
        assert "owl:imports not followed" in reasoning["detail"] and f"<{listener.url}/onto.owl>" in reasoning["detail"]
    assert net == []
    time.sleep(0.2)
    assert listener.connections == []


# --------------------------------------------------------------------------- deep nesting

DEPTH = 20_000


def _deep(suffix: str) -> str:
    if suffix == ".ttl":
        return (
            "<http://example.org/x> <http://example.org/p> "
            + "[ <http://example.org/p> " * DEPTH
            + "]" * DEPTH
            + " .\n"
        )
    if suffix == ".jsonld":
        return '{"@id": "http://example.org/x", "http://example.org/p": ' * DEPTH + "1" + "}" * DEPTH
    return (
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/x">'
        + "<ex:p><rdf:Description>" * DEPTH
        + "</rdf:Description></ex:p>" * DEPTH
        + "</rdf:Description></rdf:RDF>\n"
    )


@pytest.mark.parametrize("suffix", [".ttl", ".jsonld", ".rdf"])
def test_deep_nesting_is_refused_with_a_clear_error(tmp_path: Path, suffix: str) -> None:
    """Was 'internal error: RecursionError' (JSON-LD), or tens of seconds and hundreds of MB (Turtle, RDF/XML)."""
    deep = tmp_path / f"deep{suffix}"
    deep.write_text(_deep(suffix), encoding="utf-8")
    code, _out, err, net = validate(str(deep), "--no-reasoning", timeout=60)
    assert code == 2, err
    assert f"{deep}: nested " in err and "above the limit of 64" in err, err
    assert "Traceback" not in err and "RecursionError" not in err and "internal error" not in err
    assert net == []


def test_nesting_within_the_limit_is_read(tmp_path: Path) -> None:
    ok = tmp_path / "shallow.ttl"
    ok.write_text(
        "<http://example.org/x> <http://example.org/p> "
        + "[ <http://example.org/p> " * 10
        + '"v"'
        + " ]" * 10
        + " .\n",
        encoding="utf-8",
    )
    code, out, err, net = validate(str(ok), "--no-reasoning")
    assert code == 0, err
    assert "PASS" in out
    assert net == []


HOSTILE = {
    "remote-context.jsonld": '{"@context": "http://context.invalid/c.jsonld", "@id": "http://example.org/x", '
    '"http://example.org/p": 1}',
    "listener-context.jsonld": '{"@context": "LISTENER/c.jsonld", "@id": "http://example.org/x"}',
    "external-entity.rdf": '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY e SYSTEM "http://entity.invalid/e">]>\n'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n',
    "service.ttl": "@prefix sh: <http://www.w3.org/ns/shacl#> .\n<http://example.org/S> a sh:NodeShape ; "
    'sh:targetNode <http://example.org/x> ; sh:sparql [ sh:select """SELECT $this WHERE { '
    'SERVICE <http://service.invalid/sparql> { $this ?p ?o } }""" ] .\n',
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_inputs_make_no_network_attempt(tmp_path: Path, listener: RecordingListener, name: str) -> None:
    bad = tmp_path / name
    bad.write_text(HOSTILE[name].replace("LISTENER", listener.url), encoding="utf-8")
    extra = ["--shapes", str(bad)] if name == "service.ttl" else []
    code, out, err, net = validate(str(bad), *extra)
    assert code == 2, (code, err, out[-300:])
    assert str(bad) in err and "Traceback" not in err and "internal error" not in err, err
    assert net == []
    time.sleep(0.2)
    assert listener.connections == []
