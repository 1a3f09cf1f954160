"""The one place that configures structlog: console output on a terminal, JSON lines
otherwise, secrets redacted by a processor before any renderer sees them, and stdlib
logging routed through the same chain.

A JSON log line's text is under ``"message"``: structlog calls it ``event``, the word
that in Aegis names an audit record's kind (``aegis logs`` still reads older lines'
``"event"``)."""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import structlog

from aegis_core.redact import redact_value

_LEVELS = {"DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARNING": logging.WARNING, "ERROR": logging.ERROR}


def redact_event(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """structlog processor: mask tokens, keys and secret-named fields in every event."""
    return redact_value(event_dict)


_RENAME = structlog.processors.EventRenamer("message")
_JSON = structlog.processors.JSONRenderer()


def _json_lines(logger: Any, method: str, event_dict: dict[str, Any]) -> Any:
    """structlog's ``event`` (the line's text) as ``message``, then one JSON line."""
    return _JSON(logger, method, _RENAME(logger, method, event_dict))


def configure_logging(
    level: str = "INFO",
    *,
    fmt: str | None = None,
    stream: TextIO | None = None,
) -> None:
    """Configure structlog and stdlib logging once, at start-up.

    :param fmt: ``"json"`` or ``"text"``; default text on a terminal, JSON otherwise.
    :param stream: where lines go (default stderr; the daemon passes its log file).
    """
    stream = stream or sys.stderr
    if fmt is None:
        fmt = "text" if stream.isatty() else "json"
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        redact_event,
    ]
    renderer: Any = (
        _json_lines
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=stream.isatty())
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(foreign_pre_chain=shared, processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer,
        ])
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(_LEVELS.get(level.upper(), logging.INFO))
    # httpx logs every request URL at INFO, and Bot API URLs carry the bot token.
    # Redaction would mask it, but a URL that never reaches a log cannot leak.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
