"""The whole answer, in order: guardrails -> retrieval -> model -> citations -> confidence.

Open the module named in each step to see how it is done.
"""

import time
from dataclasses import dataclass

import anyio
import structlog
from pydantic_ai.exceptions import AgentRunError

from .citations import cite
from .confidence import score_confidence
from .errors import ProviderUnavailable
from .feedback import FeedbackStore
from .guardrails.input import check_question
from .llm.generation import Draft, Generator
from .llm.prompt import DONT_KNOW
from .observability.requests import current_request_id
from .retrieval import Index, Passage
from .schemas import Answer, Usage
from .settings import Settings

log = structlog.get_logger(__name__)


@dataclass
class Pipeline:
    settings: Settings
    index: Index
    generator: Generator
    feedback: FeedbackStore

    async def ask(self, question: str) -> Answer:
        request_id = current_request_id()
        started = time.perf_counter()
        question = check_question(question, self.settings)

        passages = await anyio.to_thread.run_sync(self.index.search, question, self.settings.top_k)
        if passages:
            draft = await self._draft(question, passages)
        else:
            # Nothing retrieved: no model call, no cost, and no invented answer.
            draft = Draft(DONT_KNOW, "none", 0, 0, 0.0)

        citations = cite(draft.text, passages)
        confidence = score_confidence(question, draft.text, citations, passages)
        answer = Answer(
            answer=draft.text,
            citations=citations,
            confidence=confidence,
            needs_review=confidence < self.settings.review_threshold,
            request_id=request_id,
            model=draft.model,
            usage=Usage(
                input_tokens=draft.input_tokens,
                output_tokens=draft.output_tokens,
                cost_usd=draft.cost_usd,
            ),
        )
        latency_ms = round((time.perf_counter() - started) * 1000, 1)
        await anyio.to_thread.run_sync(self.feedback.record_answer, question, answer, latency_ms)
        log.info(
            "answered",
            passages=len(passages),
            citations=len(citations),
            confidence=confidence,
            needs_review=answer.needs_review,
            model=draft.model,
            input_tokens=draft.input_tokens,
            output_tokens=draft.output_tokens,
            cost_usd=draft.cost_usd,
        )
        return answer

    async def _draft(self, question: str, passages: list[Passage]) -> Draft:
        try:
            return await self.generator.draft(question, passages)
        except (AgentRunError, ExceptionGroup) as error:
            log.error("provider_failed", error=type(error).__name__, detail=str(error)[:500])
            raise ProviderUnavailable(
                "The language model provider did not answer; try again shortly."
            ) from error
