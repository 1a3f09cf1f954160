"""The shared hook client (aegis_core/hookclient) run as agents run it, a real
``python -I -S run.py ENCODER EVENT DEADLINE`` process, with a minimal encoder of our
own against a stand-in daemon on a real Unix socket."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aegis_core.hookclient import RUNNER, client_argv
from aegis_core.testing import StandInDaemon, decision

# An encoder that writes what it was told, so the tests see the transport's outcome.
ECHO_ENCODER = '''
import sys
from transport import _quote
ADAPTER = "echo"
AGENT = "Echo Agent"
OBSERVE_EVENTS = ("After",)

def respond(event, decision, reason):
    sys.stdout.write('{"event":' + _quote(str(event)) + ',"decision":' + _quote(decision)
                     + ',"reason":' + _quote(reason) + '}')
    return 3 if decision == "deny" else 0

def unrecorded(event, reason):
    sys.stderr.write(reason)
    return 4
'''
HOOK_INPUT = {"session_id": "s1", "cwd": "/tmp", "hook_event_name": "Before",
              "tool_name": "shell", "tool_input": {"command": "ls"}}


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="aegis-", dir="/tmp"))  # socket paths are short
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def encoder(short_tmp: Path) -> Path:
    path = short_tmp / "enc" / "echo_wire.py"
    path.parent.mkdir()
    path.write_text(ECHO_ENCODER)
    return path


def run(argv: list[str], env: dict[str, str], stdin: str | bytes) -> subprocess.CompletedProcess[str]:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    done = subprocess.run(argv, input=data, env=env, capture_output=True, timeout=30)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())


def env_for(short_tmp: Path, **extra: str) -> dict[str, str]:
    # The stand-in daemon serves from this test process: the one the client may trust.
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(short_tmp),
            "AEGIS_SOCKET": str(short_tmp / "aegis.sock"), "AEGIS_DAEMON_PID": str(os.getpid()), **extra}


@pytest.mark.parametrize("value", ["allow", "deny", "ask"])
def test_the_daemons_decision_reaches_the_encoder(short_tmp: Path, encoder: Path, value: str) -> None:
    with StandInDaemon(short_tmp / "aegis.sock", decision(value, f"because {value}")) as daemon:
        done = run(client_argv(encoder, "Before", 20), env_for(short_tmp, AEGIS_SESSION="s-9",
                                                               AEGIS_SESSION_TOKEN="t-9"),
                   json.dumps(HOOK_INPUT, indent=2))
    assert json.loads(done.stdout) == {"event": "Before", "decision": value, "reason": f"because {value}"}
    assert done.returncode == (3 if value == "deny" else 0)
    assert daemon.requests == [{"v": 1, "op": "judge", "adapter": "echo", "session": "s-9",
                                "token": "t-9", "payload": HOOK_INPUT}]


def test_observed_events_are_recorded_and_a_failure_is_the_encoders_to_report(short_tmp: Path,
                                                                               encoder: Path) -> None:
    with StandInDaemon(short_tmp / "aegis.sock", decision("deny")) as daemon:
        done = run(client_argv(encoder, "After", 20), env_for(short_tmp), json.dumps(HOOK_INPUT))
    assert (done.returncode, done.stdout) == (0, "")
    assert daemon.requests[0]["op"] == "observe"
    missing = run(client_argv(encoder, "After", 20), env_for(short_tmp), json.dumps(HOOK_INPUT))
    assert missing.returncode == 4 and "did not record" in missing.stderr


def test_no_daemon_and_bad_input_are_denies_naming_the_agent(short_tmp: Path, encoder: Path) -> None:
    absent = json.loads(run(client_argv(encoder, "Before", 20), env_for(short_tmp), json.dumps(HOOK_INPUT)).stdout)
    assert absent["decision"] == "deny" and "`aegis start`" in absent["reason"]
    garbage = json.loads(run(client_argv(encoder, "Before", 20), env_for(short_tmp), "not json").stdout)
    assert garbage["decision"] == "deny" and "from Echo Agent" in garbage["reason"]


@pytest.mark.parametrize("path", ["", "relative.py", "/nowhere/missing_wire.py", "/etc/passwd"])
def test_an_encoder_that_cannot_load_blocks_with_exit_2_and_a_reason(short_tmp: Path, path: str) -> None:
    argv = [sys.executable, "-I", "-S", str(RUNNER), path, "Before", "5"]
    done = run(argv, env_for(short_tmp), json.dumps(HOOK_INPUT))
    assert done.returncode == 2 and done.stdout == ""
    assert "Denied to be safe" in done.stderr


def test_a_broken_transport_blocks_with_exit_2(short_tmp: Path, encoder: Path) -> None:
    broken = short_tmp / "core"
    broken.mkdir()
    shutil.copy(RUNNER, broken / "run.py")
    (broken / "transport.py").write_text("raise ImportError('half-installed')\n")
    done = run(client_argv(encoder, "Before", 5, runner=broken / "run.py"), env_for(short_tmp), "{}")
    assert done.returncode == 2 and "hook client is broken (ImportError)" in done.stderr


def test_the_client_imports_only_interpreter_builtins(short_tmp: Path, encoder: Path) -> None:
    argv = client_argv(encoder, "Before", 5)
    argv[1:1] = ["-X", "importtime"]
    done = run(argv, env_for(short_tmp), json.dumps(HOOK_INPUT))
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines()
                if line.startswith("import time:") and "|" in line}
    imported.discard("imported package")
    # It ran (no daemon: its deny says so); transport and the encoder may come from their
    # cache (run.load), _json and _socket straight from lib-dynload (transport._extension):
    # neither through the import system, so -X importtime shows only what did.
    assert "`aegis start`" in json.loads(done.stdout)["reason"], done.stderr
    forbidden = {"json", "socket", "os", "re", "enum", "logging", "aegis_core", "tomllib"}
    assert not {name.split(".")[0] for name in imported} & forbidden


EXTENSIONS = """
import sys
sys.path.append(sys.argv[1])
import transport
for name in ("_json", "_socket", "_blake2"):
    module = transport._extension(name)
    print(name, module is sys.modules[name], getattr(module, "__file__", "built-in"))
try:
    transport._extension("_aegis_no_such_module")
except ImportError:
    print("missing: ImportError")
"""


def test_extensions_load_straight_from_lib_dynload_as_import_would() -> None:
    """The client's extension modules are the interpreter's own (its lib-dynload, or
    built in), the modules import would give; a name that is neither still fails the
    ordinary way (and the client denies)."""
    done = subprocess.run([sys.executable, "-I", "-S", "-c", EXTENSIONS, str(RUNNER.parent)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == "missing: ImportError"
    for line in lines[:-1]:
        name, same, where = line.split(" ", 2)
        assert same == "True"
        assert where == "built-in" or ("/lib-dynload/" + name + ".") in where


def _imported(stderr: str) -> set[str]:
    return {line.split("|")[-1].strip() for line in stderr.splitlines() if line.startswith("import time:")}


def test_transport_runs_from_its_cache_only_while_that_matches_the_source(short_tmp: Path, encoder: Path) -> None:
    """run.py loads transport.py from its cached bytecode without the import system, but
    never a cache that no longer matches the source (edited, or damaged): then it is
    imported the ordinary way, and the edited code is what runs."""
    core = short_tmp / "core"
    core.mkdir()
    shutil.copy(RUNNER, core / "run.py")
    shutil.copy(RUNNER.with_name("transport.py"), core / "transport.py")
    argv = client_argv(encoder, "Before", 5, runner=core / "run.py")
    argv[1:1] = ["-X", "importtime"]

    def reason() -> tuple[str, set[str]]:  # no daemon: the deny says so, in transport's words
        done = run(argv, env_for(short_tmp), json.dumps(HOOK_INPUT))
        return json.loads(done.stdout)["reason"], _imported(done.stderr)

    first, imported = reason()  # no cache yet: imported, and the cache written
    assert "Aegis daemon is not running" in first and "transport" in imported
    cached = next((core / "__pycache__").glob("transport.*.pyc"))
    again, imported = reason()
    assert again == first and "transport" not in imported  # from the cache
    source = core / "transport.py"
    source.write_text(source.read_text().replace("Aegis daemon is not running", "Aegis daemon is NOT running"))
    later = source.stat().st_mtime + 5
    os.utime(source, (later, later))
    edited, imported = reason()
    assert "Aegis daemon is NOT running" in edited and "transport" in imported
    cached.write_bytes(b"\0" * 16 + cached.read_bytes()[16:])  # a damaged header
    damaged, imported = reason()
    assert "Aegis daemon is NOT running" in damaged and "transport" in imported


def test_a_daemon_from_another_version_is_a_deny_that_says_to_restart_it(short_tmp: Path, encoder: Path) -> None:
    def older(request: dict[str, Any]) -> list[bytes]:  # a daemon that predates the judge operation
        return [json.dumps({"final": True, "ok": False, "code": 1,
                            "error": f"unknown op {request['op']!r}; known: ping, evaluate"}).encode() + b"\n"]

    with StandInDaemon(short_tmp / "aegis.sock", older):
        done = run(client_argv(encoder, "Before", 20), env_for(short_tmp), json.dumps(HOOK_INPUT))
    answer = json.loads(done.stdout)
    assert answer["decision"] == "deny"
    assert "another Aegis version" in answer["reason"] and "aegis stop && aegis start" in answer["reason"]


def test_the_clients_session_proof_is_the_daemons() -> None:
    """Inside the sandbox the client proves it knows the session token, and checks the
    daemon's proof, with its own stdlib-only MAC (``_blake2`` loaded from lib-dynload):
    the same values aegis_core.sockets computes on the daemon's side."""
    from aegis_core.hookclient import transport
    from aegis_core.sockets import client_mac, daemon_proof

    auth, expected = transport.session_auth("sess-1", "tok-ü", True)
    nonce = auth.split('"nonce":"', 1)[1].split('"', 1)[0]
    assert f'"mac":"{client_mac("tok-ü", nonce)}"' in auth
    assert expected == daemon_proof("tok-ü", nonce)
    assert transport.session_auth("sess-1", "tok", False) == ('"session":"sess-1","token":"tok"', None)
