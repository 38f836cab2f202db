"""Rows of a PostgreSQL database as documents: APP_SOURCE_DATABASE_URL and APP_SOURCE_QUERY.

The query returns the columns `id`, `title` and `body` (alias them: `SELECT ticket_no AS
id, subject AS title, answer AS body FROM ...`). A document's source is `postgres:<id>`,
which is what a citation shows and what ingestion tracks: keep ids stable, and a changed
row is re-indexed, a deleted one removed. The rows are read in one read-only transaction
through a server-side cursor, so a large table is never held in memory whole.
"""

from collections.abc import Iterator

import structlog
from psycopg import connect, rows

from ..settings import Settings
from . import Document

REQUIRED_COLUMNS = ("id", "title", "body")
SOURCE_PREFIX = "postgres:"
_EXAMPLE_ALIASES = "ticket_no AS id, subject AS title, answer AS body"

log = structlog.get_logger(__name__)


class SourceQueryError(ValueError):
    """APP_SOURCE_QUERY or APP_SOURCE_DATABASE_URL cannot give documents; says what to fix."""


def load(settings: Settings) -> Iterator[Document]:
    if settings.source_database_url is None or not settings.source_query.strip():
        raise SourceQueryError(
            "The postgres data source needs APP_SOURCE_DATABASE_URL and APP_SOURCE_QUERY "
            "(a query returning the columns id, title and body)."
        )
    url = settings.source_database_url.get_secret_value()
    with (
        connect(url, connect_timeout=10, row_factory=rows.dict_row) as db,
        db.transaction(),
    ):
        db.execute("SET TRANSACTION READ ONLY")
        with db.cursor("documents", row_factory=rows.dict_row) as cursor:
            cursor.itersize = 500
            cursor.execute(settings.source_query.encode())
            columns = [column.name for column in cursor.description or []]
            missing = [name for name in REQUIRED_COLUMNS if name not in columns]
            if missing:
                raise SourceQueryError(
                    f"APP_SOURCE_QUERY returns the columns {columns} but not {missing}: "
                    f"alias them as in the example of .env.example ({_EXAMPLE_ALIASES})."
                )
            for row in cursor:
                yield _document(row)


def _document(row: dict[str, object]) -> Document:
    """A row as a document; a NULL title falls back to the id, a NULL body to no text."""
    source_id = str(row["id"]).strip()
    title = "" if row["title"] is None else str(row["title"]).strip()
    return Document(
        source=f"{SOURCE_PREFIX}{source_id}",
        title=title or source_id,
        text="" if row["body"] is None else str(row["body"]),
    )
