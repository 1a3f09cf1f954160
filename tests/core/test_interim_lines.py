"""Interim lines (before a request's final answer) say what happened under "update";
older daemons and hook clients said it under "event", the word that in Aegis names an
audit record's kind. Writers send "update"; readers take both."""

from __future__ import annotations

from aegis_core.client import update_of
from aegis_core.daemon.protocol import pending
from aegis_core.hookclient.transport import DIALOG_CLOSED_LINE
from aegis_core.notices import describe

APPROVAL = {"id": "a1b2c3d4e5f6a7b8", "tool": "Bash", "summary": "rm -rf build", "status": "pending"}


def test_writers_send_update_not_event() -> None:
    line = pending("a1", 12.5)
    assert line == {"update": "pending", "approval_id": "a1", "deadline_at": 12.5}
    assert DIALOG_CLOSED_LINE == b'{"update":"dialog_closed"}\n'


def test_readers_take_the_new_key_and_the_old_one() -> None:
    assert update_of({"update": "pending"}) == "pending"
    assert update_of({"event": "pending"}) == "pending"  # a daemon before "update"
    assert update_of({"update": "resolved", "event": "pending"}) == "resolved"  # the new key wins
    assert update_of({"final": True}) is None and update_of({"update": 3}) is None
    for key in ("update", "event"):
        notice = describe({key: "pending", "approval": APPROVAL, "channels": ["cli"]})
        assert notice is not None and "a1b2c3d4e5f6 waits for you" in notice
        assert "aegis approvals approve a1b2c3d4e5f6" in notice
