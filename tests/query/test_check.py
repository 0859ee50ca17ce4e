"""`drugkg check`: a table of patient profiles, each with the findings expected, written by hand from the source."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from drugkg.buildfolder import STORE_DIR
from drugkg.check import NOTICE, Profile, Runner, check_profile, result_as_table, store_runner
from drugkg.errors import DrugkgError
from drugkg.namespaces import RESOURCE, resource_iri

ROOT = Path(__file__).resolve().parents[2]

# Everything the route alone brings (no age, condition or life stage needed)
ANY_ROUTE = {"warning/drowsiness-driving", "warning/taper"}
INTRATHECAL = ANY_ROUTE | {
    "warning/boxed-intrathecal-withdrawal",
    "warning/intrathecal-withdrawal-prevention",
    "warning/intrathecal-withdrawal-awareness",
    "warning/pump-refill-overdose",
    "warning/implantation-infection",
}
ALL = {
    f"warning/{w}"
    for w in (
        "boxed-intrathecal-withdrawal",
        "intrathecal-withdrawal-prevention",
        "intrathecal-withdrawal-awareness",
        "taper",
        "pregnancy",
        "drowsiness-driving",
        "psychiatric",
        "epilepsy",
        "stroke",
        "posture-balance",
        "autonomic-dysreflexia",
        "ovarian-cysts",
        "pump-refill-overdose",
        "implantation-infection",
        "pediatric-oral",
        "pediatric-intrathecal-age",
        "pediatric-intrathecal-body-mass",
        "breastfeeding-oral",
        "breastfeeding-intrathecal",
    )
} | {"dose-adjustment/oral-standard-elderly", "dose-adjustment/oral-standard-people-with-kidney-problems"}

# (case, profile, every statement that applies): from the source's sections, not from the graph
PROFILES = [
    (
        "child-10-oral-under-the-oral-limit",
        Profile(age=Decimal(10), route="oral"),
        ANY_ROUTE | {"warning/pediatric-oral"},
    ),
    ("child-10-tablet-is-oral", Profile(age=Decimal(10), formulation="tablet"), ANY_ROUTE | {"warning/pediatric-oral"}),
    (
        "child-10-intrathecal-over-4-needs-body-mass",
        Profile(age=Decimal(10), route="intrathecal"),
        INTRATHECAL | {"warning/pediatric-intrathecal-body-mass"},
    ),
    (
        "child-3-intrathecal-under-both-limits",
        Profile(age=Decimal(3), route="intrathecal"),
        INTRATHECAL | {"warning/pediatric-intrathecal-body-mass", "warning/pediatric-intrathecal-age"},
    ),
    (
        "child-3-oral-under-the-oral-limit",
        Profile(age=Decimal(3), route="oral"),
        ANY_ROUTE | {"warning/pediatric-oral"},
    ),
    ("adult-12-oral-at-the-limit", Profile(age=Decimal(12), route="oral"), ANY_ROUTE),
    (
        "pregnant-near-delivery-oral",
        Profile(age=Decimal(30), route="oral", pregnant=True),
        ANY_ROUTE | {"warning/pregnancy"},
    ),
    (
        "breastfeeding-oral",
        Profile(age=Decimal(30), route="oral", breastfeeding=True),
        ANY_ROUTE | {"warning/breastfeeding-oral"},
    ),
    (
        "breastfeeding-intrathecal",
        Profile(age=Decimal(30), route="intrathecal", breastfeeding=True),
        INTRATHECAL | {"warning/breastfeeding-intrathecal"},
    ),
    (
        "several-conditions-elderly-oral",
        Profile(
            age=Decimal(70),
            route="oral",
            elderly=True,
            conditions=(
                "epilepsy",
                "stroke",
                "kidney problems",
                "autonomic-dysreflexia",
                "psychotic disorders",
                "schizophrenia",
                "spasticity-supporting-function",
            ),
        ),
        ANY_ROUTE
        | {
            "warning/epilepsy",
            "warning/stroke",
            "warning/autonomic-dysreflexia",
            "warning/psychiatric",
            "warning/posture-balance",
            "dose-adjustment/oral-standard-elderly",
            "dose-adjustment/oral-standard-people-with-kidney-problems",
        },
    ),
    (
        "kidney-problems-intrathecal-no-oral-dose-adjustment",
        Profile(route="intrathecal", elderly=True, conditions=("kidney-problems", "confusional-state")),
        INTRATHECAL | {"warning/psychiatric"},
    ),
    (
        "done-when-intrathecal-epilepsy-pregnant",
        Profile(age=Decimal(10), route="intrathecal", conditions=("epilepsy",), pregnant=True),
        INTRATHECAL | {"warning/pediatric-intrathecal-body-mass", "warning/epilepsy", "warning/pregnancy"},
    ),
    ("women-with-ms-any-route", Profile(conditions=("multiple sclerosis",)), INTRATHECAL | {"warning/ovarian-cysts"}),
    ("nothing-given-checks-every-route", Profile(), INTRATHECAL),
]


def _slug(iri: str) -> str:
    kind, slug = iri.removeprefix(str(RESOURCE)).split("/", 1)
    return f"{kind}/{slug.removeprefix('baclofen-')}"


@pytest.fixture(scope="module")
def oxigraph(built: Path) -> Runner:
    return store_runner(ox.Store.read_only(str(built / STORE_DIR)))


@pytest.fixture(scope="module")
def rdflib_engine(graph: rdflib.Graph) -> Runner:
    """The same catalogue queries on rdflib's SPARQL engine: a second engine, not written here."""
    from drugkg.check import _rows, _runner
    from drugkg.querying import run_on_graph

    return _runner(lambda text, bindings: _rows(run_on_graph(graph, text, bindings)))


@pytest.mark.parametrize(("case", "profile", "expected"), PROFILES, ids=[p[0] for p in PROFILES])
def test_profile_gets_exactly_what_the_source_says(
    oxigraph: Runner, case: str, profile: Profile, expected: set[str]
) -> None:
    result = check_profile(oxigraph, profile)
    applies = {_slug(f.statement) for f in result.applies}
    assert applies == expected
    not_applying = {_slug(n.statement) for n in result.not_applying}
    assert not_applying == ALL - expected
    assert result.notice == NOTICE


@pytest.mark.parametrize(("case", "profile", "expected"), PROFILES[::3], ids=[p[0] for p in PROFILES[::3]])
def test_rdflib_engine_gives_the_same_check(
    oxigraph: Runner, rdflib_engine: Runner, case: str, profile: Profile, expected: set[str]
) -> None:
    assert check_profile(rdflib_engine, profile) == check_profile(oxigraph, profile)


def test_each_finding_has_certainty_section_and_the_named_actors(oxigraph: Runner) -> None:
    result = check_profile(oxigraph, Profile(age=Decimal(10), route="intrathecal", breastfeeding=True))
    found = {_slug(f.statement): f for f in result.applies}
    assert (
        found["warning/breastfeeding-intrathecal"].certainty,
        found["warning/breastfeeding-intrathecal"].sections,
    ) == ("unknown", ["Use in pregnancy and breastfeeding"])
    boxed = found["warning/boxed-intrathecal-withdrawal"]
    assert (boxed.kind, boxed.certainty, boxed.advice) == ("boxed warning", "stated", [])
    awareness = {a.text: set(a.actors) for a in found["warning/intrathecal-withdrawal-awareness"].advice}
    assert awareness == {
        "keep every scheduled refill visit": {"patients", "caregivers"},
        "learn the early signs of withdrawal": {"patients", "caregivers"},
    }
    prevention = {a.text: a.actors for a in found["warning/intrathecal-withdrawal-prevention"].advice}
    assert prevention == {
        "watch the infusion system closely": (),
        "follow refill procedures carefully": (),
        "respond to pump alarms": (),
    }
    assert [a.actors for a in found["warning/pump-refill-overdose"].advice] == [("fully trained personnel",)]


def test_pregnancy_near_delivery_advises_tapering_before_delivery(oxigraph: Runner) -> None:
    result = check_profile(oxigraph, Profile(route="oral", pregnant=True))
    pregnancy = next(f for f in result.applies if _slug(f.statement) == "warning/pregnancy")
    assert {a.text for a in pregnancy.advice} == {
        "lower the dose step by step and stop before delivery when the benefits justify it",
        "weigh the benefit to the mother against possible harm to the fetus",
    }
    assert pregnancy.sections == ["Use in pregnancy and breastfeeding", "Withdrawal symptoms in newborns"]


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        (Profile(conditions=("epilepsie",)), "unknown condition 'epilepsie'"),
        (Profile(route="rectal"), "unknown route 'rectal'"),
        (Profile(route="intrathecal", formulation="tablet"), "the tablet is not given by the intrathecal route"),
        (Profile(age=Decimal(200)), "age 200 is out of range"),
    ],
)
def test_bad_profile_is_refused_with_what_was_expected(oxigraph: Runner, profile: Profile, message: str) -> None:
    with pytest.raises(DrugkgError) as err:
        check_profile(oxigraph, profile)
    assert message in str(err.value)
    assert err.value.expected


def _cli(built: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "drugkg.cli", "check", "--data", str(built), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_cli_age_10_oral_lists_the_under_12_limit_and_no_boxed_warning(built: Path) -> None:
    done = _cli(built, "--age", "10", "--route", "oral", "--format", "json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["notice"] == NOTICE
    kinds = {a["kind"]: a for a in answer["applies"]}
    assert kinds["safety and efficacy not established"]["populations"] == ["children younger than 12 years"]
    assert "boxed warning" not in kinds
    assert "boxed warning" in {n["kind"] for n in answer["checked_and_not_applying"]}


def test_cli_intrathecal_epilepsy_pregnant_lists_boxed_body_mass_epilepsy_pregnancy_not_oral_limit(built: Path) -> None:
    done = _cli(built, "--age", "10", "--route", "intrathecal", "--condition", "epilepsy", "--pregnant")
    assert done.returncode == 0, done.stderr
    applies = done.stdout.split("checked and did not apply")[0]
    for text in (
        "[boxed warning] baclofen: boxed warning (boxed intrathecal withdrawal)",
        "advice: have enough body mass to hold the implanted pump",
        "[use with caution] baclofen: use with caution (epilepsy)",
        "[precaution] baclofen: precaution (pregnancy)",
    ):
        assert text in applies
    assert "children younger than 12 years" not in applies
    assert "not medical advice" in done.stdout.splitlines()[0]


def test_cli_unknown_condition_is_one_clear_line(built: Path) -> None:
    done = _cli(built, "--condition", "gout")
    assert done.returncode == 2
    assert done.stderr.startswith("drugkg check: unknown condition 'gout' (expected one of: ")
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_table_output_says_it_is_not_advice_and_what_was_checked(oxigraph: Runner) -> None:
    text = result_as_table(check_profile(oxigraph, Profile(age=Decimal(10), route="oral")))
    assert text.startswith("NOTE: This check restates one source document")
    assert "  - age limits on the oral route for age 10\n" in text


def test_life_stage_statement_for_another_route_does_not_apply(oxigraph: Runner) -> None:
    """Regression: the route filter sat inside a UNION branch, where ?route is unbound, so the
    intrathecal body-mass precaution applied to a child on the oral route."""
    rows = oxigraph(
        "check-life-stage",
        {
            "drug": resource_iri("drug", "baclofen"),
            "route": resource_iri("route", "oral"),
            "lifeStage": "https://w3id.org/drugkg/vocab#Childhood",
        },
    )
    assert rows == []
    rows = oxigraph(
        "check-life-stage",
        {
            "drug": resource_iri("drug", "baclofen"),
            "route": resource_iri("route", "intrathecal"),
            "lifeStage": "https://w3id.org/drugkg/vocab#Childhood",
        },
    )
    assert {r["statement"] for r in rows} == {resource_iri("warning", "baclofen-pediatric-intrathecal-body-mass")}
