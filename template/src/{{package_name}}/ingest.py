"""Ingestion: every source's documents, chunked, into the index in one swap."""

import time
from collections.abc import Callable
from dataclasses import dataclass

import structlog

from .retrieval import Chunk, Index, open_index
from .retrieval.chunking import chunk_document
from .settings import Settings
from .sources import Document, load_documents

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class IngestReport:
    documents: int
    chunks: int
    seconds: float


def ingest(
    settings: Settings,
    index: Index | None = None,
    on_document: Callable[[Document], None] | None = None,
) -> IngestReport:
    started = time.perf_counter()
    index = index or open_index(settings)
    chunks: list[Chunk] = []
    documents = 0
    for document in load_documents(settings):
        documents += 1
        chunks.extend(chunk_document(document, settings.chunk_chars))
        if on_document:
            on_document(document)
    index.replace_all(chunks)
    report = IngestReport(documents, len(chunks), round(time.perf_counter() - started, 3))
    log.info("ingested", documents=report.documents, chunks=report.chunks, seconds=report.seconds)
    return report
