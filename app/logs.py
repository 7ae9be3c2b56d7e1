"""How the server logs: uvicorn's ``log_config`` for ``ATELIER_LOG_FORMAT=text`` or ``json``.

``text`` is uvicorn's own look. ``json`` writes one JSON object per line, for a log collector:
``timestamp`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, ``process``, ``exception``
when there is one, ``request_id`` for every line written while a request is handled, and for
uvicorn's access lines ``client``, ``method``, ``path``, ``status`` and ``duration_ms``.

Request ids: :class:`app.web.request_ids.RequestIds` takes a sane ``X-Request-ID`` from the
caller (a proxy's, so its log and ours can be matched) or makes one, and keeps it, with the
request's start, in context variables here; :class:`RequestContext` puts them on each record.
uvicorn writes its access line when the response starts, inside the request's context, so
``duration_ms`` there is the time until the response began (all of it for a page or JSON).
The formatter is a few lines on the standard library rather than a package: it writes exactly
these fields and nothing a log call passes in ``extra=``, so no participant text can ride along
by accident.

Both formats go through the same handlers: uvicorn's (the server's lines on stderr, access lines
on stdout), the ``app`` loggers at INFO (otherwise their lines would be lost or bare), everything
else from WARNING. Both carry :class:`RedactSecretPaths` and :class:`WithholdExceptionText`.

What reaches the logs at all: uvicorn logs the request line (method, path, query string) and the
WebSocket path (``/ws/workshops/1``). Participant and projector tokens never appear there: a
participant's token travels in the socket's ``hello`` message and in a cookie, the projector's in
the URL *fragment* (``/screen/1#token=…``), which browsers do not send. Join codes do appear
(``/join/ABC234``): they are shown to the whole room anyway. The one secret that can be in a path
is the first-run setup link (``/setup/<token>``); the filter blanks it. A traceback keeps its
frames and the type of each exception, but not their messages: a message may quote what someone
typed (a validation error shows the value it refused, a key error the key).
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

#: Paths whose last part is a secret: the one-time link that creates the first facilitator.
SECRET_PATH = re.compile(r"^(/setup/)[^/?#\s]+")

#: The id of the request being handled in this context ("" outside a request).
REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="")
#: When it began (``time.perf_counter()``), for the access line's duration.
REQUEST_STARTED: ContextVar[float | None] = ContextVar("request_started", default=None)

LogLevel = Literal["debug", "info", "warning"]
#: This package's folder: a failed command's line names the deepest frame of ours (its file
#: relative to it), not the library's line where the error surfaced.
APP_DIR = str(Path(__file__).resolve().parent) + os.sep


class RequestContext(logging.Filter):
    """Put the request's id (``request_id``, "" outside a request) on every record, and on
    uvicorn's access lines its duration so far (``duration_ms``); ``request_tag`` and
    ``duration_tag`` are the two as the text format shows them ("" when there are none)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = REQUEST_ID.get()
        record.request_id = request_id
        record.request_tag = f" [request {request_id}]" if request_id else ""
        started = REQUEST_STARTED.get()
        duration = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
        record.duration_ms = duration
        record.duration_tag = f" {duration} ms" if duration is not None else ""
        return True


def command_failed(
    log: logging.Logger, *, command_type: str, workshop_id: int, error: BaseException
) -> None:
    """A command's handler raised: one ERROR line an operator can act on, the traceback at DEBUG.

    The line names the command's type, the workshop and the exception's type with the place it
    was raised (file and line), never its message or the command's fields: either may quote a
    card's text or a name. The traceback (messages withheld, :class:`WithholdExceptionText`)
    follows only when the log level is ``debug``.
    """
    ours = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if frame.filename.startswith(APP_DIR)
    ]
    where = f" at app/{ours[-1].filename[len(APP_DIR) :]}:{ours[-1].lineno}" if ours else ""
    log.error(
        "command %s failed in workshop %s: %s%s",
        command_type,
        workshop_id,
        type(error).__qualname__,
        where,
    )
    log.debug("command %s failed in workshop %s", command_type, workshop_id, exc_info=error)


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (newlines in a message are escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        args = record.args
        if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
            client, method, path, _version, status = args  # uvicorn's access line
            entry.update(client=client, method=method, path=path, status=status)
            duration = getattr(record, "duration_ms", None)
            if duration is not None:
                entry["duration_ms"] = duration
        request_id = getattr(record, "request_id", "")
        if request_id:
            entry["request_id"] = request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RedactSecretPaths(logging.Filter):
    """Blank the secret part of a path (``/setup/<token>`` → ``/setup/…``) in uvicorn's lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.name.startswith("uvicorn"):
            record.args = tuple(
                SECRET_PATH.sub(r"\1…", arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


class WithholdExceptionText(logging.Filter):
    """Write a record's traceback without the exceptions' messages.

    The frames (file, line, the line of code) and each exception's type stay, for chained ones
    too, so an operator still sees where and what failed; the message goes, because it may carry
    participant text into the logs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = withheld_traceback(record.exc_info[1])
            record.exc_info = None
        return True


#: What Python prints between chained exceptions (the older one comes first).
CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"
WITHHELD = "(message withheld: it may quote what someone typed)"


def withheld_traceback(exc: BaseException) -> str:
    """``exc`` and the exceptions it was raised from or while handling, as Python prints them,
    each message replaced by a note."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None:
        seen.add(id(current))
        parts.insert(0, _one_withheld(current))
        older, link = current.__cause__, CAUSE
        if older is None and not current.__suppress_context__:
            older, link = current.__context__, CONTEXT
        if older is None or id(older) in seen:
            break
        parts.insert(0, link)
        current = older
    return "".join(parts).rstrip("\n")


def _one_withheld(error: BaseException) -> str:
    kind = type(error)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    frames = traceback.extract_tb(error.__traceback__)
    stack = "Traceback (most recent call last):\n" + "".join(traceback.format_list(frames))
    return f"{stack if frames else ''}{name}: {WITHHELD}\n"


def log_config(log_format: Literal["text", "json"], log_level: LogLevel = "info") -> dict[str, Any]:
    """A :func:`logging.config.dictConfig` dictionary, for ``uvicorn.run(log_config=…)``.

    Only names and strings: uvicorn hands it to each worker process (``--workers``) to apply there.
    ``log_level`` is the app's (``debug`` adds the tracebacks of failed commands); uvicorn's own
    lines stay at INFO, everything else at WARNING.
    """
    if log_format == "json":
        formatters: dict[str, Any] = {
            "default": {"()": "app.logs.JsonFormatter"},
            "access": {"()": "app.logs.JsonFormatter"},
            "app": {"()": "app.logs.JsonFormatter"},
        }
    else:
        formatters = {
            "default": {
                "()": "uvicorn.logging.DefaultFormatter",
                "fmt": "%(levelprefix)s %(message)s",
                "use_colors": None,
            },
            "access": {
                "()": "uvicorn.logging.AccessFormatter",
                "fmt": '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s'
                "%(duration_tag)s%(request_tag)s",
            },
            "app": {
                "()": "uvicorn.logging.DefaultFormatter",
                "fmt": "%(levelprefix)s %(name)s: %(message)s%(request_tag)s",
                "use_colors": None,
            },
        }
    filters = ["redact_secret_paths", "withhold_exception_text", "request_context"]  # every one
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "redact_secret_paths": {"()": "app.logs.RedactSecretPaths"},
            "withhold_exception_text": {"()": "app.logs.WithholdExceptionText"},
            "request_context": {"()": "app.logs.RequestContext"},
        },
        "formatters": formatters,
        "handlers": {
            "default": {
                "formatter": "default",
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "filters": filters,
            },
            "access": {
                "formatter": "access",
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "filters": filters,
            },
            "app": {
                "formatter": "app",
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "filters": filters,
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
            "app": {"handlers": ["app"], "level": log_level.upper(), "propagate": False},
        },
        "root": {"handlers": ["app"], "level": "WARNING"},
    }
