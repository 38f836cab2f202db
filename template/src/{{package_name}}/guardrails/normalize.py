"""Text as the rules read it: NFKC, no invisible characters, and its decoded views.

Attackers hide instructions in zero-width and bidirectional characters, Unicode tag
characters, look-alike letters, leetspeak, spaced-out letters, misspelt keywords and
base64. The rules run on the normalised text and on each view that differs from it.
"""

import base64
import binascii
import functools
import re
import unicodedata

from .policy import Views

# Tag characters (U+E0000-U+E007F) mirror ASCII invisibly: "ASCII smuggling".
_TAG_START, _TAG_END = 0xE0000, 0xE007F
_KEEP_CONTROLS = {"\n", "\t"}
_LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "@": "a",
        "$": "s",
        "!": "i",
        "|": "l",
        "+": "t",
    }
)
_LEETLIKE = re.compile(r"[a-z][0-9@$!|+]|[0-9@$!|+][a-z]", re.IGNORECASE)
# Three or more single characters each followed by one space, dot, dash or star: the
# separators inside such a run go, wider gaps between the spelled-out words stay.
_SPACED = re.compile(r"(?<!\w)\w(?:[ .\-*]\w(?!\w)){2,}")
_SPACED_SHORT = re.compile(r"(?<!\w)\w(?:[ .\-*]\w(?!\w))+")
_SPACED_SEPARATOR = re.compile(r"[ .\-*]")
_WIDE_GAP = re.compile(r" {2,}")
# A misspelt keyword of 8 letters or more is at least 7 letters long.
_LONG_WORD = re.compile(r"[^\W\d_]{7,}")
_BASE64 = re.compile(r"[A-Za-z0-9+/]{%d,}={0,2}")


def _invisible(char: str) -> bool:
    category = unicodedata.category(char)
    if char in _KEEP_CONTROLS:
        return False
    # Cf: zero-width and bidirectional controls, tags; Cc: controls; Co/Cn: private, unassigned.
    return category in ("Cf", "Cc", "Co", "Cn") or 0xFE00 <= ord(char) <= 0xFE0F


def normalize(text: str) -> str:
    """NFKC, invisible characters removed, stripped; spacing is kept for the views."""
    return visible(unicodedata.normalize("NFKC", text)).strip()


def visible(text: str) -> str:
    """The text without its invisible characters, and nothing else changed: what an answer
    may carry to its reader (a document's hidden instructions or tracking must not)."""
    return "".join(char for char in text if not _invisible(char))


def hidden_tag_text(text: str) -> str:
    """The ASCII that Unicode tag characters spell out, "" when there are none."""
    return "".join(
        chr(ord(char) - _TAG_START) for char in text if _TAG_START < ord(char) <= _TAG_END - 1
    )


def rewritten_views(text: str, views: Views) -> list[str]:
    """Normalised text with leetspeak undone and spaced letters joined, when that differs."""
    found: list[str] = []
    if views.leetspeak and _LEETLIKE.search(text):
        found.append(text.translate(_LEET))
    if views.spaced_letters and _SPACED.search(text):
        # Once a long run shows the trick is in use, short runs ("t o") are joined too.
        joined = _SPACED_SHORT.sub(lambda m: _SPACED_SEPARATOR.sub("", m.group()), text)
        found.append(_WIDE_GAP.sub(" ", joined))
    if views.misspelled_keywords:
        index = _misspellings(tuple(views.misspelled_keywords))
        found.append(_LONG_WORD.sub(lambda m: _keyword(m.group(), index), text))
    return [view for view in found if view != text]


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@functools.lru_cache(maxsize=4)
def _misspellings(keywords: tuple[str, ...]) -> dict[str, str]:
    """Each keyword, and each spelling of it missing one letter, mapped to the keyword."""
    index: dict[str, str] = {}
    for keyword in keywords:
        for spelling in {keyword, *_deletions(keyword)}:
            index.setdefault(spelling, keyword)
    return index


def _keyword(word: str, index: dict[str, str]) -> str:
    """The keyword one letter away from `word` (missing, extra, wrong or swapped), else `word`."""
    lower = word.lower()
    if lower in index:
        return index[lower]
    for spelling in _deletions(lower):
        if spelling in index:
            return index[spelling]
    return word


def decoded_texts(text: str, views: Views) -> list[str]:
    """Text hidden in base64 runs of the normalised text."""
    return _base64_texts(text, views.base64_min_chars) if views.base64 else []


def _base64_texts(text: str, min_chars: int) -> list[str]:
    decoded: list[str] = []
    for match in re.finditer(_BASE64.pattern % min_chars, text):
        blob = match.group()
        try:
            raw = base64.b64decode(blob + "=" * (-len(blob) % 4), validate=True)
            plain = raw.decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
        letters = sum(char.isalpha() or char.isspace() for char in plain)
        if plain and letters / len(plain) > 0.8:
            decoded.append(plain)
    return decoded
