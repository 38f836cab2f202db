"""Retrieval: chunking documents and searching them.

`Index` is the interface every backend implements; `open_index` picks the configured one.
"""

from dataclasses import dataclass
from typing import Protocol

from ..settings import Settings


@dataclass(frozen=True)
class Chunk:
    """A piece of a document small enough to quote, with where it came from."""

    source: str
    title: str
    position: int
    text: str


@dataclass(frozen=True)
class Passage:
    """A chunk retrieved for a question, with its relevance score in [0, 1)."""

    chunk: Chunk
    score: float
    # Set by the passage guardrail when the text tries to instruct the model.
    untrusted: bool = False


@dataclass(frozen=True)
class IndexedDocument:
    """One document as the index holds it: where it came from, its title, its chunk count."""

    source: str
    title: str
    chunks: int


class Index(Protocol):
    def replace_all(self, chunks: list[Chunk]) -> None:
        """Make these chunks the whole content of the index, atomically."""

    def search(self, question: str, limit: int) -> list[Passage]:
        """The passages most relevant to the question, best first."""

    def chunk_count(self) -> int:
        """How many chunks are indexed; 0 when the index does not exist yet."""

    def documents(self) -> list[IndexedDocument]:
        """Every indexed document, by source."""

    def document_chunks(self, source: str) -> list[Chunk]:
        """The chunks of one document in order; empty when no document has that source."""


def open_index(settings: Settings) -> Index:
    from .sqlite_index import SqliteIndex

    return SqliteIndex(settings.index_path)
