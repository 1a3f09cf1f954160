"""The hooks file for Cursor (``~/.cursor/hooks.json``, version 1). ``preToolUse`` fires
for every tool in current Cursor; Cursor versions before it had only the specific
events, so the legacy block registers ``beforeShellExecution`` and
``beforeMCPExecution`` instead (not both: a shell call would be judged twice).

Cursor lets the action through when a hook fails (it cannot start, crashes, times out
or prints no valid JSON) unless the hook entry says ``"failClosed": true``: every entry
here does, so only the client's own allow lets a call run (the client itself answers
a deny for everything it can see: no daemon, bad input, its own deadline)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aegis_core.hooksettings import hook_command, hook_timeout

ENCODER = Path(__file__).resolve().with_name("wire.py")
EVENTS = ("preToolUse",)
LEGACY_EVENTS = ("beforeShellExecution", "beforeMCPExecution")


def hooks_file(timeout_s: int, *, events: tuple[str, ...] = EVENTS, python: str | None = None,
               home: str | None = None) -> dict[str, Any]:
    return {"version": 1, "hooks": {
        event: [{"command": hook_command(ENCODER, event, int(timeout_s), python=python, home=home),
                 "timeout": int(timeout_s), "failClosed": True}]
        for event in events}}


def default_hooks_file(approval_timeout_s: int, *, events: tuple[str, ...] = EVENTS,
                       home: str | None = None) -> dict[str, Any]:
    return hooks_file(hook_timeout(approval_timeout_s), events=events, home=home)
