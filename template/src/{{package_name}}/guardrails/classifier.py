"""The optional model-based classifier: a second opinion behind the rules, off by default.

Anything with `score(text) -> float` (0 benign .. 1 attack) fits. Turn it on in
guardrails.yaml with `classifier.enabled: true` and `classifier.factory:
"your_module:build"`, a callable taking no argument that returns the classifier (for
example a small fine-tuned model loaded once at start-up). A factory starting with a dot
is found inside this package: ".classifier:build_linear" is the small built-in model
below. It runs only on questions the rules let through, so it adds its latency to
passing questions alone.
"""

import importlib
import itertools
import json
import math
import re
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, cast

from .policy import GuardrailPolicyError, Policy

LINEAR_MODEL = Path(__file__).with_name("injection_classifier.json")
_TOKEN = re.compile(r"[^\W\d_]+|\d+|[^\w\s]")


class Classifier(Protocol):
    def score(self, text: str) -> float:
        """The probability that the text is a prompt-injection attempt."""


def hashed_features(text: str, buckets: int) -> dict[int, float]:
    """Words and word pairs of the (already normalised) text, hashed into `buckets`,
    each present feature weighted 1/sqrt(count) so long texts do not score by length."""
    tokens = _TOKEN.findall(text.lower())
    keys = {"u:" + token for token in tokens}
    keys.update(f"b:{first} {second}" for first, second in itertools.pairwise(tokens))
    indexes = {zlib.crc32(key.encode()) % buckets for key in keys}
    weight = 1 / math.sqrt(max(1, len(indexes)))
    return dict.fromkeys(indexes, weight)


class HashedLinearClassifier:
    """Logistic regression over hashed words and word pairs: no dependency, no network,
    a few thousand weights, tens of microseconds a question. Trained by the template's
    scripts/train_injection_classifier.py on the development set only (docs/guardrails.md)."""

    def __init__(self, weights: Sequence[float], bias: float) -> None:
        self.weights = list(weights)
        self.bias = bias

    @classmethod
    def load(cls, path: Path) -> "HashedLinearClassifier":
        model = json.loads(path.read_text(encoding="utf-8"))
        scale = float(model["scale"])
        return cls([weight / scale for weight in model["weights"]], float(model["bias"]))

    def score(self, text: str) -> float:
        features = hashed_features(text, len(self.weights))
        logit = self.bias + sum(self.weights[index] * value for index, value in features.items())
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, logit))))


def build_linear() -> Classifier:
    """The built-in model shipped beside this module."""
    return HashedLinearClassifier.load(LINEAR_MODEL)


def load_classifier(policy: Policy) -> Classifier | None:
    if not policy.classifier.enabled:
        return None
    module_name, _, attribute = policy.classifier.factory.partition(":")
    try:
        module = importlib.import_module(module_name, package=__package__)
        factory = getattr(module, attribute)
    except (ImportError, AttributeError, ValueError, TypeError) as error:
        raise GuardrailPolicyError(
            f"classifier.factory {policy.classifier.factory!r} cannot be loaded ({error}): "
            "give it as 'package.module:callable' (or '.module:callable' inside the "
            "guardrails package)."
        ) from error
    return cast(Classifier, factory())
