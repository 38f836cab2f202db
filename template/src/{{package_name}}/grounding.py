"""Grounding: which retrieved passages support each sentence of the answer.

Citations come from the evidence, not from the model's memory. A sentence with a `[n]`
marker is attributed to passage n (a marker to a passage that was not retrieved is
dropped); a sentence without one, to the passages
holding at least `min_support` of its terms (`grounding.min_support` in guardrails.yaml),
each term weighted by how specific it is among the retrieved passages, so "the
documents say" does not count as support. So a provider answering in plain prose from
the right passage is cited like one that writes markers.
"""

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from .citations import citation_for
from .retrieval import Passage
from .schemas import Citation
from .text import content_terms, sentences

_MARKER = re.compile(r"\[(\d{1,3})\]")


@lru_cache(maxsize=4096)
def _passage_terms(title: str, text: str) -> frozenset[str]:
    """A chunk's terms; the same chunks come back request after request, so kept."""
    return frozenset(content_terms(f"{title} {text}"))


def _specificity(term: str, passage_terms: list[frozenset[str]]) -> float:
    """A term found in every retrieved passage says little; one found in none, the most."""
    holding = sum(1 for known in passage_terms if term in known)
    return math.log(1 + len(passage_terms) / (holding or 0.5))


@dataclass(frozen=True)
class Grounding:
    citations: list[Citation]
    # Share of the answer's sentences (those with content terms) that some passage supports.
    supported_share: float
    unsupported: tuple[str, ...]


def ground(answer_text: str, passages: list[Passage], min_support: float) -> Grounding:
    passage_terms = [_passage_terms(p.chunk.title, p.chunk.text) for p in passages]
    cited: dict[int, None] = {}  # passage numbers in order of first support
    counted = supported = 0
    unsupported: list[str] = []
    for sentence in sentences(answer_text):
        terms = content_terms(_MARKER.sub(" ", sentence))
        if not terms:
            continue
        counted += 1
        weights = {term: _specificity(term, passage_terms) for term in terms}
        total = sum(weights.values())
        support = [sum(weights[t] for t in terms & known) / total for known in passage_terms]
        marked = [int(m) for m in _MARKER.findall(sentence) if 1 <= int(m) <= len(passages)]
        # The model's own marker to a retrieved passage is kept; a sentence without one is
        # attributed to the passages that support it best.
        backers = list(dict.fromkeys(marked))
        best = max(support, default=0.0)
        if not backers and best >= min_support:
            backers = [n for n, share in enumerate(support, start=1) if share == best]
        if backers:
            supported += 1
            cited.update(dict.fromkeys(backers))
        else:
            unsupported.append(sentence)
    citations = [citation_for(number, passages[number - 1]) for number in cited]
    share = supported / counted if counted else 0.0
    return Grounding(citations, share, tuple(unsupported))
