"""The eval's reports under `evals/reports/`: JSON for machines, HTML for people."""

from html import escape
from typing import Any

from ..charts import Bar, line_chart, page, table, threshold_bars
from .metrics import case_passed
from .run import EvalRun
from .thresholds import Verdict


def report_json(run: EvalRun, run_at: str, verdicts: list[Verdict], dataset: str) -> dict[str, Any]:
    return {
        "run_at": run_at,
        "dataset": dataset,
        "provider": run.provider,
        "model": run.model,
        "seconds": run.seconds,
        "passed": not any(v.status == "fail" for v in verdicts),
        "metrics": [
            {
                "name": v.name,
                "value": v.measurement.value,
                "threshold": v.threshold.describe() if v.threshold else None,
                "protects": v.threshold.protects if v.threshold else None,
                "status": v.status,
                "change": v.change,
                "detail": v.measurement.detail,
                "skipped": v.measurement.skipped or None,
            }
            for v in verdicts
        ],
        "cases": [
            {
                "name": case.name,
                "question": case.inputs.question,
                "origin": case.metadata.origin if case.metadata else "",
                "expected": case.expected_output.model_dump() if case.expected_output else None,
                "observed": case.output.model_dump(),
                "passed": case_passed(case),
                "scores": {
                    name: {"value": result.value, "reason": result.reason}
                    for name, result in case.scores.items()
                },
            }
            for case in sorted(run.report.cases, key=lambda case: case.name)
        ]
        + [
            {"name": failure.name, "error": failure.error_message, "passed": False}
            for failure in run.report.failures
        ],
    }


def report_html(report: dict[str, Any], history: list[dict[str, Any]], title: str) -> str:
    metrics = report["metrics"]
    verdict_word = "passed" if report["passed"] else "FAILED"
    summary = (
        f"<p>Run {escape(report['run_at'])} with {escape(report['provider'])} "
        f"({escape(report['model'])}), {len(report['cases'])} cases in {report['seconds']} s: "
        f'<span class="{"pass" if report["passed"] else "fail"}">{verdict_word}</span>.</p>'
    )
    rows = [
        [
            escape(m["name"]),
            _number(m["value"]),
            escape(m["threshold"] or "-"),
            f'<span class="{m["status"].split()[0]}">{escape(m["status"])}</span>',
            _number(m["change"], signed=True),
            escape(m["skipped"] or m["detail"]),
            escape(m["protects"] or ""),
        ]
        for m in metrics
    ]
    bars = threshold_bars(
        [
            Bar(
                m["name"],
                m["value"],
                _bound(m["threshold"]),
                None if m["status"] in ("skipped", "not gated") else m["status"] == "pass",
            )
            for m in metrics
        ]
    )
    runs = [*history, {"metrics": {m["name"]: m["value"] for m in metrics}}]
    trends = "".join(
        "<figure>"
        + line_chart(
            m["name"], [run["metrics"].get(m["name"]) for run in runs], _bound(m["threshold"])
        )
        + "</figure>"
        for m in metrics
        if m["status"] != "skipped"
    )
    case_rows = [
        [
            escape(case["name"]),
            '<span class="pass">pass</span>'
            if case["passed"]
            else '<span class="fail">fail</span>',
            escape(case.get("question", "")),
            escape(
                "; ".join(
                    f"{name}: {score['reason']}"
                    for name, score in case.get("scores", {}).items()
                    if score["value"] != 1
                )
                or case.get("error", "")
            ),
        ]
        for case in report["cases"]
    ]
    body = (
        summary
        + "<h2>Figures against thresholds</h2>"
        + table(
            ["metric", "value", "threshold", "status", "change", "measured over", "protects"],
            rows,
            numeric={1, 4},
        )
        + f"<figure>{bars}</figure>"
        + f'<h2>Trend over {len(runs)} runs</h2><div class="charts">{trends}</div>'
        + "<h2>Cases</h2>"
        + table(["case", "result", "question", "what fell short"], case_rows, numeric=set())
    )
    return page(title, body)


def _bound(threshold: str | None) -> float | None:
    return float(threshold.split()[-1]) if threshold else None


def _number(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+g}" if signed else f"{value:g}"
