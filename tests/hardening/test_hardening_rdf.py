"""Hostile RDF handed to `drugkg validate`: each gets one clear message and exit 2, and nothing is fetched.

Cases: Turtle with a syntax error (line and column named), RDF/XML with a DOCTYPE, internal entity
bombs and external entities (file and loopback URL), JSON-LD whose @context is remote in every place
JSON-LD allows one (a loopback listener records any connection: it must record none), and files of
gigabyte-scale claimed size (sparse files) above and just below the documented limit.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.serving import RecordingListener

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
FIGURES: dict[str, object] = {}


@pytest.fixture()
def listener() -> Iterator[RecordingListener]:
    lst = RecordingListener(
        reply=b"HTTP/1.1 200 OK\r\nContent-Type: application/ld+json\r\nContent-Length: 2\r\n\r\n{}"
    )
    yield lst
    lst.close()


@pytest.fixture(scope="module", autouse=True)
def _write_figures() -> Iterator[None]:
    yield
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "hardening-rdf.json").write_text(json.dumps(FIGURES, indent=2, sort_keys=True) + "\n")


def validate(*files: Path, timeout: float = 120) -> tuple[subprocess.CompletedProcess[str], float, int]:
    """Run `drugkg validate FILE...`; returns the result, seconds taken and the child's peak RSS (MiB)."""
    started = time.monotonic()
    # a wrapper process whose only child is `drugkg validate`, so RUSAGE_CHILDREN is that command's peak
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, sys.executable, "-m", "drugkg.cli", "validate", *map(str, files)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=timeout,
    )
    seconds = time.monotonic() - started
    lines = result.stderr.splitlines()
    assert lines and lines[-1].startswith("MAXRSS_KIB="), result.stderr
    result.stderr = "".join(line + "\n" for line in lines[:-1])
    return result, seconds, int(lines[-1].split("=")[1]) // 1024


_MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "print(f'MAXRSS_KIB={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}', file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def assert_clear_refusal(result: subprocess.CompletedProcess[str], file: Path) -> None:
    err = result.stderr
    assert "invalid choice" not in err, "drugkg has no 'validate' command yet: " + err
    assert result.returncode == 2, (result.returncode, err, result.stdout[-500:])
    assert "Traceback" not in err and "internal error" not in err, err
    assert file.name in err, err
    assert len(err.strip().splitlines()) <= 3, err


# ------------------------------------------------------------------------------------ syntax


TURTLE_BROKEN = """@prefix ex: <http://example.org/> .
ex:a ex:b ex:c .
ex:d ex:e "unterminated ;
ex:f ex:g ex:h .
"""


def test_turtle_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "broken.ttl"
    bad.write_text(TURTLE_BROKEN, encoding="utf-8")
    result, seconds, _ = validate(bad)
    assert_clear_refusal(result, bad)
    assert "line 3" in result.stderr or ":3:" in result.stderr, result.stderr
    assert "column" in result.stderr or ":3:" in result.stderr, result.stderr
    FIGURES["turtle syntax error"] = {"exit": result.returncode, "seconds": round(seconds, 2)}


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("ntriples-bad-iri.nt", "<http://ex.org/a> <http://ex.org/b> <not an iri> .\n"),
        ("trig-unclosed.trig", "<http://ex.org/g> { <http://ex.org/a> <http://ex.org/b> <http://ex.org/c> .\n"),
        ("latin1.ttl", '<http://ex.org/a> <http://ex.org/b> "caf\xe9" .\n'),
        ("json-not-json.jsonld", '{"@id": "http://ex.org/a", '),
        ("unknown.xyz", "<a> <b> <c> .\n"),
    ],
)
def test_other_unreadable_files(tmp_path: Path, name: str, content: str) -> None:
    bad = tmp_path / name
    bad.write_bytes(content.encode("latin-1"))
    result, _, _ = validate(bad)
    assert_clear_refusal(result, bad)


# ------------------------------------------------------------------------------------ RDF/XML


def _rdfxml(doctype: str, body_value: str) -> str:
    return f"""<?xml version="1.0"?>
{doctype}
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="http://example.org/x"><rdfs:label>{body_value}</rdfs:label></rdf:Description>
</rdf:RDF>
"""


def _laughs() -> str:
    ents = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return "<!DOCTYPE rdf:RDF [\n" + "\n".join(ents) + "\n]>"


@pytest.mark.parametrize("case", ["xxe-file", "xxe-http", "xxe-parameter-entity", "billion-laughs", "bare-doctype"])
def test_rdfxml_doctype_and_entities_are_refused(tmp_path: Path, listener: RecordingListener, case: str) -> None:
    doctypes = {
        "xxe-file": ('<!DOCTYPE rdf:RDF [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "&xxe;"),
        "xxe-http": (f'<!DOCTYPE rdf:RDF [<!ENTITY xxe SYSTEM "{listener.url}/xxe">]>', "&xxe;"),
        "xxe-parameter-entity": (f'<!DOCTYPE rdf:RDF [<!ENTITY % p SYSTEM "{listener.url}/dtd"> %p;]>', "x"),
        "billion-laughs": (_laughs(), "&lol9;"),
        "bare-doctype": ('<!DOCTYPE rdf:RDF SYSTEM "' + listener.url + '/rdf.dtd">', "x"),
    }
    doctype, value = doctypes[case]
    bad = tmp_path / f"{case}.rdf"
    bad.write_text(_rdfxml(doctype, value), encoding="utf-8")
    result, seconds, peak = validate(bad, timeout=60)
    time.sleep(0.3)  # let a late connection arrive before looking
    assert listener.connections == [], f"validate fetched a URL: {listener.connections[:1]}"
    assert_clear_refusal(result, bad)
    assert "root:" not in result.stdout + result.stderr
    assert "DOCTYPE" in result.stderr or "entit" in result.stderr.lower(), result.stderr
    FIGURES[f"rdfxml {case}"] = {
        "exit": result.returncode,
        "seconds": round(seconds, 2),
        "peak_rss_mib": peak,
        "connections": len(listener.connections),
    }


# ------------------------------------------------------------------------------------ JSON-LD


def _jsonld_cases(url: str) -> dict[str, object]:
    node = {"@id": "http://example.org/x", "http://www.w3.org/2000/01/rdf-schema#label": "x"}
    return {
        "context-url": {"@context": f"{url}/context.jsonld", **node},
        "context-list": {"@context": [{"ex": "http://example.org/"}, f"{url}/context.jsonld"], **node},
        "nested-node-context": {"@graph": [{"@context": f"{url}/nested.jsonld", **node}]},
        "scoped-property-context": {
            "@context": {"@version": 1.1, "p": {"@id": "http://example.org/p", "@context": f"{url}/scoped.jsonld"}},
            "@id": "http://example.org/x",
            "p": {"@id": "http://example.org/y"},
        },
        "import": {"@context": {"@version": 1.1, "@import": f"{url}/import.jsonld"}, **node},
        "protocol-relative": {"@context": "//127.0.0.1:" + url.rsplit(":", 1)[1] + "/c.jsonld", **node},
    }


@pytest.mark.parametrize(
    "case",
    ["context-url", "context-list", "nested-node-context", "scoped-property-context", "import", "protocol-relative"],
)
def test_jsonld_remote_context_is_never_fetched(tmp_path: Path, listener: RecordingListener, case: str) -> None:
    bad = tmp_path / f"{case}.jsonld"
    bad.write_text(json.dumps(_jsonld_cases(listener.url)[case]), encoding="utf-8")
    result, seconds, _ = validate(bad, timeout=60)
    time.sleep(0.3)
    assert listener.connections == [], f"validate fetched a remote @context: {listener.connections[:1]}"
    assert_clear_refusal(result, bad)
    FIGURES[f"jsonld {case}"] = {
        "exit": result.returncode,
        "seconds": round(seconds, 2),
        "connections": len(listener.connections),
    }


# ------------------------------------------------------------------------------------ size


def _documented_limit() -> int:
    from drugkg.validation.inputs import (
        MAX_INPUT_BYTES,  # the documented per-file limit
    )

    return int(MAX_INPUT_BYTES)


def test_gigabyte_file_above_the_limit_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "huge.nt"
    with big.open("wb") as fh:
        fh.truncate(4 * 1024**3)  # sparse: 4 GiB claimed, no disk used
    result, seconds, peak = validate(big, timeout=60)
    assert_clear_refusal(result, big)
    assert str(_documented_limit()) in result.stderr or "limit" in result.stderr, result.stderr
    assert seconds < 30, f"took {seconds:.1f} s: the file was read"
    assert peak < 1024, f"peak RSS {peak} MiB: the file was read into memory"
    FIGURES["sparse 4 GiB N-Triples"] = {"exit": result.returncode, "seconds": round(seconds, 2), "peak_rss_mib": peak}


def test_file_just_below_the_limit_ends_cleanly(tmp_path: Path) -> None:
    """Just under the limit, a file of NUL bytes is read and refused as a syntax error, in bounded time."""
    limit = _documented_limit()
    size = min(limit - 1, 900 * 1024**2)
    big = tmp_path / "zeros.nt"
    with big.open("wb") as fh:
        fh.truncate(size)
    result, seconds, peak = validate(big, timeout=120)
    assert_clear_refusal(result, big)
    assert seconds < 90
    FIGURES["sparse file just below the limit"] = {
        "bytes": size,
        "exit": result.returncode,
        "seconds": round(seconds, 2),
        "peak_rss_mib": peak,
    }


def test_directory_that_is_not_a_build(tmp_path: Path) -> None:
    folder = tmp_path / "notabuild.ttl"
    folder.mkdir()
    result, _, _ = validate(folder)
    assert_clear_refusal(result, folder)
