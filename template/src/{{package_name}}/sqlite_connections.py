"""SQLite connections kept open, one a thread, for the stores every request writes to.

Opening a connection for each write, and closing it (which checkpoints the write-ahead
log), cost more than the write itself. Each thread keeps its own connection (a
connection must not be shared between threads); WAL lets readers proceed while one
writer commits, and a busy database is waited for rather than failed, since several
worker processes write to the same file.
"""

import sqlite3
import threading
from pathlib import Path


class SqliteConnections:
    def __init__(self, path: Path, busy_timeout_seconds: float = 10.0) -> None:
        self.path = path
        self.busy_timeout_seconds = busy_timeout_seconds
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def get(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            # Used by its own thread only; `close` may run on another one.
            db = sqlite3.connect(
                self.path, timeout=self.busy_timeout_seconds, check_same_thread=False
            )
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
            with self._lock:
                self._opened.append(db)
        return db

    def close(self) -> None:
        """Close every thread's connection; a thread that uses this again opens a new one."""
        with self._lock:
            opened, self._opened = self._opened, []
        for db in opened:
            db.close()
        self._local = threading.local()
