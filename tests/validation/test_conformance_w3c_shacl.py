"""The W3C SHACL Core and SHACL-SPARQL test suites, run from their manifests.

Each sht:Validate entry runs twice: through plain pySHACL (the oracle) and through
`drugkg.validation.validate_files` with the case's shapes (what `drugkg validate FILE --shapes
SHAPES --no-reasoning` runs, default engine). Both must give the expected report: sh:conforms and
the set of (focus node, path, constraint component, severity, value, source shape), or a failure
where the entry expects sht:Failure. drugkg may fail only where plain pySHACL fails too
(PYSHACL_FAILS, each with its reason; strict xfail, so a fix shows up).
"""

from __future__ import annotations

import pytest
from support.w3c_shacl import FAILURE, Case, cases, drugkg_keys, expected_keys, pyshacl_keys

from drugkg.errors import DrugkgError
from drugkg.validation import validate_files

CASES = cases()

# pySHACL 0.40 gives a different answer than the W3C expects, in these (checked by test_pyshacl below)
PYSHACL_FAILS = {
    "core/property/uniqueLang-002": "pySHACL accepts sh:uniqueLang with a non-boolean value instead of failing",
    "sparql/pre-binding/shapesGraph-001": "pySHACL does not bind $shapesGraph, so the query finds nothing",
}


def _marks(case: Case) -> list[pytest.MarkDecorator]:
    reason = PYSHACL_FAILS.get(case.id)
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


PARAMS = [pytest.param(c, id=c.id, marks=_marks(c)) for c in CASES]


def _expected(case: Case) -> tuple[bool, set] | str:  # type: ignore[type-arg]
    return FAILURE if case.expects_failure else expected_keys(case)


def _drugkg(case: Case) -> tuple[bool, set] | str:  # type: ignore[type-arg]
    try:
        outcome = validate_files([case.data], shapes=[case.shapes], reasoning=False)
    except DrugkgError:
        return FAILURE
    return drugkg_keys(outcome)


def test_manifests_list_both_suites() -> None:
    suites = {}
    for c in CASES:
        suites[c.suite] = suites.get(c.suite, 0) + 1
    assert suites == {"core": 98, "sparql": 22}
    assert len({c.id for c in CASES}) == len(CASES)
    assert set(PYSHACL_FAILS) <= {c.id for c in CASES}


@pytest.mark.parametrize("case", PARAMS)
def test_pyshacl(case: Case) -> None:
    """The oracle: plain pySHACL gives the expected report."""
    assert pyshacl_keys(case) == _expected(case)


@pytest.mark.parametrize("case", PARAMS)
def test_drugkg(case: Case) -> None:
    """drugkg's default engine gives the expected report."""
    assert _drugkg(case) == _expected(case)


def test_fast_engine_coverage() -> None:
    """How many W3C cases the fast engine runs itself (the rest go to pySHACL): the figure in docs/validation.md."""
    own = {"core": 0, "sparql": 0}
    for c in CASES:
        try:
            outcome = validate_files([c.data], shapes=[c.shapes], reasoning=False)
        except DrugkgError:
            continue
        own[c.suite] += outcome.engine == "fast"
    assert own == COVERAGE


COVERAGE = {"core": 38, "sparql": 4}
