"""Service settings, read from the environment and a `.env` file (see README: Configuration)."""

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

EMBEDDED_DATABASE_URL = "sqlite+aiosqlite:///./bookshelf.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        EMBEDDED_DATABASE_URL,
        description="SQLAlchemy async URL; postgresql+asyncpg://... in production.",
    )
    migrate_on_startup: bool = Field(True, description="Upgrade the schema to head at startup.")
    log_format: Literal["text", "json"] = Field(
        "text", description="json: one JSON object per line (production); text: readable lines."
    )
    log_level: str = Field("INFO", description="Lowest level logged (DEBUG, INFO, WARNING...).")
    max_body_bytes: int = Field(
        1024 * 1024, ge=1, description="Largest request body accepted (larger: 413)."
    )
    database_echo: bool = Field(False, description="Log every SQL statement (development only).")
    database_pool_size: int = Field(
        10, ge=1, description="Connections per process: the writers' pool holds this many, and "
        "as many again may overflow, shared with the read pool on PostgreSQL.")
    database_connect_timeout_s: float = Field(
        5.0, gt=0, description="How long to wait for a PostgreSQL connection (new or pooled)."
    )
    database_statement_timeout_s: float = Field(
        15.0, gt=0, description="How long one PostgreSQL statement may take."
    )
    worker_id: int | None = Field(
        None, ge=0, le=1023,
        description="Pin this process's snowflake worker id (0-1023); it is still leased, so "
        "startup fails while another live process holds it.",
    )
    worker_lease_ttl_s: float = Field(
        30.0, gt=0, description="How long a worker id lease lasts unrenewed (renewed every third)."
    )
    max_clock_skew_ms: int = Field(
        1000, ge=0, description="How far this host's clock may be off the database's."
    )
    clock_backward_tolerance_ms: int = Field(
        10, ge=0, description="How far back the clock may step before id creation fails."
    )
    event_delivery: Literal["immediate", "relay"] = Field(
        "immediate",
        description="immediate: listeners run in the request, after its commit; "
        "relay: only the background relay delivers.",
    )
    event_relay_enabled: bool = Field(True, description="Run the event relay in this process.")
    event_relay_interval_s: float = Field(
        1.0, gt=0, description="How often the relay looks for due publications."
    )
    event_retry_base_s: float = Field(
        1.0, gt=0, description="First retry delay of a failed delivery; doubles each time."
    )
    event_retry_max_s: float = Field(300.0, gt=0, description="Longest retry delay.")
    event_max_attempts: int = Field(
        10, ge=1, description="Attempts before a publication is given up on (listed as failed)."
    )
    event_claim_timeout_s: float = Field(
        30.0, gt=0,
        description="How long a delivery in progress keeps others off its publication.",
    )
    event_retention_s: float = Field(
        7 * 24 * 3600.0, ge=0, description="How long completed publications are kept."
    )
    broker_url: str | None = Field(
        None,
        description="Publish the Book module's integration events to this broker: amqp://... "
        "(RabbitMQ) or nats://... (NATS JetStream). Unset: no broker, nothing published.",
    )
    api_token_hashes: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="SHA-256 hex digests of the bearer tokens that may write (comma-separated).",
    )
    reads_require_token: bool = Field(False, description="Close reads to anonymous callers too.")
    sentry_dsn: str | None = Field(
        None, description="Report errors to this Sentry project (unset: no reports); "
        "no stored values are sent.")
    metrics_enabled: bool = Field(
        False, description="Serve Prometheus metrics at /metrics (closed by the write tokens "
        "when they are set); off, nothing of them is loaded.")
    cors_allow_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins browsers may call the API from (comma-separated); none by default.",
    )

    @field_validator("api_token_hashes", "cors_allow_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("api_token_hashes")
    @classmethod
    def _sha256_hex(cls, hashes: list[str]) -> list[str]:
        for digest in hashes:
            if len(digest) != 64 or any(c not in "0123456789abcdefABCDEF" for c in digest):
                raise ValueError("each API token hash is a SHA-256 digest: 64 hex characters")
        return [digest.lower() for digest in hashes]
