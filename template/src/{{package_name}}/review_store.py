"""Review decisions: who approved, edited or rejected which answer, when, and why.

`ReviewStore` is the interface; `SqliteReviewStore` keeps the decisions in one file under
the state directory (`PostgresReviewStore`: in APP_DATABASE_URL, index_backend postgres).
The SQLite schema is versioned: `MIGRATIONS` are applied in order, each
once, inside a transaction, so a database written by an older release of this project is
upgraded in place with its rows kept. A change to the schema is a new entry at the end;
released entries are never edited, and each only adds (a table, a column, an index), so
an older release still reads and writes an upgraded file.
"""

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, Protocol

from .settings import Settings
from .sqlite_connections import SqliteConnections

Action = Literal["approve", "edit", "reject"]

MIGRATIONS: tuple[str, ...] = (
    # 1: the first release: one row a decision.
    """
    CREATE TABLE reviews (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        request_id TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('approve', 'edit', 'reject')),
        note TEXT NOT NULL DEFAULT ''
    );
    """,
    # 2: an edit keeps the reviewer's corrected answer; the queue looks decisions up by answer.
    """
    ALTER TABLE reviews ADD COLUMN correction TEXT;
    CREATE INDEX reviews_by_request ON reviews (request_id);
    """,
)


@dataclass(frozen=True)
class ReviewDecision:
    request_id: str
    decided_at: datetime
    reviewer: str
    action: Action
    note: str
    correction: str | None


class ReviewStore(Protocol):
    def add(self, decision: ReviewDecision) -> None:
        """Keep one decision; a later decision on the same answer supersedes it."""

    def latest(self) -> dict[str, ReviewDecision]:
        """The latest decision on each answer that has one, by request_id."""


class SqliteReviewStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._connections = SqliteConnections(path)
        migrate(self._connections.get())

    def add(self, decision: ReviewDecision) -> None:
        with self._connections.get() as db:
            db.execute(
                "INSERT INTO reviews (request_id, decided_at, reviewer, action, note, correction) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    decision.request_id,
                    decision.decided_at.astimezone(UTC).isoformat(timespec="milliseconds"),
                    decision.reviewer,
                    decision.action,
                    decision.note,
                    decision.correction,
                ),
            )

    def latest(self) -> dict[str, ReviewDecision]:
        with self._connections.get() as db:
            rows = db.execute(
                "SELECT request_id, decided_at, reviewer, action, note, correction FROM reviews "
                "WHERE id IN (SELECT max(id) FROM reviews GROUP BY request_id)"
            ).fetchall()
        return {
            row[0]: ReviewDecision(
                request_id=row[0],
                decided_at=datetime.fromisoformat(row[1]),
                reviewer=row[2],
                action=row[3],
                note=row[4],
                correction=row[5],
            )
            for row in rows
        }


def schema_version(db: sqlite3.Connection) -> int:
    db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = db.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(db: sqlite3.Connection, target: int = len(MIGRATIONS)) -> int:
    """Apply the migrations the database lacks, up to `target`; the version it is at after.

    Each runs in its own transaction with its version row, so a failure leaves the
    database at the last version that completed. Several processes may start at once:
    the write lock is taken before the version is read."""
    previous = db.isolation_level
    db.isolation_level = None  # transactions are managed here, statement by statement
    try:
        version = schema_version(db)
        for number in range(version + 1, target + 1):
            db.execute("BEGIN IMMEDIATE")
            try:
                if schema_version(db) >= number:  # another process got there first
                    db.execute("COMMIT")
                    continue
                for statement in MIGRATIONS[number - 1].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return schema_version(db)
    finally:
        db.isolation_level = previous


def open_review_store(settings: Settings) -> ReviewStore:
    """SQLite in the state directory, or PostgreSQL (index_backend postgres) shared by every
    replica, like the feedback store."""
    if settings.index_backend == "postgres":
        return PostgresReviewStore(settings.require_database_url(), settings.database_pool_size)
    return SqliteReviewStore(settings.reviews_path)


# Every statement only adds (CREATE ... IF NOT EXISTS), as MIGRATIONS do for SQLite.
_POSTGRES_SCHEMA = """
CREATE TABLE IF NOT EXISTS reviews (
    id bigserial PRIMARY KEY,
    request_id text NOT NULL,
    decided_at timestamptz NOT NULL,
    reviewer text NOT NULL,
    action text NOT NULL CHECK (action IN ('approve', 'edit', 'reject')),
    note text NOT NULL DEFAULT '',
    correction text
);
CREATE INDEX IF NOT EXISTS reviews_by_request ON reviews (request_id);
"""


class PostgresReviewStore:
    def __init__(self, url: str, pool_size: int = 10) -> None:
        from .database import connection_pool, ensure_schema

        self._pool = connection_pool(url, pool_size)
        ensure_schema(self._pool, _POSTGRES_SCHEMA, "review-schema")

    def add(self, decision: ReviewDecision) -> None:
        with self._pool.connection() as db:
            db.execute(
                "INSERT INTO reviews (request_id, decided_at, reviewer, action, note, correction) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                (
                    decision.request_id,
                    decision.decided_at.astimezone(UTC),
                    decision.reviewer,
                    decision.action,
                    decision.note,
                    decision.correction,
                ),
            )

    def latest(self) -> dict[str, ReviewDecision]:
        with self._pool.connection() as db:
            rows = db.execute(
                "SELECT DISTINCT ON (request_id) request_id, decided_at, reviewer, action, note, "
                "correction FROM reviews ORDER BY request_id, id DESC"
            ).fetchall()
        return {
            row[0]: ReviewDecision(
                request_id=row[0],
                decided_at=row[1],
                reviewer=row[2],
                action=row[3],
                note=row[4],
                correction=row[5],
            )
            for row in rows
        }
