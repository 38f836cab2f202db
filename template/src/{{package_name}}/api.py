"""The HTTP routes: ask (whole or streamed), feedback, liveness and readiness."""

from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio
import structlog
from fastapi import APIRouter, Depends, Request, status
from fastapi.sse import EventSourceResponse, ServerSentEvent

from .auth import require_api_key
from .database import DatabaseUnavailable
from .errors import NotReady, ServiceError
from .http_errors import documented_responses
from .observability.requests import current_request_id
from .schemas import Answer, AskRequest, FeedbackReceipt, FeedbackRequest
from .services import Services

router = APIRouter()
Authenticated = Annotated[None, Depends(require_api_key)]


# Dependencies that only read the request are `async def`: FastAPI runs a plain `def` one
# on a worker thread, a hop that costs more than the work.
async def services(request: Request) -> Services:
    registered: Services = request.app.state.services
    return registered


ServicesDep = Annotated[Services, Depends(services)]


def client_id(request: Request) -> str:
    """Who the limits count against, set by authentication."""
    client: str = getattr(request.state, "client_id", "unknown")
    return client


async def rate_limited(request: Request, _: Authenticated, svc: ServicesDep) -> str:
    """Count the request against its client's limit; 429 when it is used up."""
    client = client_id(request)
    await svc.limiter.hit_request(client)
    return client


Client = Annotated[str, Depends(rate_limited)]


def _json_errors(responses: dict[int | str, dict[str, Any]]) -> dict[int | str, dict[str, Any]]:
    """Errors before a stream opens are JSON envelopes, not events: document them so.

    The envelope schemas are the ones POST /v1/ask registers for the same statuses."""
    for entry in responses.values():
        model = entry.pop("model", None)
        if model is not None:
            schema = {"$ref": f"#/components/schemas/{model.__name__}"}
            entry["content"] = {"application/json": {"schema": schema}}
    return responses


@router.post(
    "/v1/ask",
    response_model=Answer,
    responses=documented_responses(200, 400, 401, 413, 422, 429, 503),
    tags=["answers"],
)
async def ask(body: AskRequest, client: Client, svc: ServicesDep) -> Answer:
    """Answer a question from the indexed documents, with citations and a confidence score."""
    await svc.limiter.check_tokens(client)
    answer = await svc.pipeline.ask(body.question)
    tokens = answer.usage.input_tokens + answer.usage.output_tokens
    await svc.limiter.spend_tokens(client, tokens)
    return answer


@router.post(
    "/v1/ask/stream",
    response_class=EventSourceResponse,
    # Refusals and failures after the stream opens arrive as `error` events.
    responses=_json_errors(documented_responses(200, 401, 413, 422)),
    tags=["answers"],
)
async def ask_stream(
    body: AskRequest, _: Client, svc: ServicesDep
) -> AsyncIterator[ServerSentEvent]:
    """The answer as server-sent events: `delta` events carry text as the model writes it,
    then one `answer` event holds the whole answer with citations, confidence, needs_review
    and usage. A refusal or a failure is one `error` event with the error envelope."""
    try:
        async for item in svc.pipeline.ask_stream(body.question):
            if isinstance(item, Answer):
                yield ServerSentEvent(event="answer", data=item.model_dump(mode="json"))
            else:
                yield ServerSentEvent(event="delta", data={"text": item})
    except ServiceError as error:
        structlog.get_logger(__name__).info("stream_error", code=error.code)
        envelope = {"code": error.code, "message": error.message}
        yield ServerSentEvent(
            event="error", data={"error": {**envelope, "request_id": current_request_id()}}
        )


@router.post(
    "/v1/feedback",
    response_model=FeedbackReceipt,
    status_code=status.HTTP_201_CREATED,
    responses=documented_responses(201, 401, 404, 413, 422, 429),
    tags=["answers"],
)
async def feedback(body: FeedbackRequest, _: Client, svc: ServicesDep) -> FeedbackReceipt:
    """Rate an answer up or down, optionally with a correction."""
    await anyio.to_thread.run_sync(svc.feedback.add_feedback, body)
    return FeedbackReceipt(request_id=body.request_id, rating=body.rating)


@router.get("/healthz", responses=documented_responses(200), tags=["operations"])
async def healthz() -> dict[str, str]:
    """200 while the process lives."""
    return {"status": "ok"}


@router.get("/readyz", responses=documented_responses(200, 503), tags=["operations"])
async def readyz(svc: ServicesDep) -> dict[str, object]:
    """200 when the index has content and the model is configured, else 503."""
    try:
        chunks = await anyio.to_thread.run_sync(svc.index.chunk_count)
    except DatabaseUnavailable as error:
        raise NotReady(str(error), code="database_unavailable") from error
    if chunks == 0:
        raise NotReady(
            "The index is empty: run `ingest`, or add documents under "
            f"{svc.settings.data_dir}/ and restart.",
            code="index_empty",
        )
    spend = await anyio.to_thread.run_sync(svc.budget.describe)
    return {
        "status": "ready",
        "chunks": chunks,
        "provider": svc.settings.llm_provider,
        "fallback_provider": svc.settings.fallback_provider,
        "circuit_breakers": {b.provider: b.snapshot() for b in svc.breakers},
        "spend": spend,
    }
