"""Output checks: unsupported answers refused or sent to review, personal data masked."""

from dataclasses import dataclass

import structlog

from ..grounding import Grounding
from ..llm.prompt import DONT_KNOW
from ..retrieval import Passage
from .pii import PiiDetector
from .policy import Policy

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class OutputVerdict:
    refuse: bool
    needs_review: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class OutputGuard:
    policy: Policy
    pii: PiiDetector
    mask_answers: bool

    def judge(self, draft: str, grounding: Grounding, passages: list[Passage]) -> OutputVerdict:
        """Refuse an answer most of whose sentences no passage supports; flag the rest."""
        if draft == DONT_KNOW:
            return OutputVerdict(refuse=True, needs_review=False, reasons=())
        relies_on_untrusted = any(passages[c.marker - 1].untrusted for c in grounding.citations)
        unsupported_share = 1.0 - grounding.supported_share
        reasons: list[str] = []
        if grounding.unsupported:
            reasons.append("grounding.min_support")
        if relies_on_untrusted:
            reasons.append("passages.flag_score")
        refuse = (
            bool(grounding.unsupported) and unsupported_share > self.policy.grounding.refuse_above
        )
        if reasons:
            log.info(
                "guardrail_answer",
                rule="grounding.refuse_above" if refuse else reasons[0],
                rules=tuple(reasons),
                unsupported_sentences=len(grounding.unsupported),
                refused=refuse,
            )
        return OutputVerdict(refuse, bool(reasons), tuple(reasons))

    def final(
        self, draft: str, grounding: Grounding, verdict: OutputVerdict
    ) -> tuple[str, Grounding]:
        """The answer text to return and its grounding: "I don't know" with no citations
        for a refused answer, personal data masked when the data sensitivity asks."""
        if verdict.refuse:
            return DONT_KNOW, Grounding([], 0.0, ())
        return (self.pii.mask(draft) if self.mask_answers else draft), grounding
