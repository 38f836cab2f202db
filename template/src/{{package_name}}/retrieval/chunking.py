"""Split documents into chunks along Markdown sections and paragraphs."""

import re

from ..sources import Document
from . import Chunk

_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")


def chunk_document(document: Document, max_chars: int) -> list[Chunk]:
    """Chunks that never cross a heading; each is titled by the section it belongs to."""
    chunks: list[Chunk] = []
    for section_title, body in _sections(document):
        for text in _pack(_paragraphs(body), max_chars):
            chunks.append(
                Chunk(
                    source=document.source,
                    title=section_title,
                    position=len(chunks),
                    text=text,
                )
            )
    return chunks


def _sections(document: Document) -> list[tuple[str, str]]:
    sections: list[tuple[str, list[str]]] = [(document.title, [])]
    for line in document.text.splitlines():
        heading = _HEADING.match(line)
        if heading:
            title = heading.group(2).strip()
            if len(heading.group(1)) > 1:
                title = f"{document.title} / {title}"
            sections.append((title, [line]))
        else:
            sections[-1][1].append(line)
    return [(title, "\n".join(lines).strip()) for title, lines in sections if _has_body(lines)]


def _has_body(lines: list[str]) -> bool:
    return any(line.strip() and not _HEADING.match(line) for line in lines)


def _paragraphs(body: str) -> list[str]:
    return [part.strip() for part in re.split(r"\n\s*\n", body) if part.strip()]


def _pack(paragraphs: list[str], max_chars: int) -> list[str]:
    """Greedily join paragraphs up to max_chars; a longer paragraph is split between words."""
    pieces = [piece for paragraph in paragraphs for piece in _split_long(paragraph, max_chars)]
    return _join_up_to(pieces, max_chars, "\n\n")


def _split_long(paragraph: str, max_chars: int) -> list[str]:
    if len(paragraph) <= max_chars:
        return [paragraph]
    return _join_up_to(paragraph.split(" "), max_chars, " ")


def _join_up_to(pieces: list[str], max_chars: int, separator: str) -> list[str]:
    joined: list[str] = []
    current = ""
    for piece in pieces:
        if current and len(current) + len(separator) + len(piece) > max_chars:
            joined.append(current)
            current = piece
        else:
            current = f"{current}{separator}{piece}" if current else piece
    if current:
        joined.append(current)
    return joined
