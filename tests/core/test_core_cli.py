"""The real ``aegis`` command in a child process: exit codes, one-line errors,
``help``, ``version``, ``plugins list`` and ``config`` (redaction, set)."""

from __future__ import annotations

import json
import stat

from aegis_core import __version__

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw-"

GOOD = """
from aegis_core.hookspecs import hookimpl

@hookimpl
def evaluate(call):
    return None

@hookimpl
def audit(event):
    return None
"""

TOKEN_SECTION = """
from aegis_core.config import ConfigSection, Setting
from aegis_core.hookspecs import hookimpl

@hookimpl
def register_config_sections(register):
    register(ConfigSection("pager", (Setting("api_key", "str", None, secret=True),
                                     Setting("retries", "int", 3))))
"""


def one_line_error(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


# -- exit codes ----------------------------------------------------------------


def test_config_error_exits_2_with_one_line(run_aegis, aegis_home):
    (aegis_home / "config.toml").write_text('[approvals]\ntimeout_seconds = "soon"\n')
    (aegis_home / "config.toml").chmod(0o600)
    result = run_aegis("config", "list", env={"AEGIS_LOAD_PLUGINS": ""})
    assert result.returncode == 2
    line = one_line_error(result.stderr)
    assert line.startswith("aegis: error: ") and "timeout_seconds must be an integer" in line


def test_env_config_error_exits_2(run_aegis):
    result = run_aegis(
        "config",
        "get",
        "approvals.timeout_seconds",
        env={"AEGIS_APPROVALS_TIMEOUT_SECONDS": "x", "AEGIS_LOAD_PLUGINS": ""},
    )
    assert result.returncode == 2
    assert "AEGIS_APPROVALS_TIMEOUT_SECONDS must be an integer" in one_line_error(result.stderr)


def test_symlinked_config_exits_5(run_aegis, aegis_home, tmp_path):
    target = tmp_path / "real.toml"
    target.write_text("")
    (aegis_home / "config.toml").symlink_to(target)
    result = run_aegis("config", "list", env={"AEGIS_LOAD_PLUGINS": ""})
    assert result.returncode == 5
    assert "symbolic link" in one_line_error(result.stderr)


def test_group_writable_config_exits_5(run_aegis, aegis_home):
    (aegis_home / "config.toml").write_text("")
    (aegis_home / "config.toml").chmod(0o660)
    result = run_aegis("config", "validate", env={"AEGIS_LOAD_PLUGINS": ""})
    assert result.returncode == 5
    assert "chmod 600" in one_line_error(result.stderr)


def test_readable_config_is_a_warning_on_stderr(run_aegis, aegis_home):
    (aegis_home / "config.toml").write_text("[approvals]\ntimeout_seconds = 9\n")
    (aegis_home / "config.toml").chmod(0o644)
    result = run_aegis("config", "get", "approvals.timeout_seconds", env={"AEGIS_LOAD_PLUGINS": ""})
    assert result.returncode == 0 and result.stdout == "9\n"
    assert "aegis: warning:" in result.stderr and "readable by other users" in result.stderr


def test_unknown_command_is_a_usage_error(run_aegis):
    result = run_aegis("frobnicate", env={"AEGIS_LOAD_PLUGINS": ""})
    assert result.returncode == 2
    assert "No such command 'frobnicate'" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_config_key_exits_2(run_aegis):
    result = run_aegis("config", "get", "approvals.nope", env={"AEGIS_LOAD_PLUGINS": ""})
    assert result.returncode == 2
    assert "unknown key 'approvals.nope'" in one_line_error(result.stderr)


# -- help and version ----------------------------------------------------------


def test_help_lists_the_commands(run_aegis):
    for args in (["--help"], ["help"]):
        result = run_aegis(*args, env={"AEGIS_LOAD_PLUGINS": ""})
        assert result.returncode == 0
        assert result.stdout.startswith("Usage: aegis [OPTIONS] COMMAND")
        for command in ("config", "plugins", "version", "help"):
            assert f"  {command} " in result.stdout


def test_help_of_a_command_and_a_subcommand(run_aegis):
    result = run_aegis("help", "config", env={"AEGIS_LOAD_PLUGINS": ""})
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: aegis config [OPTIONS] COMMAND")
    assert "set " in result.stdout and "get " in result.stdout
    result = run_aegis("help", "config", "set", env={"AEGIS_LOAD_PLUGINS": ""})
    assert result.stdout.startswith("Usage: aegis config set [OPTIONS] KEY VALUE")
    missing = run_aegis("help", "nothing", env={"AEGIS_LOAD_PLUGINS": ""})
    assert missing.returncode == 2 and "no such command: nothing" in missing.stderr


def test_version_json(run_aegis, make_dist):
    make_dist("aegis-good", GOOD, version="0.4.2")
    result = run_aegis("version", "--json", env={"AEGIS_LOAD_PLUGINS": "aegis-good"})
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["version"] == __version__
    assert [(p["name"], p["version"], p["status"]) for p in data["plugins"]] == [
        ("aegis-good", "0.4.2", "ok")
    ]
    plain = run_aegis("--version", env={"AEGIS_LOAD_PLUGINS": ""})
    assert plain.stdout.strip() == f"aegis, version {__version__}"


# -- plugins list --------------------------------------------------------------


def test_plugins_list_json_keys_and_broken_plugin(run_aegis, make_dist):
    good = make_dist("aegis-good", GOOD, version="0.4.2")
    make_dist("aegis-broken", 'raise ImportError("needs libfoo 2")')
    result = run_aegis(
        "plugins", "list", "--json", env={"AEGIS_LOAD_PLUGINS": "aegis-good,aegis-broken"}
    )
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}  # stdout is pure JSON
    assert set(rows) == {"aegis-good", "aegis-broken"}
    for row in rows.values():
        assert {"name", "version", "hooks", "module", "status", "error"} <= set(row)
    assert rows["aegis-good"] == {
        **rows["aegis-good"],
        "version": "0.4.2",
        "hooks": ["audit", "evaluate"],
        "module": good.module,
        "status": "ok",
        "error": None,
    }
    assert rows["aegis-broken"]["status"] == "error"
    assert rows["aegis-broken"]["error"] == "ImportError: needs libfoo 2"
    assert "aegis-broken" in result.stderr  # the load failure is logged, on stderr only


def test_plugins_list_table_all_and_hook_filter(run_aegis, make_dist):
    make_dist("aegis-good", GOOD, version="0.4.2")
    make_dist("aegis-sections", TOKEN_SECTION)
    env = {"AEGIS_LOAD_PLUGINS": "aegis-good,aegis-sections"}
    table = run_aegis("plugins", "list", env=env).stdout
    assert "aegis-good" in table and "0.4.2" in table and "hooks: audit, evaluate" in table
    assert "aegis.channels" not in table
    assert "aegis.channels" in run_aegis("plugins", "list", "--all", env=env).stdout
    only = json.loads(run_aegis("plugins", "list", "--json", "--hook", "evaluate", env=env).stdout)
    assert [row["name"] for row in only] == ["aegis-good"]
    bad = run_aegis("plugins", "list", "--hook", "evaluat", env=env)
    assert bad.returncode == 2 and "no hook named 'evaluat'" in bad.stderr


def test_trace_plugins_logs_hook_calls_on_stderr(run_aegis, make_dist):
    make_dist("aegis-sections", TOKEN_SECTION)
    result = run_aegis(
        "config",
        "get",
        "pager.retries",
        env={"AEGIS_LOAD_PLUGINS": "aegis-sections", "AEGIS_TRACE_PLUGINS": "1"},
    )
    assert result.stdout == "3\n"
    traced = [json.loads(line) for line in result.stderr.splitlines() if '"hook call"' in line]
    assert ("register_config_sections", "aegis-sections") in {
        (t["hook"], t["plugin"]) for t in traced
    }
    quiet = run_aegis(
        "config", "get", "pager.retries", env={"AEGIS_LOAD_PLUGINS": "aegis-sections"}
    )
    assert quiet.stdout == "3\n" and "hook call" not in quiet.stderr


# -- config --------------------------------------------------------------------


def test_config_get_redacts_secrets_unless_show_secrets(run_aegis, make_dist):
    make_dist("aegis-sections", TOKEN_SECTION)
    env = {"AEGIS_LOAD_PLUGINS": "aegis-sections", "AEGIS_PAGER_API_KEY": TOKEN}
    hidden = run_aegis("config", "get", "pager.api_key", env=env)
    assert hidden.returncode == 0 and hidden.stdout == "***REDACTED***\n"
    shown = run_aegis("config", "get", "pager.api_key", "--show-secrets", env=env)
    assert shown.stdout == f"{TOKEN}\n"
    as_json = json.loads(run_aegis("config", "get", "pager.api_key", "--json", env=env).stdout)
    assert as_json == {"key": "pager.api_key", "value": "***REDACTED***", "source": "env"}
    listed = run_aegis("config", "list", "--json", env=env)
    assert TOKEN not in listed.stdout
    assert json.loads(listed.stdout)["pager.api_key"] == {
        "value": "***REDACTED***",
        "source": "env",
    }


def test_config_set_keeps_comments_and_writes_0600(run_aegis, aegis_home):
    path = aegis_home / "config.toml"
    path.write_text("# my settings\n[approvals]\n# five minutes\ntimeout_seconds = 300 # inline\n")
    path.chmod(0o600)
    env = {"AEGIS_LOAD_PLUGINS": ""}
    result = run_aegis("config", "set", "approvals.timeout_seconds", "60", env=env)
    assert result.returncode == 0, result.stderr
    text = path.read_text()
    assert "# my settings" in text and "# five minutes" in text
    assert "timeout_seconds = 60" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert run_aegis("config", "get", "approvals.timeout_seconds", env=env).stdout == "60\n"
    assert run_aegis("config", "set", "approvals.channels", "telegram,cli", env=env).returncode == 0
    assert run_aegis("config", "get", "approvals.channels", env=env).stdout == "telegram,cli\n"
    assert 'channels = ["telegram", "cli"]' in path.read_text()


def test_config_set_creates_a_private_file_and_rejects_bad_values(run_aegis, aegis_home):
    env = {"AEGIS_LOAD_PLUGINS": ""}
    bad = run_aegis("config", "set", "approvals.timeout_seconds", "soon", env=env)
    assert bad.returncode == 2 and "must be an integer" in one_line_error(bad.stderr)
    assert not (aegis_home / "config.toml").exists()
    assert run_aegis("config", "set", "logging.level", "DEBUG", env=env).returncode == 0
    assert stat.S_IMODE((aegis_home / "config.toml").stat().st_mode) == 0o600


def test_config_path_and_validate(run_aegis, aegis_home):
    env = {"AEGIS_LOAD_PLUGINS": ""}
    assert run_aegis("config", "path", env=env).stdout == f"{aegis_home / 'config.toml'}\n"
    valid = json.loads(run_aegis("config", "validate", "--json", env=env).stdout)
    assert valid["valid"] is True and valid["warnings"] == []
