"""Shared bits of the approval tests: calls to ask about, a verdict that asks, and
store-level helpers for the compare-and-set tests (the rows the daemon's approvals
object would write, without its seals)."""

from __future__ import annotations

import json
import time
from dataclasses import replace

from aegis_core.channels import ResolveResult
from aegis_core.models import Action, Approval, ApprovalStatus, Kind, ToolCall, Verdict, new_id
from aegis_core.store import Store

ASK = Verdict(Action.REQUIRE_APPROVAL, reason="deletes files", rule="rm", risk=70)


def shell(command: str, session: str = "s1", **extra: object) -> ToolCall:
    return ToolCall(
        agent="claude",
        tool="Bash",
        kind=Kind.SHELL,
        input={"command": command, **extra},
        cwd="/work",
        session=session,
    )


def pending(store: Store, call: ToolCall, *, timeout_s: float = 60, seal: str = "") -> Approval:
    """A pending approval row for ``call``, as a store keeps it."""
    now = time.time()
    approval = Approval(id=new_id(), call_id=call.id, session=call.session, tool=call.tool,
                        kind=call.kind, summary=call.summary(), rule=ASK.rule, reason=ASK.reason,
                        risk=ASK.risk, created_at=now, deadline_at=now + timeout_s)
    store.create_approval(approval, agent=call.agent, cwd=call.cwd, input_json=json.dumps(dict(call.input)),
                          signature="sig-" + call.id, seal=seal)
    return approval


def end(store: Store, approval_id: str, status: ApprovalStatus, *, by: str = "alice",
        channel: str = "cli") -> ResolveResult:
    """The store's compare-and-set alone: end a pending approval with ``status``."""
    current = store.get_approval(approval_id)
    if current is None:
        return ResolveResult(False, None)
    final = replace(current, status=status, decided_by=by, channel=channel, decided_at=time.time())
    won, now = store.end_approval(final, outcome=None, final_seal="")
    return ResolveResult(won, now.approval if now else None)
