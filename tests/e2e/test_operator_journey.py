"""The first ten minutes with every plugin installed: `aegis setup` with Telegram (fake
Bot API on 127.0.0.1), Claude Code hooks installed, a broken hook found and repaired
by `aegis doctor --fix`, and `aegis status` showing the channels."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

fake_api = pytest.importorskip("aegis_telegram.fake_api")
pytest.importorskip("aegis_claude_hook")

USER = 5151


@pytest.fixture
def machine() -> Iterator[dict[str, Path]]:
    root = Path(tempfile.mkdtemp(prefix="aeop-", dir="/tmp"))
    paths = {"root": root, "home": root / "home", "aegis": root / "ah"}
    paths["home"].mkdir()
    yield paths
    shutil.rmtree(root, ignore_errors=True)


def run(machine: dict[str, Path], bot: object, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AEGIS_")}
    env.update({"HOME": str(machine["home"]), "AEGIS_HOME": str(machine["aegis"]),
                "AEGIS_TELEGRAM_API_BASE": bot.api_base, "AEGIS_TELEGRAM_POLL_TIMEOUT": "1"})  # type: ignore[attr-defined]
    return subprocess.run([sys.executable, "-m", "aegis_core.cli", *args], env=env, text=True,
                          capture_output=True, timeout=120, cwd=machine["root"])


def test_first_ten_minutes(machine: dict[str, Path]) -> None:
    with fake_api.FakeBotApi(users=[USER]) as bot:
        setup = run(machine, bot, "setup", "--non-interactive", "--telegram-token", bot.token,
                    "--allowed-users", str(USER), "--json")
        assert setup.returncode == 0, setup.stderr
        report = json.loads(setup.stdout)
        assert report["channels"]["telegram"]["configured"] is True
        config = (machine["aegis"] / "config.toml").read_text()
        assert "[telegram]" in config and str(USER) in config
        assert bot.token not in setup.stdout + setup.stderr  # never echoed back
        assert any("connected" in m["text"] for m in bot.messages_to(USER))  # the test message

        installed = run(machine, bot, "claude", "install", "--scope", "user")
        assert installed.returncode == 0, installed.stderr
        doctor = run(machine, bot, "doctor", "--json")
        checks = {c["name"]: c for c in json.loads(doctor.stdout)["checks"]}
        assert checks["claude.hooks"]["status"] == "pass"
        assert checks["telegram.token_format"]["status"] == "pass"
        assert checks["telegram.connectivity"]["status"] == "pass"

        # The virtualenv the hooks point at is gone: every hook would fail.
        settings_path = machine["home"] / ".claude" / "settings.json"
        settings = settings_path.read_text().replace(sys.executable, "/nonexistent/venv/bin/python")
        settings_path.write_text(settings)
        broken = run(machine, bot, "doctor", "--json")
        checks = {c["name"]: c for c in json.loads(broken.stdout)["checks"]}
        assert broken.returncode == 7
        assert checks["claude.hooks"]["status"] == "fail"
        assert "/nonexistent/venv/bin/python" in checks["claude.hooks"]["message"]
        fixed = run(machine, bot, "doctor", "--fix", "--json")
        checks = {c["name"]: c for c in json.loads(fixed.stdout)["checks"]}
        assert checks["claude.hooks"]["status"] == "pass", checks["claude.hooks"]
        assert sys.executable in settings_path.read_text()

        assert run(machine, bot, "start").returncode == 0
        try:
            status = json.loads(run(machine, bot, "status", "--json").stdout)
            assert set(status["channels"]) == {"terminal", "telegram", "cli"}
            assert all(channel["running"] for channel in status["channels"].values())
        finally:
            run(machine, bot, "stop")
