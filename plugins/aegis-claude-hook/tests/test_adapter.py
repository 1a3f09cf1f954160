"""`aegis wrap claude` through the adapter, with a stand-in `claude` program on PATH
(a real process that records what it was given)."""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path

import pytest
from aegis_claude_hook import plugin
from aegis_claude_hook.adapter import ClaudeAdapter
from conftest import PYTHON

from aegis_core.adapters import Adapter, WrapContext
from aegis_core.config import load_config
from aegis_core.errors import DependencyMissing, ExitCode
from aegis_core.testing import make_plugins

RECORDER = f"""#!{PYTHON}
import json, os, sys
settings = sys.argv[sys.argv.index("--settings") + 1]
record = {{"argv": sys.argv[1:], "settings": json.load(open(settings)),
          "mode": os.stat(settings).st_mode & 0o777,
          "env": {{k: v for k, v in os.environ.items() if k.startswith("AEGIS_")}}}}
json.dump(record, open(os.environ["RECORD_TO"], "w"))
args = sys.argv[1:]
for flag in ("--session-id", "--resume"):
    if flag in args and os.environ.get("SAVE_TRANSCRIPT"):  # as Claude Code keeps a conversation
        folder = os.path.join(os.environ["HOME"], ".claude", "projects", "-some-project")
        os.makedirs(folder, exist_ok=True)
        open(os.path.join(folder, args[args.index(flag) + 1] + ".jsonl"), "w").close()
sys.exit(int(os.environ.get("EXIT_WITH", "0")))
"""


@pytest.fixture
def fake_claude(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    program = bin_dir / "claude"
    program.write_text(RECORDER)
    program.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("RECORD_TO", str(tmp_path / "record.json"))
    return program


def context(home: Path, *, dry_run: bool = False, env: dict[str, str] | None = None) -> WrapContext:
    config = load_config(home=home, env=env or {}, sections=[plugin.SECTION])
    return WrapContext(
        config=config,
        plugins=make_plugins(),
        home=home,
        socket=home / "aegis.sock",
        session="sess1",
        token="secret-token",
        dry_run=dry_run,
        timeout=None,
    )


def test_registered_adapter_claims_claude() -> None:
    adapters = make_plugins(plugin).adapters()
    adapter = adapters["claude"]
    assert isinstance(adapter, Adapter)
    assert adapter.claims("claude") and adapter.claims("/usr/local/bin/claude")
    assert not adapter.claims("codex")


def test_wrap_runs_claude_with_session_settings(
    aegis_home: Path, fake_claude: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXIT_WITH", "3")
    status = ClaudeAdapter().wrap(["claude", "-p", "hello"], context(aegis_home))
    assert status == 3
    record = json.loads((tmp_path / "record.json").read_text())
    settings_path = str(aegis_home / "sessions" / "sess1.json")
    assert record["argv"][:2] == ["--settings", settings_path]
    assert record["argv"][2] == "--session-id" and record["argv"][4:] == ["-p", "hello"]
    assert record["mode"] == 0o600
    hook = record["settings"]["hooks"]["PreToolUse"][0]["hooks"][0]
    assert (
        hook["onFailure"] == "block" and hook["timeout"] == 330
    )  # default approvals timeout + slack
    assert record["env"] == {
        "AEGIS_SOCKET": str(aegis_home / "aegis.sock"),
        "AEGIS_SESSION": "sess1",
        "AEGIS_SESSION_TOKEN": "secret-token",
        "AEGIS_HOME": str(aegis_home),
    }
    assert stat.S_IMODE((aegis_home / "sessions").stat().st_mode) == 0o700
    assert not Path(settings_path).exists()  # removed when Claude Code exits


def test_configured_executable_is_used(aegis_home: Path, fake_claude: Path, tmp_path: Path) -> None:
    renamed = fake_claude.with_name("claude-beta")
    fake_claude.rename(renamed)
    ctx = context(aegis_home, env={"AEGIS_CLAUDE_EXECUTABLE": str(renamed)})
    assert ClaudeAdapter().wrap(["claude"], ctx) == 0
    assert json.loads((tmp_path / "record.json").read_text())["argv"][0] == "--settings"


def test_missing_claude_is_exit_7_with_the_npm_command(
    aegis_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(DependencyMissing) as raised:
        ClaudeAdapter().wrap(["claude", "-p", "x"], context(aegis_home))
    assert raised.value.exit_code == ExitCode.DEPENDENCY == 7
    assert "npm install -g @anthropic-ai/claude-code" in str(raised.value)
    assert not (aegis_home / "sessions" / "sess1.json").exists()


def test_dry_run_prints_and_runs_nothing(
    aegis_home: Path, fake_claude: Path, tmp_path: Path
) -> None:
    out = io.StringIO()
    assert (
        ClaudeAdapter(out=out).wrap(["claude", "-p", "hi"], context(aegis_home, dry_run=True)) == 0
    )
    text = out.getvalue()
    assert f"{fake_claude} --settings {aegis_home}/sessions/sess1.json --session-id " in text
    assert text.rstrip().endswith(" -p hi")
    assert '"onFailure": "block"' in text
    assert "secret-token" not in text
    assert not (tmp_path / "record.json").exists()
    assert not (aegis_home / "sessions" / "sess1.json").exists()


RESUMED = "0b7c9a4e-1f2d-4c3b-9a8e-7d6c5b4a3f21"


@pytest.mark.parametrize(("args", "hint"), [
    ([], "picked"),  # Aegis chose the conversation id with --session-id
    (["--resume", RESUMED], RESUMED),  # the user's own id is kept, none added
    (["-p", "hi"], None),  # headless: nothing to resume at a terminal
])
def test_the_resume_command_printed_after_claude_names_aegis(
    aegis_home: Path, fake_claude: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    args: list[str], hint: str | None,
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)
    monkeypatch.setenv("SAVE_TRANSCRIPT", "1")
    out = io.StringIO()
    assert ClaudeAdapter(out=out).wrap(["claude", *args], context(aegis_home)) == 0
    argv = json.loads((tmp_path / "record.json").read_text())["argv"]
    if args[:1] == ["--resume"]:
        assert "--session-id" not in argv
    if hint is None:
        assert out.getvalue() == ""
        return
    expected = argv[argv.index("--session-id") + 1] if hint == "picked" else hint
    assert out.getvalue() == f"aegis: to resume this session under Aegis: aegis wrap claude --resume {expected}\n"


def test_no_resume_command_when_claude_kept_no_conversation(
    aegis_home: Path, fake_claude: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SAVE_TRANSCRIPT", raising=False)
    out = io.StringIO()
    ClaudeAdapter(out=out).wrap(["claude"], context(aegis_home))
    assert out.getvalue() == ""
