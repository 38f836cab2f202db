"""Personal data and secrets in text, found by shape and confirmed by validation.

A digit run alone is never personal data: a card number must pass the Luhn check, an
IBAN its ISO 13616 checksum, a national id its own check, and a phone number must be a
valid number (the `phonenumbers` library) written with a phone's shape or next to a
phone word. So "ticket 123456789" stays as it is.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from .policy import PiiKind

LABELS: dict[str, str] = {
    "email": "[email]",
    "phone": "[phone]",
    "card": "[card]",
    "iban": "[iban]",
    "national_id": "[national-id]",
    "secret": "[secret]",
}
ALL_KINDS: tuple[PiiKind, ...] = ("email", "phone", "card", "iban", "national_id", "secret")
DEFAULT_REGIONS = ("US", "GB", "FR", "DE", "ES", "PT")
DEFAULT_PHONE_WORDS = ("phone", "call", "tel", "mobile", "cell", "fax", "whatsapp", "sms")

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
# Not inside a word: a hex request id or hash may hold a Luhn-valid run of digits.
_CARD = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d ().-]{6,18}\d(?![\w-])")
# A formatted number: groups split by spaces, dots, dashes or brackets, a national trunk
# prefix 0 followed by a separator, or a +/00 international prefix.
_PHONE_SHAPE = re.compile(
    r"^(?:\+|00)|^\(?\d{2,4}\)?[ .-]\d{2,4}(?:[ .-]\d{2,4}){1,3}$"
    r"|^\(?0\d{1,4}\)?[ .-]\d{2,8}(?:[ .-]\d{2,8})*$"
)
# Dates look like phone numbers to a pattern; they are not personal data on their own.
_DATE = re.compile(r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}$|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$")
_US_SSN = re.compile(r"\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b")
_UK_NINO = re.compile(r"\b(?![DFIQUV])[A-Z](?![DFIQUVO])[A-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b")
_FR_NIR = re.compile(r"\b([12]) ?(\d{2}) ?(\d{2}) ?(\d{2}|2[AB]) ?(\d{3}) ?(\d{3}) ?(\d{2})\b")
_ES_DNI = re.compile(r"\b(\d{8})-?([A-Z])\b")
_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
_DIGIT_OR_AT = re.compile(r"[\d@]")
_SECRETS = re.compile(
    r"\b(?:sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}"  # OpenAI and Anthropic keys
    r"|AKIA[0-9A-Z]{16}"  # AWS access key ids
    r"|gh[pousr]_[A-Za-z0-9]{36,}"  # GitHub tokens
    r"|github_pat_[A-Za-z0-9_]{40,}"
    r"|xox[abprs]-[A-Za-z0-9-]{10,}"  # Slack tokens
    r"|AIza[0-9A-Za-z_-]{35}"  # Google API keys
    r"|eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"  # JSON web tokens
    r")"
    r"|-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----"
    r"|\b(?:password|passwd|pwd|secret|api[_-]?key|token|bearer)\s*[:=]\s*\S{6,}",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Finding:
    kind: PiiKind
    start: int
    end: int


@dataclass(frozen=True)
class PiiDetector:
    kinds: tuple[PiiKind, ...] = ALL_KINDS
    phone_regions: tuple[str, ...] = DEFAULT_REGIONS
    phone_words: tuple[str, ...] = DEFAULT_PHONE_WORDS

    def find(self, text: str) -> list[Finding]:
        """Validated findings, longest first where they overlap, in text order."""
        found: list[Finding] = []
        searched = self.kinds
        if not _DIGIT_OR_AT.search(text):
            # Every kind but a secret needs a digit or an "@" to match: most text
            # (questions, log values) has neither and can only hold a secret.
            searched = tuple(kind for kind in self.kinds if kind == "secret")
        for kind in searched:
            found.extend(Finding(kind, start, end) for start, end in _FINDERS[kind](self, text))
        return _without_overlaps(found)

    def mask(self, text: str) -> str:
        """The text with each finding replaced by its label, e.g. [email]."""
        for finding in reversed(self.find(text)):
            text = text[: finding.start] + LABELS[finding.kind] + text[finding.end :]
        return text

    def _phones(self, text: str) -> Iterable[tuple[int, int]]:
        for match in _PHONE.finditer(text):
            candidate = match.group().strip()
            if _DATE.match(candidate):
                continue
            context = text[max(0, match.start() - 25) : match.start()].lower()
            shaped = bool(_PHONE_SHAPE.search(candidate))
            if not shaped and not any(word in context for word in self.phone_words):
                continue
            if _valid_phone(candidate, self.phone_regions):
                yield match.start(), match.end()


def _emails(_: PiiDetector, text: str) -> Iterable[tuple[int, int]]:
    return (m.span() for m in _EMAIL.finditer(text))


def _cards(_: PiiDetector, text: str) -> Iterable[tuple[int, int]]:
    return (m.span() for m in _CARD.finditer(text) if luhn_valid(re.sub(r"\D", "", m.group())))


def _ibans(_: PiiDetector, text: str) -> Iterable[tuple[int, int]]:
    return (m.span() for m in _IBAN.finditer(text) if iban_valid(m.group()))


def _national_ids(_: PiiDetector, text: str) -> Iterable[tuple[int, int]]:
    yield from (m.span() for m in _US_SSN.finditer(text))
    yield from (m.span() for m in _UK_NINO.finditer(text))
    yield from (m.span() for m in _FR_NIR.finditer(text) if _nir_valid(m))
    yield from (m.span() for m in _ES_DNI.finditer(text) if _DNI_LETTERS[int(m[1]) % 23] == m[2])


def _secrets(_: PiiDetector, text: str) -> Iterable[tuple[int, int]]:
    return (m.span() for m in _SECRETS.finditer(text))


_FINDERS = {
    "email": _emails,
    "phone": PiiDetector._phones,
    "card": _cards,
    "iban": _ibans,
    "national_id": _national_ids,
    "secret": _secrets,
}


def luhn_valid(digits: str) -> bool:
    if not 13 <= len(digits) <= 19 or len(set(digits)) == 1:
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def iban_valid(candidate: str) -> bool:
    iban = candidate.replace(" ", "").upper()
    if not 15 <= len(iban) <= 34:
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def _nir_valid(match: re.Match[str]) -> bool:
    body = "".join(match.groups()[:-1]).replace("2A", "19").replace("2B", "18")
    return 97 - int(body) % 97 == int(match.groups()[-1])


@lru_cache(maxsize=1024)
def _valid_phone(candidate: str, regions: tuple[str, ...]) -> bool:
    for region in regions:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return True
    return False


_PRECEDENCE: tuple[PiiKind, ...] = ("secret", "card", "iban", "national_id", "email", "phone")


def _without_overlaps(found: list[Finding]) -> list[Finding]:
    kept: list[Finding] = []
    # Where two kinds claim the same text, the stricter check wins: an SSN is not a phone.
    priority = {kind: rank for rank, kind in enumerate(_PRECEDENCE)}
    ordered = sorted(found, key=lambda f: (f.start, -(f.end - f.start), priority[f.kind]))
    for finding in ordered:
        if kept and finding.start < kept[-1].end:
            continue
        kept.append(finding)
    return kept


DEFAULT_DETECTOR = PiiDetector()
