"""Bad curated input: one clear message naming file, line and field; exit 2; nothing written."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MONOGRAPH = ROOT / "data" / "drugs" / "baclofen.yaml"
MAPPINGS = ROOT / "data" / "mappings" / "baclofen.sssom.tsv"


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    pos = -1
    for _ in range(occurrence):
        pos = text.index(needle, pos + 1)
    return text[:pos].count("\n") + 1


def run_build(data: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "drugkg.cli", "build", "--data", str(data), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def edited_data(tmp_path: Path, old: str, new: str, file: Path = MONOGRAPH) -> tuple[Path, Path, int]:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    target = data / file.relative_to(ROOT / "data")
    text = target.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not found"
    edited = text.replace(old, new, 1)
    target.write_text(edited, encoding="utf-8")
    return data, target, line_of(edited, new.splitlines()[0]) if new.strip() else 0


# (case id, text to replace, replacement, words the message must contain)
MONOGRAPH_CASES = [
    ("malformed-yaml", "drug:\n  id: baclofen", "drug:\n  id: [baclofen", "malformed YAML"),
    (
        "unknown-field",
        "  brand_names_complete: false",
        "  brand_name_complete: false",
        "drug.brand_name_complete: unknown field",
    ),
    (
        "missing-field",
        "    starting_dose: {value: 5, unit: mg}\n",
        "",
        "regimens[0].starting_dose: required field is missing",
    ),
    ("wrong-type", "starting_times_per_day: 3", "starting_times_per_day: thrice", "regimens[0].starting_times_per_day"),
    (
        "unknown-unit",
        "max_daily_dose: {value: 80, unit: mg}",
        "max_daily_dose: {value: 80, unit: milligram}",
        "regimens[0].max_daily_dose.unit",
    ),
    (
        "zero-dose",
        "starting_dose: {value: 5, unit: mg}",
        "starting_dose: {value: 0, unit: mg}",
        "regimens[0].starting_dose.value",
    ),
    (
        "negative-dose",
        "max_single_dose: {value: 20, unit: mg}",
        "max_single_dose: {value: -20, unit: mg}",
        "regimens[0].max_single_dose.value",
    ),
    ("duplicate-id", "  - id: oral-granules", "  - id: oral-tablet", "formulations[1].id: duplicate id 'oral-tablet'"),
    (
        "dangling-reference",
        "    target: gaba-b-receptor",
        "    target: gaba-c-receptor",
        "mechanisms[0].target: unknown target 'gaba-c-receptor'",
    ),
    (
        "unknown-section",
        "    section: mechanism\n\ndisease_mechanisms",
        "    section: how-it-works\n\ndisease_mechanisms",
        "mechanisms[0].section: unknown section 'how-it-works'",
    ),
    ("duplicate-key", "  label: baclofen\n", "  label: baclofen\n  label: baclofen\n", "duplicate key 'label'"),
    (
        "off-label-approved",
        "status: off-label,",
        "status: off-label, approved_by: fda,",
        "an off-label use cannot name an approving authority",
    ),
    (
        "start-above-max",
        "starting_dose: {value: 5, unit: mg}",
        "starting_dose: {value: 25, unit: mg}",
        "the starting dose is above the maximum single dose",
    ),
    ("bad-duration", "interval: P3D", "interval: three days", "regimens[0].titration.interval"),
    (
        "yaml-alias",
        "drug_classes: [muscle-relaxant]",
        "drug_classes: &c [muscle-relaxant]\n  synonyms: *c",
        "anchors and aliases are not allowed",
    ),
    (
        "missing-certainty",
        "    treats: [spasticity, muscle-spasm]\n    certainty: stated\n",
        "    treats: [spasticity, muscle-spasm]\n",
        "mechanisms[0].certainty: required field is missing",
    ),
    (
        "unknown-certainty",
        "    certainty: reported\n    section: common-side-effects",
        "    certainty: likely\n    section: common-side-effects",
        "adverse_effects[0].certainty",
    ),
    (
        "unknown-actor",
        "actors: [trained-personnel]",
        "actors: [nurses]",
        "unknown actor 'nurses' (expected an id listed under terms.actors)",
    ),
    (
        "broader-loop",
        "    - {id: muscle-spasm, label: muscle spasm}",
        "    - {id: muscle-spasm, label: muscle spasm, broader: painful-muscle-spasm}",
        "broader: finding 'muscle-spasm' is broader than itself (expected a chain of broader findings that ends)",
    ),
]


@pytest.mark.parametrize(("case", "old", "new", "message"), MONOGRAPH_CASES, ids=[c[0] for c in MONOGRAPH_CASES])
def test_bad_monograph(tmp_path: Path, case: str, old: str, new: str, message: str) -> None:
    data, target, _line = edited_data(tmp_path, old, new)
    out = tmp_path / "out"
    result = run_build(data, out)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert message in result.stderr
    assert str(target) in result.stderr
    assert "line " in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_bad_monograph_line_is_the_offending_line(tmp_path: Path) -> None:
    data, target, line = edited_data(tmp_path, "starting_times_per_day: 3", "starting_times_per_day: thrice")
    result = run_build(data, tmp_path / "out")
    assert f"{target}:line {line}: regimens[0].starting_times_per_day" in result.stderr


SSSOM_CASES = [
    ("unknown-prefix", "CHEBI:2972", "CHEBBI:2972", "unknown prefix or malformed CURIE 'CHEBBI:2972'"),
    ("malformed-curie", "MONDO:0001516", "MONDO 0001516", "malformed CURIE"),
    (
        "missing-justification",
        "CHEBI:2972\tbaclofen\tsemapv:ManualMappingCuration",
        "CHEBI:2972\tbaclofen\t",
        "column mapping_justification",
    ),
    ("bad-predicate", "skos:exactMatch\tDRUGBANK", "owl:sameAs\tDRUGBANK", "column predicate_id"),
    ("short-row", "DRUGBANK:DB00181\tbaclofen\tsemapv:ManualMappingCuration\t", "DRUGBANK:DB00181", "row has 4 fields"),
    (
        "curie-map-disagrees",
        "#   HP: http://purl.obolibrary.org/obo/HP_",
        "#   HP: http://example.org/hp/",
        "curie_map maps 'HP' to http://example.org/hp/, but drugkg expands it to http://purl.obolibrary.org/obo/HP_",
    ),
    (
        "dangling-subject",
        "drugkg:gene/gabbr1\tGABBR1\tskos:exactMatch\tHGNC:4070",
        "drugkg:gene/gabbr9\tGABBR1\tskos:exactMatch\tHGNC:4070",
        "'drugkg:gene/gabbr9' is not a resource of any monograph",
    ),
]


@pytest.mark.parametrize(("case", "old", "new", "message"), SSSOM_CASES, ids=[c[0] for c in SSSOM_CASES])
def test_bad_sssom(tmp_path: Path, case: str, old: str, new: str, message: str) -> None:
    data, target, line = edited_data(tmp_path, old, new, MAPPINGS)
    out = tmp_path / "out"
    result = run_build(data, out)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert message in result.stderr
    assert f"{target}:line {line}" in result.stderr
    assert not out.exists()


def test_not_utf8_and_directory(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    (data / "drugs" / "latin1.yaml").write_bytes("drug:\n  label: baclof\xe9n\n".encode("latin-1"))
    result = run_build(data, tmp_path / "out")
    assert result.returncode == 2 and "is not UTF-8 text" in result.stderr and "latin1.yaml:line 2" in result.stderr
    (data / "drugs" / "latin1.yaml").unlink()
    (data / "drugs" / "folder.yaml").mkdir()
    result = run_build(data, tmp_path / "out")
    assert result.returncode == 2 and "folder.yaml: is a folder" in result.stderr
