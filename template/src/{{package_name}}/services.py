"""Wiring: the objects one running service shares, built from settings in one place."""

from dataclasses import dataclass

import structlog

from .feedback import FeedbackStore
from .ingest import ingest
from .llm.generation import Generator
from .llm.providers import build_model
from .pipeline import Pipeline
from .retrieval import Index, open_index
from .settings import Settings

log = structlog.get_logger(__name__)


@dataclass
class Services:
    settings: Settings
    index: Index
    feedback: FeedbackStore
    pipeline: Pipeline


def build_services(settings: Settings) -> Services:
    """Raises ProviderConfigError, naming the missing variable, before anything starts."""
    index = open_index(settings)
    feedback = FeedbackStore(settings.feedback_path)
    generator = Generator(build_model(settings), settings.llm_timeout_seconds)
    pipeline = Pipeline(settings, index, generator, feedback)
    return Services(settings, index, feedback, pipeline)


def ensure_index(services: Services) -> int:
    """The number of indexed chunks, ingesting first when the index is empty and allowed to."""
    count = services.index.chunk_count()
    if count == 0 and services.settings.auto_ingest:
        log.info("index_empty_ingesting", data_dir=str(services.settings.data_dir))
        count = ingest(services.settings, services.index).chunks
    return count
