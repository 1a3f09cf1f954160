"""Gemini's hooks block, `aegis gemini install/uninstall`, the overlay of `aegis wrap
gemini`, and the doctor check."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from aegis_gemini import settings as gs
from aegis_gemini.commands import gemini
from aegis_gemini.doctor import hook_install_check
from click.testing import CliRunner

from aegis_core.config import load_config


def test_the_block_guards_before_tool_and_records_after_tool_in_milliseconds() -> None:
    block = gs.hooks_block(330, env={"AEGIS_SESSION": "s1"})
    (before,) = block["hooks"]["BeforeTool"][0]["hooks"]
    (after,) = block["hooks"]["AfterTool"][0]["hooks"]
    assert before["timeout"] == 330_000 and after["timeout"] == 30_000
    # Gemini runs hooks with `bash -c`: the guard is sourced into that shell.
    assert before["command"].startswith(". ") and "guard.sh" in before["command"]
    assert before["command"].endswith(" || exit 2")
    assert "guard.sh" not in after["command"]
    assert before["env"] == {"AEGIS_SESSION": "s1"}
    assert block["hooksConfig"] == {"enabled": True}


USER = {"security": {"auth": {"selectedType": "gemini-api-key"}},
        "hooks": {"BeforeTool": [{"matcher": "write_file", "hooks": [{"type": "command", "command": "fmt.sh"}]}]},
        "hooksConfig": {"enabled": False, "disabled": ["old.sh"]}}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("GEMINI_CLI_HOME", raising=False)
    (tmp_path / ".gemini").mkdir()
    return tmp_path


def test_install_keeps_the_users_settings_and_uninstall_removes_only_ours(home: Path) -> None:
    path = home / ".gemini" / "settings.json"
    path.write_text(json.dumps(USER))
    changed, backup = gs.install(path, gs.hooks_block(330))
    assert changed and backup is not None
    data = json.loads(path.read_text())
    assert data["security"] == USER["security"]
    assert data["hooks"]["BeforeTool"][0] == USER["hooks"]["BeforeTool"][0]
    assert data["hooksConfig"] == {"enabled": True, "disabled": ["old.sh"]}  # the user had turned hooks off
    assert gs.install(path, gs.hooks_block(330)) == (False, None)
    assert gs.uninstall(path)[0]
    after = json.loads(path.read_text())
    assert after["hooks"] == USER["hooks"] and after["security"] == USER["security"]
    assert not list(path.parent.glob("*.aegis-backup*"))


def test_the_wrap_overlay_merges_and_links_but_changes_nothing(home: Path, tmp_path: Path) -> None:
    real = home / ".gemini"
    (real / "settings.json").write_text(json.dumps(USER))
    (real / "oauth_creds.json").write_text("{}")
    (real / "tmp").mkdir()
    before = {p.name: p.read_bytes() for p in real.iterdir() if p.is_file()}
    overlay = gs.write_overlay(tmp_path / "run" / "s1-gemini", gs.hooks_block(330))
    merged = json.loads((overlay / ".gemini" / "settings.json").read_text())
    assert merged["hooksConfig"]["enabled"] is True and len(merged["hooks"]["BeforeTool"]) == 2
    assert (overlay / ".gemini" / "settings.json").stat().st_mode & 0o777 == 0o600
    assert os.readlink(overlay / ".gemini" / "oauth_creds.json") == str(real / "oauth_creds.json")
    assert (overlay / ".gemini" / "tmp").resolve() == (real / "tmp").resolve()
    gs.remove_overlay(overlay)
    assert not overlay.exists()
    assert {p.name: p.read_bytes() for p in real.iterdir() if p.is_file()} == before


def test_doctor_passes_installed_hooks_and_names_a_switch_that_turns_them_off(home: Path) -> None:
    path = home / ".gemini" / "settings.json"
    gs.install(path, gs.hooks_block(330))
    check = hook_install_check()
    assert check.run(load_config()).status == "pass"
    data = json.loads(path.read_text())
    data["hooksConfig"] = {"enabled": True, "disabled": ["aegis-BeforeTool"]}
    path.write_text(json.dumps(data))
    result = check.run(load_config())
    assert result.status == "fail" and "disabled" in result.message
    assert result.fixer is not None


def test_commands(home: Path) -> None:
    runner = CliRunner()
    shown = runner.invoke(gemini, ["settings", "--approval-timeout", "60"])
    assert shown.exit_code == 0 and '"timeout": 90000' in shown.output
    assert "Installed" in runner.invoke(gemini, ["install"]).output
    assert "nothing changed" in runner.invoke(gemini, ["install"]).output
    assert "Removed" in runner.invoke(gemini, ["uninstall"]).output


def test_install_refuses_the_shared_project_scope_and_uninstall_leaves_no_trace(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    runner = CliRunner()
    refused = runner.invoke(gemini, ["install", "--scope", "project"])
    assert refused.exit_code != 0 and "this machine's own paths" in str(refused.exception)
    assert not (project / ".gemini").exists()
    assert runner.invoke(gemini, ["install"]).exit_code == 0
    assert "hooksConfig" not in json.loads((home / ".gemini" / "settings.json").read_text())
    assert runner.invoke(gemini, ["uninstall"]).exit_code == 0
    assert list((home / ".gemini").iterdir()) == [] if (home / ".gemini").exists() else True


def test_install_turns_hooks_back_on_when_the_user_had_turned_them_off(home: Path) -> None:
    path = home / ".gemini" / "settings.json"
    path.write_text(json.dumps({"hooksConfig": {"enabled": False}}))
    gs.install(path, gs.hooks_block(330))
    assert json.loads(path.read_text())["hooksConfig"] == {"enabled": True}
