"""The pure rules of approvals: what makes two calls the same (the signature a
session grant matches), the ``[approvals]`` settings, and the verdicts the rate
limit and the circuit breaker give. No store, no clock of their own: the
:class:`aegis_core.approvals.Approvals` object applies them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aegis_core.models import Action, Kind, ToolCall, Verdict
from aegis_core.tools import tool_group

if TYPE_CHECKING:
    from aegis_core.config import Config

RATE_WINDOW_S = 60.0
# Keys an agent fills with prose about the call, not the call itself: two calls that
# differ only there do the same thing.
_DESCRIPTIVE_KEYS = frozenset({"description"})


def call_signature(call: ToolCall) -> str:
    """A stable hash of what a call does (the tool, named the same for every agent, its
    working directory, its input, what the adapter found it touches), so an identical
    later call in the session matches an "allow for session" grant whichever agent makes
    it: Claude Code's ``Bash``, Codex's ``exec_command`` and Gemini's
    ``run_shell_command`` running the same command in the same folder are one call."""
    if call.kind is Kind.SHELL and call.command is not None:
        # A shell call is its command; the rest is how each agent happens to describe it
        # (Gemini's dir_path is already the call's cwd).
        tool_input: dict[str, Any] = {"command": call.command}
    else:
        tool_input = {k: v for k, v in call.input.items() if k not in _DESCRIPTIVE_KEYS}
    body = {
        "tool": tool_group(call.tool),
        "cwd": call.cwd,
        "input": _normalise(tool_input),
        "files": list(call.files),
        "urls": list(call.urls),
    }
    encoded = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode("utf-8", "surrogatepass")).hexdigest()


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Mapping):
        return {str(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    return value


class ApprovalRules:
    """``[approvals]`` settings: the timeout, what a timeout means, the rate limit
    and the circuit breaker's limit."""

    def __init__(self, config: Config | None = None, **overrides: Any) -> None:
        def setting(key: str, default: Any) -> Any:
            if key in overrides:
                return overrides[key]
            return config.get("approvals", key, default) if config is not None else default

        self.timeout_s = float(setting("timeout_seconds", 300))
        self.default_action = str(setting("default_action", "deny"))
        self.max_per_minute = int(setting("max_per_minute", 10))
        self.max_consecutive_denies = int(setting("max_consecutive_denies", 5))

    @property
    def expiry_outcome(self) -> str:
        """The outcome an approval nobody answered in time gets (``default_action``)."""
        return "approve" if self.default_action == "approve" else "deny"

    def rate_limited(self, asked: int) -> Verdict | None:
        """A deny when the session already asked ``asked`` approvals in the last
        minute and that reaches ``max_per_minute``; None while within the limit."""
        if asked < self.max_per_minute:
            return None
        return Verdict(
            Action.DENY,
            rule="aegis.rate_limit",
            source="aegis",
            risk=50,
            reason=(
                f"Aegis rate limit: this session asked for {asked} approvals in the last "
                f"minute (limit {self.max_per_minute}); wait a minute before retrying, or "
                "raise [approvals] max_per_minute"
            ),
        )

    def breaker_trips(self, streak: int) -> bool:
        """Whether ``streak`` denies in a row pause the session."""
        return streak >= self.max_consecutive_denies


def paused_verdict(session: str) -> Verdict:
    return Verdict(
        Action.DENY,
        rule="aegis.circuit_breaker",
        source="aegis",
        risk=50,
        reason=(
            f"Aegis paused session {session} after repeated denies; stop and ask the user, "
            f"who can resume it with: aegis approvals resume {session}"
        ),
    )


def grant_verdict() -> Verdict:
    return Verdict(
        Action.ALLOW,
        rule="aegis.session_grant",
        source="aegis",
        reason="allowed for this session by an earlier approval",
    )
