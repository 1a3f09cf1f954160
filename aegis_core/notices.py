"""What the user running a wrapped agent sees while a call waits for approval, where
they are looking (the wrap's terminal): the approval id, the channels asked, and how
to answer; then who answered. Fed by the daemon's ``session.watch`` stream, in a
background thread of ``aegis wrap``."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aegis_core.client import update_of

if TYPE_CHECKING:
    from aegis_core.client import Identity


def describe(line: dict[str, Any]) -> str | None:
    """The notice for one ``session.watch`` line (None: nothing to say)."""
    approval = line.get("approval")
    if not isinstance(approval, dict) or not isinstance(approval.get("id"), str):
        return None
    short = approval["id"][:12]
    if update_of(line) == "pending":
        summary = " ".join(str(approval.get("summary") or "").split())
        summary = summary if len(summary) <= 80 else summary[:77] + "..."
        channels = [c for c in line.get("channels") or [] if c != "terminal"]
        ways = [f"answer on {', '.join(c for c in channels if c != 'cli')}"] \
            if any(c != "cli" for c in channels) else []
        if "cli" in channels:
            ways.append(f"run: aegis approvals approve {short} (or deny {short})")
        how = "; " + ", or ".join(ways) if ways else ", but no channel can answer it"
        return f"aegis: approval {short} waits for you ({approval.get('tool')}: {summary}){how}"
    status = approval.get("status")
    who = approval.get("decided_by") or "?"
    return f"aegis: approval {short} {status} by {who} via {approval.get('channel') or '?'}"


def watch(path: Path, identity: Identity, write: Callable[[str], None]) -> threading.Thread:
    """Start a daemon thread that writes a notice for every approval of the session
    ``identity`` names, until the stream ends (the session ends or the daemon stops).
    ``path`` is the operator socket: following a session is not served to agents."""

    def line(message: dict[str, Any]) -> None:
        notice = describe(message)
        if notice:
            write(notice)

    def run() -> None:
        from aegis_core.client import request
        from aegis_core.errors import AegisError

        try:
            request("session.watch", socket=path, identity=identity, timeout=None, on_interim=line,
                    session=identity.session)
        except AegisError:
            return  # notices are a help; the decisions never depend on them

    thread = threading.Thread(target=run, name="aegis-notices", daemon=True)
    thread.start()
    return thread
