"""``aegis approvals`` against a real database (no daemon), and through a daemon
socket when one listens."""

from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
import time
from pathlib import Path

import pytest
from approvals_support import end, pending, shell
from click.testing import CliRunner

from aegis_core.cli import cli, main
from aegis_core.client import DaemonUnavailable, Identity, request
from aegis_core.errors import AegisEnvironmentError
from aegis_core.models import Action, Approval, ApprovalStatus, Verdict, new_id
from aegis_core.store import Store
from aegis_core.store.interface import CallRecord, StoredVote


@pytest.fixture
def home_store(aegis_home: Path):
    store = Store.open(aegis_home / "aegis.db")
    yield store
    store.close()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def records(home: Path) -> list[tuple[str, dict]]:
    from aegis_core.audit.reader import read_records

    return [(r.event, dict(r.details)) for r in read_records(home / "audit.log")]


def test_list_and_show_work_without_the_daemon(home_store: Store, capsys) -> None:
    first = pending(home_store, shell("rm -rf build"), timeout_s=300)
    second = pending(home_store, shell("git push --force"), timeout_s=300)
    code, out, _ = run(capsys, "approvals", "list", "--json")
    assert code == 0 and [a["id"] for a in json.loads(out)] == [first.id, second.id]
    code, out, _ = run(capsys, "approvals")
    assert "rm -rf build" in out and "pending" in out
    code, out, _ = run(capsys, "approvals", "show", first.id[:8], "--json")
    assert json.loads(out)["input"]["command"] == "rm -rf build"
    code, out, _ = run(capsys, "approvals", "show", first.id)
    assert "rm -rf build" in out and "deletes files" in out
    end(home_store, second.id, ApprovalStatus.DENIED)
    code, out, _ = run(capsys, "approvals", "list", "--all", "--json")
    assert {a["id"] for a in json.loads(out)} == {first.id, second.id}
    code, out, _ = run(capsys, "approvals", "history", "--json")
    assert [a["id"] for a in json.loads(out)] == [second.id]


def test_list_shows_the_votes_stored_never_a_count_of_approvers(home_store: Store, capsys) -> None:
    """A two-person rule's votes as the list shows them: only the daemon can check a
    vote's seal (and counts one per person), so the list says how many are stored and
    how many people are needed, never "2/2 approvers" for rows nobody sealed."""
    call = shell("deploy prod")
    now = time.time()
    approval = Approval(id=new_id(), call_id=call.id, session=call.session, tool=call.tool, kind=call.kind,
                        summary=call.summary(), rule="deploy", reason="two people", risk=80, created_at=now,
                        deadline_at=now + 300, quorum=2)
    home_store.create_approval(approval, agent="claude", cwd="/work", input_json="{}", signature="s", seal="")
    for voter in ("cli:mallory@a", "cli:mallory@b"):  # written behind the daemon's back: no seal
        home_store.add_vote(approval.id, StoredVote(voter=voter, outcome="approve", decided_by=voter,
                                                    channel="cli", seal=""))
    code, out, _ = run(capsys, "approvals", "list")
    assert code == 0 and "deploy prod" in out
    assert "needs 2 people; 2 approving votes stored" in out
    assert "2/2" not in out and "approvers" not in out


@pytest.mark.parametrize("verb", ["approve", "deny"])
def test_answering_without_the_daemon_is_refused_and_changes_nothing(
    home_store: Store, aegis_home: Path, capsys, verb: str
) -> None:
    approval = pending(home_store, shell("npm install left-pad"), timeout_s=300)
    code, out, err = run(capsys, "approvals", verb, approval.id)
    assert code == 3 and out == ""
    assert "daemon is not running" in err and "no agent is waiting" in err and "aegis start" in err
    assert home_store.get_approval(approval.id).status is ApprovalStatus.PENDING
    assert records(aegis_home) == []  # nothing changed, so nothing to record


def test_answering_an_approval_that_already_ended_is_refused(home_store: Store, aegis_home: Path,
                                                             capsys) -> None:
    # The side door of issue 15: "Approved" (exit 0) for a call already denied.
    approval = pending(home_store, shell("rm -rf ~"), timeout_s=300)
    end(home_store, approval.id, ApprovalStatus.DENIED, by="bob", channel="telegram")
    code, out, err = run(capsys, "approvals", "approve", approval.id)
    assert code == 1 and "Approved" not in out
    assert "too late" in err and "denied by bob via telegram" in err
    assert home_store.get_approval(approval.id).status is ApprovalStatus.DENIED


def test_a_stale_socket_is_a_daemon_that_is_not_running(home_store: Store, aegis_home: Path,
                                                        capsys) -> None:
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(aegis_home / "aegis.sock"))
    stale.close()  # the file stays, nobody listens: a daemon that died
    approval = pending(home_store, shell("rm x"), timeout_s=300)
    code, _, err = run(capsys, "approvals", "deny", approval.id)
    assert code == 3 and "not running" in err
    assert home_store.get_approval(approval.id).status is ApprovalStatus.PENDING


def test_unknown_ids(home_store: Store, capsys) -> None:
    code, _, err = run(capsys, "approvals", "approve", "doesnotexist")
    assert code == 1 and "no approval" in err


def test_resume_without_the_daemon_is_audited(home_store: Store, aegis_home: Path, capsys) -> None:
    home_store.record_calls([CallRecord(shell("x"), "{}", Verdict(Action.DENY), "", "deny")])
    home_store.pause_session("s1", "breaker")
    code, out, _ = run(capsys, "approvals", "resume", "s1")
    assert code == 0 and "resumed" in out and not home_store.is_paused("s1")
    [(event, details)] = records(aegis_home)
    assert event == "session.resumed" and details["by"].endswith("via cli")
    code, out, _ = run(capsys, "approvals", "resume", "s1")
    assert "was not paused" in out and len(records(aegis_home)) == 1
    assert run(capsys, "approvals", "resume", "nope")[0] == 1


def test_watch_json_prints_without_asking(home_store: Store, aegis_home: Path) -> None:
    a = pending(home_store, shell("rm a"), timeout_s=300)
    result = CliRunner().invoke(
        cli, ["approvals", "watch", "--once", "--json"], env={"AEGIS_HOME": str(aegis_home)}
    )
    assert [json.loads(line)["id"] for line in result.output.splitlines()] == [a.id]
    assert home_store.get_approval(a.id).status is ApprovalStatus.PENDING


class FakeDaemonSocket:
    """A real Unix socket speaking the protocol's framing: an interim line, then a
    final one. Stands in for the daemon, which is not part of these tests: like the
    daemon, it holds the lock on ``aegis.pid`` (the CLI trusts only that process)."""

    def __init__(self, path: Path, answer: dict) -> None:
        self.requests: list[dict] = []
        self.pid_file = os.open(path.parent / "aegis.pid", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.pid_file, fcntl.LOCK_EX)
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path))
        self.server.listen(4)
        self.answer = answer
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                self.requests.append(json.loads(conn.makefile("rb").readline()))
                conn.sendall(
                    b'{"event": "working"}\n'
                    + json.dumps({"final": True, **self.answer}).encode()
                    + b"\n"
                )

    def close(self) -> None:
        self.server.close()
        os.close(self.pid_file)


def test_approve_goes_through_the_daemon_when_it_listens(
    home_store: Store, aegis_home: Path, capsys
) -> None:
    approval = pending(home_store, shell("rm -rf build"), timeout_s=300)
    final = {**approval.to_dict(), "status": "approved", "decided_by": "me"}
    fake = FakeDaemonSocket(aegis_home / "aegis.sock", {"ok": True, "won": True, "approval": final})
    try:
        code, out, _ = run(capsys, "approvals", "approve", approval.id[:10])
    finally:
        fake.close()
    assert code == 0 and "Approved" in out
    [sent] = fake.requests
    assert (sent["v"], sent["op"], sent["approval_id"], sent["outcome"], sent["scope"]) == (
        1,
        "approval.resolve",
        approval.id,
        "approve",
        "once",
    )
    # The daemon answered it; the CLI did not write the database itself.
    assert home_store.get_approval(approval.id).status is ApprovalStatus.PENDING


def test_client_errors(tmp_path: Path) -> None:
    with pytest.raises(DaemonUnavailable) as caught:
        request("ping", socket=tmp_path / "none.sock")
    assert caught.value.hint == "start it with: aegis start" and caught.value.exit_code == 3
    path = tmp_path / "mute.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)

    def hang_up() -> None:
        conn, _ = server.accept()
        conn.recv(100)
        conn.sendall(b'{"event": "pending"}\n')
        conn.close()

    thread = threading.Thread(target=hang_up)
    thread.start()
    try:
        with pytest.raises(AegisEnvironmentError, match="without an answer") as caught:
            request("ping", socket=path, timeout=10, identity=Identity(os.getpid()))
        assert not isinstance(caught.value, DaemonUnavailable)
    finally:
        thread.join(timeout=10)
        server.close()
    assert os.path.exists(path)


def test_doctor_fix_ends_overdue_approvals_through_the_one_door(home_store: Store, aegis_home: Path,
                                                                 capsys) -> None:
    import time

    overdue = pending(home_store, shell("rm -rf build"), timeout_s=0.01)
    fresh = pending(home_store, shell("git push"), timeout_s=600)
    time.sleep(0.05)
    main(["doctor", "--fix", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert any(line.startswith("database: expired 1 overdue") for line in report["fixed"])
    assert home_store.get_approval(overdue.id).status is ApprovalStatus.EXPIRED
    assert home_store.get_approval(fresh.id).status is ApprovalStatus.PENDING
    [details] = [d for event, d in records(aegis_home) if event == "approval.expired"]
    assert details["approval_id"] == overdue.id and details["outcome"] == "deny"
    assert "aegis doctor --fix" in details["reason"]
