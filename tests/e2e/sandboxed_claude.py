"""A machine for the real Claude Code CLI under `aegis wrap claude` in the sandbox: a
home with a secret, a git project, an Aegis home, the scripted Messages API."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aegis_claude_hook.testing import find_claude_cli
from aegis_claude_hook.testing.fake_anthropic import FakeAnthropic

from aegis_core.sandbox.bwrap import BwrapBackend

REPO = Path(__file__).resolve().parents[2]
SECRET = "-----BEGIN OPENSSH PRIVATE KEY----- e2e"


class Machine:
    def __init__(self, root: Path, claude: str) -> None:
        self.root, self.home, self.project, self.aegis_home = root, root / "home", root / "project", root / "ah"
        for path in (self.home / ".ssh", self.project / ".claude", self.aegis_home, self.home / ".claude"):
            path.mkdir(parents=True, mode=0o700)
        (self.home / ".ssh" / "id_rsa").write_text(SECRET)
        subprocess.run(["git", "init", "-q", str(self.project)], check=True)
        self.env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(self.home),
            "AEGIS_HOME": str(self.aegis_home),
            "AEGIS_CLAUDE_EXECUTABLE": claude,
            "ANTHROPIC_API_KEY": "sk-ant-e2e-key",
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
            "DISABLE_AUTOUPDATER": "1",
        }

    def aegis(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "aegis_core.cli", *args], env=self.env, text=True,
                              capture_output=True, timeout=timeout, cwd=self.project)

    def policy(self, text: str) -> None:
        path = self.aegis_home / "policy.toml"
        path.write_text(text)
        path.chmod(0o600)

    def wrap_claude(self, fake: FakeAnthropic, **extra_env: str) -> subprocess.CompletedProcess[str]:
        env = {**self.env, "ANTHROPIC_BASE_URL": fake.base_url, **extra_env}
        return subprocess.run([sys.executable, "-m", "aegis_core.cli", "wrap", "claude", "-p", "do the task",
                               "--allowedTools", "Bash", "Read", "Write"], env=env, cwd=self.project, text=True,
                              capture_output=True, timeout=240, stdin=subprocess.DEVNULL)

    def audit(self, event: str) -> list[dict[str, Any]]:
        lines = (self.aegis_home / "audit.log").read_text().splitlines()
        return [r for r in map(json.loads, lines) if r["event"] == event]


def machine_for_test() -> Iterator[Machine]:
    """A machine, skipping (with the reason) where bubblewrap or Claude Code is missing."""
    if not BwrapBackend().available().ok:
        pytest.skip("bubblewrap is not installed (.ci/run installs it)")
    claude = find_claude_cli(REPO)
    if claude is None:
        pytest.skip("Claude Code is not installed (run .ci/install-claude.sh)")
    root = Path(tempfile.mkdtemp(prefix="aesc-", dir="/tmp"))
    made = Machine(root, claude)
    yield made
    made.aegis("stop", "--force", "--timeout", "5")
    shutil.rmtree(root, ignore_errors=True)
