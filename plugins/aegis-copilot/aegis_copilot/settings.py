"""The hooks file for Copilot CLI (``.github/hooks/aegis.json``, version 1):
``preToolUse`` decides every tool call, ``postToolUse`` records the outcome."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aegis_core.hooksettings import OBSERVE_TIMEOUT_S, hook_command, hook_timeout

ENCODER = Path(__file__).resolve().with_name("wire.py")


def hooks_file(timeout_s: int, *, python: str | None = None, home: str | None = None) -> dict[str, Any]:
    def hook(event: str, timeout: int) -> dict[str, Any]:
        return {"type": "command", "bash": hook_command(ENCODER, event, timeout, python=python, home=home),
                "timeoutSec": timeout}

    return {"version": 1, "hooks": {"preToolUse": [hook("preToolUse", int(timeout_s))],
                                    "postToolUse": [hook("postToolUse", OBSERVE_TIMEOUT_S)]}}


def default_hooks_file(approval_timeout_s: int, *, home: str | None = None) -> dict[str, Any]:
    return hooks_file(hook_timeout(approval_timeout_s), home=home)
