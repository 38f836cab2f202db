"""The monthly budget: spend is recorded per answer, and past the budget the primary
provider is no longer called. The fallback provider answers when one is set; otherwise
the request is refused with 429 `budget_exceeded`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

import anyio
import structlog
from pydantic_ai.models import Model

from .errors import BudgetExceeded
from .spend import SpendStore, month_of

log = structlog.get_logger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class BudgetGuard:
    store: SpendStore
    monthly_budget_usd: Decimal  # 0: no budget
    clock: Callable[[], datetime] = field(default=_now)

    def month_spend(self) -> Decimal:
        return self.store.month_total(month_of(self.clock()))

    def exhausted(self) -> bool:
        return self.monthly_budget_usd > 0 and self.month_spend() >= self.monthly_budget_usd

    async def model_for_request(self, primary: Model, fallback: Model | None) -> Model:
        """The primary model while the month is under budget; past it, the fallback."""
        # Without a budget nothing is read: no store round trip on every request.
        if self.monthly_budget_usd <= 0 or not await anyio.to_thread.run_sync(self.exhausted):
            return primary
        if fallback is not None:
            log.warning("budget_exceeded_using_fallback", **self.describe())
            return fallback
        raise BudgetExceeded(
            f"This month's model budget of ${self.monthly_budget_usd} is spent; "
            "answers resume next month, or raise APP_MONTHLY_BUDGET_USD.",
            retry_after_seconds=self.seconds_to_next_month(),
        )

    def seconds_to_next_month(self) -> int:
        now = self.clock().astimezone(UTC)
        year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
        return max(1, int((datetime(year, month, 1, tzinfo=UTC) - now).total_seconds()))

    async def record(self, request_id: str, model: str, cost_usd: float | None) -> None:
        await anyio.to_thread.run_sync(self.record_now, request_id, model, cost_usd)

    def record_now(self, request_id: str, model: str, cost_usd: float | None) -> None:
        """`record` on the calling thread, for a caller already off the event loop."""
        # An unknown price is logged where it is found (llm/costs.py) and counts as 0 here.
        cost = Decimal(str(cost_usd)) if cost_usd else Decimal(0)
        if not cost:
            return
        month_spend = self.store.record(request_id, model, cost, self.clock())
        budget = self.monthly_budget_usd
        log.info(
            "spend_recorded",
            cost_usd=float(cost),
            month_spend_usd=float(month_spend),
            monthly_budget_usd=float(budget) if budget > 0 else None,
        )

    def describe(self) -> dict[str, object]:
        """The month's spend against the budget, for /readyz and the logs."""
        budget = self.monthly_budget_usd
        return {
            "month": month_of(self.clock()),
            "spend_usd": float(self.month_spend()),
            "monthly_budget_usd": float(budget) if budget > 0 else None,
        }
