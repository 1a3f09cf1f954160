"""A deny through the daemon says what was found, names the rule and says what to do,
each once."""

from __future__ import annotations


def test_a_deny_says_each_thing_once(daemon) -> None:
    daemon.start()
    session, token = daemon.session()
    answer = daemon.bash("rm -rf /", session, token)
    assert answer["decision"] == "deny" and answer["rule"] == "fs-delete-critical"
    reason = answer["reason"]
    assert reason.count("fs-delete-critical") == 1, reason
    assert reason.count("Do not retry") == 1 and "work around" in reason and reason.count("ask the user") == 1

