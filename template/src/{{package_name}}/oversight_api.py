"""The routes people use to check and steer the service: open a cited document, work
through the review queue, read the KPI statistics. Reviewing needs the `review` role,
the statistics (cost included) `admin`."""

from datetime import UTC, datetime
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from .api import ServicesDep, rate_limited
from .auth import caller, require_role
from .documents import Document, load_document
from .http_errors import documented_responses
from .review import ReviewQueue, ReviewReceipt, ReviewRequest, decide, review_queue
from .stats import Stats, build_stats, window

router = APIRouter()


class QueueQuery(BaseModel):
    # An unknown parameter is a caller's mistake (a typo of `limit`): refused, not ignored.
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=50, ge=1, le=500, description="Items at most.")


class StatsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    days: int = Field(default=30, ge=1, le=366, description="Days back, today included.")


Asker = Annotated[str, Depends(rate_limited)]
Reviewer = Annotated[None, Depends(require_role("review"))]
Admin = Annotated[None, Depends(require_role("admin"))]


@router.get(
    "/v1/documents/{document_id}",
    response_model=Document,
    responses=documented_responses(200, 401, 404, 422, 429),
    tags=["documents"],
)
async def document(document_id: str, _: Asker, svc: ServicesDep) -> Document:
    """A source document as indexed, passage by passage, to open a citation at its
    `position`; `document_id` is a citation's."""
    return await anyio.to_thread.run_sync(load_document, svc.index, document_id)


@router.get(
    "/v1/review",
    response_model=ReviewQueue,
    responses=documented_responses(200, 401, 403, 422),
    tags=["review"],
)
async def get_review_queue(
    _: Reviewer,
    svc: ServicesDep,
    query: Annotated[QueueQuery, Query()],
) -> ReviewQueue:
    """Answers that need review or were rated down and have no decision yet, oldest first."""
    return await anyio.to_thread.run_sync(review_queue, svc.feedback, svc.reviews, query.limit)


@router.post(
    "/v1/review/{request_id}",
    response_model=ReviewReceipt,
    status_code=201,
    responses=documented_responses(201, 401, 403, 404, 413, 422),
    tags=["review"],
)
async def post_review_decision(
    request_id: str, body: ReviewRequest, request: Request, _: Reviewer, svc: ServicesDep
) -> ReviewReceipt:
    """Approve, edit (with the corrected answer) or reject (with a note) one answer. The
    decision is kept with the reviewer's role and key id, never the key."""
    who = caller(request)
    return await anyio.to_thread.run_sync(decide, svc.feedback, svc.reviews, request_id, body, who)


@router.get(
    "/v1/stats",
    response_model=Stats,
    responses=documented_responses(200, 401, 403, 422),
    tags=["operations"],
)
async def stats(
    _: Admin,
    svc: ServicesDep,
    query: Annotated[StatsQuery, Query()],
) -> Stats:
    """Answers served, the share needing review, thumbs-up rate, refusals, cost and
    latency, one row a day, with the GOALS.md target and review date."""
    start, since, until = window(query.days, datetime.now(UTC))
    records = await anyio.to_thread.run_sync(svc.feedback.answer_records, start)
    return build_stats(
        records,
        since,
        until,
        svc.settings.review_threshold,
        float(svc.settings.monthly_budget_usd),
    )
