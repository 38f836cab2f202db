"""API-key authentication: `Authorization: Bearer <key>`, keys from APP_API_KEYS."""

import hmac
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .errors import Unauthorized
from .settings import Settings

_bearer = HTTPBearer(auto_error=False, description="An API key from APP_API_KEYS.")


class AuthConfigError(RuntimeError):
    """Authentication is on but no key is configured: every request would be refused."""


def check_auth_config(settings: Settings) -> None:
    if settings.auth_enabled and not settings.api_keys:
        raise AuthConfigError(
            "APP_API_KEYS is not set but API-key authentication is on: set APP_API_KEYS to "
            "one or more comma-separated keys (the project's .env has one for local use), or "
            "set APP_AUTH_ENABLED=false when a gateway in front authenticates callers."
        )


def require_api_key(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    settings: Settings = request.app.state.services.settings
    if not settings.auth_enabled:
        return
    if credentials is None:
        raise Unauthorized(
            "Missing API key: send the header 'Authorization: Bearer <key>'.",
            code="missing_api_key",
        )
    offered = credentials.credentials.encode()
    if not any(
        hmac.compare_digest(offered, key.get_secret_value().encode()) for key in settings.api_keys
    ):
        raise Unauthorized("The API key is not valid.", code="invalid_api_key")


def describe_auth_in_document(app: FastAPI, settings: Settings) -> None:
    """With authentication off, the API document asks callers for no key and lists no 401."""
    if settings.auth_enabled:
        return
    document = app.openapi()
    for operations in document["paths"].values():
        for operation in operations.values():
            operation.pop("security", None)
            operation["responses"].pop("401", None)
    document["components"].pop("securitySchemes", None)
    app.openapi_schema = document
