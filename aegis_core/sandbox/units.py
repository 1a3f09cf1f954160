"""Sizes and durations as people write them in the manifest (``8GiB``, ``1h30m``)."""

from __future__ import annotations

import math
import re
from typing import Any

_SIZE_UNITS = {"": 1, "b": 1, "k": 1 << 10, "kib": 1 << 10, "kb": 1000, "m": 1 << 20, "mib": 1 << 20,
               "mb": 1000**2, "g": 1 << 30, "gib": 1 << 30, "gb": 1000**3, "t": 1 << 40, "tib": 1 << 40,
               "tb": 1000**4}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])", re.IGNORECASE)
_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_size(value: Any) -> int:
    """Bytes from ``8589934592``, ``"8GiB"``, ``"512M"``, ``"2GB"``. ValueError if not."""
    if isinstance(value, bool):
        raise ValueError("expected a size such as 8GiB")
    if isinstance(value, int):
        size = value
    elif isinstance(value, str) and (match := _SIZE.match(value)) and match.group(2).lower() in _SIZE_UNITS:
        size = int(float(match.group(1)) * _SIZE_UNITS[match.group(2).lower()])
    else:
        raise ValueError("expected a size such as 8GiB, 512MiB or a number of bytes")
    if size < 1 << 20:
        raise ValueError("less than 1 MiB cannot run anything")
    return size


def parse_duration(value: Any) -> float:
    """Seconds from ``3600``, ``"90s"``, ``"30m"``, ``"1h30m"``, ``"2d"``."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 30m")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and value.strip():
        compact = value.replace(" ", "")
        parts = _DURATION_PART.findall(compact)
        if not parts or "".join(n + u for n, u in parts).lower() != compact.lower():
            raise ValueError("expected a duration such as 90s, 30m, 4h or 1h30m")
        seconds = sum(float(n) * _DURATION_UNITS[u.lower()] for n, u in parts)
    else:
        raise ValueError("expected a duration such as 90s, 30m, 4h or 1h30m")
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError("must be more than zero")
    return seconds


def format_size(size: int) -> str:
    for unit, factor in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size} bytes"


def format_duration(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:g} h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"
