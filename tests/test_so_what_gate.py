"""The "So What?" gate refuses each kind of technology mandate, counts words exactly and
knows the calendar.

Each mandate statement below is written so that exactly one kind of mandate shows in it:
when the gate stops recognising one kind, that statement's test fails on its own. The
checks run the interview's validators directly (no rendering), so they are fast.
"""

from __future__ import annotations

import pytest
from conftest import validator_message

MANDATE = "reads like a mandate"

MANDATES = {
    "a strategy instead of a problem": "The board asked every department to present an AI strategy by next quarter.",
    "a technology to use": "Leadership would like support to start leveraging machine learning in its daily work.",
    "a tool somebody wants": "Our sales organisation needs a copilot before the end of the financial year.",
    "a bot to build": "The plan is to build an assistant for the helpdesk team within six months.",
    "a chatbot for its own sake": "We should launch a chatbot because it looks modern on the website today.",
    "what competitors did": "Our biggest competitor launched a virtual agent last month and management is nervous.",
    "a slogan": "The company is becoming AI-first and every team must show a project this year.",
    "what everyone else does": "Everybody else is doing generative projects so our department should start one too.",
}

# Problems that mention the technology, or words the mandates use, in a real problem.
REAL_PROBLEMS = [
    "Tier-1 agents spend 25 minutes per ticket searching three wikis for answers that already exist.",
    "Analysts need two days to find the clause that applies, so deals wait and lawyers bill extra hours.",
    "Engineers use the old runbook wiki during incidents and lose 40 minutes finding the right page.",
    "New hires want answers about expenses at once but wait three days for HR to reply by email.",
]


@pytest.mark.parametrize("statement", MANDATES.values(), ids=list(MANDATES))
def test_each_kind_of_mandate_is_refused(statement: str) -> None:
    message = validator_message("problem_statement", statement)

    assert MANDATE in message
    assert message.startswith("problem_statement")
    assert "who hurts today" in message


@pytest.mark.parametrize("statement", REAL_PROBLEMS)
def test_real_problems_pass_the_gate(statement: str) -> None:
    assert validator_message("problem_statement", statement) == ""


def test_eight_words_is_the_shortest_problem_statement() -> None:
    seven = "Agents search three wikis for every ticket."
    eight = "Agents search three wikis for every ticket today."

    assert "has 7 words: describe in at least 8 words" in validator_message("problem_statement", seven)
    assert validator_message("problem_statement", eight) == ""


@pytest.mark.parametrize(
    ("date", "real"),
    [
        ("2028-02-29", True),  # divisible by 4
        ("2000-02-29", True),  # divisible by 400
        ("2027-02-29", False),  # not divisible by 4
        ("2100-02-29", False),  # divisible by 100, not by 400
        ("2027-02-28", True),
        ("2027-04-31", False),
        ("2027-12-31", True),
        ("2027-00-10", False),
        ("2027-01-00", False),
    ],
)
def test_review_date_follows_the_calendar(date: str, real: bool) -> None:
    message = validator_message("review_date", date)

    assert (message == "") is real, message
    if not real:
        assert message.startswith("review_date") and "is not a day of the calendar" in message
