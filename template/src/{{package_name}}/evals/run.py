"""Run the golden dataset through the real pipeline, in a scratch state directory.

The documents are ingested afresh, so the eval measures what is in `data/` and
`GOALS.md` now, and its answers never mix with the service's own records.
"""

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import anyio
from pydantic_evals import Dataset
from pydantic_evals.reporting import EvaluationReport

from ..errors import GuardrailRefusal, PayloadTooLarge, ServiceError
from ..ingest import ingest
from ..llm.providers import build_models
from ..services import Services, build_services
from ..settings import Settings
from .dataset import CaseInfo, GoldenDataset, Question
from .evaluators import DETERMINISTIC, Faithfulness, Observed

# Cases answered at once: enough to overlap a hosted model's waiting, few enough for 2 cores.
CONCURRENCY = 4


@dataclass(frozen=True)
class EvalRun:
    provider: str
    model: str
    report: EvaluationReport[Question, Any, CaseInfo]
    judged: bool
    top_k: int
    seconds: float


def run_eval(
    settings: Settings, dataset: GoldenDataset, on_case: Callable[[], None] | None = None
) -> EvalRun:
    """Raises ProviderConfigError when the provider under evaluation cannot start."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="eval-") as state_dir:
        scratch = settings.model_copy(update={"state_dir": Path(state_dir)})
        services = build_services(scratch)
        ingest(scratch, services.index)
        judged = scratch.llm_provider != "offline"
        evaluators = list(DETERMINISTIC)
        if judged:
            evaluators.append(Faithfulness(model=build_models(scratch).model))
        # Expected and Observed differ, which pydantic-evals' single output type cannot say.
        runnable = cast("Dataset[Question, Any, CaseInfo]", dataset.model_copy())
        runnable.evaluators = evaluators

        async def answer(question: Question) -> Observed:
            try:
                return await observe(services, question.question)
            finally:
                if on_case:
                    on_case()

        report = runnable.evaluate_sync(
            answer, name="golden", max_concurrency=CONCURRENCY, progress=False
        )
    return EvalRun(
        provider=scratch.llm_provider,
        model=services.pipeline.generator.model_name,
        report=report,
        judged=judged,
        top_k=scratch.top_k,
        seconds=round(time.perf_counter() - started, 3),
    )


async def observe(services: Services, question: str) -> Observed:
    """Ask the pipeline, and note what retrieval ranked and what a guardrail refused."""
    started = time.perf_counter()
    try:
        answer = await services.pipeline.ask(question)
    except (GuardrailRefusal, PayloadTooLarge) as refusal:
        latency = (time.perf_counter() - started) * 1000
        return Observed(blocked=refusal.code, latency_ms=latency, cost_usd=0.0)
    except ServiceError as error:
        # A provider that fails a case fails that case; it is not left out of the figures.
        answer, failure = None, f"{error.code}: {error.message}"
    latency = (time.perf_counter() - started) * 1000
    passages = await anyio.to_thread.run_sync(
        services.index.search, question.strip(), services.settings.top_k
    )
    retrieved = [passage.chunk.source for passage in passages]
    if answer is None:
        return Observed(retrieved_sources=retrieved, error=failure, latency_ms=latency)
    return Observed(
        answer=answer.answer,
        cited_sources=[citation.source for citation in answer.citations],
        cited_snippets=[citation.snippet for citation in answer.citations],
        retrieved_sources=retrieved,
        confidence=answer.confidence,
        refused=not answer.citations,
        latency_ms=latency,
        cost_usd=answer.usage.cost_usd,
        model=answer.model,
    )
