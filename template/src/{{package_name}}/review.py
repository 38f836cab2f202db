"""The review queue: answers that need review or were rated down, oldest first, until a
reviewer approves, edits or rejects each.

An approval keeps the caller's correction, an edit the reviewer's; either becomes an eval
candidate when `eval import-feedback` runs (see evals/candidates.py). A rejection closes
the item with its note and no candidate.
"""

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from .errors import NotFound
from .feedback import AnswerRecord, FeedbackStore
from .review_store import Action, ReviewDecision, ReviewStore


class QueueItem(BaseModel):
    request_id: str
    created_at: datetime
    question: str
    answer: str
    confidence: float
    needs_review: bool
    model: str
    rating: Literal["up", "down"] | None
    correction: str | None = Field(description="The caller's correction, if they gave one.")


class ReviewQueue(BaseModel):
    items: list[QueueItem]
    pending: int = Field(description="Items waiting, of which `items` holds the oldest.")


class _Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(default="", max_length=2000, description="Why, for the record.")


class Approve(_Decision):
    """The answer, or the caller's correction of it, is right."""

    action: Literal["approve"]


class Edit(_Decision):
    """The reviewer gives the right answer."""

    action: Literal["edit"]
    correction: str = Field(min_length=1, max_length=4000, pattern=r"\S")


class Reject(_Decision):
    """Nothing to learn from this item (a wrong rating, a question out of scope)."""

    action: Literal["reject"]
    note: str = Field(min_length=1, max_length=2000, pattern=r"\S")


ReviewRequest = Annotated[Approve | Edit | Reject, Field(discriminator="action")]


class ReviewReceipt(BaseModel):
    request_id: str
    action: Action
    reviewer: str
    decided_at: datetime
    eval_candidate: bool = Field(
        description="The decision carries a correction that `eval import-feedback` turns "
        "into a candidate eval case."
    )


def queued(record: AnswerRecord) -> bool:
    return record.needs_review or record.rating == "down"


def review_queue(feedback: FeedbackStore, reviews: ReviewStore, limit: int) -> ReviewQueue:
    decided = reviews.latest()
    waiting = [r for r in feedback.answer_records() if queued(r) and r.request_id not in decided]
    items = [
        QueueItem(
            request_id=r.request_id,
            created_at=r.created_at,
            question=r.question,
            answer=r.answer,
            confidence=r.confidence,
            needs_review=r.needs_review,
            model=r.model,
            rating="up" if r.rating == "up" else "down" if r.rating == "down" else None,
            correction=r.correction,
        )
        for r in waiting[:limit]
    ]
    return ReviewQueue(items=items, pending=len(waiting))


def decide(
    feedback: FeedbackStore,
    reviews: ReviewStore,
    request_id: str,
    request: ReviewRequest,
    reviewer: str,
) -> ReviewReceipt:
    record = next((r for r in feedback.answer_records() if r.request_id == request_id), None)
    if record is None:
        raise NotFound(
            f"No answer has request_id {request_id!r}: take the request_id from GET /v1/review.",
            code="unknown_request",
        )
    correction = request.correction if isinstance(request, Edit) else None
    decision = ReviewDecision(
        request_id=request_id,
        decided_at=datetime.now(UTC),
        reviewer=reviewer,
        action=request.action,
        note=request.note.strip(),
        correction=correction.strip() if correction else None,
    )
    reviews.add(decision)
    return ReviewReceipt(
        request_id=request_id,
        action=decision.action,
        reviewer=reviewer,
        decided_at=decision.decided_at,
        eval_candidate=reviewed_correction(record, decision) is not None,
    )


def reviewed_correction(record: AnswerRecord, decision: ReviewDecision | None) -> str | None:
    """The correction an eval case should hold after review: the reviewer's edit, the
    caller's correction when approved (or not reviewed yet), none when rejected."""
    if decision is not None and decision.action == "reject":
        return None
    if decision is not None and decision.action == "edit":
        return decision.correction
    if record.rating == "down" and (record.correction or "").strip():
        return (record.correction or "").strip()
    return None
