"""The interview refuses bad answers with a message that names the question and says
what to type instead, and accepts the example answer files and a minimal answer set.

Answers go in as copier's ``data`` (never ``user_defaults``): only data is validated.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest
import yaml
from conftest import (
    BUSINESS_KEYS,
    EXAMPLE_NAMES,
    EXAMPLES_DIR,
    IDENTITY_KEYS,
    MINIMAL_ANSWERS,
    REPO,
    REQUIRED_KEYS,
    clean_env,
    describe,
    is_asked,
    jinja_env,
    load_example,
    read_answers,
    render,
    run,
)

TAKEN = "already taken by Python or a dependency"
MANDATE = "reads like a mandate"
NOT_A_NUMBER = "is not a number"
NOT_DOLLARS = "is not a positive whole number of US dollars"
NOT_A_DATE = "is not a date in the form YYYY-MM-DD"
NOT_A_DAY = "is not a day of the calendar: type a real date"
NOT_A_THRESHOLD = "must be a number from 0 to 1"
NOT_A_BUDGET = "must be a whole number of US dollars, 0 or more"
ONE_LINE = "must be one line: remove the line breaks"

# (question, bad answer, guidance the message must contain, other answers it needs)
INVALID: list[tuple[str, Any, str, dict[str, Any]]] = [
    ("project_name", "", "project_name is required", {}),
    ("project_name", "   ", "project_name is required", {}),
    ("project_name", "x" * 61, "61 characters long: keep it to 60 or fewer", {}),
    ("project_name", "Support\nAnswers", ONE_LINE, {}),
    ("project_name", "Support\x00Answers", "contains control characters", {}),
    ("project_slug", "2support-answers", "starting with a letter", {}),
    ("project_slug", "zürich", "use ASCII lowercase letters, digits and single hyphens", {}),
    ("project_slug", "Support-Answers", "use ASCII lowercase letters, digits and single hyphens", {}),
    ("project_slug", "support--answers", "single hyphens", {}),
    ("project_slug", "support-answers-", "single hyphens", {}),
    ("project_slug", "a" * 41, "41 characters long: keep it to 40 or fewer", {}),
    ("package_name", "class", TAKEN, {}),
    ("package_name", "email", TAKEN, {}),
    ("package_name", "json", TAKEN, {}),
    ("package_name", "fastapi", TAKEN, {}),
    ("package_name", "1support", "not starting with a digit", {}),
    ("package_name", "zürich", "use ASCII lowercase letters, digits and underscores", {}),
    ("package_name", "support-answers", "use ASCII lowercase letters, digits and underscores", {}),
    ("description", "One line\nand another", ONE_LINE, {}),
    ("owner_name", "", "owner_name is required", {}),
    ("owner_name", "Support\rOperations", ONE_LINE, {}),
    ("owner_email", "support-ops", "does not look like an email address", {}),
    ("owner_email", "support ops@example.com", "does not look like an email address", {}),
    ("owner_email", "support-ops@example", "does not look like an email address", {}),
    ("problem_statement", "Agents waste time searching wikis.", "has 5 words: describe in at least 8 words", {}),
    ("problem_statement", "", "problem_statement is required", {}),
    ("problem_statement", "We need an AI strategy for the whole company this year", MANDATE, {}),
    ("problem_statement", "Management wants us to use AI in customer support somehow", MANDATE, {}),
    ("problem_statement", "Build a chatbot because our competitors have one already", MANDATE, {}),
    ("primary_users", "", "primary_users is required", {}),
    ("success_metric", "", "success_metric is required", {}),
    ("success_metric", "minutes\nper ticket", ONE_LINE, {}),
    ("metric_unit", "", "metric_unit is required", {}),
    ("metric_unit", "min\nutes", ONE_LINE, {}),
    ("baseline_value", "1e400", NOT_A_NUMBER, {}),
    ("target_value", 25, "target_value equals baseline_value", {"baseline_value": 25}),
    ("target_value", 25.0, "a target that changes nothing is not a goal", {"baseline_value": 25}),
    ("annual_value_usd", 0, NOT_DOLLARS, {}),
    ("annual_value_usd", -5, NOT_DOLLARS, {}),
    ("value_rationale", "", "value_rationale is required", {}),
    ("value_rationale", "10 minutes saved\x1b[31m", "contains control characters", {}),
    ("review_date", "30/06/2027", NOT_A_DATE, {}),
    ("review_date", "2027-13-01", NOT_A_DAY, {}),
    ("review_date", "next year", NOT_A_DATE, {}),
    ("review_date", "2027-02-30", NOT_A_DAY, {}),
    ("review_date", "2027-6-30", NOT_A_DATE, {}),
    ("so_what", "", "so_what is required", {}),
    ("so_what", "It saves time.\nAnd money.", ONE_LINE, {}),
    ("review_threshold", 1.5, NOT_A_THRESHOLD, {}),
    ("review_threshold", -0.1, NOT_A_THRESHOLD, {}),
    ("data_sources", [], "choose at least one of files, web, postgres, s3", {}),
    ("llm_model", "gpt 5 mini", "is not a model name", {}),
    ("llm_model", "", "is not a model name", {}),
    ("fallback_provider", "anthropic", "choose a different provider, or none", {"llm_provider": "anthropic"}),
    ("fallback_provider", "openai", "the same as llm_provider (openai)", {}),
    ("monthly_budget_usd", -1, NOT_A_BUDGET, {}),
]


# Answers copier's int and float types cannot cast: refused before any question, naming it.
NOT_NUMBERS: list[tuple[str, Any, str]] = [
    ("baseline_value", "abc", 'baseline_value "abc" is not a number: type digits only, e.g. 45'),
    ("baseline_value", "12 minutes", 'baseline_value "12 minutes" is not a number'),
    ("baseline_value", True, 'baseline_value "True" is not a number'),
    ("target_value", "n/a", 'target_value "n/a" is not a number: type digits only, e.g. 12'),
    ("annual_value_usd", 12.5, 'annual_value_usd "12.5" is not a whole number: type digits only, e.g. 250000'),
    ("annual_value_usd", "120,000", 'annual_value_usd "120,000" is not a whole number'),
    ("annual_value_usd", "$120000", 'annual_value_usd "$120000" is not a whole number'),
    ("annual_value_usd", True, 'annual_value_usd "True" is not a whole number'),
    ("review_threshold", "high", 'review_threshold "high" is not a number: type digits only, e.g. 0.5'),
    ("baseline_value", "nan", 'baseline_value "nan" is not a number'),
    ("target_value", "-inf", 'target_value "-inf" is not a number'),
    ("monthly_budget_usd", 2.5, 'monthly_budget_usd "2.5" is not a whole number: type digits only, e.g. 500'),
]


@pytest.mark.parametrize(("key", "value", "guidance"), NOT_NUMBERS, ids=[f"{k}={v!r}" for k, v, _ in NOT_NUMBERS])
def test_a_number_question_refuses_text_naming_the_question(
    tmp_path: Path, key: str, value: Any, guidance: str
) -> None:
    dst = tmp_path / "project"
    with pytest.raises(Exception, match=re.escape(guidance)):
        render(dst, {**MINIMAL_ANSWERS, key: value})
    assert not (dst / ".copier-answers.yml").exists(), "a refused interview must not render"


def test_number_questions_are_listed_once_with_their_copier_type() -> None:
    """includes/business_case.jinja checks numbers typed with --data; it must know every one."""
    questions = yaml.safe_load((REPO / "copier.yml").read_text(encoding="utf-8"))
    typed = {
        key: spec["type"]
        for key, spec in questions.items()
        if isinstance(spec, dict) and spec.get("type") in {"int", "float"}
    }
    module = jinja_env().get_template("includes/business_case.jinja").module
    assert typed == module.NUMBER_KEYS
    assert set(module.NUMBER_EXAMPLES) == set(typed)


@pytest.mark.parametrize(
    ("key", "value", "guidance", "context"),
    INVALID,
    ids=[f"{key}={value!r}"[:60] for key, value, _, _ in INVALID],
)
def test_validator_refuses(tmp_path: Path, key: str, value: Any, guidance: str, context: dict[str, Any]) -> None:
    dst = tmp_path / "project"
    prefix = f"Validation error for question '{key}': "
    with pytest.raises(ValueError, match=re.escape(prefix)) as caught:
        render(dst, {**MINIMAL_ANSWERS, **context, key: value})
    message = str(caught.value).split(prefix, 1)[1]
    assert key in message, f"the message does not name {key}: {message}"
    assert guidance in message
    assert not (dst / ".copier-answers.yml").exists(), "a refused interview must not render"


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_validates_and_renders(rendered_example, name: str) -> None:
    example = load_example(name)
    assert set(REQUIRED_KEYS) <= set(example), "an example must answer the whole business case"
    answers = read_answers(rendered_example(name))
    context = {**example, **answers}
    # An answer to a question that is not asked (llm_model for offline) is not recorded.
    expected = {key: value for key, value in example.items() if is_asked(key, context)}
    assert {key: answers.get(key) for key in example} == {key: expected.get(key) for key in example}


def test_minimal_answers_render_with_documented_defaults(tmp_path: Path) -> None:
    answers = read_answers(render(tmp_path / "project", MINIMAL_ANSWERS))
    unrecorded = [key for key in REQUIRED_KEYS if key not in answers]
    assert not unrecorded, f"not in .copier-answers.yml, so `copier update` would ask again: {unrecorded}"
    assert {key: answers[key] for key in MINIMAL_ANSWERS} == MINIMAL_ANSWERS
    assert answers["project_slug"] == "support-answers"
    assert answers["package_name"] == "support_answers"
    assert "tier-1 support agents" in answers["description"]
    assert "\n" not in answers["description"]
    # The composed answer to "So what?": who, which way the metric moves, from, to, by, worth.
    for part in [
        "Support Answers",
        "tier-1 support agents",
        "decrease average handling time per ticket",
        "25 minutes",
        "15 minutes",
        "2027-06-30",
        "$540,000",
    ]:
        assert part in answers["so_what"]
    assert "\n" not in answers["so_what"]
    defaults = {
        "review_threshold": 0.5,
        "include_web_ui": True,
        "data_sources": ["files"],
        "data_sensitivity": "internal",
        "index_backend": "sqlite",
        "llm_provider": "openai",
        "llm_model": "gpt-5-mini",
        "fallback_provider": "none",
        "monthly_budget_usd": 500,
        "ci_provider": "github",
        "deploy_target": "compose",
        "observability": ["prometheus"],
        "auth": "api_key",
        "python_version": "3.12",
        "license": "Proprietary",
    }
    assert {key: answers.get(key) for key in defaults} == defaults


# Answers at the edge of what the validators allow, and numbers typed as text, as
# `copier copy --data KEY=VALUE` passes them.
BOUNDARY_VALID: dict[str, dict[str, Any]] = {
    "longest-names": {"project_name": "N" * 60, "project_slug": "s" * 40, "package_name": "p" * 40},
    "numbers-as-text": {"baseline_value": "25", "target_value": "12.5", "annual_value_usd": "1"},
    "negative-and-fractional-metric": {"baseline_value": -3.25, "target_value": 0, "metric_unit": "%"},
    "threshold-and-budget-bounds": {"review_threshold": 0, "monthly_budget_usd": 0},
    "threshold-one": {"review_threshold": 1, "fallback_provider": "offline"},
    "every-source": {"data_sources": ["files", "web", "postgres", "s3"], "index_backend": "postgres"},
    "offline-provider": {"llm_provider": "offline", "fallback_provider": "none"},
    "model-name-punctuation": {"llm_provider": "bedrock", "llm_model": "global.anthropic.claude:v1/x@y-z"},
    "multi-line-business-case": {
        "problem_statement": "Agents spend 25 minutes per ticket.\nThey search three wikis for answers.",
        "value_rationale": "10 minutes saved\nx 72,000 tickets\nx $45 an hour",
    },
}


@pytest.mark.parametrize("variant", BOUNDARY_VALID)
def test_boundary_answers_are_accepted(tmp_path: Path, variant: str) -> None:
    answers = read_answers(render(tmp_path / "project", {**MINIMAL_ANSWERS, **BOUNDARY_VALID[variant]}))
    assert answers["project_name"] == BOUNDARY_VALID[variant].get("project_name", MINIMAL_ANSWERS["project_name"])


def copier_cli(tmp_path: Path, *args: str):
    """`copier copy --defaults` from this interpreter's copier, as a user would run it."""
    command = [sys.executable, "-m", "copier", "copy", "--defaults", "--trust", "--vcs-ref", "HEAD", *args]
    return run([*command, str(REPO), str(tmp_path / "project")], cwd=tmp_path, timeout=120)


def missing_answers(stderr: str) -> list[str]:
    found = re.search(r"Missing answers: ([a-z_, ]+)\.", stderr)
    assert found, f"no list of missing answers in:\n{stderr[-3000:]}"
    return found.group(1).split(", ")


def test_cli_defaults_without_answers_lists_every_missing_key(tmp_path: Path) -> None:
    result = copier_cli(tmp_path)
    assert result.returncode != 0, describe(result)
    assert missing_answers(result.stderr) == REQUIRED_KEYS
    assert not (tmp_path / "project" / ".copier-answers.yml").exists()


def test_cli_defaults_with_identity_only_lists_the_business_case(tmp_path: Path) -> None:
    identity = [f"--data={key}={MINIMAL_ANSWERS[key]}" for key in IDENTITY_KEYS]
    result = copier_cli(tmp_path, *identity)
    assert result.returncode != 0, describe(result)
    assert missing_answers(result.stderr) == BUSINESS_KEYS


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_cli_renders_an_example_data_file(tmp_path: Path, name: str) -> None:
    result = copier_cli(tmp_path, f"--data-file={EXAMPLES_DIR / f'{name}.yml'}")
    assert result.returncode == 0, describe(result)
    assert read_answers(tmp_path / "project")["project_name"] == load_example(name)["project_name"]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_answer_files_are_complete(tmp_path: Path, name: str) -> None:
    """Without --defaults and with no terminal, a complete answer file leaves nothing to ask."""
    command = [sys.executable, "-m", "copier", "copy", "--trust", "--vcs-ref", "HEAD"]
    command += [f"--data-file={EXAMPLES_DIR / f'{name}.yml'}", str(REPO), str(tmp_path / "project")]
    result = run(command, cwd=tmp_path, timeout=120)  # stdin is /dev/null: no terminal
    assert result.returncode == 0, describe(result)
    assert read_answers(tmp_path / "project")["project_name"] == load_example(name)["project_name"]


def test_interactive_interview_shows_guidance_and_derives_the_slug(tmp_path: Path) -> None:
    """A person at a terminal: an empty name is refused with guidance, then the slug is derived."""
    command = ["-m", "copier", "copy", "--trust", "--vcs-ref", "HEAD", str(REPO), str(tmp_path / "project")]
    child = pexpect.spawn(
        sys.executable,
        command,
        cwd=str(tmp_path),
        env={**clean_env(), "TERM": "xterm"},
        encoding="utf-8",
        dimensions=(40, 200),
        timeout=30,
    )
    try:
        child.expect("Project name")
        child.send("\r")
        child.expect("project_name is required")
        child.send("Zürich Café Bot\r")
        child.expect("Project slug")
        child.expect("zurich-cafe-bot")
        child.sendcontrol("c")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus != 0, "an interrupted interview must not succeed"
    assert not (tmp_path / "project" / ".copier-answers.yml").exists()
