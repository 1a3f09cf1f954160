"""Destinations read strictly, and the per-session gate's memory: one question for
concurrent connections, grants kept, denies remembered for a while and then asked
again. The gate runs with a scripted judge (the pipeline is tested with the daemon)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import anyio
import pytest

from aegis_core.models import Kind
from aegis_core.network.gate import JudgeAnswer, SessionGate, SessionInfo
from aegis_core.network.hosts import Destination, HostError, normalise_host, parse_authority
from aegis_core.network.own import listening_ports
from aegis_core.network.proxy import ConnectionRecord
from aegis_core.network.upstream import UpstreamError, open_upstream, resolve, special_address
from aegis_core.sandbox.manifest import Manifest, parse_host_rule


@pytest.mark.parametrize(("text", "expected"), [
    ("PyPI.org:443", Destination("pypi.org", 443)),
    ("pypi.org.:443", Destination("pypi.org", 443)),
    ("[::1]:8080", Destination("::1", 8080)),
    ("[0:0:0:0:0:0:0:1]:80", Destination("::1", 80)),
    ("bücher.example:443", Destination("xn--bcher-kva.example", 443)),
    ("127.0.0.1:8000", Destination("127.0.0.1", 8000)),
])
def test_authorities_are_normalised(text: str, expected: Destination) -> None:
    assert parse_authority(text) == expected


@pytest.mark.parametrize("text", [
    "pypi.org", "pypi.org:0", "pypi.org:65536", "pypi.org:http", ":443", "[::1:443", "a b.org:443",
    "2130706433:80", "0x7f.1:80", "0177.0.0.1:80", "-bad-.org:443", "evil.org%2f@x:443",
])
def test_unusable_authorities_are_refused(text: str) -> None:
    with pytest.raises(HostError):
        parse_authority(text)


def test_a_number_spelled_as_a_name_is_not_a_name() -> None:
    with pytest.raises(HostError, match="spelling of an IP address"):
        normalise_host("0x7f000001")


@pytest.mark.parametrize(("address", "special"), [
    ("127.0.0.1", True), ("127.1.2.3", True), ("::1", True), ("::ffff:127.0.0.1", True),
    ("169.254.169.254", True), ("fe80::1", True), ("0.0.0.0", True),
    ("93.184.216.34", False), ("10.0.0.5", False), ("2606:2800:220:1::", False),
])
def test_special_addresses(address: str, special: bool) -> None:
    assert (special_address(address) is not None) is special


def test_a_name_resolving_to_this_machine_is_not_connected(monkeypatch: pytest.MonkeyPatch) -> None:
    # No DNS server runs here, so the resolver's answer is scripted: a rebinding name.
    async def rebinding(host: str, port: int, **kwargs: object) -> list[tuple]:
        return [(2, 1, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(anyio, "getaddrinfo", rebinding)
    with pytest.raises(UpstreamError, match="loopback"):
        anyio.run(resolve, Destination("innocent.example", 80))
    assert anyio.run(resolve, Destination("localhost", 80)) == ["127.0.0.1"]


class Judge:
    """Answers as scripted, counting the questions; ``release`` lets them through."""

    def __init__(self, *answers: JudgeAnswer) -> None:
        self.answers = list(answers)
        self.calls: list[object] = []
        self.release = anyio.Event()

    async def __call__(self, call: object) -> JudgeAnswer:
        self.calls.append(call)
        await self.release.wait()
        return self.answers.pop(0)


def gate(judge: Judge, clock: list[float], allow: tuple[str, ...] = ()) -> SessionGate:
    manifest = Manifest(network_allow=tuple(parse_host_rule(entry) for entry in allow))
    records: list[ConnectionRecord] = []

    async def record(session: str, connection: ConnectionRecord) -> None:
        records.append(connection)

    return SessionGate(SessionInfo("s-1", "claude", "/work"), lambda: manifest, judge, record,
                       clock=lambda: clock[0])


ALLOW_ONCE = JudgeAnswer(True, "approved by me", "network-not-allowed", "a1", for_session=False)
ALLOW_SESSION = JudgeAnswer(True, "approved by me", "network-not-allowed", "a1", for_session=True)
DENY = JudgeAnswer(False, "Denied by me: no.", "network-not-allowed", "a2", for_session=False)
PYPI = Destination("pypi.org", 443)


def test_the_call_judged_is_a_network_call_naming_the_destination() -> None:
    call = gate(Judge(), [0.0]).call(Destination("::1", 8080))
    assert call.kind is Kind.NETWORK and call.tool == "network" and call.session == "s-1"
    assert dict(call.input) == {"host": "::1", "port": 8080, "url": "http://[::1]:8080"}
    assert call.summary() == "the agent wants to reach ::1:8080"


def test_listed_destinations_need_no_question() -> None:
    judge = Judge()
    decision = anyio.run(gate(judge, [0.0], allow=("*.pythonhosted.org",)).decide,
                         Destination("files.pythonhosted.org", 443))
    assert decision.allowed and decision.rule == "network.allow" and judge.calls == []


def test_concurrent_connections_share_one_question_and_allow_once_is_once() -> None:
    judge = Judge(ALLOW_ONCE, DENY)
    the_gate = gate(judge, [0.0])

    async def main() -> list[bool]:
        results: list[bool] = []

        async def connect() -> None:
            results.append((await the_gate.decide(PYPI)).allowed)

        async with anyio.create_task_group() as tasks:
            for _ in range(3):
                tasks.start_soon(connect)
            await anyio.sleep(0.05)
            judge.release.set()
        results.append((await the_gate.decide(PYPI)).allowed)  # later: asked again
        return results

    assert anyio.run(main) == [True, True, True, False]
    assert len(judge.calls) == 2


def test_allow_for_session_is_kept_and_a_deny_remembered_for_a_while() -> None:
    clock = [0.0]
    judge = Judge(ALLOW_SESSION, DENY, DENY)
    judge.release.set()
    the_gate = gate(judge, clock)
    other = Destination("evil.example", 443)

    async def main() -> list[tuple[bool, str]]:
        out = []
        for destination, at in ((PYPI, 0), (PYPI, 1), (other, 2), (other, 30), (other, 100)):
            clock[0] = at
            decision = await the_gate.decide(destination)
            out.append((decision.allowed, decision.rule))
        return out

    results = anyio.run(main)
    assert results[0][0] and results[1] == (True, "aegis.session_grant")
    assert results[2][0] is False and results[3][0] is False  # remembered: not asked again
    assert len(judge.calls) == 3  # pypi once, evil.example at 2 s and again after the memory ran out
    assert "ask the user" in anyio.run(the_gate.decide, other).reason


# -- the daemon's own listeners ---------------------------------------------------------
# The gate runs in the daemon: this test process plays the daemon, and a socket it
# listens on plays a channel's webhook.


@pytest.fixture
def own_port() -> Iterator[int]:
    with socket.socket() as listener:
        listener.bind(("0.0.0.0", 0))  # every interface, as a user may set a webhook
        listener.listen(1)
        yield listener.getsockname()[1]


def test_a_port_the_daemon_listens_on_is_never_a_destination(own_port: int) -> None:
    judge = Judge()
    the_gate = gate(judge, [0.0], allow=("127.0.0.1:*", "localhost:*", "0.0.0.0:*", "[::1]:*"))  # a dev server's, say
    for host in ("127.0.0.1", "127.0.0.2", "localhost", "0.0.0.0", "::1", "::ffff:127.0.0.1"):
        decision = anyio.run(the_gate.decide, Destination(host, own_port))
        assert not decision.allowed and decision.rule == "aegis.own_listener", host
        assert "where the Aegis daemon itself listens" in decision.reason
    assert judge.calls == []  # no human is asked: no answer could make it safe
    # This machine's other addresses reach a listener on 0.0.0.0 too.
    assert the_gate.screen([_interface_address()], own_port) is not None
    # Other ports of this machine are the manifest's and the human's to judge as before.
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        free = unused.getsockname()[1]
    assert anyio.run(the_gate.decide, Destination("127.0.0.1", free)).allowed
    assert the_gate.screen(["93.184.216.34"], own_port) is None


def test_a_name_that_leads_to_the_daemon_is_refused_when_connecting(own_port: int,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """An allowed (or approved) name whose address turns out to be this machine."""
    async def rebinding(host: str, port: int, **kwargs: object) -> list[tuple]:
        return [(2, 1, 6, "", (_interface_address(), port))]

    monkeypatch.setattr(anyio, "getaddrinfo", rebinding)
    the_gate = gate(Judge(), [0.0])

    async def connect() -> None:
        await open_upstream(Destination("dev.example", own_port), screen=the_gate.screen)

    with pytest.raises(UpstreamError, match="where the Aegis daemon itself listens"):
        anyio.run(connect)


def test_the_ports_listened_on_are_read_from_this_process(own_port: int) -> None:
    assert own_port in listening_ports()
    with socket.socket() as connected_only:  # a client socket is no listener
        connected_only.connect(("127.0.0.1", own_port))
        assert connected_only.getsockname()[1] not in listening_ports()


def _interface_address() -> str:
    """An address of this machine that is not loopback (its default route's), else
    loopback itself where the machine has none."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks a route
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"
