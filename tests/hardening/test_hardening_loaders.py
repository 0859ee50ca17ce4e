"""Loaders never crash: generated monographs and SSSOM tables, valid ones and broken ones.

Valid inputs are the curated baclofen files changed in structured ways (subsets of the adverse
effects, random quantities, random text); they must build, and every changed value must come back
out of the built store unchanged. Broken inputs (structural damage, wrong types, huge and empty
strings, Unicode oddities, deep nesting, duplicate keys, alias bombs, non-UTF-8, a folder) must end
in DrugkgError naming the file and the line, never another exception, never a hang (each case runs
under an alarm), never a half-written output folder.

How many cases ran is written to test-artifacts/hardening-loaders.json.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from drugkg.build import build
from drugkg.buildfolder import check_build
from drugkg.errors import DrugkgError

ROOT = Path(__file__).resolve().parents[2]
MONOGRAPH = ROOT / "data" / "drugs" / "baclofen.yaml"
MAPPINGS = ROOT / "data" / "mappings" / "baclofen.sssom.tsv"
BASE_DOC: dict[str, Any] = yaml.safe_load(MONOGRAPH.read_text(encoding="utf-8"))
SSSOM_TEXT = MAPPINGS.read_text(encoding="utf-8")
ARTIFACTS = ROOT / "test-artifacts"

CASE_SECONDS = 20  # no single generated case may take longer (a hang fails the test)
VOCAB = "https://w3id.org/drugkg/vocab#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
# Errors that concern the whole file and so name no line.
WHOLE_FILE = re.compile(r"is a folder|file is \d+ bytes|file too large|cannot be read|no monographs found")

COUNTS: Counter[str] = Counter()

# Every setting bounds the example count so that the file runs in well under 90 s on 2 cores.
FAST = settings(
    max_examples=int(os.environ.get("DRUGKG_HARDENING_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=False,
    print_blob=True,
)
# Cases that build: no shrinking (each step is a build; shrinking could take minutes), the failing
# example is printed as generated.
BUILDS = settings(
    max_examples=int(os.environ.get("DRUGKG_HARDENING_BUILDS", "20")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)


@pytest.fixture(scope="module", autouse=True)
def _report_counts() -> Iterator[None]:
    yield
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "hardening-loaders.json"
    previous = json.loads(path.read_text()) if path.is_file() else {}
    previous.update(COUNTS)
    path.write_text(json.dumps(dict(sorted(previous.items())), indent=2) + "\n")
    print("\nloader hardening cases:", dict(sorted(COUNTS.items())))


class CaseTimeout(BaseException):
    """Raised by the alarm: not an Exception, so no `except Exception` in the code under test hides it."""


@contextlib.contextmanager
def bounded(seconds: float = CASE_SECONDS) -> Iterator[None]:
    def fire(signum: int, frame: object) -> None:
        raise CaseTimeout(f"case took longer than {seconds} s")

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# ---------------------------------------------------------------------------------------------
# writing generated data


class _Dumper(yaml.SafeDumper):
    pass


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = format(value, "f")
    return dumper.represent_scalar("tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int", text)


_Dumper.add_representer(Decimal, _represent_decimal)


def dump(doc: Any) -> str:
    return yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def data_folder(root: Path, monograph: str | bytes | None = None, sssom: str | bytes | None = None) -> Path:
    data = root / "data"
    (data / "drugs").mkdir(parents=True)
    (data / "mappings").mkdir(parents=True)
    for target, content, original in (
        (data / "drugs" / "baclofen.yaml", monograph, MONOGRAPH),
        (data / "mappings" / "baclofen.sssom.tsv", sssom, MAPPINGS),
    ):
        if content is None:
            shutil.copyfile(original, target)
        elif isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return data


def assert_clean_failure(err: DrugkgError, root: Path, out: Path) -> None:
    """The error names a file of the data folder and (unless it is about the whole file) a line."""
    text = str(err)
    assert err.file and err.file.startswith(str(root / "data")), text
    if not WHOLE_FILE.search(err.message):
        assert err.where and re.match(r"line \d+", err.where), text
    assert err.exit_code == 2
    assert not out.exists(), "a failed build left an output folder"
    assert not [p.name for p in root.iterdir() if p.name.startswith(".out.")], "a failed build left a temp folder"


def build_outcome(root: Path, kind: str) -> tuple[str, Path]:
    """Build `root/data` into `root/out`; 'ok' or 'error' (after checking the error is the clean one)."""
    out = root / "out"
    try:
        with bounded():
            build(out, root / "data")
    except DrugkgError as err:
        assert_clean_failure(err, root, out)
        COUNTS[f"{kind}: refused with DrugkgError"] += 1
        return "error", out
    check_build(out)
    COUNTS[f"{kind}: accepted and built"] += 1
    return "ok", out


# ---------------------------------------------------------------------------------------------
# querying a build back


PREFIXES = f"PREFIX : <{VOCAB}>\nPREFIX rdfs: <{RDFS}>\nPREFIX skos: <{SKOS}>\n"


def select(store: ox.Store, query: str) -> set[tuple[str, ...]]:
    result = store.query(PREFIXES + query, use_default_graph_as_union=True)
    return {tuple(term.value if term is not None else "" for term in row) for row in result}  # type: ignore[union-attr]


def qty(q: dict[str, Any]) -> tuple[Decimal, str]:
    return Decimal(str(q["value"])), q["unit"]


def duration(text: str) -> tuple[int, Decimal]:
    """An xsd:duration (ISO 8601 weeks allowed) as its value: (months, seconds)."""
    m = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?)?", text)
    assert m, f"not a duration: {text!r}"
    y, mo, w, d, h, mi, sec = (Decimal(g) if g else Decimal(0) for g in m.groups())
    return int(y * 12 + mo), ((w * 7 + d) * 24 + h) * 3600 + mi * 60 + sec


def as_qty(rows: set[tuple[str, ...]]) -> set[tuple[Decimal, str]]:
    return {(Decimal(v), u) for v, u in rows}


# ---------------------------------------------------------------------------------------------
# valid monographs


text_chars = st.characters(blacklist_categories=("Cs", "Cc"))  # any Unicode scalar value but controls
free_text = st.text(text_chars, min_size=1, max_size=60).map(str.strip).filter(bool)
unit_mass = st.sampled_from(["mg", "g", "ug"])


def decimal_values(max_int_digits: int = 6, places: int = 6) -> st.SearchStrategy[Decimal]:
    @st.composite
    def values(draw: st.DrawFn) -> Decimal:
        p = draw(st.integers(0, places))
        whole = draw(st.integers(0, 10**max_int_digits - 1))
        frac = draw(st.integers(0, 10**p - 1))
        return (Decimal(whole) + Decimal(frac) / Decimal(10) ** p).normalize()

    return values().filter(lambda d: d > 0)


@st.composite
def valid_monographs(draw: st.DrawFn) -> dict[str, Any]:
    doc = copy.deepcopy(BASE_DOC)
    # random subset of the adverse-effect groups, each with a random non-empty subset of its effects
    groups = []
    for group in doc["adverse_effects"]:
        if draw(st.booleans()):
            keep = draw(st.lists(st.sampled_from(group["effects"]), min_size=1, unique=True))
            groups.append({**group, "effects": [e for e in group["effects"] if e in keep]})
    doc["adverse_effects"] = groups
    # the regimen: start <= max single, max daily = max single x times per day (so shapes agree)
    reg = doc["regimens"][0]
    unit = draw(unit_mass)
    max_single = draw(decimal_values(max_int_digits=4, places=3))
    start = draw(decimal_values(max_int_digits=4, places=3).filter(lambda d: d <= max_single))
    times = draw(st.integers(1, 24))
    reg["starting_dose"] = {"value": start, "unit": unit}
    reg["starting_times_per_day"] = draw(st.integers(1, 24))
    reg["max_single_dose"] = {"value": max_single, "unit": unit}
    reg["max_times_per_day"] = times
    reg["max_daily_dose"] = {"value": (max_single * times).normalize(), "unit": unit}
    reg["titration"]["interval"] = draw(st.sampled_from(["P{}D", "P{}W", "PT{}H", "P{}M"])).format(
        draw(st.integers(1, 400))
    )
    reg["titration"]["condition"] = draw(free_text)
    # strengths: a range on the tablet, a concentration on the solution, a list on the suspension
    lo = draw(decimal_values())
    hi = draw(decimal_values().filter(lambda d: d >= lo))
    su = draw(unit_mass)
    doc["formulations"][0]["strength_range"] = {"min": {"value": lo, "unit": su}, "max": {"value": hi, "unit": su}}
    num, den = draw(decimal_values()), draw(decimal_values())
    doc["formulations"][2]["concentrations"] = [
        {
            "numerator": {"value": num, "unit": draw(unit_mass)},
            "denominator": {"value": den, "unit": draw(st.sampled_from(["mL", "L"]))},
        }
    ]
    doc["formulations"][3]["strengths"] = [
        {"value": v, "unit": draw(unit_mass)} for v in draw(st.lists(decimal_values(), max_size=4, unique=True))
    ]
    # identity text: brand names and the drug's label
    doc["drug"]["brand_names"] = draw(st.lists(free_text, max_size=5, unique=True))
    doc["drug"]["label"] = draw(free_text)
    doc["drug"]["synonyms"] = draw(st.lists(free_text, max_size=3, unique=True))
    # an age limit
    pops = doc["terms"]["populations"]
    under12 = next(p for p in pops if p["id"] == "children-under-12")
    under12["age_below"] = {
        "value": draw(decimal_values(max_int_digits=2, places=2).filter(lambda d: d <= 150)),
        "unit": draw(st.sampled_from(["a", "mo", "wk", "d"])),
    }
    return doc


def roundtrip_checks(doc: dict[str, Any], out: Path) -> None:
    store = ox.Store.read_only(str(out / "store"))
    reg = doc["regimens"][0]
    got = select(store, "SELECT ?v ?u WHERE { ?r a :DosingRegimen ; :startingDose [ :numericValue ?v ; :unit ?u ] }")
    assert as_qty(got) == {qty(reg["starting_dose"])}
    got = select(store, "SELECT ?v ?u WHERE { ?r a :DosingRegimen ; :maxSingleDose [ :numericValue ?v ; :unit ?u ] }")
    assert as_qty(got) == {qty(reg["max_single_dose"])}
    got = select(store, "SELECT ?v ?u WHERE { ?r a :DosingRegimen ; :maxDailyDose [ :numericValue ?v ; :unit ?u ] }")
    assert as_qty(got) == {qty(reg["max_daily_dose"])}
    got = select(
        store,
        "SELECT ?s ?m ?i ?c WHERE { ?r a :DosingRegimen ; :startingTimesPerDay ?s ; :maxTimesPerDay ?m ;"
        " :titration [ :interval ?i ; :titrationCondition ?c ] }",
    )
    # a duration comes back as the same xsd:duration value, not always the same text (P1W -> P7D)
    assert {(s, m, duration(i), c) for s, m, i, c in got} == {
        (
            str(reg["starting_times_per_day"]),
            str(reg["max_times_per_day"]),
            duration(reg["titration"]["interval"]),
            reg["titration"]["condition"],
        )
    }
    rng = doc["formulations"][0]["strength_range"]
    got = select(
        store,
        "SELECT ?a ?au ?b ?bu WHERE { ?f :dosageForm ?form ; :strengthRange [ :minimum [ :numericValue ?a ; :unit ?au ] ;"
        " :maximum [ :numericValue ?b ; :unit ?bu ] ] . ?form rdfs:label 'tablet'@en }",
    )
    assert {(Decimal(a), au, Decimal(b), bu) for a, au, b, bu in got} == {(*qty(rng["min"]), *qty(rng["max"]))}
    conc = doc["formulations"][2]["concentrations"][0]
    got = select(
        store,
        "SELECT ?n ?nu ?d ?du ?x ?xu WHERE { ?c a :Concentration ; :numerator [ :numericValue ?n ; :unit ?nu ] ;"
        " :denominator [ :numericValue ?d ; :unit ?du ] ; :normalised [ :numericValue ?x ; :unit ?xu ] }",
    )
    ((n, nu, d, du, x, xu),) = got
    assert (Decimal(n), nu, Decimal(d), du) == (*qty(conc["numerator"]), *qty(conc["denominator"]))
    assert Decimal(x) == (Decimal(n) / Decimal(d)).normalize() and xu == f"{nu}/{du}"
    got = select(
        store,
        "SELECT ?v ?u WHERE { ?f :dosageForm ?form ; :strength [ :numericValue ?v ; :unit ?u ] ."
        " ?form rdfs:label 'oral suspension'@en }",
    )
    assert as_qty(got) == {qty(q) for q in doc["formulations"][3]["strengths"]}
    drug = doc["drug"]
    assert select(store, "SELECT ?b WHERE { ?d a :Drug ; :brandName ?b }") == {(b,) for b in drug["brand_names"]}
    assert select(store, "SELECT ?l WHERE { ?d a :Drug ; rdfs:label ?l }") == {(drug["label"],)}
    assert select(store, "SELECT ?l WHERE { ?d a :Drug ; skos:altLabel ?l }") == {(s,) for s in drug["synonyms"]}
    age = next(p for p in doc["terms"]["populations"] if p["id"] == "children-under-12")["age_below"]
    got = select(
        store,
        "SELECT ?v ?u WHERE { ?p a :Population ; rdfs:label 'children younger than 12 years'@en ;"
        " :ageBelow [ :numericValue ?v ; :unit ?u ] }",
    )
    assert as_qty(got) == {qty(age)}
    # adverse effects: one association per (group, effect), with the group's context
    pairs = {(g["id"], e) for g in doc["adverse_effects"] for e in g["effects"]}
    got = select(store, "SELECT ?a ?e ?c WHERE { ?a a :AdverseEffectAssociation ; :effect ?e ; :context ?c }")
    assert len({a for a, _, _ in got}) == len(pairs)
    res = "https://w3id.org/drugkg/resource/finding/"
    want = {
        (res + e, VOCAB + "".join(w.title() for w in g["context"].split("-")))
        for g in doc["adverse_effects"]
        for e in g["effects"]
    }
    assert {(e, c) for _, e, c in got} == want
    del store


@BUILDS
@given(doc=valid_monographs())
def test_generated_valid_monographs_build_and_round_trip(doc: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data_folder(root, dump(doc))
        with bounded():
            build(root / "out", root / "data")
        check_build(root / "out")
        roundtrip_checks(doc, root / "out")
        COUNTS["valid monograph: built and round-tripped"] += 1


def test_generated_valid_monographs_conform_to_the_shapes() -> None:
    """A handful of generated monographs (fixed seeds) conform to drugkg's SHACL shapes."""
    from drugkg.validation import (
        validate_build,  # issue 3; this test fails until it exists
    )

    examples: list[dict[str, Any]] = []

    @settings(max_examples=5, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(doc=valid_monographs())
    def collect(doc: dict[str, Any]) -> None:
        examples.append(doc)

    collect()
    assert examples
    for doc in examples:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            data_folder(root, dump(doc))
            build(root / "out", root / "data")
            with bounded(120):
                outcome = validate_build(root / "out")
            assert outcome.conforms, [str(r) for r in list(outcome.results)[:5]]
            COUNTS["valid monograph: conforms to shapes"] += 1


# ---------------------------------------------------------------------------------------------
# broken monographs: structural damage to the parsed document


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            found += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _paths(v, (*prefix, i))
    return found


ALL_PATHS = [p for p in _paths(BASE_DOC) if p]
nasty_text = st.one_of(
    st.just(""),
    st.just(" "),
    st.just("x" * 100_000),
    st.just("\u202e\u200b\ufeff"),
    st.just("ba\u0000clofen"),
    st.just("\ud7ff\ue000\U0010ffff"),
    st.just("caf\u0065\u0301"),
    st.just("\x85\u2028\u2029"),
    st.text(text_chars, max_size=40),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**30),
    st.floats(allow_nan=True),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    nasty_text,
    st.dates(),
    st.datetimes(),
)
wrong_values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(st.text(max_size=8), scalars, max_size=3),
    st.integers(1, 60).map(lambda n: _nest(n)),
)


def _nest(depth: int) -> Any:
    value: Any = "deep"
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


@st.composite
def damaged_documents(draw: st.DrawFn) -> tuple[dict[str, Any], list[str]]:
    doc = copy.deepcopy(BASE_DOC)
    done = []
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(ALL_PATHS))
        parent: Any = doc
        try:
            for part in path[:-1]:
                parent = parent[part]
            parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed it
        key = path[-1]
        op = draw(st.sampled_from(["delete", "replace", "rename", "wrap", "duplicate-item", "empty"]))
        if op == "delete":
            del parent[key]
        elif op == "replace":
            parent[key] = draw(wrong_values)
        elif op == "rename" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=10))] = parent.pop(key)
        elif op == "wrap":
            parent[key] = [parent[key]]
        elif op == "duplicate-item" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        elif op == "empty":
            parent[key] = type(parent[key])() if isinstance(parent[key], (dict, list, str)) else None
        done.append(f"{op} {'.'.join(map(str, path))}")
    return doc, done


def _dump_any(doc: Any) -> str:
    try:
        return dump(doc)
    except yaml.representer.RepresenterError:
        return dump(json.loads(json.dumps(doc, default=str)))


@FAST
@given(damaged=damaged_documents())
def test_structurally_damaged_monographs_fail_cleanly(damaged: tuple[dict[str, Any], list[str]]) -> None:
    doc, _ = damaged
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data_folder(root, _dump_any(doc))
        build_outcome(root, "damaged monograph")


# broken monographs: damage to the text and bytes of the file

TEXT = MONOGRAPH.read_text(encoding="utf-8")
LINES = TEXT.splitlines(keepends=True)


@st.composite
def damaged_texts(draw: st.DrawFn) -> str | bytes:
    op = draw(
        st.sampled_from(
            [
                "delete-chars",
                "insert-chars",
                "truncate",
                "swap-lines",
                "dup-line",
                "indent",
                "dedent",
                "duplicate-key",
                "bytes",
                "tab",
            ]
        )
    )
    text = TEXT
    if op == "delete-chars":
        i = draw(st.integers(0, len(text) - 1))
        return text[:i] + text[i + draw(st.integers(1, 20)) :]
    if op == "insert-chars":
        i = draw(st.integers(0, len(text)))
        return (
            text[:i]
            + draw(
                st.text(
                    st.sampled_from([*list(":-[]{}&*!|>'\"#%@`,?\n\t \\"), "é", "\x00", "\ufeff"]),
                    min_size=1,
                    max_size=5,
                )
            )
            + text[i:]
        )
    if op == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    if op in ("swap-lines", "dup-line", "indent", "dedent", "duplicate-key", "tab"):
        lines = list(LINES)
        i = draw(st.integers(0, len(lines) - 1))
        if op == "swap-lines":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "dup-line":
            lines.insert(i, lines[i])
        elif op == "indent":
            lines[i] = "  " + lines[i]
        elif op == "dedent":
            lines[i] = lines[i].removeprefix("  ")
        elif op == "tab":
            lines[i] = "\t" + lines[i]
        else:  # duplicate a "key: value" line right after itself
            keyed = [k for k, line in enumerate(lines) if re.match(r"^\s*[a-z_]+:", line)]
            k = draw(st.sampled_from(keyed))
            lines.insert(k + 1, lines[k] if lines[k].rstrip().endswith(":") is False else lines[k].rstrip() + " x\n")
        return "".join(lines)
    raw = bytearray(text.encode("utf-8"))
    for _ in range(draw(st.integers(1, 4))):
        raw[draw(st.integers(0, len(raw) - 1))] = draw(st.integers(0, 255))
    return bytes(raw)


@FAST
@given(content=damaged_texts())
def test_textually_damaged_monographs_fail_cleanly(content: str | bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data_folder(root, content)
        build_outcome(root, "damaged monograph text")


# hand-made hostile files, each checked in-process and through the CLI


def _laughs(levels: int = 9) -> str:
    lines = ['lol0: &a0 "lol"']
    for i in range(1, levels + 1):
        lines.append(f"lol{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


HOSTILE_MONOGRAPHS: dict[str, str | bytes] = {
    "billion-laughs": _laughs() + TEXT,
    "billion-laughs-in-field": TEXT.replace(
        "  brand_names: [Lyvispah, Gablofen]", "  brand_names: &b0 [Lyvispah]\n  synonyms: [*b0, *b0]"
    ),
    "deep-nesting-100k": "drug: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "deep-nesting-maps": "drug: " + "{a: " * 3_000 + "1" + "}" * 3_000 + "\n",
    "deep-nesting-block": "".join("  " * i + f"k{i}:\n" for i in range(500)) + "  " * 500 + "v\n",
    "duplicate-top-key": TEXT + "\ndrug:\n  id: other\n",
    "not-utf8-latin1": TEXT.replace("label: baclofen", "label: baclof\u00e9n").encode("latin-1"),
    "not-utf8-utf16": TEXT.encode("utf-16"),
    "nul-byte": TEXT.replace("label: baclofen", "label: bac\x00lofen"),
    "lone-surrogate-bytes": TEXT.encode("utf-8").replace(b"label: baclofen", b"label: bac\xed\xa0\x80lofen"),
    "overlong-utf8": TEXT.encode("utf-8").replace(b"label: baclofen", b"label: bac\xc0\xafofen"),
    "huge-string": TEXT.replace("  label: baclofen", "  label: " + "x" * 3_000_000),
    "empty-string-id": TEXT.replace("  id: baclofen", '  id: ""'),
    "impossible-date": TEXT.replace("last_updated: 2025-02-05", "last_updated: 2025-02-30"),
    "huge-integer": TEXT.replace("starting_times_per_day: 3", "starting_times_per_day: " + "7" * 5000),
    "infinite-dose": TEXT.replace("starting_dose: {value: 5,", "starting_dose: {value: .inf,"),
    "python-tag": TEXT.replace("label: baclofen", "label: !!python/object/apply:os.system ['true']"),
    "custom-tag": TEXT.replace("label: baclofen", "label: !secret baclofen"),
    "two-documents": TEXT + "\n---\nschema_version: 1\n",
    "top-level-list": "- 1\n- 2\n",
    "empty-file": "",
    "only-a-comment": "# nothing here\n",
    "bidi-and-zero-width-id": TEXT.replace("  id: baclofen", "  id: bac\u200blofen\u202e"),
    "control-char-in-label": TEXT.replace("  label: baclofen", '  label: "bac\\x07lofen"'),
    "complex-key": TEXT.replace("  label: baclofen", "  ? [label]\n  : baclofen"),
    "merge-key": TEXT.replace("  label: baclofen", "  <<: {label: baclofen}"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_MONOGRAPHS))
def test_hostile_monograph_in_process(case: str, tmp_path: Path) -> None:
    data_folder(tmp_path, HOSTILE_MONOGRAPHS[case])
    started = time.monotonic()
    outcome, _ = build_outcome(tmp_path, "hostile monograph")
    assert outcome == "error", f"{case} was accepted"
    assert time.monotonic() - started < 5, f"{case} took {time.monotonic() - started:.1f} s"


def test_folder_and_oversized_file(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    data = data_folder(tmp_path / "a")
    (data / "drugs" / "folder.yaml").mkdir()
    outcome, _ = build_outcome(tmp_path / "a", "hostile monograph")
    assert outcome == "error"
    (tmp_path / "b").mkdir()
    data = data_folder(tmp_path / "b")
    with (data / "drugs" / "huge.yaml").open("wb") as fh:
        fh.truncate(3 * 1024**3)  # a sparse 3 GiB file: refused by size before it is read
    started = time.monotonic()
    outcome, _ = build_outcome(tmp_path / "b", "hostile monograph")
    assert outcome == "error" and time.monotonic() - started < 5


CLI_CASES = [
    "billion-laughs",
    "deep-nesting-100k",
    "not-utf8-utf16",
    "nul-byte",
    "huge-string",
    "impossible-date",
    "huge-integer",
    "python-tag",
    "two-documents",
    "complex-key",
]


@pytest.mark.parametrize("case", CLI_CASES)
def test_hostile_monograph_through_the_cli(case: str, tmp_path: Path) -> None:
    data = data_folder(tmp_path, HOSTILE_MONOGRAPHS[case])
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "drugkg.cli", "build", "--data", str(data), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=60,
    )
    COUNTS["hostile monograph: through the CLI"] += 1
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    assert str(data / "drugs" / "baclofen.yaml") in result.stderr
    assert re.search(r":line \d+", result.stderr), result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2, result.stderr
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["data"]


# ---------------------------------------------------------------------------------------------
# SSSOM tables

_SSSOM_LINES = SSSOM_TEXT.splitlines()
_META = [line for line in _SSSOM_LINES if line.startswith("#")]
_HEADER = _SSSOM_LINES[len(_META)].split("\t")
_ROWS = [line.split("\t") for line in _SSSOM_LINES[len(_META) + 1 :] if line.strip()]
PREDICATES = ["skos:exactMatch", "skos:closeMatch", "skos:broadMatch", "skos:narrowMatch", "skos:relatedMatch"]
# a cell of a TSV: anything but a tab or a line end; no leading quote (it would start a quoted field)
cell_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(
    lambda s: not s.startswith('"')
)


@st.composite
def valid_tables(draw: st.DrawFn) -> tuple[str, list[dict[str, str]]]:
    rows = draw(st.lists(st.sampled_from(range(len(_ROWS))), min_size=1, unique=True))
    records = []
    for i in rows:
        rec = dict(zip(_HEADER, _ROWS[i], strict=True))
        rec["predicate_id"] = draw(st.sampled_from(PREDICATES))
        rec["comment"] = draw(st.one_of(st.just(""), cell_text))
        rec["subject_label"] = draw(st.one_of(st.just(""), cell_text))
        records.append(rec)
    seen = set()
    unique = []
    for rec in records:
        key = (rec["subject_id"], rec["predicate_id"], rec["object_id"])
        if key not in seen:
            seen.add(key)
            unique.append(rec)
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    text = eol.join(_META + ["\t".join(_HEADER)] + ["\t".join(r[c] for c in _HEADER) for r in unique]) + eol
    return text, unique


@BUILDS
@given(table=valid_tables())
def test_generated_valid_sssom_tables_build_and_round_trip(table: tuple[str, list[dict[str, str]]]) -> None:
    text, records = table
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data_folder(root, sssom=text)
        with bounded():
            build(root / "out", root / "data")
        store = ox.Store.read_only(str(root / "out" / "store"))
        graph = "<https://w3id.org/drugkg/graph/mappings/baclofen>"
        got = select(
            store, f"SELECT ?s ?p ?o WHERE {{ GRAPH {graph} {{ ?s ?p ?o FILTER(STRSTARTS(STR(?p), '{SKOS}')) }} }}"
        )
        assert {(s.rsplit("/", 2)[-2] + "/" + s.rsplit("/", 1)[-1], p.rsplit("#", 1)[1]) for s, p, _ in got} == {
            (r["subject_id"].split(":", 1)[1], r["predicate_id"].split(":", 1)[1]) for r in records
        }
        assert len(got) == len(records)
        comments = select(
            store, f"SELECT ?c WHERE {{ GRAPH {graph} {{ ?m a <https://w3id.org/sssom/Mapping> ; rdfs:comment ?c }} }}"
        )
        assert comments == {(r["comment"],) for r in records if r["comment"]}
        del store
        COUNTS["valid SSSOM table: built and round-tripped"] += 1


@st.composite
def damaged_tables(draw: st.DrawFn) -> str | bytes:
    lines = list(_SSSOM_LINES)
    op = draw(
        st.sampled_from(
            [
                "cell",
                "drop-tab",
                "add-tab",
                "meta-line",
                "delete-chars",
                "bytes",
                "header",
                "meta-value",
                "swap-lines",
                "quote",
            ]
        )
    )
    body = range(len(_META) + 1, len(lines))
    if op == "cell":
        i = draw(st.sampled_from(body))
        cells = lines[i].split("\t")
        j = draw(st.integers(0, len(cells) - 1))
        cells[j] = draw(st.one_of(nasty_text.filter(lambda s: "\t" not in s and "\n" not in s), cell_text))
        lines[i] = "\t".join(cells)
    elif op == "drop-tab":
        i = draw(st.sampled_from(body))
        lines[i] = lines[i].replace("\t", " ", 1)
    elif op == "add-tab":
        i = draw(st.sampled_from(body))
        lines[i] += "\textra"
    elif op == "meta-line":
        del lines[draw(st.integers(0, len(_META) - 1))]
    elif op == "meta-value":
        i = draw(st.integers(0, len(_META) - 1))
        key = lines[i].split(":", 1)[0]
        lines[i] = (
            key
            + ": "
            + draw(
                st.sampled_from(
                    [
                        "",
                        "2025-13-45",
                        "[a, b]",
                        "&x {a: *x}",
                        "!!binary aGk=",
                        "'" + "z" * 10_000 + "'",
                        "1" * 5000,
                        "{a: [[[[[1]]]]]}",
                    ]
                )
            )
        )
    elif op == "delete-chars":
        text = "\n".join(lines)
        i = draw(st.integers(0, len(text) - 1))
        return text[:i] + text[i + draw(st.integers(1, 30)) :] + "\n"
    elif op == "bytes":
        raw = bytearray(("\n".join(lines) + "\n").encode("utf-8"))
        for _ in range(draw(st.integers(1, 4))):
            raw[draw(st.integers(0, len(raw) - 1))] = draw(st.integers(0, 255))
        return bytes(raw)
    elif op == "header":
        cols = lines[len(_META)].split("\t")
        cols[draw(st.integers(0, len(cols) - 1))] = draw(st.sampled_from(["", "subject_id", "SUBJECT_ID", "x"]))
        lines[len(_META)] = "\t".join(cols)
    elif op == "swap-lines":
        i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == "quote":
        i = draw(st.sampled_from(body))
        cells = lines[i].split("\t")
        cells[-1] = '"' + draw(cell_text)
        lines[i] = "\t".join(cells)
    return "\n".join(lines) + "\n"


@FAST
@given(content=damaged_tables())
def test_damaged_sssom_tables_fail_cleanly(content: str | bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data_folder(root, sssom=content)
        build_outcome(root, "damaged SSSOM table")


HOSTILE_TABLES: dict[str, str | bytes] = {
    "billion-laughs-metadata": "# " + _laughs().replace("\n", "\n# ") + SSSOM_TEXT,
    "not-utf8": SSSOM_TEXT.replace("baclofen\tskos", "baclof\u00e9n\tskos").encode("latin-1"),
    "only-metadata": "\n".join(_META) + "\n",
    "empty": "",
    "impossible-date": SSSOM_TEXT.replace("# mapping_date: 2026-11-25", "# mapping_date: 2026-02-30"),
    "nul-in-cell": SSSOM_TEXT.replace("RxNorm ingredient concept", "RxNorm\x00ingredient"),
    "unterminated-quote": SSSOM_TEXT.replace("RxNorm ingredient concept", '"RxNorm ingredient concept'),
    "huge-cell": SSSOM_TEXT.replace("RxNorm ingredient concept", "y" * 2_000_000),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_TABLES))
def test_hostile_sssom_in_process(case: str, tmp_path: Path) -> None:
    data_folder(tmp_path, sssom=HOSTILE_TABLES[case])
    started = time.monotonic()
    outcome, _ = build_outcome(tmp_path, "hostile SSSOM table")
    if case != "huge-cell":  # a long comment is legal, if odd: it may be accepted
        assert outcome == "error", f"{case} was accepted"
    assert time.monotonic() - started < 10


def test_unicode_line_breaks_inside_a_cell_are_content(tmp_path: Path) -> None:
    """A TSV row ends at a newline only: U+2028, U+0085 and U+2029 inside a comment stay in the comment."""
    comment = "a\u2028b\x85c\u2029d"
    data_folder(tmp_path, sssom=SSSOM_TEXT.replace("RxNorm ingredient concept", comment))
    build(tmp_path / "out", tmp_path / "data")
    store = ox.Store.read_only(str(tmp_path / "out" / "store"))
    assert (comment,) in select(store, "SELECT ?c WHERE { ?m rdfs:comment ?c }")
