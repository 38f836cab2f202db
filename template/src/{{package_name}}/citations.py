"""Citations: the passages an answer's [n] markers point to."""

import re

from .documents import document_id
from .retrieval import Passage
from .schemas import Citation, RetrievedPassage
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
        document_id=document_id(chunk.source),
    )


def retrieved_passages(
    passages: list[Passage], citations: list[Citation]
) -> list[RetrievedPassage]:
    """Every passage the model saw, numbered as it saw them, marking the cited ones."""
    cited = {citation.marker for citation in citations}
    return [
        RetrievedPassage(
            rank=rank,
            document_id=document_id(passage.chunk.source),
            source=passage.chunk.source,
            title=passage.chunk.title,
            position=passage.chunk.position,
            score=passage.score,
            cited=rank in cited,
            untrusted=passage.untrusted,
        )
        for rank, passage in enumerate(passages, start=1)
    ]


def has_citation(sentence: str) -> bool:
    return bool(_MARKER.search(sentence))


def _snippet(text: str) -> str:
    """The passage as plain text on one line, cut at SNIPPET_CHARS."""
    flat = " ".join(" ".join(plain_lines(text)).split())
    return flat if len(flat) <= SNIPPET_CHARS else flat[: SNIPPET_CHARS - 1].rstrip() + "…"
