"""Citations: the passages an answer's [n] markers point to."""

import re

from .retrieval import Passage
from .schemas import Citation
from .text import plain_lines

_MARKER = re.compile(r"\[(\d{1,3})\]")
SNIPPET_CHARS = 300


def cite(answer_text: str, passages: list[Passage]) -> list[Citation]:
    """One citation per passage the answer cites, in order of first mention."""
    citations: list[Citation] = []
    seen: set[int] = set()
    for match in _MARKER.finditer(answer_text):
        marker = int(match.group(1))
        if marker in seen or not 1 <= marker <= len(passages):
            continue
        seen.add(marker)
        citations.append(citation_for(marker, passages[marker - 1]))
    return citations


def citation_for(marker: int, passage: Passage) -> Citation:
    """The citation of retrieved passage number `marker` (1-based)."""
    chunk = passage.chunk
    return Citation(
        marker=marker,
        source=chunk.source,
        title=chunk.title,
        position=chunk.position,
        snippet=_snippet(chunk.text),
        score=passage.score,
    )


def has_citation(sentence: str) -> bool:
    return bool(_MARKER.search(sentence))


def _snippet(text: str) -> str:
    """The passage as plain text on one line, cut at SNIPPET_CHARS."""
    flat = " ".join(" ".join(plain_lines(text)).split())
    return flat if len(flat) <= SNIPPET_CHARS else flat[: SNIPPET_CHARS - 1].rstrip() + "…"
