"""The shared index: PostgreSQL full-text search, one database for every replica.

Chunks carry a tsvector of the terms text.py makes (already stemmed, so the `simple`
configuration only splits them), with a GIN index; the title weighs more than the text.
An ingest is one transaction: replicas keep answering from the committed index meanwhile.

With an embedder (APP_EMBEDDING_MODEL), search is hybrid: chunks also carry a pgvector
embedding with an HNSW index, the question is embedded too, and the full-text and the
nearest-neighbour rankings are fused (reciprocal rank fusion), so a question worded unlike
the documents still finds them. Only chunks without an embedding from the current model
are embedded, inside the ingest's transaction: a provider failure changes nothing. A
question whose embedding fails is answered from full-text search alone.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import structlog
from psycopg import Connection, OperationalError, errors
from psycopg_pool import ConnectionPool, PoolTimeout

from ..database import DatabaseUnavailable, connection_pool, ensure_schema
from ..text import terms
from . import Chunk, IndexedDocument, Passage
from .embeddings import EmbeddingConfigError, EmbeddingFailed, TextEmbedder, vector_literal

log = structlog.get_logger(__name__)

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
# Hybrid search: each ranking offers this many candidates (pgvector's HNSW scan returns
# hnsw.ef_search, 40 by default, at most); RRF_K damps the weight of the very first places.
CANDIDATES = 40
RRF_K = 60
# The ranks are fused; the score shown is the better of the full-text rank and the cosine
# similarity, both in [0, 1). A passage found by its embedding alone needs min_similarity.
_HYBRID_SEARCH = """
WITH lexical AS (
    SELECT id, rank, row_number() OVER (ORDER BY rank DESC, id) AS place
    FROM (
        SELECT id, ts_rank(terms, query, 32) AS rank
        FROM index_chunks, to_tsquery('simple', %(query)s) AS query
        WHERE terms @@ query
        ORDER BY rank DESC, id
        LIMIT %(candidates)s
    ) AS matched
),
semantic AS (
    SELECT id, 1 - distance AS similarity, row_number() OVER (ORDER BY distance, id) AS place
    FROM (
        SELECT id, embedding <=> %(vector)s::vector AS distance
        FROM index_chunks
        WHERE embedding_model = %(model)s
        ORDER BY embedding <=> %(vector)s::vector
        LIMIT %(candidates)s
    ) AS nearest
)
SELECT c.source, c.title, c.position, c.text,
       least(greatest(coalesce(l.rank, 0), coalesce(s.similarity, 0)), 0.9999) AS score
FROM lexical AS l
FULL JOIN semantic AS s USING (id)
JOIN index_chunks AS c USING (id)
WHERE l.id IS NOT NULL OR s.similarity >= %(min_similarity)s
ORDER BY coalesce(1.0 / (%(rrf_k)s + l.place), 0) + coalesce(1.0 / (%(rrf_k)s + s.place), 0)
         DESC, id
LIMIT %(limit)s
"""
_PENDING_EMBEDDINGS = """
SELECT id, title, text FROM index_chunks
WHERE id > %s AND embedding_model IS DISTINCT FROM %s
ORDER BY id
LIMIT %s
"""
# Chunks read and embedded at a time while ingesting: memory stays bounded however many.
PAGE_SIZE = 512
_SET_EMBEDDING = """
UPDATE index_chunks SET embedding = %s::vector, embedding_model = %s WHERE id = %s
"""
# One ingest at a time: a second one waits for the first to commit.
_WRITER_LOCK = "index-writer"


class PostgresIndex:
    def __init__(
        self,
        url: str,
        pool_size: int = 10,
        embedder: TextEmbedder | None = None,
        min_similarity: float = 0.0,
    ) -> None:
        self._pool = connection_pool(url, pool_size)
        ensure_schema(self._pool, _SCHEMA, "index-schema")
        self._embedder = embedder
        self._min_similarity = min_similarity
        if embedder:
            add_embeddings(self._pool, embedder.dimensions)

    @contextmanager
    def writer(self) -> Iterator["PostgresIndexWriter"]:
        with self._pool.connection() as db, db.transaction():
            db.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (_WRITER_LOCK,))
            yield PostgresIndexWriter(db)
            if self._embedder:
                embed_pending_chunks(db, self._embedder)

    def search(self, question: str, limit: int) -> list[Passage]:
        query = tsquery(question)
        vector = self._question_vector(question) if self._embedder else None
        if vector is not None and self._embedder:
            parameters = {
                "query": query,
                "vector": vector_literal(vector),
                "model": self._embedder.name,
                "candidates": max(CANDIDATES, limit),
                "min_similarity": self._min_similarity,
                "rrf_k": RRF_K,
                "limit": limit,
            }
            with self._pool.connection() as db:
                rows = db.execute(_HYBRID_SEARCH, parameters).fetchall()
        elif not query:
            return []
        else:
            with self._pool.connection() as db:
                rows = db.execute(_SEARCH, (query, limit)).fetchall()
        return [
            Passage(
                chunk=Chunk(source=source, title=title, position=position, text=text),
                score=round(float(rank), 4),
            )
            for source, title, position, text, rank in rows
        ]

    def _question_vector(self, question: str) -> list[float] | None:
        """None when the provider fails: the question is answered from full-text search."""
        assert self._embedder is not None
        try:
            return self._embedder.query(question)
        except EmbeddingFailed as error:
            log.warning("question_embedding_failed", error=str(error), fallback="full-text")
            return None

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


def add_embeddings(pool: ConnectionPool, dimensions: int) -> None:
    """The embedding columns and their HNSW index; raises EmbeddingConfigError saying what
    to do when the server lacks pgvector. A changed vector size drops the old vectors: the
    next ingest embeds every chunk again."""
    with pool.connection() as db, db.transaction():
        db.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", ("index-schema",))
        row = db.execute(
            "SELECT installed_version FROM pg_available_extensions WHERE name = 'vector'"
        ).fetchone()
        if row is None:
            raise EmbeddingConfigError(
                "APP_EMBEDDING_MODEL is set, but the PostgreSQL server of APP_DATABASE_URL "
                "has no pgvector extension: install it on the server (the pgvector/pgvector "
                "image, the postgresql-NN-pgvector package, or your cloud's pgvector option), "
                "or leave APP_EMBEDDING_MODEL empty for full-text search alone."
            )
        if row[0] is None:
            try:
                with db.transaction():
                    db.execute("CREATE EXTENSION IF NOT EXISTS vector")
            except errors.InsufficientPrivilege as error:
                raise EmbeddingConfigError(
                    "APP_EMBEDDING_MODEL is set, but the vector extension is not created in "
                    "the database of APP_DATABASE_URL and its user may not create it: run "
                    "CREATE EXTENSION vector; in that database as its owner or a superuser."
                ) from error
        current = db.execute(
            "SELECT atttypmod FROM pg_attribute WHERE attrelid = 'index_chunks'::regclass "
            "AND attname = 'embedding' AND NOT attisdropped"
        ).fetchone()
        if current is not None and current[0] != dimensions:
            log.warning("embedding_dimensions_changed", old=current[0], new=dimensions)
            db.execute("ALTER TABLE index_chunks DROP COLUMN embedding")
            db.execute("UPDATE index_chunks SET embedding_model = NULL")
        # `dimensions` is an int the settings bound to 2..2000: no text reaches the statement.
        column = f"embedding vector({dimensions:d})"
        db.execute(f"ALTER TABLE index_chunks ADD COLUMN IF NOT EXISTS {column}".encode())
        db.execute("ALTER TABLE index_chunks ADD COLUMN IF NOT EXISTS embedding_model text")
        db.execute(
            "CREATE INDEX IF NOT EXISTS index_chunks_embedding "
            "ON index_chunks USING hnsw (embedding vector_cosine_ops)"
        )


def embed_pending_chunks(db: Connection, embedder: TextEmbedder) -> None:
    """Embed every chunk this model has not embedded yet: the ones just written, and all of
    them when the model changed, a page at a time. Raises EmbeddingFailed; the ingest then
    rolls back."""
    embedded, after = 0, 0
    while True:
        page = db.execute(_PENDING_EMBEDDINGS, (after, embedder.name, PAGE_SIZE)).fetchall()
        if not page:
            break
        # A chunk's text starts with its section's heading; one from further down gets it.
        texts = [text if title in text else f"{title}\n\n{text}" for _, title, text in page]
        try:
            vectors = embedder.documents(texts)
        except EmbeddingFailed as error:
            raise EmbeddingFailed(
                f"Embedding the new chunks failed ({error}). Nothing was changed: the index "
                "is as it was before this ingest. Run it again once the provider answers, "
                "or leave APP_EMBEDDING_MODEL empty for full-text search alone."
            ) from error
        with db.cursor() as cursor:
            cursor.executemany(
                _SET_EMBEDDING,
                [
                    (vector_literal(vector), embedder.name, chunk_id)
                    for (chunk_id, _, _), vector in zip(page, vectors, strict=True)
                ],
            )
        embedded, after = embedded + len(page), page[-1][0]
    if embedded:
        log.info("chunks_embedded", chunks=embedded, model=embedder.name)
