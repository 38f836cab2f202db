"""The embedded index: SQLite FTS5 full-text search with BM25 ranking, in one file.

FTS5 indexes the terms text.py makes (stemmed in Python, split by the plain unicode61
tokenizer), so a question matches exactly what the Postgres backend would match. The
file is in WAL mode: an ingest writes in one transaction while searches keep reading the
last committed index.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..sqlite_connections import SqliteConnections
from ..text import terms
from . import Chunk, IndexedDocument, Passage

# Bumped when the layout changes: an older index is dropped and ingested again.
_VERSION = 2
_SCHEMA = """
CREATE TABLE documents (
    source TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL
);
CREATE TABLE chunks (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL REFERENCES documents (source),
    title TEXT NOT NULL,
    position INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX chunks_by_source ON chunks (source);
CREATE VIRTUAL TABLE chunk_terms USING fts5(
    title, text, tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE chunk_terms_vocabulary USING fts5vocab(chunk_terms, 'row');
"""
# The FTS table ranks and limits first; only the best rows are joined. The score is BM25
# with a title match counting twice as much as a text match. Calling bm25() here, rather
# than ordering by a rank column configured to it, scores each match once and keeps only
# the best LIMIT rows while sorting (FTS5's rank order scores a row twice and sorts every
# match: the same rows, about a third more CPU). Equal scores go by rowid.
_SEARCH = """
SELECT c.source, c.title, c.position, c.text, best.score
FROM (
    SELECT rowid, bm25(chunk_terms, 2.0, 1.0) AS score FROM chunk_terms
    WHERE chunk_terms MATCH ? ORDER BY score, rowid LIMIT ?
) AS best
JOIN chunks AS c ON c.id = best.rowid
ORDER BY best.score, best.rowid
"""
# A document's title is its first chunk's: later chunks carry their section's title.
_DOCUMENTS = """
SELECT source, (SELECT title FROM chunks AS first WHERE first.source = chunks.source
                ORDER BY position LIMIT 1), count(*)
FROM chunks GROUP BY source ORDER BY source
"""
_DOCUMENT_CHUNKS = """
SELECT source, title, position, text FROM chunks WHERE source = ? ORDER BY position
"""


class SqliteIndex:
    def __init__(self, path: Path) -> None:
        self.path = path
        # Ingestion may hold the write lock for a while; another writer waits for it.
        self._connections = SqliteConnections(path, busy_timeout_seconds=600.0)
        self._ready = False
        # Per connection: the data_version they were read at, and the chunk count and each
        # term's chunk count then (questions repeat their terms).
        self._statistics: dict[int, _Statistics] = {}

    @contextmanager
    def writer(self) -> Iterator["SqliteIndexWriter"]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            self._create_schema(db)
            yield SqliteIndexWriter(db)
        except BaseException:
            db.rollback()
            raise
        db.commit()
        self._ready = True
        # data_version only moves for other connections' commits: forget this one's counts.
        self._statistics.clear()

    def search(self, question: str, limit: int) -> list[Passage]:
        wanted = list(dict.fromkeys(terms(question)))
        if not wanted or not self._exists():
            return []
        db = self._db()
        rows = db.execute(_SEARCH, (match_query(self._weighty(db, wanted)), limit)).fetchall()
        return [
            Passage(
                chunk=Chunk(source=source, title=title, position=int(position), text=text),
                score=_relevance(score),
            )
            for source, title, position, text, score in rows
        ]

    def chunk_count(self) -> int:
        if not self._exists():
            return 0
        (count,) = self._db().execute("SELECT count(*) FROM chunks").fetchone()
        return int(count)

    def documents(self) -> list[IndexedDocument]:
        if not self._exists():
            return []
        rows = self._db().execute(_DOCUMENTS).fetchall()
        return [IndexedDocument(source, title, int(chunks)) for source, title, chunks in rows]

    def document_chunks(self, source: str) -> list[Chunk]:
        if not self._exists():
            return []
        rows = self._db().execute(_DOCUMENT_CHUNKS, (source,)).fetchall()
        return [Chunk(source, title, int(position), text) for source, title, position, text in rows]

    def close(self) -> None:
        self._connections.close()
        self._statistics.clear()

    def _weighty(self, db: sqlite3.Connection, wanted: list[str]) -> list[str]:
        """The terms that can move the ranking. BM25 gives a term in half the chunks or more
        no weight (FTS5 floors its IDF at ~0), yet matching it means ranking nearly every
        chunk: it is left out of the query unless no rarer term of the question is indexed."""
        statistics = self._current_statistics(db)
        in_chunks = statistics.term_chunks
        unknown = [term for term in wanted if term not in in_chunks]
        if unknown:
            # fts5vocab counts a term's chunks by reading its whole posting list: once a
            # term per committed version, not once a question.
            if len(in_chunks) + len(unknown) > _MAX_CACHED_TERMS:
                in_chunks.clear()
            marks = ",".join("?" * len(unknown))
            in_chunks.update(dict.fromkeys(unknown, 0))
            in_chunks.update(
                db.execute(
                    f"SELECT term, doc FROM chunk_terms_vocabulary WHERE term IN ({marks})",  # noqa: S608 - placeholders only
                    unknown,
                ).fetchall()
            )
        present = [term for term in wanted if in_chunks.get(term, 0) > 0]
        weighty = [term for term in present if in_chunks[term] * 2 < statistics.chunks]
        return weighty or present or wanted

    def _current_statistics(self, db: sqlite3.Connection) -> "_Statistics":
        """This connection's counts, read again only after a commit (PRAGMA data_version)."""
        (version,) = db.execute("PRAGMA data_version").fetchone()
        cached = self._statistics.get(id(db))
        if cached is None or cached.version != version:
            (count,) = db.execute("SELECT count(*) FROM chunks").fetchone()
            cached = self._statistics[id(db)] = _Statistics(version, int(count), {})
        return cached

    def _db(self) -> sqlite3.Connection:
        return self._connections.get()

    def _exists(self) -> bool:
        """True once the file holds the current layout (searching never creates it)."""
        if not self._ready and self.path.exists():
            (version,) = self._db().execute("PRAGMA user_version").fetchone()
            self._ready = version == _VERSION
        return self._ready

    def _create_schema(self, db: sqlite3.Connection) -> None:
        (version,) = db.execute("PRAGMA user_version").fetchone()
        if version == _VERSION:
            return
        # An older layout (or none): start over; the next ingest fills it again. Dropping
        # the FTS table (version 1 named it chunks) drops its shadow tables too.
        for table in ("chunk_terms_vocabulary", "chunk_terms", "chunks", "documents"):
            db.execute(f"DROP TABLE IF EXISTS {table}")
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {_VERSION}")


@dataclass
class _Statistics:
    version: int
    chunks: int
    term_chunks: dict[str, int]


# Distinct question terms whose chunk counts are kept between commits.
_MAX_CACHED_TERMS = 50_000


class SqliteIndexWriter:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def document_hashes(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT source, content_hash FROM documents").fetchall())

    def put(self, source: str, content_hash: str, chunks: list[Chunk]) -> None:
        # A savepoint: a document that fails half-written leaves no trace in the transaction.
        self._db.execute("SAVEPOINT document")
        try:
            self.remove(source)
            self._db.execute(
                "INSERT INTO documents (source, content_hash) VALUES (?, ?)",
                (source, content_hash),
            )
            for chunk in chunks:
                cursor = self._db.execute(
                    "INSERT INTO chunks (source, title, position, text) VALUES (?, ?, ?, ?)",
                    (source, chunk.title, chunk.position, chunk.text),
                )
                self._db.execute(
                    "INSERT INTO chunk_terms (rowid, title, text) VALUES (?, ?, ?)",
                    (cursor.lastrowid, " ".join(terms(chunk.title)), " ".join(terms(chunk.text))),
                )
        except BaseException:
            self._db.execute("ROLLBACK TO document")
            raise
        finally:
            self._db.execute("RELEASE document")

    def remove(self, source: str) -> None:
        self._db.execute(
            "DELETE FROM chunk_terms WHERE rowid IN (SELECT id FROM chunks WHERE source = ?)",
            (source,),
        )
        self._db.execute("DELETE FROM chunks WHERE source = ?", (source,))
        self._db.execute("DELETE FROM documents WHERE source = ?", (source,))


def match_query(wanted: list[str]) -> str:
    """An FTS5 query matching any of these terms; quoting keeps user text out of the query
    syntax."""
    return " OR ".join('"' + term.replace('"', '""') + '"' for term in wanted)


def _relevance(bm25_rank: float) -> float:
    """Map FTS5's BM25 rank (more negative is better) onto [0, 1)."""
    strength = max(-bm25_rank, 0.0)
    return round(strength / (1.0 + strength), 4)
