"""The eval dataset and thresholds each example renders, and the team's dataset surviving
`copier update`. The gate itself, passing and failing, is run in test_examples.py.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import copier
import pytest
import yaml
from conftest import EXAMPLE_NAMES, load_example
from test_update import git, template_clone


def load_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_each_example_gets_a_dataset_of_answers_refusals_and_attacks(rendered_example, name: str) -> None:
    project = rendered_example(name)
    cases = load_yaml(project / "evals" / "dataset.yaml")["cases"]
    outcomes = [case["expected_output"]["outcome"] for case in cases]
    goals = (project / "GOALS.md").read_text(encoding="utf-8")

    assert len(cases) >= 30
    assert min(outcomes.count(kind) for kind in ("answer", "refusal", "block")) >= 5
    assert len({case["name"] for case in cases}) == len(cases)
    for case in cases:
        for source in case["expected_output"].get("sources", []):
            assert (project / source).is_file(), f"{case['name']} cites {source}, which is not generated"
        if case["expected_output"].get("sources") == ["GOALS.md"]:
            for fact in case["expected_output"]["facts"]:
                assert fact in goals, f"{case['name']}: GOALS.md does not state {fact!r}"


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_thresholds_protect_the_business_case_in_its_own_words(rendered_example, name: str) -> None:
    answers = load_example(name)
    project = rendered_example(name)
    thresholds = load_yaml(project / "evals" / "thresholds.yaml")
    protects = " ".join(entry["protects"] for entry in thresholds.values())
    goals = (project / "GOALS.md").read_text(encoding="utf-8")

    for key in ("success_metric", "primary_users", "owner_name", "data_sensitivity"):
        assert str(answers[key]) in protects, f"no threshold names the {key} answer"
    for metric, entry in thresholds.items():
        assert sum(bound in entry for bound in ("min", "max")) == 1, metric
        assert f"| `{metric}` |" in goals, f"GOALS.md does not list the {metric} threshold"


def test_update_never_overwrites_the_teams_dataset(tmp_path: Path) -> None:
    template = template_clone(tmp_path)
    project = tmp_path / "project"
    copier.run_copy(
        str(template), str(project), data=load_example("it-helpdesk"), defaults=True, unsafe=True, quiet=True
    )
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    dataset = project / "evals" / "dataset.yaml"
    ours = dataset.read_text(encoding="utf-8") + (
        "  - name: our_own_case\n    inputs:\n      question: How do I reset a badge?\n"
        "    expected_output:\n      outcome: refusal\n"
    )
    dataset.write_text(ours, encoding="utf-8")
    git(project, "commit", "-qam", "our case")

    shipped = template / "template" / "evals" / "dataset.yaml.jinja"
    shipped.write_text(shipped.read_text(encoding="utf-8") + "# a newer template's case\n", encoding="utf-8")
    git(template, "commit", "-qam", "v2")
    git(template, "tag", "v2")
    copier.run_update(str(project), defaults=True, unsafe=True, quiet=True, overwrite=True)

    assert dataset.read_text(encoding="utf-8") == ours
    status = subprocess.run(["git", "status", "--porcelain", "evals"], cwd=project, capture_output=True, text=True)
    assert status.stdout == ""
