"""Codex's hooks and their trust: the hash Codex 0.171 trusts a hook by, the -c
overrides of `aegis wrap codex`, and `aegis codex install/uninstall` editing hooks.json
and config.toml without losing anything of the user's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aegis_codex import settings as cs
from aegis_codex.commands import codex
from aegis_codex.doctor import hook_install_check
from click.testing import CliRunner

from aegis_core.config import load_config
from aegis_core.hooksettings import iter_hooks


def test_the_trust_hash_is_the_one_codex_computes() -> None:
    # Recorded with the real Codex 0.171.0: this hook ran only with exactly this trusted_hash.
    group = {"hooks": [{"type": "command", "command": "/tmp/agents-cli/explore/hook.sh", "timeout": 30}]}
    assert cs.trusted_hash("PreToolUse", group, group["hooks"][0]) == (
        "sha256:093efce05d336baea1b08876539904649a2bc8e686c1d6cb10777db01c1ac605")


def test_a_changed_command_or_timeout_changes_the_hash() -> None:
    hook = {"type": "command", "command": "/a/guard.sh", "timeout": 30}
    base = cs.trusted_hash("PreToolUse", {}, hook)
    assert cs.trusted_hash("PreToolUse", {}, {**hook, "timeout": 31}) != base
    assert cs.trusted_hash("PreToolUse", {}, {**hook, "command": "/b/guard.sh"}) != base
    assert cs.trusted_hash("PostToolUse", {}, hook) != base
    assert cs.trusted_hash("PreToolUse", {"matcher": "Bash"}, hook) != base


def test_wrap_overrides_carry_the_hooks_and_their_trust() -> None:
    block = cs.hooks_block(330)
    args = cs.cli_overrides(block)
    assert args[::2] == ["-c"] * (len(args) // 2)
    values = dict(arg.split("=", 1) for arg in args[1::2])
    assert set(values) == {"features.hooks", "hooks.PreToolUse", "hooks.PostToolUse", "hooks.state"}
    assert values["features.hooks"] == "true"  # the user's config cannot turn them off for this run
    pre = block["hooks"]["PreToolUse"][0]
    key = "/<session-flags>/config.toml:pre_tool_use:0:0"
    assert f'"{key}" = {{"trusted_hash" = "{cs.trusted_hash("PreToolUse", pre, pre["hooks"][0])}"}}' in values[
        "hooks.state"]
    assert json.dumps(pre["hooks"][0]["command"]) in values["hooks.PreToolUse"]


USER_HOOKS = {"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "fmt.sh"}]}],
                        "Stop": [{"hooks": [{"type": "command", "command": "notify.sh"}]}]}}
USER_CONFIG = '''# my codex config
model = "o3"

[hooks.state."{hooks}:pre_tool_use:0:0"]
trusted_hash = "sha256:mine"
'''


@pytest.fixture
def codex_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "codex-home"
    home.mkdir()
    monkeypatch.setenv("CODEX_HOME", str(home))
    monkeypatch.setenv("HOME", str(tmp_path))
    return home


def test_install_trusts_our_hooks_keeps_the_users_and_uninstall_restores(codex_home: Path) -> None:
    hooks, config = codex_home / "hooks.json", codex_home / "config.toml"
    hooks.write_text(json.dumps(USER_HOOKS))
    config.write_text(USER_CONFIG.format(hooks=hooks))
    block = cs.hooks_block(330)

    changed, backup = cs.install(hooks, block, config)
    assert changed and backup is not None
    installed = json.loads(hooks.read_text())
    assert installed["hooks"]["PreToolUse"][0] == USER_HOOKS["hooks"]["PreToolUse"][0]
    assert installed["hooks"]["Stop"] == USER_HOOKS["hooks"]["Stop"]
    state = cs.trust_state(config)
    for key, value in cs.trust_entries(installed, str(hooks)).items():
        assert state[key]["trusted_hash"] == value
    assert state[f"{hooks}:pre_tool_use:0:0"]["trusted_hash"] == "sha256:mine"  # the user's own
    assert config.read_text().startswith("# my codex config\nmodel = \"o3\"")
    for event, g, h, hook in iter_hooks(installed):
        if cs.OWNER.owns(hook):
            assert cs.trust_problem(hooks, event, g, h, hook, config) is None

    assert cs.install(hooks, block, config) == (False, None)  # idempotent

    assert cs.uninstall(hooks, config)[0]
    assert json.loads(hooks.read_text()) == USER_HOOKS
    assert set(cs.trust_state(config)) == {f"{hooks}:pre_tool_use:0:0"}


def test_the_users_trust_follows_a_hook_whose_position_changes(codex_home: Path) -> None:
    hooks, config = codex_home / "hooks.json", codex_home / "config.toml"
    block = cs.hooks_block(330)
    cs.install(hooks, block, config)
    # The user adds a hook after ours and trusts it; then Aegis' hooks are removed.
    data = json.loads(hooks.read_text())
    data["hooks"]["PreToolUse"].append({"hooks": [{"type": "command", "command": "audit.sh"}]})
    hooks.write_text(json.dumps(data))
    cs.update_trust(config, set_entries={f"{hooks}:pre_tool_use:1:0": "sha256:theirs"}, moves={}, drop=())
    cs.uninstall(hooks, config)
    assert cs.trust_state(config) == {f"{hooks}:pre_tool_use:0:0": {"trusted_hash": "sha256:theirs"}}


def test_doctor_names_an_untrusted_or_stale_hook(codex_home: Path) -> None:
    hooks, config = codex_home / "hooks.json", codex_home / "config.toml"
    cs.install(hooks, cs.hooks_block(330), config)
    check = hook_install_check()
    assert check.run(load_config()).status == "pass"
    key = f"{hooks}:pre_tool_use:0:0"
    cs.update_trust(config, set_entries={key: "sha256:stale"}, moves={}, drop=())
    result = check.run(load_config())
    assert result.status == "fail" and "stale" in result.message
    cs.update_trust(config, set_entries={}, moves={}, drop=[key])
    result = check.run(load_config())
    assert result.status == "fail" and "not trusted" in result.message
    assert result.fixer is not None
    result.fixer()
    assert check.run(load_config()).status == "pass"


def test_doctor_flags_a_hook_without_the_guard(codex_home: Path) -> None:
    hooks, config = codex_home / "hooks.json", codex_home / "config.toml"
    block = cs.hooks_block(330)
    hook = block["hooks"]["PreToolUse"][0]["hooks"][0]
    hook["command"] = hook["command"].split(" ", 3)[3]  # the client alone: a crash would let the call run
    cs.install(hooks, block, config)
    result = hook_install_check().run(load_config())
    assert result.status == "fail" and "guard.sh" in result.message


def test_a_broken_config_toml_is_left_alone(codex_home: Path) -> None:
    config = codex_home / "config.toml"
    config.write_text("model = [unclosed\n")
    result = CliRunner().invoke(codex, ["install"])
    assert result.exit_code != 0 and "not valid TOML" in str(result.exception or result.output)
    assert config.read_text() == "model = [unclosed\n"


def test_commands_install_settings_and_uninstall(codex_home: Path) -> None:
    runner = CliRunner()
    shown = runner.invoke(codex, ["settings", "--approval-timeout", "60"])
    assert shown.exit_code == 0 and "trusted_hash" in shown.output and '"timeout": 90' in shown.output
    installed = runner.invoke(codex, ["install", "--approval-timeout", "60"])
    assert installed.exit_code == 0 and "Trusted them" in installed.output
    again = runner.invoke(codex, ["install", "--approval-timeout", "60"])
    assert "nothing changed" in again.output
    removed = runner.invoke(codex, ["uninstall"])
    assert removed.exit_code == 0 and "Removed" in removed.output


def test_install_refuses_the_shared_project_scope(codex_home: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(codex, ["install", "--scope", "project"])
    assert result.exit_code != 0 and "this machine's own paths" in str(result.exception)
    assert not (tmp_path / ".codex").exists()


def test_uninstall_leaves_no_trace_of_what_aegis_alone_made(codex_home: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(codex, ["install"]).exit_code == 0
    assert runner.invoke(codex, ["uninstall"]).exit_code == 0
    # No hooks.json, no config.toml, no backups: the folder held only them, so it went too.
    assert not codex_home.exists() or list(codex_home.iterdir()) == []


def test_doctor_finds_the_cli_the_config_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from aegis_codex.doctor import cli_check

    bin_dir, aegis_home = tmp_path / "bin", tmp_path / "aegis"
    bin_dir.mkdir()
    aegis_home.mkdir()
    monkeypatch.setenv("AEGIS_HOME", str(aegis_home))
    monkeypatch.setenv("PATH", str(bin_dir))
    unused = cli_check().run(load_config())  # never installed, never configured: not a problem
    assert unused.status == "pass" and "'codex' is not on PATH (skipped" in unused.message
    assert "npm install -g @openai/codex" in unused.message
    (aegis_home / "config.toml").write_text('[codex]\nexecutable = "codex-nightly"\n')
    missing = cli_check().run(load_config())  # configured but missing: the user meant to use it
    assert missing.status == "warn" and "'codex-nightly' is not on PATH" in missing.message
    assert missing.fix == "npm install -g @openai/codex"
    mine = bin_dir / "codex-nightly"
    mine.write_text("#!/bin/sh\n")
    mine.chmod(0o755)
    found = cli_check().run(load_config())
    assert (found.status, found.message) == ("pass", str(mine))
