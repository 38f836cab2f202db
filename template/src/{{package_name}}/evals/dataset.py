"""The golden dataset, `evals/dataset.yaml`, in pydantic-evals' format.

Each case asks one question and says what must happen: an answer stating the facts and
citing the sources, a refusal ("I don't know") or a block by a guardrail.
"""

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field
from pydantic_evals import Dataset

Outcome = Literal["answer", "refusal", "block"]


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1)


class Expected(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome = "answer"
    facts: list[str] = Field(default=[], description="Text the answer must contain.")
    sources: list[str] = Field(default=[], description="Documents the answer must cite.")


class CaseInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    origin: str = Field(default="", description="Where the case comes from.")
    note: str = ""


GoldenDataset = Dataset[Question, Expected, CaseInfo]


class DatasetError(ValueError):
    """The dataset cannot be used; the message names the file, the case and what to fix."""


def load_dataset(path: Path) -> GoldenDataset:
    if not path.is_file():
        raise DatasetError(f"{path} does not exist: create it, or pass --dataset PATH.")
    try:
        dataset = GoldenDataset.from_file(path)
    except (ValueError, yaml.YAMLError) as error:  # pydantic's ValidationError is a ValueError
        raise DatasetError(f"{path} is not a valid dataset: {error}") from error
    problems = [problem for case in dataset.cases for problem in _case_problems(case)]
    names = [case.name for case in dataset.cases]
    problems += [
        f"case name {name!r} is used twice"
        for name in sorted({name for name in names if names.count(name) > 1 and name})
    ]
    if not dataset.cases:
        problems.append("it has no cases")
    if problems:
        raise DatasetError(f"{path}: " + "; ".join(problems) + ".")
    return dataset


def _case_problems(case: object) -> list[str]:
    name = getattr(case, "name", None) or "(unnamed)"
    expected = getattr(case, "expected_output", None)
    if not isinstance(expected, Expected):
        return [f"case {name!r} has no expected_output: say outcome, facts and sources"]
    if expected.outcome == "answer" and not (expected.facts or expected.sources):
        return [f"case {name!r} expects an answer but lists no facts or sources, so it cannot fail"]
    if expected.outcome != "answer" and (expected.facts or expected.sources):
        return [
            f"case {name!r} expects a {expected.outcome} but lists facts or sources: remove them"
        ]
    return []
