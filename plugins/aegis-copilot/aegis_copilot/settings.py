"""The hooks file for Copilot CLI (``.github/hooks/aegis.json``, version 1):
``preToolUse`` decides every tool call, ``postToolUse`` records the outcome.

Copilot CLI logs and skips a hook that fails (a non-zero exit status, a timeout): the
tool runs. So ``preToolUse`` runs the client under guard.sh in its JSON mode: whatever
way the client fails, the guard prints Copilot's deny object itself and exits 0."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aegis_core.hooksettings import OBSERVE_TIMEOUT_S, hook_command, hook_timeout

ENCODER = Path(__file__).resolve().with_name("wire.py")
# Copilot's deny (the guard puts the reason, a JSON string, in place of %s).
DENY_JSON = '{"permissionDecision":"deny","permissionDecisionReason":%s}'


def hooks_file(timeout_s: int, *, python: str | None = None, home: str | None = None) -> dict[str, Any]:
    def hook(event: str, timeout: int, guarded: bool) -> dict[str, Any]:
        command = hook_command(ENCODER, event, timeout, python=python, home=home, guarded=guarded,
                               deny_json=DENY_JSON if guarded else None)
        return {"type": "command", "bash": command, "timeoutSec": timeout}

    # postToolUse only records a call that already ran: a failure there blocks nothing.
    return {"version": 1, "hooks": {"preToolUse": [hook("preToolUse", int(timeout_s), True)],
                                    "postToolUse": [hook("postToolUse", OBSERVE_TIMEOUT_S, False)]}}


def default_hooks_file(approval_timeout_s: int, *, home: str | None = None) -> dict[str, Any]:
    return hooks_file(hook_timeout(approval_timeout_s), home=home)
