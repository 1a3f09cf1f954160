"""Each session's recent calls, for the ``critique`` hook: bounded per session (the
latest ``PER_SESSION``), slimmed to what a critic reads (long input values are cut),
and forgotten when the session has been idle for ``IDLE_SECONDS`` or when more
than ``MAX_SESSIONS`` are remembered (the least recently active goes first), so the
daemon's memory does not grow with the number of calls it has seen."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from dataclasses import replace
from typing import Any

from aegis_core.models import ToolCall, Verdict

PER_SESSION = 50
IDLE_SECONDS = 15 * 60.0
MAX_SESSIONS = 2048
VALUE_LIMIT = 512  # characters of one input value kept for the critic


class History:
    def __init__(self, *, per_session: int = PER_SESSION, idle_s: float = IDLE_SECONDS,
                 max_sessions: int = MAX_SESSIONS) -> None:
        self.per_session, self.idle_s, self.max_sessions = per_session, idle_s, max_sessions
        self._sessions: OrderedDict[str, tuple[float, deque[tuple[ToolCall, Verdict]]]] = OrderedDict()

    def recent(self, session: str) -> tuple[tuple[ToolCall, Verdict], ...]:
        """The session's latest calls and their final verdicts, oldest first."""
        found = self._sessions.get(session)
        return tuple(found[1]) if found else ()

    def add(self, call: ToolCall, verdict: Verdict) -> None:
        now = time.monotonic()
        found = self._sessions.pop(call.session, None)
        calls = found[1] if found else deque(maxlen=self.per_session)
        calls.append((_slim(call), _slim_verdict(verdict)))
        self._sessions[call.session] = (now, calls)  # most recently active last
        self._evict(now)

    def forget(self, session: str) -> None:
        self._sessions.pop(session, None)

    def __len__(self) -> int:
        return len(self._sessions)

    def _evict(self, now: float) -> None:
        while self._sessions:
            oldest, (seen, _) = next(iter(self._sessions.items()))
            if len(self._sessions) <= self.max_sessions and now - seen < self.idle_s:
                return
            del self._sessions[oldest]


def _slim(call: ToolCall) -> ToolCall:
    if all(not isinstance(v, str) or len(v) <= VALUE_LIMIT for v in call.input.values()):
        return call
    return replace(call, input={k: _cut(v) for k, v in call.input.items()})


def _cut(value: Any) -> Any:
    if isinstance(value, str) and len(value) > VALUE_LIMIT:
        return f"{value[:VALUE_LIMIT]}… ({len(value):,} characters)"
    return value


def _slim_verdict(verdict: Verdict) -> Verdict:
    return replace(verdict, reasons=()) if verdict.reasons else verdict
