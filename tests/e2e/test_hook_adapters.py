"""What the hook adapters share (aegis_core.adapters.HookAdapter), through each real
adapter: the program each claims, the configured executable, the missing CLI's error,
`--dry-run` running nothing, and `policy test --agent` reading its own hook input."""

from __future__ import annotations

import importlib
import io
import os
from pathlib import Path

import pytest

from aegis_core.adapters import HookAdapter, WrapContext
from aegis_core.config import load_config
from aegis_core.errors import DependencyMissing, ExitCode
from aegis_core.testing import make_plugins

INSTALLS = {"claude": "@anthropic-ai/claude-code", "codex": "@openai/codex", "gemini": "@google/gemini-cli"}


def adapter(name: str) -> HookAdapter:
    module = {"claude": "aegis_claude_hook", "codex": "aegis_codex", "gemini": "aegis_gemini"}[name]
    found = make_plugins(importlib.import_module(f"{module}.plugin")).adapters()[name]
    assert isinstance(found, HookAdapter)
    return found


def context(home: Path, *, dry_run: bool = False, config: str = "") -> WrapContext:
    (home / "config.toml").write_text(config)
    return WrapContext(config=load_config(home=home, env={}), plugins=make_plugins(), home=home,
                       socket=home / "agent.sock", session="sess1", token="secret-token", dry_run=dry_run)


@pytest.fixture
def stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder on PATH for stand-in CLIs, each of which leaves a mark if it is ever run."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for name in INSTALLS:
        program = folder / name
        program.write_text(f"#!/bin/sh\ntouch {tmp_path}/ran-{name}\n")
        program.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    return folder


@pytest.mark.parametrize("name", ["codex", "gemini"])
def test_dry_run_says_what_and_runs_nothing(name: str, aegis_home: Path, stand_in: Path, tmp_path: Path) -> None:
    out = io.StringIO()
    chosen = adapter(name)
    chosen._out = out
    assert chosen.wrap([name, "exec", "hi"], context(aegis_home, dry_run=True)) == 0
    text = out.getvalue()
    assert str(stand_in / name) in text and text.rstrip().endswith("exec hi")
    assert "AEGIS_SESSION=sess1" in text and "secret-token" not in text
    assert not (tmp_path / f"ran-{name}").exists()
    assert not (aegis_home / "sessions").exists() or not list((aegis_home / "sessions").iterdir())


@pytest.mark.parametrize("name", sorted(INSTALLS))
def test_claims_its_program_and_names_the_install_when_missing(name: str, aegis_home: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = adapter(name)
    assert chosen.claims(name) and chosen.claims(f"/usr/local/bin/{name}")
    assert not any(chosen.claims(other) for other in INSTALLS if other != name)
    monkeypatch.setenv("PATH", str(aegis_home))  # no CLI anywhere
    with pytest.raises(DependencyMissing) as raised:
        chosen.program([name], context(aegis_home))
    assert raised.value.exit_code == ExitCode.DEPENDENCY
    assert INSTALLS[name] in str(raised.value) and f"[{name}] executable" in str(raised.value)


@pytest.mark.parametrize("name", sorted(INSTALLS))
def test_the_configured_executable_serves_the_bare_name(name: str, aegis_home: Path, stand_in: Path) -> None:
    elsewhere = aegis_home / f"my-{name}"
    elsewhere.write_text("#!/bin/sh\n")
    elsewhere.chmod(0o755)
    chosen = adapter(name)
    ctx = context(aegis_home, config=f'[{name}]\nexecutable = "{elsewhere}"\n')
    assert chosen.program([name, "a"], ctx) == (str(elsewhere), ["a"])
    assert chosen.program([str(stand_in / name)], ctx) == (str(stand_in / name), [])


@pytest.mark.parametrize("name", sorted(INSTALLS))
def test_policy_test_reads_the_adapters_own_hook_input(name: str) -> None:
    call = adapter(name).tool_call("read_file" if name == "gemini" else "Read", {"file_path": "/w/a.txt"}, "/w")
    assert call.agent == name and call.kind.value == "read" and call.cwd == "/w"
