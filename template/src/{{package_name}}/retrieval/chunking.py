"""Split documents into chunks along Markdown sections and blocks."""

from .. import markdown
from ..sources import Document
from . import Chunk


def chunk_document(document: Document, max_chars: int) -> list[Chunk]:
    """Chunks that never cross a heading; each is titled by the section it belongs to."""
    chunks: list[Chunk] = []
    for section_title, blocks in _sections(document):
        for text in _pack(blocks, max_chars):
            chunks.append(
                Chunk(
                    source=document.source,
                    title=section_title,
                    position=len(chunks),
                    text=text,
                )
            )
    return chunks


def _sections(document: Document) -> list[tuple[str, list[str]]]:
    """(section title, its blocks as written, heading first); sections with no body dropped."""
    sections: list[tuple[str, list[markdown.Block]]] = [(document.title, [])]
    for block in markdown.blocks(document.text):
        if block.heading_level:
            title = block.title
            if block.heading_level > 1:
                title = f"{document.title} / {title}"
            sections.append((title, [block]))
        else:
            sections[-1][1].append(block)
    return [
        (title, [block.text for block in blocks])
        for title, blocks in sections
        if any(not block.heading_level for block in blocks)
    ]


def _pack(blocks: list[str], max_chars: int) -> list[str]:
    """Greedily join blocks up to max_chars; a longer block is split between lines (code,
    lists, tables), and a longer line between words."""
    pieces = [piece for block in blocks for piece in _split_long(block, max_chars)]
    return _join_up_to(pieces, max_chars, "\n\n")


def _split_long(block: str, max_chars: int) -> list[str]:
    if len(block) <= max_chars:
        return [block]
    if "\n" in block:
        lines = [piece for line in block.splitlines() for piece in _split_long(line, max_chars)]
        return _join_up_to(lines, max_chars, "\n")
    return _join_up_to(block.split(" "), max_chars, " ")


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
