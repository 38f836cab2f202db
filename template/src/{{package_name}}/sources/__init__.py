"""Data sources: each yields the documents the service answers from.

A source is a module of this package named after its `data_sources` answer (files, web,
postgres, s3) with a function `load(settings)` that yields `Document`s and, for anything
it could not read, `Skipped` records; one bad document never stops a source.
"""

import importlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import structlog

from ..settings import Settings

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Document:
    """One source document. `source` is what a citation shows and names the document
    across runs: `data/faq.md`, `https://help.example.com/faq`, `s3://bucket/key`."""

    source: str
    title: str
    text: str


@dataclass(frozen=True)
class Skipped:
    """Something a source found but could not turn into a document, and why."""

    source: str
    reason: str


class SourceError(RuntimeError):
    """A whole source cannot be read (unreachable, refused); the message names the settings
    to check."""


Loader = Callable[[Settings], Iterable[Document | Skipped]]


def load_documents(
    settings: Settings, on_skip: Callable[[Skipped], None] | None = None
) -> Iterator[Document]:
    """Every document of GOALS.md and of each source in APP_DATA_SOURCES, in that order.

    What a source skips is logged and passed to `on_skip`, for the ingest summary.
    """
    from . import files

    loaders = [files.load_goals, *(loader(name) for name in settings.data_sources)]
    for load in loaders:
        for item in load(settings):
            if isinstance(item, Skipped):
                log.warning("document_skipped", source=item.source, reason=item.reason)
                if on_skip:
                    on_skip(item)
            else:
                yield item


def loader(name: str) -> Loader:
    """The `load` function of source `name`, imported only when that source is used: each
    needs its own dependencies (httpx, boto3, psycopg), installed only when chosen."""
    module = importlib.import_module(f"{__name__}.{name}")
    load: Loader = module.load
    return load
