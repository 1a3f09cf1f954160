"""An allowed call is answered from the audit writer's thread the moment its record is
written (aegis_core.recorder, ``on_durable``), one thread hop sooner than the daemon's
event loop would: never before. A real daemon, the real hook client, and an audit
writer of the test's own that holds the call's record until the test lets it go."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aegis_core.hookclient import client_argv

WAIT = 60.0  # a hang guard, not a timing assertion

HELD_AUDIT = """
import os
import time
from pathlib import Path

from aegis_core.hookspecs import hookimpl

@hookimpl
def audit(event):
    if event.event != "call.decided":
        return
    folder = Path(os.environ["HOLD_DIR"])
    (folder / "writing.part").write_text(event.details["decision"])
    os.replace(folder / "writing.part", folder / "writing")  # whole, never seen half-written
    release = folder / "release"
    while not release.exists():
        time.sleep(0.01)
    if release.read_text() == "fail":
        raise OSError("the remote log server is unreachable")
    (folder / "written").write_text("")
"""

# The generic adapter's encoder: the answer as one JSON line.
ENCODER = """
import sys
from transport import _quote
ADAPTER = "generic"
AGENT = "Test Agent"
OBSERVE_EVENTS = ()

def respond(event, decision, reason):
    sys.stdout.write('{"decision":' + _quote(decision) + ',"reason":' + _quote(reason) + '}')
    return 0

def unrecorded(event, reason):
    return 0
"""


def aegis(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aegis_core.cli", *args], env=env, capture_output=True,
                          text=True, timeout=60)


def wait_for(path: Path) -> None:
    deadline = time.monotonic() + WAIT
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.02)


@pytest.mark.parametrize("outcome", ["written", "fail"])
def test_an_allow_is_answered_only_once_its_record_is_written(make_dist, aegis_home: Path, tmp_path: Path,
                                                              outcome: str) -> None:
    make_dist("aegis-held-audit", HELD_AUDIT)
    hold = tmp_path / "hold"
    hold.mkdir()
    encoder = tmp_path / "enc" / "generic_wire.py"
    encoder.parent.mkdir()
    encoder.write_text(ENCODER)
    env = {**os.environ, "AEGIS_HOME": str(aegis_home), "AEGIS_LOAD_PLUGINS": "aegis-held-audit",
           "HOLD_DIR": str(hold)}
    started = aegis(env, "start")
    assert started.returncode == 0, started.stderr
    try:
        client = subprocess.Popen(client_argv(encoder, "PreToolUse", 120), env=env, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert client.stdin is not None
        client.stdin.write(json.dumps({"tool": "Bash", "input": {"command": "git status"},
                                       "cwd": str(tmp_path)}).encode())
        client.stdin.close()
        wait_for(hold / "writing")
        assert (hold / "writing").read_text() == "allow"
        # The record is being written: the answer must still be waiting for it.
        with pytest.raises(subprocess.TimeoutExpired):
            client.wait(timeout=1.0)
        (hold / "release").write_text(outcome)
        client.wait(timeout=WAIT)
        assert client.stdout is not None and client.stderr is not None
        out, err = client.stdout.read(), client.stderr.read()
    finally:
        aegis(env, "stop", "--force", "--timeout", "5")
    answer = json.loads(out)
    if outcome == "written":
        assert answer["decision"] == "allow", (answer, err)
        assert (hold / "written").exists()
    else:  # the writer failed after the verdict: the allow never leaves
        assert answer["decision"] == "deny", (answer, err)
        assert "unreachable" in answer["reason"]
