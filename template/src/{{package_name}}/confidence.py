"""Confidence: how well the retrieved evidence supports the answer, from 0 to 1.

It is computed from the evidence, not asked of the model, so every provider is scored
the same way: the share of the question's terms found in the cited passages, times the
share of the answer's sentences a passage supports (see grounding.py), times the
strength of the match (one or two shared terms are thin evidence). No citation, no
confidence.
"""

from dataclasses import dataclass

from .citations import has_citation
from .retrieval import Passage
from .schemas import Citation, ConfidenceLevel
from .text import content_terms, sentences

# Shared terms needed for full confidence: a one-word match could be a coincidence.
STRONG_MATCH_TERMS = 3


@dataclass(frozen=True)
class Assessment:
    """The confidence and the three measures it is the product of."""

    score: float
    question_terms: int
    matched_terms: int
    supported_share: float
    citations: int

    def level(self, review_threshold: float) -> ConfidenceLevel:
        """`low` below the review threshold; `high` in the upper half of the rest."""
        if self.score == 0.0:
            return "none"
        if self.score < review_threshold:
            return "low"
        return "high" if self.score >= (1 + review_threshold) / 2 else "medium"

    def reason(self) -> str:
        """The measures in words, weakest first, as the answer page shows them."""
        if not self.citations:
            return "No passage is cited, so nothing supports the answer."
        if not self.question_terms:
            return "The question has no meaningful terms to look for in the sources."
        parts = [
            f"the cited passages contain {self.matched_terms} of the question's "
            f"{self.question_terms} key terms",
            f"{self.supported_share:.0%} of the answer's sentences are supported by a passage",
        ]
        if self.matched_terms < STRONG_MATCH_TERMS:
            parts.append(
                f"fewer than {STRONG_MATCH_TERMS} shared terms is a thin match, which lowers it"
            )
        cited = "1 cited passage" if self.citations == 1 else f"{self.citations} cited passages"
        return f"From {cited}: " + "; ".join(parts) + "."


def assess_confidence(
    question: str,
    answer_text: str,
    citations: list[Citation],
    passages: list[Passage],
    supported_share: float | None = None,
) -> Assessment:
    """`supported_share` comes from grounding; without it, the share of the answer's
    sentences that carry a [n] marker stands in."""
    wanted = content_terms(question)
    if not citations or not wanted:
        return Assessment(0.0, len(wanted), 0, 0.0, len(citations))
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
    score = round(coverage * strength * supported_share, 2)
    return Assessment(score, len(wanted), len(matched), supported_share, len(citations))
