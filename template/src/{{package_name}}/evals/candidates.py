"""From feedback to eval cases: answers rated down with a correction, and corrections a
reviewer approved or wrote (POST /v1/review), become candidate cases in
`evals/candidates.yaml`; a rejected item does not. A person edits them (the facts to check,
the source to cite) and accepts them into the dataset.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..feedback import FeedbackStore
from ..review import reviewed_correction
from ..review_store import ReviewStore
from .dataset import DatasetError, load_dataset

_HEADER = """\
# Candidate eval cases from answers rated down with a correction (POST /v1/feedback).
# For each: keep in `facts` only the words the right answer must contain, add the document
# that should be cited to `sources`, then run `eval accept NAME` (or delete the case).
"""


@dataclass(frozen=True)
class ImportResult:
    added: list[str]
    already_known: int


def import_feedback(
    store: FeedbackStore, dataset: Path, candidates: Path, reviews: ReviewStore | None = None
) -> ImportResult:
    decisions = reviews.latest() if reviews is not None else {}
    known_questions = {case.inputs.question for case in load_dataset(dataset).cases}
    pending = _read_candidates(candidates)
    known_questions |= {case["inputs"]["question"] for case in pending}
    added: list[str] = []
    already_known = 0
    for record in store.answer_records():
        decision = decisions.get(record.request_id)
        correction = reviewed_correction(record, decision)
        if correction is None:
            continue
        if record.question in known_questions:
            already_known += 1
            continue
        known_questions.add(record.question)
        name = "feedback_" + hashlib.sha256(record.question.encode()).hexdigest()[:10]
        pending.append(
            {
                "name": name,
                "inputs": {"question": record.question},
                "metadata": {
                    "origin": f"feedback on {record.request_id}"
                    + (f", {decision.action} by {decision.reviewer}" if decision else ""),
                    "note": f"The service answered: {record.answer}",
                },
                "expected_output": {
                    "outcome": "answer",
                    "facts": [correction],
                    "sources": [],
                },
            }
        )
        added.append(name)
    if added:
        _write_candidates(candidates, pending)
    return ImportResult(added, already_known)


def accept(names: list[str], candidates: Path, dataset: Path) -> list[str]:
    """Move the named candidates (all when `names` is empty) to the end of the dataset."""
    pending = _read_candidates(candidates)
    chosen = [case for case in pending if not names or case["name"] in names]
    unknown = sorted(set(names) - {case["name"] for case in pending})
    if unknown:
        raise DatasetError(f"{candidates} has no case named {', '.join(unknown)}.")
    if not chosen:
        return []
    original = dataset.read_text(encoding="utf-8")
    # Appended as text, so the dataset's comments and layout stay as the team wrote them.
    addition = yaml.safe_dump(chosen, allow_unicode=True, sort_keys=False, width=100)
    indented = "".join(f"  {line}" if line.strip() else line for line in addition.splitlines(True))
    dataset.write_text(original.rstrip("\n") + "\n" + indented, encoding="utf-8")
    try:
        load_dataset(dataset)
    except DatasetError:
        dataset.write_text(original, encoding="utf-8")
        raise
    _write_candidates(candidates, [case for case in pending if case not in chosen])
    return [case["name"] for case in chosen]


def _read_candidates(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    cases = loaded.get("cases") or [] if isinstance(loaded, dict) else []
    return [case for case in cases if isinstance(case, dict) and "name" in case]


def _write_candidates(path: Path, cases: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = yaml.safe_dump({"cases": cases}, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(_HEADER + body, encoding="utf-8")
