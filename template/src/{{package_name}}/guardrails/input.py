"""Input guardrails, in order: normalise, size, prompt injection, topics, personal data.

Each refusal is a GuardrailRefusal (400) or PayloadTooLarge (413) whose `rule` names the
guardrails.yaml rule that decided, and each decision is logged with that rule id.
"""

from dataclasses import dataclass

import structlog

from ..errors import GuardrailRefusal, PayloadTooLarge
from .classifier import Classifier
from .injection import score_injection
from .normalize import normalize
from .pii import PiiDetector
from .policy import Policy, Sensitivity

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class CheckedQuestion:
    """The question as retrieval and the model may see it."""

    text: str


@dataclass(frozen=True)
class InputGuard:
    policy: Policy
    pii: PiiDetector
    sensitivity: Sensitivity
    max_chars: int
    classifier: Classifier | None = None

    def check(self, question: str) -> CheckedQuestion:
        text = normalize(question)
        if not text:
            log.info("guardrail_refused", rule="empty_question")
            raise _refuse(
                "empty_question",
                "empty_question",
                "The question is empty: type what you want to know.",
            )
        if len(text) > self.max_chars:
            log.info("guardrail_refused", rule="max_question_chars", chars=len(text))
            raise PayloadTooLarge(
                f"The question is {len(text)} characters long: keep it under "
                f"{self.max_chars} (APP_MAX_QUESTION_CHARS).",
                code="question_too_long",
            )
        self._check_injection(text, question)
        self._check_topics(text)
        return self._check_personal_data(text)

    def _check_injection(self, text: str, raw: str) -> None:
        verdict = score_injection(text, self.policy, raw)
        if verdict.at_least(self.policy.injection.block_score):
            rule = max(verdict.rules, key=self._weight)
            log.info("guardrail_refused", rule=rule, rules=verdict.rules, score=verdict.score)
            raise _refuse(
                "prompt_injection",
                rule,
                "The question tries to change the assistant's instructions: ask about the "
                "documents instead.",
            )
        if self.classifier is not None:
            score = self.classifier.score(text)
            if score >= self.policy.classifier.block_score:
                log.info("guardrail_refused", rule="classifier", score=round(score, 3))
                raise _refuse(
                    "prompt_injection",
                    "classifier",
                    "The question looks like an attempt to change the assistant's instructions.",
                )
        if verdict.rules:
            log.info("guardrail_passed", rules=verdict.rules, score=verdict.score)

    def _check_topics(self, text: str) -> None:
        topics = self.policy.topics
        if topics.deny_regex is not None and topics.deny_regex.search(text):
            log.info("guardrail_refused", rule="topics.deny")
            raise _refuse(
                "off_topic", "topics.deny", "This service does not answer questions on that topic."
            )
        if topics.allow_regex is not None and not topics.allow_regex.search(text):
            log.info("guardrail_refused", rule="topics.allow")
            raise _refuse(
                "off_topic",
                "topics.allow",
                "This service only answers questions on its own topics.",
            )

    def _check_personal_data(self, text: str) -> CheckedQuestion:
        findings = self.pii.find(text)
        if not findings:
            return CheckedQuestion(text)
        kinds = tuple(sorted({finding.kind for finding in findings}))
        if "secret" in kinds:
            log.info("guardrail_refused", rule="pii.secret", kinds=kinds)
            raise _refuse(
                "secret_in_question",
                "pii.secret",
                "The question contains what looks like a password, API key or token: remove "
                "it (and revoke it, since it has been shared) and ask again.",
            )
        action = self.policy.pii.on_question[self.sensitivity]
        rule = f"pii.on_question.{self.sensitivity}"
        log.info("guardrail_personal_data", rule=rule, action=action, kinds=kinds)
        if action == "block":
            log.info("guardrail_refused", rule=rule, kinds=kinds)
            raise _refuse(
                "personal_data",
                rule,
                "The question contains personal data ("
                + ", ".join(kinds)
                + "): remove it and ask again.",
            )
        if action == "redact":
            return CheckedQuestion(self.pii.mask(text))
        return CheckedQuestion(text)

    def _weight(self, rule_id: str) -> float:
        return next((r.weight for r in self.policy.injection.rules if r.id == rule_id), 0.0)


def _refuse(code: str, rule: str, message: str) -> GuardrailRefusal:
    return GuardrailRefusal(message, code=code, rule=rule)
