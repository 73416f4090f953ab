"""Service settings, read from the environment and a `.env` file (see README: Configuration)."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

EMBEDDED_DATABASE_URL = "sqlite+aiosqlite:///./bookshelf.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        EMBEDDED_DATABASE_URL,
        description="SQLAlchemy async URL; postgresql+asyncpg://... in production.",
    )
    migrate_on_startup: bool = Field(True, description="Upgrade the schema to head at startup.")
    database_echo: bool = Field(False, description="Log every SQL statement (development only).")
    database_pool_size: int = Field(10, ge=1, description="Connections kept per process.")
    database_connect_timeout_s: float = Field(
        10.0, gt=0, description="How long to wait for a new PostgreSQL connection."
    )
    worker_id: int | None = Field(
        None, ge=0, le=1023,
        description="Pin this process's snowflake worker id (0-1023) instead of leasing one.",
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
