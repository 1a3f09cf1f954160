"""The real Claude Code CLI (pinned by .ci/install-claude.sh) against the scripted
Messages API, with the real hook client talking to a stand-in daemon socket.

Claude Code's own permission check is opened with ``--allowedTools Bash`` (accepted
as root, unlike ``--dangerously-skip-permissions``), so whatever stops a command
here is the hook's decision.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from aegis_claude_hook.settings import CLIENT, hooks_settings
from aegis_claude_hook.testing import find_claude_cli
from aegis_claude_hook.testing.fake_anthropic import FakeAnthropic, text, tool_use
from conftest import PYTHON

from aegis_core.testing import StandInDaemon, decision

pytestmark = pytest.mark.claude

REPO = Path(__file__).resolve().parents[3]




@pytest.fixture(scope="module")
def claude_bin() -> str:
    found = find_claude_cli(REPO)
    if found is None:
        pytest.skip("Claude Code is not installed (run .ci/install-claude.sh)")
    return found


@pytest.fixture
def workspace(short_tmp: Path) -> dict[str, Path]:
    paths = {name: short_tmp / name for name in ("home", "project", "victim")}
    for path in paths.values():
        path.mkdir()
    (paths["victim"] / "precious.txt").write_text("keep me")
    paths["socket"] = short_tmp / "aegis.sock"
    paths["settings"] = short_tmp / "hooks.json"
    return paths


def write_settings(workspace: dict[str, Path], block: dict[str, Any]) -> Path:
    workspace["settings"].write_text(json.dumps(block))
    return workspace["settings"]


def run_claude(
    claude_bin: str, fake: FakeAnthropic, workspace: dict[str, Path], prompt: str = "do the task"
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workspace["home"]),
        "ANTHROPIC_BASE_URL": fake.base_url,
        "ANTHROPIC_API_KEY": "test",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "DISABLE_AUTOUPDATER": "1",
        "AEGIS_SOCKET": str(workspace["socket"]),
        "AEGIS_SESSION": "wrap-session",
        "AEGIS_SESSION_TOKEN": "wrap-token",
        # The stand-in daemon serves from this test process.
        "AEGIS_DAEMON_PID": str(os.getpid()),
    }
    return subprocess.run(
        [
            claude_bin,
            "-p",
            prompt,
            "--settings",
            str(workspace["settings"]),
            "--allowedTools",
            "Bash",
        ],
        env=env,
        cwd=workspace["project"],
        capture_output=True,
        text=True,
        timeout=120,
    )


def aegis_settings(timeout_s: int = 60) -> dict[str, Any]:
    return hooks_settings(PYTHON, str(CLIENT), timeout_s)


def test_allowed_command_runs_and_its_outcome_is_observed(claude_bin, workspace) -> None:
    marker = workspace["project"] / "made.txt"
    write_settings(workspace, aegis_settings())
    script = [tool_use("Bash", command=f"echo made > {marker}"), text("done")]
    with (
        StandInDaemon(workspace["socket"], decision("allow", "routine")) as daemon,
        FakeAnthropic(script) as fake,
    ):
        result = run_claude(claude_bin, fake, workspace)
    assert result.returncode == 0, result.stderr
    assert marker.read_text() == "made\n"
    ops = [
        (r["op"], r["payload"]["hook_event_name"], r["payload"]["tool_name"])
        for r in daemon.requests
    ]
    assert ops == [("judge", "PreToolUse", "Bash"), ("observe", "PostToolUse", "Bash")]
    first = daemon.requests[0]
    assert (first["adapter"], first["session"], first["token"]) == (
        "claude",
        "wrap-session",
        "wrap-token",
    )
    assert first["payload"]["tool_input"]["command"] == f"echo made > {marker}"
    assert first["payload"]["cwd"] == str(workspace["project"])
    assert fake.tool_results()[0]["is_error"] is False


def test_denied_rm_leaves_the_folder_and_the_reason_reaches_the_model(
    claude_bin, workspace
) -> None:
    write_settings(workspace, aegis_settings())
    reason = "rm -rf is forbidden by rule no-rm-rf: ask the user to delete it themselves"
    script = [tool_use("Bash", command=f"rm -rf {workspace['victim']}"), text("ok, I will not")]
    with (
        StandInDaemon(workspace["socket"], decision("deny", reason)) as daemon,
        FakeAnthropic(script) as fake,
    ):
        result = run_claude(claude_bin, fake, workspace)
    assert result.returncode == 0, result.stderr
    assert (workspace["victim"] / "precious.txt").read_text() == "keep me"
    assert [r["op"] for r in daemon.requests] == ["judge"]  # never ran, so nothing to observe
    (tool_result,) = fake.tool_results()
    assert tool_result["is_error"] is True
    assert reason in json.dumps(tool_result["content"])
    # The reason is in the request that followed the tool call: the model saw it.
    assert reason in json.dumps(fake.agent_requests()[-1]["messages"])


def test_daemon_not_running_denies_with_the_fix(claude_bin, workspace) -> None:
    write_settings(workspace, aegis_settings())
    script = [tool_use("Bash", command=f"rm -rf {workspace['victim']}"), text("stopped")]
    with FakeAnthropic(script) as fake:
        result = run_claude(claude_bin, fake, workspace)
    assert result.returncode == 0, result.stderr
    assert (workspace["victim"] / "precious.txt").exists()
    content = json.dumps(fake.tool_results()[0]["content"])
    assert "Aegis daemon is not running" in content and "aegis start" in content


def test_client_deadline_passing_denies_before_claude_times_the_hook_out(
    claude_bin, workspace
) -> None:
    # Registered timeout 4 s, client deadline 2 s, the daemon answers after 3 s.
    write_settings(workspace, aegis_settings(timeout_s=4))
    script = [tool_use("Bash", command=f"rm -rf {workspace['victim']}"), text("stopped")]
    with (
        StandInDaemon(workspace["socket"], decision("allow"), delay=3),
        FakeAnthropic(script) as fake,
    ):
        run_claude(claude_bin, fake, workspace)
    assert (workspace["victim"] / "precious.txt").exists()
    assert "no decision within 2 s" in json.dumps(fake.tool_results()[0]["content"])


def crashing_settings(on_failure: str | None) -> dict[str, Any]:
    """Aegis' hooks block with the client replaced by one that crashes (exit 1)."""
    block = aegis_settings()
    for groups in block["hooks"].values():
        for hook in groups[0]["hooks"]:
            hook["command"] = f"{PYTHON} -I -S -c 'import sys; sys.stdin.read(); sys.exit(1)'"
            if on_failure is None:
                del hook["onFailure"]
    return block


def test_crashing_client_blocks_the_call_only_with_on_failure_block(claude_bin, workspace) -> None:
    write_settings(workspace, crashing_settings("block"))
    script = [tool_use("Bash", command=f"rm -rf {workspace['victim']}"), text("stopped")]
    with FakeAnthropic(script) as fake:
        run_claude(claude_bin, fake, workspace)
    assert (workspace["victim"] / "precious.txt").exists()
    assert 'onFailure is \\"block\\"' in json.dumps(fake.tool_results()[0]["content"])

    # The same crash without the key: Claude Code runs the command (why Aegis sets it).
    write_settings(workspace, crashing_settings(None))
    with FakeAnthropic(script) as fake:
        run_claude(claude_bin, fake, workspace)
    assert not workspace["victim"].exists()


def test_ask_in_print_mode_does_not_run_the_command(claude_bin, workspace) -> None:
    write_settings(workspace, aegis_settings())
    script = [tool_use("Bash", command=f"rm -rf {workspace['victim']}"), text("stopped")]
    with (
        StandInDaemon(workspace["socket"], decision("ask", "needs a human")),
        FakeAnthropic(script) as fake,
    ):
        result = run_claude(claude_bin, fake, workspace)
    assert result.returncode == 0, result.stderr
    assert (workspace["victim"] / "precious.txt").exists()
    assert fake.tool_results()[0]["is_error"] is True
