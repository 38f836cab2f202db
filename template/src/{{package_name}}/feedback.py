"""Feedback and the review queue: every answer is kept, so people can rate and correct it.

Answers below the review threshold, and answers rated down, form the review queue.
"""

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .errors import NotFound
from .schemas import Answer, FeedbackRequest
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


@dataclass(frozen=True)
class ReviewItem:
    request_id: str
    question: str
    answer: str
    confidence: float
    rating: str | None
    correction: str | None


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._connections = SqliteConnections(path)
        with self._connection() as db:
            db.executescript(_SCHEMA)

    def record_answer(self, question: str, answer: Answer) -> None:
        with self._connection() as db:
            db.execute(
                "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    answer.request_id,
                    _now(),
                    question,
                    answer.answer,
                    answer.confidence,
                    int(answer.needs_review),
                    answer.model,
                    answer.model_dump_json(),
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

    def _connection(self) -> sqlite3.Connection:
        return self._connections.get()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
