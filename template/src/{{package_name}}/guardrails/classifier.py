"""The optional model-based classifier: a second opinion behind the rules, off by default.

Anything with `score(text) -> float` (0 benign .. 1 attack) fits. Turn it on in
guardrails.yaml with `classifier.enabled: true` and `classifier.factory:
"your_module:build"`, a callable taking no argument that returns the classifier (for
example a small fine-tuned model loaded once at start-up). It runs only on questions the
rules let through, so it adds its latency to passing questions alone.
"""

import importlib
from typing import Protocol, cast

from .policy import GuardrailPolicyError, Policy


class Classifier(Protocol):
    def score(self, text: str) -> float:
        """The probability that the text is a prompt-injection attempt."""


def load_classifier(policy: Policy) -> Classifier | None:
    if not policy.classifier.enabled:
        return None
    module_name, _, attribute = policy.classifier.factory.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError, ValueError) as error:
        raise GuardrailPolicyError(
            f"classifier.factory {policy.classifier.factory!r} cannot be loaded ({error}): "
            "give it as 'package.module:callable'."
        ) from error
    return cast(Classifier, factory())
