"""Where the money went: the cost of every answer and the running total of each month.

`SpendStore` is the interface; `SqliteSpendStore` keeps it in one file under the state
directory, shared by every worker process on the machine and kept across restarts;
`PostgresSpendStore` keeps it in APP_DATABASE_URL, shared by every replica (index_backend
postgres), so the monthly budget holds across machines.
"""

import sqlite3
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from .settings import Settings
from .sqlite_connections import SqliteConnections

# Amounts are stored as whole nano-dollars: exact sums, no float drift.
_NANOS = Decimal(1_000_000_000)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS spend (
    request_id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    month TEXT NOT NULL,
    model TEXT NOT NULL,
    cost_nanos INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS monthly_spend (
    month TEXT PRIMARY KEY,
    cost_nanos INTEGER NOT NULL
);
"""


def month_of(moment: datetime) -> str:
    """The calendar month (UTC) a moment falls in, as 'YYYY-MM'."""
    return moment.astimezone(UTC).strftime("%Y-%m")


class SpendStore(Protocol):
    def record(self, request_id: str, model: str, cost_usd: Decimal, at: datetime) -> Decimal:
        """Add one answer's cost to its month; the month's total after it."""

    def month_total(self, month: str) -> Decimal:
        """What the month ('YYYY-MM') has cost so far."""


class SqliteSpendStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._connections = SqliteConnections(path)
        with self._connection() as db:
            db.executescript(_SCHEMA)

    def record(self, request_id: str, model: str, cost_usd: Decimal, at: datetime) -> Decimal:
        nanos = int((cost_usd * _NANOS).to_integral_value())
        month = month_of(at)
        with self._connection() as db:
            inserted = db.execute(
                "INSERT OR IGNORE INTO spend VALUES (?, ?, ?, ?, ?)",
                (request_id, at.astimezone(UTC).isoformat(), month, model, nanos),
            ).rowcount
            if inserted:  # an answer is counted once, however often it is recorded
                db.execute(
                    "INSERT INTO monthly_spend VALUES (?, ?) ON CONFLICT (month) "
                    "DO UPDATE SET cost_nanos = cost_nanos + excluded.cost_nanos",
                    (month, nanos),
                )
            total = db.execute(
                "SELECT cost_nanos FROM monthly_spend WHERE month = ?", (month,)
            ).fetchone()
        return Decimal(total[0] if total else 0) / _NANOS

    def month_total(self, month: str) -> Decimal:
        with self._connection() as db:
            row = db.execute(
                "SELECT cost_nanos FROM monthly_spend WHERE month = ?", (month,)
            ).fetchone()
        return Decimal(row[0] if row else 0) / _NANOS

    def _connection(self) -> sqlite3.Connection:
        return self._connections.get()


def open_spend_store(settings: Settings) -> SpendStore:
    if settings.index_backend == "postgres":
        return PostgresSpendStore(settings.require_database_url(), settings.database_pool_size)
    return SqliteSpendStore(settings.spend_path)


_POSTGRES_SCHEMA = """
CREATE TABLE IF NOT EXISTS spend (
    request_id text PRIMARY KEY,
    created_at timestamptz NOT NULL,
    month text NOT NULL,
    model text NOT NULL,
    cost_nanos bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS monthly_spend (
    month text PRIMARY KEY,
    cost_nanos bigint NOT NULL
);
"""


class PostgresSpendStore:
    def __init__(self, url: str, pool_size: int = 10) -> None:
        from .database import connection_pool, ensure_schema

        self._pool = connection_pool(url, pool_size)
        ensure_schema(self._pool, _POSTGRES_SCHEMA, "spend-schema")

    def record(self, request_id: str, model: str, cost_usd: Decimal, at: datetime) -> Decimal:
        nanos = int((cost_usd * _NANOS).to_integral_value())
        month = month_of(at)
        with self._pool.connection() as db, db.transaction():
            inserted = db.execute(
                "INSERT INTO spend VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (request_id, at.astimezone(UTC), month, model, nanos),
            ).rowcount
            if inserted:  # an answer is counted once, however often it is recorded
                db.execute(
                    "INSERT INTO monthly_spend VALUES (%s, %s) ON CONFLICT (month) "
                    "DO UPDATE SET cost_nanos = monthly_spend.cost_nanos + excluded.cost_nanos",
                    (month, nanos),
                )
            total = db.execute(
                "SELECT cost_nanos FROM monthly_spend WHERE month = %s", (month,)
            ).fetchone()
        return Decimal(total[0] if total else 0) / _NANOS

    def month_total(self, month: str) -> Decimal:
        with self._pool.connection() as db:
            row = db.execute(
                "SELECT cost_nanos FROM monthly_spend WHERE month = %s", (month,)
            ).fetchone()
        return Decimal(row[0] if row else 0) / _NANOS
