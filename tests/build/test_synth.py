"""`drugkg synth`: deterministic, builds, fits the typed model and the shapes, and is the size we say."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml

from drugkg.build import build
from drugkg.cli import main
from drugkg.devtools.synth import SYNTH_SOURCE_KIND, synthesize
from loaders.monograph import read_monograph
from loaders.monograph_model import Monograph

N = 10


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "data"
    assert main(["synth", "--drugs", str(N), "--seed", "7", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def synth_build(synth_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("synth-build") / "out", synth_dir)


def test_writes_n_monographs_and_a_mapping_table(synth_dir: Path) -> None:
    drugs = sorted((synth_dir / "drugs").glob("*.yaml"))
    assert len(drugs) == N
    assert all(p.name.startswith("syn-") for p in drugs)
    assert (synth_dir / "mappings" / "synthetic.sssom.tsv").is_file()


def test_same_seed_gives_byte_identical_files(synth_dir: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    synthesize(again, N, seed=7, progress=False)
    assert _digests(again) == {k: v for k, v in _digests(synth_dir).items()}


def test_another_seed_gives_other_drugs(synth_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    synthesize(other, N, seed=8, progress=False)
    assert _digests(other) != _digests(synth_dir)
    same_names = set(_digests(other)) & set(_digests(synth_dir))
    assert all(_digests(other)[n] != _digests(synth_dir)[n] for n in same_names if n.startswith("drugs/"))


def test_drug_i_does_not_depend_on_how_many_are_asked_for(synth_dir: Path, tmp_path: Path) -> None:
    fewer = tmp_path / "fewer"
    synthesize(fewer, 3, seed=7, progress=False)
    for p in (fewer / "drugs").glob("*.yaml"):
        assert p.read_bytes() == (synth_dir / "drugs" / p.name).read_bytes()


def test_rerun_into_the_same_folder_removes_stale_synthetic_files(tmp_path: Path) -> None:
    synthesize(tmp_path, 5, seed=1, progress=False)
    synthesize(tmp_path, 2, seed=1, progress=False)
    assert len(list((tmp_path / "drugs").glob("*.yaml"))) == 2


def test_monographs_fit_the_typed_model_and_are_marked_synthetic(synth_dir: Path) -> None:
    for path in sorted((synth_dir / "drugs").glob("*.yaml")):
        m = read_monograph(path)  # the model and the reference checks, as the build reads it
        assert isinstance(m, Monograph)
        assert all(s.kind == SYNTH_SOURCE_KIND and "synthetic" in s.title.lower() for s in m.sources)
        assert m.drug.label.endswith("(synthetic)")
        assert path.read_text(encoding="utf-8").startswith("# SYNTHETIC")


def test_monographs_are_realistic(synth_dir: Path) -> None:
    for path in sorted((synth_dir / "drugs").glob("*.yaml")):
        m = read_monograph(path)
        assert len(m.formulations) >= 3
        links = sum(len(ae.effects) for ae in m.adverse_effects)
        assert 15 <= links <= 35
        statuses = {i.status for i in m.indications}
        assert statuses <= {"approved", "off-label"}
        assert all((i.approved_by is not None) == (i.status == "approved") for i in m.indications)
        assert m.warnings and m.terms.populations
        for r in m.regimens:
            assert r.max_single_dose is not None and r.max_daily_dose is not None and r.max_times_per_day
            assert r.starting_dose.value <= r.max_single_dose.value
            assert r.max_daily_dose.value == r.max_single_dose.value * r.max_times_per_day
            assert r.starting_times_per_day <= r.max_times_per_day


def test_shared_terms_have_one_definition(synth_dir: Path) -> None:
    seen: dict[tuple[str, str], dict] = {}
    for path in sorted((synth_dir / "drugs").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for kind, terms in data["terms"].items():
            for term in terms:
                assert seen.setdefault((kind, term["id"]), term) == term, (kind, term["id"])
    shared = [k for k in seen if k[0] == "findings"]
    assert len(shared) > 50  # findings are drawn from a shared vocabulary


def test_builds(synth_build: Path) -> None:
    manifest = json.loads((synth_build / "manifest.json").read_text())
    monographs = [g for g in manifest["graphs"] if "/graph/monograph/" in g]
    assert len(monographs) == N
    assert any("/graph/mappings/synthetic" in g for g in manifest["graphs"])


def test_size_is_in_the_expected_band(synth_build: Path) -> None:
    """About 950 triples a drug (so 1,000 drugs give about a million), plus ontology, examples and VoID.

    A drug's own graph holds its statements (~870 triples); the terms it shares with other drugs
    are stored once, in the terms graph. (Certainty on every statement added ~1 triple a statement.)"""
    manifest = json.loads((synth_build / "manifest.json").read_text())
    assert 6_000 <= manifest["triples"] <= 15_000
    per_drug = sum(n for g, n in manifest["graphs"].items() if "/graph/monograph/" in g) / N
    assert 700 <= per_drug <= 2_500
    assert 1_000 <= manifest["graphs"]["https://w3id.org/drugkg/graph/terms"] <= 4_000


def test_conforms_to_the_shapes(synth_build: Path) -> None:
    validation = pytest.importorskip("drugkg.validation")
    outcome = validation.validate_build(synth_build, reasoning=False)
    violations = [r for r in outcome.results if "Violation" in str(r.severity)]
    assert not violations, "\n".join(f"{r.focus} {r.path} {r.component}: {r.message}" for r in violations[:10])


def test_synthetic_statements_carry_a_certainty() -> None:
    from drugkg.devtools.synth import iter_monographs

    for data in iter_monographs(5, seed=1):
        m = Monograph.model_validate(data)
        items = [*m.formulations, *m.regimens, *m.mechanisms, *m.indications, *m.adverse_effects, *m.warnings]
        assert items and {i.certainty for i in items} <= {"stated", "possible", "reported", "unknown"}
        assert {i.certainty for i in m.indications if i.status == "off-label"} <= {"possible"}
        assert all(adj.certainty == "possible" for r in m.regimens for adj in r.adjustments)
