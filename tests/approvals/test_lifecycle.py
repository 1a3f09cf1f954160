"""The approval state machine and the rules around it, on a real SQLite file."""

from __future__ import annotations

import pytest
from approvals_support import ASK, shell

from aegis_core.approvals import ApprovalRules, Deadline, call_signature
from aegis_core.config import load_config
from aegis_core.models import Action, ApprovalStatus, Decision, Outcome, Scope, Verdict
from aegis_core.store import Store


def decision(outcome: Outcome, by: str = "alice", **kw: object) -> Decision:
    return Decision(outcome, decided_by=by, channel="telegram", **kw)


def test_create_stores_a_pending_approval_with_its_deadline(store: Store) -> None:
    call = shell("rm -rf build --password=hunter2")
    approval = store.create_approval(call, ASK, timeout_s=120, choices=("Approve", "Deny"))
    assert approval.status is ApprovalStatus.PENDING
    assert approval.deadline_at == pytest.approx(approval.created_at + 120)
    assert "hunter2" not in approval.summary
    stored = store.get_approval(approval.id)
    assert stored == approval
    assert store.approval_details(approval.id)["input"]["command"].startswith("rm -rf build")
    assert "hunter2" not in str(store.approval_details(approval.id)["input"])
    assert [a.id for a in store.list_approvals()] == [approval.id]


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        (Outcome.APPROVE, ApprovalStatus.APPROVED),
        (Outcome.DENY, ApprovalStatus.DENIED),
        (Outcome.ASK, ApprovalStatus.CANCELLED),
    ],
)
def test_the_first_answer_wins_and_later_ones_are_told(
    store: Store, outcome: Outcome, status: ApprovalStatus
) -> None:
    approval = store.create_approval(shell("rm -rf /tmp/x"), ASK, timeout_s=60)
    first = store.resolve(approval.id, decision(outcome, reason="because", choice="c1"))
    assert first.won and first.approval is not None
    assert first.approval.status is status
    assert (first.approval.decided_by, first.approval.channel) == ("alice", "telegram")
    assert first.approval.decision_reason == "because" and first.approval.choice == "c1"
    assert first.approval.decided_at is not None
    late = store.resolve(approval.id, decision(Outcome.APPROVE, by="bob"))
    assert not late.won and late.approval == first.approval
    assert not store.expire(approval.id, "deny").won
    assert not store.cancel(approval.id, "gone", by="agent").won
    assert store.get_approval(approval.id) == first.approval
    assert store.list_approvals() == []


def test_unknown_approval(store: Store) -> None:
    result = store.resolve("nope", decision(Outcome.APPROVE))
    assert not result.won and result.approval is None


def test_expire_records_the_default_action(store: Store) -> None:
    approval = store.create_approval(shell("git push -f"), ASK, timeout_s=1)
    result = store.expire(approval.id, "approve")
    assert result.won and result.approval.status is ApprovalStatus.EXPIRED
    assert result.approval.channel == "timeout"
    assert store.approval_details(approval.id)["outcome"] == "approve"


def test_cancel(store: Store) -> None:
    approval = store.create_approval(shell("git push -f"), ASK, timeout_s=60)
    result = store.cancel(approval.id, "answered at the keyboard", by="pty")
    assert result.won and result.approval.status is ApprovalStatus.CANCELLED
    assert result.approval.decided_by == "pty"


def test_after_a_restart_overdue_approvals_expire_denied_never_approved(store: Store) -> None:
    overdue = store.create_approval(shell("a"), ASK, timeout_s=5)
    fresh = store.create_approval(shell("b"), ASK, timeout_s=500)
    expired = store.expire_overdue(now=overdue.created_at + 10)
    assert [a.id for a in expired] == [overdue.id]
    assert expired[0].status is ApprovalStatus.EXPIRED
    assert store.approval_details(overdue.id)["outcome"] == "deny"
    assert store.get_approval(fresh.id).status is ApprovalStatus.PENDING
    # A clock set back before the approval was created counts as overdue too.
    assert [a.id for a in store.expire_overdue(now=fresh.created_at - 3600)] == [fresh.id]


def test_expire_overdue_can_end_everything_pending(store: Store) -> None:
    approvals = [store.create_approval(shell(str(i)), ASK, timeout_s=500) for i in range(3)]
    ended = store.expire_overdue(all_pending=True)
    assert sorted(a.id for a in ended) == sorted(a.id for a in approvals)
    assert all(store.approval_details(a.id)["outcome"] == "deny" for a in approvals)


def test_approve_for_session_grants_identical_later_calls_only(store: Store) -> None:
    call = shell("npm install left-pad", description="install it")
    approval = store.create_approval(call, ASK, timeout_s=60)
    store.resolve(approval.id, decision(Outcome.APPROVE, scope=Scope.SESSION))
    rules = ApprovalRules()
    again = shell("  npm install left-pad ", description="another description")
    verdict = rules.check_grant(store, again)
    assert (
        verdict is not None
        and verdict.action is Action.ALLOW
        and verdict.rule == "aegis.session_grant"
    )
    assert store.grant_source("s1", call_signature(again)).id == approval.id
    assert rules.check_grant(store, shell("npm install evil")) is None
    assert rules.check_grant(store, shell("npm install left-pad", session="s2")) is None


def test_approve_once_grants_nothing(store: Store) -> None:
    call = shell("npm install left-pad")
    store.resolve(store.create_approval(call, ASK, timeout_s=60).id, decision(Outcome.APPROVE))
    assert not store.has_grant("s1", call_signature(call))


def test_call_signature_is_stable_and_specific() -> None:
    base = shell("ls -la")
    assert call_signature(base) == call_signature(shell("ls -la"))
    assert call_signature(base) != call_signature(shell("ls -la /"))
    other_dir = shell("ls -la")
    object.__setattr__(other_dir, "cwd", "/elsewhere")
    assert call_signature(base) != call_signature(other_dir)


def test_rate_limit_per_session(store: Store) -> None:
    rules = ApprovalRules(max_per_minute=3)
    for i in range(3):
        assert rules.check_rate(store, "s1") is None
        store.create_approval(shell(str(i)), ASK, timeout_s=60)
    verdict = rules.check_rate(store, "s1")
    assert verdict is not None and verdict.action is Action.DENY
    assert "max_per_minute" in verdict.reason and verdict.rule == "aegis.rate_limit"
    assert rules.check_rate(store, "s2") is None
    assert rules.check_rate(store, "s1", now=store.list_approvals()[-1].created_at + 61) is None


def test_circuit_breaker_pauses_and_resume_clears_it(store: Store) -> None:
    rules = ApprovalRules(max_consecutive_denies=3)
    for _ in range(2):
        store.record_call(shell("rm -rf /"), Verdict(Action.DENY), "deny")
        assert rules.check_breaker(store, "s1") is None
    store.record_call(shell("rm -rf /"), Verdict(Action.DENY), "deny")
    verdict = rules.check_breaker(store, "s1")
    assert verdict is not None and verdict.action is Action.DENY
    assert "aegis approvals resume s1" in verdict.reason
    assert store.is_paused("s1")
    assert rules.check_breaker(store, "s1") is not None
    assert store.resume_session("s1", by="me")
    assert rules.check_breaker(store, "s1") is None


def test_an_allow_breaks_the_streak(store: Store) -> None:
    rules = ApprovalRules(max_consecutive_denies=2)
    store.record_call(shell("a"), Verdict(Action.DENY), "deny")
    store.record_call(shell("b"), Verdict(Action.ALLOW), "allow")
    store.record_call(shell("c"), Verdict(Action.DENY), "deny")
    assert rules.trip_if_needed(store, "s1") is False
    store.record_call(shell("d"), Verdict(Action.DENY), "deny")
    assert rules.trip_if_needed(store, "s1") is True
    assert rules.trip_if_needed(store, "s1") is False  # already paused


def test_rules_read_the_config(aegis_home, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AEGIS_APPROVALS_TIMEOUT_SECONDS", "42")
    monkeypatch.setenv("AEGIS_APPROVALS_DEFAULT_ACTION", "approve")
    monkeypatch.setenv("AEGIS_APPROVALS_MAX_PER_MINUTE", "4")
    rules = ApprovalRules(load_config())
    assert (
        rules.timeout_s,
        rules.expiry_allows,
        rules.max_per_minute,
        rules.max_consecutive_denies,
    ) == (42.0, True, 4, 5)


def test_deadlines_follow_the_monotonic_clock_not_the_wall() -> None:
    now = [1000.0]
    rules = ApprovalRules(timeout_seconds=30)
    deadline = rules.deadline(clock=lambda: now[0])
    assert deadline.remaining() == 30 and not deadline.passed
    now[0] += 30
    assert deadline.passed and deadline.remaining() == 0


def test_resume_deadline_never_exceeds_a_full_timeout(store: Store) -> None:
    rules = ApprovalRules(timeout_seconds=30)
    approval = store.create_approval(shell("x"), ASK, timeout_s=30)
    clock = lambda: 0.0  # noqa: E731
    assert rules.resume_deadline(
        approval, now_wall=approval.created_at + 10, clock=clock
    ).at == pytest.approx(20)
    # The wall clock went back an hour: still at most one timeout.
    assert (
        rules.resume_deadline(approval, now_wall=approval.created_at - 3600, clock=clock).at == 30
    )
    assert isinstance(rules.deadline(), Deadline)
