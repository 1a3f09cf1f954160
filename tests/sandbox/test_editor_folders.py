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
from sandbox_support import Machine

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
        # Left as the empty folder that stood in for it, or nothing: never the agent's.
        assert not os.path.lexists(path) or (path.is_dir() and not path.is_symlink() and not any(path.iterdir()))
        assert not os.path.lexists(f"{path}.old")


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
    assert [item.path.name for item in held] == [".mcp.json"]  # the user's .devcontainer.json: no stand-in
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
