"""Embeddings for hybrid search (APP_EMBEDDING_MODEL): each chunk when it is ingested, each
question when it is asked, through pydantic-ai's `Embedder`.

The index code is synchronous (searches run in worker threads, ingest in the CLI), so every
call goes to one event loop on a thread of its own: the provider's HTTP client lives on
that loop for the whole process. Question embeddings sit behind a circuit breaker, so an
outage costs a search one fast failure (and full-text results), not a timeout each time.
"""

import asyncio
import threading
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

from pydantic_ai.embeddings import Embedder, EmbeddingModel, EmbeddingSettings

from ..llm.providers import ProviderConfigError, client_options
from ..llm.resilience import CircuitBreaker, ProviderCircuitOpen
from ..settings import Settings

# Texts sent in one embeddings request: providers cap a request's inputs (OpenAI: 2048).
BATCH_SIZE = 128

_Result = TypeVar("_Result")


class EmbeddingConfigError(ProviderConfigError):
    """APP_EMBEDDING_MODEL cannot work here: its SDK, a credential or pgvector is missing."""


class EmbeddingFailed(RuntimeError):
    """The embedding provider failed, or answered vectors of another size."""


class TextEmbedder:
    """Texts to vectors of `dimensions` floats with one model."""

    def __init__(self, model: EmbeddingModel, settings: Settings) -> None:
        self.name = settings.embedding_model
        self.dimensions = settings.embedding_dimensions
        self._embedder = Embedder(model, settings=EmbeddingSettings(dimensions=self.dimensions))
        # The SDK's own timeout and retries bound a call; this bounds the wait for all of them.
        self._wait_seconds = settings.llm_timeout_seconds * (settings.llm_max_retries + 1) + 5
        self._breaker = CircuitBreaker(
            f"embeddings {self.name}",
            failure_threshold=settings.breaker_failure_threshold,
            reset_seconds=settings.breaker_reset_seconds,
        )

    def documents(self, texts: Sequence[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), BATCH_SIZE):
            batch = texts[start : start + BATCH_SIZE]
            result = self._call(self._embedder.embed_documents(batch))
            vectors.extend(self._checked(result.embeddings, len(batch)))
        return vectors

    def query(self, text: str) -> list[float]:
        try:
            self._breaker.before_call(self.name)
        except ProviderCircuitOpen as error:
            raise EmbeddingFailed(str(error)) from error
        try:
            result = self._call(self._embedder.embed_query(text))
            vector = self._checked(result.embeddings, 1)[0]
        except EmbeddingFailed:
            self._breaker.record_failure()
            raise
        self._breaker.record_success()
        return vector

    def _call(self, call: Coroutine[Any, Any, _Result]) -> _Result:
        future = asyncio.run_coroutine_threadsafe(call, _event_loop())
        try:
            return future.result(self._wait_seconds)
        except Exception as error:  # any provider failure is the same to the caller
            future.cancel()
            raise EmbeddingFailed(f"{self.name}: {type(error).__name__}: {error}") from error

    def _checked(self, embeddings: Sequence[Sequence[float]], expected: int) -> list[list[float]]:
        vectors = [[float(value) for value in vector] for vector in embeddings]
        if len(vectors) != expected:
            raise EmbeddingFailed(f"{self.name} returned {len(vectors)} vectors for {expected}")
        for vector in vectors:
            if len(vector) != self.dimensions:
                raise EmbeddingFailed(
                    f"{self.name} returned {len(vector)}-dimensional vectors and "
                    f"APP_EMBEDDING_DIMENSIONS is {self.dimensions}: set it to {len(vector)}"
                )
        return vectors


def build_embedder(settings: Settings) -> TextEmbedder | None:
    """The configured embedder, or None when APP_EMBEDDING_MODEL is empty. Raises
    EmbeddingConfigError naming what to install or set."""
    if not settings.embedding_model:
        return None
    provider, _, model_name = settings.embedding_model.partition(":")
    try:
        model = _model(provider, model_name, settings)
    except ImportError as error:
        raise EmbeddingConfigError(
            f"APP_EMBEDDING_MODEL={settings.embedding_model}: the {provider} SDK is not "
            f"installed: run `uv add 'pydantic-ai-slim[{provider}]'` ({error})."
        ) from error
    except EmbeddingConfigError:
        raise
    except Exception as error:  # pydantic-ai's UserError for an unknown provider or model
        raise EmbeddingConfigError(
            f"APP_EMBEDDING_MODEL={settings.embedding_model}: {error}. Write provider:model, "
            "e.g. openai:text-embedding-3-small, or leave it empty to turn hybrid search off."
        ) from error
    return TextEmbedder(model, settings)


def _model(provider: str, model_name: str, settings: Settings) -> EmbeddingModel:
    """The providers this service configures get its credentials, timeout and retries;
    any other pydantic-ai knows reads its own standard variables (COHERE_API_KEY ...)."""
    options = client_options(settings)
    if provider == "openai":
        if settings.openai_api_key is None:
            raise _missing("OPENAI_API_KEY", settings)
        from openai import AsyncOpenAI
        from pydantic_ai.embeddings.openai import OpenAIEmbeddingModel
        from pydantic_ai.providers.openai import OpenAIProvider

        client = AsyncOpenAI(
            api_key=settings.openai_api_key.get_secret_value(),
            base_url=settings.openai_base_url or None,
            **options,
        )
        return OpenAIEmbeddingModel(model_name, provider=OpenAIProvider(openai_client=client))
    if provider == "ollama":
        if not settings.ollama_base_url:
            raise _missing("OLLAMA_BASE_URL", settings)
        from openai import AsyncOpenAI
        from pydantic_ai.embeddings.openai import OpenAIEmbeddingModel
        from pydantic_ai.providers.ollama import OllamaProvider

        # Ollama ignores the key; the SDK insists on one.
        client = AsyncOpenAI(api_key="ollama", base_url=settings.ollama_base_url, **options)
        return OpenAIEmbeddingModel(model_name, provider=OllamaProvider(openai_client=client))
    if provider == "google":
        if settings.google_api_key is None:
            raise _missing("GOOGLE_API_KEY", settings)
        from pydantic_ai.embeddings.google import GoogleEmbeddingModel
        from pydantic_ai.providers.google import GoogleProvider

        api_key = settings.google_api_key.get_secret_value()
        return GoogleEmbeddingModel(model_name, provider=GoogleProvider(api_key=api_key))
    from pydantic_ai.embeddings import infer_embedding_model

    return infer_embedding_model(f"{provider}:{model_name}")


def _missing(variable: str, settings: Settings) -> EmbeddingConfigError:
    return EmbeddingConfigError(
        f"{variable} is not set: APP_EMBEDDING_MODEL={settings.embedding_model} needs it. "
        "Set it in the environment or in .env, or leave APP_EMBEDDING_MODEL empty."
    )


_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


def _event_loop() -> asyncio.AbstractEventLoop:
    """The process's embeddings loop, started on first use."""
    global _loop
    with _loop_lock:
        if _loop is None:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="embeddings", daemon=True).start()
            _loop = loop
    return _loop


def vector_literal(vector: Sequence[float]) -> str:
    """pgvector's text form, `[0.1,0.2]`: sent as a parameter and cast with ::vector."""
    return "[" + ",".join(repr(value) for value in vector) + "]"
