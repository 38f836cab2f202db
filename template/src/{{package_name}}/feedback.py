"""Feedback and the review queue: every answer is kept, so people can rate and correct it.

Answers below the review threshold, and answers rated down, form the review queue.
`FeedbackStore` is the interface: `SqliteFeedbackStore` keeps it in a file in the state
directory; `PostgresFeedbackStore` in APP_DATABASE_URL, shared by every replica.
`open_feedback_store` picks the one the index backend implies.
"""

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from .errors import NotFound
from .schemas import Answer, FeedbackRequest
from .settings import Settings
from .sqlite_connections import SqliteConnections

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    request_id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    confidence REAL NOT NULL,
    needs_review INTEGER NOT NULL,
    model TEXT NOT NULL,
    answer_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL REFERENCES answers (request_id),
    created_at TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    correction TEXT
);
"""
# Columns added after the first release, with their type: added to older databases on open.
_ADDED_COLUMNS = {"answers": {"latency_ms": "REAL"}}


@dataclass(frozen=True)
class ReviewItem:
    request_id: str
    question: str
    answer: str
    confidence: float
    rating: str | None
    correction: str | None


@dataclass(frozen=True)
class AnswerRecord:
    """One stored answer with its latest rating, as the KPI report and eval import read it."""

    request_id: str
    created_at: datetime
    question: str
    answer: str
    confidence: float
    needs_review: bool
    model: str
    cited: bool
    cost_usd: float | None
    latency_ms: float | None
    rating: str | None
    correction: str | None


class FeedbackStore(Protocol):
    def record_answer(
        self, question: str, answer: Answer, latency_ms: float | None = None
    ) -> None: ...

    def add_feedback(self, feedback: FeedbackRequest) -> None:
        """Raises NotFound when no answer has the request_id."""

    def review_queue(self, limit: int = 50) -> list[ReviewItem]:
        """Low-confidence and down-rated answers, newest first."""

    def answer_records(self, since: datetime | None = None) -> list[AnswerRecord]:
        """Every stored answer created at or after `since`, oldest first, with its latest rating."""


def open_feedback_store(settings: Settings) -> FeedbackStore:
    if settings.index_backend == "postgres":
        return PostgresFeedbackStore(settings.require_database_url(), settings.database_pool_size)
    return SqliteFeedbackStore(settings.feedback_path)


class SqliteFeedbackStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._connections = SqliteConnections(path)
        with self._connection() as db:
            db.executescript(_SCHEMA)
            for table, columns in _ADDED_COLUMNS.items():
                present = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
                for column, kind in columns.items():
                    if column not in present:
                        db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    def record_answer(self, question: str, answer: Answer, latency_ms: float | None = None) -> None:
        with self._connection() as db:
            db.execute(
                "INSERT OR REPLACE INTO answers (request_id, created_at, question, answer, "
                "confidence, needs_review, model, answer_json, latency_ms) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    answer.request_id,
                    _now(),
                    question,
                    answer.answer,
                    answer.confidence,
                    int(answer.needs_review),
                    answer.model,
                    answer.model_dump_json(),
                    latency_ms,
                ),
            )

    def add_feedback(self, feedback: FeedbackRequest) -> None:
        with self._connection() as db:
            known = db.execute(
                "SELECT 1 FROM answers WHERE request_id = ?", (feedback.request_id,)
            ).fetchone()
            if not known:
                raise NotFound(
                    f"No answer has request_id {feedback.request_id!r}: send the request_id "
                    "returned by POST /v1/ask.",
                    code="unknown_request",
                )
            db.execute(
                "INSERT INTO feedback (request_id, created_at, rating, correction) "
                "VALUES (?, ?, ?, ?)",
                (feedback.request_id, _now(), feedback.rating, feedback.correction),
            )

    def review_queue(self, limit: int = 50) -> list[ReviewItem]:
        """Low-confidence and down-rated answers, newest first."""
        with self._connection() as db:
            rows = db.execute(
                """
                SELECT a.request_id, a.question, a.answer, a.confidence, f.rating, f.correction
                FROM answers a
                LEFT JOIN feedback f ON f.id = (
                    SELECT max(id) FROM feedback WHERE request_id = a.request_id
                )
                WHERE a.needs_review = 1 OR f.rating = 'down'
                ORDER BY a.created_at DESC LIMIT ?
                """,
                (limit,),
            ).fetchall()
        return [ReviewItem(*row) for row in rows]

    def answer_records(self, since: datetime | None = None) -> list[AnswerRecord]:
        """Every stored answer created at or after `since`, oldest first, with its latest rating."""
        with self._connection() as db:
            rows = db.execute(
                """
                SELECT a.request_id, a.created_at, a.question, a.answer, a.confidence,
                       a.needs_review, a.model, a.answer_json, a.latency_ms,
                       f.rating, f.correction
                FROM answers a
                LEFT JOIN feedback f ON f.id = (
                    SELECT max(id) FROM feedback WHERE request_id = a.request_id
                )
                WHERE a.created_at >= ?
                ORDER BY a.created_at
                """,
                ((since or datetime.min.replace(tzinfo=UTC)).isoformat(timespec="milliseconds"),),
            ).fetchall()
        return [_answer_record(row) for row in rows]

    def _connection(self) -> sqlite3.Connection:
        return self._connections.get()


def _answer_record(row: tuple[Any, ...]) -> AnswerRecord:
    created_at = row[1] if isinstance(row[1], datetime) else datetime.fromisoformat(row[1])
    stored = json.loads(row[7])
    return AnswerRecord(
        request_id=row[0],
        created_at=created_at,
        question=row[2],
        answer=row[3],
        confidence=row[4],
        needs_review=bool(row[5]),
        model=row[6],
        cited=bool(stored.get("citations")),
        cost_usd=stored.get("usage", {}).get("cost_usd"),
        latency_ms=row[8],
        rating=row[9],
        correction=row[10],
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


_POSTGRES_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    request_id text PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    question text NOT NULL,
    answer text NOT NULL,
    confidence double precision NOT NULL,
    needs_review boolean NOT NULL,
    model text NOT NULL,
    answer_json jsonb NOT NULL,
    latency_ms double precision
);
CREATE INDEX IF NOT EXISTS answers_created_at ON answers (created_at);
CREATE TABLE IF NOT EXISTS feedback (
    id bigserial PRIMARY KEY,
    request_id text NOT NULL REFERENCES answers (request_id),
    created_at timestamptz NOT NULL DEFAULT now(),
    rating text NOT NULL CHECK (rating IN ('up', 'down')),
    correction text
);
CREATE INDEX IF NOT EXISTS feedback_request_id ON feedback (request_id);
"""
# The latest rating of each answer, joined the same way by every query.
_LATEST_FEEDBACK = """
FROM answers a
LEFT JOIN LATERAL (
    SELECT rating, correction FROM feedback
    WHERE feedback.request_id = a.request_id ORDER BY id DESC LIMIT 1
) f ON true
"""


class PostgresFeedbackStore:
    def __init__(self, url: str, pool_size: int = 10) -> None:
        from .database import connection_pool, ensure_schema

        self._pool = connection_pool(url, pool_size)
        ensure_schema(self._pool, _POSTGRES_SCHEMA, "feedback-schema")

    def record_answer(self, question: str, answer: Answer, latency_ms: float | None = None) -> None:
        with self._pool.connection() as db:
            db.execute(
                "INSERT INTO answers (request_id, question, answer, confidence, needs_review, "
                "model, answer_json, latency_ms) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (request_id) DO UPDATE SET created_at = now(), "
                "question = excluded.question, answer = excluded.answer, "
                "confidence = excluded.confidence, needs_review = excluded.needs_review, "
                "model = excluded.model, answer_json = excluded.answer_json, "
                "latency_ms = excluded.latency_ms",
                (
                    answer.request_id,
                    question,
                    answer.answer,
                    answer.confidence,
                    answer.needs_review,
                    answer.model,
                    answer.model_dump_json(),
                    latency_ms,
                ),
            )

    def add_feedback(self, feedback: FeedbackRequest) -> None:
        with self._pool.connection() as db:
            inserted = db.execute(
                "INSERT INTO feedback (request_id, rating, correction) "
                "SELECT request_id, %s, %s FROM answers WHERE request_id = %s",
                (feedback.rating, feedback.correction, feedback.request_id),
            ).rowcount
        if not inserted:
            raise NotFound(
                f"No answer has request_id {feedback.request_id!r}: send the request_id "
                "returned by POST /v1/ask.",
                code="unknown_request",
            )

    def review_queue(self, limit: int = 50) -> list[ReviewItem]:
        with self._pool.connection() as db:
            rows = db.execute(
                "SELECT a.request_id, a.question, a.answer, a.confidence, f.rating, f.correction "
                + _LATEST_FEEDBACK
                + "WHERE a.needs_review OR f.rating = 'down' ORDER BY a.created_at DESC LIMIT %s",
                (limit,),
            ).fetchall()
        return [ReviewItem(*row) for row in rows]

    def answer_records(self, since: datetime | None = None) -> list[AnswerRecord]:
        with self._pool.connection() as db:
            rows = db.execute(
                "SELECT a.request_id, a.created_at, a.question, a.answer, a.confidence, "
                "a.needs_review, a.model, a.answer_json::text, a.latency_ms, f.rating, "
                "f.correction "
                + _LATEST_FEEDBACK
                + "WHERE a.created_at >= %s ORDER BY a.created_at",
                (since or datetime.min.replace(tzinfo=UTC),),
            ).fetchall()
        return [_answer_record(row) for row in rows]
