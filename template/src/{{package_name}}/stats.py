"""Counts and rates over time, for the KPI dashboard: one row a day (UTC) from the
service's own records, with the business case from GOALS.md to draw against them."""

from datetime import UTC, date, datetime, timedelta

from pydantic import BaseModel, Field

from . import about
from .feedback import AnswerRecord
from .kpi import summarize


class DayStats(BaseModel):
    day: date
    answers: int
    needing_review: int
    needing_review_share: float | None
    refused: int
    rated: int
    thumbs_up_rate: float | None = Field(description="Up votes over all votes; None unrated.")
    cost_usd: float
    latency_p50_ms: float | None
    latency_p95_ms: float | None


class Goals(BaseModel):
    """GOALS.md: the key result the service is measured against, and when."""

    metric: str
    unit: str
    baseline: float
    target: float
    review_date: date
    annual_value_usd: int


class Stats(BaseModel):
    since: date
    until: date
    days: list[DayStats]
    goals: Goals
    review_threshold: float
    monthly_budget_usd: float = Field(description="0 means no budget.")


def build_stats(
    records: list[AnswerRecord],
    since: date,
    until: date,
    review_threshold: float,
    monthly_budget_usd: float,
) -> Stats:
    by_day: dict[date, list[AnswerRecord]] = {}
    for record in records:
        by_day.setdefault(record.created_at.astimezone(UTC).date(), []).append(record)
    days = []
    day = since
    while day <= until:  # every day, so a quiet day shows as zero, not as a gap
        usage = summarize(by_day.get(day, []))
        days.append(
            DayStats(
                day=day,
                answers=usage.answers,
                needing_review=usage.needing_review,
                needing_review_share=_ratio(usage.needing_review, usage.answers),
                refused=usage.refused,
                rated=usage.rated,
                thumbs_up_rate=_ratio(usage.rated_up, usage.rated),
                cost_usd=usage.cost_usd,
                latency_p50_ms=usage.latency_p50_ms,
                latency_p95_ms=usage.latency_p95_ms,
            )
        )
        day += timedelta(days=1)
    return Stats(
        since=since,
        until=until,
        days=days,
        goals=Goals(
            metric=about.SUCCESS_METRIC,
            unit=about.METRIC_UNIT,
            baseline=about.BASELINE_VALUE,
            target=about.TARGET_VALUE,
            review_date=date.fromisoformat(about.REVIEW_DATE),
            annual_value_usd=about.ANNUAL_VALUE_USD,
        ),
        review_threshold=review_threshold,
        monthly_budget_usd=monthly_budget_usd,
    )


def window(days: int, now: datetime) -> tuple[datetime, date, date]:
    """The first moment, first day and last day of the last `days` days (UTC)."""
    until = now.astimezone(UTC).date()
    since = until - timedelta(days=days - 1)
    return datetime(since.year, since.month, since.day, tzinfo=UTC), since, until


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
