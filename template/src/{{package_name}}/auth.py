"""API-key authentication: `Authorization: Bearer <key>`, keys from APP_API_KEYS.

Only SHA-256 digests of the keys are held, so several keys can be valid at once while
one is rotated out, and a memory dump or a log line never shows a usable key.

Each key carries a role (`ask`, `review`, `admin`; see settings.ROLES): a route that needs
more than the key's role answers 403. With authentication off, every caller has every
role: the gateway in front decides who gets in.
"""

import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .errors import Forbidden, Unauthorized
from .settings import HASH_PREFIX, ROLES, Role, Settings, api_key_digest, split_role

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
        request.state.client_id = "ip:" + (request.client.host if request.client else "unknown")
        request.state.role = "admin"
        return
    if credentials is None:
        raise Unauthorized(
            "Missing API key: send the header 'Authorization: Bearer <key>'.",
            code="missing_api_key",
        )
    offered = api_key_digest(credentials.credentials).encode()
    # Every stored digest is compared, in constant time, so timing tells nothing either.
    role: Role | None = None
    for entry in settings.api_keys:
        digest, entry_role = split_role(entry.get_secret_value())
        if hmac.compare_digest(offered, digest.encode()):
            role = entry_role
    if role is None:
        raise Unauthorized("The API key is not valid.", code="invalid_api_key")
    # The rate limiter counts per key, by a short prefix of its digest, never the key.
    request.state.client_id = "key:" + offered.decode()[len(HASH_PREFIX) : len(HASH_PREFIX) + 16]
    request.state.role = role


def require_role(needed: Role) -> Callable[..., None]:
    """A dependency: the caller's key is valid and its role is `needed` or above."""

    def check_role(request: Request, _: Annotated[None, Depends(require_api_key)]) -> None:
        ensure_role(request.state.role, needed)

    return check_role


def ensure_role(role: Role, needed: Role) -> None:
    """403 unless `role` is `needed` or above (admin > review > ask)."""
    if ROLES.index(role) < ROLES.index(needed):
        raise Forbidden(
            f"This API key has the role {role!r}; this request needs {needed!r} or above. "
            f"Use a key listed in APP_API_KEYS as KEY:{needed}.",
            code="insufficient_role",
        )


def caller(request: Request) -> str:
    """Who made the request, as decisions record it: the role and the key's digest prefix
    (or the client address without authentication), never the key."""
    client: str = getattr(request.state, "client_id", "unknown")
    role: str = getattr(request.state, "role", "unknown")
    return f"{role} {client}"


def describe_auth_in_document(app: FastAPI, settings: Settings) -> None:
    """With authentication off, the API document asks callers for no key and lists no 401."""
    if settings.auth_enabled:
        return
    document = app.openapi()
    for operations in document["paths"].values():
        for operation in operations.values():
            operation.pop("security", None)
            operation["responses"].pop("401", None)
            operation["responses"].pop("403", None)
    document["components"].pop("securitySchemes", None)
    app.openapi_schema = document
