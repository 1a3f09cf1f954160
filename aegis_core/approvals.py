"""The rules of an approval's life on top of the store: its deadline (monotonic in a
running daemon, wall-clock across restarts), the per-session rate limit, the circuit
breaker that pauses a session after repeated denies, and "allow for this session"
grants. Plain functions and one class; no daemon needed to use or test them."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aegis_core.models import Action, Approval, Kind, ToolCall, Verdict
from aegis_core.tools import tool_group

if TYPE_CHECKING:
    from aegis_core.config import Config
    from aegis_core.store import Store

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
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Mapping):
        return {str(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    return value


@dataclass(frozen=True)
class Deadline:
    """When a pending approval stops waiting, on the monotonic clock (wall-clock
    jumps neither shorten nor extend it)."""

    at: float
    clock: Callable[[], float] = time.monotonic

    def remaining(self) -> float:
        return max(0.0, self.at - self.clock())

    @property
    def passed(self) -> bool:
        return self.clock() >= self.at


class ApprovalRules:
    """``[approvals]`` settings applied: deadlines, rate limit, circuit breaker, grants."""

    def __init__(self, config: Config | None = None, **overrides: Any) -> None:
        def setting(key: str, default: Any) -> Any:
            if key in overrides:
                return overrides[key]
            return config.get("approvals", key, default) if config is not None else default

        self.timeout_s = float(setting("timeout_seconds", 300))
        self.default_action = str(setting("default_action", "deny"))
        self.max_per_minute = int(setting("max_per_minute", 10))
        self.max_consecutive_denies = int(setting("max_consecutive_denies", 5))

    # ------------------------------------------------------------ deadlines

    def deadline(self, clock: Callable[[], float] = time.monotonic) -> Deadline:
        return Deadline(clock() + self.timeout_s, clock)

    def resume_deadline(
        self,
        approval: Approval,
        *,
        now_wall: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> Deadline:
        """Re-arm a pending approval found after a restart: what is left of its
        wall-clock deadline, never more than a full timeout (the clock may have
        been set back)."""
        now_wall = time.time() if now_wall is None else now_wall
        left = min(max(0.0, approval.deadline_at - now_wall), self.timeout_s)
        return Deadline(clock() + left, clock)

    @property
    def expiry_allows(self) -> bool:
        """Whether a timed-out approval lets the call through (``default_action``)."""
        return self.default_action == "approve"

    # ------------------------------------------------------ rate and breaker

    def check_rate(self, store: Store, session: str, *, now: float | None = None) -> Verdict | None:
        """A deny when the session already asked ``max_per_minute`` approvals in the
        last minute; None while it is within the limit."""
        now = time.time() if now is None else now
        asked = store.count_approvals_since(session, now - RATE_WINDOW_S)
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

    def check_breaker(self, store: Store, session: str) -> Verdict | None:
        """A deny while the session is paused; pauses it first when its latest
        decisions are ``max_consecutive_denies`` denies in a row."""
        if not store.is_paused(session):
            if not self.trip_if_needed(store, session):
                return None
        return paused_verdict(session)

    def trip_if_needed(self, store: Store, session: str) -> bool:
        """Pause the session if its deny streak reached the limit; True if it paused
        now. Call after recording a deny to pause at once rather than on the next call."""
        streak = store.consecutive_denies(session)
        if streak < self.max_consecutive_denies or store.is_paused(session):
            return False
        store.pause_session(
            session, f"{streak} denies in a row (limit {self.max_consecutive_denies})"
        )
        return True

    # ------------------------------------------------------------- grants

    def check_grant(self, store: Store, call: ToolCall) -> Verdict | None:
        """An allow when the user approved this exact call for the session earlier."""
        if not call.session or not store.has_grant(call.session, call_signature(call)):
            return None
        return Verdict(
            Action.ALLOW,
            rule="aegis.session_grant",
            source="aegis",
            reason="allowed for this session by an earlier approval",
        )


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
