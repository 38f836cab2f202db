"""Text analysis shared by retrieval, the offline model and confidence scoring.

One definition of "the terms of a text" keeps the three in agreement: a passage that
retrieval ranks high is one the offline model can quote and confidence can credit.
"""

import re
import unicodedata

from . import markdown

_STOPWORDS_TEXT = """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    either few for from further get gets got had has have having he her here hers herself
    him himself his how i if in into is it its itself just let me more most much must my
    myself need no nor not now of off on once only or other our ours ourselves out over own
    please same shall she should so some such tell than that the their theirs them
    themselves then there these they this those through to too under until up upon us very
    was we were what whats when where which while who whom why will with within without
    would you your yours yourself yourselves
    """
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())

_WORD = re.compile(r"[^\W_]+(?:[.'][^\W_]+)*")
# A sentence ends at . ! or ? before a capital or digit, but not after an initial or a
# common abbreviation (J. Doe, Dr. Ng, e.g. This), and a citation like [2] stays with it.
_SENTENCE_END = re.compile(
    r"(?<=[.!?])(?<!\b[A-Z]\.)(?<!\b(?:Dr|Mr|Ms|St|Co|vs|No)\.)(?<!\b(?:Mrs|Inc|Ltd|etc)\.)"
    r"(?<!\be\.g\.)(?<!\bi\.e\.)\s+(?!\[\d)(?=[\"'(\[]?[A-Z0-9])"
)
_MARKDOWN_PREFIX = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*+]\s+|\d+[.)]\s+)")
# Emphasis and code markers; an underscore inside a word (needs_review) is kept.
_MARKDOWN_INLINE = re.compile(r"[*`]+|(?<!\w)_+|_+(?!\w)")


def normalize_term(word: str) -> str:
    """Lower-case, fold accents and strip common English suffixes: tickets -> ticket."""
    folded = unicodedata.normalize("NFKD", word.lower())
    term = "".join(ch for ch in folded if not unicodedata.combining(ch)).replace("'", "")
    for suffix in ("ing", "ed", "es", "s"):
        if term.endswith(suffix) and len(term) - len(suffix) >= 3 and not term.endswith("ss"):
            return term[: -len(suffix)]
    return term


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def content_terms(text: str) -> set[str]:
    """The meaningful terms of a text: no stopwords, suffixes stripped."""
    return {
        normalize_term(word)
        for word in words(text)
        if word.lower() not in STOPWORDS and (len(word) > 1 or word.isdigit())
    }


def plain_line(line: str) -> str:
    """A Markdown line without its list, heading and emphasis markup."""
    return _MARKDOWN_INLINE.sub("", _MARKDOWN_PREFIX.sub("", line)).strip(" |")


def plain_lines(text: str) -> list[str]:
    """The text's non-empty lines without Markdown markup; table rules are dropped."""
    lines = (plain_line(line) for line in text.splitlines())
    return [line for line in lines if line and not set(line) <= set("-:| ")]


def sentences(text: str) -> list[str]:
    """Split Markdown text into sentences; list items, table rows, headings and code lines
    stand alone (code lines as written)."""
    found: list[str] = []
    for statement in markdown.statements(text):
        if statement.verbatim:
            found.append(statement.text)
        else:
            found.extend(
                part.strip() for part in _SENTENCE_END.split(statement.text) if part.strip()
            )
    return found
