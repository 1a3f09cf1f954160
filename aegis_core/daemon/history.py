"""Each session's recent calls, for the ``critique`` hook, bounded by what a critic
needs: the calls of the last ``WINDOW_SECONDS`` (the built-in critic's rapid-fire
window) and always the last ``KEEP_LAST`` (its probing window), at most
``PER_SESSION``; each slimmed (long input values cut, shared strings interned). A
session idle for ``IDLE_SECONDS``, or the least recently active beyond
``MAX_SESSIONS``, is forgotten. So the daemon's memory follows the number of active
sessions and their call rate, not the number of calls it has seen."""

from __future__ import annotations

import sys
import time
from collections import OrderedDict, deque
from dataclasses import replace
from typing import Any

from aegis_core.models import ToolCall, Verdict

PER_SESSION = 50
WINDOW_SECONDS = 10.0
KEEP_LAST = 6
IDLE_SECONDS = 15 * 60.0
MAX_SESSIONS = 4096
VALUE_LIMIT = 512  # characters of one input value kept for the critic


class History:
    def __init__(self, *, per_session: int = PER_SESSION, window_s: float = WINDOW_SECONDS,
                 keep_last: int = KEEP_LAST, idle_s: float = IDLE_SECONDS, max_sessions: int = MAX_SESSIONS) -> None:
        self.per_session, self.window_s, self.keep_last = per_session, window_s, keep_last
        self.idle_s, self.max_sessions = idle_s, max_sessions
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
        # Older than the window and not among the last few: no critic reads it.
        horizon = call.received_at - self.window_s
        while len(calls) > self.keep_last and calls[0][0].received_at < horizon:
            calls.popleft()
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
    intern = sys.intern
    return replace(call, agent=intern(call.agent), tool=intern(call.tool), cwd=intern(call.cwd),
                   session=intern(call.session), hook_event=intern(call.hook_event),
                   input={k: _cut(v) for k, v in call.input.items() if k != "tool_response"})


def _cut(value: Any) -> Any:
    if isinstance(value, str) and len(value) > VALUE_LIMIT:
        return f"{value[:VALUE_LIMIT]}… ({len(value):,} characters)"
    return value


def _slim_verdict(verdict: Verdict) -> Verdict:
    return replace(verdict, reasons=()) if verdict.reasons else verdict
