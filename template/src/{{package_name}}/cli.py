"""The command line: serve, ingest, ask, eval, report, mcp."""

import asyncio
import json as jsonlib
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from . import about
from .errors import ServiceError
from .ingest import ingest as run_ingest
from .llm.providers import ProviderConfigError
from .observability.logging import configure_logging
from .observability.requests import request_context
from .schemas import Answer
from .services import Services, build_services, ensure_index
from .settings import ProviderName, Settings, SettingsError, get_settings

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
    from .database import DatabaseUnavailable

    try:
        return build_services(settings)
    except (ProviderConfigError, DatabaseUnavailable) as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from error


WORKER_START_SECONDS = 60


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
    if host:
        # The app knows its address (MCP checks Host headers on loopback); workers are new
        # processes that read it from the environment.
        os.environ["APP_HOST"] = host
        settings = settings.model_copy(update={"host": host})
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
        host=settings.host,
        port=port or settings.port,
        log_config=None,
        access_log=False,
        # A new worker answers the supervisor's health check only once it has imported the
        # CLI module (pydantic-ai, FastAPI: seconds of CPU); at uvicorn's 5 s, workers
        # starting on busy cores were killed and restarted over and over. (A worker that
        # hangs is replaced after as long.)
        timeout_worker_healthcheck=WORKER_START_SECONDS,
    )


@app.command()
def ingest() -> None:
    """Index the configured sources: only new and changed documents are written, documents
    gone from the sources are removed."""
    from .database import DatabaseUnavailable
    from .retrieval.embeddings import EmbeddingFailed

    settings = _settings()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    try:
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task("reading sources", total=None)
            report = run_ingest(
                settings,
                on_document=lambda document: progress.update(
                    task, advance=1, description=document.source[-60:]
                ),
            )
    except (DatabaseUnavailable, ProviderConfigError) as error:
        err.print(f"[red]error:[/red] {error}", highlight=False)
        raise typer.Exit(2) from error
    except EmbeddingFailed as error:
        err.print(f"[red]error:[/red] {error}", highlight=False)
        raise typer.Exit(1) from error
    where = "PostgreSQL" if settings.index_backend == "postgres" else str(settings.index_path)
    out.print(
        f"{report.summary()}: {report.documents} documents, {report.chunks} chunks "
        f"in {report.seconds:.2f}s -> {where}",
        highlight=False,
    )
    for skipped in report.skipped:
        err.print(f"[yellow]skipped[/yellow] {skipped.source}: {skipped.reason}", highlight=False)


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


eval_app = typer.Typer(
    help="Run the golden dataset and gate on evals/thresholds.yaml (exit 1 naming each miss).",
    invoke_without_command=True,
)
app.add_typer(eval_app, name="eval")


@eval_app.callback()
def evaluate(
    ctx: typer.Context,
    provider: Annotated[
        ProviderName | None,
        typer.Option(help="Evaluate this configured provider instead of APP_LLM_PROVIDER."),
    ] = None,
    model: Annotated[str | None, typer.Option(help="Model name for --provider.")] = None,
    dataset: Annotated[Path, typer.Option(help="The golden cases.")] = Path("evals/dataset.yaml"),
    thresholds: Annotated[Path, typer.Option(help="The bars to clear.")] = Path(
        "evals/thresholds.yaml"
    ),
    reports: Annotated[Path, typer.Option(help="Folder for the JSON and HTML reports.")] = Path(
        "evals/reports"
    ),
    history: Annotated[Path, typer.Option(help="Earlier runs, one JSON line each.")] = Path(
        "evals/history.jsonl"
    ),
) -> None:
    """Evaluate the service on evals/dataset.yaml and gate on evals/thresholds.yaml."""
    from .evals.dataset import DatasetError
    from .evals.gate import EvalPaths, run_gate
    from .evals.thresholds import ThresholdsError
    from .llm.providers import DEFAULT_MODELS

    ctx.obj = EvalPaths(dataset, thresholds, reports, history)
    if ctx.invoked_subcommand is not None:
        return
    settings = _settings(quiet=True)
    if provider is not None:
        chosen = model or (settings.llm_model if provider == settings.llm_provider else "")
        settings = settings.model_copy(
            update={
                "llm_provider": provider,
                "llm_model": chosen or DEFAULT_MODELS[provider],
                "fallback_provider": "none",
            }
        )
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    try:
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task(f"evaluating {settings.llm_provider}", total=None)
            result = run_gate(
                settings,
                ctx.obj,
                on_start=lambda total: progress.update(task, total=total),
                on_case=lambda: progress.advance(task),
            )
    except (DatasetError, ThresholdsError, ProviderConfigError) as error:
        err.print(f"[red]error:[/red] {error}", highlight=False)
        raise typer.Exit(2) from error
    out.print(_verdict_table(result.report["metrics"]))
    out.print(f"Reports: {result.json_path} and {result.html_path}", highlight=False)
    if result.failed:
        for verdict in result.failed:
            value = verdict.measurement.value
            shown = "not measured" if value is None else f"{value:g}"
            bar = verdict.threshold.describe() if verdict.threshold else ""
            protects = verdict.threshold.protects if verdict.threshold else ""
            err.print(
                f"[red]FAIL[/red] {verdict.name} = {shown}, needs {bar} "
                f"({verdict.measurement.detail}). Protects: {protects}",
                highlight=False,
            )
        names = ", ".join(verdict.name for verdict in result.failed)
        err.print(f"[red]Eval gate failed:[/red] {names}", highlight=False)
        raise typer.Exit(1)
    out.print("[green]Eval gate passed.[/green]")


def _verdict_table(metrics: list[dict[str, object]]) -> Table:
    table = Table("metric", "value", "threshold", "status", "change")
    colours = {"pass": "green", "fail": "red", "skipped": "yellow"}
    for metric in metrics:
        value, change, status = metric["value"], metric["change"], str(metric["status"])
        table.add_row(
            str(metric["name"]),
            "-" if value is None else f"{value:g}",
            str(metric["threshold"] or "-"),
            f"[{colours.get(status, 'white')}]{status}[/]"
            + (f" ({metric['skipped']})" if metric["skipped"] else ""),
            "-" if change is None else f"{change:+g}",
        )
    return table


@eval_app.command("import-feedback")
def import_feedback(
    ctx: typer.Context,
    candidates: Annotated[Path, typer.Option(help="Where candidate cases go.")] = Path(
        "evals/candidates.yaml"
    ),
) -> None:
    """Turn corrections (rated down, or approved or edited in review) into candidate cases."""
    from .evals.candidates import import_feedback as run_import
    from .evals.dataset import DatasetError
    from .feedback import open_feedback_store
    from .review_store import open_review_store

    settings = _settings(quiet=True)
    try:
        result = run_import(
            open_feedback_store(settings),
            ctx.obj.dataset,
            candidates,
            open_review_store(settings),
        )
    except DatasetError as error:
        err.print(f"[red]error:[/red] {error}", highlight=False)
        raise typer.Exit(2) from error
    out.print(
        f"{len(result.added)} new candidate cases in {candidates}"
        f" ({result.already_known} corrections already have a case)."
        + (" Edit them, then run `eval accept NAME`." if result.added else ""),
        highlight=False,
    )


@eval_app.command("accept")
def accept_candidates(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None, typer.Argument(help="Cases to accept; none means all.")
    ] = None,
    candidates: Annotated[Path, typer.Option(help="Where candidate cases are.")] = Path(
        "evals/candidates.yaml"
    ),
) -> None:
    """Move candidate cases into the dataset."""
    from .evals.candidates import accept
    from .evals.dataset import DatasetError

    try:
        moved = accept(names or [], candidates, ctx.obj.dataset)
    except DatasetError as error:
        err.print(f"[red]error:[/red] {error}", highlight=False)
        raise typer.Exit(2) from error
    out.print(f"Accepted into {ctx.obj.dataset}: {', '.join(moved) or 'nothing'}", highlight=False)


@app.command()
def report(
    since: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="First day to count (YYYY-MM-DD); default: all."),
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    html: Annotated[
        Path | None, typer.Option(help="Also write the report, with charts, here.")
    ] = None,
) -> None:
    """Set what the service did (its own records) against GOALS.md."""
    from .feedback import open_feedback_store
    from .kpi import build_report, render_html, render_text

    settings = _settings(quiet=True)
    start = since.replace(tzinfo=UTC) if since else None
    records = open_feedback_store(settings).answer_records(start)
    kpi = build_report(records, start, datetime.now(UTC))
    if json:
        print(jsonlib.dumps(kpi.as_json(), indent=2, ensure_ascii=False))
    else:
        out.print(render_text(kpi), markup=False, highlight=False)
    if html:
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(render_html(kpi), encoding="utf-8")
        err.print(f"HTML report: {html}", highlight=False)


@app.command()
def mcp() -> None:
    """Serve the MCP tools (ask, search) and the documents over stdio, for desktop clients."""
    from .mcp_server import build_mcp_server

    # stdout carries the protocol: log lines go to stderr.
    settings = _settings(stream=sys.stderr)
    services = _services(settings)
    ensure_index(services)
    build_mcp_server(lambda: services).run("stdio")
