"""One rule for where Aegis' sockets are (docs/protocol.md, "Which socket a program
uses"), followed alike by the CLI, hooks installed with `aegis claude install`, a
session run by `aegis wrap` and its PTY relay, with the operator socket moved by
`[daemon] socket` and with `AEGIS_SOCKET`."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("aegis_pty")
pytest.importorskip("aegis_claude_hook")
from aegis_pty.testing import Terminal
from e2e_aegis import AegisHome, wait_until

from aegis_core.sockets import hook_socket

# The wrapped program: shows the socket it was given, runs the hook the way Claude
# Code would (argv given as JSON), then asks a question for the PTY relay to relay.
PROGRAM = """
import json, os, subprocess, sys
print("SOCKET=" + os.environ.get("AEGIS_SOCKET", "(none)"))
event = json.loads(sys.argv[2])
done = subprocess.run(json.loads(sys.argv[1]), input=json.dumps(event).encode(), capture_output=True)
print("HOOK=" + json.loads(done.stdout)["hookSpecificOutput"]["permissionDecision"])
answer = input("Delete the cache? [y/N] ")
print(f"ANSWER={answer!r}")
"""


def hook_copy(project: Path) -> list[str]:
    """The shared hook client and Claude Code's encoder, copied into the project (the
    sandbox shows the project, not this checkout), as the argv Claude Code runs."""
    import shutil

    import aegis_claude_hook

    from aegis_core.hookclient import RUNNER

    folder = project / ".aegis-hook"
    folder.mkdir()
    for source in (RUNNER, RUNNER.with_name("transport.py"), Path(aegis_claude_hook.__file__).with_name("wire.py")):
        shutil.copy(source, folder / source.name)
    return [sys.executable, "-I", "-S", str(folder / "run.py"), str(folder / "wire.py"), "PreToolUse", "20"]


@pytest.fixture
def home() -> Iterator[AegisHome]:
    made = AegisHome(prefix="asock-")
    yield made
    made.close()


def pre_tool_use(command: str, cwd: Path) -> dict[str, object]:
    return {"session_id": "cc-1", "transcript_path": "/tmp/t.jsonl", "cwd": str(cwd), "permission_mode": "default",
            "hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": command},
            "tool_use_id": "toolu_1"}


def run_hook(argv: list[str], env: dict[str, str], command: str, cwd: Path) -> str:
    done = subprocess.run(argv, input=json.dumps(pre_tool_use(command, cwd)).encode(), env=env,
                          capture_output=True, timeout=60)
    return json.loads(done.stdout)["hookSpecificOutput"]["permissionDecision"]


@pytest.mark.parametrize("sandboxed", [True, False], ids=["sandboxed", "no-sandbox"])
def test_cli_installed_hooks_wrapped_sessions_and_the_relay_agree(home: AegisHome, sandboxed: bool) -> None:
    operator = home.root / "ctl" / "operator.sock"
    home.configure(config=f'[daemon]\nsocket = "{operator}"\n\n[approvals]\nchannels = ["cli"]\n'
                          "timeout_seconds = 60\n")
    home.start()

    # The CLI: the operator socket is where [daemon] socket put it; the agent
    # socket stays in the home, where a hook can find it without reading config.toml.
    status = home.status()
    assert status["socket"] == str(operator) and status["agent_socket"] == str(home.aegis_home / "agent.sock")
    assert operator.exists() and not (home.aegis_home / "aegis.sock").exists()

    # Hooks installed with `aegis claude install`: Claude Code's environment has no
    # AEGIS_* at all; the hook command carries the home it was installed for.
    installed = home.cli("claude", "install", "--scope", "user")
    assert installed.returncode == 0, installed.stderr
    settings = json.loads((home.home / ".claude" / "settings.json").read_text())
    argv = shlex.split(settings["hooks"]["PreToolUse"][0]["hooks"][0]["command"])
    assert f"--home={home.aegis_home}" in argv
    claude_env = {"PATH": home.env["PATH"], "HOME": str(home.home)}
    project = home.root / "project"
    project.mkdir()
    assert run_hook(argv, claude_env, "git status", project) == "allow"
    assert run_hook(argv, claude_env, "cat .env", project) == "deny"
    assert hook_socket(home.aegis_home, env=claude_env) == home.aegis_home / "agent.sock"

    # A session run by `aegis wrap` (PTY relay): the program gets its session's agent
    # socket (inside the sandbox, its run directory at /run/aegis, where the daemon is
    # outside the PID namespace and proves the session token); the hook follows
    # AEGIS_SOCKET; the relay asks through that socket; the human answers through
    # the moved operator socket.
    script = project / "program.py"
    script.write_text(PROGRAM)
    wrapped_hook = hook_copy(project)
    terminal = Terminal([*home.cli_argv, "wrap", "--adapter", "pty", *([] if sandboxed else ["--no-sandbox"]),
                         "--", sys.executable, str(script), json.dumps(wrapped_hook),
                         json.dumps(pre_tool_use("git status", project))],
                        env={**home.env, "TERM": "xterm"}, cwd=str(project), patience=60.0)
    try:
        terminal.expect("HOOK=")
        socket_line = next(line for line in terminal.text.splitlines() if line.startswith("SOCKET="))
        session_socket = Path(socket_line.removeprefix("SOCKET=").strip())
        assert "HOOK=allow" in terminal.text, terminal.text
        pending = home.wait_for_pending()
        session = pending["session"]
        if sandboxed:
            assert session_socket == Path("/run/aegis/agent.sock")
        else:
            assert session_socket == home.aegis_home / "run" / session / "agent.sock"
        approved = home.cli("approvals", "approve", pending["id"])
        assert approved.returncode == 0, approved.stderr
        terminal.expect("ANSWER='y'")
        assert terminal.wait() == 0
    finally:
        terminal.close()
    decided = [e for e in home.audit_events("call.decided") if e["session"] == session]
    assert decided and decided[0]["details"]["summary"] == "git status"
    created = next(e for e in home.audit_events("session.created") if e["session"] == session)
    assert created["details"]["sandbox"]["sandboxed"] is sandboxed

    # AEGIS_SOCKET wins for the CLI as well: pointed at an agent socket, a human
    # operation is refused there; pointed at the operator socket, it is served.
    agent_only = home.cli_with({"AEGIS_SOCKET": str(home.aegis_home / "agent.sock")}, "approvals", "resume", "x")
    assert agent_only.returncode == 6 and "not served on the shared agent socket" in agent_only.stderr
    wait_until(lambda: not (home.aegis_home / "run").exists() or not any((home.aegis_home / "run").iterdir()))
