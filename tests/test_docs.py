"""The docs site builds with no warning and cannot drift from copier.yml: the question
reference is generated from it, and the interview guide names every question with the
type and choices copier.yml gives it."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import yaml
from conftest import REPO, check, run

QUESTIONS: dict[str, Any] = {
    key: spec
    for key, spec in yaml.safe_load((REPO / "copier.yml").read_text(encoding="utf-8")).items()
    if not key.startswith("_")
}
ASKED = [key for key, spec in QUESTIONS.items() if spec.get("when") is not False]


def test_question_reference_is_generated_from_copier_yml() -> None:
    result = run([sys.executable, str(REPO / "scripts" / "interview_reference.py"), "--check"], cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    reference = (REPO / "docs" / "reference.md").read_text(encoding="utf-8")
    for key in ASKED:
        assert f"| `{key}` |" in reference


def choice_values(spec: dict[str, Any]) -> list[str]:
    choices = spec["choices"]
    return [str(value) for value in (choices.values() if isinstance(choices, dict) else choices)]


def test_interview_guide_gives_every_question_its_copier_type_and_choices() -> None:
    guide = (REPO / "docs" / "interview.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z_]+)` \| ([^|]+) \|", guide, flags=re.MULTILINE))
    assert not [key for key in ASKED if key not in rows], "questions missing from docs/interview.md"
    for key in ASKED:
        spec, documented = QUESTIONS[key], rows[key].strip()
        if "choices" in spec:
            kind = "multiselect" if spec.get("multiselect") else "choice"
            assert documented.startswith(f"{kind}:"), f"{key}: documented as {documented!r}"
            listed = re.findall(r"`([^`]+)`", documented)
            if "any provider" not in documented:
                assert listed == choice_values(spec), f"{key}: docs list {listed}"
        else:
            expected = spec["type"] + (", multiline" if spec.get("multiline") else "")
            assert documented == expected, f"{key}: docs say {documented!r}, copier.yml {expected!r}"


def test_docs_site_builds_strictly(tmp_path: Path) -> None:
    site = tmp_path / "site"
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)]
    result = check(run(command, cwd=REPO, timeout=300))
    assert (site / "reference" / "index.html").exists(), result.stderr[-2000:]
    nav = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    pages = {page for entry in nav for page in entry.values()}
    on_disk = {path.name for path in (REPO / "docs").glob("*.md")}
    assert pages == on_disk, "every page in docs/ is in the nav of mkdocs.yml, and only those"
