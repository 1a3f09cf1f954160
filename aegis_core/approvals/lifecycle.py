"""The one object every approval, grant and session pause goes through: it does
the compare-and-set (in the store), writes the audit record and tells the channels,
together, and wakes the call waiting on the approval directly (no polling).
The daemon, ``aegis approvals`` and ``aegis doctor`` use this same object; only the
daemon holds the key that seals rows, so only the daemon can approve or grant."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import anyio

from aegis_core.approvals.integrity import Sealer, Trust
from aegis_core.approvals.rules import (
    RATE_WINDOW_S,
    ApprovalRules,
    call_signature,
    grant_verdict,
    paused_verdict,
)
from aegis_core.channels import ResolveResult
from aegis_core.errors import AegisEnvironmentError
from aegis_core.fleet.team import TeamRules
from aegis_core.models import (
    Approval,
    ApprovalStatus,
    AuditEvent,
    Decision,
    Kind,
    Outcome,
    Scope,
    ToolCall,
    Verdict,
    new_id,
)
from aegis_core.recorder import Recorder
from aegis_core.redact import redact_text
from aegis_core.store.interface import OPEN, ApprovalStore, StoredApproval, StoredGrant, StoredVote

Notify = Callable[[Approval, ToolCall | None], None]

_STATUS_OF = {Outcome.APPROVE: ApprovalStatus.APPROVED, Outcome.DENY: ApprovalStatus.DENIED}


@dataclass
class _Waiter:
    call: ToolCall | None
    woken: anyio.Event = field(default_factory=anyio.Event)
    final: Approval | None = None
    # Transitions of one waited-on approval run one at a time: an expiry at the
    # deadline finds an answer that was being written as this object's own, not as
    # a change made behind its back.
    ending: anyio.Lock = field(default_factory=anyio.Lock)
    # Why no answer can come any more (the shared store stayed unreachable): raised to
    # the waiting call, which is denied with it.
    lost: Exception | None = None


PAUSES_REMEMBERED = 4096


class Approvals:
    """Approvals of one Aegis home.

    :param store: where rows live (SQL only).
    :param recorder: writes the audit records (required: a failure raises AuditFailed).
    :param notify: tells the channels (the ``notify`` hook); must not block.
    :param rules: the ``[approvals]`` settings.
    :param sealer: the daemon's in-memory key; without it (a CLI process) nothing
        can be approved or granted, only ended safely (denied, expired).
    """

    def __init__(self, *, store: ApprovalStore, recorder: Recorder, notify: Notify,
                 rules: ApprovalRules, sealer: Sealer | None = None, team: TeamRules | None = None,
                 machine: str = "") -> None:
        self.store = store
        self.recorder = recorder
        self.notify = notify
        self.rules = rules
        self.sealer = sealer
        self.team = team or TeamRules()
        self.machine = machine
        self._waiting: dict[str, _Waiter] = {}
        # Whether each recent session is paused, as this object last wrote or read it:
        # every decision asks, and a read of the store on the event loop would wait
        # for the writer thread's batch to commit (bounded; forgotten ones are read again).
        self._paused: dict[str, bool] = {}

    # -- asking ------------------------------------------------------------------

    async def request(self, call: ToolCall, verdict: Verdict, *, summary: str, input_json: str,
                      timeout_s: float, choices: tuple[str, ...] = (),
                      extra: Mapping[str, Any] | None = None) -> Approval:
        """A new pending approval for ``call`` (sealed, durable, audited). The caller
        then asks ``decide``, announces it and waits; ``summary`` and ``input_json``
        are already redacted."""
        sealer = self._need_sealer("ask for an approval")
        now = time.time()
        approval = Approval(id=new_id(), call_id=call.id, session=call.session, tool=call.tool,
                            kind=call.kind, summary=summary, rule=verdict.rule,
                            reason=redact_text(verdict.reason), risk=verdict.risk, created_at=now,
                            deadline_at=now + timeout_s, choices=choices, quorum=max(1, verdict.quorum),
                            machine=self.machine, cwd=call.cwd)
        signature = call_signature(call)
        seal = sealer.seal_request(approval, signature)
        # Waited on before the row exists: a sweep of approvals nobody waits on (a fleet
        # store back after an outage) never takes one that is being asked right now.
        self._waiting[approval.id] = _Waiter(call)
        try:
            await anyio.to_thread.run_sync(lambda: self.store.create_approval(
                approval, agent=call.agent, cwd=call.cwd, input_json=input_json, signature=signature, seal=seal))
        except BaseException:
            self._waiting.pop(approval.id, None)
            raise
        await self._audit("approval.requested", {
            "approval_id": approval.id, "call_id": call.id, "tool": call.tool, "summary": summary,
            "rule": verdict.rule, "reason": approval.reason, "risk": verdict.risk,
            "deadline_at": approval.deadline_at, "timeout_s": timeout_s,
            **({"quorum": approval.quorum} if approval.quorum > 1 else {}), **(extra or {}),
        }, call.session)
        return approval

    def announce(self, approval: Approval) -> None:
        """Tell the channels about a new pending approval."""
        waiter = self._waiting.get(approval.id)
        self.notify(approval, waiter.call if waiter else None)

    async def wait(self, approval: Approval, *, deadline: float) -> Approval:
        """The approval once it ends: answered, cancelled, or expired at ``deadline``
        (monotonic clock). Woken by :meth:`resolve` and :meth:`cancel` directly."""
        waiter = self._waiting.get(approval.id)
        if waiter is None:
            raise KeyError(approval.id)
        try:
            with anyio.move_on_after(max(0.0, deadline - time.monotonic())):
                await waiter.woken.wait()
            if waiter.final is None and waiter.lost is not None:
                raise waiter.lost
            if waiter.final is None:
                # With a fleet store that is down, the expiry cannot be written: it
                # raises FleetUnavailable and the call is denied saying so.
                result = await self.expire(approval.id)
                if waiter.final is None:
                    # Ended by another daemon of the fleet (its seal holds), or written
                    # behind the daemons' backs (it does not).
                    stored = await anyio.to_thread.run_sync(self.store.load_approval, approval.id)
                    if stored is not None and self._sealed_ending(stored):
                        return stored.approval
                    return await self._tampered(approval.id, result.approval)
            assert waiter.final is not None
            return waiter.final
        finally:
            self._waiting.pop(approval.id, None)

    def waiting(self) -> int:
        return len(self._waiting)

    def store_unreachable(self, error: Exception) -> int:
        """The shared store (a fleet's PostgreSQL) stayed unreachable past its grace:
        no answer given anywhere can reach the calls waiting here, nor be recorded, so
        each is woken now and :meth:`wait` raises ``error`` to it (the call is denied,
        fail closed) instead of waiting for a deadline. Their rows stay pending where
        they cannot be written; once the store is back, those nobody waits on end as
        expired (denied). Returns how many were woken."""
        woken = 0
        for waiter in self._waiting.values():
            if waiter.final is None and waiter.lost is None:
                waiter.lost = error
                waiter.woken.set()
                woken += 1
        return woken

    def give_up(self, approval_id: str, error: Exception) -> bool:
        """No answer can end this one approval through the store (it is unreachable,
        and the call was answered at the agent's own terminal meanwhile): its waiting
        call is woken, and :meth:`wait` raises ``error`` to it."""
        waiter = self._waiting.get(approval_id)
        if waiter is None or waiter.final is not None or waiter.lost is not None:
            return False
        waiter.lost = error
        waiter.woken.set()
        return True

    def waiting_ids(self) -> list[str]:
        return list(self._waiting)

    def _sealed_ending(self, stored: StoredApproval) -> bool:
        return bool(self.sealer and stored.approval.status.is_final
                    and self.sealer.check_ending(stored) is Trust.SEALED)

    async def ended_elsewhere(self, approval_id: str) -> Approval | None:
        """Another daemon of the fleet ended (or voted on) an approval: wake the call
        waiting on it here, once its ending seal holds. A row ended without a valid
        seal wakes the call with a deny (tampered), never an allow. Returns the
        approval as it is now (None when this daemon has nothing to do with it)."""
        stored = await anyio.to_thread.run_sync(self.store.load_approval, approval_id)
        if stored is None:
            return None
        waiter = self._waiting.get(approval_id)
        if waiter is None or waiter.final is not None or not stored.approval.status.is_final:
            return stored.approval
        if self._sealed_ending(stored):
            waiter.final = stored.approval
        else:
            waiter.final = await self._tampered(approval_id, stored.approval)
        waiter.woken.set()
        return stored.approval

    def call_of(self, approval_id: str) -> ToolCall | None:
        waiter = self._waiting.get(approval_id)
        return waiter.call if waiter else None

    # -- ending --------------------------------------------------------------------

    async def resolve(self, approval_id: str, decision: Decision) -> ResolveResult:
        """A human's (or a ``decide`` plugin's) answer: approve or deny. ``ask`` hands
        the question to the agent's own prompt (status ``asked``). An approval
        for the session also grants identical later calls, in the same transaction."""
        if decision.outcome is Outcome.ASK:
            return await self._end(approval_id, ApprovalStatus.ASKED, outcome="ask", decided_by=decision.decided_by,
                                   channel=decision.channel, reason=decision.reason, choice=decision.choice,
                                   event="approval.asked")
        if decision.outcome is Outcome.APPROVE:
            self._need_sealer("approve")
        refused = await self._team_refusal(approval_id, decision)
        if refused is not None:
            return refused
        if decision.outcome is Outcome.APPROVE:
            voted = await self._vote(approval_id, decision)
            if voted is not None:
                return voted
        status = _STATUS_OF[decision.outcome]
        # The agent's own prompt answers an approval it was handed ("asked").
        opens = (ApprovalStatus.PENDING, ApprovalStatus.ASKED) if decision.channel == "terminal" else OPEN
        return await self._end(approval_id, status, outcome=decision.outcome.value,
                               decided_by=decision.decided_by, channel=decision.channel,
                               reason=decision.reason, scope=decision.scope, choice=decision.choice,
                               event="approval.resolved", from_statuses=opens)

    async def _team_refusal(self, approval_id: str, decision: Decision) -> ResolveResult | None:
        """A refusal when ``[team] members`` does not let this person answer this
        approval (audited); None when they may. The agent's own prompt is exempt: it
        is the person at the agent's keyboard."""
        if not self.team.enabled or decision.channel == "terminal":
            return None
        current = await anyio.to_thread.run_sync(self.store.get_approval, approval_id)
        if current is None:
            return None
        why = self.team.refusal(decision.who, current, current.machine or self.machine)
        if why is None:
            return None
        await self._audit("approval.forbidden", {"approval_id": approval_id, "by": decision.decided_by,
                                                 "identity": decision.who, "channel": decision.channel,
                                                 "answer": decision.outcome.value, "why": why}, current.session)
        return ResolveResult(False, current, note=f"refused: {why}")

    async def _vote(self, approval_id: str, decision: Decision) -> ResolveResult | None:
        """Two-person rules: an approval that needs ``quorum`` different approvers
        counts this one's vote (once per person); it ends approved, through the one
        compare-and-set, only with the last vote. None when it needs one approver."""
        current = await anyio.to_thread.run_sync(self.store.get_approval, approval_id)
        if current is None or current.quorum <= 1 or current.status is not ApprovalStatus.PENDING:
            return None
        stored = await anyio.to_thread.run_sync(self.store.load_approval, approval_id)
        if stored is None or not await self._trusted(stored):
            return ResolveResult(False, current)
        who = decision.who
        twice = self._second_vote(who, current)
        if twice is not None:
            await self._audit("approval.vote_refused", {"approval_id": approval_id, "identity": who,
                                                        "by": decision.decided_by, "channel": decision.channel,
                                                        "why": twice}, current.session)
            return ResolveResult(False, current, note=f"{twice}; it needs {current.quorum} different people "
                                                      f"({self.team.people(self._counted(current))} so far)")
        seal = self.sealer.seal_vote(approval_id, who, "approve") if self.sealer else ""
        added, now = await anyio.to_thread.run_sync(lambda: self.store.add_vote(approval_id, StoredVote(
            voter=who, outcome="approve", decided_by=decision.decided_by, channel=decision.channel,
            reason=redact_text(decision.reason), seal=seal)))
        now = now or current
        people = self.team.people(self._counted(now))
        if not added:
            if now.status is ApprovalStatus.PENDING:
                note = f"{who} already approved this; it needs {now.quorum} different people ({people} so far)"
                await self._audit("approval.vote_refused", {"approval_id": approval_id, "identity": who,
                                                            "why": "the same person approved twice"}, now.session)
                return ResolveResult(False, now, note=note)
            return None  # it ended meanwhile: the usual late answer
        await self._audit("approval.voted", {"approval_id": approval_id, "identity": who,
                                             "by": decision.decided_by, "channel": decision.channel,
                                             "votes": len(now.votes), "people": people,
                                             "quorum": now.quorum}, now.session)
        if people < now.quorum:
            self.notify(now, None)
            return ResolveResult(True, now, note=f"approval {people} of {now.quorum}: it needs "
                                                 f"{now.quorum - people} more, from someone else")
        return None  # the last person's vote: end it as approved below

    def _counted(self, approval: Approval) -> list[str]:
        """Who approved ``approval`` so far: the voters whose vote's seal holds (a vote
        row written behind the daemons' backs, without the fleet key, counts nobody)."""
        if self.sealer is None:
            return []
        return [voter for voter, seal in approval.voters
                if self.sealer.check_vote(approval.id, voter, "approve", seal) is Trust.SEALED]

    def _second_vote(self, who: str, current: Approval) -> str | None:
        """Why ``who`` may not add an approval to ``current`` (a two-person rule), or
        None: they must be attributable to a person (an account, a Telegram user, a
        WhatsApp number, or a person of [team] members), and not one who approved it."""
        if not self.team.attributable(who):
            return (f"{who} cannot be told apart from other approvers (not a CLI account, a Telegram user, a "
                    "WhatsApp number, or a person of [team] members), so it cannot count toward a two-person rule")
        same = self.team.same_person(who, self._counted(current))
        if same is not None:
            return (f"{who} is the same person as {same}, who already approved this (one account on any "
                    "machine, or one person of [team] members, counts once)")
        return None

    async def cancel(self, approval_id: str, reason: str, *, by: str) -> ResolveResult:
        """End an approval nobody needs any more (the agent stopped waiting)."""
        return await self._end(approval_id, ApprovalStatus.CANCELLED, outcome=None, decided_by=by,
                               channel="cancel", reason=reason, event="approval.cancelled")

    async def expire(self, approval_id: str, *, reason: str | None = None, channel: str = "timeout",
                     outcome: str | None = None) -> ResolveResult:
        """End an approval whose deadline passed: the outcome is ``default_action``."""
        outcome = outcome or self.rules.expiry_outcome
        return await self._end(approval_id, ApprovalStatus.EXPIRED, outcome=outcome, decided_by="aegis",
                               channel=channel,
                               reason=reason or f"no answer before the deadline; default action: {outcome}",
                               event="approval.expired")

    async def expire_overdue(self, *, all_pending: bool = False, why: str = "",
                             spare_waiting: bool = False) -> list[Approval]:
        """Expire, as denied, approvals nobody waits for any more: those past their
        deadline (or, with ``all_pending``, every pending one: after a restart no agent
        still waits). A restart never approves anything. Each is audited."""
        ids = await anyio.to_thread.run_sync(lambda: self.store.overdue_approvals(time.time(),
                                                                                 all_pending=all_pending))
        if spare_waiting:  # a call here still waits on these: they are not orphans
            ids = [approval_id for approval_id in ids if approval_id not in self._waiting]
        reason = why or "expired: Aegis restarted after its deadline; a restart never approves (denied)"
        ended = []
        for approval_id in ids:
            result = await self.expire(approval_id, reason=reason, channel="restart", outcome="deny")
            if result.won and result.approval is not None:
                ended.append(result.approval)
        return ended

    async def drain(self) -> None:
        """On shutdown: every pending approval of this machine ends as expired, denied,
        recorded. Never the default action: a stop is not a human's silence, and with
        ``default_action = "approve"`` anything able to send SIGTERM could otherwise
        approve what waits. (In a fleet, other machines' approvals are theirs.)"""
        ids = await anyio.to_thread.run_sync(lambda: self.store.overdue_approvals(time.time(), all_pending=True))
        for approval_id in ids:
            await self.expire(approval_id, reason="the Aegis daemon stopped before anyone answered (denied)",
                              channel="shutdown", outcome="deny")

    async def _end(self, approval_id: str, status: ApprovalStatus, **fields: Any) -> ResolveResult:
        waiter = self._waiting.get(approval_id)
        if waiter is None:
            return await self._transition(approval_id, status, **fields)
        async with waiter.ending:
            return await self._transition(approval_id, status, **fields)

    async def _transition(self, approval_id: str, status: ApprovalStatus, *, outcome: str | None, decided_by: str,
                          channel: str, reason: str, event: str, scope: Scope = Scope.ONCE,
                          choice: str | None = None,
                          from_statuses: Sequence[ApprovalStatus] = OPEN) -> ResolveResult:
        stored = await anyio.to_thread.run_sync(self.store.load_approval, approval_id)
        if stored is None:
            return ResolveResult(False, None)
        if stored.approval.status not in from_statuses:
            await self._audit("approval.late_answer", {
                "approval_id": approval_id, "status": stored.approval.status.value, "answer": status.value,
                "by": decided_by, "channel": channel}, stored.approval.session)
            return ResolveResult(False, stored.approval)
        if status in (ApprovalStatus.APPROVED, ApprovalStatus.ASKED) and not await self._trusted(stored):
            return ResolveResult(False, stored.approval)
        final = replace(stored.approval, status=status, decided_by=decided_by, channel=channel,
                        decision_reason=redact_text(reason), decided_at=time.time(), scope=scope, choice=choice)
        grant = None
        if status is ApprovalStatus.APPROVED and scope is Scope.SESSION and stored.signature:
            assert self.sealer is not None
            grant = StoredGrant(final.session, stored.signature, final.id,
                                self.sealer.seal_grant(final.session, stored.signature, final.id))
        final_seal = self.sealer.seal_ending(final, outcome) if self.sealer else ""
        won, now = await anyio.to_thread.run_sync(lambda: self.store.end_approval(
            final, outcome=outcome, final_seal=final_seal, from_statuses=from_statuses, grant=grant))
        current = now.approval if now is not None else final
        if not won:
            await self._audit("approval.late_answer", {"approval_id": approval_id, "status": current.status.value,
                                                       "answer": status.value, "by": decided_by,
                                                       "channel": channel}, current.session)
            return ResolveResult(False, current)
        waiter = self._waiting.get(approval_id)
        if waiter is not None:
            waiter.final = current
            waiter.woken.set()
        call = waiter.call if waiter else None
        await self._audit(event, {
            "approval_id": current.id, "call_id": current.call_id,
            # The agent's own ids of the call, which join its records (issue #15).
            **({"agent_call_id": call.agent_call_id} if call is not None and call.agent_call_id else {}),
            **({"agent_session": call.agent_session} if call is not None and call.agent_session else {}),
            "status": current.status.value,
            "outcome": outcome, "decided_by": current.decided_by, "channel": current.channel,
            "reason": current.decision_reason, "scope": current.scope.value, "choice": current.choice,
            **({"grant": "session"} if grant else {}),
            **({"votes": list(current.votes), "quorum": current.quorum} if current.quorum > 1 else {}),
        }, current.session)
        self.notify(current, waiter.call if waiter else None)
        return ResolveResult(True, current)

    async def _trusted(self, stored: StoredApproval) -> bool:
        """Whether this daemon asked for this approval (its request seal holds): a
        row inserted behind its back is never approved, whoever answers it."""
        trust = self.sealer.check_request(stored) if self.sealer else Trust.FORGED
        if trust is Trust.SEALED:
            return True
        await self._audit("approval.refused", {
            "approval_id": stored.approval.id, "trust": trust.value,
            "why": "the approval was not requested through this Aegis daemon (its seal does not hold)"
                   if trust is Trust.FORGED else "the approval was requested before the daemon restarted",
        }, stored.approval.session)
        return False

    async def _tampered(self, approval_id: str, found: Approval | None) -> Approval:
        """An approval that ended in the database without passing through this
        object: never trusted; the waiting call is denied."""
        await self._audit("approval.tampered", {
            "approval_id": approval_id, "found_status": found.status.value if found else None,
            "found_decided_by": found.decided_by if found else None,
            "why": "the approval was changed in Aegis' database directly, not answered through the daemon",
        }, found.session if found else None)
        base = found or Approval(id=approval_id, call_id="", session="", tool="", kind=Kind.OTHER, summary="")
        return replace(base, status=ApprovalStatus.DENIED, decided_by="aegis", channel="integrity",
                       decision_reason="the approval was written into Aegis' database directly instead of "
                                       "being answered through a channel, so Aegis did not trust it")

    # -- grants --------------------------------------------------------------------

    async def check_grant(self, call: ToolCall) -> Verdict | None:
        """An allow when the user approved this exact call for the session earlier.
        A grant row this daemon did not seal is refused, removed and audited."""
        if not call.session:
            return None
        signature = call_signature(call)
        grant = await anyio.to_thread.run_sync(self.store.get_grant, call.session, signature)
        if grant is None:
            return None
        trust = self.sealer.check_grant(grant) if self.sealer else Trust.FORGED
        if trust is Trust.SEALED:
            return grant_verdict()
        await anyio.to_thread.run_sync(self.store.revoke_grant, call.session, signature)
        await self._audit("grant.refused", {
            "call_id": call.id, "tool": call.tool, "approval_id": grant.approval_id, "trust": trust.value,
            "why": "the session grant was not made by this Aegis daemon (its seal does not hold)"
                   if trust is Trust.FORGED else "the session grant was made before the daemon restarted",
        }, call.session)
        return None

    # -- sessions ------------------------------------------------------------------

    def rate_limited(self, session: str) -> Verdict | None:
        return self.rules.rate_limited(self.store.count_approvals_since(session, time.time() - RATE_WINDOW_S))

    def paused(self, session: str) -> Verdict | None:
        return paused_verdict(session) if self._is_paused(session) else None

    def _is_paused(self, session: str) -> bool:
        known = self._paused.get(session)
        if known is None:
            known = self._remember_paused(session, self.store.is_paused(session))
        return known

    def _remember_paused(self, session: str, paused: bool) -> bool:
        self._paused.pop(session, None)
        self._paused[session] = paused
        if len(self._paused) > PAUSES_REMEMBERED:
            del self._paused[next(iter(self._paused))]  # the least recently written
        return paused

    async def after_deny(self, session: str) -> None:
        """Pause the session when its deny streak reached the limit (audited)."""
        streak = self.store.consecutive_denies(session)
        if not self.rules.breaker_trips(streak) or self._is_paused(session):
            return
        self._remember_paused(session, True)  # before the write: no call slips through meanwhile
        await anyio.to_thread.run_sync(self.store.pause_session, session,
                                       f"{streak} denies in a row (limit {self.rules.max_consecutive_denies})")
        await self._audit("session.paused", {"reason": "too many consecutive denies", "streak": streak,
                                             "limit": self.rules.max_consecutive_denies}, session)

    async def resume(self, session: str, *, by: str) -> bool:
        """Un-pause a session (the human looked at it); False when it was not paused."""
        resumed = await anyio.to_thread.run_sync(lambda: self.store.resume_session(session, by=by))
        self._paused.pop(session, None)  # read again from the store: it says what holds now
        if resumed:
            await self._audit("session.resumed", {"by": by}, session)
        return resumed

    # -- plumbing ------------------------------------------------------------------

    def _need_sealer(self, what: str) -> Sealer:
        if self.sealer is None:
            raise AegisEnvironmentError(
                f"only the running Aegis daemon can {what}: it holds the key that seals approvals",
                hint="start it with `aegis start`, then answer again")
        return self.sealer

    async def _audit(self, event: str, details: dict[str, Any], session: str | None) -> None:
        await self.recorder.record([AuditEvent(event=event, details=details, session=session)])

