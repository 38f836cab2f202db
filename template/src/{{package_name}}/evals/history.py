"""Earlier runs, one JSON object a line in `evals/history.jsonl`, for trends and changes."""

import json
from pathlib import Path
from typing import Any

from .thresholds import Verdict


def read_history(path: Path) -> list[dict[str, Any]]:
    """Every recorded run, oldest first; a line that does not parse is skipped."""
    if not path.is_file():
        return []
    runs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            run = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(run, dict) and isinstance(run.get("metrics"), dict):
            runs.append(run)
    return runs


def previous_values(runs: list[dict[str, Any]], provider: str, model: str) -> dict[str, Any]:
    """The figures of the last run of the same provider and model."""
    for run in reversed(runs):
        if run.get("provider") == provider and run.get("model") == model:
            return dict(run["metrics"])
    return {}


def append_run(path: Path, record: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as history:
        history.write(json.dumps(record, ensure_ascii=False) + "\n")


def history_record(
    run_at: str, provider: str, model: str, cases: int, verdicts: list[Verdict]
) -> dict[str, Any]:
    return {
        "run_at": run_at,
        "provider": provider,
        "model": model,
        "cases": cases,
        "metrics": {v.name: v.measurement.value for v in verdicts},
        "failed": [v.name for v in verdicts if v.status == "fail"],
    }
