"""The real Claude Code CLI in a network namespace of its own (bubblewrap), with the
bridge as its first process: its scripted Messages API on the host's loopback is
reachable only through Aegis' egress proxy, and the API key it needs never enters the
sandbox (the fake API refuses any other key; the agent's environment has a
placeholder). Its shell tool's own connection to another loopback server waits for a
human, as the manifest does not name it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytest.importorskip("aegis_claude_hook")
from aegis_claude_hook.testing import find_claude_cli
from aegis_claude_hook.testing.fake_anthropic import FakeAnthropic, text, tool_use
from e2e_aegis import AegisHome, wait_until

from aegis_core.network import bridge_command
from aegis_core.network.endpoints import PLACEHOLDER_KEY

pytestmark = [pytest.mark.claude, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
REAL_KEY = "sk-ant-api03-the-real-key-stays-outside"


@pytest.fixture
def aegis() -> Iterator[AegisHome]:
    home = AegisHome(prefix="anc-")
    home.configure(config='[approvals]\nchannels = ["cli"]\ntimeout_seconds = 60\n')
    home.start()
    yield home
    home.close()


def sandboxed(run_dir: Path, writable: list[Path], command: list[str]) -> list[str]:
    """A minimal bubblewrap sandbox with the network shape Aegis gives every agent: own
    network and PID namespaces, the session's run directory read-only at /run/aegis, the
    bridge as PID 1. (The full sandbox, with its filesystem manifest, is `aegis wrap`'s.)"""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        pytest.skip("bubblewrap is not installed (.ci/run installs it)")
    binds = [arg for path in writable for arg in ("--bind", str(path), str(path))]
    # Shown again under the tmpfs /tmp: the repository (the CLI in .ci/cache, the tox env)
    # and the interpreter may themselves live below /tmp.
    shown = dict.fromkeys(os.path.realpath(p) for p in (REPO, sys.prefix, sys.base_prefix))
    binds = [arg for path in shown for arg in ("--ro-bind", path, path)] + binds
    return [bwrap, "--unshare-net", "--unshare-pid", "--as-pid-1", "--die-with-parent", "--ro-bind", "/", "/",
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/run",
            "--ro-bind", str(run_dir), "/run/aegis", *binds, "--", *bridge_command(), *command]


def test_claude_code_reaches_its_api_only_through_aegis_and_never_holds_the_key(aegis: AegisHome) -> None:
    claude = find_claude_cli(REPO)
    if claude is None:
        pytest.skip("Claude Code is not installed (run .ci/install-claude.sh)")
    project = aegis.root / "project"
    project.mkdir()
    config_dir = aegis.home / ".claude"
    config_dir.mkdir()
    created = aegis.request("session.create", agent="claude", cwd=str(project), command="claude")
    run_dir = Path(created["run_dir"])

    origin = Origin()
    script = (f"env > {project}/env.txt; "
              f"curl -s -o {project}/fetched.txt -w '%{{http_code}}' {origin.url}/hello > {project}/status.txt")
    try:
        with FakeAnthropic([tool_use("Bash", command=script), text("done")], api_key=REAL_KEY) as fake:
            held = aegis.request("network.endpoint", session=created["session"], token=created["token"],
                                 name="anthropic", header="x-api-key", base_url=fake.base_url, key=REAL_KEY)
            assert held["ok"], held
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(aegis.home),
                   "CLAUDE_CONFIG_DIR": str(config_dir), "ANTHROPIC_BASE_URL": held["base_url"],
                   "ANTHROPIC_API_KEY": PLACEHOLDER_KEY, "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
                   "DISABLE_AUTOUPDATER": "1", "NO_PROXY": "127.0.0.1,localhost"}
            approving = threading.Thread(target=_approve_first, args=(aegis, origin.port), daemon=True)
            approving.start()
            result = subprocess.run(
                sandboxed(run_dir, [aegis.home, project],
                          [claude, "-p", "do the task", "--allowedTools", "Bash"]),
                env=env, cwd=project, text=True, capture_output=True, timeout=240)
            approving.join(60)
    finally:
        origin.close()

    assert result.returncode == 0, result.stdout + result.stderr
    assert fake.agent_requests(), "Claude Code never reached its API"
    assert set(fake.keys_seen) == {REAL_KEY}  # every request carried the real key, added outside
    agent_env = (project / "env.txt").read_text()
    assert REAL_KEY not in agent_env and f"ANTHROPIC_API_KEY={PLACEHOLDER_KEY}" in agent_env
    assert "NO_PROXY" not in agent_env and "no_proxy" not in agent_env
    # The shell tool's connection to a host outside the manifest waited for the human's yes.
    assert (project / "status.txt").read_text() == "200"
    assert (project / "fetched.txt").read_text() == "hello from the origin\n"
    connections = [e["details"] for e in aegis.audit_events("network.connection")]
    assert any(c["via"] == "model-api" and c["port"] == int(fake.base_url.rsplit(":", 1)[1]) for c in connections)
    assert any(c["port"] == origin.port and c["decision"] == "allow" and c["approval_id"] for c in connections)
    assert REAL_KEY not in (aegis.aegis_home / "audit.log").read_text()
    aegis.verify_audit()


def _approve_first(aegis: AegisHome, port: int, answer: str = "approve") -> None:
    pending = wait_until(aegis.pending, what="the shell tool's connection was not asked about")
    approval = pending[0]
    assert approval["kind"] == "network" and approval["summary"].endswith(f":{port}")
    aegis.cli("approvals", answer, approval["id"])


class Origin:
    """A web server on the host's loopback (an ephemeral port no manifest names)."""

    def __init__(self) -> None:
        class Hello(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = b"hello from the origin\n"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


ALLOW_BASH = """
[policy]
include_defaults = true

[[policy.rules]]
name = "test-allows-the-shell"
match = { tool = "bash" }
action = "allow"
priority = 0
reason = "this test judges the network, not the command"
"""


def test_aegis_wrap_claude_keeps_the_key_outside_and_asks_about_other_hosts(aegis: AegisHome) -> None:
    claude = find_claude_cli(REPO)
    if claude is None:
        pytest.skip("Claude Code is not installed (run .ci/install-claude.sh)")
    if shutil.which("bwrap") is None:
        pytest.skip("bubblewrap is not installed (.ci/run installs it)")
    project = aegis.root / "project"
    project.mkdir()
    aegis.configure(policy=ALLOW_BASH)
    aegis.cli("stop", "--timeout", "10")
    aegis.start()
    origin = Origin()
    script = (f"env > {project}/env.txt; "
              f"curl -s -o {project}/fetched.txt -w '%{{http_code}}' {origin.url}/hello > {project}/status.txt")
    try:
        with FakeAnthropic([tool_use("Bash", command=script), text("done")], api_key=REAL_KEY) as fake:
            env = {**aegis.env, "AEGIS_CLAUDE_EXECUTABLE": claude, "ANTHROPIC_BASE_URL": fake.base_url,
                   "ANTHROPIC_API_KEY": REAL_KEY, "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
                   "DISABLE_AUTOUPDATER": "1"}
            approving = threading.Thread(target=_approve_first, args=(aegis, origin.port), daemon=True)
            approving.start()
            result = subprocess.run([*aegis.cli_argv, "wrap", "claude", "-p", "do the task", "--allowedTools", "Bash"],
                                    env=env, cwd=project, text=True, capture_output=True, timeout=240)
            approving.join(60)
    finally:
        origin.close()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "UNSANDBOXED" not in result.stderr
    assert fake.agent_requests() and set(fake.keys_seen) == {REAL_KEY}
    agent_env = (project / "env.txt").read_text()
    assert REAL_KEY not in agent_env and PLACEHOLDER_KEY in agent_env
    assert "ANTHROPIC_BASE_URL=http://anthropic.aegis.invalid" in agent_env
    assert (project / "status.txt").read_text() == "200"
    assert REAL_KEY not in (aegis.aegis_home / "audit.log").read_text()
    aegis.verify_audit()


def test_under_aegis_wrap_claude_a_denied_host_gets_the_proxys_error(aegis: AegisHome) -> None:
    """The other answer: the human denies; the agent's command reads why, and nothing
    reached the origin."""
    claude = find_claude_cli(REPO)
    if claude is None:
        pytest.skip("Claude Code is not installed (run .ci/install-claude.sh)")
    if shutil.which("bwrap") is None:
        pytest.skip("bubblewrap is not installed (.ci/run installs it)")
    project = aegis.root / "project"
    project.mkdir()
    aegis.configure(policy=ALLOW_BASH)
    aegis.cli("stop", "--timeout", "10")
    aegis.start()
    origin = Origin()
    script = f"curl -s -o {project}/fetched.txt -w '%{{http_code}}' {origin.url}/hello > {project}/status.txt"
    try:
        with FakeAnthropic([tool_use("Bash", command=script), text("done")]) as fake:
            env = {**aegis.env, "AEGIS_CLAUDE_EXECUTABLE": claude, "ANTHROPIC_BASE_URL": fake.base_url,
                   "ANTHROPIC_API_KEY": "sk-ant-e2e", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
                   "DISABLE_AUTOUPDATER": "1"}
            denying = threading.Thread(target=_approve_first, args=(aegis, origin.port, "deny"), daemon=True)
            denying.start()
            result = subprocess.run([*aegis.cli_argv, "wrap", "claude", "-p", "do the task", "--allowedTools", "Bash"],
                                    env=env, cwd=project, text=True, capture_output=True, timeout=240)
            denying.join(60)
    finally:
        origin.close()
    assert result.returncode == 0, result.stdout + result.stderr
    assert (project / "status.txt").read_text() == "403"
    assert "Aegis blocked the connection" in (project / "fetched.txt").read_text()
    refused = [e["details"] for e in aegis.audit_events("network.connection") if e["details"]["port"] == origin.port]
    assert refused and all(c["decision"] == "deny" for c in refused)
    aegis.verify_audit()
