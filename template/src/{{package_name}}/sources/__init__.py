"""Data sources: each yields the documents the service answers from."""

from collections.abc import Iterator
from dataclasses import dataclass

from ..settings import Settings


@dataclass(frozen=True)
class Document:
    """One source document. `source` is what a citation shows, e.g. `data/faq.md`."""

    source: str
    title: str
    text: str


def load_documents(settings: Settings) -> Iterator[Document]:
    """Every document of every configured source, GOALS.md first."""
    from . import files

    yield from files.load(settings)
    if settings.source_database_url is not None:
        from . import postgres

        yield from postgres.load(settings)
