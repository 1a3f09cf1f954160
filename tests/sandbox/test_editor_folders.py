"""Editors' and IDEs' project folders run what they hold when the human opens the
project, outside any sandbox (a VS Code task with ``runOn: folderOpen``, a JetBrains
run configuration or startup task, Zed's language-server binaries, a dev container's
``initializeCommand``). With real bubblewrap, as root and as an ordinary user, an
agent (or a script it wrote) can neither change one that exists nor create one that
does not, by any of the ways an attacker would try."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sandbox_support import Machine, as_uid

pytestmark = pytest.mark.sandbox

# Each: a file in an editor's folder that runs code when the project is opened.
PLANTED = (
    ".vscode/tasks.json",
    ".vscode/settings.json",
    ".idea/workspace.xml",
    ".idea/runConfigurations/evil.xml",
    ".zed/tasks.json",
    ".zed/settings.json",
    ".devcontainer/devcontainer.json",
)
PAYLOAD = '{"initializeCommand": "touch /tmp/pwned", "tasks": [{"command": "sh -c pwned"}]}'

ATTACKS = r"""
cd "$1"; payload=$2; shift 2
try() { name=$1; shift; if "$@" 2>/dev/null; then echo "$name: DONE"; else echo "$name: refused"; fi; }
for file in "$@"; do
  folder=${file%/*}
  try "write $file" sh -c "mkdir -p '${file%/*}' && printf '%s' '$payload' > '$file'"
  try "rename-away $folder" sh -c "mv '$folder' '$folder.old' && mkdir -p '${file%/*}' && printf x > '$file'"
  try "replace $folder by a link" sh -c "rm -rf '$folder' && ln -s \"\$TMPDIR\" '$folder'"
done
try "write .devcontainer.json" sh -c "printf '%s' '$payload' > .devcontainer.json"
try "replace .devcontainer.json" sh -c "printf '%s' '$payload' > new.json && mv -f new.json .devcontainer.json"
try "remove .devcontainer.json" rm -f .devcontainer.json
echo END
"""


def attack(machine: Machine, held: list) -> subprocess.CompletedProcess[str]:
    return machine.run(["/bin/sh", "-c", ATTACKS, "attack", str(machine.project), PAYLOAD, *PLANTED],
                       stand_ins=held)


def _refused_everything(out: str) -> None:
    assert out.rstrip().endswith("END"), out
    lines = [line for line in out.splitlines() if ": " in line]
    assert len(lines) == 3 * len(PLANTED) + 3, out
    assert all(line.endswith(": refused") for line in lines), out


def test_no_editor_folder_can_be_created(machine: Machine) -> None:
    held: list = []
    done = attack(machine, held)
    assert done.returncode == 0, done.stderr
    _refused_everything(done.stdout)
    for item in held:
        item.release()
    for name in PLANTED:
        assert not os.path.lexists(machine.project / name), name
    assert not os.path.lexists(machine.project / ".devcontainer.json")  # the stand-in went with the session
    for folder in {name.split("/")[0] for name in PLANTED}:
        path = machine.project / folder
        # The empty folder that stood in for it went with the session: the project is
        # as the user left it.
        assert not os.path.lexists(path), folder
        assert not os.path.lexists(f"{path}.old")
    left = sorted(entry.name for entry in machine.project.iterdir())
    assert left == [".git", "README.md", "new.json"], left  # (new.json: the attack's own file)


def test_the_folders_stay_while_another_session_stands_on_them(machine: Machine) -> None:
    """Removing a folder bound in another sandbox would take the mount away there (its
    agent could then create it): the first session to end leaves the folders, the last
    one removes them, whichever made them."""
    first: list = []
    machine.contained(["true"], stand_ins=first, session="s-first")
    second: list = []
    command, env = machine.contained(["/bin/sh", "-c", ATTACKS, "attack", str(machine.project), PAYLOAD, *PLANTED],
                                     stand_ins=second, session="s-second")
    folders = [item for item in first if item.content is None]
    assert {item.path.name for item in folders} >= {".vscode", ".idea", ".zed", ".devcontainer", ".claude"}
    for item in first:
        assert not item.release()  # the second session still holds each
    for item in folders:
        assert item.path.is_dir(), item.path
    done = subprocess.run(as_uid(machine.uid, command), env=env, cwd=machine.project, text=True,
                          capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    _refused_everything(done.stdout)
    for item in second:
        assert item.release(), item.path
    for item in folders:
        assert not os.path.lexists(item.path), item.path


def test_a_folder_of_the_users_stays(machine: Machine) -> None:
    """An empty folder the user had stays; one Aegis made that the user filled
    meanwhile (outside) stays with what they put there."""
    (machine.project / ".vscode").mkdir()
    machine.chown()
    held: list = []
    done = attack(machine, held)
    _refused_everything(done.stdout)
    (machine.project / ".idea" / "workspace.xml").write_text("the user's, written outside\n")
    for item in held:
        item.release()
    assert (machine.project / ".vscode").is_dir() and not any((machine.project / ".vscode").iterdir())
    assert (machine.project / ".idea" / "workspace.xml").read_text() == "the user's, written outside\n"
    assert not os.path.lexists(machine.project / ".zed")


def test_a_killed_sessions_folders_go_with_the_next_session(machine: Machine) -> None:
    """A session killed before its end leaves its folders (and their notes in Aegis'
    state): the next session stands on them, keeps the agent out, and removes them."""
    killed: list = []
    machine.contained(["true"], stand_ins=killed, session="s-killed")
    for item in killed:
        os.close(item.fd)  # its locks go with the process; its folders stay
    assert (machine.project / ".vscode").is_dir()
    held: list = []
    done = attack(machine, held)
    _refused_everything(done.stdout)
    for item in held:
        item.release()
    for folder in (".vscode", ".idea", ".zed", ".devcontainer", ".claude", ".codex", ".gemini", ".cursor"):
        assert not os.path.lexists(machine.project / folder), folder


def test_existing_editor_settings_stay_the_users(machine: Machine) -> None:
    mine = {name: f"the user's {name}\n" for name in PLANTED}
    for name, text in mine.items():
        path = machine.project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (machine.project / ".devcontainer.json").write_text('{"image": "mine"}\n')
    machine.chown()
    held: list = []
    done = attack(machine, held)
    assert done.returncode == 0, done.stderr
    _refused_everything(done.stdout)
    # The user's .devcontainer.json and editor folders: no stand-in (the agents' missing folders get one).
    assert [item.path.name for item in held if item.content is not None] == [".mcp.json"]
    assert not {item.path.name for item in held} & {".vscode", ".idea", ".zed", ".devcontainer"}
    for item in held:
        item.release()
    for name, text in mine.items():
        assert (machine.project / name).read_text() == text, name
    assert (machine.project / ".devcontainer.json").read_text() == '{"image": "mine"}\n'


def test_the_plan_names_them_read_only(machine: Machine) -> None:
    from aegis_core.sandbox.manifest import Manifest
    from aegis_core.sandbox.plan import build_plan

    plan = build_plan(Manifest(), session="s", cwd=machine.project, home=machine.home, aegis_home=machine.aegis_home,
                      tmp_dir=machine.tmp, empty_dir=machine.empty)
    read_only = set(plan.read_only())
    for folder in (".vscode", ".idea", ".zed", ".devcontainer", ".devcontainer.json"):
        assert str(Path(machine.project) / folder) in read_only, folder
