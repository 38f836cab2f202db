"""The guardrail policy: guardrails.yaml read, validated and compiled once at start-up.

A mistake in the file stops start-up with its line and the reason, never a half-applied
policy.
"""

import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

Language = Literal["en", "fr", "de", "es", "pt"]
Sensitivity = Literal["public", "internal", "confidential", "regulated"]
PiiKind = Literal["email", "phone", "card", "iban", "national_id", "secret"]
RuleId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


class GuardrailPolicyError(ValueError):
    """guardrails.yaml is missing or wrong; the message names the line and the reason."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as error:
        raise ValueError(f"not a valid regular expression ({error}): {pattern}") from error
    return pattern


# A regular expression, checked where it is written so an error names its own line.
Regex = Annotated[str, AfterValidator(_regex)]


def _keyword(word: str) -> str:
    if not re.fullmatch(r"[a-z]{8,}", word):
        raise ValueError(
            f"{word!r}: write one lowercase word of 8 letters or more (a shorter word has "
            "real words one letter away, which would be read as it)"
        )
    return word


class InjectionRule(_Strict):
    id: RuleId
    description: str
    weight: float = Field(gt=0, le=10)
    max_matches: int = Field(default=1, ge=1, le=20)
    patterns: dict[Language, list[Regex]] = Field(min_length=1)

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """All the rule's patterns, every language, as one alternation."""
        joined = "|".join(f"(?:{p})" for patterns in self.patterns.values() for p in patterns)
        return re.compile(joined, re.IGNORECASE)


class InjectionPolicy(_Strict):
    block_score: float = Field(gt=0)
    rules: list[InjectionRule] = Field(min_length=1)

    @field_validator("rules")
    @classmethod
    def _unique_ids(cls, value: list[InjectionRule]) -> list[InjectionRule]:
        ids = [rule.id for rule in value]
        duplicates = sorted({rule_id for rule_id in ids if ids.count(rule_id) > 1})
        if duplicates:
            raise ValueError(f"rule ids must be unique; repeated: {', '.join(duplicates)}")
        return value


class Views(_Strict):
    leetspeak: bool = True
    spaced_letters: bool = True
    base64: bool = True
    base64_min_chars: int = Field(default=16, ge=8)
    # Long keywords read back from a misspelling one letter away ("iunstructions").
    misspelled_keywords: list[Annotated[str, AfterValidator(_keyword)]] = []


class Topics(_Strict):
    deny: list[Regex] = []
    allow: list[Regex] = []

    @cached_property
    def deny_regex(self) -> re.Pattern[str] | None:
        return re.compile("|".join(f"(?:{p})" for p in self.deny), re.I) if self.deny else None

    @cached_property
    def allow_regex(self) -> re.Pattern[str] | None:
        return re.compile("|".join(f"(?:{p})" for p in self.allow), re.I) if self.allow else None


class PiiPolicy(_Strict):
    kinds: list[PiiKind]
    phone_regions: list[Annotated[str, Field(pattern=r"^[A-Z]{2}$")]] = Field(min_length=1)
    phone_context: list[str]
    on_question: dict[Sensitivity, Literal["allow", "redact", "block"]]
    mask_answers_for: list[Sensitivity]

    @field_validator("on_question")
    @classmethod
    def _every_sensitivity(cls, value: dict[Sensitivity, str]) -> dict[Sensitivity, str]:
        missing = [s for s in ("public", "internal", "confidential", "regulated") if s not in value]
        if missing:
            raise ValueError(f"give an action for every sensitivity; missing: {', '.join(missing)}")
        return value


class PassagePolicy(_Strict):
    flag_score: float = Field(gt=0)


class GroundingPolicy(_Strict):
    min_support: float = Field(gt=0, le=1)
    refuse_above: float = Field(ge=0, le=1)


class ClassifierPolicy(_Strict):
    enabled: bool = False
    factory: str = ""
    block_score: float = Field(default=0.9, gt=0, le=1)


class Policy(_Strict):
    version: Literal[1]
    injection: InjectionPolicy
    views: Views = Views()
    topics: Topics = Topics()
    pii: PiiPolicy
    passages: PassagePolicy
    grounding: GroundingPolicy
    classifier: ClassifierPolicy = ClassifierPolicy()


def load_policy(path: Path) -> Policy:
    """The validated policy; raises GuardrailPolicyError naming the line and the reason."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise GuardrailPolicyError(
            f"{path}: cannot read the guardrail policy ({error.strerror}); "
            "restore guardrails.yaml or point APP_GUARDRAILS_FILE at it."
        ) from error
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text)
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else "?"
        raise GuardrailPolicyError(
            f"{path} line {line}: not valid YAML: {error.problem}"
        ) from error
    try:
        return Policy.model_validate(data)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        line = _line_of(root, problem["loc"])
        raise GuardrailPolicyError(f"{path} line {line}: {where}: {problem['msg']}") from error


def _line_of(node: Any, loc: tuple[int | str, ...]) -> int:
    """The 1-based line of the YAML node at `loc`, or of its closest existing parent."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            # An unexpected key's value sits on the key's line; a missing one has none.
            child = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            child = node.value[part]  # the index comes from this same document
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line
