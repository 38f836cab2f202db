"""The model step: the question and its passages in, a cited draft answer out, whole or
as a stream of text."""

import re
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

import structlog
from pydantic_ai import Agent
from pydantic_ai.direct import model_request
from pydantic_ai.exceptions import AgentRunError
from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, TextPart, UserPromptPart
from pydantic_ai.models import Model
from pydantic_ai.settings import ModelSettings

from ..errors import ProviderUnavailable
from ..retrieval import Passage
from .costs import response_cost_usd
from .offline import MODEL_NAME as OFFLINE_MODEL_NAME
from .offline import build_offline_model, extract_answer
from .prompt import INSTRUCTIONS, parse_prompt, render_prompt

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Draft:
    """The model's text, citing passages as [n], and what producing it cost."""

    text: str
    model: str
    input_tokens: int
    output_tokens: int
    cost_usd: float | None


class Generator:
    def __init__(
        self, model: Model, timeout_seconds: float = 30.0, max_output_tokens: int = 1024
    ) -> None:
        self.model = model
        self.model_name = model.model_name
        # One deadline over every attempt, enforced by pydantic-ai for every provider.
        self._model_settings: ModelSettings = {
            "request_timeout": timeout_seconds,
            "max_tokens": max_output_tokens,
        }
        self._agent = Agent(
            model, instructions=INSTRUCTIONS, output_type=str, model_settings=self._model_settings
        )

    async def draft(
        self, question: str, passages: list[Passage], model: Model | None = None
    ) -> Draft:
        # One direct model request: the agent run's graph around it cost more CPU than
        # the rest of the service's work on a request.
        request = ModelRequest(
            parts=[UserPromptPart(render_prompt(question, passages))], instructions=INSTRUCTIONS
        )
        with _provider_errors():
            response = await model_request(
                model or self.model, [request], model_settings=self._model_settings
            )
        text = "".join(part.content for part in response.parts if isinstance(part, TextPart))
        usage = response.usage
        return _draft(text, [response], usage.input_tokens, usage.output_tokens)

    async def stream(
        self, question: str, passages: list[Passage], model: Model | None = None
    ) -> AsyncIterator[str | Draft]:
        """Text as the model writes it, then the whole Draft."""
        with _provider_errors():
            prompt = render_prompt(question, passages)
            async with self._agent.run_stream(prompt, model=model) as result:
                pieces = []
                async for piece in result.stream_text(delta=True, debounce_by=None):
                    pieces.append(piece)
                    yield piece
                usage = result.usage
                messages = result.all_messages()
        yield _draft("".join(pieces), messages, usage.input_tokens, usage.output_tokens)


class OfflineGenerator(Generator):
    """The offline model, answered directly: the same prompt and the same answer as through
    the agent, without the agent run that was most of an offline answer's CPU."""

    def __init__(self) -> None:
        super().__init__(build_offline_model())

    async def draft(
        self, question: str, passages: list[Passage], model: Model | None = None
    ) -> Draft:
        if model not in (None, self.model):
            return await super().draft(question, passages, model)
        prompt = render_prompt(question, passages)
        text = extract_answer(*parse_prompt(prompt))
        return Draft(text, OFFLINE_MODEL_NAME, _words(INSTRUCTIONS + prompt), _words(text), 0.0)

    async def stream(
        self, question: str, passages: list[Passage], model: Model | None = None
    ) -> AsyncIterator[str | Draft]:
        if model not in (None, self.model):
            async for item in super().stream(question, passages, model):
                yield item
            return
        draft = await self.draft(question, passages)
        for word in re.findall(r"\S+\s*", draft.text):
            yield word
        yield draft


def _words(text: str) -> int:
    """Offline 'tokens': words, as pydantic-ai estimates them for function models."""
    return len(text.split())


@contextmanager
def _provider_errors() -> Iterator[None]:
    """A provider that fails (after its retries, breaker and fallback) is unavailable."""
    try:
        yield
    except (AgentRunError, ExceptionGroup) as error:
        log.error("provider_failed", error=type(error).__name__, detail=str(error)[:500])
        raise ProviderUnavailable(
            "The language model provider did not answer; try again shortly."
        ) from error


def _draft(text: str, messages: list[ModelMessage], input_tokens: int, output_tokens: int) -> Draft:
    responses = [m for m in messages if isinstance(m, ModelResponse)]
    return Draft(
        text=text.strip(),
        model=_model_name(responses),
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cost_usd=_total_cost(responses),
    )


def _model_name(responses: list[ModelResponse]) -> str:
    # With a fallback model, the last response tells which provider answered.
    return next((r.model_name for r in reversed(responses) if r.model_name), "unknown")


def _total_cost(responses: list[ModelResponse]) -> float | None:
    costs = [response_cost_usd(response) for response in responses]
    if any(cost is None for cost in costs):
        return None
    return float(sum((cost for cost in costs if cost is not None), Decimal(0)))
