"""The pre-commit snippets in the docs work as written: the hook they name exists, and their `rev`
is a commit the repository has, made by the command the snippet gives (no tag that does not exist)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", ROOT / "docs" / "validation.md"]
INSTRUCTION = "git ls-remote <URL> HEAD | head -n 1 | cut -f1"


def _snippets(path: Path) -> list[str]:
    return [b for b in re.findall(r"```yaml\n(.*?)```", path.read_text(encoding="utf-8"), re.DOTALL) if "repos:" in b]


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_snippet_names_an_existing_hook_and_a_rev_the_instruction_makes(path: Path) -> None:
    (snippet,) = _snippets(path)
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    repo = yaml.safe_load(snippet)["repos"][0]
    assert [h["id"] for h in repo["hooks"]] == ["drugkg-validate"]
    assert set(repo["hooks"][0]) <= {"id", "files", "args"} and "drugkg-validate" in hooks
    re.compile(repo["hooks"][0]["files"])
    assert repo["rev"] == "<COMMIT>" and INSTRUCTION in snippet
    # the instruction, run against this repository, gives a commit pre-commit can check out
    sha = subprocess.run(
        f"git ls-remote {ROOT} HEAD | head -n 1 | cut -f1", shell=True, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{40}", sha)
    assert subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", f"{sha}^{{commit}}"], check=False).returncode == 0


def test_no_doc_pins_a_tag_that_does_not_exist() -> None:
    tags = set(
        subprocess.run(["git", "-C", str(ROOT), "tag"], capture_output=True, text=True, check=True).stdout.split()
    )
    for path in [*DOCS, ROOT / ".pre-commit-hooks.yaml"]:
        for rev in re.findall(r"(?:rev: |@)(v\d+\.\d+\.\d+)", path.read_text(encoding="utf-8")):
            assert rev in tags, f"{path.name} pins {rev}, which is not a tag of this repository"
