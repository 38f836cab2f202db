"""The provider factory: one place that turns settings into a pydantic-ai model.

Each provider's SDK is imported only when that provider is chosen, so a project installs
just the extras it uses. A missing credential or SDK stops start-up with a message that
names the variable or the package to add.
"""

from collections.abc import Callable

from pydantic import SecretStr
from pydantic_ai.models import Model

from ..settings import ProviderName, Settings
from .offline import MODEL_NAME as OFFLINE_MODEL_NAME
from .offline import build_offline_model

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


def build_model(settings: Settings) -> Model:
    """The configured model, wrapped with the fallback provider when one is set."""
    primary = build_provider_model(settings.llm_provider, settings.llm_model, settings)
    fallback_provider = settings.fallback_provider
    if fallback_provider == "none" or fallback_provider == settings.llm_provider:
        return primary
    from pydantic_ai.models.fallback import FallbackModel

    fallback_name = settings.fallback_model or DEFAULT_MODELS[fallback_provider]
    fallback = build_provider_model(fallback_provider, fallback_name, settings)
    return FallbackModel(primary, fallback)


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
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.openai import OpenAIProvider

    provider = OpenAIProvider(api_key=api_key, base_url=settings.openai_base_url or None)
    return OpenAIChatModel(model_name, provider=provider)


def _openai_compatible(model_name: str, settings: Settings) -> Model:
    base_url = _require(settings.openai_base_url, "OPENAI_BASE_URL", "openai_compatible")
    # Many self-hosted servers accept any key; the SDK insists on one.
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.openai import OpenAIProvider

    provider = OpenAIProvider(api_key=key or "unused", base_url=base_url)
    return OpenAIChatModel(model_name, provider=provider)


def _azure_openai(model_name: str, settings: Settings) -> Model:
    endpoint = _require(settings.azure_openai_endpoint, "AZURE_OPENAI_ENDPOINT", "azure_openai")
    api_version = _require(settings.openai_api_version, "OPENAI_API_VERSION", "azure_openai")
    api_key = _require(settings.azure_openai_api_key, "AZURE_OPENAI_API_KEY", "azure_openai")
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.azure import AzureProvider

    provider = AzureProvider(azure_endpoint=endpoint, api_version=api_version, api_key=api_key)
    return OpenAIChatModel(model_name, provider=provider)


def _anthropic(model_name: str, settings: Settings) -> Model:
    api_key = _require(settings.anthropic_api_key, "ANTHROPIC_API_KEY", "anthropic")
    from pydantic_ai.models.anthropic import AnthropicModel
    from pydantic_ai.providers.anthropic import AnthropicProvider

    return AnthropicModel(model_name, provider=AnthropicProvider(api_key=api_key))


def _google(model_name: str, settings: Settings) -> Model:
    api_key = _require(settings.google_api_key, "GOOGLE_API_KEY", "google")
    from pydantic_ai.models.google import GoogleModel
    from pydantic_ai.providers.google import GoogleProvider

    return GoogleModel(model_name, provider=GoogleProvider(api_key=api_key))


def _bedrock(model_name: str, settings: Settings) -> Model:
    # Credentials come from the standard AWS chain (variables, profile, instance role).
    region = _require(settings.aws_region, "AWS_REGION", "bedrock")
    from pydantic_ai.models.bedrock import BedrockConverseModel
    from pydantic_ai.providers.bedrock import BedrockProvider

    return BedrockConverseModel(model_name, provider=BedrockProvider(region_name=region))


def _ollama(model_name: str, settings: Settings) -> Model:
    base_url = _require(settings.ollama_base_url, "OLLAMA_BASE_URL", "ollama")
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.ollama import OllamaProvider

    return OpenAIChatModel(model_name, provider=OllamaProvider(base_url=base_url))


_BUILDERS: dict[ProviderName, Callable[[str, Settings], Model]] = {
    "openai": _openai,
    "openai_compatible": _openai_compatible,
    "azure_openai": _azure_openai,
    "anthropic": _anthropic,
    "google": _google,
    "bedrock": _bedrock,
    "ollama": _ollama,
}
