"""Network approvals through the real daemon: a session's proxy socket, the bridge as
a subprocess, an origin on 127.0.0.1 that no manifest names, and the human answering
with the real `aegis approvals` CLI. What reached the origin, what the agent read and
what the audit log kept are checked, never the daemon's internals."""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from network_support import FETCH, WAIT, Home, Origin, bridged, fetch, wait_until

from aegis_core.errors import AegisError
from aegis_core.network.endpoints import PLACEHOLDER_KEY


def in_background(function: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(function()), daemon=True)
    thread.start()
    return thread, out


@pytest.fixture
def fresh() -> Iterator[Home]:
    """A home whose daemon the test starts (after writing its policy)."""
    instance = Home()
    yield instance
    instance.close()


@pytest.fixture
def home(fresh: Home) -> Home:
    fresh.start()
    return fresh


@pytest.fixture
def origin() -> Iterator[Origin]:
    server = Origin()
    yield server
    server.close()


def test_a_host_outside_the_manifest_waits_for_a_human_then_passes(home: Home, origin: Origin) -> None:
    session, _, proxy = home.session()
    assert proxy.is_socket() and proxy.parent.name == session
    thread, answers = in_background(lambda: fetch(proxy, f"{origin.url}/hello"))
    (pending,) = wait_until(home.pending, "no network approval became pending")
    assert pending["kind"] == "network" and pending["tool"] == "network"
    assert pending["summary"] == f"the agent wants to reach 127.0.0.1:{origin.port}"
    assert origin.requests == []  # held while the human decides
    approved = home.cli("approvals", "approve", pending["id"])
    assert approved.returncode == 0, approved.stderr
    thread.join(WAIT)
    assert answers[0]["status"] == 200 and answers[0]["text"] == "hello from the origin\n"
    (connection,) = home.audit("network.connection")
    assert connection["session"] == session
    details = connection["details"]
    assert (details["host"], details["port"], details["decision"]) == ("127.0.0.1", origin.port, "allow")
    assert details["approval_id"] == pending["id"]
    assert details["bytes_in"] > 0 and details["bytes_out"] > 0 and details["duration_s"] >= 0
    assert "hello from the origin" not in json.dumps(home.audit("network.connection"))  # never the payload
    assert home.cli("audit", "verify").returncode == 0


def test_a_host_in_network_allow_passes_without_a_question(fresh: Home, origin: Origin) -> None:
    fresh.start(policy=f'[policy]\ninclude_defaults = true\n\n[sandbox.network]\nallow = ["127.0.0.1:{origin.port}"]\n')
    _, _, proxy = fresh.session()
    assert fetch(proxy, f"{origin.url}/listed")["status"] == 200
    other = Origin()  # same host, another port: not on the list
    try:
        thread, answers = in_background(lambda: fetch(proxy, f"{other.url}/unlisted"))
        (pending,) = wait_until(fresh.pending, "the unlisted port was not asked about")
        assert pending["summary"] == f"the agent wants to reach 127.0.0.1:{other.port}"
        fresh.cli("approvals", "deny", pending["id"])
        thread.join(WAIT)
    finally:
        other.close()
    assert answers[0]["status"] == 403
    listed, unlisted = (record["details"] for record in fresh.audit("network.connection"))
    assert (listed["rule"], listed["decision"]) == ("network.allow", "allow")
    assert unlisted["decision"] == "deny" and other.requests == []
    assert fresh.audit("approval.requested")[0]["details"]["tool"] == "network"


def test_a_denied_host_gets_the_proxys_error_and_is_not_asked_again_at_once(home: Home, origin: Origin) -> None:
    _, _, proxy = home.session()
    thread, answers = in_background(lambda: fetch(proxy, f"{origin.url}/x"))
    (pending,) = wait_until(home.pending, "no network approval became pending")
    home.cli("approvals", "deny", pending["id"], "--reason", "not that host")
    thread.join(WAIT)
    assert answers[0]["status"] == 403
    assert "not that host" in answers[0]["text"] and "ask the user" in answers[0]["text"]
    retry = fetch(proxy, f"{origin.url}/x")  # a client's retry: refused, nobody asked twice
    assert retry["status"] == 403 and home.pending() == []
    assert origin.requests == []
    decisions = [record["details"]["decision"] for record in home.audit("network.connection")]
    assert decisions == ["deny", "deny"]


def test_allow_for_session_covers_the_next_connection(home: Home, origin: Origin) -> None:
    _, _, proxy = home.session()
    thread, answers = in_background(lambda: fetch(proxy, f"{origin.url}/one"))
    (pending,) = wait_until(home.pending, "no network approval became pending")
    home.cli("approvals", "approve", pending["id"], "--session")
    thread.join(WAIT)
    assert answers[0]["status"] == 200
    assert fetch(proxy, f"{origin.url}/two")["status"] == 200  # no second question
    assert len(home.audit("approval.requested")) == 1
    first, second = (record["details"] for record in home.audit("network.connection"))
    assert first["approval_id"] == pending["id"] and second["rule"] == "aegis.session_grant"
    assert [request["path"] for request in origin.requests] == ["/one", "/two"]


def test_connections_to_one_host_share_one_question(home: Home, origin: Origin) -> None:
    _, _, proxy = home.session()
    first, out_first = in_background(lambda: fetch(proxy, f"{origin.url}/a"))
    second, out_second = in_background(lambda: fetch(proxy, f"{origin.url}/b"))
    (pending,) = wait_until(home.pending, "no network approval became pending")
    time.sleep(0.5)  # the second connection has arrived and is waiting too
    assert len(home.pending()) == 1
    home.cli("approvals", "approve", pending["id"])
    first.join(WAIT)
    second.join(WAIT)
    assert out_first[0]["status"] == 200 and out_second[0]["status"] == 200


def test_the_session_end_closes_its_proxy(home: Home, origin: Origin) -> None:
    session, token, proxy = home.session()
    ended = home.request("session.end", session=session, token=token, exit_status=0)
    assert ended["ok"]
    assert not proxy.exists()
    assert fetch(proxy, f"{origin.url}/late")["status"] == 502


def test_a_held_model_api_key_is_added_outside_and_never_given_to_the_agent(home: Home, origin: Origin) -> None:
    session, token, proxy = home.session()
    answer = home.request("network.endpoint", session=session, token=token, name="anthropic", header="x-api-key",
                          base_url=origin.url, key="sk-ant-real-secret")
    assert answer["ok"] and answer["base_url"] == "http://anthropic.aegis.invalid"
    script = FETCH.replace("urllib.request.urlopen(sys.argv[1]",
                           "urllib.request.urlopen(urllib.request.Request(sys.argv[1], "
                           f"headers={{'x-api-key': {PLACEHOLDER_KEY!r}}})")
    result = bridged(proxy, [sys.executable, "-c", script, answer["base_url"] + "/v1/messages"])
    assert json.loads(result.stdout)["status"] == 200, result.stderr
    (seen,) = origin.requests
    assert seen["headers"]["x-api-key"] == "sk-ant-real-secret"
    assert home.pending() == []
    log = (home.home / "audit.log").read_text()
    assert "sk-ant-real-secret" not in log
    assert home.audit("network.model_api")[0]["details"]["key_held"] is True


def test_without_a_key_the_model_apis_host_is_simply_allowed(home: Home, origin: Origin) -> None:
    session, token, proxy = home.session()
    answer = home.request("network.endpoint", session=session, token=token, name="anthropic", header="x-api-key",
                          base_url=origin.url)
    assert answer["base_url"] == origin.url
    assert fetch(proxy, f"{origin.url}/v1/messages")["status"] == 200
    assert home.pending() == []
    (connection,) = home.audit("network.connection")
    assert connection["details"]["rule"] == "network.allow"


def test_network_endpoint_refuses_a_wrong_token(home: Home, origin: Origin) -> None:
    session, _, _ = home.session()
    answer = home.request("network.endpoint", session=session, token="forged", name="anthropic",
                          header="x-api-key", base_url=origin.url)
    assert answer["ok"] is False and answer["code"] == 6


def test_a_tunnel_open_when_the_session_ends_is_closed_and_recorded(fresh: Home, origin: Origin) -> None:
    fresh.start(policy=f'[policy]\ninclude_defaults = true\n\n[sandbox.network]\nallow = ["127.0.0.1:{origin.port}"]\n')
    session, token, proxy = fresh.session()
    with socket.socket(socket.AF_UNIX) as tunnel:
        tunnel.settimeout(WAIT)
        tunnel.connect(str(proxy))
        tunnel.sendall(f"CONNECT 127.0.0.1:{origin.port} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert tunnel.recv(1024).startswith(b"HTTP/1.1 200")
        tunnel.sendall(b"GET /open HTTP/1.1\r\nHost: x\r\n\r\n")
        # A stream hands the answer over in as many pieces as it likes: the
        # origin writes its headers and its body separately.
        answer = b""
        while b"hello from the origin" not in answer:
            piece = tunnel.recv(4096)
            assert piece, f"the tunnel closed before the answer was whole: {answer!r}"
            answer += piece
        assert fresh.request("session.end", session=session, token=token, exit_status=0)["ok"]
        assert tunnel.recv(1024) == b""  # the daemon closed it
    (record,) = wait_until(lambda: fresh.audit("network.connection"), "the tunnel was not recorded")
    assert record["details"]["via"] == "CONNECT" and record["details"]["bytes_in"] > 0


def test_an_adapter_hands_the_key_over_and_the_agent_gets_a_stand_in(home: Home, origin: Origin) -> None:
    from aegis_core.client import expected
    from aegis_core.config import load_config
    from aegis_core.network.endpoints import ANTHROPIC, ANTHROPIC_TOKEN, hold_model_keys

    session, token, proxy = home.session()
    daemon = expected(load_config(home=home.home, env={}))  # the one holding aegis.pid's lock
    user_env = {"ANTHROPIC_API_KEY": "sk-ant-from-the-users-shell", "ANTHROPIC_AUTH_TOKEN": "second-secret",
                "ANTHROPIC_BASE_URL": origin.url, "PATH": "/usr/bin:/bin"}
    agent_env = hold_model_keys(user_env, (ANTHROPIC, ANTHROPIC_TOKEN), socket=home.home / "aegis.sock",
                                session=session, token=token, identity=daemon)
    assert agent_env["ANTHROPIC_API_KEY"] == PLACEHOLDER_KEY == agent_env["ANTHROPIC_AUTH_TOKEN"]
    assert agent_env["ANTHROPIC_BASE_URL"] == "http://anthropic.aegis.invalid"
    assert "sk-ant-from-the-users-shell" not in json.dumps(agent_env)
    assert fetch(proxy, agent_env["ANTHROPIC_BASE_URL"] + "/v1/models")["status"] == 200
    assert origin.requests[0]["headers"]["x-api-key"] == "sk-ant-from-the-users-shell"

    other, _, _ = home.session()
    with pytest.raises(AegisError, match="could not take over"):  # a wrong token: the agent is not started
        hold_model_keys(user_env, (ANTHROPIC,), socket=home.home / "aegis.sock", session=other, token="forged",
                        identity=daemon)


def test_a_session_ends_with_the_daemon_that_opened_it(home: Home, origin: Origin) -> None:
    # Run directories go at stop (docs/protocol.md): a restarted daemon serves no
    # socket of a session it did not open, and that session's token opens nothing.
    session, token, proxy = home.session()
    assert home.cli("stop", "--timeout", "10").returncode == 0
    assert not proxy.exists() and not proxy.parent.exists()
    home.start()
    assert not proxy.exists()
    answer = home.request("network.endpoint", session=session, token=token, name="anthropic",
                          header="x-api-key", scheme="", base_url=origin.url)
    assert answer["ok"] is False and "not open" in answer["error"]


def test_a_question_still_open_when_the_session_ends_is_withdrawn(home: Home, origin: Origin) -> None:
    session, token, proxy = home.session()
    quiet = ("import sys, urllib.request\n"
             "try:\n    urllib.request.urlopen(sys.argv[1])\nexcept Exception as exc:\n    print(exc)")
    thread, _ = in_background(lambda: bridged(proxy, [sys.executable, "-c", quiet, f"{origin.url}/never"]))
    (pending,) = wait_until(home.pending, "no network approval became pending")
    assert home.request("session.end", session=session, token=token, exit_status=0)["ok"]
    thread.join(WAIT)
    assert home.pending() == []
    (cancelled,) = home.audit("approval.cancelled")
    assert cancelled["details"]["approval_id"] == pending["id"] and "session ended" in cancelled["details"]["reason"]
    assert origin.requests == []
