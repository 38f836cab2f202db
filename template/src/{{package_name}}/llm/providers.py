"""The provider factory: one place that turns settings into a pydantic-ai model.

Each provider's SDK is imported only when that provider is chosen, so a project installs
just the extras it uses. A missing credential or SDK stops start-up with a message that
names the variable or the package to add.

Every client gets the request timeout and retries with exponential backoff on 408, 429
and 5xx answers, honouring the provider's Retry-After (the SDKs' own retry loops, sized by
APP_LLM_MAX_RETRIES); each provider sits behind its own circuit breaker (resilience.py).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict

from pydantic import SecretStr
from pydantic_ai.models import Model
from pydantic_ai.models.fallback import FallbackModel

from ..settings import ProviderName, Settings
from .offline import MODEL_NAME as OFFLINE_MODEL_NAME
from .offline import build_offline_model
from .resilience import BreakerModel, CircuitBreaker

# The model each provider uses when no model is named (APP_FALLBACK_MODEL, for instance).
DEFAULT_MODELS: dict[ProviderName, str] = {
    "offline": OFFLINE_MODEL_NAME,
    "openai": "gpt-5-mini",
    "anthropic": "claude-haiku-4-5",
    "azure_openai": "gpt-5-mini",
    "bedrock": "global.anthropic.claude-haiku-4-5-20251001-v1:0",
    "google": "gemini-2.5-flash",
    "ollama": "llama3.2",
    "openai_compatible": "llama-3.1-8b-instruct",
}

# The pydantic-ai-slim extra that brings each provider's SDK.
SDK_EXTRAS: dict[ProviderName, str] = {
    "openai": "openai",
    "azure_openai": "openai",
    "ollama": "openai",
    "openai_compatible": "openai",
    "anthropic": "anthropic",
    "bedrock": "bedrock",
    "google": "google",
}


class ProviderConfigError(RuntimeError):
    """The chosen provider cannot start: a credential, endpoint or SDK is missing."""


@dataclass(frozen=True)
class ProviderModels:
    """What answers: the primary provider (falling back when one is set), each behind its
    circuit breaker, and the fallback alone for when the budget rules the primary out."""

    model: Model
    fallback: Model | None
    breakers: list[CircuitBreaker]


def build_models(settings: Settings) -> ProviderModels:
    if settings.llm_provider == "offline":
        # Offline never fails and costs nothing: there is nothing to fall back from.
        return ProviderModels(build_offline_model(), None, [])
    primary = _guarded(settings.llm_provider, settings.llm_model, settings)
    fallback_provider = settings.fallback_provider
    if fallback_provider == "none" or fallback_provider == settings.llm_provider:
        return ProviderModels(primary, None, [primary.breaker])
    fallback_name = settings.fallback_model or DEFAULT_MODELS[fallback_provider]
    fallback: Model = (
        build_offline_model()
        if fallback_provider == "offline"
        else _guarded(fallback_provider, fallback_name, settings)
    )
    breakers = [m.breaker for m in (primary, fallback) if isinstance(m, BreakerModel)]
    return ProviderModels(FallbackModel(primary, fallback), fallback, breakers)


def _guarded(provider: ProviderName, model_name: str, settings: Settings) -> BreakerModel:
    breaker = CircuitBreaker(
        provider,
        failure_threshold=settings.breaker_failure_threshold,
        reset_seconds=settings.breaker_reset_seconds,
    )
    return BreakerModel(build_provider_model(provider, model_name, settings), breaker)


def build_provider_model(provider: ProviderName, model_name: str, settings: Settings) -> Model:
    if provider == "offline":
        return build_offline_model()
    builder = _BUILDERS[provider]
    try:
        return builder(model_name, settings)
    except ImportError as error:
        extra = SDK_EXTRAS[provider]
        raise ProviderConfigError(
            f"The {provider} provider needs the '{extra}' extra of pydantic-ai-slim: "
            f"run `uv add 'pydantic-ai-slim[{extra}]'` ({error})."
        ) from error


def _require(value: str | SecretStr | None, variable: str, provider: ProviderName) -> str:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if not value:
        raise ProviderConfigError(
            f"{variable} is not set: the {provider} provider needs it. Set it in the environment "
            f"or in .env, or set APP_LLM_PROVIDER=offline to run without a provider."
        )
    return value


def _openai(model_name: str, settings: Settings) -> Model:
    api_key = _require(settings.openai_api_key, "OPENAI_API_KEY", "openai")
    from openai import AsyncOpenAI
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.openai import OpenAIProvider

    client = AsyncOpenAI(
        api_key=api_key, base_url=settings.openai_base_url or None, **client_options(settings)
    )
    return OpenAIChatModel(model_name, provider=OpenAIProvider(openai_client=client))


def _openai_compatible(model_name: str, settings: Settings) -> Model:
    base_url = _require(settings.openai_base_url, "OPENAI_BASE_URL", "openai_compatible")
    # Many self-hosted servers accept any key; the SDK insists on one.
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
    from openai import AsyncOpenAI
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.openai import OpenAIProvider

    client = AsyncOpenAI(api_key=key or "unused", base_url=base_url, **client_options(settings))
    return OpenAIChatModel(model_name, provider=OpenAIProvider(openai_client=client))


def _azure_openai(model_name: str, settings: Settings) -> Model:
    endpoint = _require(settings.azure_openai_endpoint, "AZURE_OPENAI_ENDPOINT", "azure_openai")
    api_version = _require(settings.openai_api_version, "OPENAI_API_VERSION", "azure_openai")
    api_key = _require(settings.azure_openai_api_key, "AZURE_OPENAI_API_KEY", "azure_openai")
    from openai import AsyncAzureOpenAI
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.azure import AzureProvider

    client = AsyncAzureOpenAI(
        azure_endpoint=endpoint,
        api_version=api_version,
        api_key=api_key,
        **client_options(settings),
    )
    return OpenAIChatModel(model_name, provider=AzureProvider(openai_client=client))


def _anthropic(model_name: str, settings: Settings) -> Model:
    api_key = _require(settings.anthropic_api_key, "ANTHROPIC_API_KEY", "anthropic")
    from anthropic import AsyncAnthropic
    from pydantic_ai.models.anthropic import AnthropicModel
    from pydantic_ai.providers.anthropic import AnthropicProvider

    # ANTHROPIC_BASE_URL, when set, is read by the SDK itself.
    client = AsyncAnthropic(api_key=api_key, **client_options(settings))
    return AnthropicModel(model_name, provider=AnthropicProvider(anthropic_client=client))


def _google(model_name: str, settings: Settings) -> Model:
    api_key = _require(settings.google_api_key, "GOOGLE_API_KEY", "google")
    from google.genai.types import HttpRetryOptions
    from pydantic_ai.models.google import GoogleModel
    from pydantic_ai.providers.google import GoogleProvider

    # GOOGLE_GEMINI_BASE_URL, when set, is read by the SDK itself.
    retries = HttpRetryOptions(
        attempts=settings.llm_max_retries + 1, http_status_codes=list(RETRIED_STATUSES)
    )
    provider = GoogleProvider(api_key=api_key, retry_options=retries)
    return GoogleModel(model_name, provider=provider)


def _bedrock(model_name: str, settings: Settings) -> Model:
    # Credentials come from the standard AWS chain (variables, profile, instance role).
    region = _require(settings.aws_region, "AWS_REGION", "bedrock")
    import boto3
    from botocore.config import Config
    from pydantic_ai.models.bedrock import BedrockConverseModel
    from pydantic_ai.providers.bedrock import BedrockProvider

    session = boto3.Session(region_name=region)
    if session.get_credentials() is None:
        raise ProviderConfigError(
            "AWS credentials are not set: the bedrock provider needs AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, an AWS_PROFILE, or an instance role. Set them, or set "
            "APP_LLM_PROVIDER=offline to run without a provider."
        )
    # AWS_ENDPOINT_URL_BEDROCK_RUNTIME, when set, is read by botocore itself.
    config = Config(
        read_timeout=settings.llm_timeout_seconds,
        connect_timeout=min(settings.llm_timeout_seconds, 10.0),
        retries={"mode": "standard", "total_max_attempts": settings.llm_max_retries + 1},
    )
    client = session.client("bedrock-runtime", config=config)
    return BedrockConverseModel(model_name, provider=BedrockProvider(bedrock_client=client))


def _ollama(model_name: str, settings: Settings) -> Model:
    base_url = _require(settings.ollama_base_url, "OLLAMA_BASE_URL", "ollama")
    from openai import AsyncOpenAI
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.ollama import OllamaProvider

    # Ollama ignores the key; the SDK insists on one.
    client = AsyncOpenAI(api_key="ollama", base_url=base_url, **client_options(settings))
    return OpenAIChatModel(model_name, provider=OllamaProvider(openai_client=client))


# Answers worth retrying: timeouts, rate limits and server errors.
RETRIED_STATUSES = (408, 429, 500, 502, 503, 504)


class ClientOptions(TypedDict):
    timeout: float
    max_retries: int


def client_options(settings: Settings) -> ClientOptions:
    """The OpenAI and Anthropic SDKs retry 408, 429 and 5xx with backoff and Retry-After."""
    return {"timeout": settings.llm_timeout_seconds, "max_retries": settings.llm_max_retries}


_BUILDERS: dict[ProviderName, Callable[[str, Settings], Model]] = {
    "openai": _openai,
    "openai_compatible": _openai_compatible,
    "azure_openai": _azure_openai,
    "anthropic": _anthropic,
    "google": _google,
    "bedrock": _bedrock,
    "ollama": _ollama,
}
