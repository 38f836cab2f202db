"""Input guardrails: refuse a question before it costs retrieval and model time."""

import re

from ..errors import GuardrailRefusal, PayloadTooLarge
from ..settings import Settings

# Phrases that try to take over the model's instructions rather than ask a question.
_INJECTION = re.compile(
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(previous|prior|above|earlier|all|your|system)\b"
    r".{0,40}\b(instructions?|prompts?|rules?|guidelines?)\b"
    r"|\b(reveal|print|show|repeat|leak)\b.{0,40}\b(system prompt|instructions|hidden prompt)\b"
    r"|\byou are now\b|\bact as (an? )?(unfiltered|jailbroken|dan)\b|\bdeveloper mode\b",
    re.IGNORECASE | re.DOTALL,
)


def check_question(question: str, settings: Settings) -> str:
    """The question, stripped; raises GuardrailRefusal or PayloadTooLarge when refused."""
    question = question.strip()
    if not question:
        raise GuardrailRefusal(
            "The question is empty: type what you want to know.", code="empty_question"
        )
    if len(question) > settings.max_question_chars:
        raise PayloadTooLarge(
            f"The question is {len(question)} characters long: keep it under "
            f"{settings.max_question_chars} (APP_MAX_QUESTION_CHARS).",
            code="question_too_long",
        )
    if _INJECTION.search(question):
        raise GuardrailRefusal(
            "The question tries to change the assistant's instructions: ask about the "
            "documents instead.",
            code="prompt_injection",
        )
    return question
