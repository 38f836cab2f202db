"""Wiring: the objects one running service shares, built from settings in one place."""

from dataclasses import dataclass

import structlog

from .feedback import FeedbackStore
from .guardrails import build_guardrails
from .ingest import ingest
from .llm.generation import Generator
from .llm.providers import build_model
from .pipeline import Pipeline
from .rate_limits import RateLimiter
from .retrieval import Index, open_index
from .settings import Settings

log = structlog.get_logger(__name__)


@dataclass
class Services:
    settings: Settings
    index: Index
    feedback: FeedbackStore
    pipeline: Pipeline
    limiter: RateLimiter


def build_services(settings: Settings) -> Services:
    """Raises ProviderConfigError, naming the missing variable, or GuardrailPolicyError,
    naming the line of guardrails.yaml, before anything starts."""
    guardrails = build_guardrails(settings)
    index = open_index(settings)
    feedback = FeedbackStore(settings.feedback_path)
    generator = Generator(build_model(settings), settings.llm_timeout_seconds)
    pipeline = Pipeline(settings, index, generator, feedback, guardrails)
    return Services(settings, index, feedback, pipeline, RateLimiter(settings))


def ensure_index(services: Services) -> int:
    """The number of indexed chunks, ingesting first when the index is empty and allowed to."""
    count = services.index.chunk_count()
    if count == 0 and services.settings.auto_ingest:
        log.info("index_empty_ingesting", data_dir=str(services.settings.data_dir))
        count = ingest(services.settings, services.index).chunks
    return count
