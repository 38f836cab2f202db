"""The shared index: PostgreSQL full-text search, one database for every replica.

Chunks carry a tsvector of the terms text.py makes (already stemmed, so the `simple`
configuration only splits them), with a GIN index; the title weighs more than the text.
An ingest is one transaction: replicas keep answering from the committed index meanwhile.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from psycopg import Connection, OperationalError
from psycopg_pool import PoolTimeout

from ..database import DatabaseUnavailable, connection_pool, ensure_schema
from ..text import terms
from . import Chunk, IndexedDocument, Passage

_SCHEMA = """
CREATE TABLE IF NOT EXISTS index_documents (
    source text PRIMARY KEY,
    content_hash text NOT NULL,
    indexed_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS index_chunks (
    id bigserial PRIMARY KEY,
    source text NOT NULL REFERENCES index_documents (source) ON DELETE CASCADE,
    title text NOT NULL,
    position integer NOT NULL,
    text text NOT NULL,
    terms tsvector NOT NULL
);
CREATE INDEX IF NOT EXISTS index_chunks_terms ON index_chunks USING gin (terms);
CREATE INDEX IF NOT EXISTS index_chunks_source ON index_chunks (source);
"""
# Normalization 32 maps the rank onto [0, 1): rank / (rank + 1).
_SEARCH = """
SELECT source, title, position, text, ts_rank(terms, query, 32) AS rank
FROM index_chunks, to_tsquery('simple', %s) AS query
WHERE terms @@ query
ORDER BY rank DESC, id
LIMIT %s
"""
_INSERT_CHUNK = """
INSERT INTO index_chunks (source, title, position, text, terms)
VALUES (%s, %s, %s, %s,
        setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B'))
"""
# A document's title is its first chunk's: later chunks carry their section's title.
_DOCUMENTS = """
SELECT DISTINCT ON (source) source, title, count(*) OVER (PARTITION BY source)
FROM index_chunks ORDER BY source, position
"""
_DOCUMENT_CHUNKS = """
SELECT source, title, position, text FROM index_chunks WHERE source = %s ORDER BY position
"""
# One ingest at a time: a second one waits for the first to commit.
_WRITER_LOCK = "index-writer"


class PostgresIndex:
    def __init__(self, url: str, pool_size: int = 10) -> None:
        self._pool = connection_pool(url, pool_size)
        ensure_schema(self._pool, _SCHEMA, "index-schema")

    @contextmanager
    def writer(self) -> Iterator["PostgresIndexWriter"]:
        with self._pool.connection() as db, db.transaction():
            db.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (_WRITER_LOCK,))
            yield PostgresIndexWriter(db)

    def search(self, question: str, limit: int) -> list[Passage]:
        query = tsquery(question)
        if not query:
            return []
        with self._pool.connection() as db:
            rows = db.execute(_SEARCH, (query, limit)).fetchall()
        return [
            Passage(
                chunk=Chunk(source=source, title=title, position=position, text=text),
                score=round(float(rank), 4),
            )
            for source, title, position, text, rank in rows
        ]

    def chunk_count(self) -> int:
        """Raises DatabaseUnavailable when the database cannot be reached (readiness)."""
        try:
            with self._pool.connection() as db:
                row = db.execute("SELECT count(*) FROM index_chunks").fetchone()
        except (OperationalError, PoolTimeout) as error:
            raise DatabaseUnavailable(f"PostgreSQL is unreachable: {error}") from error
        return int(row[0]) if row else 0

    def documents(self) -> list[IndexedDocument]:
        with self._pool.connection() as db:
            rows = db.execute(_DOCUMENTS).fetchall()
        return [IndexedDocument(source, title, int(chunks)) for source, title, chunks in rows]

    def document_chunks(self, source: str) -> list[Chunk]:
        with self._pool.connection() as db:
            rows = db.execute(_DOCUMENT_CHUNKS, (source,)).fetchall()
        return [Chunk(source, title, position, text) for source, title, position, text in rows]

    def close(self) -> None:
        """The pool is the process's, shared with the stores: closed when the process ends."""


class PostgresIndexWriter:
    def __init__(self, db: Connection) -> None:
        self._db = db

    def document_hashes(self) -> dict[str, str]:
        rows = self._db.execute("SELECT source, content_hash FROM index_documents").fetchall()
        return {source: content_hash for source, content_hash in rows}

    def put(self, source: str, content_hash: str, chunks: list[Chunk]) -> None:
        # A savepoint: a document that fails half-written leaves no trace in the transaction.
        with self._db.transaction(), self._db.cursor() as cursor:
            self.remove(source)
            cursor.execute(
                "INSERT INTO index_documents (source, content_hash) VALUES (%s, %s)",
                (source, content_hash),
            )
            cursor.executemany(
                _INSERT_CHUNK,
                [
                    (
                        source,
                        chunk.title,
                        chunk.position,
                        chunk.text,
                        " ".join(terms(chunk.title)),
                        " ".join(terms(chunk.text)),
                    )
                    for chunk in chunks
                ],
            )

    def remove(self, source: str) -> None:
        # Its chunks go with it (ON DELETE CASCADE).
        self._db.execute("DELETE FROM index_documents WHERE source = %s", (source,))


def tsquery(question: str) -> str:
    """A tsquery matching any of the question's terms; each is quoted, so user text never
    becomes query syntax."""
    return " | ".join(f"'{term}'" for term in dict.fromkeys(terms(question)))
