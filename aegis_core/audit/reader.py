"""Reading the audit log for people (``aegis audit show``) and the ``--since`` time
syntax shared by ``audit show`` and ``logs``."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from aegis_core.audit import chain
from aegis_core.errors import ConfigError, StateCorruption
from aegis_core.models import AuditRecord

_RELATIVE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_since(text: str, *, now: float | None = None) -> float:
    """A point in time as Unix seconds: ``30s``/``10m``/``2h``/``1d``/``1w`` ago, an
    ISO 8601 date or date-time (local time unless it names a zone), or Unix seconds."""
    now = time.time() if now is None else now
    match = _RELATIVE.match(text)
    if match:
        return now - float(match.group(1)) * _UNIT_S[match.group(2)]
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text.strip()).timestamp()
    except ValueError:
        raise ConfigError(
            f"--since {text!r} is not a time",
            hint="use e.g. 10m, 2h, 1d, 2025-01-31 or 2025-01-31T14:00:00",
        ) from None


def read_records(path: Path) -> Iterator[AuditRecord]:
    """Every complete record of the log, in file order (an unfinished last line is
    skipped). A line that is not a record raises StateCorruption."""
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        return
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.endswith(b"\n"):
                return
            try:
                yield chain.parse(line)
            except (ValueError, KeyError, TypeError) as exc:
                raise StateCorruption(
                    f"line {number} of {path} is not an audit record ({exc})",
                    hint="run `aegis audit verify`",
                ) from None
