"""Prometheus metrics: requests and latency by route and status, tokens and cost by
model, guardrail refusals by rule, answers needing review, and the index size.

Series live in one registry of their own, so a test reads exactly what the service
exports. The service records through the small functions below; `/metrics` serves them.
"""

import time

import anyio
from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.process_collector import ProcessCollector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..schemas import Answer

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)  # memory, CPU and open files of this process

REQUESTS = Counter(
    "http_requests",
    "HTTP requests served, by route template, method and status.",
    ["route", "method", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to serve an HTTP request, by route template, method and status.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
TOKENS = Counter(
    "llm_tokens",
    "Tokens the model read (input) and wrote (output), by model.",
    ["model", "direction"],
    registry=REGISTRY,
)
COST = Counter(
    "llm_cost_usd",
    "Model spend in US dollars, by model (an answer whose price is unknown adds 0).",
    ["model"],
    registry=REGISTRY,
)
ANSWERS = Counter("answers", "Answers given, by model.", ["model"], registry=REGISTRY)
NEEDS_REVIEW = Counter(
    "answers_needing_review",
    "Answers less confident than the review threshold, sent to human review.",
    registry=REGISTRY,
)
GUARDRAIL_BLOCKS = Counter(
    "guardrail_blocks",
    "Questions a guardrail refused, by rule (the error code callers see).",
    ["rule"],
    registry=REGISTRY,
)
INDEX_CHUNKS = Gauge("index_chunks", "Chunks in the search index.", registry=REGISTRY)

UNMATCHED_ROUTE = "unmatched"  # unknown paths share one label: no unbounded series


def record_answer(answer: Answer) -> None:
    model = answer.model
    ANSWERS.labels(model).inc()
    TOKENS.labels(model, "input").inc(answer.usage.input_tokens)
    TOKENS.labels(model, "output").inc(answer.usage.output_tokens)
    COST.labels(model).inc(answer.usage.cost_usd or 0.0)
    if answer.needs_review:
        NEEDS_REVIEW.inc()


def record_guardrail_block(rule: str) -> None:
    GUARDRAIL_BLOCKS.labels(rule).inc()


class MetricsMiddleware:
    """Counts and times every HTTP request under its route template, never its raw path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_recording_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_recording_status)
        finally:
            route = getattr(scope.get("route"), "path", UNMATCHED_ROUTE)
            labels = (route, scope["method"], str(status))
            REQUESTS.labels(*labels).inc()
            LATENCY.labels(*labels).observe(time.perf_counter() - started)


router = APIRouter()


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Prometheus text; the index size is read at scrape time, so it is never stale."""
    INDEX_CHUNKS.set(await anyio.to_thread.run_sync(request.app.state.services.index.chunk_count))
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
