"""Files under the data directory (Markdown, text, HTML and PDF), and GOALS.md.

Hidden files and folders are not read; any other file is skipped with the reason.
"""

from collections.abc import Iterator
from pathlib import Path

import structlog

from ..settings import Settings
from . import Document, Skipped
from .formats import format_of, to_document, unsupported_reason

log = structlog.get_logger(__name__)


def load_goals(settings: Settings) -> Iterator[Document | Skipped]:
    """GOALS.md, read whichever sources are chosen: the service answers about its own case."""
    if settings.goals_file.is_file():
        yield read_document(settings.goals_file)
    else:
        log.warning("goals_file_missing", path=str(settings.goals_file))


def load(settings: Settings) -> Iterator[Document | Skipped]:
    if not settings.data_dir.is_dir():
        log.warning("data_dir_missing", path=str(settings.data_dir))
        return
    for path in sorted(settings.data_dir.rglob("*")):
        relative = path.relative_to(settings.data_dir)
        if path.is_file() and not _hidden(relative):
            yield read_document(path)


def read_document(path: Path) -> Document | Skipped:
    source = _display_path(path)
    form = format_of(path.name)
    if form is None:
        return Skipped(source, unsupported_reason(path.name))
    try:
        data = path.read_bytes()
    except OSError as error:
        return Skipped(source, f"could not be read: {error.strerror or error}")
    return to_document(source, path.name, data, form)


def _display_path(path: Path) -> str:
    """The path a citation shows: relative to the working directory when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)
