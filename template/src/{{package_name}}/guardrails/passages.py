"""Retrieved passages as untrusted data: indirect injection is flagged, personal data masked.

A passage that tries to instruct the model (scored with the same injection rules as a
question) is kept, so the facts around the planted text still count, but it reaches the
model marked as quoted data only, and the answer that cites it needs review. The
decision is logged with the document's name.
"""

from dataclasses import dataclass, replace

import structlog

from ..retrieval import Passage
from .injection import score_injection
from .normalize import normalize
from .pii import PiiDetector
from .policy import Policy

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class PassageGuard:
    policy: Policy
    pii: PiiDetector
    # Mask personal data before passages reach the provider (confidential, regulated).
    mask_personal_data: bool

    def screen(self, passages: list[Passage]) -> list[Passage]:
        return [self._screen(passage) for passage in passages]

    def _screen(self, passage: Passage) -> Passage:
        chunk = passage.chunk
        verdict = score_injection(normalize(chunk.text), self.policy, chunk.text)
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
