"""Releases and ownership, checked without rendering: CHANGELOG versions, release tags,
migrations, and the list of team-owned files in docs/updating.md against copier.yml."""

from __future__ import annotations

import re

import yaml
from conftest import REPO, run
from packaging.version import InvalidVersion, Version

CHANGELOG = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
COPIER = yaml.safe_load((REPO / "copier.yml").read_text(encoding="utf-8"))
UPDATING = (REPO / "docs" / "updating.md").read_text(encoding="utf-8")


def changelog_versions() -> list[str]:
    return re.findall(r"^## (\S+)", CHANGELOG, flags=re.MULTILINE)


def test_changelog_sections_are_unreleased_then_pep440_versions_newest_first() -> None:
    headings = changelog_versions()
    assert headings[0] == "Unreleased", "new work goes under ## Unreleased at the top"
    versions = []
    for heading in headings[1:]:
        try:
            versions.append(Version(heading))
        except InvalidVersion:
            raise AssertionError(f"CHANGELOG heading {heading!r} is not a PEP 440 version") from None
    assert versions == sorted(versions, reverse=True), "releases are listed newest first"


def test_every_release_tag_has_a_changelog_section() -> None:
    tags = run(["git", "tag", "--list"], cwd=REPO).stdout.split()
    released = {Version(heading) for heading in changelog_versions()[1:]}
    missing = []
    for tag in tags:
        try:
            version = Version(tag)  # "v0.1.0" and "0.1.0" are the same release
        except InvalidVersion:
            continue
        if version not in released:
            missing.append(tag)
    assert not missing, f"tags without a CHANGELOG section: {missing}"


def test_migrations_name_a_release_and_run_before_the_answers_are_read() -> None:
    known = set(changelog_versions()[1:])
    for migration in COPIER["_migrations"]:
        version = Version(migration["version"])  # PEP 440, or this raises
        assert migration["version"] in known or version > max(map(Version, known)), migration


def test_docs_list_exactly_the_files_copier_keeps_for_the_team() -> None:
    table = UPDATING.split("<!-- team-owned")[1].split("<!-- /team-owned -->")[0]
    documented = set(re.findall(r"^\| `([^`]+)` \|", table, flags=re.MULTILINE))
    kept = {pattern.removesuffix("**") for pattern in COPIER["_skip_if_exists"]}
    excluded_on_update = {
        match.group(1) + "/"
        for pattern in COPIER["_exclude"]
        if (match := re.search(r"_copier_operation == 'update' %\}(\S+?)\{%", pattern))
    }
    never_rendered = {".env"}  # written by hooks/create_env.py on copy only
    assert documented == kept | excluded_on_update | never_rendered


def test_the_generated_readme_names_every_team_owned_file() -> None:
    readme = (REPO / "template" / "README.md.jinja").read_text(encoding="utf-8")
    table = UPDATING.split("<!-- team-owned")[1].split("<!-- /team-owned -->")[0]
    documented = re.findall(r"^\| `([^`]+)` \|", table, flags=re.MULTILINE)
    missing = [path for path in documented if f"`{path}`" not in readme and f"`{path.rstrip('/')}/`" not in readme]
    assert not missing, f"template/README.md.jinja does not name {missing} among the files an update never touches"


def test_github_projects_get_the_weekly_template_update_check(rendered_example) -> None:
    for name in ["support-ticket-deflection", "offline-policy-desk"]:
        answers = yaml.safe_load((REPO / "examples" / f"{name}.yml").read_text(encoding="utf-8"))
        workflow = rendered_example(name) / ".github" / "workflows" / "template-update.yml"
        assert workflow.exists() == (answers["ci_provider"] == "github"), name
        if workflow.exists():
            job = yaml.safe_load(workflow.read_text(encoding="utf-8"))
            assert "schedule" in job[True], "the check runs on a schedule"  # YAML reads `on:` as True
            steps = job["jobs"]["check-update"]["steps"]
            assert any("copier check-update --quiet" in step.get("run", "") for step in steps)


def test_agents_md_gives_the_checks_and_the_rules(rendered_example) -> None:
    agents = (rendered_example("support-ticket-deflection") / "AGENTS.md").read_text(encoding="utf-8")
    for command in ["uv run pytest", "uv run ruff check .", "uv run mypy", "uv run support-answers eval"]:
        assert command in agents
    assert "GOALS.md" in agents and "eval threshold" in agents
