"""Whatever free text the interview accepts, the generated project still parses: every
TOML, YAML, JSON and Python file, and the answers file gives back the exact answers."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    EXAMPLE_NAMES,
    HOSTILE_ANSWERS,
    MINIMAL_ANSWERS,
    parse_errors,
    read_answers,
    render,
    validator_message,
)
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

FREE_TEXT_KEYS = [
    "project_name",
    "description",
    "owner_name",
    "problem_statement",
    "primary_users",
    "success_metric",
    "metric_unit",
    "value_rationale",
    "so_what",
]
MULTI_LINE_KEYS = {"problem_statement", "value_rationale"}


def test_hostile_answers_pass_the_validators() -> None:
    assert set(HOSTILE_ANSWERS) == set(FREE_TEXT_KEYS)
    rejected = {key: validator_message(key, value) for key, value in HOSTILE_ANSWERS.items()}
    assert {key: message for key, message in rejected.items() if message} == {}


def assert_project_parses(project: Path, data: dict[str, Any]) -> None:
    errors = parse_errors(project)
    if errors:
        raise AssertionError("files that do not parse as written:\n" + "\n".join(errors))
    answers = read_answers(project)
    assert {key: answers.get(key) for key in data} == data


@pytest.mark.parametrize("derived", [False, True], ids=["all-given", "slug-description-so-what-derived"])
def test_hostile_free_text_renders_a_parseable_project(tmp_path: Path, derived: bool) -> None:
    data = {**MINIMAL_ANSWERS, **HOSTILE_ANSWERS}
    if derived:
        for key in ("description", "so_what"):
            del data[key]
    else:
        data |= {"project_slug": "hostile-answers", "package_name": "hostile_answers"}
    project = render(tmp_path / "project", data)
    assert_project_parses(project, data)
    if derived:
        answers = read_answers(project)
        assert answers["project_slug"] == "zoe-s-q-a-1-x-raw"
        assert HOSTILE_ANSWERS["primary_users"] in answers["description"]
        assert answers["so_what"].startswith(
            f"{HOSTILE_ANSWERS['project_name']} helps {HOSTILE_ANSWERS['primary_users']} decrease "
        )


def env_file(project: Path) -> dict[str, str]:
    lines = (project / ".env").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.lstrip().startswith("#"))


def test_copy_task_writes_a_local_env_with_a_fresh_key(rendered_example, tmp_path: Path) -> None:
    first = env_file(rendered_example(EXAMPLE_NAMES[0]))
    second = env_file(render(tmp_path / "project", MINIMAL_ANSWERS))
    for env in (first, second):
        assert env["APP_LLM_PROVIDER"] == "offline"
        assert len(env["APP_API_KEYS"]) >= 16
    assert first["APP_API_KEYS"] != second["APP_API_KEYS"], "every project needs its own key"


def test_the_local_env_reads_files_only_until_the_other_sources_are_set(rendered_example) -> None:
    """web, postgres and s3 need addresses first; .env.example keeps every chosen source."""
    project = rendered_example("support-ticket-deflection")
    example = (project / ".env.example").read_text(encoding="utf-8")
    assert "\nAPP_DATA_SOURCES=files,web\n" in example
    assert env_file(project)["APP_DATA_SOURCES"] == "files"


def test_pytest_copie_renders_the_template(copie_session) -> None:
    """The same template through pytest-copie (answers as user defaults, unvalidated)."""
    result = copie_session.copy(extra_answers=MINIMAL_ANSWERS)
    assert result.exit_code == 0, result.exception
    assert result.answers["project_slug"] == "support-answers"
    assert parse_errors(result.project_dir) == []


# What a person can type: no control characters except the line break, where the
# question takes several lines; no lone surrogates (they cannot be written as UTF-8).
ONE_LINE = st.characters(exclude_categories=("Cs", "Cc"))
SEVERAL_LINES = st.characters(exclude_categories=("Cs", "Cc"), include_characters="\n")
PROBLEM_CORE = "Support agents spend 25 minutes per ticket searching three wikis"


def accepted(key: str):
    return lambda value: validator_message(key, value) == ""


def free_text(key: str) -> st.SearchStrategy[str]:
    alphabet = SEVERAL_LINES if key in MULTI_LINE_KEYS else ONE_LINE
    text = st.text(alphabet, max_size=60 if key == "project_name" else 120)
    if key == "problem_statement":  # random text seldom has 8 words: wrap a core that does
        text = st.tuples(text, text).map(lambda parts: f"{parts[0]} {PROBLEM_CORE} {parts[1]}")
    return text.filter(accepted(key))


@settings(
    max_examples=15,
    deadline=None,
    database=None,
    # Every example renders a project: shrinking a failure could take many minutes,
    # so the first failing answers are reported as found.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(answers=st.fixed_dictionaries({key: free_text(key) for key in FREE_TEXT_KEYS}))
def test_any_accepted_free_text_renders_a_parseable_project(tmp_path: Path, answers: dict[str, str]) -> None:
    # A fixed slug and package, so names without ASCII letters stay valid.
    data = {**MINIMAL_ANSWERS, **answers, "project_slug": "fuzzed-answers", "package_name": "fuzzed_answers"}
    project = render(Path(tempfile.mkdtemp(dir=tmp_path)) / "project", data)
    assert_project_parses(project, data)
