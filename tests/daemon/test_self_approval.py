"""An agent runs as its user, so the socket's UID check cannot tell it from the user.
It must still never approve its own request: not through the sockets it has (see
test_sockets.py: agent sockets serve no human operation), and not by writing the
approval into the database behind the daemon."""

from __future__ import annotations

import json
import time
from typing import Any

CLI_CHANNEL = '[approvals]\nchannels = ["cli"]\ntimeout_seconds = 30\n'


def pending_id(daemon: Any) -> str:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        listed = json.loads(daemon.cli("approvals", "list", "--json").stdout or "[]")
        if listed:
            return listed[0]["id"]
        time.sleep(0.05)
    raise AssertionError("no pending approval")


def test_an_approval_written_into_the_database_is_not_trusted(daemon: Any) -> None:
    # Nothing polls the database: the waiting call learns at its deadline that its
    # approval is no longer pending although nobody answered it through the daemon.
    daemon.write_config('[approvals]\nchannels = ["cli"]\ntimeout_seconds = 3\n')
    daemon.start()
    session, token = daemon.session()
    thread, lines = daemon.bash_async("pip install requests", session, token)
    approval_id = pending_id(daemon)
    import apsw

    connection = apsw.Connection(str(daemon.home / "aegis.db"))
    connection.execute("PRAGMA busy_timeout=5000")
    connection.execute("UPDATE approvals SET status='approved', decided_by='agent', channel='sqlite3' "
                       "WHERE id=?", (approval_id,))
    connection.close()
    thread.join(30)
    assert lines[-1]["decision"] == "deny"
    assert "directly" in lines[-1]["reason"]
    records = [json.loads(line) for line in (daemon.home / "audit.log").read_text().splitlines()]
    [tampered] = [r for r in records if r["event"] == "approval.tampered"]
    assert tampered["details"]["approval_id"] == approval_id and tampered["details"]["found_decided_by"] == "agent"


def test_a_forged_session_grant_is_refused_and_audited(daemon: Any) -> None:
    # Attack 2 of issue 13: a script writes the signature of its next call into the
    # grants table, so the call would be "allowed for this session by an earlier approval".
    from aegis_core.approvals import call_signature
    from aegis_core.models import Kind, ToolCall

    daemon.write_config(CLI_CHANNEL.replace("30", "2"))
    daemon.start()
    session, token = daemon.session()
    command = "pip install requests"
    call = ToolCall(agent="generic", tool="Bash", kind=Kind.SHELL, input={"command": command},
                    cwd=str(daemon.project), session=session)
    import apsw

    connection = apsw.Connection(str(daemon.home / "aegis.db"))
    connection.execute("PRAGMA busy_timeout=5000")
    connection.execute("INSERT INTO session_grants(session, signature, approval_id, granted_at) VALUES (?, ?, NULL, 0)",
                       (session, call_signature(call)))
    connection.close()
    answer = daemon.bash(command, session, token)
    assert answer["decision"] == "deny" and "earlier approval" not in answer["reason"]
    assert "Nobody answered" in answer["reason"]  # it went to a human instead (who did not answer)
    records = [json.loads(line) for line in (daemon.home / "audit.log").read_text().splitlines()]
    [refused] = [r for r in records if r["event"] == "grant.refused"]
    assert refused["session"] == session and refused["details"]["trust"] == "forged"
    assert not [r for r in records if r["event"] == "call.allowed_by_grant"]
