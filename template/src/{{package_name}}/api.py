"""The HTTP routes: ask, feedback, liveness and readiness."""

from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Request, status

from .auth import require_api_key
from .errors import NotReady
from .http_errors import documented_responses
from .schemas import Answer, AskRequest, FeedbackReceipt, FeedbackRequest
from .services import Services

router = APIRouter()
Authenticated = Annotated[None, Depends(require_api_key)]


def services(request: Request) -> Services:
    registered: Services = request.app.state.services
    return registered


ServicesDep = Annotated[Services, Depends(services)]


@router.post(
    "/v1/ask",
    response_model=Answer,
    responses=documented_responses(200, 400, 401, 413, 422, 503),
    tags=["answers"],
)
async def ask(body: AskRequest, _: Authenticated, svc: ServicesDep) -> Answer:
    """Answer a question from the indexed documents, with citations and a confidence score."""
    return await svc.pipeline.ask(body.question)


@router.post(
    "/v1/feedback",
    response_model=FeedbackReceipt,
    status_code=status.HTTP_201_CREATED,
    responses=documented_responses(201, 401, 404, 413, 422),
    tags=["answers"],
)
async def feedback(body: FeedbackRequest, _: Authenticated, svc: ServicesDep) -> FeedbackReceipt:
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
    chunks = await anyio.to_thread.run_sync(svc.index.chunk_count)
    if chunks == 0:
        raise NotReady(
            "The index is empty: run `ingest`, or add documents under "
            f"{svc.settings.data_dir}/ and restart.",
            code="index_empty",
        )
    return {"status": "ready", "chunks": chunks, "provider": svc.settings.llm_provider}
