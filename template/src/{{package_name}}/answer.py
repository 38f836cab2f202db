"""The answer as the caller sees it: the draft grounded in the passages, checked by the
output guardrails, given a confidence, and showing its work (citations, what was
retrieved, why it goes to review)."""

import time

from .citations import retrieved_passages
from .confidence import assess_confidence
from .grounding import ground
from .guardrails import Guardrails
from .llm.generation import Draft
from .observability.requests import current_request_id
from .retrieval import Passage
from .schemas import Answer, Usage, Work


def compose_answer(
    question: str,
    passages: list[Passage],
    draft: Draft,
    guardrails: Guardrails,
    review_threshold: float,
    started: float,
) -> Answer:
    grounding = ground(draft.text, passages, guardrails.policy.grounding.min_support)
    verdict = guardrails.output.judge(draft.text, grounding, passages)
    text, grounding = guardrails.output.final(draft.text, grounding, verdict)
    citations = grounding.citations
    assessed = assess_confidence(question, text, citations, passages, grounding.supported_share)
    # Each reason that sends the answer to a person, named as guardrails.yaml does.
    below_threshold = assessed.score < review_threshold
    review_reasons = [*verdict.reasons, *(["review_threshold"] * below_threshold)]
    return Answer(
        answer=text,
        citations=citations,
        confidence=assessed.score,
        needs_review=bool(review_reasons),
        request_id=current_request_id(),
        model=draft.model,
        usage=Usage(
            input_tokens=draft.input_tokens,
            output_tokens=draft.output_tokens,
            cost_usd=draft.cost_usd,
        ),
        confidence_level=assessed.level(review_threshold),
        confidence_reason=assessed.reason(),
        work=Work(
            retrieved=retrieved_passages(passages, citations),
            review_reasons=review_reasons,
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
        ),
    )
