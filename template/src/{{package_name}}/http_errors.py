"""The JSON error envelope: every error, validation and routing ones included, as
`{"error": {"code", "message", "request_id"}}`, with the headers HTTP requires, and the
same errors described in the OpenAPI document, each status with the codes it can carry.
"""

from collections import defaultdict
from collections.abc import Mapping
from functools import cache
from typing import Any

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, JsonValue, create_model
from starlette.exceptions import HTTPException as StarletteHTTPException

from .errors import GuardrailRefusal, ServiceError, TooManyRequests, Unauthorized
from .observability.metrics import record_guardrail_block
from .observability.requests import HEADER, current_request_id

# Errors raised by the framework rather than by the service: their status and code.
_FRAMEWORK_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    422: "invalid_request",
    500: "internal_error",
}


def install_error_handlers(app: FastAPI) -> None:
    """Render every error, validation and routing errors included, as the JSON envelope."""

    async def service_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, ServiceError)
        if isinstance(error, GuardrailRefusal):
            record_guardrail_block(error.code)
        return error_response(
            request, error.status_code, error.code, error.message, _headers_for(error), error.rule
        )

    async def validation_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        return error_response(request, 422, "invalid_request", describe_validation(error))

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        if error.status_code == 400:
            # The framework's only 400 is a body it could not parse: a malformed request.
            message = f"{error.detail}: send the body as UTF-8 JSON."
            return error_response(request, 422, "invalid_request", message)
        code = _FRAMEWORK_CODES.get(error.status_code, "http_error")
        # The framework's headers are part of the answer: Allow on 405, for one.
        return error_response(request, error.status_code, code, str(error.detail), error.headers)

    async def unexpected_error(request: Request, error: Exception) -> Response:
        # Handled outside the request's middleware: name the request in the log and header.
        request_id = _request_id(request)
        structlog.get_logger(__name__).exception("unhandled_error", request_id=request_id)
        message = "Something went wrong on our side."
        return error_response(request, 500, "internal_error", message, {HEADER: request_id})

    app.add_exception_handler(ServiceError, service_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)


def error_response(
    request: Request,
    status_code: int,
    code: str,
    message: str,
    headers: Mapping[str, str] | None = None,
    rule: str | None = None,
) -> Response:
    detail = {"code": code, "message": message, "request_id": _request_id(request)}
    if rule is not None:
        # The guardrails.yaml rule that refused the request.
        detail["rule"] = rule
    body = {"error": detail}
    return JSONResponse(body, status_code=status_code, headers=headers)


def _request_id(request: Request) -> str:
    return getattr(request.state, "request_id", None) or current_request_id()


def _headers_for(error: ServiceError) -> dict[str, str] | None:
    if isinstance(error, Unauthorized):
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(error, TooManyRequests):
        return {"Retry-After": str(max(1, error.retry_after_seconds))}
    return None


def describe_validation(error: RequestValidationError) -> str:
    """'body.question: Field required; ...' - each problem with where it is."""
    problems = []
    for item in error.errors():
        where = ".".join(str(part) for part in item.get("loc", ()))
        problems.append(f"{where}: {item.get('msg', 'invalid')}")
    return "; ".join(problems) or "The request is malformed."


# --- The same errors in the OpenAPI document -----------------------------------------

_STATUS_DOCS: dict[int, tuple[str, str]] = {
    400: ("RefusedError", "A guardrail refused the input; `code` names the guardrail."),
    401: ("UnauthorizedError", "The API key is missing or not valid."),
    403: ("ForbiddenError", "The API key's role does not allow this request."),
    404: ("NotFoundError", "Nothing has that id."),
    413: ("TooLargeError", "The body or the question is longer than the service accepts."),
    422: ("InvalidRequestError", "The body is not JSON of the documented shape."),
    429: ("TooManyRequestsError", "A limit was reached: retry after `Retry-After` seconds."),
    503: ("UnavailableError", "The index is not ready or the model provider did not answer."),
}
_REQUEST_ID_HEADER = {
    "X-Request-ID": {
        "description": "The request's id, also in the error body and in every log line.",
        "schema": {"type": "string"},
    }
}
_STATUS_HEADERS: dict[int, dict[str, dict[str, Any]]] = {
    401: {"WWW-Authenticate": {"description": "Always `Bearer`.", "schema": {"type": "string"}}},
    429: {
        "Retry-After": {
            "description": "Seconds to wait before trying again.",
            "schema": {"type": "integer", "minimum": 1},
        }
    },
}


def error_codes() -> dict[int, set[str]]:
    """Every code the service can answer with, by HTTP status."""
    by_status: dict[int, set[str]] = defaultdict(set)
    pending: list[type[ServiceError]] = [ServiceError]
    while pending:
        error_class = pending.pop()
        by_status[error_class.status_code].update(error_class.codes)
        pending.extend(error_class.__subclasses__())
    for status, code in _FRAMEWORK_CODES.items():
        by_status[status].add(code)
    return dict(by_status)


def documented_responses(success: int, *errors: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for a route: its success status and each error status it can give."""
    responses: dict[int | str, dict[str, Any]] = {success: {"headers": _REQUEST_ID_HEADER}}
    for status in errors:
        responses[status] = {
            "model": _envelope_model(status),
            "description": _STATUS_DOCS[status][1],
            "headers": {**_REQUEST_ID_HEADER, **_STATUS_HEADERS.get(status, {})},
        }
    return responses


@cache
def _envelope_model(status: int) -> type[BaseModel]:
    """The envelope for one status, its `code` limited to the codes that status carries."""
    name = _STATUS_DOCS[status][0]
    codes: list[JsonValue] = [*sorted(error_codes()[status])]
    detail = create_model(
        f"{name}Detail",
        code=(str, Field(json_schema_extra={"enum": codes})),
        message=(str, ...),
        request_id=(str, ...),
        rule=(
            str | None,
            Field(default=None, description="The guardrails.yaml rule that refused the input."),
        ),
    )
    return create_model(name, error=(detail, ...))
