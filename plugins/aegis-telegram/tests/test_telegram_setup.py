"""``aegis telegram setup`` / ``test`` as real processes against the fake Bot API, and
the doctor checks."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from aegis_telegram.doctor import ConnectivityCheck, TokenFormatCheck
from aegis_telegram.fake_api import FakeBotApi
from telegram_support import APPROVER, make_config

AEGIS = str(Path(sys.executable).with_name("aegis"))


def _env(home: Path, server: FakeBotApi) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AEGIS_")}
    env.update(AEGIS_HOME=str(home), AEGIS_TELEGRAM_API_BASE=server.api_base)
    return env


def _aegis(home: Path, server: FakeBotApi, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [AEGIS, *args], env=_env(home, server), capture_output=True, text=True, timeout=60
    )


def test_non_interactive_setup_writes_a_private_config(aegis_home, server):
    done = _aegis(
        aegis_home,
        server,
        "telegram",
        "setup",
        "--non-interactive",
        "--telegram-token",
        server.token,
        "--allowed-users",
        f"{APPROVER}",
    )
    assert done.returncode == 0, done.stderr
    path = aegis_home / "config.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    section = tomllib.loads(path.read_text())["telegram"]
    assert section["bot_token"] == server.token and section["allowed_users"] == [APPROVER]
    assert "api_base" not in section  # it came from the environment
    assert [m["chat_id"] for m in server.sent_messages] == [APPROVER]
    assert "Aegis is connected" in server.sent_messages[0]["text"]
    assert server.token not in done.stdout + done.stderr


def test_setup_keeps_the_rest_of_the_config(aegis_home, server):
    (aegis_home / "config.toml").write_text("# mine\n[approvals]\ntimeout_seconds = 60\n")
    os.chmod(aegis_home / "config.toml", 0o600)
    done = _aegis(
        aegis_home,
        server,
        "telegram",
        "setup",
        "--non-interactive",
        "--telegram-token",
        server.token,
        "--allowed-users",
        f"{APPROVER}",
    )
    assert done.returncode == 0, done.stderr
    text = (aegis_home / "config.toml").read_text()
    assert "# mine" in text and tomllib.loads(text)["approvals"]["timeout_seconds"] == 60


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("not-a-token", "does not look like a Telegram bot token"),
        ("123456789:AAWrongTokenWrongTokenWrongToken_abcd", "Telegram rejected the bot token"),
    ],
)
def test_bad_tokens_are_explained_with_exit_code_2(aegis_home, server, token, expected):
    done = _aegis(
        aegis_home,
        server,
        "telegram",
        "setup",
        "--non-interactive",
        "--telegram-token",
        token,
        "--allowed-users",
        f"{APPROVER}",
    )
    assert done.returncode == 2
    assert expected in done.stderr and "Traceback" not in done.stderr
    assert token not in done.stderr
    assert not (aegis_home / "config.toml").exists()


def test_user_who_never_started_the_bot_is_told_to_press_start(aegis_home, server):
    done = _aegis(
        aegis_home,
        server,
        "telegram",
        "setup",
        "--non-interactive",
        "--telegram-token",
        server.token,
        "--allowed-users",
        "424242",
    )
    assert done.returncode == 2
    assert "press Start" in done.stderr and "t.me/aegis_test_bot" in done.stderr


def test_pairing_adds_the_sender_of_the_code_as_admin(aegis_home, server):
    process = subprocess.Popen(
        [
            AEGIS,
            "telegram",
            "setup",
            "--non-interactive",
            "--pair",
            "--pair-timeout",
            "30",
            "--telegram-token",
            server.token,
        ],
        env=_env(aegis_home, server),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        code = None
        assert process.stdout is not None
        for line in process.stdout:
            if "send this code:" in line:
                code = line.rsplit(":", 1)[1].strip()
                break
        assert code
        server.send_text(777, "0000-0000")  # a wrong code from someone else: ignored
        server.send_text(555, code)
        _out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    section = tomllib.loads((aegis_home / "config.toml").read_text())["telegram"]
    assert section["allowed_users"] == [555] and section["admins"] == [555]
    assert [m["chat_id"] for m in server.sent_messages] == [555]
    assert server.pending_updates() == 0  # the pairing messages were confirmed


def test_telegram_test_command_and_doctor_checks(aegis_home, server):
    setup = _aegis(
        aegis_home,
        server,
        "telegram",
        "setup",
        "--non-interactive",
        "--telegram-token",
        server.token,
        "--allowed-users",
        f"{APPROVER}",
    )
    assert setup.returncode == 0, setup.stderr
    done = _aegis(aegis_home, server, "telegram", "test", "--json")
    assert done.returncode == 0, done.stderr
    assert '"sent": [\n    111\n  ]' in done.stdout
    config = make_config(aegis_home, server)
    assert TokenFormatCheck().run(config).status == "pass"
    assert ConnectivityCheck().run(config).status == "pass"
    broken = make_config(aegis_home, server, AEGIS_TELEGRAM_BOT_TOKEN="12345:short")
    assert TokenFormatCheck().run(broken).status == "fail"
    server.begin_outage("refuse")
    result = ConnectivityCheck().run(config)
    assert result.status == "fail" and "cannot reach Telegram" in result.message
