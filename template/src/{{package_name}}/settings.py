"""Every setting of the service, read once from the environment or `.env`.

Service settings carry the prefix `APP_`; provider credentials keep each provider's own
standard variable names. `.env.example` lists them all.
"""

import hashlib
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
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
        # A blank `KEY=` in .env means unset, as .env.example writes optional settings.
        env_ignore_empty=True,
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
    # Where documents come from: files, or any source this project was generated with.
    data_sources: Annotated[list[str], NoDecode] = list(about.DATA_SOURCES)
    # web: pages and sitemaps (comma-separated) and the bounds of the crawl from them.
    web_urls: Annotated[list[str], NoDecode] = Field(default=[], validate_default=True)
    web_max_pages: int = Field(default=200, ge=1)
    # Links followed from a listed page: 0 reads only the listed pages and sitemap entries.
    web_max_depth: int = Field(default=2, ge=0, le=10)
    web_max_page_bytes: int = Field(default=5_000_000, ge=1024)
    web_concurrency: int = Field(default=4, ge=1, le=32)
    web_timeout_seconds: float = Field(default=20.0, gt=0)
    # What robots.txt rules are matched against, and what site owners see in their logs.
    web_user_agent: str = f"{about.SLUG}-ingest"
    # s3: objects under a prefix; the endpoint is for S3-compatible stores (MinIO, Ceph).
    s3_bucket: str = Field(default="", validate_default=True)
    s3_prefix: str = ""
    s3_endpoint_url: str | None = None
    s3_max_object_bytes: int = Field(default=50_000_000, ge=1024)
    state_dir: Path = Path("var")
    auto_ingest: bool = True
    chunk_chars: int = Field(default=900, ge=200, le=8000)
    top_k: int = Field(default=5, ge=1, le=50)
    # sqlite: the index, feedback and spend records are files in state_dir (one machine).
    # postgres: they live in APP_DATABASE_URL, which every replica shares.
    index_backend: Literal["sqlite", "postgres"] = about.INDEX_BACKEND
    database_url: SecretStr | None = Field(default=None, validate_default=True)
    database_pool_size: int = Field(default=10, ge=1, le=100)
    # postgres only: hybrid search, full-text and pgvector nearest neighbours fused, with
    # chunks and questions embedded by this model (`provider:model`); empty means off.
    embedding_model: str = Field(default="", validate_default=True)
    # The vector size stored and asked of the model; an HNSW index takes at most 2000.
    embedding_dimensions: int = Field(default=1536, ge=2, le=2000)
    # A passage found by its embedding alone (no question term in it) needs this cosine
    # similarity: unrelated texts score about 0.1 with text-embedding-3 models, more with some.
    embedding_min_similarity: float = Field(default=0.3, ge=0.0, lt=1.0)
    # The postgres data source: each row of source_query becomes a document. The query
    # returns the columns id (what a citation shows), title and body.
    source_database_url: SecretStr | None = None
    source_query: str = Field(default="", validate_default=True)

    # Trust and control.
    review_threshold: float = Field(default=about.REVIEW_THRESHOLD, ge=0.0, le=1.0)
    max_question_chars: int = Field(default=2000, ge=10)
    # Drives personal-data handling: confidential and regulated redact it before a provider
    # sees text and keep question and answer text out of the logs.
    data_sensitivity: Literal["public", "internal", "confidential", "regulated"] = (
        about.DATA_SENSITIVITY
    )
    guardrails_file: Path = Path("guardrails.yaml")

    # The HTTP service.
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # Processes serving the port; state they share lives in the stores, not in memory.
    workers: int = Field(default=1, ge=1)
    auth_enabled: bool = about.AUTH_ENABLED
    # Comma-separated keys or their `sha256:<hex>` digests, each with an optional role
    # (`key:review`, `key:admin`; a bare key asks); only digests are kept in memory.
    api_keys: Annotated[list[SecretStr], NoDecode] = []
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    # Per API key (per client address without auth), a `limits` string: "60/minute".
    rate_limit: str = "60/minute"
    # Model tokens (input + output) one key may spend per day; 0 means no limit.
    tokens_per_day: int = Field(default=200_000, ge=0)
    # Shares the rate-limit counters between processes; memory (per process) when unset.
    redis_url: SecretStr | None = None
    # Browser origins allowed to call the API, comma-separated; none by default.
    cors_origins: Annotated[list[str], NoDecode] = []
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

    @field_validator("api_keys")
    @classmethod
    def _hash_api_keys(cls, value: list[SecretStr]) -> list[SecretStr]:
        """Keep only SHA-256 digests: a key given as `sha256:<hex>` stays as it is; a role
        suffix stays after the digest (`sha256:<hex>:review`)."""
        hashed = []
        for entry in value:
            key, role = split_role(entry.get_secret_value())
            digest = api_key_digest(key)
            hashed.append(SecretStr(digest if role == "ask" else f"{digest}:{role}"))
        return hashed

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("database_url")
    @classmethod
    def _database_for_postgres(cls, value: SecretStr | None, info: ValidationInfo) -> object:
        if value is None and info.data.get("index_backend") == "postgres":
            raise ValueError(
                "not set, and APP_INDEX_BACKEND is postgres: the index, feedback and spend "
                "records live in PostgreSQL. Set it, e.g. "
                "postgresql://app:secret@localhost:5432/app (compose.yaml runs one), "
                "or set APP_INDEX_BACKEND=sqlite for a local index"
            )
        return value

    @field_validator("embedding_model")
    @classmethod
    def _embedding_model(cls, value: str, info: ValidationInfo) -> str:
        value = value.strip()
        if not value:
            return value
        if info.data.get("index_backend") != "postgres":
            raise ValueError(
                "set, but hybrid search needs the postgres index backend (pgvector): set "
                "APP_INDEX_BACKEND=postgres, or leave APP_EMBEDDING_MODEL empty"
            )
        provider, _, model = value.partition(":")
        if not provider or not model:
            raise ValueError(
                "write it as provider:model, e.g. openai:text-embedding-3-small or "
                "ollama:nomic-embed-text"
            )
        return value

    @field_validator("rate_limit")
    @classmethod
    def _valid_rate_limit(cls, value: str) -> str:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError as error:
            raise ValueError(
                f"{error}; write it as the limits library does, e.g. 60/minute or 1000/day"
            ) from error
        return value

    @field_validator("data_sources", "web_urls", mode="before")
    @classmethod
    def _split_comma_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("data_sources")
    @classmethod
    def _generated_sources(cls, value: list[str]) -> list[str]:
        # files needs no dependency of its own, so it is always there (for local runs too).
        available = dict.fromkeys(["files", *about.DATA_SOURCES])
        generated = ", ".join(available)
        unknown = [source for source in value if source not in available]
        if unknown:
            raise ValueError(
                f"{', '.join(unknown)}: not a source this project was generated with "
                f"({generated}); add it to the data_sources answer with `copier update`, "
                "which installs its code and dependencies"
            )
        if not value:
            raise ValueError(f"empty: choose at least one of {generated}")
        return list(dict.fromkeys(value))

    @field_validator("web_urls")
    @classmethod
    def _web_urls(cls, value: list[str], info: ValidationInfo) -> list[str]:
        for url in value:
            if not _is_http_url(url):
                raise ValueError(
                    f"{url!r} is not an http(s) address: write each page or sitemap "
                    "in full, e.g. https://help.example.com/sitemap.xml"
                )
        if not value and "web" in info.data.get("data_sources", []):
            raise ValueError(
                "empty, and web is one of APP_DATA_SOURCES: list the pages or sitemaps to "
                "read, comma-separated, e.g. https://help.example.com/sitemap.xml, "
                "or leave web out of APP_DATA_SOURCES"
            )
        return value

    @field_validator("source_query")
    @classmethod
    def _postgres_source(cls, value: str, info: ValidationInfo) -> str:
        if "postgres" in info.data.get("data_sources", []):
            missing = [
                name
                for name, given in (
                    ("APP_SOURCE_DATABASE_URL", info.data.get("source_database_url")),
                    ("APP_SOURCE_QUERY", value.strip()),
                )
                if not given
            ]
            if missing:
                raise ValueError(
                    f"{' and '.join(missing)} not set, and postgres is one of "
                    "APP_DATA_SOURCES: give the database and a query returning the columns "
                    "id, title and body, or leave postgres out of APP_DATA_SOURCES"
                )
        return value

    @field_validator("s3_bucket")
    @classmethod
    def _s3_bucket(cls, value: str, info: ValidationInfo) -> str:
        if not value.strip() and "s3" in info.data.get("data_sources", []):
            raise ValueError(
                "not set, and s3 is one of APP_DATA_SOURCES: name the bucket to read, "
                "e.g. contracts-archive, or leave s3 out of APP_DATA_SOURCES"
            )
        return value.strip()

    @field_validator("s3_endpoint_url")
    @classmethod
    def _s3_endpoint_url(cls, value: str | None) -> str | None:
        if value is not None and not _is_http_url(value):
            raise ValueError(
                "not an http(s) address: write the S3-compatible store's address in full, "
                "e.g. http://127.0.0.1:9000, or leave it empty for AWS"
            )
        return value

    @property
    def index_path(self) -> Path:
        return self.state_dir / "index.sqlite3"

    def require_database_url(self) -> str:
        """APP_DATABASE_URL, which the validator ensures is set for the postgres backend."""
        if self.database_url is None:
            raise SettingsError("APP_DATABASE_URL is not set: the postgres backend needs it.")
        return self.database_url.get_secret_value()

    @property
    def feedback_path(self) -> Path:
        return self.state_dir / "feedback.sqlite3"

    @property
    def spend_path(self) -> Path:
        return self.state_dir / "spend.sqlite3"

    @property
    def reviews_path(self) -> Path:
        return self.state_dir / "reviews.sqlite3"


def api_key_digest(key: str) -> str:
    """`sha256:<hex>` of a key; a value already in that form is returned as it is."""
    if key.startswith(HASH_PREFIX) and len(key) == len(HASH_PREFIX) + 64:
        return key.lower()
    return HASH_PREFIX + hashlib.sha256(key.encode()).hexdigest()


HASH_PREFIX = "sha256:"

Role = Literal["ask", "review", "admin"]
# Each role may do what the roles before it may: a reviewer also asks, an admin also reviews.
ROLES: tuple[Role, ...] = ("ask", "review", "admin")


def split_role(entry: str) -> tuple[str, Role]:
    """`key:review` -> ("key", "review"); a bare key (or digest) asks. The message never
    repeats the key: it is a secret."""
    body = entry[len(HASH_PREFIX) :] if entry.startswith(HASH_PREFIX) else entry
    if ":" not in body:
        return entry, "ask"
    key, _, suffix = entry.rpartition(":")
    for role in ROLES:
        if suffix == role:
            return key, role
    raise ValueError(
        "an APP_API_KEYS entry ends in a ':' suffix that is not a role: write KEY, "
        "KEY:review or KEY:admin (roles: " + ", ".join(ROLES) + ")"
    )


def _is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


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
        # API keys are secrets: their value is never repeated.
        shown = "<hidden>" if field == "api_keys" else f"{problem.get('input')!s:.40}"
        lines.append(f"{variable}={shown}: {problem['msg']}")
    return "Invalid settings (environment or .env):\n  " + "\n  ".join(lines)


def _variable_name(field: str) -> str:
    info = Settings.model_fields.get(field)
    alias = info.validation_alias if info else None
    if isinstance(alias, str):
        return alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return f"APP_{field.upper()}"
