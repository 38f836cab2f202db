"""The offline model: deterministic, extractive, no API key.

It quotes the passage sentences that, with their section heading, share the most terms
with the question, and cites them. With nothing relevant in the passages it says it does
not know and cites nothing.
"""

import re
from collections.abc import AsyncIterator
from functools import lru_cache

from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, TextPart, UserPromptPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from ..text import content_terms, sentences, words
from .prompt import DONT_KNOW, PromptPassage, parse_prompt

MODEL_NAME = "offline-extractive"
# A sentence must cover at least this share of the question's terms to be quoted.
MIN_COVERAGE = 0.5
MAX_SENTENCES = 2
# Shorter lines are headings and labels, not statements worth quoting.
MIN_WORDS = 4


def build_offline_model() -> FunctionModel:
    return FunctionModel(_answer, stream_function=_stream_answer, model_name=MODEL_NAME)


def _answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    question, passages = parse_prompt(_last_user_prompt(messages))
    return ModelResponse(parts=[TextPart(extract_answer(question, passages))])


async def _stream_answer(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str]:
    """The same answer, a word (with its following space) at a time."""
    question, passages = parse_prompt(_last_user_prompt(messages))
    for word in re.findall(r"\S+\s*", extract_answer(question, passages)):
        yield word


def extract_answer(question: str, passages: list[PromptPassage]) -> str:
    wanted = content_terms(question)
    if not wanted:
        return DONT_KNOW
    # (-coverage, -own matches, passage rank, order in passage, sentence): best sorts first.
    scored: list[tuple[float, int, int, int, str]] = []
    for passage in passages:
        # A section heading is context for every sentence under it.
        heading_terms = content_terms(passage.title)
        for order, sentence, sentence_terms in _statements(passage.text):
            own = wanted & sentence_terms
            coverage = len(wanted & (own | heading_terms)) / len(wanted)
            if coverage >= MIN_COVERAGE:
                scored.append((-coverage, -len(own), passage.number, order, sentence))
    if not scored:
        return DONT_KNOW
    scored.sort()
    best_coverage = scored[0][0]
    # Only evidence as strong as the best is quoted alongside it.
    chosen: dict[str, int] = {}
    for coverage, _, number, _, sentence in scored:
        if coverage != best_coverage or len(chosen) == MAX_SENTENCES:
            break
        chosen.setdefault(sentence, number)
    return " ".join(_cited(sentence, number) for sentence, number in chosen.items())


@lru_cache(maxsize=4096)
def _statements(text: str) -> tuple[tuple[int, str, frozenset[str]], ...]:
    """A passage's quotable sentences with their order and terms; the same chunks come
    back question after question, so they are split and stemmed once."""
    return tuple(
        (order, sentence, frozenset(content_terms(sentence)))
        for order, sentence in enumerate(sentences(text))
        if _quotable(sentence)
    )


def _quotable(sentence: str) -> bool:
    """A statement: long enough to say something, and not itself a question."""
    return len(words(sentence)) >= MIN_WORDS and not sentence.rstrip().endswith("?")


def _cited(sentence: str, number: int) -> str:
    """The sentence with its citation before the closing punctuation: "... 15 minutes [1]."."""
    body = sentence.rstrip(".!?:;")
    ending = sentence[len(body) :] or "."
    return f"{body} [{number}]{ending}"


def _last_user_prompt(messages: list[ModelMessage]) -> str:
    for message in reversed(messages):
        if isinstance(message, ModelRequest):
            for part in message.parts:
                if isinstance(part, UserPromptPart) and isinstance(part.content, str):
                    return part.content
    return ""
