"""The whole answer, in order: guardrails -> retrieval -> model -> grounding -> answer.

Open the module named in each step to see how it is done.
"""

from dataclasses import dataclass

import anyio
import structlog
from pydantic_ai.exceptions import AgentRunError

from .confidence import score_confidence
from .errors import ProviderUnavailable
from .feedback import FeedbackStore
from .grounding import ground
from .guardrails import Guardrails
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
    guardrails: Guardrails

    async def ask(self, question: str) -> Answer:
        request_id = current_request_id()
        checked = self.guardrails.input.check(question)

        found = await anyio.to_thread.run_sync(self.index.search, checked.text, self.settings.top_k)
        passages = self.guardrails.passages.screen(found)
        # Nothing retrieved: no model call, no cost, and no invented answer.
        draft = await self._draft(checked.text, passages) if passages else _DONT_KNOW

        grounding = ground(draft.text, passages, self.guardrails.policy.grounding.min_support)
        verdict = self.guardrails.output.judge(draft.text, grounding, passages)
        text, grounding = self.guardrails.output.final(draft.text, grounding, verdict)
        confidence = score_confidence(
            checked.text, text, grounding.citations, passages, grounding.supported_share
        )
        answer = Answer(
            answer=text,
            citations=grounding.citations,
            confidence=confidence,
            needs_review=confidence < self.settings.review_threshold or verdict.needs_review,
            request_id=request_id,
            model=draft.model,
            usage=Usage(
                input_tokens=draft.input_tokens,
                output_tokens=draft.output_tokens,
                cost_usd=draft.cost_usd,
            ),
        )
        await anyio.to_thread.run_sync(self.feedback.record_answer, checked.text, answer)
        log.info(
            "answered",
            **({"question": checked.text, "answer": text} if self.guardrails.log_text else {}),
            passages=len(passages),
            citations=len(answer.citations),
            confidence=confidence,
            needs_review=answer.needs_review,
            review_reasons=verdict.reasons,
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


_DONT_KNOW = Draft(DONT_KNOW, "none", 0, 0, 0.0)
