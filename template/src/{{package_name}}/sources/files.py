"""Markdown and plain-text files under the data directory, plus GOALS.md."""

from collections.abc import Iterator
from pathlib import Path

import structlog

from ..settings import Settings
from . import Document

SUFFIXES = frozenset({".md", ".markdown", ".txt"})

log = structlog.get_logger(__name__)


def load(settings: Settings) -> Iterator[Document]:
    if settings.goals_file.is_file():
        yield read_document(settings.goals_file)
    else:
        log.warning("goals_file_missing", path=str(settings.goals_file))
    if not settings.data_dir.is_dir():
        log.warning("data_dir_missing", path=str(settings.data_dir))
        return
    for path in sorted(settings.data_dir.rglob("*")):
        relative = path.relative_to(settings.data_dir)
        if path.is_file() and path.suffix.lower() in SUFFIXES and not _hidden(relative):
            yield read_document(path)


def read_document(path: Path) -> Document:
    text = path.read_text(encoding="utf-8", errors="replace")
    return Document(source=_display_path(path), title=_title(text, path), text=text)


def _display_path(path: Path) -> str:
    """The path a citation shows: relative to the working directory when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _title(text: str, path: Path) -> str:
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem.replace("-", " ").replace("_", " ").capitalize()


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)
