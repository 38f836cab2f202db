"""Per-client rate limits on requests (APP_RATE_LIMIT) and model tokens per day.

Counters live in memory, per process, unless APP_REDIS_URL is set: then every process
of the service shares them through Redis, so the limit holds behind a load balancer.
A client is an API key (by a prefix of its digest) or, without auth, an address.
In-memory counters answer in microseconds and are counted on the event loop; Redis is a
network round trip, counted on a worker thread so the loop keeps serving.
"""

import math
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import anyio
from limits import RateLimitItem, RateLimitItemPerDay, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from .errors import TooManyRequests
from .settings import Settings

P = ParamSpec("P")
T = TypeVar("T")


class RateLimiter:
    def __init__(self, settings: Settings) -> None:
        uri = settings.redis_url.get_secret_value() if settings.redis_url else "memory://"
        self._limiter = MovingWindowRateLimiter(storage_from_string(uri))
        self._requests: list[RateLimitItem] = parse_many(settings.rate_limit)
        self._tokens = (
            RateLimitItemPerDay(settings.tokens_per_day) if settings.tokens_per_day else None
        )
        self._described = settings.rate_limit
        self._in_memory = settings.redis_url is None

    async def hit_request(self, client: str) -> None:
        """Count one request; raises TooManyRequests (429 `rate_limited`) when it is over."""
        for limit in self._requests:
            if not await self._count(self._limiter.hit, limit, "requests", client):
                raise TooManyRequests(
                    f"Too many requests: the limit is {self._described} per API key; "
                    "retry after the time in Retry-After.",
                    retry_after_seconds=await self._count(
                        self._retry_after, limit, "requests", client
                    ),
                )

    async def check_tokens(self, client: str) -> None:
        """Raises TooManyRequests when the client has spent its tokens for the day."""
        if self._tokens is None:
            return
        if not await self._count(self._limiter.test, self._tokens, "tokens", client):
            raise TooManyRequests(
                f"This API key has used its {self._tokens.amount} model tokens for today "
                "(APP_TOKENS_PER_DAY); retry after the time in Retry-After.",
                retry_after_seconds=await self._count(
                    self._retry_after, self._tokens, "tokens", client
                ),
            )

    async def spend_tokens(self, client: str, tokens: int) -> None:
        if self._tokens is not None and tokens > 0:
            # Clamped: one answer may overshoot the day's budget, the next is refused.
            cost = min(tokens, self._tokens.amount)
            await self._count(self._limiter.hit, self._tokens, "tokens", client, cost=cost)

    async def _count(self, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        if self._in_memory:
            return call(*args, **kwargs)
        return await anyio.to_thread.run_sync(lambda: call(*args, **kwargs))

    def _retry_after(self, limit: RateLimitItem, namespace: str, client: str) -> int:
        reset_at = self._limiter.get_window_stats(limit, namespace, client).reset_time
        return max(1, math.ceil(reset_at - time.time()))
