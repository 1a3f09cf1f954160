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
    daemon.write_config(CLI_CHANNEL)
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
    thread.join(15)
    assert lines[-1]["decision"] == "deny"
    assert "directly" in lines[-1]["reason"]
    assert "approval.bypass_refused" in (daemon.home / "audit.log").read_text()
