"""The example channel installed as a real plugin (a ``.dist-info`` with its entry
point, found by importlib-metadata) in a real daemon: an approval reaches the local
webhook, and the answer posted back to the channel lets the waiting call through."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "aegis-webhook-channel"

SECRET = "daemon-test-shared-secret"


def aegis(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aegis_core.cli", *args], capture_output=True, text=True,
                          env=env, timeout=60)


def install_example(site: Path) -> None:
    """What ``pip install ./docs/examples/aegis-webhook-channel`` leaves behind, minus
    the copy of the module: its metadata and entry point (the module stays on PYTHONPATH)."""
    info = site / "aegis_webhook_channel-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: aegis-webhook-channel\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text("[aegis]\nwebhook = aegis_webhook\n")


def judge(sock_path: Path, payload: dict[str, Any], out: list[dict[str, Any]]) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(60)
        sock.connect(str(sock_path))
        sock.sendall(json.dumps({"v": 1, "op": "judge", "adapter": "generic", "payload": payload}).encode()
                     + b"\n")
        buffer = b""
        while not out or not out[-1].get("final"):
            chunk = sock.recv(65536)
            if not chunk:
                return
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                out.append(json.loads(line))


@pytest.fixture
def daemon_env(tmp_path: Path, aegis_home: Path, receiver: Any) -> Any:
    site = tmp_path / "site"
    install_example(site)
    env = {**os.environ, "AEGIS_HOME": str(aegis_home),
           # Only this installed plugin: the repository's own channels stay out of the way.
           "AEGIS_LOAD_PLUGINS": "aegis-webhook-channel",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(site), str(EXAMPLE), os.environ.get("PYTHONPATH")]))}
    config = aegis_home / "config.toml"
    config.write_text(f'[approvals]\nchannels = ["webhook"]\ntimeout_seconds = 120\n\n'
                      f'[webhook]\nurl = "{receiver.url}"\nsecret = "{SECRET}"\n')
    config.chmod(0o600)
    yield env
    aegis(env, "stop", "--force", "--timeout", "5")


def test_installed_example_is_listed_as_a_plugin(daemon_env):
    result = aegis(daemon_env, "plugins", "list", "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    row = rows["aegis-webhook-channel"]
    assert (row["version"], row["status"]) == ("0.1.0", "ok")
    assert set(row["hooks"]) == {"register_channels", "register_config_sections"}


def test_approval_posted_to_the_webhook_and_answered_through_the_channel(daemon_env, aegis_home, receiver):
    started = aegis(daemon_env, "start")
    assert started.returncode == 0, started.stderr
    lines: list[dict[str, Any]] = []
    payload = {"tool": "Bash", "input": {"command": "pip install requests"}, "cwd": "/tmp"}
    waiter = threading.Thread(target=judge, args=(aegis_home / "aegis.sock", payload, lines), daemon=True)
    waiter.start()

    post = receiver.next(timeout=30)
    assert post.headers["x-aegis-secret"] == SECRET
    assert post.body["tool"] == "Bash" and post.body["summary"] == "pip install requests"
    approval_id = post.body["approval_id"]
    refused = httpx.post(post.body["answer_url"], json={"approval_id": approval_id, "outcome": "approve"},
                         headers={"X-Aegis-Secret": "guess"}, timeout=10)
    assert refused.status_code == 403
    assert not lines or not lines[-1].get("final")  # still waiting: a wrong secret decides nothing

    answered = httpx.post(post.body["answer_url"], timeout=10, headers={"X-Aegis-Secret": SECRET},
                          json={"approval_id": approval_id, "outcome": "approve", "by": "ana"})
    assert answered.json() == {"won": True, "status": "approved"}
    waiter.join(timeout=30)
    final = lines[-1]
    assert final["final"] and final["decision"] == "allow", final
    assert final["approval_id"] == approval_id and "ana via webhook" in final["reason"]
    assert {"update": "pending", "approval_id": approval_id}.items() <= lines[0].items()

    records = [json.loads(line) for line in (aegis_home / "audit.log").read_text().splitlines()]
    resolved = [r for r in records if r["event"] == "approval.resolved"]
    assert [(r["details"]["approval_id"], r["details"]["channel"]) for r in resolved] == [(approval_id, "webhook")]
