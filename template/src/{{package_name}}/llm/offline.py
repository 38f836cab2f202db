"""The offline model: deterministic, extractive, no API key.

It quotes the passage sentences that share the most terms with the question and cites
them. With nothing relevant in the passages it says it does not know and cites nothing.
"""

from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, TextPart, UserPromptPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from ..text import content_terms, sentences
from .prompt import DONT_KNOW, PromptPassage, parse_prompt

MODEL_NAME = "offline-extractive"
# A sentence must cover at least this share of the question's terms to be quoted.
MIN_COVERAGE = 0.5
MAX_SENTENCES = 2


def build_offline_model() -> FunctionModel:
    return FunctionModel(_answer, model_name=MODEL_NAME)


def _answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    question, passages = parse_prompt(_last_user_prompt(messages))
    return ModelResponse(parts=[TextPart(extract_answer(question, passages))])


def extract_answer(question: str, passages: list[PromptPassage]) -> str:
    wanted = content_terms(question)
    if not wanted:
        return DONT_KNOW
    scored: list[tuple[float, int, int, str]] = []
    for passage in passages:
        for order, sentence in enumerate(sentences(passage.text)):
            coverage = len(wanted & content_terms(sentence)) / len(wanted)
            if coverage >= MIN_COVERAGE:
                # Best coverage first; ties go to the better-ranked passage, then document order.
                scored.append((-coverage, passage.number, order, sentence))
    if not scored:
        return DONT_KNOW
    chosen: dict[str, int] = {}
    for _, number, _, sentence in sorted(scored):
        if len(chosen) == MAX_SENTENCES:
            break
        chosen.setdefault(sentence, number)
    return " ".join(_cited(sentence, number) for sentence, number in chosen.items())


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
