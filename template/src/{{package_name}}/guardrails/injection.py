"""Prompt-injection scoring: the named, weighted rules of guardrails.yaml over a text.

A rule counts once, whichever view of the text it matched; the score is the sum of the
weights of the rules that matched. Text hidden by an encoding (tag characters, base64)
also fires the `encoded_payload` rule: hiding text from people is itself a signal.
"""

import itertools
import re
from dataclasses import dataclass

from .normalize import decoded_texts, hidden_tag_text, rewritten_views
from .policy import Policy

ENCODED_RULE = "encoded_payload"


@dataclass(frozen=True)
class InjectionVerdict:
    score: float
    rules: tuple[str, ...]

    def at_least(self, threshold: float) -> bool:
        return self.score >= threshold


def _count(regex: re.Pattern[str], text: str, limit: int) -> int:
    if limit == 1:
        return 1 if regex.search(text) else 0
    return sum(1 for _ in itertools.islice(regex.finditer(text), limit))


def score_injection(normalized: str, policy: Policy, raw: str = "") -> InjectionVerdict:
    """Score already-normalised text; `raw` (the text before normalising) is searched for
    tag characters, which normalising removes."""
    decoded = decoded_texts(normalized, policy.views)
    hidden = hidden_tag_text(raw)
    if hidden:
        decoded.append(hidden)
    views = [normalized, *rewritten_views(normalized, policy.views), *decoded]
    encoded = bool(decoded)
    matched: list[str] = []
    score = 0.0
    for rule in policy.injection.rules:
        hits = max(_count(rule.regex, view, rule.max_matches) for view in views)
        if encoded and rule.id == ENCODED_RULE:
            hits = max(hits, 1)
        if hits:
            matched.append(rule.id)
            score += rule.weight * hits
    return InjectionVerdict(round(score, 3), tuple(matched))
