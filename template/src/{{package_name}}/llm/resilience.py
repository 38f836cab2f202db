"""A circuit breaker per provider: after repeated failures, fail at once instead of waiting.

Closed: calls pass. After `failure_threshold` consecutive failures it opens: calls fail
immediately with `ProviderCircuitOpen` (a `ModelUnavailableError`, so a fallback model
takes over). After `reset_seconds` it half-opens: one trial call passes; success closes
the breaker, failure opens it again. The state is this process's view of the provider's
health, so each worker keeps its own.
"""

import time
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

import structlog
from pydantic_ai.exceptions import ModelUnavailableError
from pydantic_ai.messages import ModelMessage, ModelResponse
from pydantic_ai.models import Model, ModelRequestParameters, StreamedResponse
from pydantic_ai.models.wrapper import WrapperModel
from pydantic_ai.settings import ModelSettings
from pydantic_ai.tools import RunContext

log = structlog.get_logger(__name__)

BreakerState = Literal["closed", "open", "half_open"]


class ProviderCircuitOpen(ModelUnavailableError):
    """The provider failed too often lately; it is not called until the breaker half-opens."""


@dataclass
class CircuitBreaker:
    provider: str
    failure_threshold: int = 5
    reset_seconds: float = 30.0
    clock: Callable[[], float] = time.monotonic
    consecutive_failures: int = 0
    opened_at: float | None = None
    _trial_running: bool = False

    @property
    def state(self) -> BreakerState:
        if self.opened_at is None:
            return "closed"
        if self.clock() - self.opened_at >= self.reset_seconds:
            return "half_open"
        return "open"

    def before_call(self, model_name: str) -> None:
        """Raises ProviderCircuitOpen unless a call may go to the provider now."""
        state = self.state
        if state == "closed":
            return
        if state == "half_open" and not self._trial_running:
            self._trial_running = True
            return
        raise ProviderCircuitOpen(
            model_name, f"the circuit breaker of {self.provider} is open after repeated failures"
        )

    def record_success(self) -> None:
        if self.opened_at is not None:
            log.info("circuit_closed", provider=self.provider)
        self.consecutive_failures = 0
        self.opened_at = None
        self._trial_running = False

    def record_failure(self) -> None:
        self.consecutive_failures += 1
        trial_failed = self._trial_running
        self._trial_running = False
        if trial_failed or self.consecutive_failures >= self.failure_threshold:
            self.opened_at = self.clock()
            log.warning(
                "circuit_opened",
                provider=self.provider,
                consecutive_failures=self.consecutive_failures,
                reset_seconds=self.reset_seconds,
            )

    def snapshot(self) -> dict[str, Any]:
        return {"state": self.state, "consecutive_failures": self.consecutive_failures}


class BreakerModel(WrapperModel):
    """A provider's model behind its circuit breaker."""

    def __init__(self, wrapped: Model, breaker: CircuitBreaker) -> None:
        super().__init__(wrapped)
        self.breaker = breaker

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        self.breaker.before_call(self.model_name)
        try:
            response = await super().request(messages, model_settings, model_request_parameters)
        except Exception:
            self.breaker.record_failure()
            raise
        self.breaker.record_success()
        return response

    @asynccontextmanager
    async def request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
        run_context: RunContext[Any] | None = None,
    ) -> AsyncGenerator[StreamedResponse]:
        self.breaker.before_call(self.model_name)
        try:
            async with super().request_stream(
                messages, model_settings, model_request_parameters, run_context
            ) as stream:
                self.breaker.record_success()
                yield stream
        except Exception:
            # Failing to open the stream, or a stream that broke part-way.
            self.breaker.record_failure()
            raise
