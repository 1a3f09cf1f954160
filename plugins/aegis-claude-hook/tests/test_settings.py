"""The hooks block, and installing it into Claude Code's settings files."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from aegis_claude_hook import settings as hs
from aegis_claude_hook.commands import claude
from click.testing import CliRunner

from aegis_core.errors import ConfigError
from aegis_core.hookclient import RUNNER

PY = "/opt/venv/bin/python"
CL = "/opt/site/aegis_claude_hook/wire.py"
RUN = str(RUNNER)


def test_hooks_block_shape() -> None:
    block = hs.hooks_settings(PY, CL, 330)
    assert set(block) == {"hooks"}
    assert set(block["hooks"]) == {"PreToolUse", "PermissionRequest", "PostToolUse", "PostToolUseFailure"}
    for event, groups in block["hooks"].items():
        assert len(groups) == 1 and groups[0]["matcher"] == "*"
        (hook,) = groups[0]["hooks"]
        assert hook["type"] == "command"
        assert hook["timeout"] == 330
        assert hook["onFailure"] == "block"
        assert shlex.split(hook["command"]) == [PY, "-I", "-S", RUN, CL, event, "325"]


def test_client_deadline_is_below_the_timeout_which_covers_the_approval() -> None:
    timeout = hs.hook_timeout(300)
    assert timeout > 300
    assert 300 < hs.client_deadline(timeout) < timeout
    assert 0 < hs.client_deadline(4) < 4


def test_paths_must_be_absolute() -> None:
    with pytest.raises(ConfigError):
        hs.hooks_settings("python", CL, 30)


def test_paths_with_spaces_are_quoted() -> None:
    block = hs.hooks_settings("/my venv/bin/python", "/a b/aegis_claude_hook/wire.py", 30,
                              runner="/c d/aegis_core/hookclient/run.py")
    command = block["hooks"]["PreToolUse"][0]["hooks"][0]["command"]
    assert shlex.split(command)[:5] == [
        "/my venv/bin/python",
        "-I",
        "-S",
        "/c d/aegis_core/hookclient/run.py",
        "/a b/aegis_claude_hook/wire.py",
    ]


def test_default_block_uses_this_interpreter_and_the_installed_client() -> None:
    command = hs.default_hooks_settings(60)["hooks"]["PreToolUse"][0]["hooks"][0]["command"]
    python, _, _, runner, client, *_ = shlex.split(command)
    assert os.path.isabs(python) and os.access(python, os.X_OK)
    assert runner == str(RUNNER) and Path(runner).is_file()
    assert client == str(hs.CLIENT) and Path(client).is_file()


USER_SETTINGS = {
    "model": "opus",
    "permissions": {"allow": ["Bash(ls:*)"]},
    "hooks": {
        "PreToolUse": [{"matcher": "Write", "hooks": [{"type": "command", "command": "fmt.sh"}]}],
        "Stop": [{"hooks": [{"type": "command", "command": "notify.sh"}]}],
    },
}


def test_install_merges_idempotently_and_uninstall_restores(tmp_path: Path) -> None:
    path = tmp_path / ".claude" / "settings.json"
    path.parent.mkdir()
    path.write_text(json.dumps(USER_SETTINGS))
    block = hs.hooks_settings(PY, CL, 330)

    changed, backup = hs.install(path, block)
    assert changed and backup is not None and json.loads(backup.read_text()) == USER_SETTINGS
    installed = json.loads(path.read_text())
    assert installed["model"] == "opus" and installed["permissions"] == USER_SETTINGS["permissions"]
    assert installed["hooks"]["Stop"] == USER_SETTINGS["hooks"]["Stop"]
    assert installed["hooks"]["PreToolUse"][0] == USER_SETTINGS["hooks"]["PreToolUse"][0]
    assert installed["hooks"]["PreToolUse"][1:] == block["hooks"]["PreToolUse"]
    assert installed["hooks"]["PostToolUse"] == block["hooks"]["PostToolUse"]

    assert hs.install(path, block) == (False, None)  # second install: no change, no backup
    assert json.loads(path.read_text()) == installed

    # A new timeout replaces Aegis' entries instead of adding more.
    hs.install(path, hs.hooks_settings(PY, CL, 90))
    again = json.loads(path.read_text())
    assert len(again["hooks"]["PreToolUse"]) == 2
    assert again["hooks"]["PreToolUse"][1]["hooks"][0]["timeout"] == 90

    changed, removed = hs.uninstall(path)
    assert changed and removed == [hs.backup_path(path)]  # the backup install made goes too
    assert json.loads(path.read_text()) == USER_SETTINGS
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.json"]  # no trace left
    assert hs.uninstall(path) == (False, [])


def test_the_backup_is_the_file_before_aegis_and_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(USER_SETTINGS))
    _, first = hs.install(path, hs.hooks_settings(PY, CL, 30))
    _, second = hs.install(path, hs.hooks_settings(PY, CL, 90))  # a change, but no new backup
    assert first == hs.backup_path(path) and second is None
    assert json.loads(first.read_text()) == USER_SETTINGS


def test_uninstall_deletes_a_file_and_folder_aegis_alone_made(tmp_path: Path) -> None:
    path = tmp_path / "proj" / ".claude" / "settings.local.json"
    hs.install(path, hs.hooks_settings(PY, CL, 30))
    changed, removed = hs.uninstall(path)
    assert changed and path in removed
    assert not path.parent.exists()  # no `{}` and no empty .claude folder left behind
    assert (tmp_path / "proj").exists()


def test_uninstall_keeps_a_folder_that_holds_other_files(tmp_path: Path) -> None:
    path = tmp_path / ".claude" / "settings.local.json"
    hs.install(path, hs.hooks_settings(PY, CL, 30))
    (path.parent / "commands.md").write_text("mine")
    hs.uninstall(path)
    assert not path.exists() and (path.parent / "commands.md").read_text() == "mine"


def test_uninstall_keeps_foreign_hooks_in_a_shared_group(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    ours = hs.hooks_settings(PY, CL, 30)["hooks"]["PreToolUse"][0]["hooks"][0]
    foreign = {"type": "command", "command": "audit.sh"}
    path.write_text(
        json.dumps({"hooks": {"PreToolUse": [{"matcher": "*", "hooks": [foreign, ours]}]}})
    )
    hs.uninstall(path)
    assert json.loads(path.read_text()) == {
        "hooks": {"PreToolUse": [{"matcher": "*", "hooks": [foreign]}]}
    }


def test_install_creates_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "proj" / ".claude" / "settings.local.json"
    changed, backup = hs.install(path, hs.hooks_settings(PY, CL, 30))
    assert changed and backup is None
    assert json.loads(path.read_text()) == hs.hooks_settings(PY, CL, 30)


def test_invalid_settings_are_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{ not json")
    with pytest.raises(ConfigError, match="not valid JSON"):
        hs.install(path, hs.hooks_settings(PY, CL, 30))
    assert path.read_text() == "{ not json"
    assert list(tmp_path.iterdir()) == [path]


def test_file_mode_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{}")
    path.chmod(0o600)
    hs.install(path, hs.hooks_settings(PY, CL, 30))
    assert path.stat().st_mode & 0o777 == 0o600


def test_scope_files(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path / "home")}
    assert (
        hs.settings_file("user", cwd=tmp_path, env=env)
        == tmp_path / "home" / ".claude" / "settings.json"
    )
    assert hs.settings_file("user", env={**env, "CLAUDE_CONFIG_DIR": "/cfg"}) == Path(
        "/cfg/settings.json"
    )
    assert (
        hs.settings_file("project", cwd=tmp_path, env=env) == tmp_path / ".claude" / "settings.json"
    )
    assert (
        hs.settings_file("local", cwd=tmp_path, env=env)
        == tmp_path / ".claude" / "settings.local.json"
    )


def test_cli_settings_install_uninstall(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)
    runner = CliRunner()
    shown = runner.invoke(claude, ["settings", "--approval-timeout", "60"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output) == hs.default_hooks_settings(60)

    result = runner.invoke(claude, ["install", "--scope", "local", "--approval-timeout", "60"])
    assert result.exit_code == 0, result.output
    local = tmp_path / ".claude" / "settings.local.json"
    assert json.loads(local.read_text()) == hs.default_hooks_settings(60)
    again = runner.invoke(claude, ["install", "--scope", "local", "--approval-timeout", "60"])
    assert "nothing changed" in again.output

    result = runner.invoke(claude, ["uninstall", "--scope", "local"])
    assert result.exit_code == 0 and "Removed" in result.output
    assert not (tmp_path / ".claude").exists()  # nothing left behind: no {}, no backup
    assert not (tmp_path / "home" / ".claude").exists()  # other scopes untouched


def test_cli_refuses_the_shared_project_scope_with_the_reason(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(claude, ["install", "--scope", "project"])
    assert result.exit_code != 0
    assert isinstance(result.exception, ConfigError)
    assert "this machine's own paths" in result.exception.message
    assert "--scope local" in (result.exception.hint or "")
    assert not (tmp_path / ".claude").exists()


def test_the_sandbox_keeps_the_hook_client_and_its_interpreter_read_only(tmp_path: Path) -> None:
    """What the managed hooks run is protected inside the sandbox wherever it lies
    (aegis_core.sandbox.plan binds it read-only over writable places)."""
    from aegis_claude_hook import sandboxing

    needs = sandboxing.needs("/usr/bin/true", 60, {"HOME": str(tmp_path)}, prepare=False)
    assert {str(hs.CLIENT.parent), str(RUNNER.parent), os.path.realpath(sys.executable)} <= set(needs.protect)
    hooks = json.loads(needs.files[str(sandboxing.MANAGED_FILE)])
    command = shlex.split(hooks["hooks"]["PreToolUse"][0]["hooks"][0]["command"])
    assert os.path.realpath(command[0]) in needs.protect and command[1:3] == ["-I", "-S"]
    assert hooks["allowManagedHooksOnly"] is True


def _aegis(project: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AEGIS_", "CLAUDE_"))}
    env.update(HOME=str(home), AEGIS_HOME=str(home / ".aegis"))
    return subprocess.run([sys.executable, "-m", "aegis_core.cli", *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120)


def test_install_and_uninstall_through_the_real_cli_leave_no_trace(tmp_path: Path) -> None:
    """`aegis claude install` as a user types it: the shared project scope is refused
    (exit 2, the reason and the way out), the local one comes and goes without a trace."""
    project, home = tmp_path / "project", tmp_path / "home"
    project.mkdir()
    home.mkdir()
    refused = _aegis(project, home, "claude", "install", "--scope", "project")
    assert refused.returncode == 2, refused.stderr
    (line,) = refused.stderr.splitlines()
    assert "this machine's own paths" in line and "--scope local" in line
    assert not (project / ".claude").exists()

    installed = _aegis(project, home, "claude", "install", "--scope", "local")
    assert installed.returncode == 0, installed.stderr
    local = project / ".claude" / "settings.local.json"
    assert set(json.loads(local.read_text())["hooks"]) == set(hs.default_hooks_settings(60)["hooks"])
    removed = _aegis(project, home, "claude", "uninstall", "--scope", "local")
    assert removed.returncode == 0, removed.stderr
    assert list(project.iterdir()) == []  # no {}, no backup, no empty folder
    assert not (home / ".claude").exists() and not (home / ".claude.json").exists()
