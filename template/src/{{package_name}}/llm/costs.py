"""What a model response cost, priced by genai-prices."""

from decimal import Decimal

import structlog
from pydantic_ai.messages import ModelResponse

from .offline import MODEL_NAME as OFFLINE_MODEL_NAME

log = structlog.get_logger(__name__)


def response_cost_usd(response: ModelResponse) -> Decimal | None:
    """The price of one response; None when genai-prices does not know the model."""
    if response.model_name == OFFLINE_MODEL_NAME:
        return Decimal(0)
    try:
        return Decimal(str(response.cost().total_price))
    except (LookupError, ValueError) as error:
        log.warning("price_unknown", model=response.model_name, reason=str(error))
        return None
