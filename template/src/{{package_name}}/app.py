"""The FastAPI application: middleware, routes and the lifespan that wires the services."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import structlog
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from . import __version__, about
from .api import router
from .auth import check_auth_config, describe_auth_in_document
from .http_errors import install_error_handlers
from .mcp_server import build_mcp_server, streamable_http
from .mcp_server import router as mcp_router
from .observability import metrics, tracing
from .observability.logging import configure_logging
from .observability.requests import RequestContextMiddleware
from .oversight_api import router as oversight_router
from .pages import include_pages
from .request_limits import BodySizeLimitMiddleware
from .security_headers import SecurityHeadersMiddleware
from .services import Services, build_services, ensure_index
from .settings import Settings, get_settings

log = structlog.get_logger(__name__)


def create_worker_app() -> FastAPI:
    """The app of one `serve --workers N` process: its own logging and services."""
    settings = get_settings()
    configure_logging(settings.log_level)
    return create_app(settings)


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """The app; `services` lets the CLI and tests pass in what they already built."""
    settings = services.settings if services else (settings or get_settings())
    # Refuse to build a service that would turn every caller away.
    check_auth_config(settings)
    mcp = build_mcp_server(lambda: app.state.services)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = services or build_services(settings)
        chunks = await anyio.to_thread.run_sync(ensure_index, app.state.services)
        model = app.state.services.pipeline.generator.model_name
        log.info("started", provider=settings.llm_provider, model=model, chunks=chunks)
        if not settings.auth_enabled:
            log.warning(
                "auth_disabled",
                host=settings.host,
                detail="API-key authentication is off: anyone who can reach "
                f"{settings.host}:{settings.port} can ask. Keep APP_HOST=127.0.0.1 unless a "
                "gateway in front authenticates callers.",
            )
        # A session manager runs once: each start of the app gets its own.
        app.state.mcp_sessions = streamable_http(mcp, settings.host)
        async with app.state.mcp_sessions.run():
            yield
        log.info("stopped")

    app = FastAPI(
        title=about.NAME,
        description=about.DESCRIPTION,
        version=__version__,
        lifespan=lifespan,
    )
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    if settings.metrics_enabled:
        app.add_middleware(metrics.MetricsMiddleware)
        app.include_router(metrics.router)
    if settings.cors_origins:
        # Closed unless APP_CORS_ORIGINS names the browser origins that may call the API.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestContextMiddleware)
    tracing.instrument_app(app, settings)
    install_error_handlers(app)
    app.include_router(router)
    app.include_router(mcp_router)
    app.include_router(oversight_router)
    include_pages(app)
    describe_auth_in_document(app, settings)
    return app
