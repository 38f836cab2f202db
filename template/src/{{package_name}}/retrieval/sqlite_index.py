"""The embedded index: SQLite FTS5 full-text search with BM25 ranking."""

import os
import sqlite3
from contextlib import closing
from pathlib import Path

from ..text import STOPWORDS, words
from . import Chunk, IndexedDocument, Passage

_SCHEMA = """
CREATE VIRTUAL TABLE chunks USING fts5(
    source UNINDEXED,
    title,
    position UNINDEXED,
    text,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
"""
# A title match counts twice as much as a text match.
_SEARCH = """
SELECT source, title, position, text, bm25(chunks, 0.0, 2.0, 0.0, 1.0) AS rank
FROM chunks WHERE chunks MATCH ? ORDER BY rank LIMIT ?
"""
# A document's title is its first chunk's: later chunks carry their section's title.
_DOCUMENTS = """
SELECT source, (SELECT title FROM chunks AS first WHERE first.source = chunks.source
                ORDER BY CAST(position AS INTEGER) LIMIT 1), count(*)
FROM chunks GROUP BY source ORDER BY source
"""
_DOCUMENT_CHUNKS = """
SELECT source, title, position, text FROM chunks WHERE source = ?
ORDER BY CAST(position AS INTEGER)
"""


class SqliteIndex:
    def __init__(self, path: Path) -> None:
        self.path = path

    def replace_all(self, chunks: list[Chunk]) -> None:
        """Build the new index beside the old one, then swap it in: readers never see half."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        building = self.path.with_name(f"{self.path.name}.{os.getpid()}.building")
        building.unlink(missing_ok=True)
        with closing(sqlite3.connect(building)) as db, db:
            db.executescript(_SCHEMA)
            db.executemany(
                "INSERT INTO chunks (source, title, position, text) VALUES (?, ?, ?, ?)",
                [(c.source, c.title, c.position, c.text) for c in chunks],
            )
        os.replace(building, self.path)

    def search(self, question: str, limit: int) -> list[Passage]:
        query = _match_query(question)
        if not query or not self.path.exists():
            return []
        with closing(self._connect_read_only()) as db:
            rows = db.execute(_SEARCH, (query, limit)).fetchall()
        return [
            Passage(
                chunk=Chunk(source=source, title=title, position=int(position), text=text),
                score=_relevance(rank),
            )
            for source, title, position, text, rank in rows
        ]

    def chunk_count(self) -> int:
        if not self.path.exists():
            return 0
        with closing(self._connect_read_only()) as db:
            try:
                (count,) = db.execute("SELECT count(*) FROM chunks").fetchone()
            except sqlite3.DatabaseError:
                return 0
        return int(count)

    def documents(self) -> list[IndexedDocument]:
        if not self.path.exists():
            return []
        with closing(self._connect_read_only()) as db:
            rows = db.execute(_DOCUMENTS).fetchall()
        return [IndexedDocument(source, title, int(chunks)) for source, title, chunks in rows]

    def document_chunks(self, source: str) -> list[Chunk]:
        if not self.path.exists():
            return []
        with closing(self._connect_read_only()) as db:
            rows = db.execute(_DOCUMENT_CHUNKS, (source,)).fetchall()
        return [Chunk(source, title, int(position), text) for source, title, position, text in rows]

    def _connect_read_only(self) -> sqlite3.Connection:
        return sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)


def _match_query(question: str) -> str:
    """An FTS5 query matching any meaningful word; quoting keeps user text out of the syntax."""
    terms = dict.fromkeys(w.lower() for w in words(question) if w.lower() not in STOPWORDS)
    return " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)


def _relevance(bm25_rank: float) -> float:
    """Map FTS5's BM25 rank (more negative is better) onto [0, 1)."""
    strength = max(-bm25_rank, 0.0)
    return round(strength / (1.0 + strength), 4)
