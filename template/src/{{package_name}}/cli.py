"""The command line: serve, ingest, ask."""

import asyncio
import sys
from typing import Annotated, TextIO

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn

from . import about
from .errors import ServiceError
from .ingest import ingest as run_ingest
from .llm.providers import ProviderConfigError
from .observability.logging import configure_logging
from .observability.requests import request_context
from .schemas import Answer
from .services import Services, build_services, ensure_index
from .settings import Settings, SettingsError, get_settings

app = typer.Typer(
    help=f"{about.NAME}: {about.DESCRIPTION}",
    no_args_is_help=True,
    add_completion=False,
)
# Answers are printed whole: soft wrapping leaves line breaks to the terminal.
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _settings(quiet: bool = False, stream: TextIO = sys.stderr) -> Settings:
    """Settings, or exit 2 naming every bad variable; logging set up to match."""
    try:
        settings = get_settings()
    except SettingsError as error:
        err.print(f"[red]error:[/red] {error}", highlight=False)
        raise typer.Exit(2) from error
    configure_logging("WARNING" if quiet else settings.log_level, stream=stream)
    return settings


def _services(settings: Settings) -> Services:
    try:
        return build_services(settings)
    except ProviderConfigError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from error


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (APP_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (APP_PORT).")] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Worker processes (APP_WORKERS).")
    ] = None,
) -> None:
    """Run the HTTP API, in one process or several sharing the port."""
    import uvicorn

    from .app import create_app
    from .auth import AuthConfigError

    # The service logs JSON lines on stdout; the other commands keep stdout for results.
    settings = _settings(stream=sys.stdout)
    workers = workers or settings.workers
    try:
        # Built here first so a bad setting stops start-up once, with its message, and an
        # empty index is ingested once rather than by every worker.
        services = _services(settings)
        service = create_app(services=services)
    except (AuthConfigError, SettingsError) as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from error
    if workers > 1:
        ensure_index(services)
    uvicorn.run(
        # Several workers each build their own services; what they share lives in the stores.
        service if workers == 1 else f"{__package__}.app:create_worker_app",
        factory=workers > 1,
        workers=workers,
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,
        access_log=False,
    )


@app.command()
def ingest() -> None:
    """Index the configured sources (data/ and GOALS.md), replacing the old index."""
    settings = _settings()
    with Progress(TextColumn("{task.description}"), BarColumn(), console=err) as progress:
        task = progress.add_task("ingesting", total=None)
        report = run_ingest(
            settings,
            on_document=lambda document: progress.update(
                task, advance=1, description=document.source
            ),
        )
    out.print(
        f"Indexed {report.documents} documents as {report.chunks} chunks "
        f"in {report.seconds:.2f}s -> {settings.index_path}"
    )


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question to answer.")],
    json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
    stream: Annotated[
        bool, typer.Option("--stream", help="Print the answer as the model writes it.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", help="Show the log lines too.")] = False,
) -> None:
    """Answer one question from the indexed documents."""
    settings = _settings(quiet=not verbose)
    services = _services(settings)
    try:
        with request_context():
            ensure_index(services)
            if stream and not json:
                answer = asyncio.run(_stream_answer(services, question))
                _print_sources(answer)
                return
            answer = asyncio.run(services.pipeline.ask(question))
    except ServiceError as error:
        err.print(f"\n[red]{error.code}:[/red] {error.message}")
        raise typer.Exit(1) from error
    if json:
        print(answer.model_dump_json(indent=2))
    else:
        out.print(answer.answer, markup=False, highlight=False)
        _print_sources(answer)


async def _stream_answer(services: Services, question: str) -> Answer:
    async for item in services.pipeline.ask_stream(question):
        if isinstance(item, Answer):
            out.print()
            return item
        out.print(item, end="", markup=False, highlight=False)
    raise RuntimeError("the answer stream ended without its answer")


def _print_sources(answer: Answer) -> None:
    if answer.citations:
        out.print("\nSources:")
        for citation in answer.citations:
            out.print(
                f"  [{citation.marker}] {citation.source} - {citation.title}"
                f" (relevance {citation.score:.2f})",
                markup=False,
                highlight=False,
            )
    review = "yes, below the review threshold" if answer.needs_review else "no"
    out.print(
        f"\nconfidence {answer.confidence:.2f} | needs review: {review} | model {answer.model}",
        highlight=False,
    )
