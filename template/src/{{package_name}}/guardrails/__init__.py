"""Guardrails: the checks on questions, retrieved passages and answers, built from the
policy in guardrails.yaml and the data sensitivity chosen for the service.
"""

from dataclasses import dataclass

from ..settings import Settings
from .classifier import load_classifier
from .input import InputGuard
from .output import OutputGuard
from .passages import PassageGuard
from .pii import PiiDetector
from .policy import Policy, load_policy


@dataclass(frozen=True)
class Guardrails:
    policy: Policy
    input: InputGuard
    passages: PassageGuard
    output: OutputGuard
    # Confidential and regulated data: no question or answer text in the logs.
    log_text: bool


def build_guardrails(settings: Settings) -> Guardrails:
    """Raises GuardrailPolicyError, naming the line and the reason, on a bad policy file."""
    policy = load_policy(settings.guardrails_file)
    sensitivity = settings.data_sensitivity
    pii = PiiDetector(
        kinds=tuple(policy.pii.kinds),
        phone_regions=tuple(policy.pii.phone_regions),
        phone_words=tuple(word.lower() for word in policy.pii.phone_context),
    )
    redact_for_provider = policy.pii.on_question[sensitivity] == "redact"
    return Guardrails(
        policy=policy,
        input=InputGuard(
            policy, pii, sensitivity, settings.max_question_chars, load_classifier(policy)
        ),
        passages=PassageGuard(policy, pii, mask_personal_data=redact_for_provider),
        output=OutputGuard(policy, pii, mask_answers=sensitivity in policy.pii.mask_answers_for),
        log_text=sensitivity in ("public", "internal"),
    )
