"""The boundary itself, with real bubblewrap and real processes, as root and as an
ordinary user: nothing inside can unmount, remount, chroot or pivot out, gain a
capability, read the host's secrets or Aegis' state, see or signal a process outside,
type into the terminal, or write outside what the manifest allows; routine work in
the project still runs."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from collections.abc import Iterator

import pytest
from sandbox_support import Machine, as_uid

pytestmark = pytest.mark.sandbox

ZERO = "0000000000000000"


@pytest.fixture
def outside_process() -> Iterator[subprocess.Popen[bytes]]:
    """A process outside the sandbox standing in for the daemon."""
    process = subprocess.Popen(["bash", "-c", "exec -a aegis-probe-marker sleep 300"])
    yield process
    process.kill()
    process.wait()


def test_nothing_inside_gets_out(machine: Machine, outside_process: subprocess.Popen[bytes]) -> None:
    seen = machine.probe(outside_process.pid)
    assert seen["uid"] != 0
    assert seen["capabilities"] == {"CapEff": ZERO, "CapPrm": ZERO, "CapBnd": ZERO, "CapAmb": ZERO}
    assert seen["no_new_privs"] == "1"
    for attempt in ("umount /usr", "umount home mask", "remount /usr rw", "remount home rw", "mount tmpfs",
                    "chroot", "pivot_root", "unshare user", "unshare mount", "keyctl"):
        assert seen[attempt] == "EPERM", (attempt, seen[attempt])
    assert seen["read /etc/shadow"] == "ENOENT"
    assert seen["write /etc/passwd"] == "EROFS"
    assert seen["new file at /"] == "EROFS"
    assert seen["write kernel core_pattern"] in ("EROFS", "EACCES")  # root: the read-only mount; others: DAC
    assert seen["read ~/.ssh/id_rsa"] == "ENOENT"
    assert seen["read $AEGIS_HOME/config.toml"] == "ENOENT"
    assert seen["list $AEGIS_HOME"] == "ENOENT"
    assert seen["write ~/outside.txt"] == "EROFS"
    assert seen["delete ~/important"] == "EROFS"
    assert seen["write .claude/settings.local.json"] == "EROFS"
    assert seen["write .git/hooks/pre-commit"] == "EROFS"
    assert seen["rename .git"] == "EBUSY" and seen["rename .claude"] == "EBUSY"
    assert seen["write .git/commondir"] == "EROFS"
    assert seen["read a project link to ~/.ssh/id_rsa"] == "ENOENT"
    assert seen["write through a project link to ~"] == "EROFS"
    assert seen["write the project"] == "ok"
    # Its own PID namespace: a handful of processes, none of the host's.
    assert seen["processes seen"] < 10
    assert seen["outside process seen"] is False
    assert seen["signal outside process"] in ("ESRCH", "pid reused inside")
    # No tracing across the boundary: no pid to attach to, no memory to read.
    for attempt in ("ptrace attach outside process", "ptrace seize outside process", "pidfd of outside process",
                    "process_vm_readv outside process"):
        assert seen[attempt] in ("ESRCH", "pid reused inside"), (attempt, seen[attempt])
    assert seen["read outside process memory"] in ("ENOENT", "pid reused inside")
    assert seen["host /proc through /proc/1/root"] == "False"
    assert outside_process.poll() is None  # still alive

    # And on the host, afterwards:
    assert not (machine.home / "outside.txt").exists() and not (machine.home / "via-link.txt").exists()
    assert (machine.home / "important" / "thesis.txt").read_text() == "years of work"
    assert (machine.project / "made-inside.txt").read_text() == "routine"
    assert not (machine.project / ".claude" / "settings.local.json").exists()
    # git outside still works on the same repository, and reads the config it always did.
    assert (machine.project / ".git" / "commondir").read_text() == ".\n"
    status = subprocess.run(["git", "-c", "safe.directory=*", "-C", str(machine.project), "status", "--short"],
                            capture_output=True, text=True)
    assert status.returncode == 0 and "made-inside.txt" in status.stdout, status.stderr


def test_a_script_the_agent_wrote_cannot_do_more_than_the_agent(machine: Machine) -> None:
    """Issue 13's fifth way: hide the dangerous step in a file, then run it."""
    script = machine.project / "tools" / "cleanup.sh"
    script.parent.mkdir()
    script.write_text(f"""#!/bin/sh
cat {machine.home}/.ssh/id_rsa > stolen.txt 2>/dev/null && echo STOLE
cat {machine.aegis_home}/config.toml >> stolen.txt 2>/dev/null && echo STOLE-AEGIS
rm -rf {machine.home}/important 2>/dev/null; echo rm=$?
echo pwned > {machine.home}/outside.txt 2>/dev/null || echo cannot-write-home
echo done
""")
    script.chmod(0o755)
    machine.chown()
    done = machine.run(["sh", "-c", "./tools/cleanup.sh && python3 tools/../tools/cleanup.sh 2>/dev/null; "
                                    "sh tools/cleanup.sh"])
    assert done.returncode == 0, done.stderr
    assert "STOLE" not in done.stdout
    assert "cannot-write-home" in done.stdout and "done" in done.stdout
    assert (machine.home / "important" / "thesis.txt").exists()
    assert not (machine.home / "outside.txt").exists()
    stolen = machine.project / "stolen.txt"
    assert not stolen.exists() or stolen.read_text() == ""


def test_routine_work_still_runs(machine: Machine) -> None:
    (machine.project / "test_app.py").write_text(
        "import unittest\n\nclass T(unittest.TestCase):\n    def test_it(self):\n        self.assertEqual(1 + 1, 2)\n")
    machine.chown()
    script = """
set -e
echo edited >> README.md
git status --short
git -c user.name=agent -c user.email=agent@example.com add -A
git -c user.name=agent -c user.email=agent@example.com commit -qm 'work inside'
python3 -m venv --without-pip .venv
.venv/bin/python -c 'import sys; print("venv", sys.prefix)'
python3 -m unittest -q test_app 2>&1 | tail -1
echo scratch > /tmp/scratch.txt && cat /tmp/scratch.txt
echo "tmpdir=$TMPDIR"
"""
    done = machine.run(["bash", "-c", script])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "M README.md" in done.stdout or "README.md" in done.stdout
    assert f"venv {machine.project}/.venv" in done.stdout
    assert "OK" in done.stdout
    assert "scratch" in done.stdout and "tmpdir=/tmp" in done.stdout
    log = subprocess.run(["git", "-c", "safe.directory=*", "-C", str(machine.project), "log", "--oneline"],
                         capture_output=True, text=True)
    assert "work inside" in log.stdout
    assert (machine.project / ".venv" / "bin").is_dir()


def test_the_terminal_cannot_be_typed_into(machine: Machine) -> None:
    """The PTY adapter keeps the program on a terminal (no new session); the seccomp
    filter refuses TIOCSTI, which would push keystrokes into the user's input."""
    argv, env = machine.contained(["python3", "-I", "-c", _TIOCSTI], terminal=True)
    pid, fd = pty.fork()
    if pid == 0:  # the child: a session with the pty as its controlling terminal
        try:
            os.execvpe(as_uid(machine.uid, argv)[0], as_uid(machine.uid, argv), env)
        finally:
            os._exit(127)
    output = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
    _, status = os.waitpid(pid, 0)
    text = output.decode(errors="replace")
    assert "tty: yes" in text, text
    assert "TIOCSTI: EPERM" in text, text
    assert os.waitstatus_to_exitcode(status) == 0


_TIOCSTI = """
import errno, fcntl, os, termios
print("tty:", "yes" if os.isatty(0) else "no")
try:
    fcntl.ioctl(0, termios.TIOCSTI, b"x")
    print("TIOCSTI: typed")
except OSError as exc:
    print("TIOCSTI:", errno.errorcode[exc.errno])
"""


def test_a_git_folder_the_user_cannot_write_still_gets_a_sandbox(machine: Machine) -> None:
    """Someone else's repository (read-only to this user): reads work, nothing can be
    planted (aegis_core.sandbox.bwrap skips a commondir it cannot make: tests/sandbox/
    test_backends.py)."""
    git_dir = machine.project / ".git"
    git_dir.chmod(0o555)
    try:
        done = machine.run(["sh", "-c", "git -c safe.directory='*' status --short >/dev/null && echo READ-OK; "
                                        "echo x > .git/commondir 2>/dev/null || echo NO-COMMONDIR"])
    finally:
        git_dir.chmod(0o755)
    assert done.returncode == 0, done.stderr
    assert "READ-OK" in done.stdout and "NO-COMMONDIR" in done.stdout
