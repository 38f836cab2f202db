"""Errors the service reports, each with its HTTP status and a stable code.

The HTTP layer renders each as `{"error": {"code", "message", "request_id"}}` (see
http_errors.py); the CLI prints the code and the message.
"""


class ServiceError(Exception):
    status_code = 500
    code = "internal_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        rule: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        # The guardrails.yaml rule that refused the request, shown in the error body.
        self.rule = rule
        # Seconds until a retry may succeed, sent as the Retry-After header.
        self.retry_after = retry_after
        if code:
            self.code = code


class GuardrailRefusal(ServiceError):
    """The input was refused by a guardrail; `code` says which one."""

    status_code = 400
    code = "refused"


class PayloadTooLarge(ServiceError):
    status_code = 413
    code = "payload_too_large"


class Unauthorized(ServiceError):
    status_code = 401
    code = "unauthorized"


class NotFound(ServiceError):
    status_code = 404
    code = "not_found"


class NotReady(ServiceError):
    status_code = 503
    code = "not_ready"


class RateLimited(ServiceError):
    status_code = 429
    code = "rate_limited"


class ProviderUnavailable(ServiceError):
    status_code = 503
    code = "provider_unavailable"
