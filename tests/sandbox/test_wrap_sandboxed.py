"""`aegis wrap` end to end around a plain program (the PTY adapter): a real daemon, the
real sandbox, as root and as an ordinary user. A script the agent wrote and runs cannot
reach the home, the secrets or Aegis' state, nor the daemon; routine work runs;
`--no-sandbox` works, warns and is recorded; no bubblewrap is said loudly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sandbox_support import SECRET, Machine, as_uid, identities, needs_bwrap, uid_for, user_python

pytest.importorskip("aegis_pty")
pytestmark = [pytest.mark.sandbox, pytest.mark.slow]

AGENT_SCRIPT = """#!/bin/sh
# What a prompt-injected agent writes into the project and runs.
cat "$HOME/.ssh/id_rsa" && echo LEAK-SSH
cat "$AEGIS_HOME_SEEN/config.toml" && echo LEAK-AEGIS
ls "$AEGIS_HOME_SEEN" && echo LEAK-AEGIS-LIST
rm -rf "$HOME/important" && echo DELETED-HOME-FOLDER
echo pwned > "$HOME/outside.txt" && echo WROTE-HOME
kill -HUP "$DAEMON_PID" && echo SIGNALLED-DAEMON
sqlite3 "$AEGIS_HOME_SEEN/aegis.db" 'select 1' && echo OPENED-DB
echo "routine" > notes.txt && echo WROTE-PROJECT
git status --short >/dev/null && echo GIT-OK
python3 -m venv --without-pip .venv && .venv/bin/python -c 'print("VENV-OK")'
echo END
"""


class World:
    """A machine (home, secrets, project, Aegis home) and the aegis CLI as its user."""

    def __init__(self, uid: int) -> None:
        self.machine = Machine(uid)
        self.python, extra = user_python(uid)
        self.env = {**self.machine.env, **extra, "TERM": "dumb"}

    def aegis(self, *args: str, env: dict[str, str] | None = None, timeout: float = 120,
              cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        argv = as_uid(self.machine.uid, [*self.python, "-m", "aegis_core.cli", *args])
        return subprocess.run(argv, env=env or self.env, cwd=cwd or self.machine.project, text=True,
                              capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def audit(self, event: str) -> list[dict[str, Any]]:
        log = self.machine.aegis_home / "audit.log"
        lines = log.read_text().splitlines() if log.exists() else []
        return [r for r in map(json.loads, lines) if r["event"] == event]

    def daemon_pid(self) -> int:
        return int((self.machine.aegis_home / "aegis.pid").read_text().strip())

    def close(self) -> None:
        self.aegis("stop", "--force", "--timeout", "5", timeout=60)
        self.machine.close()


@pytest.fixture(params=identities())
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    needs_bwrap()
    made = World(uid_for(request.param))
    yield made
    made.close()


def run_agent_script(world: World, *wrap_options: str) -> subprocess.CompletedProcess[str]:
    script = world.machine.project / "tools" / "helper.sh"
    script.parent.mkdir(exist_ok=True)
    script.write_text(AGENT_SCRIPT)
    script.chmod(0o755)
    world.machine.chown()
    started = world.aegis("start")
    assert started.returncode == 0, started.stderr
    env = {**world.env, "AEGIS_HOME_SEEN": str(world.machine.aegis_home), "DAEMON_PID": str(world.daemon_pid())}
    return world.aegis("wrap", *wrap_options, "--", "sh", "-c", "./tools/helper.sh", env=env)


def test_a_script_the_agent_runs_stays_inside(world: World) -> None:
    done = run_agent_script(world)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    for leak in ("LEAK-SSH", "LEAK-AEGIS", "DELETED-HOME-FOLDER", "WROTE-HOME", "SIGNALLED-DAEMON", "OPENED-DB"):
        assert leak not in out, out
    assert SECRET not in out and "bot_token" not in out
    for routine in ("WROTE-PROJECT", "GIT-OK", "VENV-OK", "END"):
        assert routine in out, out
    assert "UNSANDBOXED" not in out
    machine = world.machine
    assert (machine.home / "important" / "thesis.txt").exists()
    assert not (machine.home / "outside.txt").exists()
    assert (machine.project / "notes.txt").read_text() == "routine\n"
    # The daemon was neither signalled nor stopped; the session is on record as sandboxed.
    os.kill(world.daemon_pid(), 0)
    (created,) = world.audit("session.created")
    assert created["details"]["sandbox"]["sandboxed"] is True
    assert created["details"]["sandbox"]["backend"] == "bwrap"
    assert world.aegis("audit", "verify").returncode == 0


def test_no_sandbox_works_warns_and_is_recorded(world: World) -> None:
    done = run_agent_script(world, "--no-sandbox")
    assert done.returncode == 0, done.stderr
    assert "WARNING: this session runs UNSANDBOXED (--no-sandbox" in done.stderr
    assert "LEAK-SSH" in done.stdout  # unsandboxed, the script can do what the user can
    (created,) = world.audit("session.created")
    sandbox = created["details"]["sandbox"]
    assert sandbox["sandboxed"] is False and sandbox["chosen_by_user"] is True
    assert "--no-sandbox" in sandbox["reason"]


def test_status_and_doctor_show_an_unsandboxed_session(world: World) -> None:
    assert world.aegis("start").returncode == 0
    argv = as_uid(world.machine.uid, [*world.python, "-m", "aegis_core.cli", "wrap", "--no-sandbox", "--",
                                      "sleep", "60"])
    wrapped = subprocess.Popen(argv, env=world.env, cwd=world.machine.project, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        sessions: list[dict[str, Any]] = []
        while time.monotonic() < deadline and not sessions:
            status = world.aegis("status", "--json")
            sessions = json.loads(status.stdout).get("sessions") or []
            time.sleep(0.2)
        assert sessions and sessions[0]["sandbox"]["sandboxed"] is False
        text = world.aegis("status").stdout
        assert "UNSANDBOXED: --no-sandbox" in text
        doctor = json.loads(world.aegis("doctor", "--json").stdout)
        (check,) = [c for c in doctor["checks"] if c["name"] == "unsandboxed-sessions"]
        assert check["status"] == "warn" and "UNSANDBOXED" in check["message"]
    finally:
        wrapped.send_signal(signal.SIGTERM)
        wrapped.wait(30)


# -- a machine without bubblewrap ----------------------------------------------------------


@pytest.fixture
def path_without_bwrap(tmp_path: Path) -> str:
    """A PATH with every program of this one but bwrap."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if not os.path.isdir(directory):
            continue
        for name in os.listdir(directory):
            target = os.path.join(directory, name)
            if name != "bwrap" and not (folder / name).exists() and os.access(target, os.X_OK):
                (folder / name).symlink_to(target)
    return f"{folder}{os.pathsep}{os.path.dirname(sys.executable)}"


@pytest.fixture
def root_world() -> Iterator[World]:
    made = World(os.getuid())
    yield made
    made.close()


def test_without_bubblewrap_wrap_says_so_loudly_and_records_it(root_world: World, path_without_bwrap: str) -> None:
    env = {**root_world.env, "PATH": path_without_bwrap}
    done = root_world.aegis("wrap", "--", "sh", "-c", "echo ran", env=env)
    assert done.returncode == 0, done.stderr
    assert "ran" in done.stdout
    assert "WARNING: this session runs UNSANDBOXED (bubblewrap (bwrap) is not installed" in done.stderr
    assert "apt-get install bubblewrap" in done.stderr
    (created,) = root_world.audit("session.created")
    assert created["details"]["sandbox"]["sandboxed"] is False
    assert created["details"]["sandbox"]["chosen_by_user"] is False


def test_doctor_reports_a_missing_bubblewrap(root_world: World, path_without_bwrap: str) -> None:
    env = {**root_world.env, "PATH": path_without_bwrap}
    doctor = root_world.aegis("doctor", "--json", env=env)
    report = json.loads(doctor.stdout)
    (check,) = [c for c in report["checks"] if c["name"] == "sandbox"]
    assert check["status"] == "fail"
    assert "UNSANDBOXED" in check["message"] and "bwrap" in check["message"]
    assert "apt-get install bubblewrap" in check["fix"]
    assert doctor.returncode != 0
    shown = root_world.aegis("sandbox", "show", env=env)
    assert shown.returncode == 3 and "UNSANDBOXED" in shown.stdout


def test_a_manifest_that_requires_a_sandbox_refuses_to_run_without(root_world: World,
                                                                   path_without_bwrap: str) -> None:
    policy = root_world.machine.aegis_home / "policy.toml"
    policy.write_text('[policy]\ninclude_defaults = true\n\n[sandbox]\nrequired = true\n')
    policy.chmod(0o600)
    marker = root_world.machine.project / "ran.txt"
    done = root_world.aegis("wrap", "--", "touch", str(marker), env={**root_world.env, "PATH": path_without_bwrap})
    assert done.returncode == 7, done.stderr
    assert "requires a sandbox" in done.stderr and not marker.exists()


def test_wrap_refuses_a_broken_section_naming_the_line(root_world: World) -> None:
    policy = root_world.machine.aegis_home / "policy.toml"
    policy.write_text('[policy]\n\n[sandbox]\nrequired = "very"\n')
    policy.chmod(0o600)
    done = root_world.aegis("wrap", "--", "true")
    assert done.returncode == 2
    assert "policy.toml:4: required must be true or false" in done.stderr


def test_doctor_says_the_sandbox_works(root_world: World) -> None:
    needs_bwrap()
    report = json.loads(root_world.aegis("doctor", "--json").stdout)
    (check,) = [c for c in report["checks"] if c["name"] == "sandbox"]
    assert check["status"] == "pass", check
    assert "no capability, seccomp: working" in check["message"]


PLANT_SUBMODULE = """set -e
g() { git -c user.name=agent -c user.email=agent@example.com "$@"; }
g init -q vendor/tool && g -C vendor/tool commit -q --allow-empty -m inner
printf '[core]\\n\\tfsmonitor = "touch %s/PWNED; false"\\n' "$PWD" >> vendor/tool/.git/config
g update-index --add --cacheinfo "160000,$(g -C vendor/tool rev-parse HEAD),vendor/tool"
echo PLANTED
"""


def test_a_submodule_left_to_run_a_command_outside_is_taken_out_when_the_session_ends(world: World) -> None:
    """The one "file that runs later" in git the sandbox cannot keep read-only: the
    agent makes the repository itself. At the end its config goes to the quarantine
    (quarantine.py), said and recorded; your git status outside then runs nothing."""
    assert world.aegis("start").returncode == 0
    done = world.aegis("wrap", "--", "sh", "-c", PLANT_SUBMODULE)
    assert done.returncode == 0 and "PLANTED" in done.stdout, done.stdout + done.stderr
    assert "vendor/tool/.git/config: a git config setting core.fsmonitor; moved to the quarantine" in done.stderr, \
        done.stderr
    (ended,) = world.audit("session.ended")
    assert any("vendor/tool/.git/config" in note for note in ended["details"]["sandbox_notes"])
    project = world.machine.project
    subprocess.run(["git", "-c", "safe.directory=*", "-C", str(project), "status"], capture_output=True, timeout=60)
    assert not (project / "PWNED").exists()


def test_a_planted_submodule_is_said_and_recorded_while_the_session_runs(world: World) -> None:
    """You may run git in another terminal while the agent works: the warning cannot
    wait for the session's end. The agent plants it, then keeps running (until the test
    lets it go): the audit log has the warning before the session ends."""
    assert world.aegis("start").returncode == 0
    script = PLANT_SUBMODULE + "i=0; while [ ! -e go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done\n"
    argv = as_uid(world.machine.uid, [*world.python, "-m", "aegis_core.cli", "wrap", "--", "sh", "-c", script])
    wrapped = subprocess.Popen(argv, env=world.env, cwd=world.machine.project, text=True, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not world.audit("session.sandbox_warning") and time.monotonic() < deadline:
            assert wrapped.poll() is None, wrapped.communicate()
            time.sleep(0.2)
        (warning,) = world.audit("session.sandbox_warning")
        assert any("vendor/tool/" in note and "core.fsmonitor" in note for note in warning["details"]["sandbox_notes"])
        assert world.audit("session.ended") == []  # still running
        (world.machine.project / "go").write_text("")
        out, err = wrapped.communicate(timeout=60)
    finally:
        if wrapped.poll() is None:
            wrapped.kill()
            wrapped.communicate()
    assert wrapped.returncode == 0, out + err
    assert "WARNING: vendor/tool/ is registered as a git submodule" in err, err
    assert world.audit("session.ended")
    assert not (world.machine.project / "PWNED").exists()


def test_a_wrapped_session_leaves_no_stand_in_behind_and_a_dry_run_makes_none(world: World) -> None:
    mcp = world.machine.project / ".mcp.json"
    done = world.aegis("wrap", "--dry-run", "--", "true")
    assert done.returncode == 0, done.stderr
    assert not os.path.lexists(mcp)
    assert world.aegis("start").returncode == 0
    plant = "echo '{\"mcpServers\": {\"x\": {\"command\": \"sh\"}}}' > .mcp.json || echo REFUSED"
    done = world.aegis("wrap", "--", "sh", "-c", "cat .mcp.json; " + plant)
    assert done.returncode == 0, done.stderr
    assert '{"mcpServers": {}}' in done.stdout and "REFUSED" in done.stdout, done.stdout + done.stderr
    assert not os.path.lexists(mcp)
    # Nor the empty folders that stood in for the missing settings folders: the project
    # is as the user left it (what the agent wrote aside).
    left = sorted(entry.name for entry in world.machine.project.iterdir())
    assert left == [".git", "README.md"], left


def test_a_session_that_never_opens_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """aegis wrap prepares the sandbox while the daemon opens the session; when no
    session comes, what was prepared (stand-ins, temp folder) goes."""
    from aegis_core.sandbox.bwrap import BwrapBackend
    from aegis_core.sandbox.manifest import Manifest
    from aegis_core.sandbox.plan import SandboxNeeds
    from aegis_core.sandbox.session import choose_backend
    from aegis_core.sandbox.wrapping import EarlySandbox, Preparation

    needs_bwrap()
    home, project, aegis_home = tmp_path / "home", tmp_path / "home" / "app", tmp_path / "ah"
    project.mkdir(parents=True)
    aegis_home.mkdir()
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    monkeypatch.chdir(project)
    monkeypatch.setenv("HOME", str(home))
    preparation = Preparation(choose_backend({"bwrap": BwrapBackend()}), Manifest(), SandboxNeeds())

    class Config:
        pass

    config = Config()
    config.home = aegis_home  # type: ignore[attr-defined]
    ahead = EarlySandbox(preparation, config)  # type: ignore[arg-type]
    prepared = ahead._wait()
    assert prepared.plan is not None and os.path.isdir(prepared.plan.tmp_dir)
    assert (project / ".vscode").is_dir() and (project / ".mcp.json").is_file()  # held while it waits
    ahead.discard()
    assert sorted(entry.name for entry in project.iterdir()) == [".git"]
    assert not os.path.lexists(prepared.plan.tmp_dir)
