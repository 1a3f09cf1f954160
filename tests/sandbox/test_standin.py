"""Files the agent must not create (a project's ``.mcp.json``: MCP servers the next
session starts): with real bubblewrap, as root and as an ordinary user, the agent can
neither create, write, remove nor replace one that does not exist; the stand-in that
makes this so is gone after the session, unless another session still needs it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sandbox_support import Machine, as_uid

from aegis_core.sandbox.defaults import STAND_IN_CONTENT
from aegis_core.sandbox.manifest import Manifest
from aegis_core.sandbox.plan import build_plan
from aegis_core.sandbox.standin import claim, claim_all

pytestmark = pytest.mark.sandbox

STAND_IN = STAND_IN_CONTENT[".mcp.json"]
# What an agent (or a script it wrote) would try, each a way to end up with its own
# .mcp.json in the project after the session.
ATTACKS = r"""
cd "$1"
try() { name=$1; shift; if "$@" 2>/dev/null; then echo "$name: DONE"; else echo "$name: refused"; fi; }
try write sh -c 'echo "{\"mcpServers\": {\"x\": {\"command\": \"sh\"}}}" > .mcp.json'
try append sh -c 'echo x >> .mcp.json'
try remove rm -f .mcp.json
try rename-away mv .mcp.json mcp-old.json
try replace-by-rename sh -c 'echo "{}" > new.json && mv -f new.json .mcp.json'
try link ln -sf /tmp/evil.json .mcp.json
try chmod chmod 0666 .mcp.json
try vscode-task sh -c 'mkdir -p .vscode && echo "{}" > .vscode/tasks.json'
cat .mcp.json
"""


def attack(machine: Machine, held: list) -> subprocess.CompletedProcess[str]:
    return machine.run(["/bin/sh", "-c", ATTACKS, "attack", str(machine.project)], stand_ins=held)


def test_the_agent_cannot_create_a_missing_mcp_json(machine: Machine) -> None:
    mcp = machine.project / ".mcp.json"
    assert not mcp.exists()
    held: list = []
    done = attack(machine, held)
    assert done.returncode == 0, done.stderr
    for name in ("write", "append", "remove", "rename-away", "replace-by-rename", "link", "chmod", "vscode-task"):
        assert f"{name}: refused" in done.stdout, done.stdout
    assert done.stdout.rstrip().endswith(STAND_IN.strip())  # what the agent reads: no server
    # During the session the stand-in is there on the host too, unchanged.
    assert mcp.read_text() == STAND_IN
    for item in held:
        assert item.release()
    # Afterwards: no .mcp.json at all (the project is as the user left it) and nothing
    # the agent wrote anywhere in its place.
    assert not os.path.lexists(mcp)
    assert not (machine.project / ".vscode" / "tasks.json").exists()
    status = subprocess.run(["git", "-c", "safe.directory=*", "-C", str(machine.project), "status", "--short"],
                            capture_output=True, text=True)
    assert ".mcp.json" not in status.stdout and "mcp-old.json" not in status.stdout


def test_an_existing_mcp_json_stays_the_users_and_read_only(machine: Machine) -> None:
    mcp = machine.project / ".mcp.json"
    mine = '{"mcpServers": {"docs": {"command": "docs-server"}}}\n'
    mcp.write_text(mine)
    machine.chown()
    held: list = []
    done = attack(machine, held)
    assert "write: refused" in done.stdout and "remove: refused" in done.stdout, done.stdout
    assert [item for item in held if item.path.name == ".mcp.json"] == []  # not a stand-in: nothing to take away
    for item in held:
        item.release()
    assert mcp.read_text() == mine


def test_a_stand_in_stays_while_another_session_stands_on_it(machine: Machine) -> None:
    """Removing a file bound in another sandbox would take the mount away there: the
    second session's agent could then create the file. So the first session to end
    leaves it; the last one removes it."""
    mcp = machine.project / ".mcp.json"
    first: list = []
    machine.contained(["true"], stand_ins=first, session="s-first")
    second: list = []
    command, env = machine.contained(["/bin/sh", "-c", ATTACKS, "attack", str(machine.project)],
                                     stand_ins=second, session="s-second")
    first, second = ([item for item in held if item.path.name == ".mcp.json"] for held in (first, second))
    assert len(first) == len(second) == 1
    assert not first[0].release()  # the second session still holds it
    assert mcp.read_text() == STAND_IN
    done = subprocess.run(as_uid(machine.uid, command), env=env, cwd=machine.project, text=True,
                          capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    assert "write: refused" in done.stdout and "remove: refused" in done.stdout, done.stdout + done.stderr
    assert second[0].release()
    assert not os.path.lexists(mcp)


def test_a_stand_in_the_user_changed_is_kept(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    held = claim(project / ".mcp.json", STAND_IN)
    assert held is not None
    (project / ".mcp.json").write_text('{"mcpServers": {"mine": {"command": "x"}}}\n')  # the user, outside
    assert not held.release()
    assert "mine" in (project / ".mcp.json").read_text()


def test_a_stand_in_that_cannot_be_made_is_not_bound(tmp_path: Path) -> None:
    if os.getuid() == 0:
        pytest.skip("root can write any folder")
    project = tmp_path / "locked"
    project.mkdir()
    project.chmod(0o555)
    try:
        assert claim(project / ".mcp.json", STAND_IN) is None
    finally:
        project.chmod(0o755)


def test_the_plan_stands_in_for_a_missing_or_left_over_mcp_json(tmp_path: Path) -> None:
    home, project = tmp_path / "home", tmp_path / "home" / "p"
    project.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(project)], check=True)

    def kinds() -> list[str]:
        plan = build_plan(Manifest(), session="s", cwd=project, home=home, aegis_home=tmp_path / "ah",
                          tmp_dir=tmp_path / "tmp", empty_dir=tmp_path / "empty")
        return [m.kind for m in plan.mounts if m.dest == str(project / ".mcp.json")]

    assert kinds() == ["stand-in"]
    (project / ".mcp.json").write_text(STAND_IN)  # a stand-in left by a killed session
    assert kinds() == ["stand-in"]
    (project / ".mcp.json").write_text("{}")
    assert kinds() == ["ro"]


def test_claiming_turns_stand_ins_into_read_only_binds(tmp_path: Path) -> None:
    home, project = tmp_path / "home", tmp_path / "home" / "p"
    project.mkdir(parents=True)
    plan = build_plan(Manifest(), session="s", cwd=project, home=home, aegis_home=tmp_path / "ah",
                      tmp_dir=tmp_path / "tmp", empty_dir=tmp_path / "empty")
    claimed, held = claim_all(plan)
    try:
        assert [m.kind for m in claimed.mounts if m.dest == str(project / ".mcp.json")] == ["ro"]
        assert str(project / ".mcp.json") in claimed.read_only()
        assert (project / ".mcp.json").read_text() == STAND_IN
    finally:
        for item in held:
            item.release()
    assert not (project / ".mcp.json").exists()
