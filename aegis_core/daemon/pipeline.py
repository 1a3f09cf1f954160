"""The decision pipeline of one tool call: intercept, evaluate, critique, approval
(through :class:`aegis_core.approvals.Approvals`), record, answer. Socket-free, so
tests can drive it directly.

Every path ends in an explicit answer; anything unexpected becomes a deny that says
what to do. Nothing is acknowledged before it is in the audit log.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from contextlib import suppress
from dataclasses import dataclass, replace
from typing import Any

import anyio
import structlog

from aegis_core.approvals import ApprovalRules, Approvals, Sealer
from aegis_core.channels import ResolveResult
from aegis_core.config import Config
from aegis_core.critic import ANSWERED
from aegis_core.daemon.calltext import BadText, CallText
from aegis_core.daemon.dialogs import Dialogs, Handed
from aegis_core.daemon.history import History
from aegis_core.fleet.settings import machine_name
from aegis_core.fleet.team import TeamRules
from aegis_core.models import (
    Action,
    AgentInput,
    Approval,
    ApprovalStatus,
    AuditEvent,
    Decision,
    Outcome,
    Scope,
    ToolCall,
    Verdict,
)
from aegis_core.plugins import AegisPlugins
from aegis_core.recorder import AuditFailed, DirectRecorder, Recorder
from aegis_core.redact import redact_text, redact_value
from aegis_core.store import Store
from aegis_core.store.interface import CallRecord
from aegis_core.store.postgres import FleetUnavailable
from aegis_core.tools import input_problem

log = structlog.get_logger(__name__)

OnPending = Callable[[Approval], Awaitable[None]]
# Answers an allow to the waiting adapter the moment its record is on disk, from the
# recorder's writer thread (see aegis_core.recorder): the daemon then skips its own send.
EarlyAnswer = Callable[["Answer"], None]


@dataclass(frozen=True)
class Answer:
    """What goes back to the adapter: the call's result, ``allow``, ``deny`` or ``ask``."""

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


def audit_failed_answer(exc: BaseException) -> Answer:
    return deny(f"Aegis denied this call because {exc}. Check disk space and the permissions of "
                "$AEGIS_HOME/audit.log (or the audit plugin named), then run `aegis doctor`.",
                rule="audit-failure", risk=100)


def fleet_down_answer(exc: FleetUnavailable, *, waiting: str | None = None) -> Answer:
    """The deny of a call that needs a human while the fleet store is unreachable
    (``waiting``: the approval it was waiting on when the store went away)."""
    when = f" while it waited for approval {waiting}" if waiting else ""
    return deny(f"Aegis denied this call because {exc.message}{when}, so nobody can approve it now. Calls "
                "the policy allows still run; retry this one once the fleet store is back "
                "(`aegis fleet status`).", rule="fleet-unavailable", risk=100, approval_id=waiting)


class Pipeline:
    """Decides tool calls for one daemon. Holds only what must be shared between
    concurrent calls: the approvals being waited on, and each session's recent
    history (bounded, idle sessions forgotten)."""

    def __init__(self, *, plugins: AegisPlugins, store: Store, config: Config,
                 recorder: Recorder | None = None, sealer: Sealer | None = None) -> None:
        self.plugins = plugins
        self.store = store
        self.config = config
        self.recorder = recorder or DirectRecorder(plugins, store)
        self.approvals = Approvals(store=store, recorder=self.recorder, notify=plugins.notify,
                                   rules=ApprovalRules(config), sealer=sealer or Sealer(),
                                   team=TeamRules.from_config(config), machine=machine_name(config))
        self.history = History()
        self.decisions = 0
        self._asking = 0  # calls between their approval request and their answer
        self.dialogs = Dialogs()
        # The enabled channels (the daemon sets them): who can be asked at all.
        self.channels: list[str] = ["terminal", "cli"]
        self.headless: set[str] = set()  # sessions whose agent shows no dialog (claude -p)
        # Runs a coroutine function in the daemon's task group: an approval handed to the
        # agent's dialog is watched there until it ends. None: the dialog's own
        # PermissionRequest waits (a pipeline without a daemon, in tests).
        self.spawn: Callable[[Callable[[], Coroutine[Any, Any, None]]], Any] | None = None

    @property
    def rules(self) -> ApprovalRules:
        return self.approvals.rules

    def reconfigure(self, config: Config) -> None:
        self.config = config
        self.approvals.rules = ApprovalRules(config)
        self.approvals.team = TeamRules.from_config(config)

    # -- recording ---------------------------------------------------------------

    @staticmethod
    def audit_event(event: str, details: dict[str, Any], session: str | None = None) -> AuditEvent:
        """The audit event of a note, its details redacted."""
        return AuditEvent(event=event, details=redact_value(details), session=session)

    async def note(self, event: str, details: dict[str, Any], session: str | None = None) -> None:
        """Record a note outside any decision (a session created, a channel failed)
        through the recorder, batched with the decisions (group commit); raises
        AuditFailed when an audit writer could not record it."""
        await self.recorder.record([self.audit_event(event, details, session)])

    # -- the pipeline ------------------------------------------------------------

    async def handle(self, agent_input: AgentInput, *, on_pending: OnPending | None = None,
                     early: EarlyAnswer | None = None) -> Answer:
        """Decide the call in an adapter's event: ``intercept`` it, then :meth:`judge` it.
        ``early``, if given, is called (on another thread) with an allow once its record
        is durable, before this returns it."""
        try:
            if not isinstance(agent_input.payload, Mapping):
                preview = ascii(agent_input.payload)[:300]
                return await self._malformed(f"the agent's input is not a JSON object: {preview}",
                                             {"adapter": agent_input.adapter}, agent_input.session)
            try:
                call = self.plugins.intercept(agent_input)
            except Exception as exc:
                call, problem = None, str(exc)
            else:
                problem = f"no adapter understood events of type {agent_input.adapter!r}"
            if call is None:
                return await self._malformed(problem, {"adapter": agent_input.adapter}, agent_input.session)
            if call.hook_event == DIALOG_OPEN:
                return await self._dialog_open(call, on_pending)
        except AuditFailed as exc:
            return audit_failed_answer(exc)
        except Exception:
            log.exception("pipeline error, denying")
            return _internal_error()
        if call.terminal == "dialog" and call.session in self.headless:
            call = replace(call, terminal="")
        return await self.judge(call, on_pending=on_pending, early=early)

    async def judge(self, call: ToolCall, *, on_pending: OnPending | None = None,
                    early: EarlyAnswer | None = None) -> Answer:
        """Decide an already-built call (an intercepted hook event, or a call Aegis
        built itself: a connection held by the egress proxy): evaluate, critique,
        approval if needed, record, answer; without ``intercept``."""
        try:
            problem = input_problem(call.kind, call.input, call.files, call.urls)
            text = None
            if problem is None:
                try:
                    text = CallText.of(call)
                except BadText as exc:
                    problem = str(exc)
            if problem is not None or text is None:
                return await self._malformed(problem or "unreadable input", {
                    "call_id": call.id, "agent": call.agent, "tool": call.tool, "kind": call.kind.value},
                    call.session)
            return await self._decide(call, text, on_pending, early)
        except AuditFailed as exc:
            log.error("audit failed, denying", error=str(exc))
            return audit_failed_answer(exc)
        except FleetUnavailable as exc:  # fail closed on the network, and say so
            log.warning("fleet store unreachable, denying", error=exc.message)
            return fleet_down_answer(exc)
        except Exception:  # fail closed: an internal error is a deny, never an allow
            log.exception("pipeline error, denying")
            return _internal_error()

    async def confirm(self, call: ToolCall, verdict: Verdict, *, on_pending: OnPending | None = None) -> Approval:
        """Put to the humans something that is not an agent's tool call (a changed
        policy or config, ``call.kind`` is ``config``): an approval on every channel,
        ended only by an answer through :meth:`resolve`, its deadline or a cancel. No
        grant, rate limit, critic or agent dialog takes part. Returns the approval as
        it ended; the caller acts only on ``approved``, never on an expiry."""
        timeout_s = self.rules.timeout_s
        approval = await self.approvals.request(
            call, verdict, summary=redact_text(call.summary()), timeout_s=timeout_s,
            input_json=json.dumps(redact_value(dict(call.input)), default=str))
        deadline = time.monotonic() + timeout_s
        self.approvals.announce(approval)
        if on_pending is not None:
            await on_pending(approval)
        return await self.approvals.wait(approval, deadline=deadline)

    async def _malformed(self, problem: str, details: dict[str, Any], session: str) -> Answer:
        problem = problem[:500]
        await self.note("call.malformed", {**details, "problem": problem}, session)
        return deny(f"Aegis could not read this tool call ({problem}); it was denied to be safe. Check "
                    "that the Aegis adapter plugin matches your agent (aegis plugins list).",
                    rule="malformed-call", risk=100)

    async def _decide(self, call: ToolCall, text: CallText, on_pending: OnPending | None,
                      early: EarlyAnswer | None = None) -> Answer:
        paused = self.approvals.paused(call.session)
        if paused is not None:
            return await self._finish(call, text, paused, deny(paused.reason, rule=paused.rule, risk=paused.risk))
        verdict = self.plugins.evaluate(call)
        verdict = self.plugins.critique(call, verdict, self.history.recent(call.session))
        if verdict.action is Action.ALLOW:
            return await self._finish(call, text, verdict, Answer("allow", verdict.reason, verdict.rule, verdict.risk),
                                      early=early)
        if verdict.action is Action.DENY:
            return await self._finish(call, text, verdict,
                                      deny(_deny_reason(verdict), rule=verdict.rule, risk=verdict.risk))
        self._asking += 1
        try:
            return await self._ask(call, text, verdict, on_pending, early)
        finally:
            self._asking -= 1

    async def _finish(self, call: ToolCall, text: CallText, verdict: Verdict, answer: Answer,
                      event: str = "call.decided", approval_id: str | None = None,
                      early: EarlyAnswer | None = None) -> Answer:
        """Record a decision (audit and store, in the same batch) and remember it.
        ``early`` hears an allow as soon as it is durable; a deny is answered only after
        :meth:`Approvals.after_deny` (the circuit breaker) has looked at it, so that the
        agent's next call meets a session the breaker has already paused."""
        reason = redact_text(answer.reason)
        details = {**text.details(call), **agent_ids(call), "verdict": _verdict_details(verdict),
                   "decision": answer.decision, "reason": reason}
        self.dialogs.remember_call(call, approval_id)
        if approval_id:
            details["approval_id"] = approval_id
        await self.recorder.record(
            [AuditEvent(event=event, details=details, session=call.session)],
            [CallRecord(call, text.input_json, verdict, reason, answer.decision, approval_id)],
            on_durable=(lambda: early(answer)) if early is not None and answer.decision == "allow" else None)
        self.decisions += 1
        final = verdict if answer.decision != "deny" else Verdict(
            Action.DENY, answer.reason, answer.rule, verdict.risk,
            ANSWERED if answer.approval_id else verdict.source)  # a person's no is not the agent probing
        self.history.add(call, final)
        if answer.decision == "deny":
            await self.approvals.after_deny(call.session)
        return answer

    async def _ask(self, call: ToolCall, text: CallText, verdict: Verdict, on_pending: OnPending | None,
                   early: EarlyAnswer | None = None) -> Answer:
        granted = await self.approvals.check_grant(call)
        if granted is not None:
            answer = Answer("allow", granted.reason, granted.rule, verdict.risk)
            return await self._finish(call, text, granted, answer, event="call.allowed_by_grant", early=early)
        limited = self.approvals.rate_limited(call.session)
        if limited is not None:
            return await self._finish(call, text, limited, deny(limited.reason, rule=limited.rule, risk=verdict.risk))

        # Who can be asked: the human at the agent's own terminal when it has a dialog
        # (or the relay watches its keyboard), and every other enabled channel.
        # Not for a two-person rule: whoever sits at the agent's terminal (or the agent
        # claiming to be them) is one unnamed person who could run the call alone.
        terminal = call.terminal if "terminal" in self.channels and verdict.quorum <= 1 else ""
        others = [name for name in self.channels if name != "terminal"]
        if not terminal and not others:
            nobody = Verdict(Action.DENY, _nobody_reason(verdict), "aegis.no_channel", verdict.risk, "aegis")
            return await self._finish(call, text, nobody, deny(nobody.reason, rule=nobody.rule, risk=verdict.risk))
        asked = (["terminal"] if terminal else []) + others

        timeout_s = self.timeout_for(call.session)
        approval = await self.approvals.request(call, verdict, summary=text.summary, input_json=text.input_json,
                                                timeout_s=timeout_s, choices=_choices(call),
                                                extra={**text.digest_details(), **agent_ids(call),
                                                       "channels": asked})
        deadline = time.monotonic() + timeout_s
        await self.recorder.record([], [CallRecord(call, text.input_json, verdict, redact_text(verdict.reason),
                                                   "require_approval", approval.id)])
        decision = self.plugins.decide(approval, call)
        if decision is not None and decision.outcome is Outcome.ASK and approval.quorum > 1:
            decision = None  # a two-person rule is never handed to the agent's own prompt
        if decision is not None and decision.outcome is Outcome.ASK:
            await self.approvals.resolve(approval.id, decision)
            answer = Answer("ask", f"Aegis: {verdict.reason or 'this call needs your approval'}",
                            verdict.rule, verdict.risk, approval.id)
            await self.approvals.wait(approval, deadline=deadline)  # already ended: returns at once
            return await self._finish(call, text, verdict, answer, event="call.asked", approval_id=approval.id)
        self.approvals.announce(approval)
        if terminal == "dialog" and decision is None:
            # The agent shows its own permission dialog while every other channel is
            # asked too: the approval stays pending until the first answer, whoever gives it.
            handed = self.dialogs.hand(approval, call, verdict, text, timeout_s)
            if self.spawn is not None:
                handed.watched = True
                self.spawn(lambda: self._watch_dialog(handed, deadline))
            answer = Answer("ask", _dialog_reason(approval, verdict, others), verdict.rule, verdict.risk,
                            approval.id)
            return await self._finish(call, text, verdict, answer, event="call.asked", approval_id=approval.id)
        if terminal == "keyboard":
            self.dialogs.hold(approval.id, call.session)  # the relay may answer it at the keyboard
        try:
            if on_pending is not None:
                await on_pending(approval)
            if decision is not None:
                await self.approvals.resolve(approval.id, decision)
            final = await self.approvals.wait(approval, deadline=deadline)
        except FleetUnavailable as exc:  # nobody can answer it now: denied, and recorded so
            log.warning("fleet store unreachable while a call waited, denying", approval_id=approval.id,
                        error=exc.message)
            return await self._finish(call, text, verdict, fleet_down_answer(exc, waiting=approval.id),
                                      event="call.answered", approval_id=approval.id)
        finally:
            self.dialogs.release(approval.id)
        answer = self._answer_for(final, verdict, timeout_s)
        return await self._finish(call, text, verdict, answer, event="call.answered", approval_id=approval.id)

    # -- the agent's own dialog ----------------------------------------------------

    async def _watch_dialog(self, handed: Handed, deadline: float) -> None:
        """Wait for the first answer to an approval at the agent's dialog (or its
        expiry), then record the call's final decision; a PermissionRequest waiting
        on the dialog hears it too."""
        lost: FleetUnavailable | None = None
        try:
            final = await self.approvals.wait(handed.approval, deadline=deadline)
        except FleetUnavailable as exc:  # past the grace, or the dialog answered while it was down
            log.warning("fleet store unreachable while a dialog's approval was open", error=exc.message,
                        approval_id=handed.approval.id)
            final, lost = None, exc
        except Exception:
            log.exception("watching a dialog's approval failed", approval_id=handed.approval.id)
            final = None
        await self._dialog_ended(handed, final, lost)

    async def _dialog_ended(self, handed: Handed, final: Approval | None,
                            lost: FleetUnavailable | None = None) -> None:
        """Record the call's last answer (``call.answered``): how its approval ended,
        or, when the fleet store was unreachable so that it could not end, the answer
        given in the dialog meanwhile (kept on this machine; shipped with the audit
        log once the store is back) or the deny saying the store is unreachable."""
        if final is None and lost is not None and handed.answer is None:
            handed.answer = fleet_down_answer(lost, waiting=handed.approval.id)
        handed.final = final
        handed.ended.set()
        self.dialogs.close(handed.approval.id)
        answer = self._answer_for(final, handed.verdict, handed.timeout_s) if final is not None else handed.answer
        if answer is None:
            return
        self.decisions -= 1  # the "ask" was counted; this is the same decision, completed
        try:
            await self._finish(handed.call, handed.text, handed.verdict, answer, event="call.answered",
                               approval_id=handed.approval.id)
        except Exception:
            log.exception("recording a dialog's answer failed", approval_id=handed.approval.id)

    async def _answer_in_dialog(self, handed: Handed, decision: Decision) -> ResolveResult:
        """An answer given in the agent's own dialog. With the fleet store unreachable
        the approval cannot end (nobody could record it), but the dialog's answer
        stands for this call: it is its last answer, recorded here, and the approval
        ends as expired once the store is back."""
        try:
            return await self.approvals.resolve(handed.approval.id, decision)
        except FleetUnavailable as exc:
            if handed.answer is None and not handed.ended.is_set():
                handed.answer = Answer(
                    "allow" if decision.outcome is Outcome.APPROVE else "deny",
                    f"{'approved' if decision.outcome is Outcome.APPROVE else 'denied'} by {decision.decided_by} "
                    f"via terminal (the agent's own dialog) while {exc.message}; recorded on this machine only",
                    handed.verdict.rule, handed.verdict.risk, handed.approval.id, decision.choice)
                if not self.approvals.give_up(handed.approval.id, exc):
                    await self._dialog_ended(handed, None, exc)  # nothing waited on it: record it now
            raise

    async def _dialog_open(self, call: ToolCall, on_pending: OnPending | None) -> Answer:
        """The agent's permission dialog is open (Claude Code's PermissionRequest):
        wait for the first answer to its approval. Another channel's answer closes the
        dialog (allow or deny); an answer given in the dialog itself, or a dialog Aegis
        did not open, gets no decision ("ask"): the dialog decides."""
        handed = self.dialogs.matching(call)
        if handed is None:
            return Answer("ask", "")
        self._asking += 1  # a call waiting on an approval, like any other (status, drain)
        try:
            if on_pending is not None:
                await on_pending(handed.approval)
            if not handed.watched:  # no daemon task group: this request watches it
                handed.watched = True
                await self._watch_dialog(handed,
                                         time.monotonic() + max(0.0, handed.approval.deadline_at - time.time()))
            with anyio.move_on_after(max(0.0, handed.approval.deadline_at - time.time()) + 10):
                await handed.ended.wait()
        finally:
            self._asking -= 1
        final = handed.final
        if final is None:
            if handed.answer is not None:  # the fleet store was unreachable
                return handed.answer if handed.answer.decision == "deny" else Answer(
                    "ask", "", handed.verdict.rule, handed.verdict.risk, handed.approval.id)
            return deny("Nobody answered the approval request in time, so Aegis denied it.",
                        rule=handed.verdict.rule, risk=handed.verdict.risk, approval_id=handed.approval.id)
        if final.channel == "terminal":
            return Answer("ask", "", handed.verdict.rule, handed.verdict.risk, final.id)
        return self._answer_for(final, handed.verdict, handed.timeout_s)

    async def answer_at_terminal(self, session: str, outcome: Outcome, *, approval: str = "",
                                 choice: str | None = None, reason: str = "", by: str = "") -> ResolveResult:
        """The human answered at the agent's own terminal (the PTY relay read the key,
        or the dialog closed): resolve that session's approval at its dialog or held
        at its keyboard, named by its id or the prefix the dialog shows, else the
        only one open."""
        target = self.dialogs.answerable(session, approval)
        if target is None:
            return ResolveResult(False, None)
        decision = Decision(outcome, decided_by=by or "user", channel="terminal", reason=reason, choice=choice)
        handed = self.dialogs.handed(target)
        if handed is not None:
            return await self._answer_in_dialog(handed, decision)
        return await self.approvals.resolve(target, decision)

    def timeout_for(self, session: str) -> float:
        """The session's own approval timeout (``aegis wrap --timeout``), else ``[approvals]``'s."""
        own = self.store.session_timeout(session) if session else None
        return own if own is not None else self.rules.timeout_s

    def _answer_for(self, approval: Approval, verdict: Verdict, timeout_s: float) -> Answer:
        who = f"{approval.decided_by or 'unknown'} via {approval.channel or 'unknown channel'}"
        if approval.status is ApprovalStatus.APPROVED:
            return Answer("allow", f"approved by {who}", verdict.rule, verdict.risk, approval.id, approval.choice)
        if approval.status is ApprovalStatus.EXPIRED:
            if approval.channel == "timeout" and self.rules.expiry_outcome == "approve" and approval.quorum <= 1:
                return Answer("allow", f"nobody answered within {timeout_s:g} s; [approvals] default_action "
                              "is approve", verdict.rule, verdict.risk, approval.id)
            return deny(f"Nobody answered the approval request within {timeout_s:g} s, so "
                        "Aegis denied it. Ask the user to approve it in their channel "
                        "(or `aegis approvals list`), then try again.",
                        rule=verdict.rule, risk=verdict.risk, approval_id=approval.id)
        reason = approval.decision_reason or "no reason given"
        if approval.status is ApprovalStatus.CANCELLED:
            return deny(f"The approval request was cancelled ({reason}).", rule=verdict.rule,
                        risk=verdict.risk, approval_id=approval.id)
        return deny(f"Denied by {who}: {reason}. Do not retry this; ask the user how to proceed.",
                    rule=verdict.rule, risk=verdict.risk, approval_id=approval.id)

    # -- answers from channels, the CLI and the clock ----------------------------

    async def resolve(self, approval_id: str, decision: Decision) -> ResolveResult:
        """The one way an answer lands (channels, the CLI, the terminal dialog's
        recorded answer, network approvals): see :meth:`Approvals.resolve`."""
        return await self.approvals.resolve(approval_id, decision)

    async def cancel(self, approval_id: str, reason: str, by: str) -> ResolveResult:
        return await self.approvals.cancel(approval_id, reason, by=by)

    async def expire_orphans(self, *, spare_waiting: bool = False) -> None:
        """At start: no agent still waits on an approval from before (its connection
        died with the old daemon), so every pending one ends now, as denied. Later (a
        fleet store that was down at start is back), ``spare_waiting`` keeps those a
        call of this daemon waits on."""
        await self.approvals.expire_overdue(
            all_pending=True, why="expired: the Aegis daemon restarted; a restart never approves (denied)",
            spare_waiting=spare_waiting)

    async def expire_abandoned(self) -> None:
        """The fleet store is back after an outage: this machine's pending approvals
        that no call here waits on any more (their deadline passed, or their hook went
        away, while the store could not be written) end now, as denied, so nobody
        approves a call that was already denied."""
        await self.approvals.expire_overdue(
            all_pending=True, spare_waiting=True,
            why="expired: its call was denied or gone while the fleet store was unreachable; "
                "nobody waits on it any more (denied)")

    async def drain(self) -> None:
        """On shutdown: every pending approval resolves to the default action, recorded."""
        await self.approvals.drain()

    async def resume(self, session: str, *, by: str) -> bool:
        resumed = await self.approvals.resume(session, by=by)
        if resumed:
            self.history.forget(session)  # the user has looked at it: a clean history
        return resumed

    async def observe(self, call: ToolCall) -> None:
        """Record what happened after a call ran (PostToolUse, PostToolUseFailure),
        under the ids of its decision. A call that ran while its approval was still at
        the agent's dialog was allowed there (Yes in the dialog)."""
        handed = self.dialogs.of_agent_call(call.session, call.agent_call_id)
        if handed is not None and not handed.ended.is_set():
            with suppress(FleetUnavailable):  # then recorded on this machine (see _answer_in_dialog)
                await self._answer_in_dialog(handed, Decision(
                    Outcome.APPROVE, decided_by="user", channel="terminal",
                    reason="the call ran, so it was allowed in the agent's own dialog"))
        known = self.dialogs.call_of(call.session, call.agent_call_id)
        response = call.input.get("tool_response") if isinstance(call.input, dict) else None
        failed = isinstance(call.input, dict) and "error" in call.input
        try:
            base = CallText.of(call).details(call)
        except BadText as exc:
            base = {"call_id": call.id, "tool": call.tool, "problem": str(exc)}
        details = {**base, **agent_ids(call), "outcome": "error" if failed else _outcome(response)}
        if known is not None:
            details.update(call_id=known.call_id, approval_id=known.approval_id)
        await self.note("call.executed", details, call.session)

    def waiting_count(self) -> int:
        """Calls waiting on an approval or about to be answered after one."""
        return self._asking

    def forget(self, session: str) -> None:
        self.history.forget(session)


DIALOG_OPEN = "PermissionRequest"  # the event an agent sends while its own dialog is open


def agent_ids(call: ToolCall) -> dict[str, str]:
    """The agent's own ids of a call, which join its records (issue #15)."""
    ids = {}
    if call.agent_call_id:
        ids["agent_call_id"] = call.agent_call_id
    if call.agent_session:
        ids["agent_session"] = call.agent_session
    return ids


def _dialog_reason(approval: Approval, verdict: Verdict, others: list[str]) -> str:
    """What the agent's dialog shows above Yes / No: the approval, why, and where else
    it can be answered."""
    short = approval.id[:12]
    why = (verdict.reason or "this call needs your approval").rstrip(". ")
    where = f" It is also waiting on {', '.join(others)}" if others else ""
    how = f"; or run: aegis approvals approve {short}" if "cli" in others else ""
    return f"Aegis approval {short}: {why}.{where}{how}. The first answer wins."


def _nobody_reason(verdict: Verdict) -> str:
    why = (verdict.reason or "this call needs a human's approval").rstrip(". ")
    if verdict.quorum > 1:
        return (f"Aegis needs {verdict.quorum} different people to approve this ({why}), but no approval channel "
                "other than the agent's own terminal is enabled (one person at the terminal cannot stand for "
                "several), so it was denied. Tell the user to enable one, e.g. `aegis config set "
                "approvals.channels terminal,cli` (each person then answers with `aegis approvals approve ID` "
                "from their own account) or `aegis setup` for Telegram or WhatsApp.")
    return (f"Aegis needs a human to approve this ({why}), but nobody can be asked: this run has no "
            "terminal dialog to show (a headless run) and no other approval channel is enabled, so it "
            "was denied. Tell the user to enable one, e.g. `aegis config set approvals.channels "
            "terminal,cli` (then answer with `aegis approvals approve ID`) or `aegis setup` for "
            "Telegram or WhatsApp.")


def _internal_error() -> Answer:
    return deny("Aegis hit an internal error and denied this call to be safe. See `aegis logs` and "
                "`aegis doctor`.", rule="internal-error", risk=100)


def _verdict_details(verdict: Verdict) -> dict[str, Any]:
    return {"action": verdict.action.value, "rule": verdict.rule, "risk": verdict.risk, "source": verdict.source}


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


def _outcome(response: Any) -> str:
    if isinstance(response, dict):
        if response.get("interrupted"):
            return "interrupted"
        if "exitCode" in response or "exit_code" in response:
            return f"exit {response.get('exitCode', response.get('exit_code'))}"
        if response.get("success") is False or response.get("is_error"):
            return "error"
    return "done"


__all__ = ["Answer", "AuditFailed", "Pipeline", "Scope", "deny"]
