"""The figures of one eval run, aggregated from the per-case scores.

A figure is None when it could not be measured; `skipped` then says why (no real model to
judge faithfulness, a model without a public price). A figure with no case to measure it
is not skipped: the dataset lacks those cases, and the gate says so.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic_evals.reporting import ReportCase

from .dataset import Expected
from .run import EvalRun

# Every figure, in the order reports show them.
METRICS = (
    "fact_recall",
    "citation_precision",
    "citation_recall",
    "retrieval_recall_at_k",
    "retrieval_mrr",
    "correct_refusal",
    "guardrail_block_rate",
    "confidence_calibration",
    "latency_p50_ms",
    "latency_p95_ms",
    "cost_per_answer_usd",
    "faithfulness",
)


@dataclass(frozen=True)
class Measurement:
    name: str
    value: float | None
    detail: str
    skipped: str = ""


def measure(run: EvalRun, review_threshold: float) -> list[Measurement]:
    cases = run.report.cases
    answerable = [case for case in cases if _expected(case).outcome == "answer"]
    reached = [case for case in cases if not _observed(case).blocked]
    return [
        _mean("fact_recall", _scores(cases, "fact_recall"), "answerable cases"),
        _mean("citation_precision", _scores(cases, "citation_precision"), "answers with citations"),
        _mean(
            "citation_recall", _scores(cases, "citation_recall"), "answers with expected sources"
        ),
        _mean(
            "retrieval_recall_at_k",
            _scores(cases, "retrieval_recall"),
            f"cases with expected sources, k = {run.top_k}",
        ),
        _mean("retrieval_mrr", _scores(cases, "reciprocal_rank"), "cases with expected sources"),
        _mean(
            "correct_refusal", _scores(cases, "refused"), "questions the documents cannot answer"
        ),
        _mean("guardrail_block_rate", _scores(cases, "blocked"), "attacks"),
        _calibration(answerable, review_threshold),
        _latency("latency_p50_ms", reached, 50),
        _latency("latency_p95_ms", reached, 95),
        _cost(reached),
        _faithfulness(cases, run.judged),
    ]


def case_passed(case: ReportCase[Any, Any, Any]) -> bool:
    """Every score of the case is perfect (a refusal refused, an attack blocked, ...)."""
    return all(result.value == 1 for result in case.scores.values())


def _expected(case: ReportCase[Any, Any, Any]) -> Expected:
    assert isinstance(case.expected_output, Expected)
    return case.expected_output


def _observed(case: ReportCase[Any, Any, Any]) -> Any:
    return case.output


def _scores(cases: Iterable[ReportCase[Any, Any, Any]], name: str) -> list[float]:
    return [float(case.scores[name].value) for case in cases if name in case.scores]


def _mean(name: str, values: list[float], over: str) -> Measurement:
    if not values:
        return Measurement(name, None, f"no {over} in the dataset")
    return Measurement(name, round(sum(values) / len(values), 4), f"{len(values)} {over}")


def _calibration(answerable: list[ReportCase[Any, Any, Any]], threshold: float) -> Measurement:
    """1 - Brier score of confidence against whether the answer was right.

    Confident answers must be right and doubtful ones may be wrong: then the review
    threshold sends the right answers to people.
    """
    if not answerable:
        return Measurement("confidence_calibration", None, "no answerable cases in the dataset")
    pairs = [(float(_observed(case).confidence), case_passed(case)) for case in answerable]
    brier = sum((confidence - float(passed)) ** 2 for confidence, passed in pairs) / len(pairs)
    low = [passed for confidence, passed in pairs if confidence < threshold]
    high = [passed for confidence, passed in pairs if confidence >= threshold]
    detail = (
        f"wrong below the review threshold {threshold}: {_share_wrong(low)}; "
        f"at or above it: {_share_wrong(high)}"
    )
    return Measurement("confidence_calibration", round(1 - brier, 4), detail)


def _share_wrong(passed: list[bool]) -> str:
    return f"{passed.count(False)} of {len(passed)}" if passed else "no answers"


def _latency(name: str, cases: list[ReportCase[Any, Any, Any]], percent: int) -> Measurement:
    latencies = sorted(float(_observed(case).latency_ms) for case in cases)
    if not latencies:
        return Measurement(name, None, "no case reached the pipeline")
    # Nearest rank: the smallest value with at least `percent`% of the values at or below it.
    rank = max(1, math.ceil(percent / 100 * len(latencies)))
    return Measurement(name, round(latencies[rank - 1], 1), f"{len(latencies)} answers")


def _cost(cases: list[ReportCase[Any, Any, Any]]) -> Measurement:
    costs = [_observed(case).cost_usd for case in cases]
    if not costs:
        return Measurement("cost_per_answer_usd", None, "no case reached the pipeline")
    unknown = sorted({_observed(case).model for case in cases if _observed(case).cost_usd is None})
    if unknown:
        return Measurement(
            "cost_per_answer_usd",
            None,
            f"{len(costs)} answers",
            skipped=f"no public price for {', '.join(unknown)}",
        )
    return Measurement(
        "cost_per_answer_usd", round(sum(costs) / len(costs), 6), f"{len(costs)} answers"
    )


def _faithfulness(cases: list[ReportCase[Any, Any, Any]], judged: bool) -> Measurement:
    if not judged:
        return Measurement(
            "faithfulness",
            None,
            "LLM judge",
            skipped="the offline model has no judge: run with --provider set to a real one",
        )
    measured = _mean("faithfulness", _scores(cases, "faithfulness"), "answers judged")
    errors = [
        failure.error_message
        for case in cases
        for failure in case.evaluator_failures
        if failure.name == "Faithfulness"
    ]
    if not errors:
        return measured
    # A judge that could not answer is a failure to measure, never a pass.
    detail = f"{measured.detail}; the judge failed on {len(errors)} answers: {errors[0][:200]}"
    return Measurement("faithfulness", None, detail)
