"""PostgreSQL connections (index_backend postgres): one pool a process, shared by the index
and every store, opened from APP_DATABASE_URL.

A store adds its tables with `ensure_schema`; creating them takes a lock, so replicas
starting together do not race each other.
"""

import atexit
import threading
from typing import TYPE_CHECKING

# psycopg is imported when a pool is first opened: SQLite deployments never load it.
if TYPE_CHECKING:
    from psycopg_pool import ConnectionPool

CONNECT_TIMEOUT_SECONDS = 10.0

_pools: dict[tuple[str, int], "ConnectionPool"] = {}
_lock = threading.Lock()


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached; the message names APP_DATABASE_URL (no password)."""


def connection_pool(url: str, max_size: int = 10) -> "ConnectionPool":
    """The process's pool for this database, opened (and checked) on first use."""
    from psycopg import OperationalError
    from psycopg_pool import ConnectionPool, PoolTimeout

    with _lock:
        pool = _pools.get((url, max_size))
        if pool is None:
            pool = ConnectionPool(
                url,
                min_size=1,
                max_size=max_size,
                # Reads commit as they go; writers open a transaction explicitly.
                kwargs={"autocommit": True, "connect_timeout": int(CONNECT_TIMEOUT_SECONDS)},
                open=False,
                name="app",
                # A request waits this long for a connection, then fails rather than hangs.
                timeout=CONNECT_TIMEOUT_SECONDS,
            )
            try:
                pool.open(wait=True, timeout=CONNECT_TIMEOUT_SECONDS)
            except (PoolTimeout, OperationalError) as error:
                pool.close()
                raise DatabaseUnavailable(
                    f"Cannot connect to PostgreSQL at APP_DATABASE_URL={redacted(url)} within "
                    f"{CONNECT_TIMEOUT_SECONDS:g}s: check the server is up and the URL, user "
                    "and password are right."
                ) from error
            _pools[(url, max_size)] = pool
    return pool


def ensure_schema(pool: "ConnectionPool", statements: str, lock_name: str) -> None:
    """Run `CREATE ... IF NOT EXISTS` statements once, under a lock that other processes
    creating the same tables wait for."""
    with pool.connection() as db, db.transaction():
        db.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (lock_name,))
        for statement in statements.split(";"):
            if statement.strip():
                db.execute(statement.encode())


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    from psycopg import conninfo

    try:
        parts = conninfo.conninfo_to_dict(url)
    except Exception:  # an unparsable URL is shown as nothing at all
        return "<unparsable URL>"
    parts.pop("password", None)
    user, host = parts.get("user", ""), parts.get("host", "localhost")
    return f"postgresql://{user}@{host}:{parts.get('port', 5432)}/{parts.get('dbname', '')}"


@atexit.register
def close_pools() -> None:
    with _lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.close()
