"""One settings object for the whole app, read from the environment and `.env`.

Everything that differs between a laptop, CI and a GPU server lives here, so switching the LLM to
vLLM or the database to Postgres is a `.env` edit, never a code change.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_UPLOAD_TYPES = (
    "image/jpeg,image/png,image/webp,video/mp4,video/quicktime,video/x-matroska,video/webm,"
    "video/x-msvideo,video/mpeg,video/mp2t,text/csv,text/plain,application/zip"
)


def default_llm_threads(cpus: int | None = None) -> int:
    """llama.cpp threads by default: every core but one, at least one."""
    return max(1, (cpus if cpus is not None else os.cpu_count() or 1) - 1)


class Settings(BaseSettings):
    """Runtime configuration; field names map to upper-case environment variables."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # --- LLM (any OpenAI-compatible server: the embedded llama.cpp one, vLLM, Ollama) ---
    llm_base_url: str = "http://127.0.0.1:8081/v1"
    llm_model: str = "qwen2.5-1.5b-instruct"
    llm_api_key: str = "sk-local"
    llm_timeout_s: float = 60.0
    llm_max_retries: int = 1
    llm_temperature: float = 0.2
    llm_max_tokens: int = 400
    # Start the embedded llama.cpp server from `powerforge serve` (off when LLM_BASE_URL points elsewhere).
    llm_embedded: bool = True
    llm_embedded_model: str = "qwen2.5-1.5b-instruct"
    # One core left to everything else (the app's own turns, video jobs, a browser): llama.cpp's threads meet
    # at a barrier after every operation, and on a 2-core machine with anything else running 2 threads
    # decoded 9x slower than 1 (bench/llm_speed.py, docs/llm.md §7).
    llm_embedded_threads: int = Field(default_factory=lambda: default_llm_threads())
    llm_embedded_ctx: int = 4096
    llm_server_env: Path = Path("llm_server/.venv")

    # --- storage ---
    data_dir: Path = Path("var")
    database_url: str = ""  # empty: a SQLite file inside data_dir
    # "transaction": DATABASE_URL is a transaction pooler (PgBouncer, Supavisor, RDS Proxy). A server session
    # is then not kept from one transaction to the next, so no prepared statements are used, and advisory
    # locks (scheduler leader, turns, jobs) go to DATABASE_DIRECT_URL, a session connection to the database.
    database_pooler: str = ""  # "" (direct or session pooling) | transaction
    database_direct_url: str = ""

    # --- cluster mode (docs/deploy.md): the local process pool stays the default ---
    jobs_backend: str = "local"  # local (a process pool in the app) | celery (workers on the `video` queue)
    redis_url: str = "redis://127.0.0.1:6379/0"  # Celery broker and the pub/sub of progress and deliveries
    # Seconds before Redis hands an unacknowledged job to another worker: above the longest analysis
    # (0 = four times VIDEO_MAX_DURATION_S, at least an hour); a worker that died is replaced after it.
    celery_visibility_timeout_s: float = 0.0
    celery_restore_interval_s: float = 10.0  # how often workers look for messages of dead workers

    # The coach's memory (notes searched by meaning): empty, a Chroma store per person under data_dir/memory;
    # with several app processes, the URL of one Chroma server they share (`chroma run`; cluster mode starts one).
    memory_url: str = ""

    # --- uploads ---
    # Where uploads are kept: empty, DATA_DIR/files (a directory every process shares or mounts); or an
    # S3-compatible bucket, s3://bucket/prefix, that every app process and video worker reads (DATA_DIR/files then
    # caches what this machine used). S3_ENDPOINT_URL is empty for AWS, else the R2 / MinIO / other endpoint;
    # empty keys use boto3's own chain (AWS_* variables, profile, instance role).
    uploads_url: str = ""
    s3_endpoint_url: str = ""
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    s3_region: str = ""  # empty: us-east-1 (R2 takes "auto")
    upload_max_mb: int = 500
    upload_allowed_types: str = DEFAULT_UPLOAD_TYPES
    video_max_duration_s: float = 900.0
    # Photos (barcodes): the size is read from the file's header and a bigger one is refused undecoded.
    image_max_megapixels: float = 40.0
    pose_backend: str = "blazepose"  # blazepose (offline default) | rtmpose (after `models pull rtmpose-m`)
    # A mirror for the manifest's URL sources (machines without internet, an internal cache): a url source
    # https://HOST/PATH is fetched from MODEL_MIRROR/HOST/PATH instead; the sha256 checks are unchanged.
    model_mirror: str = ""

    # --- web app ---
    host: str = "127.0.0.1"
    port: int = 8000
    auth_secret: str = ""  # empty: generated once and kept in data_dir/.auth_secret
    admin_user: str = "admin"
    timezone: str = "UTC"

    # --- agent ---
    agent_recursion_limit: int = 12
    agent_tool_retries: int = 2

    # --- nutrition: Open Food Facts (optional; lookups are cached in the database) ---
    off_enabled: bool = True
    off_base_url: str = "https://world.openfoodfacts.org"
    off_user_agent: str = "PowerForge/0.1 (self-hosted)"
    off_timeout_s: float = 5.0  # capped at 5 s by the client
    off_products_per_min: int = 80  # client-side budget; the published limit is 100/min
    off_searches_per_min: int = 8  # the published limit is 10/min
    off_cache_days: int = 30

    @field_validator("data_dir", "llm_server_env", mode="after")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def db_url(self) -> str:
        """SQLAlchemy URL of the app database (sync driver)."""
        if self.database_url:
            return normalise_db_url(self.database_url)
        return f"sqlite:///{(self.data_dir / 'powerforge.db').resolve()}"

    @field_validator("uploads_url", mode="after")
    @classmethod
    def _uploads_url(cls, value: str) -> str:
        value = value.strip()
        if value and (not value.startswith("s3://") or not value[5:].split("/", 1)[0]):
            raise ValueError("UPLOADS_URL is empty (uploads under DATA_DIR/files) or s3://bucket[/prefix]")
        return value

    @field_validator("database_pooler", mode="after")
    @classmethod
    def _pooler(cls, value: str) -> str:
        if value not in ("", "session", "transaction"):
            raise ValueError("DATABASE_POOLER is 'transaction' (PgBouncer's transaction mode), 'session' or empty")
        return value

    @property
    def behind_transaction_pooler(self) -> bool:
        return self.database_pooler == "transaction" and not self.is_sqlite

    @property
    def lock_db_url(self) -> str:
        """Where advisory locks are taken: a session connection, never through a transaction pooler."""
        if not self.behind_transaction_pooler:
            return self.db_url
        if not self.database_direct_url:
            raise ValueError(
                "DATABASE_POOLER=transaction needs DATABASE_DIRECT_URL (a direct or session-pooled connection to "
                "the same database): advisory locks do not survive a transaction pooler"
            )
        return normalise_db_url(self.database_direct_url)

    @property
    def visibility_timeout_s(self) -> float:
        return self.celery_visibility_timeout_s or max(3600.0, 4 * self.video_max_duration_s)

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")

    @property
    def image_max_pixels(self) -> int:
        return int(self.image_max_megapixels * 1_000_000)

    @property
    def upload_max_bytes(self) -> int:
        return self.upload_max_mb * 1024 * 1024

    @property
    def allowed_upload_types(self) -> frozenset[str]:
        return frozenset(t.strip() for t in self.upload_allowed_types.split(",") if t.strip())

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    def ensure_dirs(self) -> None:
        for path in (self.data_dir, self.models_dir, self.files_dir):
            path.mkdir(parents=True, exist_ok=True)

    def resolved_auth_secret(self) -> str:
        """The Chainlit JWT secret: configured, or created once per data dir so sessions survive restarts."""
        if self.auth_secret:
            return self.auth_secret
        self.ensure_dirs()
        path = self.data_dir / ".auth_secret"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


def normalise_db_url(url: str) -> str:
    """Accept the URL forms people paste (postgres://, postgresql://) and pick the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def async_db_url(url: str) -> str:
    """The async-driver twin of a sync SQLAlchemy URL (for Chainlit's data layer)."""
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    return url  # psycopg 3 serves sync and async engines under one dialect name


class _Holder:
    settings: Settings | None = None


@lru_cache(maxsize=1)
def _cached() -> Settings:
    return Settings()


def get_settings() -> Settings:
    """The process-wide settings (tests replace them with `override_settings`)."""
    return _Holder.settings or _cached()


def override_settings(settings: Settings | None) -> None:
    """Swap the process-wide settings; `None` goes back to the environment."""
    _Holder.settings = settings
    _cached.cache_clear()


__all__ = ["Settings", "async_db_url", "get_settings", "normalise_db_url", "override_settings"]
