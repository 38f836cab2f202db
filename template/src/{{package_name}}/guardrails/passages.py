"""Retrieved passages as untrusted data: indirect injection is flagged, personal data masked.

A passage that tries to instruct the model (scored with the same injection rules as a
question) is kept, so the facts around the planted text still count, but it reaches the
model marked as quoted data only, and the answer that cites it needs review. The
decision is logged with the document's name.
"""

from dataclasses import dataclass, field, replace

import structlog

from ..retrieval import Passage
from .injection import InjectionVerdict, score_injection
from .normalize import normalize
from .pii import PiiDetector
from .policy import Policy

log = structlog.get_logger(__name__)
_CACHED_PASSAGES = 4096


@dataclass(frozen=True)
class PassageGuard:
    policy: Policy
    pii: PiiDetector
    # Mask personal data before passages reach the provider (confidential, regulated).
    mask_personal_data: bool

    # The same passages come back for many questions: each text is scored once.
    _verdicts: dict[str, InjectionVerdict] = field(default_factory=dict, repr=False)

    def screen(self, passages: list[Passage]) -> list[Passage]:
        return [self._screen(passage) for passage in passages]

    def _verdict(self, text: str) -> InjectionVerdict:
        verdict = self._verdicts.get(text)
        if verdict is None:
            if len(self._verdicts) >= _CACHED_PASSAGES:
                self._verdicts.clear()
            verdict = self._verdicts[text] = score_injection(normalize(text), self.policy, text)
        return verdict

    def _screen(self, passage: Passage) -> Passage:
        chunk = passage.chunk
        verdict = self._verdict(chunk.text)
        if verdict.at_least(self.policy.passages.flag_score):
            log.warning(
                "passage_instructions_quoted",
                rule="passages.flag_score",
                rules=verdict.rules,
                score=verdict.score,
                document=chunk.source,
                position=chunk.position,
            )
            passage = replace(passage, untrusted=True)
        if self.mask_personal_data:
            masked = self.pii.mask(chunk.text)
            if masked != chunk.text:
                passage = replace(passage, chunk=replace(chunk, text=masked))
        return passage
