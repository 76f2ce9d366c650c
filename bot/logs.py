"""Logging that never holds what people typed.

The data is about children and families, so no log line may carry a request body, an action's
text, an update, evidence, a location or a reason, at any level and from any library. Libraries
do not make that promise: Bolt logs the whole body of a request whose signature fails, slack_sdk
logs every message it sends at DEBUG, SQLAlchemy puts statement parameters in its messages, and
any exception's message may quote its input.

So every log record is made safe when it is created (a LogRecord factory), before any handler,
filter or test capture sees it:

- records from the project's own loggers and a few libraries known to log only ids and counts
  keep their message; the project's log calls pass ids, counts and error codes only;
- records from every other logger (Bolt, slack_sdk, SQLAlchemy, anything unknown) keep only the
  fixed words that open their message, up to where data starts, and say the rest was withheld;
- an exception attached to any record keeps its type and stack (file, line, function) but not its
  message, except for types whose messages are known to carry no content (a refused connection,
  Slack's error code).
"""

from __future__ import annotations

import json
import logging
import re
import time
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any

# Loggers whose messages are trusted: ours (ids and counts only) and libraries that log none of the
# request's content. A prefix matches the logger and its children.
TRUSTED_LOGGERS = ("arising", "bot", "handlers", "storage", "waitress", "apscheduler", "alembic", "py.warnings")
WITHHELD = "[details withheld]"
FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"

# Where data starts in a library's message: a separator before a value, a bracket, a quote or a
# %-placeholder. Only the fixed words before it are kept.
_DATA_START = re.compile(r"""[:(){}\[\]%='"<>\n]| - |https?:""")
_MAX_LEAD = 100

_MARK = "_arising_redacts"


def _trusted(name: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in TRUSTED_LOGGERS)


def message_lead(msg: object) -> str:
    """The fixed words a library's message opens with, and a note that the rest was withheld.

    `msg` is the record's template (before %-formatting), so values passed as arguments are never
    looked at; a message built with an f-string is cut where its first value begins.
    """
    if not isinstance(msg, str):
        return WITHHELD
    cut = _DATA_START.search(msg)
    lead = msg[: cut.start()] if cut else msg
    if len(lead) > _MAX_LEAD:
        lead = lead[:_MAX_LEAD]
    elif cut is None:
        return msg.strip() or WITHHELD
    lead = lead.rstrip(" ,;.-")
    return f"{lead} {WITHHELD}" if lead else WITHHELD


def _safe_exception_message(exc: BaseException) -> str:
    """What of an exception's message may be logged: nothing, unless its kind never quotes content."""
    from slack_sdk.errors import SlackApiError
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeoutError

    if isinstance(exc, SlackApiError):
        # Only Slack's error code: the message repeats the response, which may echo what was sent.
        response = getattr(exc, "response", None)
        code = response.get("error") if response is not None and hasattr(response, "get") else None
        status = getattr(response, "status_code", None)
        return f"Slack answered {status}: {code}" if code else f"Slack answered {status}"
    if isinstance(exc, OperationalError):
        # The driver's first line ("connection refused", "statement timeout"), never the statement
        # or its parameters.
        orig = exc.orig
        first = str(orig).strip().splitlines()[0] if orig is not None and str(orig).strip() else ""
        return f"{type(orig).__name__}: {first}" if orig is not None else ""
    if isinstance(exc, (OSError, PoolTimeoutError, AttributeError, TypeError, NameError, ImportError)):
        # System and programming errors name files, addresses, types and attributes, never data.
        return str(exc)
    return "(message withheld)"


def _describe(exc: BaseException) -> str:
    message = _safe_exception_message(exc)
    return type(exc).__name__ + (f": {message}" if message else "")


def format_exception_safely(exc: BaseException) -> str:
    """A traceback with every frame (file, line, function, source line) and no exception messages."""
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    parts: list[str] = []
    for index, item in enumerate(reversed(chain)):
        if index:
            parts.append("\nThe above exception led to the following exception:\n\n")
        if item.__traceback__ is not None:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.format_list(traceback.extract_tb(item.__traceback__)))
        message = _safe_exception_message(item)
        parts.append(f"{type(item).__module__}.{type(item).__qualname__}" + (f": {message}" if message else ""))
        parts.append("\n")
    return "".join(parts).rstrip("\n")


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def redact(record: logging.LogRecord) -> logging.LogRecord:
    """Make one record safe to write anywhere (in place, and returned)."""
    if not _trusted(record.name):
        record.msg = message_lead(record.msg)
        record.args = ()
    elif isinstance(record.args, tuple) and any(isinstance(a, BaseException) for a in record.args):
        # Our own calls pass ids and codes; an exception passed as an argument is shown by its kind.
        record.args = tuple(_describe(a) if isinstance(a, BaseException) else a for a in record.args)
    exc_info: ExcInfo | None = record.exc_info if isinstance(record.exc_info, tuple) else None
    if exc_info is not None and exc_info[1] is not None:
        # Formatters append exc_text as it is; exc_info is dropped so nothing formats the messages again.
        record.exc_text = format_exception_safely(exc_info[1])
        record.exc_info = None
    return record


def install_redaction() -> None:
    """Make every log record created from now on pass through `redact` (idempotent)."""
    base = logging.getLogRecordFactory()
    if getattr(base, _MARK, False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = base(*args, **kwargs)
        try:
            return redact(record)
        except Exception:
            # Redaction must never break the code that logs, nor let the record through unredacted.
            record.msg, record.args, record.exc_info, record.exc_text = WITHHELD, (), None, None
            return record

    setattr(factory, _MARK, base)
    logging.setLogRecordFactory(factory)


def uninstall_redaction() -> None:
    """Undo `install_redaction`, restoring the factory it wrapped (for tests)."""
    factory: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()
    base = getattr(factory, _MARK, None)
    if base is not None:
        logging.setLogRecordFactory(base)


class JsonFormatter(logging.Formatter):
    """One JSON object per line for log shippers: time, level, logger, message (already redacted)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            entry["exception"] = record.exc_text
        elif record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


JsonFormatter.converter = time.gmtime  # type: ignore[assignment]


def configure_logging(level: str, log_format: str = "text") -> None:
    """The process's logging: one stream handler at `level`, with every record redacted, as text lines
    or (`log_format="json"`) one JSON object per line.

    SQLAlchemy's engine logs every statement and its parameters at INFO when the root level lets it;
    it is held at WARNING so a DEBUG run does not fill the log with withheld lines.
    """
    install_redaction()
    logging.basicConfig(level=level.upper(), format=FORMAT)
    if log_format == "json":
        for handler in logging.getLogger().handlers:
            handler.setFormatter(JsonFormatter())
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
