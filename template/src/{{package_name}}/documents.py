"""Source documents as the index holds them, so a citation can open its document at the
cited passage.

A document's id is its source (a path or URL) in URL-safe base64: stable across
re-ingestion, reversible without a lookup table, and safe in a URL path segment.
"""

import base64
import binascii

from pydantic import BaseModel, Field

from .errors import NotFound
from .retrieval import Index
from .text import plain_lines


class DocumentPassage(BaseModel):
    position: int = Field(description="The passage's position, as a citation names it.")
    title: str
    text: str


class Document(BaseModel):
    id: str
    source: str
    title: str
    passages: list[DocumentPassage]


def document_id(source: str) -> str:
    return base64.urlsafe_b64encode(source.encode()).decode().rstrip("=")


def source_of(identifier: str) -> str | None:
    """The source a document id names; None when it is not an id this service made."""
    try:
        padded = identifier + "=" * (-len(identifier) % 4)
        return base64.urlsafe_b64decode(padded.encode("ascii")).decode()
    except (binascii.Error, UnicodeError, ValueError):
        return None


def load_document(index: Index, identifier: str) -> Document:
    source = source_of(identifier)
    chunks = index.document_chunks(source) if source is not None else []
    if not chunks:
        raise NotFound(
            f"No indexed document has id {identifier!r}: use the document_id of a citation.",
            code="unknown_document",
        )
    return Document(
        id=identifier,
        source=chunks[0].source,
        title=chunks[0].title,
        passages=[
            DocumentPassage(
                position=chunk.position,
                title=chunk.title,
                text="\n".join(plain_lines(chunk.text)),
            )
            for chunk in chunks
        ],
    )
