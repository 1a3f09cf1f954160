"""``aegis approvals`` against a real database (no daemon), and through a daemon
socket when one listens."""

from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
from pathlib import Path

import pytest
from approvals_support import ASK, shell
from click.testing import CliRunner

from aegis_core.cli import cli, main
from aegis_core.client import DaemonUnavailable, Identity, request
from aegis_core.errors import AegisEnvironmentError
from aegis_core.models import Action, ApprovalStatus, Verdict
from aegis_core.store import Store


@pytest.fixture
def home_store(aegis_home: Path):
    store = Store.open(aegis_home / "aegis.db")
    yield store
    store.close()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_show_and_history(home_store: Store, capsys) -> None:
    first = home_store.create_approval(shell("rm -rf build"), ASK, timeout_s=300)
    second = home_store.create_approval(shell("git push --force"), ASK, timeout_s=300)
    code, out, _ = run(capsys, "approvals", "list", "--json")
    assert code == 0 and [a["id"] for a in json.loads(out)] == [first.id, second.id]
    code, out, _ = run(capsys, "approvals")
    assert "rm -rf build" in out and "pending" in out
    code, out, _ = run(capsys, "approvals", "show", first.id[:8], "--json")
    assert json.loads(out)["input"]["command"] == "rm -rf build"
    code, out, _ = run(capsys, "approvals", "show", first.id)
    assert "rm -rf build" in out and "deletes files" in out
    assert run(capsys, "approvals", "deny", second.id, "--reason", "not today")[0] == 0
    code, out, _ = run(capsys, "approvals", "list", "--json")
    assert [a["id"] for a in json.loads(out)] == [first.id]
    code, out, _ = run(capsys, "approvals", "list", "--all", "--json")
    assert {a["id"] for a in json.loads(out)} == {first.id, second.id}
    code, out, _ = run(capsys, "approvals", "history", "--json")
    [decided] = json.loads(out)
    assert decided["status"] == "denied" and decided["decision_reason"] == "not today"
    assert decided["channel"] == "cli"


def test_approve_without_a_daemon_writes_the_database(home_store: Store, capsys) -> None:
    call = shell("npm install left-pad")
    approval = home_store.create_approval(call, ASK, timeout_s=300)
    code, out, _ = run(capsys, "approvals", "approve", approval.id, "--session")
    assert code == 0 and "Approved" in out
    stored = home_store.get_approval(approval.id)
    assert stored.status is ApprovalStatus.APPROVED and stored.scope.value == "session"
    from aegis_core.approvals import call_signature

    assert home_store.has_grant("s1", call_signature(call))
    code, _, err = run(capsys, "approvals", "deny", approval.id)
    assert code == 1 and "too late" in err and "approved" in err


def test_unknown_ids(home_store: Store, capsys) -> None:
    code, _, err = run(capsys, "approvals", "approve", "doesnotexist")
    assert code == 1 and "no approval" in err


def test_resume_a_paused_session(home_store: Store, capsys) -> None:
    home_store.record_call(shell("x"), Verdict(Action.DENY), "deny")
    home_store.pause_session("s1", "breaker")
    code, out, _ = run(capsys, "approvals", "resume", "s1")
    assert code == 0 and "resumed" in out and not home_store.is_paused("s1")
    code, out, _ = run(capsys, "approvals", "resume", "s1")
    assert "was not paused" in out
    assert run(capsys, "approvals", "resume", "nope")[0] == 1


def test_watch_offers_each_pending_approval(home_store: Store, aegis_home: Path) -> None:
    a = home_store.create_approval(shell("rm a"), ASK, timeout_s=300)
    b = home_store.create_approval(shell("rm b"), ASK, timeout_s=300)
    c = home_store.create_approval(shell("rm c"), ASK, timeout_s=300)
    result = CliRunner().invoke(
        cli,
        ["approvals", "watch", "--once"],
        input="a\nd\nno thanks\nk\n",
        env={"AEGIS_HOME": str(aegis_home)},
    )
    assert result.exit_code == 0, result.output
    assert "rm a" in result.output and "rm c" in result.output
    assert home_store.get_approval(a.id).status is ApprovalStatus.APPROVED
    denied = home_store.get_approval(b.id)
    assert denied.status is ApprovalStatus.DENIED and denied.decision_reason == "no thanks"
    assert home_store.get_approval(c.id).status is ApprovalStatus.PENDING


def test_watch_json_prints_without_asking(home_store: Store, aegis_home: Path) -> None:
    a = home_store.create_approval(shell("rm a"), ASK, timeout_s=300)
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
    approval = home_store.create_approval(shell("rm -rf build"), ASK, timeout_s=300)
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


def test_a_stale_socket_falls_back_to_the_database(
    home_store: Store, aegis_home: Path, capsys
) -> None:
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(aegis_home / "aegis.sock"))
    stale.close()  # the file stays, nobody listens: a daemon that died
    approval = home_store.create_approval(shell("rm x"), ASK, timeout_s=300)
    code, _, _ = run(capsys, "approvals", "deny", approval.id)
    assert code == 0 and home_store.get_approval(approval.id).status is ApprovalStatus.DENIED


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
