"""What handlers and the scheduler need at run time, built once by the app factory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.channels import Channels
from bot.directory import Directory
from bot.walltime import utcnow


@dataclass(frozen=True)
class Deps:
    """The session factory, the people directory, the clock (a parameter, so tests choose `now`) and
    what the bot can learn of channels (None: nothing, e.g. in offline tools)."""

    session_factory: sessionmaker[Session]
    directory: Directory
    clock: Callable[[], datetime] = utcnow
    channels: Channels | None = None
