"""The KPI report: what the service did, from its own records, set against GOALS.md.

Usage is not success (GOALS.md says so): the report shows what the usage implies for the
key result under a stated assumption, next to the target and the days left to reach it.
"""

import math
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from html import escape
from typing import Any

from . import about
from .charts import column_chart, page, table
from .feedback import AnswerRecord

# Units in which "baseline minus target" is time a person saves on each question.
TIME_UNITS = frozenset(
    {
        "second",
        "seconds",
        "sec",
        "secs",
        "s",
        "minute",
        "minutes",
        "min",
        "mins",
        "hour",
        "hours",
        "h",
        "hr",
        "hrs",
        "day",
        "days",
    }
)


@dataclass(frozen=True)
class Usage:
    answers: int
    without_review: int
    needing_review: int
    refused: int
    rated: int
    rated_up: int
    cost_usd: float
    cost_unknown: int
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    per_day: dict[str, int]


@dataclass(frozen=True)
class KpiReport:
    since: str
    until: str
    days: float
    usage: Usage
    metric: str
    unit: str
    baseline: float
    target: float
    review_date: str
    days_left: int
    annual_value_usd: int
    value_in_period_usd: float
    implied: str
    assumption: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def build_report(records: list[AnswerRecord], since: datetime | None, now: datetime) -> KpiReport:
    start = since or (records[0].created_at if records else now)
    days = max((now - start) / timedelta(days=1), 1 / 24)
    usage = summarize(records)
    implied, assumption = _implied(usage)
    return KpiReport(
        since=start.isoformat(timespec="seconds"),
        until=now.isoformat(timespec="seconds"),
        days=round(days, 2),
        usage=usage,
        metric=about.SUCCESS_METRIC,
        unit=about.METRIC_UNIT,
        baseline=about.BASELINE_VALUE,
        target=about.TARGET_VALUE,
        review_date=about.REVIEW_DATE,
        days_left=(date.fromisoformat(about.REVIEW_DATE) - now.date()).days,
        annual_value_usd=about.ANNUAL_VALUE_USD,
        value_in_period_usd=round(about.ANNUAL_VALUE_USD * days / 365, 2),
        implied=implied,
        assumption=assumption,
    )


def summarize(records: list[AnswerRecord]) -> Usage:
    latencies = sorted(r.latency_ms for r in records if r.latency_ms is not None)
    per_day: dict[str, int] = {}
    for record in records:
        day = record.created_at.astimezone(UTC).date().isoformat()
        per_day[day] = per_day.get(day, 0) + 1
    return Usage(
        answers=len(records),
        without_review=sum(r.cited and not r.needs_review for r in records),
        needing_review=sum(r.needs_review for r in records),
        refused=sum(not r.cited for r in records),
        rated=sum(r.rating is not None for r in records),
        rated_up=sum(r.rating == "up" for r in records),
        cost_usd=round(sum(r.cost_usd or 0.0 for r in records), 6),
        cost_unknown=sum(r.cost_usd is None for r in records),
        latency_p50_ms=_percentile(latencies, 50),
        latency_p95_ms=_percentile(latencies, 95),
        per_day=per_day,
    )


def _percentile(values: list[float], percent: int) -> float | None:
    if not values:
        return None
    return values[max(1, math.ceil(percent / 100 * len(values))) - 1]


def _implied(usage: Usage) -> tuple[str, str]:
    confident = usage.without_review
    gap = abs(about.BASELINE_VALUE - about.TARGET_VALUE)
    unit = about.METRIC_UNIT
    if unit.strip().lower() in TIME_UNITS:
        return (
            f"{_answers(confident)} needed no review; at {gap:g} {unit} each that is "
            f"{confident * gap:g} {unit} saved",
            f"each cited answer that needed no review saves the {gap:g} {unit} between the "
            f"baseline ({about.BASELINE_VALUE:g}) and the target ({about.TARGET_VALUE:g}), "
            f"as the value rationale assumes: {about.VALUE_RATIONALE}",
        )
    return (
        f"{_answers(confident)} needed no review; {about.SUCCESS_METRIC} is measured in {unit} "
        f"by {about.OWNER_NAME} outside the service",
        f"answers cannot be converted into {unit}; only the measured {about.SUCCESS_METRIC} "
        "counts (GOALS.md, non-goals)",
    )


def _answers(count: int) -> str:
    return f"{count} answer" if count == 1 else f"{count} answers"


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%} ({part} of {whole})" if whole else "n/a (none yet)"


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} ms"


def lines(report: KpiReport) -> list[tuple[str, str]]:
    """The report as (label, value) pairs: the text, and the HTML table, show the same."""
    usage = report.usage
    cost = (f"${usage.cost_usd / usage.answers:.4f}" if usage.answers else "n/a (none yet)") + (
        f" ({usage.cost_unknown} answers of unknown price left out)" if usage.cost_unknown else ""
    )
    days_left = (
        f"{report.days_left} days left"
        if report.days_left >= 0
        else f"{-report.days_left} days overdue: check {report.metric} against the target now"
    )
    return [
        ("Period", f"{report.since} to {report.until} ({report.days:g} days)"),
        ("Answers served", str(usage.answers)),
        ("Needing review", _share(usage.needing_review, usage.answers)),
        ("Refused (said it does not know)", _share(usage.refused, usage.answers)),
        ("Thumbs-up rate", _share(usage.rated_up, usage.rated)),
        ("Cost per answer", cost),
        ("Latency p50 / p95", f"{_ms(usage.latency_p50_ms)} / {_ms(usage.latency_p95_ms)}"),
        ("Key result", report.metric),
        ("Baseline -> target", f"{report.baseline:g} -> {report.target:g} {report.unit}"),
        ("Review date", f"{report.review_date} ({days_left})"),
        ("Annual value at target", f"${report.annual_value_usd:,}"),
        (
            "Value at target for this period",
            f"${report.value_in_period_usd:,.2f} against ${usage.cost_usd:,.2f} of model cost",
        ),
        ("What the usage implies", report.implied),
        ("Assumption", report.assumption),
    ]


def render_text(report: KpiReport) -> str:
    width = max(len(label) for label, _ in lines(report))
    return "\n".join(f"{label:<{width}}  {value}" for label, value in lines(report))


def render_html(report: KpiReport) -> str:
    usage = report.usage
    days = sorted(usage.per_day)
    rows = [[escape(label), escape(value)] for label, value in lines(report)]
    charts = column_chart("Answers a day", days, [float(usage.per_day[d]) for d in days])
    outcome = column_chart(
        "Answers by outcome",
        ["no review needed", "needing review", "refused"],
        [float(usage.without_review), float(usage.needing_review), float(usage.refused)],
        width=320,
    )
    body = (
        table(["", ""], rows, numeric=set())
        + f'<div class="charts"><figure>{charts}</figure><figure>{outcome}</figure></div>'
        + '<p class="note">From the service\'s own records of answers and feedback. '
        "Usage is not success: only the measured key result counts.</p>"
    )
    return page(f"{about.NAME}: KPI report", body)
