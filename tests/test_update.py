"""copier update across template versions: the team's edits survive, the template's
changes arrive, conflicts are visible and refused at commit, and an updated project is
the project a fresh copy would give.

Each test works in a scratch clone of this template, tagged there (never in this
repository). Copy tasks are skipped (they lock dependencies over the network); the test
writes the team's `.env` itself. Nothing here runs `uv sync`: trees and files are compared.
"""

from __future__ import annotations

import filecmp
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import copier
import pytest
import yaml
from conftest import REPO, check, load_example, read_answers, run
from packaging.version import InvalidVersion, Version

pytestmark = pytest.mark.slow

EXAMPLE = "support-ticket-deflection"
COPY_OPTIONS: dict[str, Any] = {"defaults": True, "unsafe": True, "quiet": True, "skip_tasks": True}
CONFLICT_MARKERS = ("<<<<<<< ", ">>>>>>> ")
# Generated once, then owned by the team: an update leaves them as they are. The list is
# the table of docs/updating.md, which tests/test_lifecycle.py holds to copier.yml.
TEAM_OWNED = re.findall(
    r"^\| `([^`]+)` \|",
    (REPO / "docs" / "updating.md").read_text(encoding="utf-8").split("<!-- team-owned")[1].split("<!-- /team")[0],
    flags=re.MULTILINE,
)


def git(cwd: Path, *args: str) -> str:
    return check(run(["git", *args], cwd=cwd)).stdout


def copy_tree(source: Path, destination: Path) -> None:
    shutil.copytree(
        source,
        destination,
        ignore=shutil.ignore_patterns(".git", ".venv", "*_cache", "__pycache__", "site"),
        dirs_exist_ok=True,
    )


def template_clone(tmp_path: Path, tag: str = "0.1.0") -> Path:
    """This working tree committed and tagged `tag` in a scratch repository."""
    clone = tmp_path / "template"
    copy_tree(REPO, clone)
    git(clone, "init", "-q")
    git(clone, "add", "-A")
    git(clone, "commit", "-qm", f"release {tag}")
    git(clone, "tag", tag)
    return clone


def release(template: Path, tag: str) -> None:
    git(template, "add", "-A")
    git(template, "commit", "-qm", f"release {tag}")
    git(template, "tag", tag)


def generate(template: Path, project: Path, answers: dict[str, Any], ref: str) -> Path:
    """A project copied at `ref` and committed, as a team starts."""
    copier.run_copy(str(template), str(project), data=answers, vcs_ref=ref, **COPY_OPTIONS)
    (project / ".env").write_text("APP_LLM_PROVIDER=offline\nAPP_API_KEYS=our-local-key\n", encoding="utf-8")
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    return project


def update(project: Path, **options: Any) -> None:
    copier.run_update(str(project), overwrite=True, **{**COPY_OPTIONS, **options})


def append(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(old + text, encoding="utf-8")


def replace_line(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def project_files(project: Path) -> Iterator[Path]:
    for path in sorted(project.rglob("*")):
        relative = path.relative_to(project)
        if path.is_file() and ".git" not in relative.parts:
            yield relative


def leftovers(project: Path) -> list[str]:
    """*.rej files and files with conflict markers: what an update could not merge."""
    found = []
    for relative in project_files(project):
        text = (project / relative).read_text(encoding="utf-8", errors="replace")
        if relative.suffix == ".rej" or any(line.startswith(CONFLICT_MARKERS) for line in text.splitlines()):
            found.append(str(relative))
    return found


def is_team_owned(relative: Path) -> bool:
    return any(str(relative) == owned or str(relative).startswith(owned) for owned in TEAM_OWNED)


def tree_differences(updated: Path, fresh: Path, *, skip_team_owned: bool = False) -> list[str]:
    """Files that differ between two projects; the answers file compares its answers, not `_commit`."""
    names = set(project_files(updated)) | set(project_files(fresh))
    differences = []
    for relative in sorted(names):
        if relative == Path(".env") or (skip_team_owned and is_team_owned(relative)):
            continue
        left, right = updated / relative, fresh / relative
        if not left.exists() or not right.exists():
            differences.append(f"{relative}: only in {'fresh copy' if right.exists() else 'updated project'}")
        elif relative == Path(".copier-answers.yml"):
            answers = [{k: v for k, v in read_answers(p.parent).items() if k != "_commit"} for p in (left, right)]
            if answers[0] != answers[1]:
                differences.append(f"{relative}: {answers[0]} != {answers[1]}")
        elif not filecmp.cmp(left, right, shallow=False):
            differences.append(str(relative))
    return differences


@pytest.fixture
def answers() -> dict[str, Any]:
    return load_example(EXAMPLE)


def test_update_keeps_every_team_edit_and_brings_the_template_change(tmp_path: Path, answers) -> None:
    template = template_clone(tmp_path)
    project = generate(template, tmp_path / "project", answers, "0.1.0")
    package = project / "src" / answers["package_name"]

    # The team's edits, each in a file it is expected to change.
    team_edits = {
        package / "confidence.py": "\n\n# Our tuning note: reviewed with the support leads.\n",
        project / "GOALS.md": "\n## Our notes\n\nAgreed with finance on the baseline.\n",
        project / "data" / "service-faq.md": "\n## Escalation\n\nCall the duty manager.\n",
        project / "data" / "our-runbook.md": "# Runbook\n\nRestart the worker first.\n",
        project / "evals" / "dataset.yaml": (
            '  - name: our_escalation_case\n    inputs:\n      question: "Who do I call?"\n'
            '    expected_output:\n      contains: ["duty manager"]\n      sources: ["data/service-faq.md"]\n'
        ),
        project / "guardrails.yaml": "\n# Our rule: legal questions go to the legal team.\n",
        project / ".env": "APP_TOP_K=9\n",
    }
    for path, text in team_edits.items():
        append(path, text)
    (project / "data" / "human-review-policy.md").unlink()
    git(project, "add", "-A")
    git(project, "commit", "-qm", "our edits")
    team_files = {path: path.read_text(encoding="utf-8") for path in team_edits}

    # The next release changes files the team edited and files it did not.
    append(template / "template" / "README.md.jinja", "\n## Template 0.2.0\n\nA template improvement.\n")
    replace_line(
        template / "template" / "GOALS.md.jinja",
        "## Problem",
        "Reviewed every quarter by {{ owner_name }}.\n\n## Problem",
    )
    append(template / "template" / "data" / "README.md", "\nA new sample-data note.\n")
    append(template / "template" / "evals" / "dataset.yaml.jinja", "# A template comment.\n")
    (template / "template" / "CONTRIBUTING.md").write_text("# Contributing\n\nRun the checks.\n", encoding="utf-8")
    release(template, "0.2.0")

    update(project)

    recorded = read_answers(project)
    assert recorded["_commit"] == "0.2.0"
    assert {key: recorded[key] for key in answers} == answers, "--defaults keeps every answer"
    for path, text in team_files.items():
        if path.name != "GOALS.md":  # merged with the template's change, below
            assert path.read_text(encoding="utf-8") == text, f"{path.relative_to(project)} lost the team's edit"
    goals = (project / "GOALS.md").read_text(encoding="utf-8")
    assert "Agreed with finance on the baseline." in goals
    assert f"Reviewed every quarter by {answers['owner_name']}." in goals
    assert "A template improvement." in (project / "README.md").read_text(encoding="utf-8")
    assert (project / "CONTRIBUTING.md").exists()
    assert not (project / "data" / "human-review-policy.md").exists(), "a deleted sample document came back"
    assert "A new sample-data note." not in (project / "data" / "README.md").read_text(encoding="utf-8")
    assert "# A template comment." not in (project / "evals" / "dataset.yaml").read_text(encoding="utf-8")
    assert not leftovers(project)


def test_an_overlapping_edit_shows_conflict_markers_that_cannot_be_committed(tmp_path: Path, answers) -> None:
    template = template_clone(tmp_path)
    project = generate(template, tmp_path / "project", answers, "0.1.0")
    replace_line(project / "README.md", "## Quick start", "## Quick start for our support team")
    git(project, "commit", "-qam", "our heading")
    replace_line(template / "template" / "README.md.jinja", "## Quick start", "## Quick start (five minutes)")
    release(template, "0.2.0")

    update(project)

    readme = (project / "README.md").read_text(encoding="utf-8")
    assert "<<<<<<< before updating" in readme
    assert "## Quick start for our support team" in readme
    assert "## Quick start (five minutes)" in readme
    assert leftovers(project) == ["README.md"]
    # The conflict is recorded in git's index: nothing can be committed until resolved.
    refused = run(["git", "commit", "-qm", "update"], cwd=project)
    assert refused.returncode != 0
    assert "unmerged" in (refused.stdout + refused.stderr).lower()
    # Marked resolved by mistake (`git add`, `git commit -a`), the markers are still refused.
    git(project, "add", "README.md")
    refusal = merge_conflict_check(project, ["README.md"])
    assert refusal.returncode != 0, refusal.stdout + refusal.stderr
    assert "README.md" in refusal.stdout + refusal.stderr


def merge_conflict_check(project: Path, files: list[str]) -> subprocess.CompletedProcess[str]:
    """The generated pre-commit's merge-conflict check on `files`, or git's own when the
    project has no pre-commit configuration."""
    config_path = project / ".pre-commit-config.yaml"
    if not config_path.exists():
        return run(["git", "diff", "--cached", "--check", "--", *files], cwd=project)
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert "check-merge-conflict" in hooks, "the generated pre-commit must refuse conflict markers"
    args = hooks["check-merge-conflict"].get("args", [])
    return run([sys.executable, "-m", "pre_commit_hooks.check_merge_conflict", *args, *files], cwd=project)


# An answer changed on update re-renders what depends on it: the project equals a fresh
# copy with the new answer (the team-owned files excepted: they are never re-rendered).
CHANGED_ANSWERS = {
    "provider": {"llm_provider": "anthropic", "llm_model": "claude-haiku-4-5", "fallback_provider": "offline"},
    "index-backend": {"index_backend": "postgres"},
    "data-source-added": {"data_sources": ["files", "web"]},
}


@pytest.mark.parametrize("change", CHANGED_ANSWERS)
def test_update_with_a_changed_answer_renders_what_depends_on_it(tmp_path: Path, answers, change: str) -> None:
    template = template_clone(tmp_path)
    project = generate(template, tmp_path / "project", answers, "0.1.0")
    changed = CHANGED_ANSWERS[change]

    update(project, data=changed)

    recorded = read_answers(project)
    assert {key: recorded[key] for key in changed} == changed
    fresh = tmp_path / "fresh"
    copier.run_copy(str(template), str(fresh), data={**answers, **changed}, vcs_ref="0.1.0", **COPY_OPTIONS)
    assert tree_differences(project, fresh, skip_team_owned=True) == []
    assert not leftovers(project)
    if change == "provider":
        pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
        dependencies = pyproject["project"]["dependencies"]
        assert any(dependency.startswith("pydantic-ai-slim[anthropic]") for dependency in dependencies), dependencies
        assert not (project / "tests" / "test_openai_provider.py").exists()


def test_update_from_the_previous_release_equals_a_fresh_copy(tmp_path: Path, answers) -> None:
    """The golden test: a changed template, an update with no team edits, a fresh copy."""
    template = template_clone(tmp_path)
    project = generate(template, tmp_path / "project", answers, "0.1.0")
    append(template / "template" / "README.md.jinja", "\nMaintained by {{ owner_name }}.\n")
    replace_line(template / "template" / "GOALS.md.jinja", "## Users", "## Who asks")
    (template / "template" / "CONTRIBUTING.md").write_text("# Contributing\n", encoding="utf-8")
    release(template, "0.2.0")

    update(project)

    fresh = tmp_path / "fresh"
    copier.run_copy(str(template), str(fresh), data=answers, vcs_ref="0.2.0", **COPY_OPTIONS)
    assert tree_differences(project, fresh) == []


def released_tags() -> list[str]:
    """This repository's release tags (PEP 440 versions), oldest first."""
    result = run(["git", "tag", "--list"], cwd=REPO)
    versions = []
    for tag in result.stdout.split():
        try:
            versions.append((Version(tag), tag))
        except InvalidVersion:
            continue
    return [tag for _, tag in sorted(versions)]


@pytest.mark.parametrize("tag", released_tags() or [pytest.param("none", marks=pytest.mark.skip("no release tag yet"))])
def test_update_from_every_released_tag_to_head_equals_a_fresh_copy(tmp_path: Path, answers, tag: str) -> None:
    """From each real release of this template to the working tree: the golden test."""
    template = tmp_path / "template"
    check(run(["git", "clone", "-q", str(REPO), str(template)], cwd=tmp_path))
    for path in template.iterdir():
        if path.name != ".git":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    copy_tree(REPO, template)
    git(template, "add", "-A")
    git(template, "commit", "-qm", "working tree", "--allow-empty")
    old_answers = yaml.safe_load(git(template, "show", f"{tag}:examples/{EXAMPLE}.yml"))
    project = generate(template, tmp_path / "project", old_answers, tag)

    update(project, vcs_ref="HEAD")

    fresh = tmp_path / "fresh"
    copier.run_copy(str(template), str(fresh), data=read_answers(project), vcs_ref="HEAD", **COPY_OPTIONS)
    # Files the team owns (the eval cases, data/) keep the release's version by design.
    assert tree_differences(project, fresh, skip_team_owned=True) == []
    assert not leftovers(project)


def test_a_renamed_answer_is_carried_over_by_its_migration(tmp_path: Path, answers) -> None:
    """The worked example of docs/releasing.md: `metric_unit` renamed `kpi_unit` in 0.2.0."""
    template = template_clone(tmp_path)
    project = generate(template, tmp_path / "project", answers, "0.1.0")
    for path in [template / "copier.yml", *(template / "includes").rglob("*"), *(template / "template").rglob("*")]:
        if path.is_file() and "metric_unit" in path.read_text(encoding="utf-8"):
            path.write_text(path.read_text(encoding="utf-8").replace("metric_unit", "kpi_unit"), encoding="utf-8")
    migration = (
        '  - version: "0.2.0"\n'
        "    when: \"{{ _stage == 'before' }}\"\n"
        '    command: ["{{ _copier_python }}", "{{ _copier_conf.src_path }}/hooks/rename_answer.py",'
        ' "{{ _copier_conf.answers_file }}", "metric_unit", "kpi_unit"]\n'
    )
    replace_line(template / "copier.yml", "_migrations: []\n", "_migrations:\n" + migration)
    release(template, "0.2.0")
    goals = (project / "GOALS.md").read_text(encoding="utf-8")

    update(project)  # --defaults: a lost answer would stop the update as missing

    recorded = read_answers(project)
    assert recorded["kpi_unit"] == answers["metric_unit"]
    assert "metric_unit" not in recorded
    assert (project / "GOALS.md").read_text(encoding="utf-8") == goals
    assert not leftovers(project)


def test_the_rename_migration_is_idempotent(tmp_path: Path) -> None:
    answers_file = tmp_path / ".copier-answers.yml"
    original = (
        "# Changes here will be overwritten by Copier\n_commit: 0.1.0\nmetric_unit: minutes\n"
        "problem_statement: |-\n  Agents wait.\n\n  metric_unit: not a key\nreview_date: '2027-06-30'\n"
    )
    answers_file.write_text(original, encoding="utf-8")
    command = [sys.executable, str(REPO / "hooks" / "rename_answer.py"), str(answers_file), "metric_unit", "kpi_unit"]
    check(run(command, cwd=tmp_path))
    once = answers_file.read_text(encoding="utf-8")
    check(run(command, cwd=tmp_path))
    assert answers_file.read_text(encoding="utf-8") == once == original.replace("\nmetric_unit:", "\nkpi_unit:")
    # Both keys present (a half-finished manual edit): the new one wins.
    answers_file.write_text("kpi_unit: '%'\nmetric_unit: |-\n  minutes\n  long\nreview_date: x\n", encoding="utf-8")
    check(run(command, cwd=tmp_path))
    assert answers_file.read_text(encoding="utf-8") == "kpi_unit: '%'\nreview_date: x\n"
