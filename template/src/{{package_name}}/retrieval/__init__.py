"""Retrieval: chunking documents and searching them.

`Index` is the interface every backend implements (`sqlite_index`: an embedded file;
`postgres_index`: one database every replica shares); `open_index` picks the configured
one. An index knows each document's content hash, so ingestion rewrites only what changed,
and every change is one transaction: a reader sees the index before it or after it.
"""

from contextlib import AbstractContextManager
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


class IndexWriter(Protocol):
    """Changes to the index inside one transaction (see `Index.writer`)."""

    def document_hashes(self) -> dict[str, str]:
        """The content hash of every indexed document, by source, as this writer sees it
        (after any ingest that held the lock before it committed)."""

    def put(self, source: str, content_hash: str, chunks: list[Chunk]) -> None:
        """Make these chunks the whole content of the document `source`."""

    def remove(self, source: str) -> None:
        """Drop the document `source` and its chunks."""


class Index(Protocol):
    def writer(self) -> AbstractContextManager[IndexWriter]:
        """One transaction: committed when the block ends, rolled back if it raises.
        Searches meanwhile see the index as it was; one writer at a time."""

    def search(self, question: str, limit: int) -> list[Passage]:
        """The passages most relevant to the question, best first."""

    def chunk_count(self) -> int:
        """How many chunks are indexed; 0 when the index does not exist yet."""

    def documents(self) -> list[IndexedDocument]:
        """Every indexed document, by source."""

    def document_chunks(self, source: str) -> list[Chunk]:
        """The chunks of one document in order; empty when no document has that source."""

    def close(self) -> None:
        """Release connections."""


def open_index(settings: Settings) -> Index:
    """The index `APP_INDEX_BACKEND` names (the interview's `index_backend`)."""
    if settings.index_backend == "postgres":
        from .embeddings import build_embedder
        from .postgres_index import PostgresIndex

        return PostgresIndex(
            settings.require_database_url(),
            embedder=build_embedder(settings),
            min_similarity=settings.embedding_min_similarity,
        )
    from .sqlite_index import SqliteIndex

    return SqliteIndex(settings.index_path)
