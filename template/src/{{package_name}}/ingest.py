"""Ingestion: every source's documents into the index, rewriting only what changed.

Each document's content hash (its title, text and the chunk size) is kept in the index;
a document whose hash is unchanged is not chunked or written again, and a document no
source yields any more is removed. All of it is one transaction of the index, so a
service answering meanwhile sees the old index or the new one, never half of each. One
bad document is skipped and logged with its reason; it never stops the run.
"""

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog

from .retrieval import Index, IndexWriter, open_index
from .retrieval.chunking import chunk_document
from .settings import Settings
from .sources import Document, Skipped, load_documents

log = structlog.get_logger(__name__)


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    # Chunks written by this run (added and updated documents), and in the index after it.
    chunks_written: int = 0
    chunks: int = 0
    seconds: float = 0.0

    @property
    def documents(self) -> int:
        """Documents in the index after the run."""
        return len(self.added) + len(self.updated) + self.unchanged

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.removed)} removed, "
            f"{self.unchanged} unchanged, {len(self.skipped)} skipped"
        )


def content_hash(document: Document, chunk_chars: int) -> str:
    """Changes when anything that shapes the document's chunks changes."""
    digest = hashlib.sha256()
    for part in (document.title, document.text, str(chunk_chars)):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def ingest(
    settings: Settings,
    index: Index | None = None,
    on_document: Callable[[Document], None] | None = None,
) -> IngestReport:
    started = time.perf_counter()
    index = index or open_index(settings)
    report = IngestReport()
    seen: set[str] = set()
    with index.writer() as writer:
        # Read under the writer's lock: a concurrent ingest's work is not done twice.
        known = writer.document_hashes()
        complete = _write_changes(settings, writer, known, seen, report, on_document)
        # Removing what no source yielded is only safe when every source was read to the end.
        if complete:
            for source in sorted(set(known) - seen):
                writer.remove(source)
                report.removed.append(source)
    report.chunks = index.chunk_count()
    report.seconds = round(time.perf_counter() - started, 3)
    log.info(
        "ingested",
        added=len(report.added),
        updated=len(report.updated),
        removed=len(report.removed),
        unchanged=report.unchanged,
        skipped=len(report.skipped),
        chunks=report.chunks,
        seconds=report.seconds,
    )
    return report


def _write_changes(
    settings: Settings,
    writer: IndexWriter,
    known: dict[str, str],
    seen: set[str],
    report: IngestReport,
    on_document: Callable[[Document], None] | None,
) -> bool:
    """Write every new or changed document; False when a source failed part-way."""
    documents = load_documents(settings, on_skip=report.skipped.append)
    while True:
        try:
            document = next(documents)
        except StopIteration:
            return True
        except Exception as error:  # a source that fails must not cost the others' updates
            log.exception("source_failed", error=str(error))
            report.skipped.append(Skipped("(source)", f"reading stopped: {error}"))
            return False
        if on_document:
            on_document(document)
        if document.source in seen:
            report.skipped.append(Skipped(document.source, "a second document with this source"))
            continue
        seen.add(document.source)
        try:
            digest = content_hash(document, settings.chunk_chars)
            if known.get(document.source) == digest:
                report.unchanged += 1
                continue
            chunks = chunk_document(document, settings.chunk_chars)
            if not chunks:
                raise ValueError("no text to index")
            writer.put(document.source, digest, chunks)
        except Exception as error:  # one bad document never aborts the run
            log.warning("document_skipped", source=document.source, reason=str(error))
            report.skipped.append(Skipped(document.source, str(error)))
            # Its previous version, if any, stays indexed rather than vanishing.
            continue
        (report.updated if document.source in known else report.added).append(document.source)
        report.chunks_written += len(chunks)
