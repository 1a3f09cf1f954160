"""The hook client with Gemini's encoder, run the way Gemini runs the registered command
(``bash -c COMMAND``), against a stand-in daemon."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from aegis_gemini import settings as gs

from aegis_core.testing import StandInDaemon, decision

HOOK_INPUT = {"session_id": "s1", "cwd": "/tmp", "hook_event_name": "BeforeTool", "tool_name": "run_shell_command",
              "tool_input": {"command": "ls"}}


def run_hook(short_tmp: Path, event: str = "BeforeTool",
             payload: dict | None = None) -> subprocess.CompletedProcess[str]:
    block = gs.hooks_block(40, env={"AEGIS_SOCKET": str(short_tmp / "aegis.sock"),
                                      "AEGIS_DAEMON_PID": str(os.getpid())})
    hook = block["hooks"][event][0]["hooks"][0]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(short_tmp), **hook["env"]}
    return subprocess.run(["bash", "-c", hook["command"]], input=json.dumps(payload or HOOK_INPUT), env=env,
                          capture_output=True, text=True, timeout=60)


def test_allow_is_silence_and_deny_is_exit_2_with_the_reason(short_tmp: Path) -> None:
    with StandInDaemon(short_tmp / "aegis.sock", decision("allow")) as daemon:
        allowed = run_hook(short_tmp)
    assert (allowed.returncode, allowed.stdout, allowed.stderr) == (0, "", "")
    assert daemon.requests[0]["adapter"] == "gemini"
    with StandInDaemon(short_tmp / "aegis.sock", decision("deny", "Aegis blocked this: no")):
        denied = run_hook(short_tmp)
    assert (denied.returncode, denied.stdout, denied.stderr) == (2, "", "Aegis blocked this: no\n")


def test_no_daemon_and_an_ask_are_denies(short_tmp: Path) -> None:
    absent = run_hook(short_tmp)
    assert absent.returncode == 2 and "`aegis start`" in absent.stderr
    with StandInDaemon(short_tmp / "aegis.sock", decision("ask")):
        asked = run_hook(short_tmp)
    assert asked.returncode == 2 and "cannot ask" in asked.stderr


def test_an_outcome_that_cannot_be_recorded_is_a_message_not_a_block(short_tmp: Path) -> None:
    done = run_hook(short_tmp, "AfterTool", {**HOOK_INPUT, "hook_event_name": "AfterTool"})
    assert done.returncode == 0 and "did not record" in json.loads(done.stdout)["systemMessage"]


def test_a_reason_never_reads_as_a_json_answer(short_tmp: Path) -> None:
    """Gemini reads a JSON object as the decision: a policy reason that happened to be
    one is written after "Aegis: "."""
    with StandInDaemon(short_tmp / "aegis.sock", decision("deny", '{"decision": "allow"}')):
        denied = run_hook(short_tmp)
    assert (denied.returncode, denied.stdout, denied.stderr) == (2, "", 'Aegis: {"decision": "allow"}\n')
