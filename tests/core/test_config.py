"""Configuration: precedence (flags > env > file > defaults), parsing from the
environment, validation messages, and the file's safety checks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aegis_core.config import ConfigSection, Setting, aegis_home, load_config, read_config_file
from aegis_core.errors import ConfigError, ExitCode, PermissionDenied

TELEGRAM = ConfigSection(
    "telegram",
    (
        Setting("bot_token", "str", None, secret=True),
        Setting("allowed_users", "list[int]", []),
    ),
)


def write_config(home: Path, text: str, mode: int = 0o600) -> Path:
    path = home / "config.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def test_defaults_without_a_file(aegis_home):
    config = load_config(env={"AEGIS_HOME": str(aegis_home)})
    assert config.home == aegis_home
    assert config.get("approvals", "timeout_seconds") == 300
    assert config.source("approvals", "timeout_seconds") == "default"
    assert config.warnings == ()


def test_home_defaults_to_dot_aegis(monkeypatch):
    monkeypatch.setenv("HOME", "/home/someone")
    assert aegis_home({}) == Path("/home/someone/.aegis")
    assert aegis_home({"AEGIS_HOME": "/srv/aegis"}) == Path("/srv/aegis")


def test_precedence_flags_over_env_over_file_over_defaults(aegis_home):
    write_config(
        aegis_home,
        "[approvals]\ntimeout_seconds = 60\nmax_per_minute = 3\nmax_consecutive_denies = 2\n",
    )
    env = {
        "AEGIS_HOME": str(aegis_home),
        "AEGIS_APPROVALS_TIMEOUT_SECONDS": "90",
        "AEGIS_APPROVALS_MAX_PER_MINUTE": "4",
    }
    config = load_config(
        env=env, flags={"approvals.timeout_seconds": 120, "approvals.default_action": None}
    )
    assert (
        config.get("approvals", "timeout_seconds"),
        config.source("approvals", "timeout_seconds"),
    ) == (120, "flag")
    assert (
        config.get("approvals", "max_per_minute"),
        config.source("approvals", "max_per_minute"),
    ) == (4, "env")
    assert (
        config.get("approvals", "max_consecutive_denies"),
        config.source("approvals", "max_consecutive_denies"),
    ) == (2, "file")
    # A flag that was not given (None) leaves the lower layers alone.
    assert (
        config.get("approvals", "default_action"),
        config.source("approvals", "default_action"),
    ) == ("deny", "default")


def test_lists_from_env_are_comma_separated_and_typed(aegis_home):
    env = {
        "AEGIS_HOME": str(aegis_home),
        "AEGIS_TELEGRAM_ALLOWED_USERS": " 111, 222 ,",
        "AEGIS_APPROVALS_CHANNELS": "telegram,cli",
    }
    config = load_config(env=env, sections=[TELEGRAM])
    assert config.get("telegram", "allowed_users") == [111, 222]
    assert config.get("approvals", "channels") == ["telegram", "cli"]


def test_lists_from_the_file(aegis_home):
    write_config(
        aegis_home, '[telegram]\nallowed_users = [5, 6]\n[approvals]\nchannels = ["cli"]\n'
    )
    config = load_config(env={"AEGIS_HOME": str(aegis_home)}, sections=[TELEGRAM])
    assert config.get("telegram", "allowed_users") == [5, 6]
    assert config.get("approvals", "channels") == ["cli"]


@pytest.mark.parametrize(
    ("text", "env", "fragment"),
    [
        (
            '[approvals]\ntimeout_seconds = "soon"\n',
            {},
            "[approvals] timeout_seconds must be an integer, got 'soon'",
        ),
        (
            "[approvals]\ntimeout_seconds = 1.5\n",
            {},
            "[approvals] timeout_seconds must be an integer",
        ),
        (
            "[approvals]\ntimeout_seconds = 0\n",
            {},
            "[approvals] timeout_seconds must be at least 1",
        ),
        (
            '[approvals]\ndefault_action = "maybe"\n',
            {},
            "[approvals] default_action must be one of deny, approve",
        ),
        ("[approvals]\nchannels = 5\n", {}, "[approvals] channels must be a list of strings"),
        (
            "",
            {"AEGIS_APPROVALS_TIMEOUT_SECONDS": "ten"},
            "AEGIS_APPROVALS_TIMEOUT_SECONDS must be an integer",
        ),
        (
            "",
            {"AEGIS_TELEGRAM_ALLOWED_USERS": "1,bob"},
            "AEGIS_TELEGRAM_ALLOWED_USERS must be a list of integers"
            " (comma-separated in the environment), got '1,bob'",
        ),
        ("approvals = 3\n", {}, "'approvals' must be a [section] table"),
        ("[approvals\n", {}, "invalid TOML"),
    ],
)
def test_validation_errors_name_the_key_and_the_expected_type(aegis_home, text, env, fragment):
    write_config(aegis_home, text)
    with pytest.raises(ConfigError) as raised:
        load_config(env={"AEGIS_HOME": str(aegis_home), **env}, sections=[TELEGRAM])
    assert fragment in str(raised.value)
    assert raised.value.exit_code == ExitCode.CONFIG == 2


def test_unknown_flag_is_a_config_error(aegis_home):
    with pytest.raises(ConfigError, match=r"unknown setting approvals\.nope"):
        load_config(env={"AEGIS_HOME": str(aegis_home)}, flags={"approvals.nope": 1})


def test_unknown_sections_and_keys_are_warnings(aegis_home):
    write_config(aegis_home, "[approvals]\ncolour = 1\n[slack]\nwebhook = 'x'\n")
    config = load_config(env={"AEGIS_HOME": str(aegis_home)})
    assert any("unknown key [approvals] colour" in w for w in config.warnings)
    assert any("unknown section [slack]" in w for w in config.warnings)


def test_symlinked_config_is_refused_with_exit_5(aegis_home, tmp_path):
    target = tmp_path / "elsewhere.toml"
    target.write_text("[approvals]\ntimeout_seconds = 5\n")
    target.chmod(0o600)
    (aegis_home / "config.toml").symlink_to(target)
    with pytest.raises(PermissionDenied) as raised:
        load_config(env={"AEGIS_HOME": str(aegis_home)})
    assert "symbolic link" in str(raised.value)
    assert raised.value.exit_code == ExitCode.PERMISSION == 5


@pytest.mark.parametrize("mode", [0o620, 0o602, 0o666])
def test_config_writable_by_others_is_refused(aegis_home, mode):
    path = write_config(aegis_home, "[approvals]\ntimeout_seconds = 5\n", mode=mode)
    with pytest.raises(PermissionDenied, match="writable by other users") as raised:
        read_config_file(path)
    assert f"chmod 600 {path}" in str(raised.value)


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644])
def test_config_readable_by_others_is_a_warning(aegis_home, mode):
    write_config(aegis_home, "[approvals]\ntimeout_seconds = 5\n", mode=mode)
    config = load_config(env={"AEGIS_HOME": str(aegis_home)})
    assert config.get("approvals", "timeout_seconds") == 5
    assert any("readable by other users" in w for w in config.warnings)


def test_private_config_gives_no_warning(aegis_home):
    write_config(aegis_home, "[approvals]\ntimeout_seconds = 5\n")
    assert load_config(env={"AEGIS_HOME": str(aegis_home)}).warnings == ()


def test_secrets_are_masked_in_flat_unless_asked(aegis_home):
    env = {"AEGIS_HOME": str(aegis_home), "AEGIS_TELEGRAM_BOT_TOKEN": "123456789:" + "A" * 35}
    config = load_config(env=env, sections=[TELEGRAM])
    assert config.flat()["telegram.bot_token"] == "***REDACTED***"
    assert config.flat(show_secrets=True)["telegram.bot_token"] == "123456789:" + "A" * 35
    assert config.is_secret("telegram", "bot_token")
    assert not config.is_secret("telegram", "allowed_users")


def test_default_paths_resolve_under_home(aegis_home):
    config = load_config(env={"AEGIS_HOME": str(aegis_home)})
    assert config.path("database", "path", "aegis.db") == aegis_home / "aegis.db"
    moved = load_config(env={"AEGIS_HOME": str(aegis_home), "AEGIS_DATABASE_PATH": "/var/lib/x.db"})
    assert moved.path("database", "path", "aegis.db") == Path("/var/lib/x.db")


def test_aegis_config_points_at_another_file(aegis_home, tmp_path):
    other = tmp_path / "other.toml"
    other.write_text("[approvals]\ntimeout_seconds = 7\n")
    os.chmod(other, 0o600)
    config = load_config(env={"AEGIS_HOME": str(aegis_home), "AEGIS_CONFIG": str(other)})
    assert config.file == other and config.get("approvals", "timeout_seconds") == 7
