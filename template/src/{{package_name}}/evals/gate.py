"""The eval gate: run the dataset, judge every figure against its threshold, write the
reports and the history line. The CLI prints the result and exits 1 when anything failed.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import about
from ..settings import Settings
from .dataset import load_dataset
from .history import append_run, history_record, previous_values, read_history
from .metrics import measure
from .report_files import report_html, report_json
from .run import run_eval
from .thresholds import Verdict, failures, judge, load_thresholds


@dataclass(frozen=True)
class EvalPaths:
    dataset: Path = Path("evals/dataset.yaml")
    thresholds: Path = Path("evals/thresholds.yaml")
    reports: Path = Path("evals/reports")
    history: Path = Path("evals/history.jsonl")


@dataclass(frozen=True)
class GateResult:
    verdicts: list[Verdict]
    report: dict[str, Any]
    json_path: Path
    html_path: Path

    @property
    def failed(self) -> list[Verdict]:
        return failures(self.verdicts)


def run_gate(
    settings: Settings,
    paths: EvalPaths,
    on_start: Callable[[int], None] | None = None,
    on_case: Callable[[], None] | None = None,
) -> GateResult:
    """Raises DatasetError, ThresholdsError or ProviderConfigError before running anything."""
    dataset = load_dataset(paths.dataset)
    thresholds = load_thresholds(paths.thresholds)
    if on_start:
        on_start(len(dataset.cases))
    run = run_eval(settings, dataset, on_case)
    history = read_history(paths.history)
    verdicts = judge(
        measure(run, settings.review_threshold),
        thresholds,
        previous_values(history, run.provider, run.model),
    )
    now = datetime.now(UTC)
    run_at = now.isoformat(timespec="seconds")
    report = report_json(run, run_at, verdicts, str(paths.dataset))
    paths.reports.mkdir(parents=True, exist_ok=True)
    stem = f"eval-{now:%Y%m%d-%H%M%S}-{now.microsecond // 1000:03d}-{run.provider}"
    json_path = paths.reports / f"{stem}.json"
    html_path = paths.reports / f"{stem}.html"
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    title = f"{about.NAME}: evaluation"
    html_path.write_text(report_html(report, history, title), encoding="utf-8")
    append_run(
        paths.history,
        history_record(run_at, run.provider, run.model, len(run.report.cases), verdicts),
    )
    return GateResult(verdicts, report, json_path, html_path)
