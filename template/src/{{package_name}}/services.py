"""Wiring: the objects one running service shares, built from settings in one place."""

from dataclasses import dataclass
from decimal import Decimal

import structlog

from .budget import BudgetGuard
from .feedback import FeedbackStore
from .guardrails import build_guardrails
from .ingest import ingest
from .llm.generation import Generator, OfflineGenerator
from .llm.providers import build_models
from .llm.resilience import CircuitBreaker
from .pipeline import Pipeline
from .rate_limits import RateLimiter
from .retrieval import Index, open_index
from .review_store import ReviewStore, SqliteReviewStore
from .settings import Settings
from .spend import SqliteSpendStore

log = structlog.get_logger(__name__)


@dataclass
class Services:
    settings: Settings
    index: Index
    feedback: FeedbackStore
    pipeline: Pipeline
    budget: BudgetGuard
    breakers: list[CircuitBreaker]
    limiter: RateLimiter
    reviews: ReviewStore


def build_services(settings: Settings) -> Services:
    """Raises ProviderConfigError, naming the missing variable, or GuardrailPolicyError,
    naming the line of guardrails.yaml, before anything starts."""
    guardrails = build_guardrails(settings)
    index = open_index(settings)
    feedback = FeedbackStore(settings.feedback_path)
    models = build_models(settings)
    generator = (
        OfflineGenerator()
        if settings.llm_provider == "offline"
        else Generator(models.model, settings.llm_timeout_seconds, settings.llm_max_output_tokens)
    )
    # Offline answers cost nothing: the budget only limits what providers cost.
    budget_usd = Decimal(0) if settings.llm_provider == "offline" else settings.monthly_budget_usd
    budget = BudgetGuard(SqliteSpendStore(settings.spend_path), budget_usd)
    pipeline = Pipeline(settings, index, generator, feedback, budget, guardrails, models.fallback)
    reviews = SqliteReviewStore(settings.reviews_path)
    return Services(
        settings, index, feedback, pipeline, budget, models.breakers, RateLimiter(settings), reviews
    )


def ensure_index(services: Services) -> int:
    """The number of indexed chunks, ingesting first when the index is empty and allowed to."""
    count = services.index.chunk_count()
    if count == 0 and services.settings.auto_ingest:
        log.info("index_empty_ingesting", data_dir=str(services.settings.data_dir))
        count = ingest(services.settings, services.index).chunks
    return count
