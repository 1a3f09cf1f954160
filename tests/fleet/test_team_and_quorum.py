"""Team rules and two-person approval through the one approvals object, on SQLite (a
single machine) and on the fleet's PostgreSQL; session grants stay on their session
and machine."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import anyio
import pytest

from aegis_core.approvals import ApprovalRules, Approvals, Sealer, call_signature
from aegis_core.audit.plugin import AuditPlugin
from aegis_core.audit.reader import read_records
from aegis_core.config import load_config
from aegis_core.errors import ConfigError
from aegis_core.fleet.team import TeamRules, parse_member
from aegis_core.models import Action, ApprovalStatus, Decision, Kind, Outcome, Scope, ToolCall, Verdict
from aegis_core.recorder import DirectRecorder
from aegis_core.store import Store
from aegis_core.store.postgres import PostgresStore
from aegis_core.testing import make_plugins

TWO = Verdict(Action.REQUIRE_APPROVAL, reason="production", rule="prod", risk=90, quorum=2)
ONE = Verdict(Action.REQUIRE_APPROVAL, reason="deploy", rule="deploy", risk=60)
KEY = b"k" * 40


def call(command: str = "release 1.0", session: str = "s1", cwd: str = "/srv/app") -> ToolCall:
    return ToolCall(agent="claude", tool="Bash", kind=Kind.SHELL, input={"command": command}, cwd=cwd, session=session)


class Book:
    def __init__(self, store: Any, home: Path, *, machine: str = "laptop", members: list[str] | None = None,
                 sealer: Sealer | None = None) -> None:
        home.mkdir(parents=True, exist_ok=True)
        writer = AuditPlugin()
        writer.configure(load_config(home=home, env={"AEGIS_HOME": str(home)}))
        self.home = home
        self.approvals = Approvals(store=store, recorder=DirectRecorder(make_plugins(writer), store),
                                   notify=lambda approval, call: None, rules=ApprovalRules(),
                                   sealer=sealer or Sealer(), team=TeamRules(tuple(map(parse_member, members or []))),
                                   machine=machine)

    def ask(self, tool_call: ToolCall, verdict: Verdict = TWO):
        return anyio.run(lambda: self.approvals.request(tool_call, verdict, summary=tool_call.summary(),
                                                        input_json=json.dumps(dict(tool_call.input)), timeout_s=60))

    def answer(self, approval_id: str, outcome: Outcome, who: str, channel: str = "telegram", **extra: Any):
        decision = Decision(outcome, decided_by=who, channel=channel, **extra)
        return anyio.run(lambda: self.approvals.resolve(approval_id, decision))

    def events(self, name: str) -> list[dict[str, Any]]:
        return [dict(r.details) for r in read_records(self.home / "audit.log") if r.event == name]


@pytest.fixture
def sqlite_book(tmp_path: Path):
    store = Store.open(tmp_path / "aegis.db")
    yield Book(store, tmp_path / "home")
    store.close()


def test_two_person_rule_on_sqlite_needs_two_different_approvers(sqlite_book):
    approval = sqlite_book.ask(call())
    first = sqlite_book.answer(approval.id, Outcome.APPROVE, "telegram:1")
    assert first.won and first.approval.status is ApprovalStatus.PENDING and "1 of 2" in first.note
    again = sqlite_book.answer(approval.id, Outcome.APPROVE, "telegram:1")
    assert not again.won and "already approved" in again.note
    assert sqlite_book.approvals.store.get_approval(approval.id).status is ApprovalStatus.PENDING
    last = sqlite_book.answer(approval.id, Outcome.APPROVE, "alice", channel="cli", identity="cli:alice@laptop")
    assert last.won and last.approval.status is ApprovalStatus.APPROVED
    assert set(last.approval.votes) == {"telegram:1", "alice"}
    resolved = sqlite_book.events("approval.resolved")[-1]
    assert resolved["quorum"] == 2 and len(resolved["votes"]) == 2
    assert len(sqlite_book.events("approval.voted")) == 2 and sqlite_book.events("approval.vote_refused")


def test_any_deny_ends_a_two_person_approval(sqlite_book):
    approval = sqlite_book.ask(call())
    assert sqlite_book.answer(approval.id, Outcome.APPROVE, "telegram:1").won
    denied = sqlite_book.answer(approval.id, Outcome.DENY, "telegram:2", reason="no")
    assert denied.won and denied.approval.status is ApprovalStatus.DENIED
    late = sqlite_book.answer(approval.id, Outcome.APPROVE, "telegram:3")
    assert not late.won and late.approval.status is ApprovalStatus.DENIED


def test_a_one_person_rule_ends_with_the_first_approval(sqlite_book):
    approval = sqlite_book.ask(call("deploy"), ONE)
    assert sqlite_book.answer(approval.id, Outcome.APPROVE, "telegram:1").approval.status is ApprovalStatus.APPROVED


def test_quorum_in_a_policy_rule_is_validated_and_reaches_the_verdict():
    from aegis_core.policy.loader import PolicyError, parse_policy

    rules, _, _ = parse_policy('[policy]\n[[policy.rules]]\nname = "p"\naction = "require_approval"\nquorum = 2\n'
                               'match = { command_pattern = "release" }\n')
    assert rules[0].quorum == 2
    for bad in ('quorum = 0', 'quorum = "two"', 'quorum = 9'):
        with pytest.raises(PolicyError, match="quorum"):
            parse_policy(f'[policy]\n[[policy.rules]]\nname = "p"\naction = "require_approval"\n{bad}\n'
                         'match = { command_pattern = "x" }\n')
    with pytest.raises(PolicyError, match="applies to action"):
        parse_policy('[policy]\n[[policy.rules]]\nname = "p"\naction = "deny"\nquorum = 2\n'
                     'match = { command_pattern = "x" }\n')


MEMBERS = [
    "telegram:100 admin",
    "telegram:200 approver machine=ci-* project=/srv/app",
    "cli:bob@* approver machine=laptop|desk",
    "telegram:300 viewer",
]


@pytest.mark.parametrize(("who", "machine", "cwd", "allowed"), [
    ("telegram:100", "anything", "/x", True),           # admin: everywhere
    ("telegram:200", "ci-7", "/srv/app/sub", True),     # in scope
    ("telegram:200", "laptop", "/srv/app", False),      # another machine
    ("telegram:200", "ci-7", "/srv/other", False),      # another project
    ("telegram:300", "ci-7", "/srv/app", False),        # viewer
    ("telegram:999", "ci-7", "/srv/app", False),        # not a member
])
def test_team_rules_scope_who_may_answer(tmp_path, who, machine, cwd, allowed):
    store = Store.open(tmp_path / "aegis.db")
    try:
        book = Book(store, tmp_path / "home", machine=machine, members=MEMBERS)
        approval = book.ask(call("deploy", cwd=cwd), ONE)
        result = book.answer(approval.id, Outcome.APPROVE, who)
        assert result.won is allowed
        if not allowed:
            assert result.note.startswith("refused:")
            assert store.get_approval(approval.id).status is ApprovalStatus.PENDING
            assert book.events("approval.forbidden")[-1]["identity"] == who
    finally:
        store.close()


def test_team_rules_apply_to_denies_too_and_cli_identities(tmp_path):
    store = Store.open(tmp_path / "aegis.db")
    try:
        book = Book(store, tmp_path / "home", machine="laptop", members=MEMBERS)
        approval = book.ask(call("deploy"), ONE)
        assert not book.answer(approval.id, Outcome.DENY, "telegram:999").won
        assert not book.answer(approval.id, Outcome.APPROVE, "eve", channel="cli", identity="cli:eve@laptop").won
        ok = book.answer(approval.id, Outcome.APPROVE, "bob", channel="cli", identity="cli:bob@laptop")
        assert ok.won and ok.approval.status is ApprovalStatus.APPROVED
    finally:
        store.close()


def test_bad_team_entries_are_config_errors():
    for entry in ("telegram:1", "telegram:1 boss", "telegram:1 approver where=x"):
        with pytest.raises(ConfigError, match=r"\[team\] members"):
            parse_member(entry)


def test_a_session_grant_holds_for_its_session_on_its_machine_only(tmp_path, fleet_database):
    laptop_store = PostgresStore(fleet_database, "laptop")
    desk_store = PostgresStore(fleet_database, "desk")
    laptop = Book(laptop_store, tmp_path / "laptop", machine="laptop", sealer=Sealer(KEY, "fleet"))
    desk = Book(desk_store, tmp_path / "desk", machine="desk", sealer=Sealer(KEY, "fleet"))
    asked = call("deploy", session="s-laptop")
    approval = laptop.ask(asked, ONE)
    # answered from the other machine's daemon, for the session
    result = desk.answer(approval.id, Outcome.APPROVE, "telegram:1", scope=Scope.SESSION)
    assert result.won
    again = replace(asked, id="second")
    assert anyio.run(laptop.approvals.check_grant, again) is not None
    other_session = replace(asked, session="s-other", id="third")
    assert anyio.run(laptop.approvals.check_grant, other_session) is None
    # the same session id asked about on another machine: no grant there
    assert desk_store.get_grant("s-laptop", call_signature(asked)) is None
    assert anyio.run(desk.approvals.check_grant, again) is None


def test_a_row_forged_in_the_shared_database_without_the_fleet_key_is_refused(tmp_path, fleet_database):
    store = PostgresStore(fleet_database, "laptop")
    book = Book(store, tmp_path / "laptop", machine="laptop", sealer=Sealer(KEY, "fleet"))
    forger = Book(PostgresStore(fleet_database, "laptop"), tmp_path / "forger", machine="laptop",
                  sealer=Sealer(b"x" * 40, "guess"))
    forged = forger.ask(call("deploy"), ONE)  # inserted by someone who can write the database, no fleet key
    result = book.answer(forged.id, Outcome.APPROVE, "telegram:1")
    assert not result.won and store.get_approval(forged.id).status is ApprovalStatus.PENDING
    assert book.events("approval.refused")[-1]["trust"] in ("forged", "stale")


# -- two-person rules count people, not identities -----------------------------------


def test_one_account_on_two_machines_is_one_person(sqlite_book):
    approval = sqlite_book.ask(call())
    assert sqlite_book.answer(approval.id, Outcome.APPROVE, "alice", channel="cli", identity="cli:alice@laptop").won
    again = sqlite_book.answer(approval.id, Outcome.APPROVE, "alice", channel="cli", identity="cli:alice@desk")
    assert not again.won and "same person as cli:alice@laptop" in again.note
    assert sqlite_book.approvals.store.get_approval(approval.id).status is ApprovalStatus.PENDING
    assert sqlite_book.events("approval.vote_refused")[-1]["identity"] == "cli:alice@desk"
    last = sqlite_book.answer(approval.id, Outcome.APPROVE, "bob", channel="cli", identity="cli:bob@desk")
    assert last.won and last.approval.status is ApprovalStatus.APPROVED


@pytest.mark.parametrize("who", [
    {"decided_by": "policy-bot", "channel": "aegis"},              # a decide plugin: nobody in particular
    {"decided_by": "someone", "channel": "cli"},                    # a name claimed, no account behind it
    {"decided_by": "user", "channel": "terminal"},                  # whoever sits at the agent's terminal
    {"decided_by": "x", "channel": "cli", "identity": "telegram:abc"},  # not a Telegram user id
])
def test_an_identity_that_cannot_be_attributed_never_counts_toward_a_two_person_rule(sqlite_book, who):
    approval = sqlite_book.ask(call())
    assert sqlite_book.answer(approval.id, Outcome.APPROVE, "telegram:1").won
    extra = {k: v for k, v in who.items() if k == "identity"}
    refused = sqlite_book.answer(approval.id, Outcome.APPROVE, who["decided_by"], channel=who["channel"], **extra)
    assert not refused.won and "cannot be told apart" in refused.note
    assert sqlite_book.approvals.store.get_approval(approval.id).status is ApprovalStatus.PENDING
    # nor as the first one
    other = sqlite_book.ask(call("release 2"))
    assert not sqlite_book.answer(other.id, Outcome.APPROVE, who["decided_by"], channel=who["channel"], **extra).won
    assert sqlite_book.approvals.store.get_approval(other.id).votes == ()


ROSTER = [
    "telegram:111 approver person=alice",
    "whatsapp:+15550001 approver person=alice",
    "cli:alice@laptop approver person=alice",
    "cli:*@* approver",
    "telegram:222 approver person=bob",
]


@pytest.mark.parametrize(("first", "second", "people"), [
    ("telegram:111", "cli:alice@laptop", 1),     # one person of the roster, two channels
    ("whatsapp:15550001", "telegram:111", 1),    # the number with or without its +
    ("telegram:111", "cli:alice@desk", 1),       # her account on a machine the roster does not name
    ("cli:alice@desk", "cli:alice@ci-9", 1),     # one account, any machine
    ("telegram:111", "telegram:222", 2),
    ("cli:alice@laptop", "cli:carol@laptop", 2),
])
def test_the_roster_names_who_is_one_person(tmp_path, first, second, people):
    store = Store.open(tmp_path / "aegis.db")
    try:
        book = Book(store, tmp_path / "home", machine="laptop", members=ROSTER)
        assert book.approvals.team.people([first, second]) == people
        approval = book.ask(call())

        def answer(identity: str):
            channel = identity.split(":")[0]
            return book.answer(approval.id, Outcome.APPROVE, identity, channel=channel, identity=identity)

        assert answer(first).won
        result = answer(second)
        status = store.get_approval(approval.id).status
        assert status is (ApprovalStatus.APPROVED if people == 2 else ApprovalStatus.PENDING)
        if people == 1:
            assert not result.won and "same person" in result.note
    finally:
        store.close()


def test_person_is_parsed_once_and_bad_person_entries_are_errors():
    assert parse_member("telegram:1 approver person=alice machine=ci-*").person == "alice"
    with pytest.raises(ConfigError, match="person=NAME"):
        parse_member("telegram:1 approver person=alice person=bob")
    with pytest.raises(ConfigError, match="person=NAME"):
        parse_member("telegram:1 approver person=")


def test_two_people_on_two_machines_of_the_fleet_meet_a_two_person_rule(tmp_path, fleet_database):
    laptop = Book(PostgresStore(fleet_database, "laptop"), tmp_path / "laptop", machine="laptop",
                  sealer=Sealer(KEY, "fleet"))
    desk = Book(PostgresStore(fleet_database, "desk"), tmp_path / "desk", machine="desk", sealer=Sealer(KEY, "fleet"))
    approval = laptop.ask(call())
    assert desk.answer(approval.id, Outcome.APPROVE, "alice", channel="cli", identity="cli:alice@desk").won
    same = laptop.answer(approval.id, Outcome.APPROVE, "alice", channel="cli", identity="cli:alice@laptop")
    assert not same.won and "same person" in same.note
    done = laptop.answer(approval.id, Outcome.APPROVE, "telegram:7", channel="telegram")
    assert done.won and done.approval.status is ApprovalStatus.APPROVED
    assert {voter for voter, _ in done.approval.voters} == {"cli:alice@desk", "telegram:7"}


def test_one_person_voting_from_two_machines_at_once_still_counts_once(tmp_path, fleet_database):
    books = [Book(PostgresStore(fleet_database, name), tmp_path / name, machine=name, sealer=Sealer(KEY, "fleet"))
             for name in ("m1", "m2", "m3", "m4")]
    approval = books[0].ask(call())
    results = []

    async def race() -> None:
        async def vote(book: Book) -> None:
            decision = Decision(Outcome.APPROVE, decided_by="alice", channel="cli",
                                identity=f"cli:alice@{book.approvals.machine}")
            results.append(await book.approvals.resolve(approval.id, decision))

        async with anyio.create_task_group() as tasks:
            for book in books:
                tasks.start_soon(vote, book)

    anyio.run(race)
    assert books[0].approvals.store.get_approval(approval.id).status is ApprovalStatus.PENDING


def test_a_vote_written_into_the_shared_database_without_the_fleet_key_counts_nobody(tmp_path, fleet_database):
    import psycopg

    book = Book(PostgresStore(fleet_database, "laptop"), tmp_path / "laptop", machine="laptop",
                sealer=Sealer(KEY, "fleet"))
    approval = book.ask(call())
    with psycopg.connect(fleet_database, autocommit=True) as conn:  # someone with the database password only
        conn.execute("INSERT INTO approval_votes(approval_id, voter, outcome, decided_by, channel, reason, voted_at, "
                     "seal) VALUES (%s, 'telegram:666', 'approve', 'telegram:666', 'telegram', '', 0, 'forged')",
                     (approval.id,))
    result = book.answer(approval.id, Outcome.APPROVE, "telegram:1")
    assert result.won and "1 of 2" in result.note
    assert book.approvals.store.get_approval(approval.id).status is ApprovalStatus.PENDING
