"""The decision pipeline of one tool call: intercept, evaluate, critique, approval
(notify, decide, wait), audit, answer. Socket-free, so tests can drive it directly.

Every path ends in an explicit answer; anything unexpected becomes a deny that says
what to do. Nothing is acknowledged before it is in the audit log.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

import anyio
import structlog

from aegis_core.approvals import ApprovalRules, call_signature, paused_verdict
from aegis_core.channels import ResolveResult
from aegis_core.config import Config
from aegis_core.critic import ANSWERED
from aegis_core.models import (
    Action,
    Approval,
    ApprovalStatus,
    AuditEvent,
    Decision,
    Outcome,
    RawEvent,
    Scope,
    ToolCall,
    Verdict,
)
from aegis_core.plugins import AegisPlugins
from aegis_core.redact import redact_text
from aegis_core.store import Store

log = structlog.get_logger(__name__)

RECENT_PER_SESSION = 50
# How often a waiting call looks at the database for an answer given by another
# process (``aegis approvals approve`` with the daemon unreachable, a crash-restart).
POLL_SECONDS = 0.25


class AuditFailed(Exception):
    """The audit log could not be written: nothing may be acknowledged."""


@dataclass(frozen=True)
class Answer:
    """What goes back to the adapter: ``allow``, ``deny`` or ``ask``."""

    decision: str
    reason: str
    rule: str | None = None
    risk: int = 0
    approval_id: str | None = None
    choice: str | None = None

    def to_response(self) -> dict[str, Any]:
        return {
            "final": True,
            "ok": True,
            "decision": self.decision,
            "reason": self.reason,
            "rule": self.rule,
            "risk": self.risk,
            "approval_id": self.approval_id,
            "choice": self.choice,
        }


def deny(reason: str, *, rule: str | None = None, risk: int = 0, approval_id: str | None = None) -> Answer:
    return Answer("deny", reason, rule=rule, risk=risk, approval_id=approval_id)


@dataclass
class _Waiting:
    event: anyio.Event = field(default_factory=anyio.Event)
    call: ToolCall | None = None


class Pipeline:
    """Decides tool calls for one daemon. Holds only what must be shared between
    concurrent calls: who is waiting on which approval, and recent history."""

    def __init__(self, *, plugins: AegisPlugins, store: Store, config: Config) -> None:
        self.plugins = plugins
        self.store = store
        self.config = config
        self.rules = ApprovalRules(config)
        self._waiting: dict[str, _Waiting] = {}
        self._recent: dict[str, deque[tuple[ToolCall, Verdict]]] = {}
        self.decisions = 0

    def reconfigure(self, config: Config) -> None:
        self.config = config
        self.rules = ApprovalRules(config)

    # -- audit -----------------------------------------------------------------

    def audit(self, event: str, details: dict[str, Any], session: str | None = None) -> None:
        """Record ``event``; raise AuditFailed when the built-in writer could not."""
        failures = self.plugins.audit(AuditEvent(event=event, details=details, session=session))
        for plugin, error in failures:
            if plugin == "aegis.audit":
                raise AuditFailed(f"the audit log could not be written ({type(error).__name__}: {error})")

    # -- the pipeline ------------------------------------------------------------

    async def evaluate(
        self,
        raw: RawEvent,
        *,
        on_pending: Callable[[Approval], Awaitable[None]] | None = None,
    ) -> Answer:
        """Judge what an adapter sent: intercept, then :meth:`judge`'s stages."""
        return await self._fail_closed(self._evaluate(raw, on_pending))

    async def judge(
        self,
        call: ToolCall,
        *,
        on_pending: Callable[[Approval], Awaitable[None]] | None = None,
    ) -> Answer:
        """Judge a call Aegis built itself rather than an adapter's hook event (a
        connection held by the egress proxy): evaluate, critique, approval and audit,
        without intercept."""
        return await self._fail_closed(self._judge(call, on_pending))

    async def confirm(self, call: ToolCall, verdict: Verdict, *,
                      on_pending: Callable[[Approval], Awaitable[None]] | None = None) -> Approval:
        """Put to the humans something that is not an agent's tool call (a changed
        policy or config, ``call.kind`` is ``config``): an approval on every channel,
        ended only by :meth:`resolve` (or its deadline, or a cancel). No grant, rate
        limit or agent dialog takes part. Returns the approval as it ended; the caller
        acts only on ``approved``, never on an expiry."""
        approval = self.store.create_approval(call, verdict, timeout_s=self.rules.timeout_s)
        # Channels are told with no call: they show the approval's own summary.
        waiting = self._waiting[approval.id] = _Waiting(call=None)
        try:
            self.audit("approval.requested", {
                "approval_id": approval.id, "tool": call.tool, "summary": _short(call.summary()),
                "verdict": verdict.to_dict(), "deadline_at": approval.deadline_at,
            }, call.session)
            self.plugins.notify(approval, None)
            if on_pending is not None:
                await on_pending(approval)
            return await self._wait(approval, waiting)
        finally:
            self._waiting.pop(approval.id, None)

    async def _fail_closed(self, decision: Awaitable[Answer]) -> Answer:
        try:
            return await decision
        except AuditFailed as exc:
            log.error("audit failed, denying", error=str(exc))
            return deny(f"Aegis denied this call because {exc}. Check disk space and the "
                        "permissions of $AEGIS_HOME/audit.log, then run `aegis doctor`.",
                        rule="audit-failure", risk=100)
        except Exception as exc:  # fail closed: an internal error is a deny, never an allow
            log.exception("pipeline error, denying")
            return deny(f"Aegis hit an internal error ({type(exc).__name__}) and denied this call "
                        "to be safe. See `aegis logs` and `aegis doctor`.", rule="internal-error", risk=100)

    async def _evaluate(
        self, raw: RawEvent, on_pending: Callable[[Approval], Awaitable[None]] | None
    ) -> Answer:
        try:
            call = self.plugins.intercept(raw)
        except Exception as exc:
            call, problem = None, str(exc)
        else:
            problem = f"no adapter understood events of type {raw.adapter!r}"
        if call is None:
            self.audit("call.malformed", {"adapter": raw.adapter, "problem": problem}, raw.session)
            return deny(f"Aegis could not read this tool call ({problem}); it was denied. "
                        "Check that the Aegis adapter plugin matches your agent (aegis plugins list).",
                        rule="malformed-call", risk=100)
        return await self._judge(call, on_pending)

    async def _judge(self, call: ToolCall, on_pending: Callable[[Approval], Awaitable[None]] | None) -> Answer:
        if self.store.is_paused(call.session):
            paused = paused_verdict(call.session)
            return self._finish(call, paused, deny(paused.reason, rule=paused.rule, risk=paused.risk))

        verdict = self.plugins.evaluate(call)
        recent = tuple(self._recent.get(call.session, ()))
        verdict = self.plugins.critique(call, verdict, recent)

        if verdict.action is Action.ALLOW:
            return self._finish(call, verdict, Answer("allow", verdict.reason, verdict.rule, verdict.risk))
        if verdict.action is Action.DENY:
            return self._finish(call, verdict, deny(_deny_reason(verdict), rule=verdict.rule, risk=verdict.risk))
        return await self._ask(call, verdict, on_pending)

    def _finish(self, call: ToolCall, verdict: Verdict, answer: Answer, event: str = "call.decided") -> Answer:
        """Audit and remember a decision that needed no human."""
        self.audit(event, {
            "call_id": call.id, "agent": call.agent, "tool": call.tool, "kind": call.kind.value,
            "summary": _short(call.summary()), "cwd": call.cwd,
            "verdict": verdict.to_dict(), "decision": answer.decision, "reason": answer.reason,
        }, call.session)
        self.store.record_call(call, verdict, answer.decision)
        self._remember(call, verdict, answer)
        return answer

    def _remember(self, call: ToolCall, verdict: Verdict, answer: Answer) -> None:
        self.decisions += 1
        history = self._recent.setdefault(call.session, deque(maxlen=RECENT_PER_SESSION))
        final = verdict if answer.decision != "deny" else Verdict(
            Action.DENY, answer.reason, answer.rule, verdict.risk,
            ANSWERED if answer.approval_id else verdict.source)  # a person's no is not the agent probing
        history.append((call, final))
        if answer.decision == "deny" and self.rules.trip_if_needed(self.store, call.session):
            self.audit("session.paused", {"reason": "too many consecutive denies",
                                          "limit": self.rules.max_consecutive_denies}, call.session)

    async def _ask(
        self, call: ToolCall, verdict: Verdict, on_pending: Callable[[Approval], Awaitable[None]] | None
    ) -> Answer:
        granted = self.rules.check_grant(self.store, call)
        if granted is not None:
            answer = Answer("allow", granted.reason, granted.rule, verdict.risk)
            return self._finish(call, granted, answer, event="call.allowed_by_grant")

        limited = self.rules.check_rate(self.store, call.session)
        if limited is not None:
            return self._finish(call, limited, deny(limited.reason, rule=limited.rule, risk=verdict.risk))

        approval = self.store.create_approval(call, verdict, timeout_s=self.rules.timeout_s,
                                              choices=_choices(call))
        self.store.record_call(call, verdict, "require_approval", approval_id=approval.id)
        waiting = self._waiting[approval.id] = _Waiting(call=call)
        try:
            self.audit("approval.requested", {
                "approval_id": approval.id, "call_id": call.id, "tool": call.tool,
                "summary": _short(call.summary()), "verdict": verdict.to_dict(),
                "deadline_at": approval.deadline_at,
            }, call.session)
            decision = self.plugins.decide(approval, call)
            if decision is not None and decision.outcome is Outcome.ASK:
                self.store.cancel(approval.id, decision.reason, decision.decided_by)
                answer = Answer("ask", f"Aegis: {verdict.reason or 'this call needs your approval'}",
                                verdict.rule, verdict.risk, approval.id)
                self.audit("approval.asked", {"approval_id": approval.id, "channel": decision.channel},
                           call.session)
                self.store.record_call(call, verdict, "ask", approval_id=approval.id)
                self._remember(call, verdict, answer)
                return answer
            self.plugins.notify(approval, call)
            if on_pending is not None:
                await on_pending(approval)
            if decision is not None:
                await self.resolve(approval.id, decision)
            final = await self._wait(approval, waiting)
        finally:
            self._waiting.pop(approval.id, None)
        answer = self._answer_for(final, verdict)
        self.store.record_call(call, verdict, answer.decision, approval_id=approval.id, durable=True)
        self._remember(call, verdict, answer)
        return answer

    async def _wait(self, approval: Approval, waiting: _Waiting) -> Approval:
        deadline = time.monotonic() + self.rules.timeout_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                result = self.store.expire(approval.id, self.rules.default_action)
                self._after_resolution(result, event="approval.expired")
                assert result.approval is not None
                return result.approval
            with anyio.move_on_after(min(POLL_SECONDS, remaining)):
                await waiting.event.wait()
            current = self.store.get_approval(approval.id)
            if current is not None and current.status.is_final:
                if not waiting.event.is_set():
                    return self._written_behind_our_back(current)
                return current

    def _written_behind_our_back(self, approval: Approval) -> Approval:
        """An approval that turned final in the database without passing through this
        daemon. While the daemon runs every legitimate answer comes through its socket,
        so an approval written straight into the file (e.g. by the agent with sqlite3)
        is not trusted; a deny, expiry or cancellation only makes things safer."""
        if approval.status is not ApprovalStatus.APPROVED:
            self._after_resolution(ResolveResult(True, approval), event="approval.resolved")
            return approval
        self.audit("approval.bypass_refused", {
            "approval_id": approval.id, "decided_by": approval.decided_by, "channel": approval.channel,
            "why": "approved in the database directly, not through the daemon",
        }, approval.session)
        return replace(approval, status=ApprovalStatus.DENIED, decided_by="aegis", channel="integrity",
                       decision_reason="the approval was written into Aegis' database directly instead of "
                                       "being answered through a channel, so Aegis did not trust it")

    def _answer_for(self, approval: Approval, verdict: Verdict) -> Answer:
        who = f"{approval.decided_by or 'unknown'} via {approval.channel or 'unknown channel'}"
        if approval.status is ApprovalStatus.APPROVED:
            if approval.scope is Scope.SESSION and approval.call_id:
                call = self._call_for(approval)
                if call is not None:
                    self.store.grant(approval.session, call_signature(call))
            return Answer("allow", f"approved by {who}", verdict.rule, verdict.risk, approval.id,
                          approval.choice)
        if approval.status is ApprovalStatus.EXPIRED:
            return deny(f"Nobody answered the approval request within {self.rules.timeout_s:g} s, so "
                        "Aegis denied it. Ask the user to approve it in their channel "
                        "(or `aegis approvals list`), then try again.",
                        rule=verdict.rule, risk=verdict.risk, approval_id=approval.id)
        reason = approval.decision_reason or "no reason given"
        if approval.status is ApprovalStatus.CANCELLED:
            return deny(f"The approval request was cancelled ({reason}).", rule=verdict.rule,
                        risk=verdict.risk, approval_id=approval.id)
        return deny(f"Denied by {who}: {reason}. Do not retry this; ask the user how to proceed.",
                    rule=verdict.rule, risk=verdict.risk, approval_id=approval.id)

    def _call_for(self, approval: Approval) -> ToolCall | None:
        waiting = self._waiting.get(approval.id)
        if waiting is not None:
            return waiting.call
        for call, _ in self._recent.get(approval.session, ()):
            if call.id == approval.call_id:
                return call
        return None

    # -- answers from channels, the CLI and the clock ----------------------------

    async def resolve(self, approval_id: str, decision: Decision) -> ResolveResult:
        """The one way an answer lands: compare-and-set, audit, wake the waiter, notify."""
        if decision.outcome is Outcome.ASK:
            return ResolveResult(False, self.store.get_approval(approval_id))
        result = self.store.resolve(approval_id, decision)
        self._after_resolution(result, event="approval.resolved")
        return result

    def cancel(self, approval_id: str, reason: str, by: str) -> ResolveResult:
        result = self.store.cancel(approval_id, reason, by)
        self._after_resolution(result, event="approval.cancelled")
        return result

    def _after_resolution(self, result: ResolveResult, *, event: str) -> None:
        approval = result.approval
        if approval is None:
            return
        if not result.won:
            self.audit("approval.late_answer", {"approval_id": approval.id,
                                                "status": approval.status.value}, approval.session)
            return
        self.audit(event, {
            "approval_id": approval.id, "status": approval.status.value, "decided_by": approval.decided_by,
            "channel": approval.channel, "reason": approval.decision_reason, "scope": approval.scope.value,
        }, approval.session)
        waiting = self._waiting.get(approval.id)
        if waiting is not None:
            waiting.event.set()
        self.plugins.notify(approval, waiting.call if waiting else None)

    async def expire_orphans(self) -> None:
        """Resolve approvals nobody waits for (left by a previous daemon) at their deadline."""
        # No agent still waits on an approval from before a restart (its connection
        # died with the old daemon), so all of them end now, as denied.
        for approval in self.store.expire_overdue(all_pending=True):
            self.audit("approval.expired", {"approval_id": approval.id, "status": approval.status.value,
                                            "reason": "deadline passed while the daemon was down"},
                       approval.session)
            self.plugins.notify(approval, None)

    async def drain(self) -> None:
        """On shutdown: every pending approval resolves to the default action, recorded."""
        for approval in self.store.list_approvals(status="pending", limit=10_000):
            result = self.store.expire(approval.id, self.rules.default_action)
            self._after_resolution(result, event="approval.expired")

    def observe(self, call: ToolCall) -> None:
        """Record what happened after a call ran (PostToolUse)."""
        response = call.input.get("tool_response") if isinstance(call.input, dict) else None
        self.audit("call.executed", {
            "call_id": call.id, "tool": call.tool, "summary": _short(call.summary()),
            "outcome": _outcome(response),
        }, call.session)

    def waiting_count(self) -> int:
        return len(self._waiting)

    def forget(self, session: str) -> None:
        """A resumed session starts with a clean history: the user has looked at it."""
        self._recent.pop(session, None)



def _deny_reason(verdict: Verdict) -> str:
    """The reason once, the rule once, what to do once."""
    reason = (verdict.reason or "forbidden by policy").rstrip(". ")
    rule = f" (rule {verdict.rule})" if verdict.rule and verdict.rule not in reason else ""
    return (f"Aegis blocked this: {reason}{rule}. Do not retry it or work around it; "
            "if it is really needed, ask the user.")


def _choices(call: ToolCall) -> tuple[str, ...]:
    choices = call.input.get("choices") if call.kind.value == "prompt" else None
    if isinstance(choices, list):
        return tuple(str(c.get("label", "")) if isinstance(c, dict) else str(c) for c in choices)
    return ()


def _short(text: str, limit: int = 2000) -> str:
    text = redact_text(text)
    return text if len(text) <= limit else f"{text[: limit // 2]} … {text[-limit // 2 :]}"


def _outcome(response: Any) -> str:
    if isinstance(response, dict):
        if response.get("interrupted"):
            return "interrupted"
        if "exitCode" in response or "exit_code" in response:
            return f"exit {response.get('exitCode', response.get('exit_code'))}"
        if response.get("success") is False or response.get("is_error"):
            return "error"
    return "done"
