"""The interview as a person lives it: `copier copy` in a real pseudo-terminal, one
question at a time, wrong answers refused with the validator's message, then corrected.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pexpect
import pytest
import yaml
from conftest import REPO, clean_env, read_answers

pytestmark = pytest.mark.slow

ENTER = "\r"
SUBMIT_MULTILINE = "\x1b\r"  # Esc then Enter ends a multi-line answer in copier's prompt
PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"  # a terminal's bracketed paste
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Interview:
    """A `copier copy` session answered like a person at a terminal."""

    def __init__(self, destination: Path) -> None:
        command = ["-m", "copier", "copy", "--trust", "--skip-tasks", "--vcs-ref", "HEAD", str(REPO), str(destination)]
        self.child = pexpect.spawn(
            sys.executable,
            command,
            cwd=str(destination.parent),
            # pexpect is no terminal that answers prompt_toolkit's cursor-position request:
            # without this each question would wait a second for the reply.
            env={**clean_env(), "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"},
            encoding="utf-8",
            dimensions=(50, 250),
            timeout=60,
        )

    def question(self, help_text: str) -> str:
        """Wait for the question whose help starts with help_text; the screen up to it."""
        self.child.expect_exact(help_text)
        return ANSI.sub("", self.child.before or "")

    def prompt_line(self) -> str:
        """What the prompt shows after the question (its pre-filled default), without colours."""
        self.child.expect(pexpect.TIMEOUT, timeout=1)  # let the prompt draw itself
        return ANSI.sub("", self.child.before or "")

    def answer(self, text: str, submit: str = ENTER) -> None:
        if text:  # pasted, as a person pastes a prepared answer: one edit, one validation
            self.child.send(f"{PASTE_START}{text}{PASTE_END}")
        self.child.send(submit)

    def refused_with(self, message: str) -> None:
        self.child.expect_exact(message)

    def clear(self) -> None:
        self.child.send("\x15")  # Ctrl-U: delete the pre-filled default

    def close(self) -> None:
        self.child.close(force=True)


def test_a_person_answers_the_interview_and_corrects_wrong_answers(tmp_path: Path) -> None:
    project = tmp_path / "project"
    interview = Interview(project)
    try:
        interview.question("Project name")
        interview.answer("")
        interview.refused_with('project_name is required: type the service\'s name, e.g. "Support Answers".')
        interview.answer("Support Answers")
        interview.question("Project slug")
        interview.answer("")  # accept the derived slug
        interview.question("Python package name")
        interview.answer("")
        interview.question("One-line description")
        interview.answer("")
        interview.question("Owner:")
        interview.answer("Support Operations")
        interview.question("Owner's email")
        interview.answer("support-ops")
        interview.refused_with('owner_email "support-ops" does not look like an email address')
        interview.clear()
        interview.answer("support-ops@example.com")

        interview.question("The problem")
        interview.answer("Agents search wikis.", SUBMIT_MULTILINE)
        interview.refused_with("problem_statement has 3 words: describe in at least 8 words")
        interview.answer(" Tier-1 agents spend 25 minutes per ticket on it.", SUBMIT_MULTILINE)
        interview.question("Primary users")
        interview.answer("tier-1 support agents")
        interview.question("Success metric")
        interview.answer("average handling time per ticket")
        interview.question("Unit of the metric")
        interview.answer("minutes")
        interview.question("Baseline")
        interview.answer("25")
        interview.question("Target")
        interview.answer("25")
        interview.refused_with("target_value equals baseline_value (25.0): a target that changes nothing is not a goal")
        interview.clear()
        interview.answer("15")
        interview.question("Annual value in USD")
        interview.answer("540000")
        interview.question("How you computed that value")
        interview.answer("10 minutes saved x 72,000 tickets a year x $45 an hour.", SUBMIT_MULTILINE)
        interview.question("Review date")
        interview.answer("2027-02-30")
        interview.refused_with('review_date "2027-02-30" is not a day of the calendar')
        interview.clear()
        interview.answer("2027-06-30")
        interview.question("The one-sentence answer")
        interview.answer("")  # the composed sentence

        interview.question("Review threshold")
        shown = interview.prompt_line()
        assert "0.5" in shown and "..." not in shown, f"a number shows as YAML: {shown!r}"
        interview.answer("")
        for help_text in [
            "Include a web page",
            "Where the service's knowledge",
            "How sensitive",
            "Where the search index",
        ]:
            interview.question(help_text)
            interview.answer("")
        interview.question("LLM provider")
        interview.answer("")  # OpenAI
        interview.question("Model name")
        interview.answer("")
        interview.question("Fallback provider")
        interview.answer("")
        interview.question("Monthly LLM budget")
        shown = interview.prompt_line()
        assert "500" in shown and "..." not in shown, f"a number shows as YAML: {shown!r}"
        interview.clear()
        interview.answer("-5")
        interview.refused_with('monthly_budget_usd "-5" must be a whole number of US dollars, 0 or more')
        interview.clear()
        interview.answer("800")
        for help_text in ["Continuous integration", "Deployment target", "Observability", "How callers", "Python for"]:
            interview.question(help_text)
            interview.answer("")
        interview.question("License")
        interview.answer("")
        interview.child.expect(pexpect.EOF, timeout=120)
    finally:
        interview.close()
    assert interview.child.exitstatus == 0, ANSI.sub("", interview.child.before or "")[-3000:]

    answers = read_answers(project)
    assert answers["project_slug"] == "support-answers"
    assert answers["owner_email"] == "support-ops@example.com"
    assert answers["problem_statement"] == "Agents search wikis. Tier-1 agents spend 25 minutes per ticket on it."
    assert (answers["baseline_value"], answers["target_value"]) == (25.0, 15.0)
    assert answers["annual_value_usd"] == 540000
    assert answers["monthly_budget_usd"] == 800
    assert answers["review_date"] == "2027-06-30"
    assert "from 25 minutes to 15 minutes" in answers["so_what"]
    goals = (project / "GOALS.md").read_text(encoding="utf-8")
    assert "The target for average handling time per ticket is 15 minutes" in goals
    assert yaml.safe_load((project / "evals" / "dataset.yaml").read_text(encoding="utf-8"))["cases"]
