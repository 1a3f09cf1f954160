"""The code reader's budget (codecommands.MOST_CALLS and its kin): real code is read and
judged however large, up to the reader's limit; text denser with calls, string pieces,
names of the home folder or joined strings than any real code is not read but asks,
saying why, whichever way it reaches a file that runs (Write, Edit, a shell command
writing it, a script run from disk). A budget must never let what is past it pass."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from policy_support import shell, tool_call

from aegis_core.models import Action, Verdict
from aegis_core.policy import codecommands, default_policy, forget_caches

POLICY = default_policy()


def _routine_module(calls: int) -> str:
    """A JavaScript build helper of ~16 KB holding ``calls`` routine calls that run a
    command (more than any file measured holds: 29 in 32 KB), among ordinary code."""
    parts = ["const { execSync, spawnSync } = require('child_process');\nconst path = require('path');\n"]
    for number in range(calls):
        parts.append(f"function step{number}(dir) {{\n  const out = path.join(dir, 'dist', 'part{number}');\n"
                     f"  // build part {number} of the bundle, then list what it made\n"
                     f"  execSync('npm run build --workspace part{number}', {{ stdio: 'inherit' }});\n"
                     f"  return spawnSync('ls', ['-la', out]).stdout.toString().trim();\n}}\n\n")
    text = "".join(parts)
    return text + "// " + "padding for size " * ((codecommands.MAX_CODE_CHARS - 200 - len(text)) // 18) + "\n"


def _write(path: str, content: str, project: str = "/home/dev/code/app") -> Verdict:
    forget_caches()
    return POLICY.evaluate(tool_call("Write", cwd=project, file_path=f"{project}/{path}", content=content))


def test_a_large_realistic_program_is_read_and_judged() -> None:
    module = _routine_module(60)
    assert len(module) > codecommands.MAX_CODE_CHARS * 0.9
    assert 60 * 4 <= codecommands.MOST_PIECES  # within the budget: read call by call
    assert "npm run build --workspace part59" in codecommands.code_commands(module, "src/build.js")
    assert _write("src/build.js", module).action is Action.ALLOW
    # ...and what it hides among them is found and judged, not sent to the budget's reason.
    head, tail = module.rsplit("function step30", 1)
    wiping = head + "execSync('rm -rf ' + os.homedir());\nfunction step30" + tail
    verdict = _write("src/build.js", wiping)
    assert verdict.action is Action.REQUIRE_APPROVAL, verdict
    assert "more than real code does" not in verdict.reason
    assert "rm -rf ~" in verdict.reason


# (what is too dense, the words its reason holds)
CROWDED = [
    ("exec('a' " * (codecommands.MOST_CALLS + 10),
     f"more than {codecommands.MOST_CALLS} calls to a shell or a process"),
    ("".join(f"exec('!{n}' " for n in range(1700)), f"more than {codecommands.MOST_PIECES} string pieces"),
    ("".join(f"h{n} := os.UserHomeDir()\n" for n in range(40)) + "exec.Command('ls', h1)\n",
     f"more than {codecommands.MOST_HOME_NAMES} names set to the home folder"),
    ("'a' + 'b' + " * 1300, f"more than {codecommands.MOST_JOINS} strings joined by an operator"),
]


@pytest.mark.parametrize(("text", "why"), CROWDED, ids=[why.split(" ", 3)[-1] for _, why in CROWDED])
def test_text_denser_than_real_code_asks_saying_why(text: str, why: str) -> None:
    with pytest.raises(codecommands.Crowded, match=why):
        codecommands.code_commands(text, "src/x.go")
    verdict = _write("src/x.go", text[:codecommands.MAX_CODE_CHARS])
    assert verdict.action is Action.REQUIRE_APPROVAL, verdict
    assert why in verdict.reason and "x.go" in verdict.reason and "not read further" in verdict.reason


@pytest.mark.parametrize("dangerous", ["execSync('rm -rf ' + os.homedir());\n",
                                       "fs.rmSync(os.homedir(), {recursive: true});\n"])
def test_a_dangerous_call_before_or_after_the_crowd_is_never_allowed(dangerous: str) -> None:
    crowd = "exec('a' " * 1700
    for text in (dangerous + crowd, crowd + "\n" + dangerous):
        assert _write("src/x.js", text).action is Action.REQUIRE_APPROVAL


def test_an_edit_too_dense_to_read_asks() -> None:
    forget_caches()
    call = tool_call("Edit", file_path="/home/dev/code/app/src/x.js", old_string="a", new_string="exec('a' " * 1800)
    verdict = POLICY.evaluate(call)
    assert verdict.action is Action.REQUIRE_APPROVAL and "calls to a shell" in verdict.reason, verdict


def test_a_shell_command_writing_text_too_dense_to_read_asks() -> None:
    forget_caches()
    command = "cat > src/x.js <<'EOF'\n" + "exec('a' " * 1500 + "\nEOF"
    verdict = POLICY.evaluate(shell(command))
    assert verdict.action is Action.REQUIRE_APPROVAL and "calls to a shell" in verdict.reason, verdict


def test_a_script_on_disk_too_dense_to_read_asks_when_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home" / "dev"
    project = home / "code" / "app"
    (project / "scripts").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    script = project / "scripts" / "x.js"
    script.write_text("exec('a' " * 1800)
    forget_caches()
    verdict = POLICY.evaluate(shell("node scripts/x.js", cwd=str(project)))
    assert verdict.action is Action.REQUIRE_APPROVAL and "calls to a shell" in verdict.reason, verdict
    script.write_text("console.log('hello')\n")
    forget_caches()
    assert POLICY.evaluate(shell("node scripts/x.js", cwd=str(project))).action is Action.ALLOW


def test_the_budget_bounds_the_reading_of_a_text_made_to_be_slow(monkeypatch: pytest.MonkeyPatch) -> None:
    # Distinct calls, each handed many string pieces; names of the home folder to look
    # for between every two pieces: read in full, ~45 ms and ~5 s. Counted, not timed:
    # the reader stops once the budget is spent.
    texts = ["".join(f"exec('!{n}' " for n in range(1700)),
             "".join(f"h{n} := os.UserHomeDir()\n" for n in range(520))
             + "".join(f"exec('!{n}' + x + 'b' + y + 'c')\n" for n in range(200))]
    for text in texts:
        pieces: list[str] = []
        literal = codecommands._LITERAL
        monkeypatch.setattr(codecommands, "_LITERAL", _Counting(literal, pieces))
        with pytest.raises(codecommands.Crowded):
            codecommands.code_commands(text, "src/x.go")
        monkeypatch.setattr(codecommands, "_LITERAL", literal)
        assert len(pieces) <= codecommands.MOST_PIECES + 1


class _Counting:
    """A pattern whose finditer keeps each match it gives."""

    def __init__(self, pattern: re.Pattern[str], found: list[str]) -> None:
        self.pattern, self.found = pattern, found

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        for match in self.pattern.finditer(text):
            self.found.append(match.group(0))
            yield match


def test_a_script_on_disk_with_more_commands_than_judged_asks_when_run(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # 130 routine calls, then one that wipes the home: the first 120 were judged, the
    # rest never read, and running the file was allowed. It asks, as writing it does.
    home = tmp_path / "home" / "dev"
    project = home / "code" / "app"
    (project / "scripts").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    routine = "".join(f"execSync('mkdir -p build/{n}');\n" for n in range(130))
    script = project / "scripts" / "x.js"
    for body in (routine, routine + "execSync('rm -rf ' + os.homedir());\n"):
        script.write_text(body)
        forget_caches()
        verdict = POLICY.evaluate(shell("node scripts/x.js", cwd=str(project)))
        assert verdict.action is Action.REQUIRE_APPROVAL and "too many to judge one by one" in verdict.reason, verdict
    script.write_text(routine[:2000])
    forget_caches()
    assert POLICY.evaluate(shell("node scripts/x.js", cwd=str(project))).action is Action.ALLOW
