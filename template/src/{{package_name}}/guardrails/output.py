"""Output checks: unsupported answers refused or sent to review, personal data masked."""

import re
from dataclasses import dataclass, field

import structlog

from ..grounding import Grounding
from ..llm.prompt import DONT_KNOW
from ..retrieval import Passage
from .normalize import visible
from .pii import PiiDetector
from .policy import Policy

log = structlog.get_logger(__name__)
# Where streamed text may be released: after a sentence end or a line break. Personal
# data (an address, a grouped phone number, an IBAN) never spans one of these.
_RELEASE_POINT = re.compile(r"[.!?]\s|\n")


@dataclass(frozen=True)
class OutputVerdict:
    """Whether to refuse the draft, and each reason to send it to review (none: no review)."""

    refuse: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class OutputGuard:
    policy: Policy
    pii: PiiDetector
    mask_answers: bool

    def judge(self, draft: str, grounding: Grounding, passages: list[Passage]) -> OutputVerdict:
        """Refuse an answer most of whose sentences no passage supports; flag the rest."""
        if draft == DONT_KNOW:
            return OutputVerdict(refuse=True, reasons=())
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
        return OutputVerdict(refuse, tuple(reasons))

    def final(
        self, draft: str, grounding: Grounding, verdict: OutputVerdict
    ) -> tuple[str, Grounding]:
        """The answer text to return and its grounding: "I don't know" with no citations
        for a refused answer, invisible characters removed, personal data masked when the
        data sensitivity asks."""
        if verdict.refuse:
            return DONT_KNOW, Grounding([], 0.0, ())
        text = visible(draft)
        return (self.pii.mask(text) if self.mask_answers else text), grounding

    def stream_masker(self) -> "StreamMasker":
        """Masks streamed text as `final` masks the whole answer."""
        return StreamMasker(self.pii if self.mask_answers else None)


@dataclass
class StreamMasker:
    """Holds streamed text back to the last sentence end, so personal data split across
    two pieces is masked whole; passes text straight through when nothing is masked."""

    pii: PiiDetector | None
    _held: str = field(default="", init=False)

    def feed(self, piece: str) -> str:
        piece = visible(piece)
        if self.pii is None:
            return piece
        self._held += piece
        ends = [match.end() for match in _RELEASE_POINT.finditer(self._held)]
        if not ends:
            return ""
        ready, self._held = self._held[: ends[-1]], self._held[ends[-1] :]
        return self.pii.mask(ready)

    def flush(self) -> str:
        rest, self._held = self._held, ""
        return self.pii.mask(rest) if self.pii and rest else rest
