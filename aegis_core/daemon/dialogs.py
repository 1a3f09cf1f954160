"""Approvals the agent's own terminal may answer, and the agent's ids of each call.

When a call needs approval and the agent can show its own permission dialog (Claude
Code, interactive), the pipeline answers "ask" and leaves the approval pending on
every other channel: the dialog and the phone race, the first answer wins. This
module finds such an approval again when the agent reports on it: Claude Code's
``PermissionRequest`` hook (while its dialog is open; it carries no tool_use_id, so
it is matched by session, conversation, tool and input), ``PostToolUse`` (the call
ran: Yes in the dialog) or the PTY relay (the key the user pressed, naming the
approval by the id the dialog shows). A prompt the PTY relay holds at the keyboard is
answerable there the same way. It also keeps, per session, which Aegis call (and
approval) an agent's own call id belongs to, so the outcome the agent reports later
is recorded under the ids of the decision.

Bounded: the oldest entries are dropped first; an approval at a dialog leaves when it
ends (answered, or expired at its deadline).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import anyio

from aegis_core.models import Approval, ToolCall, Verdict

if TYPE_CHECKING:
    from aegis_core.daemon.calltext import CallText
    from aegis_core.daemon.pipeline import Answer

MAX_OPEN = 1024
MAX_CALLS = 8192


@dataclass
class Handed:
    """An approval handed to the agent's dialog: the call and verdict it is for, and
    (once it ends) how it ended."""

    approval: Approval
    call: ToolCall
    verdict: Verdict
    text: CallText
    timeout_s: float
    ended: anyio.Event = field(default_factory=anyio.Event)
    final: Approval | None = None
    watched: bool = False  # something waits on the approval and will set ``ended``
    # The call's last answer when its approval could not end (the fleet store was
    # unreachable): the dialog's own answer, recorded on this machine, or the deny.
    answer: Answer | None = None


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
        self._held: dict[str, str] = {}  # approval id -> session: prompts the relay holds at the keyboard
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

    # -- approvals at the agent's dialog -----------------------------------------------

    def hand(self, approval: Approval, call: ToolCall, verdict: Verdict, text: CallText,
             timeout_s: float) -> Handed:
        handed = Handed(approval, call, verdict, text, timeout_s)
        self._open[approval.id] = handed
        while len(self._open) > MAX_OPEN:
            _, dropped = self._open.popitem(last=False)
            dropped.ended.set()  # nothing is left to wait on here; its approval still expires
        return handed

    def close(self, approval_id: str) -> Handed | None:
        return self._open.pop(approval_id, None)

    def handed(self, approval_id: str) -> Handed | None:
        """The approval at the agent's dialog, while it is open there."""
        return self._open.get(approval_id)

    def matching(self, call: ToolCall) -> Handed | None:
        """The oldest open dialog approval for the same call (a PermissionRequest)."""
        wanted = _shape(call)
        return next((h for h in self._open.values() if _shape(h.call) == wanted), None)

    def of_agent_call(self, session: str, agent_call_id: str) -> Handed | None:
        if not agent_call_id:
            return None
        return next((h for h in self._open.values()
                     if h.call.session == session and h.call.agent_call_id == agent_call_id), None)

    # -- prompts held at the keyboard ----------------------------------------------------

    def hold(self, approval_id: str, session: str) -> None:
        self._held[approval_id] = session

    def release(self, approval_id: str) -> None:
        self._held.pop(approval_id, None)

    # -- an answer typed at the terminal ---------------------------------------------

    def answerable(self, session: str, approval_prefix: str = "") -> str | None:
        """The approval of ``session`` an answer typed at its terminal is for: the one
        whose id starts with ``approval_prefix`` (the dialog shows one), else the only
        one open; None when that is ambiguous or there is none."""
        mine = [h.approval.id for h in self._open.values() if h.call.session == session]
        mine += [approval_id for approval_id, owner in self._held.items() if owner == session]
        if approval_prefix:
            mine = [approval_id for approval_id in mine if approval_id.startswith(approval_prefix)]
        return mine[0] if len(mine) == 1 else None

    def state(self) -> dict[str, Any]:
        return {"open_dialogs": len(self._open), "held_prompts": len(self._held), "known_calls": len(self._calls)}
