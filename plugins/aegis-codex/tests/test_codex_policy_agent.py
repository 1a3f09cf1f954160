"""`aegis policy test --agent codex`: the call judged as Codex's hook reports it, so the
same policy judges an apply_patch on ~/.bashrc like a write to ~/.bashrc."""

from __future__ import annotations

import json

from click.testing import CliRunner

from aegis_core.cli import cli

PATCH = "*** Begin Patch\n*** Update File: src/a.py\n@@\n-a\n+b\n*** Add File: {target}\n+x\n*** End Patch"


def judge(*args: str, stdin: str | None = None) -> list[dict]:
    result = CliRunner().invoke(cli, ["policy", "test", *args], input=stdin)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_a_patch_touching_a_startup_file_is_judged_like_writing_it(tmp_path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    bashrc = "~/.bashrc"
    (patched,) = judge("--agent", "codex", "--tool", "apply_patch", "--cwd", str(project),
                       "--input", json.dumps({"command": PATCH.format(target=bashrc)}))
    (written,) = judge("--tool", "Write", "--path", bashrc, "--cwd", str(project))
    assert patched["action"] == written["action"] != "allow"
    assert patched["rule"] == written["rule"]
    (inside,) = judge("--agent", "codex", "--tool", "apply_patch", "--cwd", str(project),
                      "--input", json.dumps({"command": PATCH.format(target="src/b.py")}))
    assert inside["action"] == "allow"


def test_batch_lines_may_name_their_agent(tmp_path) -> None:
    lines = [
        {"tool": "apply_patch", "agent": "codex", "cwd": str(tmp_path),
         "input": {"command": PATCH.format(target="~/.profile")}},
        {"tool": "Bash", "agent": "codex", "input": {"command": "git status"}, "cwd": str(tmp_path)},
        {"tool": "Bash", "agent": "no-such-agent", "input": {"command": "ls"}},
        {"tool": "apply_patch", "agent": "codex", "input": {"command": "not a patch"}},
    ]
    out = judge("--batch", stdin="".join(json.dumps(line) + "\n" for line in lines))
    assert [o["action"] for o in out] == ["require_approval", "allow", "deny", "deny"]
    assert "no-such-agent" in out[2]["reason"] and "cannot read" in out[3]["reason"]


def test_the_reason_names_the_files_the_patch_touches_and_the_rule(tmp_path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    for target, patch_key in (("~/.bashrc", "command"), ("/etc/cron.d/job", "patch"), ("../../elsewhere.txt", "input")):
        (verdict,) = judge("--agent", "codex", "--tool", "apply_patch", "--cwd", str(project),
                           "--input", json.dumps({patch_key: PATCH.format(target=target)}))
        assert verdict["action"] != "allow"
        reason = verdict["reason"]
        assert target in reason and "src/a.py" in reason, reason
        assert f"[rule {verdict['rule']}]" in reason
        assert "*** " not in reason and "Begin Patch" not in reason


def test_the_approval_shows_the_files_then_the_patch() -> None:
    from aegis_codex.adapter import CodexAdapter

    call = CodexAdapter().tool_call("apply_patch", {"command": PATCH.format(target="~/.bashrc")}, "/w")
    assert call.command is None  # a patch is no shell command, whatever its key
    files, change = call.summary().split("\n", 1)
    assert files == "src/a.py ~/.bashrc"
    assert "*** Add File: ~/.bashrc" in change and "+x" in change
