"""The whole answer, in order: guardrails -> retrieval -> passage screening -> budget ->
model -> grounding, output checks and confidence (answer.py). `ask` returns it whole;
`ask_stream` yields the text as the model writes it.

Open the module named in each step to see how it is done.
"""

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import anyio
import structlog
from pydantic_ai.models import Model

from .answer import compose_answer
from .budget import BudgetGuard
from .feedback import FeedbackStore
from .guardrails import Guardrails
from .llm.generation import Draft, Generator
from .llm.prompt import DONT_KNOW
from .observability.metrics import record_answer
from .retrieval import Index, Passage
from .schemas import Answer
from .settings import Settings

log = structlog.get_logger(__name__)
# Nothing retrieved: no model call, no cost, and no invented answer.
NO_EVIDENCE = Draft(DONT_KNOW, "none", 0, 0, 0.0)


@dataclass
class Pipeline:
    settings: Settings
    index: Index
    generator: Generator
    feedback: FeedbackStore
    budget: BudgetGuard
    guardrails: Guardrails
    fallback: Model | None = None  # answers alone once the month's budget is spent

    async def ask(self, question: str) -> Answer:
        started = time.perf_counter()
        question, passages = await self._retrieve(question)
        draft = NO_EVIDENCE
        if passages:
            model = await self.budget.model_for_request(self.generator.model, self.fallback)
            draft = await self.generator.draft(question, passages, model)
        return await self._answer(question, passages, draft, started)

    async def ask_stream(self, question: str) -> AsyncIterator[str | Answer]:
        """The answer's text piece by piece, then the whole Answer."""
        started = time.perf_counter()
        question, passages = await self._retrieve(question)
        draft = NO_EVIDENCE
        if passages:
            model = await self.budget.model_for_request(self.generator.model, self.fallback)
            masker = self.guardrails.output.stream_masker()
            async for piece in self.generator.stream(question, passages, model):
                if isinstance(piece, Draft):
                    draft = piece
                elif text := masker.feed(piece):
                    yield text
            if rest := masker.flush():
                yield rest
        else:
            yield draft.text
        yield await self._answer(question, passages, draft, started)

    async def _retrieve(self, question: str) -> tuple[str, list[Passage]]:
        checked = self.guardrails.input.check(question)
        found = await anyio.to_thread.run_sync(self.index.search, checked.text, self.settings.top_k)
        return checked.text, self.guardrails.passages.screen(found)

    async def _answer(
        self, question: str, passages: list[Passage], draft: Draft, started: float
    ) -> Answer:
        threshold = self.settings.review_threshold
        answer = compose_answer(question, passages, draft, self.guardrails, threshold, started)
        await anyio.to_thread.run_sync(self._store, question, answer)
        record_answer(answer)
        log.info(
            "answered",
            **({"question": question, "answer": answer.answer} if self.guardrails.log_text else {}),
            passages=len(passages),
            review_reasons=answer.work.review_reasons,
            citations=len(answer.citations),
            confidence=answer.confidence,
            needs_review=answer.needs_review,
            model=answer.model,
            **answer.usage.model_dump(),
        )
        return answer

    def _store(self, question: str, answer: Answer) -> None:
        """The spend and the answer, in one trip to a worker thread."""
        self.budget.record_now(answer.request_id, answer.model, answer.usage.cost_usd)
        self.feedback.record_answer(question, answer, answer.work.latency_ms)
