"""Every setting of the service, read once from the environment or `.env`.

Service settings carry the prefix `APP_`; provider credentials keep each provider's own
standard variable names. `.env.example` lists them all.
"""

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from . import about

ProviderName = Literal[
    "offline",
    "openai",
    "anthropic",
    "azure_openai",
    "bedrock",
    "google",
    "ollama",
    "openai_compatible",
]


def _credential(*names: str) -> SecretStr | None:
    """A credential read from its provider's standard variable, never from an APP_ one."""
    return Field(default=None, validation_alias=AliasChoices(*names))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="APP_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    # The model: which provider answers, and which one takes over when it is down.
    llm_provider: ProviderName = about.LLM_PROVIDER
    llm_model: str = about.LLM_MODEL
    fallback_provider: ProviderName | Literal["none"] = about.FALLBACK_PROVIDER
    fallback_model: str = ""
    llm_timeout_seconds: float = Field(default=30.0, gt=0)
    # A cap on each answer's length, and so on its cost.
    llm_max_output_tokens: int = Field(default=1024, ge=16)
    # Retries of 408, 429 and 5xx answers, with backoff honouring Retry-After.
    llm_max_retries: int = Field(default=2, ge=0, le=10)
    # A provider failing this many calls in a row is not called for breaker_reset_seconds.
    breaker_failure_threshold: int = Field(default=5, ge=1)
    breaker_reset_seconds: float = Field(default=30.0, gt=0)
    # Past this spend in a calendar month (UTC), only the fallback answers; 0 means no budget.
    monthly_budget_usd: Decimal = Field(default=Decimal(about.MONTHLY_BUDGET_USD), ge=0)

    # Provider credentials and endpoints.
    openai_api_key: SecretStr | None = _credential("OPENAI_API_KEY")
    openai_base_url: str | None = Field(default=None, validation_alias="OPENAI_BASE_URL")
    anthropic_api_key: SecretStr | None = _credential("ANTHROPIC_API_KEY")
    azure_openai_api_key: SecretStr | None = _credential("AZURE_OPENAI_API_KEY")
    azure_openai_endpoint: str | None = Field(
        default=None, validation_alias="AZURE_OPENAI_ENDPOINT"
    )
    openai_api_version: str | None = Field(default=None, validation_alias="OPENAI_API_VERSION")
    google_api_key: SecretStr | None = _credential("GOOGLE_API_KEY", "GEMINI_API_KEY")
    aws_region: str | None = Field(
        default=None, validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION")
    )
    ollama_base_url: str | None = Field(default=None, validation_alias="OLLAMA_BASE_URL")

    # Knowledge: what is ingested, and where the index and the feedback live.
    data_dir: Path = Path("data")
    goals_file: Path = Path("GOALS.md")
    state_dir: Path = Path("var")
    auto_ingest: bool = True
    chunk_chars: int = Field(default=900, ge=200, le=8000)
    top_k: int = Field(default=5, ge=1, le=50)

    # Trust and control.
    review_threshold: float = Field(default=about.REVIEW_THRESHOLD, ge=0.0, le=1.0)
    max_question_chars: int = Field(default=2000, ge=10)

    # The HTTP service.
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # Processes serving the port; state they share lives in the stores, not in memory.
    workers: int = Field(default=1, ge=1)
    auth_enabled: bool = about.AUTH_ENABLED
    api_keys: Annotated[list[SecretStr], NoDecode] = []
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # Observability: Prometheus at /metrics; OpenTelemetry traces over OTLP, opt-in (the
    # exporter reads the standard OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_SERVICE_NAME).
    metrics_enabled: bool = about.METRICS_ENABLED
    tracing_enabled: bool = False
    otlp_endpoint: str | None = Field(default=None, validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT")

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_api_keys(cls, value: object) -> object:
        """APP_API_KEYS is comma-separated: `key-one,key-two`."""
        if isinstance(value, str):
            return [key.strip() for key in value.split(",") if key.strip()]
        return value

    @property
    def index_path(self) -> Path:
        return self.state_dir / "index.sqlite3"

    @property
    def feedback_path(self) -> Path:
        return self.state_dir / "feedback.sqlite3"

    @property
    def spend_path(self) -> Path:
        return self.state_dir / "spend.sqlite3"


class SettingsError(ValueError):
    """A setting has a bad value; the message names each variable and what is wrong."""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        raise SettingsError(describe_settings_error(error)) from error


def describe_settings_error(error: ValidationError) -> str:
    """One line a problem, named by the environment variable a user would set."""
    lines = []
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else ""
        variable = _variable_name(field)
        lines.append(f"{variable}={problem.get('input')!s:.40}: {problem['msg']}")
    return "Invalid settings (environment or .env):\n  " + "\n  ".join(lines)


def _variable_name(field: str) -> str:
    info = Settings.model_fields.get(field)
    alias = info.validation_alias if info else None
    if isinstance(alias, str):
        return alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return f"APP_{field.upper()}"
