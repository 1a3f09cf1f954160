"""The REAL Claude Code CLI (2.1.330), interactive, under the PTY adapter: its
permission dialog for a Bash command is found on the rendered screen, relayed to a
STAND-IN daemon (conftest.StandInDaemon), and answered; the command runs or not.

Needs the CLI: ``.ci/install-claude.sh`` (the tox env runs it)
(or ``AEGIS_TEST_CLAUDE=/path/to/claude``). The model is a scripted local Messages
API (aegis_claude_hook.testing.fake_anthropic)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import RUNNER, Terminal

fake_anthropic = pytest.importorskip(
    "aegis_claude_hook.testing.fake_anthropic",
    reason="the scripted Messages API comes with aegis-claude-hook")

VERSION = "2.1.330"
REPO = Path(__file__).resolve().parents[3]
# Where .ci/install-claude.sh puts it (the tox envs run that script first).
CACHED = REPO / ".ci/cache/claude-code/node_modules/.bin/claude"
API_KEY = "sk-ant-api03-" + "a" * 80 + "TEST"


def _claude() -> str | None:
    candidate = (os.environ.get("AEGIS_TEST_CLAUDE") or os.environ.get("AEGIS_CLAUDE_BIN")
                 or (str(CACHED) if CACHED.exists() else None) or shutil.which("claude"))
    if candidate is None:
        return None
    try:
        version = subprocess.run([candidate, "--version"], capture_output=True, text=True,
                                 timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    return candidate if version.startswith(VERSION) else None


CLAUDE = _claude()
pytestmark = pytest.mark.skipif(
    CLAUDE is None, reason=f"Claude Code {VERSION} not installed (see module docstring)")


def _claude_home(home: Path, project: Path) -> None:
    """A ~/.claude.json that skips onboarding, the trust dialog and the API-key question."""
    (home / ".claude.json").write_text(json.dumps({
        "hasCompletedOnboarding": True,
        "numStartups": 3,
        "projects": {str(project): {"hasTrustDialogAccepted": True,
                                    "hasCompletedProjectOnboarding": True, "allowedTools": []}},
        "customApiKeyResponses": {"approved": [API_KEY[-20:]], "rejected": []},
    }))


@pytest.mark.parametrize("decision", ["allow", "deny"])
def test_claude_permission_dialog_is_relayed_and_answered(tmp_path, socket_path, daemon, decision):
    home, project = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    project.mkdir()
    _claude_home(home, project)
    marker = project / "marker.txt"
    server = daemon(lambda request: {"decision": decision})
    script = [fake_anthropic.tool_use("Bash", command=f"touch {marker}",
                                      description="Create the marker file"),
              fake_anthropic.text("All done.")]
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ANTHROPIC_", "CLAUDE", "AEGIS_"))}
    with fake_anthropic.FakeAnthropic(script) as api:
        env.update(HOME=str(home), TERM="xterm-256color", ANTHROPIC_API_KEY=API_KEY,
                   ANTHROPIC_BASE_URL=api.base_url, DISABLE_AUTOUPDATER="1",
                   CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1", DISABLE_TELEMETRY="1")
        argv = [sys.executable, str(RUNNER), str(socket_path), "300", str(os.getpid()), "--",
                str(CLAUDE), "--permission-mode", "default", "Create the marker file"]
        terminal = Terminal(argv, rows=40, cols=120, env=env, cwd=str(project))
        try:
            (request,) = server.wait_for("judge", timeout=90)
            if decision == "allow":
                terminal.expect("All done.", timeout=90, on_screen=True)
            else:
                terminal.expect("Did not run", timeout=90, on_screen=True)
        finally:
            terminal.close()
    payload = request["payload"]
    assert payload["question"] == "Do you want to proceed?"
    assert payload["program"] == "claude.exe" or payload["program"] == os.path.basename(str(CLAUDE))
    meanings = [c["meaning"] for c in payload["choices"]]
    assert meanings[0] == "approve" and meanings[-1] == "deny"
    assert set(meanings[1:-1]) == {"other"}  # always-allow and auto mode: never a plain yes
    assert [c["label"] for c in payload["choices"]][-1] == "No"
    assert f"touch {marker}" in payload["screen"]
    assert marker.exists() is (decision == "allow")
