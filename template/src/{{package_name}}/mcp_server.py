"""The Model Context Protocol server: the service's answers for AI assistants and agents.

Tools `ask` and `search` go through the same guardrails, budget and answer records as
POST /v1/ask; every indexed document is a resource, `doc://<source>`. The app serves it
at POST /mcp over streamable HTTP, behind the API's authentication and rate limits (the
route at the end); `<slug> mcp` serves it over stdio for desktop clients.
"""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Annotated, Any
from urllib.parse import quote

import anyio
import structlog
from fastapi import APIRouter, Request, Response
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.types import Resource, ToolAnnotations
from pydantic import BaseModel, Field
from starlette.requests import Request as StarletteRequest
from starlette.types import Receive, Scope, Send

from . import __version__, about
from .api import Client
from .errors import GuardrailRefusal, ServiceError
from .observability.metrics import record_guardrail_block
from .observability.requests import request_context
from .schemas import Answer
from .services import Services

log = structlog.get_logger(__name__)
DOCUMENT_SCHEME = "doc://"
MAX_SEARCH_RESULTS = 20
ASK_DESCRIPTION = (
    "Answer a question from the service's indexed documents. Returns the answer text with "
    "numbered [n] citations (source, title, snippet, relevance score), a confidence in "
    "[0, 1], needs_review (true when a person should check the answer before anyone relies "
    "on it) and the request_id to rate the answer with POST /v1/feedback. A question a "
    "guardrail refuses is an error naming the guardrail and what to do instead."
)
SEARCH_DESCRIPTION = (
    "Find the passages of the indexed documents most relevant to a query, best first, "
    "without asking the model. Each passage has its source, title, position, snippet, "
    "relevance score and its document's resource URI. A query a guardrail refuses is an "
    "error naming the guardrail."
)


class SearchHit(BaseModel):
    """A passage of an indexed document that matches the query."""

    source: str = Field(description="The document the passage is from, e.g. data/faq.md.")
    title: str = Field(description="The document or section title.")
    position: int = Field(description="The passage's place in its document, from 0.")
    snippet: str = Field(description="The passage's text.")
    score: float = Field(ge=0.0, le=1.0, description="Relevance to the query, in [0, 1).")
    uri: str = Field(description="The document as an MCP resource, to read it whole.")


class SearchResults(BaseModel):
    query: str
    passages: list[SearchHit]


def document_uri(source: str) -> str:
    return DOCUMENT_SCHEME + quote(source, safe="/")


class ServiceMCPServer(MCPServer[Any]):
    """An MCPServer whose resource list is the index's documents, read when asked."""

    def __init__(self, services: Callable[[], Services]) -> None:
        super().__init__(
            about.SLUG,
            title=about.NAME,
            description=about.DESCRIPTION,
            version=__version__,
            instructions=(
                f"{about.NAME} answers questions from its indexed documents, with citations. "
                "Use `ask` for an answer; use `search` to find passages; read a document "
                f"whole as the resource {DOCUMENT_SCHEME}<source>. An answer with "
                "needs_review true is not confident enough to act on without a person."
            ),
        )
        self.services = services

    async def list_resources(self) -> list[Resource]:
        documents = await anyio.to_thread.run_sync(self.services().index.documents)
        listed = [
            Resource(
                uri=document_uri(document.source),
                name=document.source,
                title=document.title,
                description=f"{document.title} ({document.chunks} passages indexed)",
                mime_type="text/markdown",
            )
            for document in documents
        ]
        return [*listed, *await super().list_resources()]


def build_mcp_server(services: Callable[[], Services]) -> ServiceMCPServer:
    """The server; `services` gives the running service's objects when a request needs them."""
    server = ServiceMCPServer(services)

    @server.tool(
        description=ASK_DESCRIPTION,
        annotations=ToolAnnotations(title="Ask", read_only_hint=True, open_world_hint=False),
        structured_output=True,
    )
    async def ask(
        question: Annotated[
            str,
            Field(min_length=1, pattern=r"\S", description="What you want to know; not blank."),
        ],
        ctx: Context,
    ) -> Answer:
        svc = services()
        client = _client(ctx)
        with _request(ctx), _as_tool_error():
            if client is not None:
                await svc.limiter.check_tokens(client)
            answer = await svc.pipeline.ask(question)
            if client is not None:
                tokens = answer.usage.input_tokens + answer.usage.output_tokens
                await svc.limiter.spend_tokens(client, tokens)
        return answer

    @server.tool(
        description=SEARCH_DESCRIPTION,
        annotations=ToolAnnotations(title="Search", read_only_hint=True, open_world_hint=False),
        structured_output=True,
    )
    async def search(
        query: Annotated[
            str,
            Field(min_length=1, pattern=r"\S", description="Words to look for; not blank."),
        ],
        ctx: Context,
        limit: Annotated[
            int,
            Field(ge=1, le=MAX_SEARCH_RESULTS, description="How many passages, at most."),
        ] = 5,
    ) -> SearchResults:
        svc = services()
        guardrails = svc.pipeline.guardrails
        with _request(ctx), _as_tool_error():
            checked = guardrails.input.check(query)
            found = await anyio.to_thread.run_sync(svc.index.search, checked.text, limit)
        passages = guardrails.passages.screen(found)
        log.info("searched", passages=len(passages))
        return SearchResults(
            query=checked.text,
            passages=[
                SearchHit(
                    source=p.chunk.source,
                    title=p.chunk.title,
                    position=p.chunk.position,
                    snippet=p.chunk.text,
                    score=p.score,
                    uri=document_uri(p.chunk.source),
                )
                for p in passages
            ],
        )

    @server.resource(
        DOCUMENT_SCHEME + "{+source}",
        name="document",
        title="Indexed document",
        description="An indexed document's text, by its source (as citations name it).",
        mime_type="text/markdown",
    )
    async def document(source: str) -> str:
        svc = services()
        chunks = await anyio.to_thread.run_sync(svc.index.document_chunks, source)
        if not chunks:
            raise ResourceError(
                f"No indexed document has the source {source!r}: list the resources to see "
                "the documents, or use the source a citation names."
            )
        text = "\n\n".join(chunk.text for chunk in chunks)
        guardrails = svc.pipeline.guardrails
        # Personal data is masked here whenever the service masks it anywhere else.
        if guardrails.output.mask_answers or guardrails.passages.mask_personal_data:
            text = guardrails.output.pii.mask(text)
        return text

    return server


@contextmanager
def _as_tool_error() -> Iterator[None]:
    """A service error (a guardrail refusal, a limit, the provider down) becomes a tool
    error whose text is the code and message the HTTP API's error envelope would carry."""
    try:
        yield
    except ServiceError as error:
        if isinstance(error, GuardrailRefusal):
            record_guardrail_block(error.code)
        log.info("mcp_tool_refused", code=error.code)
        rule = f" (guardrails.yaml rule: {error.rule})" if error.rule else ""
        raise ToolError(f"{error.code}: {error.message}{rule}") from error


def _http_request(ctx: Context) -> StarletteRequest | None:
    request = ctx.request_context.request
    return request if isinstance(request, StarletteRequest) else None


def _client(ctx: Context) -> str | None:
    """Who the token limits count against; None over stdio, which is the local user."""
    request = _http_request(ctx)
    return getattr(request.state, "client_id", None) if request else None


def _request(ctx: Context) -> AbstractContextManager[object]:
    """Over HTTP the request already has its id (the middleware's), which the answer, its
    log lines and its records share; over stdio each tool call is a request of its own."""
    return nullcontext() if _http_request(ctx) else request_context()


# --- Streamable HTTP at /mcp ---------------------------------------------------------


def streamable_http(server: MCPServer[Any], host: str) -> StreamableHTTPSessionManager:
    """The session manager serving `server` over streamable HTTP.

    Stateless with JSON answers: any worker or replica can serve any request, as with the
    rest of the API. On a loopback address the SDK also checks Host and Origin headers
    against DNS rebinding."""
    server.streamable_http_app(stateless_http=True, json_response=True, host=host)
    return server.session_manager


class _HandOver(Response):
    """The MCP session manager writes the response itself, from the request's unread body."""

    def __init__(self, manager: StreamableHTTPSessionManager) -> None:
        super().__init__()
        self.manager = manager

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.manager.handle_request(scope, receive, send)


router = APIRouter()


# Stateless: no session to stream to (GET) or to end (DELETE), so those answer 405.
# JSON-RPC, which OpenAPI cannot describe, stays out of the API document: docs/mcp.md.
@router.post("/mcp", include_in_schema=False)
async def mcp_endpoint(request: Request, _: Client) -> Response:
    """The service as an MCP server: tools `ask` and `search`, the documents as resources.
    Behind the same API key and rate limit as the rest of the API; each MCP message posted
    here counts as a request."""
    manager: StreamableHTTPSessionManager = request.app.state.mcp_sessions
    return _HandOver(manager)
