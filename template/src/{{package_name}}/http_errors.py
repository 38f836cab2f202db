"""The JSON error envelope: every error, validation and routing ones included, as
`{"error": {"code", "message", "request_id"}}`.
"""

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .errors import ServiceError, Unauthorized
from .observability.requests import current_request_id


def install_error_handlers(app: FastAPI) -> None:
    """Render every error, validation and routing errors included, as the JSON envelope."""

    async def service_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, ServiceError)
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, Unauthorized) else {}
        if error.retry_after is not None:
            headers["Retry-After"] = str(error.retry_after)
        return error_response(
            request, error.status_code, error.code, error.message, headers or None, error.rule
        )

    async def validation_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        return error_response(request, 422, "invalid_request", describe_validation(error))

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        code = _HTTP_CODES.get(error.status_code, "http_error")
        return error_response(request, error.status_code, code, str(error.detail))

    async def unexpected_error(request: Request, error: Exception) -> Response:
        structlog.get_logger(__name__).exception("unhandled_error")
        return error_response(request, 500, "internal_error", "Something went wrong on our side.")

    app.add_exception_handler(ServiceError, service_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)


def error_response(
    request: Request,
    status_code: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
    rule: str | None = None,
) -> Response:
    request_id = getattr(request.state, "request_id", None) or current_request_id()
    detail = {"code": code, "message": message, "request_id": request_id}
    if rule is not None:
        detail["rule"] = rule
    body = {"error": detail}
    return JSONResponse(body, status_code=status_code, headers=headers)


def describe_validation(error: RequestValidationError) -> str:
    """'body.question: Field required; ...' - each problem with where it is."""
    problems = []
    for item in error.errors():
        where = ".".join(str(part) for part in item.get("loc", ()))
        problems.append(f"{where}: {item.get('msg', 'invalid')}")
    return "; ".join(problems) or "The request is malformed."


_HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
}
