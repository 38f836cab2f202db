"""The routes people use to check and steer the service: open a cited document, work
through the review queue, read the KPI statistics. Reviewing needs the `review` role,
the statistics (cost included) `admin`."""

from datetime import UTC, datetime
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Request

from .api import ServicesDep, rate_limited
from .auth import caller, require_role
from .documents import Document, load_document
from .http_errors import documented_responses
from .review import ReviewQueue, ReviewReceipt, ReviewRequest, decide, review_queue
from .stats import Stats, build_stats, window

router = APIRouter()
Asker = Annotated[str, Depends(rate_limited)]
Reviewer = Annotated[None, Depends(require_role("review"))]
Admin = Annotated[None, Depends(require_role("admin"))]
# Oldest first: a reviewer works from the top; `pending` says how many wait in all.
REVIEW_PAGE = 100
# The dashboard's longest period; it shows shorter ones from the same rows.
STATS_DAYS = 90


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
    responses=documented_responses(200, 401, 403),
    tags=["review"],
)
async def get_review_queue(
    _: Reviewer,
    svc: ServicesDep,
) -> ReviewQueue:
    """Answers that need review or were rated down and have no decision yet, oldest first:
    the first REVIEW_PAGE of them, and how many wait in all."""
    return await anyio.to_thread.run_sync(review_queue, svc.feedback, svc.reviews, REVIEW_PAGE)


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
    responses=documented_responses(200, 401, 403),
    tags=["operations"],
)
async def stats(
    _: Admin,
    svc: ServicesDep,
) -> Stats:
    """Answers served, the share needing review, thumbs-up rate, refusals, cost and
    latency, one row a day for the last STATS_DAYS days (today last), with the GOALS.md
    target and review date."""
    start, since, until = window(STATS_DAYS, datetime.now(UTC))
    records = await anyio.to_thread.run_sync(svc.feedback.answer_records, start)
    return build_stats(
        records,
        since,
        until,
        svc.settings.review_threshold,
        float(svc.settings.monthly_budget_usd),
    )
