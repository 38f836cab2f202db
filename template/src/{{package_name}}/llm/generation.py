"""The model step: the question and its passages in, a cited draft answer out."""

from dataclasses import dataclass
from decimal import Decimal

from pydantic_ai import Agent
from pydantic_ai.messages import ModelResponse
from pydantic_ai.models import Model

from ..retrieval import Passage
from .costs import response_cost_usd
from .prompt import INSTRUCTIONS, render_prompt


@dataclass(frozen=True)
class Draft:
    """The model's text, citing passages as [n], and what producing it cost."""

    text: str
    model: str
    input_tokens: int
    output_tokens: int
    cost_usd: float | None


class Generator:
    def __init__(self, model: Model, timeout_seconds: float = 30.0) -> None:
        self.model_name = model.model_name
        self._agent = Agent(
            model,
            instructions=INSTRUCTIONS,
            output_type=str,
            model_settings={"timeout": timeout_seconds},
        )

    async def draft(self, question: str, passages: list[Passage]) -> Draft:
        result = await self._agent.run(render_prompt(question, passages))
        responses = [m for m in result.all_messages() if isinstance(m, ModelResponse)]
        usage = result.usage
        return Draft(
            text=result.output.strip(),
            model=_model_name(responses),
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
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
