"""``aegis logs``: read (and follow) the daemon's structured log, ``$AEGIS_HOME/aegis.log``."""

from __future__ import annotations

import json
import time
from collections import deque
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from aegis_core.cli import AppContext

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_RANK = {name: rank for rank, name in enumerate(LEVELS)} | {"CRITICAL": 4, "WARN": 2}


def parse_line(raw: str) -> dict[str, Any]:
    """A log line as a dict; a line that is not JSON becomes ``{"message": line}``."""
    try:
        data = json.loads(raw)
    except ValueError:
        return {"message": raw, "level": "info"}
    return data if isinstance(data, dict) else {"message": raw, "level": "info"}


def _stamp(entry: dict[str, Any]) -> float | None:
    value = entry.get("timestamp")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    return None


def _matches(entry: dict[str, Any], level: str | None, since: float | None) -> bool:
    if level and _RANK.get(str(entry.get("level", "info")).upper(), 1) < _RANK[level]:
        return False
    if since is not None:
        stamp = _stamp(entry)
        if stamp is None or stamp < since:
            return False
    return True


def _render(entry: dict[str, Any]) -> str:
    # The line's text: "message"; "event" in lines older daemons wrote.
    text_key = "message" if "message" in entry else "event"
    rest = {k: v for k, v in entry.items() if k not in ("timestamp", "level", text_key, "logger")}
    extra = " ".join(f"{k}={v}" for k, v in sorted(rest.items()))
    level = str(entry.get("level", "info")).lower()
    head = f"{entry.get('timestamp', '-')} [{level:<7}] {entry.get(text_key, '')}"
    return f"{head} {extra}".rstrip()


def _emit(raw: str, entry: dict[str, Any], as_json: bool) -> None:
    click.echo(json.dumps(entry) if as_json else _render(entry))


@click.command()
@click.option("--follow", "-f", is_flag=True, help="Keep printing new lines as they are written.")
@click.option(
    "--lines",
    "-n",
    "count",
    type=click.IntRange(min=0),
    default=50,
    show_default=True,
    help="How many of the last lines to show.",
)
@click.option(
    "--level", type=click.Choice(LEVELS, case_sensitive=False), help="Minimum level to show."
)
@click.option("--json", "as_json", is_flag=True, help="Output as JSON lines.")
@click.option("--since", metavar="TIME", help="Only lines since TIME (10m, 2h, 1d, or ISO 8601).")
@click.pass_obj
def logs(
    app: AppContext, follow: bool, count: int, level: str | None, as_json: bool, since: str | None
) -> None:
    """Show the daemon's log (for decisions, see `aegis audit show`)."""
    from aegis_core.audit.reader import parse_since

    path: Path = app.config(plugins=False).home / "aegis.log"
    level = level.upper() if level else None
    start = parse_since(since) if since else None
    if not path.exists() and not follow:
        click.echo(f"No daemon log yet ({path}); start the daemon with: aegis start", err=True)
        return
    last: deque[tuple[str, dict[str, Any]]] = deque(maxlen=count)
    position = 0
    if path.exists():
        with open(path, encoding="utf-8", errors="replace") as handle:
            for raw in handle:
                if not raw.endswith("\n"):
                    break  # a line still being written; --follow picks it up
                position += len(raw.encode("utf-8", errors="replace"))
                entry = parse_line(raw.rstrip("\n"))
                if _matches(entry, level, start):
                    last.append((raw, entry))
    for raw, entry in last:
        _emit(raw, entry, as_json)
    if follow:
        _follow(path, position, level, start, as_json)


def _follow(
    path: Path, position: int, level: str | None, start: float | None, as_json: bool
) -> None:
    pending = b""
    while True:
        try:
            with open(path, "rb") as handle:
                size = handle.seek(0, 2)
                if size < position:
                    position = 0  # the log was rotated or truncated: start over
                handle.seek(position)
                chunk = handle.read()
        except FileNotFoundError:
            chunk = b""
        position += len(chunk)
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for raw in complete:
            entry = parse_line(raw.decode("utf-8", errors="replace"))
            if _matches(entry, level, start):
                _emit(raw.decode("utf-8", errors="replace"), entry, as_json)
        time.sleep(0.25)
