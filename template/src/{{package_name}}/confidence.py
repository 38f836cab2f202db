"""Confidence: how well the retrieved evidence supports the answer, from 0 to 1.

It is computed from the evidence, not asked of the model, so every provider is scored
the same way: the share of the question's terms found in the cited passages, times the
share of the answer's sentences a passage supports (see grounding.py), times the
strength of the match (one or two shared terms are thin evidence). No citation, no
confidence.
"""

from .citations import has_citation
from .retrieval import Passage
from .schemas import Citation
from .text import content_terms, sentences

# Shared terms needed for full confidence: a one-word match could be a coincidence.
STRONG_MATCH_TERMS = 3


def score_confidence(
    question: str,
    answer_text: str,
    citations: list[Citation],
    passages: list[Passage],
    supported_share: float | None = None,
) -> float:
    """`supported_share` comes from grounding; without it, the share of the answer's
    sentences that carry a [n] marker stands in."""
    wanted = content_terms(question)
    if not citations or not wanted:
        return 0.0
    cited_text = " ".join(
        f"{passages[c.marker - 1].chunk.title} {passages[c.marker - 1].chunk.text}"
        for c in citations
    )
    matched = wanted & content_terms(cited_text)
    coverage = len(matched) / len(wanted)
    strength = min(1.0, len(matched) / STRONG_MATCH_TERMS)
    if supported_share is None:
        answer_sentences = sentences(answer_text) or [answer_text]
        marked = sum(1 for sentence in answer_sentences if has_citation(sentence))
        supported_share = marked / len(answer_sentences)
    return round(coverage * strength * supported_share, 2)
