"""The egress proxy's HTTP side and the bridge, with real sockets and real processes:
the bridge as a subprocess, the proxy on a Unix socket, an origin on 127.0.0.1. The
gate here is a fixed list (the daemon's gate, with approvals, is tested beside)."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from network_support import FETCH, Origin, ScriptedGate, bridged, fetch, proxy_socket

from aegis_core.network.endpoints import ANTHROPIC, PLACEHOLDER_KEY, endpoint
from aegis_core.network.hosts import Destination


@pytest.fixture
def origin() -> Iterator[Origin]:
    server = Origin()
    yield server
    server.close()


def test_an_allowed_plain_http_request_passes_and_is_recorded(origin: Origin) -> None:
    gate = ScriptedGate(allow=(f"127.0.0.1:{origin.port}",))
    with proxy_socket(gate) as proxy:
        answer = fetch(proxy, f"{origin.url}/hello")
    assert answer["status"] == 200 and answer["text"] == "hello from the origin\n"
    (record,) = gate.records
    details = record.details()
    assert (details["host"], details["port"], details["via"], details["decision"]) == (
        "127.0.0.1", origin.port, "http", "allow")
    assert details["requests"] == 1
    assert details["bytes_in"] > len("hello from the origin\n") and details["bytes_out"] > 0


FRONTED = """
import http.client, os, sys
from urllib.parse import urlsplit
proxy = urlsplit(os.environ["http_proxy"])
conn = http.client.HTTPConnection(proxy.hostname, proxy.port, timeout=30)
conn.putrequest("GET", sys.argv[1] + "/fronted", skip_host=True)
conn.putheader("Host", "attacker.example")
conn.endheaders()
print(conn.getresponse().status)
"""


def test_the_server_hears_the_host_that_was_decided_not_the_clients_host_header(origin: Origin) -> None:
    gate = ScriptedGate(allow=(f"127.0.0.1:{origin.port}",))
    with proxy_socket(gate) as proxy:
        result = bridged(proxy, [sys.executable, "-c", FRONTED, origin.url])
    assert result.stdout.strip() == "200", result.stderr
    assert origin.requests[0]["headers"]["host"] == f"127.0.0.1:{origin.port}"


def test_a_host_not_allowed_gets_an_error_the_agent_can_read(origin: Origin) -> None:
    gate = ScriptedGate()
    with proxy_socket(gate) as proxy:
        answer = fetch(proxy, f"{origin.url}/secret")
    assert answer["status"] == 403
    assert "Aegis blocked" in answer["reason"] and "ask the user" in answer["reason"]
    assert "ask the user" in answer["text"]
    assert origin.requests == []  # nothing reached it
    (record,) = gate.records
    assert record.details()["decision"] == "deny" and record.details()["bytes_in"] == 0


def test_connect_tunnels_bytes_it_does_not_read(origin: Origin) -> None:
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed (.ci/run installs it)")
    gate = ScriptedGate(allow=(f"127.0.0.1:{origin.port}",))
    size = 3_000_000
    with proxy_socket(gate) as proxy:
        # --proxytunnel: curl opens a CONNECT tunnel even for http://, as it does for https://.
        result = bridged(proxy, [curl, "-sS", "--proxytunnel", "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
                                 f"{origin.url}/bytes?n={size}"])
    assert result.stdout == f"200 {size}", result.stderr
    (record,) = gate.records
    details = record.details()
    assert details["via"] == "CONNECT" and details["decision"] == "allow"
    assert size < details["bytes_in"] < size + 1000
    assert "requests" not in details  # a tunnel's content is not Aegis' business


def test_curl_reads_the_lower_case_variables_and_is_refused_with_the_reason(origin: Origin) -> None:
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed (.ci/run installs it)")
    with proxy_socket(ScriptedGate()) as proxy:
        # NO_PROXY set by the user must not open a loophole for loopback.
        env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "*"}
        result = bridged(proxy, [curl, "-sS", "-o", "-", "-w", "\n%{http_code}", f"{origin.url}/x"], env=env)
    assert result.stdout.rstrip().endswith("403"), result.stdout + result.stderr
    assert "Aegis blocked the connection" in result.stdout or "is not on the test's list" in result.stdout
    assert origin.requests == []


KEEP_ALIVE = """
import http.client, json, os, sys
from urllib.parse import urlsplit
proxy = urlsplit(os.environ["http_proxy"])
origin = sys.argv[1]
conn = http.client.HTTPConnection(proxy.hostname, proxy.port, timeout=30)
out = []
conn.request("GET", origin + "/chunked"); r = conn.getresponse(); out.append([r.status, r.read().decode()])
def pieces():
    yield b"part one, "
    yield b"part two"
conn.request("POST", origin + "/upload", body=pieces(), encode_chunked=True,
             headers={"Transfer-Encoding": "chunked"})
r = conn.getresponse(); out.append([r.status, json.loads(r.read())])
conn.request("HEAD", origin + "/head"); r = conn.getresponse()
out.append([r.status, r.getheader("Content-Length"), r.read().decode()])
conn.request("POST", origin + "/expect", body=b"x" * 5000, headers={"Expect": "100-continue"})
r = conn.getresponse(); out.append([r.status, json.loads(r.read())])
print(json.dumps(out))
"""


def test_one_client_connection_carries_many_requests(origin: Origin) -> None:
    gate = ScriptedGate(allow=(f"127.0.0.1:{origin.port}",))
    with proxy_socket(gate) as proxy:
        result = bridged(proxy, [sys.executable, "-c", KEEP_ALIVE, origin.url])
    assert result.returncode == 0, result.stderr
    chunked, upload, head, expect = json.loads(result.stdout)
    assert chunked == [200, "hello chunked world"]
    assert upload[0] == 200 and upload[1]["length"] == len(b"part one, part two")
    assert head == [200, "1234", ""]
    assert expect[0] == 200 and expect[1]["length"] == 5000
    assert [r["method"] for r in origin.requests] == ["GET", "POST", "HEAD", "POST"]
    assert all("proxy-connection" not in r["headers"] and "expect" not in r["headers"] for r in origin.requests)
    (record,) = gate.records  # one connection to the origin, kept alive
    assert record.details()["requests"] == 4


BIG_THEN_SMALL = """
import http.client, os, sys
from urllib.parse import urlsplit
proxy = urlsplit(os.environ["http_proxy"])
conn = http.client.HTTPConnection(proxy.hostname, proxy.port, timeout=30)
conn.request("GET", sys.argv[1] + "/bytes?n=3000000"); r = conn.getresponse(); big = r.read()
conn.request("GET", sys.argv[1] + "/after"); r = conn.getresponse(); small = r.read().decode()
print(len(big), set(big) == {ord("x")}, small.strip())
"""


def test_a_large_body_is_copied_past_the_parser_and_the_connection_goes_on(origin: Origin) -> None:
    gate = ScriptedGate(allow=(f"127.0.0.1:{origin.port}",))
    with proxy_socket(gate) as proxy:
        result = bridged(proxy, [sys.executable, "-c", BIG_THEN_SMALL, origin.url])
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["3000000", "True", "hello", "from", "the", "origin"]
    assert [r["path"] for r in origin.requests] == ["/bytes?n=3000000", "/after"]
    big, small = (record.details() for record in gate.records)
    assert 3_000_000 < big["bytes_in"] < 3_001_000 and small["requests"] == 1


def test_the_model_api_key_is_added_on_the_way_out(origin: Origin) -> None:
    held = endpoint(ANTHROPIC, origin.url, "sk-real-key-outside")
    gate = ScriptedGate(endpoints={held.virtual_host: held})
    script = FETCH.replace("urllib.request.urlopen(sys.argv[1]",
                           "urllib.request.urlopen(urllib.request.Request(sys.argv[1], headers="
                           f"{{'x-api-key': {PLACEHOLDER_KEY!r}, 'Authorization': 'Bearer stolen'}})")
    with proxy_socket(gate) as proxy:
        result = bridged(proxy, [sys.executable, "-c", script, f"http://{held.virtual_host}/v1/messages"])
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == 200
    (seen,) = origin.requests
    assert seen["path"] == "/v1/messages"
    assert seen["headers"]["x-api-key"] == "sk-real-key-outside"
    assert "authorization" not in seen["headers"]
    assert seen["headers"]["host"] == f"127.0.0.1:{origin.port}"
    assert gate.asked == []  # the model API needs no decision
    (record,) = gate.records
    assert record.via == "model-api" and record.destination == Destination("127.0.0.1", origin.port)
    assert "sk-real-key-outside" not in json.dumps(record.details()) and "sk-real" not in repr(held)


def test_connect_to_the_model_api_stand_in_is_refused_with_what_to_do(origin: Origin) -> None:
    held = endpoint(ANTHROPIC, origin.url, "sk-real")
    script = ("import sys, urllib.request\n"
              "try:\n    urllib.request.urlopen(sys.argv[1], timeout=30)\n"
              "except Exception as exc:\n    print(exc)\n")
    with proxy_socket(ScriptedGate(endpoints={held.virtual_host: held})) as proxy:
        result = bridged(proxy, [sys.executable, "-c", script, f"https://{held.virtual_host}/v1/messages"])
    assert "400 Use http:// for the model API" in result.stdout, result.stdout + result.stderr
    assert origin.requests == []


def test_the_bridge_says_so_when_the_proxy_is_gone(tmp_path: Path, origin: Origin) -> None:
    answer = fetch(tmp_path / "no-such.sock", f"{origin.url}/x")
    assert answer["status"] == 502
    assert "Aegis' egress proxy is not answering" in answer["text"]
