"""Errors the service reports, each with its HTTP status and a stable code.

The HTTP layer renders each as `{"error": {"code", "message", "request_id"}}` (see
http_errors.py) and documents, per status, every code in `codes`; the CLI prints the code
and the message. A new code is added to its class's `codes`, so callers can rely on it.
"""

from typing import ClassVar


class ServiceError(Exception):
    status_code: ClassVar[int] = 500
    code = "internal_error"
    # Every code this error can carry: the API document lists them for callers.
    codes: ClassVar[tuple[str, ...]] = ("internal_error",)

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        rule: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        # The guardrails.yaml rule that refused the request, shown in the error body.
        self.rule = rule
        if code:
            self.code = code


class GuardrailRefusal(ServiceError):
    """The input was refused by a guardrail; `code` says which one."""

    status_code = 400
    code = "refused"
    codes = (
        "refused",
        "empty_question",
        "prompt_injection",
        "off_topic",
        "secret_in_question",
        "personal_data",
    )


class Unauthorized(ServiceError):
    status_code = 401
    code = "unauthorized"
    codes = ("unauthorized", "missing_api_key", "invalid_api_key")


class Forbidden(ServiceError):
    """The API key is valid but its role does not allow this request."""

    status_code = 403
    code = "forbidden"
    codes = ("forbidden", "insufficient_role")


class NotFound(ServiceError):
    status_code = 404
    code = "not_found"
    codes = ("not_found", "unknown_request", "unknown_document")


class PayloadTooLarge(ServiceError):
    status_code = 413
    code = "payload_too_large"
    codes = ("payload_too_large", "question_too_long")


class TooManyRequests(ServiceError):
    """A limit was reached; `retry_after_seconds` says when to try again."""

    status_code = 429
    code = "rate_limited"
    codes = ("rate_limited", "budget_exceeded")

    def __init__(self, message: str, *, retry_after_seconds: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after_seconds = retry_after_seconds


class NotReady(ServiceError):
    status_code = 503
    code = "not_ready"
    codes = ("not_ready", "index_empty")


class ProviderUnavailable(ServiceError):
    status_code = 503
    code = "provider_unavailable"
    codes = ("provider_unavailable",)


class BudgetExceeded(TooManyRequests):
    """The month's model budget is spent; `retry_after_seconds` runs to the next month."""

    code = "budget_exceeded"
