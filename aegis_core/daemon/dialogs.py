"""Approvals the agent's own terminal is answering, and the agent's ids of each call.

When a call needs approval and the agent can show its own permission dialog (Claude
Code, interactive), the pipeline answers "ask" and leaves the approval pending on
every other channel: the dialog and the phone race, the first answer wins. This
module finds such an approval again when the agent reports on it: Claude Code's
``PermissionRequest`` hook (while its dialog is open; it carries no tool_use_id,
so it is matched by session, tool and input), ``PostToolUse`` (the call ran: Yes at
the dialog) or the PTY relay (the key the user pressed). It also keeps, per session,
which Aegis call (and approval) an agent's call id belongs to, so the outcome the
agent reports later is recorded under the same ids as the decision.

Bounded: the oldest entries are dropped first; an open dialog also ends at its
approval's deadline.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from aegis_core.models import ToolCall, Verdict

MAX_OPEN = 1024
MAX_CALLS = 8192


@dataclass(frozen=True)
class Handed:
    """An approval handed to the agent's dialog, with the call and verdict it is for."""

    approval_id: str
    call: ToolCall
    verdict: Verdict
    deadline_at: float


@dataclass(frozen=True)
class CallIds:
    """Aegis' ids of the call an agent's own call id names."""

    call_id: str
    approval_id: str | None


def _shape(call: ToolCall) -> tuple[str, str, str, str]:
    """What a PermissionRequest has in common with the PreToolUse before it."""
    body = json.dumps(call.input, sort_keys=True, separators=(",", ":"), default=str)
    return (call.session, call.agent_session, call.tool, body)


class Dialogs:
    def __init__(self) -> None:
        self._open: OrderedDict[str, Handed] = OrderedDict()
        self._calls: OrderedDict[tuple[str, str], CallIds] = OrderedDict()

    # -- the agent's call ids ------------------------------------------------------

    def remember_call(self, call: ToolCall, approval_id: str | None = None) -> None:
        if not call.agent_call_id:
            return
        key = (call.session, call.agent_call_id)
        self._calls[key] = CallIds(call.id, approval_id)
        self._calls.move_to_end(key)
        while len(self._calls) > MAX_CALLS:
            self._calls.popitem(last=False)

    def call_of(self, session: str, agent_call_id: str) -> CallIds | None:
        return self._calls.get((session, agent_call_id)) if agent_call_id else None

    # -- approvals at the agent's dialog ----------------------------------------------

    def hand(self, approval_id: str, call: ToolCall, verdict: Verdict, deadline_at: float) -> None:
        self._open[approval_id] = Handed(approval_id, call, verdict, deadline_at)
        while len(self._open) > MAX_OPEN:
            self._open.popitem(last=False)

    def get(self, approval_id: str) -> Handed | None:
        return self._open.get(approval_id)

    def close(self, approval_id: str) -> Handed | None:
        return self._open.pop(approval_id, None)

    def matching(self, call: ToolCall) -> Handed | None:
        """The oldest open dialog approval for the same call (a PermissionRequest)."""
        wanted = _shape(call)
        return next((h for h in self._open.values() if _shape(h.call) == wanted), None)

    def of_agent_call(self, session: str, agent_call_id: str) -> Handed | None:
        if not agent_call_id:
            return None
        return next((h for h in self._open.values()
                     if h.call.session == session and h.call.agent_call_id == agent_call_id), None)

    def in_session(self, session: str, approval_prefix: str = "") -> Handed | None:
        """The open dialog approval of ``session`` a terminal answer is for: the one
        whose id starts with ``approval_prefix`` (shown in the dialog), else the only
        open one; None when that is ambiguous or there is none."""
        mine = [h for h in self._open.values() if h.call.session == session]
        if approval_prefix:
            mine = [h for h in mine if h.approval_id.startswith(approval_prefix)]
        return mine[0] if len(mine) == 1 else None

    def due(self, now: float) -> list[Handed]:
        return [h for h in self._open.values() if h.deadline_at <= now]

    def __len__(self) -> int:
        return len(self._open)

    def state(self) -> dict[str, Any]:
        return {"open_dialogs": len(self._open), "known_calls": len(self._calls)}
