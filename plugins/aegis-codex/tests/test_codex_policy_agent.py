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
