"""Configuration read from the environment and an optional `.env` file."""

from __future__ import annotations

import logging
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.db import DatabaseTimeouts

SLACK_PUBLIC_API_URL = "https://slack.com/api/"


class MissingSettingError(RuntimeError):
    """A setting the chosen command needs is not set; the message names the variable."""


class Settings(BaseSettings):
    """Everything Arising reads from its environment.

    Slack credentials are optional here because `arising migrate` and
    `arising summary` need none; each command asks for what it needs with
    `require`, which names the missing variable in one line.
    """

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    database_url: str = "sqlite:///arising.db"
    slack_api_url: str = SLACK_PUBLIC_API_URL
    port: int = Field(default=3000, ge=1, le=65535)
    # HTTP threads: they only verify, queue and ack, so a few are plenty.
    listener_threads: int = Field(default=16, ge=1, le=256)
    # Where acked requests wait for the work pool (a local directory; one per web process).
    inbox_dir: str = "inbox"
    # Jobs waiting before new requests are answered "busy, try again in a minute".
    inbox_max_pending: int = Field(default=500, ge=1, le=100_000)
    # Worker processes that run the jobs (serve/run); 0 runs them on threads in the web process.
    worker_processes: int = Field(default=2, ge=0, le=64)
    # Threads per worker process (or in the web process when worker_processes is 0).
    worker_threads: int = Field(default=4, ge=1, le=64)
    scheduler_enabled: bool = True
    # How often the clock ticks; another clock takes over after three ticks without renewal of the lease.
    clock_tick_seconds: float = Field(default=60.0, ge=0.05, le=3600)
    log_level: str = "INFO"
    # `json` writes one JSON object per line, for log shippers.
    log_format: Literal["text", "json"] = "text"
    # Time limits, so a stalled Slack or database becomes a fault the user is told of, not a hang.
    # A Web API call that has no answer after this long is given up (and a post is not sent again).
    slack_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    db_connect_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # Waiting for a free pooled connection, and for one SQL statement (including its lock waits).
    db_pool_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    db_statement_timeout_seconds: float = Field(default=10.0, gt=0, le=600)
    # /healthz answers 503 when the database has not answered its probe within this.
    health_timeout_seconds: float = Field(default=2.0, gt=0, le=4)

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        # Checked here so a typo is one clear line, not a traceback from logging.basicConfig.
        level = value.strip().upper()
        if level not in logging.getLevelNamesMapping():
            raise ValueError("use DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    def require(self, *names: str) -> None:
        """Raise MissingSettingError naming the first unset variable among `names`."""
        for name in names:
            if not getattr(self, name):
                raise MissingSettingError(
                    f"{name.upper()} is not set: put it in the environment or in a .env file "
                    "(see the configuration table in README.md)."
                )

    def database_timeouts(self) -> DatabaseTimeouts:
        """The database time limits for `storage.db.make_engine`."""
        return DatabaseTimeouts(
            connect=self.db_connect_timeout_seconds,
            pool=self.db_pool_timeout_seconds,
            statement=self.db_statement_timeout_seconds,
        )

    @property
    def api_url(self) -> str:
        """The Web API base URL with the trailing slash slack_sdk expects."""
        return self.slack_api_url if self.slack_api_url.endswith("/") else self.slack_api_url + "/"
