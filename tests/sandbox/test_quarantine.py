"""Repositories the agent makes (or changes) in the writable project, with a config or
hooks that git would run later outside the sandbox: at the end of the session what
would run goes to the quarantine, and your git in those folders afterwards runs
nothing. Planted with real bubblewrap the way an attacker who read quarantine.py
would (every place git finds a repository, every kind of command-running setting),
as root and as an ordinary user; routine repositories are left exactly as they are;
`aegis sandbox restore` puts it back, audited, and later sessions leave it alone."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sandbox_support import Machine

from aegis_core.sandbox import quarantine
from aegis_core.sandbox.manifest import Manifest
from aegis_core.sandbox.plan import build_plan

pytestmark = pytest.mark.sandbox

# Each repository below runs `touch $MARK.<name>` when you use git there as you would.
PLANT = r"""
cd "$1"; mark=$2; set -e
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
run() { printf '%s; false' "touch $mark.$1"; }
git init -q fsmonitor && git -C fsmonitor config core.fsmonitor "$(run fsmonitor)"
git init -q hook && printf '#!/bin/sh\ntouch %s\n' "$mark.hook" > hook/.git/hooks/pre-commit
chmod +x hook/.git/hooks/pre-commit
git init -q hookspath && mkdir hookspath/h && printf '#!/bin/sh\ntouch %s\n' "$mark.hookspath" > hookspath/h/pre-commit
chmod +x hookspath/h/pre-commit && git -C hookspath config core.hooksPath h
git init -q filter && git -C filter config filter.x.clean "$(run filter)" && echo '* filter=x' > filter/.gitattributes
git init -q alias && git -C alias config alias.st "!touch $mark.alias"
git init -q include && printf '[core]\n\tfsmonitor = "%s"\n' "$(run include)" > evil.cfg
git -C include config include.path ../../evil.cfg
mkdir -p deep/a/b/c && git init -q deep/a/b/c/repo && git -C deep/a/b/c/repo config core.fsmonitor "$(run deep)"
mkdir -p pointer hidden && git init -q --separate-git-dir=hidden/g pointer
git -C pointer config core.fsmonitor "$(run pointer)"
git init -q --bare bare && git -C bare config alias.lg "!touch $mark.bare"
git init -q worktree && git -C worktree config extensions.worktreeConfig true
git -C worktree config --worktree core.fsmonitor "$(run worktree)"
git init -q ext && git -C ext config protocol.ext.allow always
git -C ext remote add origin "ext::sh -c touch% $mark.ext"
git init -q hooks-link && rm -rf hooks-link/.git/hooks && mkdir hl && ln -s ../../hl hooks-link/.git/hooks
printf '#!/bin/sh\ntouch %s\n' "$mark.hookslink" > hl/pre-commit && chmod +x hl/pre-commit
# Routine: a scratch repository with a commit, and a clone of it.
git init -q scratch && echo x > scratch/f && git -C scratch add f && git -C scratch commit -qm one
git clone -q scratch clone
echo END
"""
# What your git does in each, afterwards, outside; and what it would have run.
USE = {
    "fsmonitor": ["status"], "hook": ["commit", "-q", "--allow-empty", "-m", "m"],
    "hookspath": ["commit", "-q", "--allow-empty", "-m", "m"], "filter": ["add", "."], "alias": ["st"],
    "include": ["status"], "deep/a/b/c/repo": ["status"], "pointer": ["status"], "bare": ["lg"],
    "worktree": ["status"], "ext": ["fetch", "-q", "origin"],
    "hooks-link": ["commit", "-q", "--allow-empty", "-m", "m"],
}
MARKS = {"fsmonitor": "fsmonitor", "hook": "hook", "hookspath": "hookspath", "filter": "filter", "alias": "alias",
         "include": "include", "deep/a/b/c/repo": "deep", "pointer": "pointer", "bare": "bare",
         "worktree": "worktree", "ext": "ext", "hooks-link": "hookslink"}
GIT_AS_YOU = ["git", "-c", "safe.directory=*", "-c", "user.name=you", "-c", "user.email=you@example.com"]


def _use_git(where: Path) -> None:
    """Your git in each planted folder, outside the sandbox (what the agent hopes for)."""
    for name, args in USE.items():
        subprocess.run([*GIT_AS_YOU, "-C", str(where / name), *args], capture_output=True, timeout=60,
                       env={**os.environ, "GIT_AUTHOR_NAME": "you", "GIT_AUTHOR_EMAIL": "you@example.com"})


def _marks(root: Path) -> set[str]:
    return {path.name.split(".", 1)[1] for path in root.glob("MARK.*")}


def _plant(machine: Machine) -> None:
    mark = machine.root / "MARK"
    done = machine.run(["/bin/sh", "-c", PLANT, "plant", str(machine.project), str(mark)], timeout=120)
    assert done.returncode == 0 and done.stdout.rstrip().endswith("END"), done.stdout + done.stderr


def _quarantine(machine: Machine, session: str = "s-test") -> list[quarantine.Item]:
    plan = build_plan(Manifest(), session=session, cwd=machine.project, home=machine.home,
                      aegis_home=machine.aegis_home, tmp_dir=machine.tmp, empty_dir=machine.empty)
    return quarantine.quarantine_repositories(machine.project, machine.aegis_home, session, plan.writes_host)


def test_what_git_would_run_is_taken_out_and_routine_repositories_stay(machine: Machine) -> None:
    _plant(machine)
    project = machine.project
    # The control: as planted, your git would run every one of them.
    copy = machine.root / "copy"
    shutil.copytree(project, copy, symlinks=True)
    _use_git(copy)
    assert _marks(machine.root) == set(MARKS.values())
    for found in machine.root.glob("MARK.*"):
        found.unlink()
    shutil.rmtree(copy)

    scratch_config = (project / "scratch" / ".git" / "config").read_bytes()
    clone_config = (project / "clone" / ".git" / "config").read_bytes()
    own_config = (project / ".git" / "config").read_bytes()
    items = _quarantine(machine)
    _use_git(project)
    assert _marks(machine.root) == set()
    # Routine repositories (and the project's own, read-only inside) are as they were.
    assert (project / "scratch" / ".git" / "config").read_bytes() == scratch_config
    assert (project / "clone" / ".git" / "config").read_bytes() == clone_config
    assert (project / ".git" / "config").read_bytes() == own_config
    moved = {item.path for item in items}
    assert not any("/scratch/" in path or "/clone/" in path for path in moved)
    # What stays of a neutralised config is what git init wrote: still a repository.
    status = subprocess.run([*GIT_AS_YOU, "-C", str(project / "fsmonitor"), "status", "--short"],
                            capture_output=True, text=True)
    assert status.returncode == 0, status.stderr
    assert "fsmonitor" not in (project / "fsmonitor" / ".git" / "config").read_text()
    # Each original is in the quarantine, out of the agent's reach, named in plain words.
    box = machine.aegis_home / "quarantine" / "s-test"
    assert all((box / item.stored).exists() or (box / item.stored).is_symlink() for item in items)
    words = "\n".join(quarantine.describe(items, "s-test"))
    assert "core.fsmonitor" in words and "aegis sandbox restore s-test" in words
    # Nothing left to take at the next session's end.
    assert _quarantine(machine, "s-next") == []


def test_restore_puts_it_back_and_later_sessions_leave_it_alone(machine: Machine) -> None:
    project = machine.project
    subprocess.run([*GIT_AS_YOU, "init", "-q", str(project / "mine")], check=True)
    helper = "!f() { echo password=x; }; f"
    subprocess.run([*GIT_AS_YOU, "-C", str(project / "mine"), "config", "credential.helper", helper], check=True)
    hook = project / "mine" / ".git" / "hooks" / "pre-push"
    hook.write_text("#!/bin/sh\nexit 0\n")
    original = (project / "mine" / ".git" / "config").read_bytes()
    machine.chown()
    items = _quarantine(machine, "s-1")
    assert {Path(item.path).name for item in items} == {"config", "pre-push"}
    outcome = quarantine.restore(machine.aegis_home, "s-1")
    assert all(why is None for _, why in outcome), outcome
    assert (project / "mine" / ".git" / "config").read_bytes() == original and hook.exists()
    assert not (machine.aegis_home / "quarantine" / "s-1").exists()
    assert _quarantine(machine, "s-2") == []  # yours now, while it stays the same
    # Changed again (by anyone): taken out again.
    subprocess.run([*GIT_AS_YOU, "-C", str(project / "mine"), "config", "core.pager", "touch x"], check=True)
    assert [Path(item.path).name for item in _quarantine(machine, "s-3")] == ["config"]


def test_restore_leaves_a_file_changed_since_in_the_quarantine(machine: Machine) -> None:
    project = machine.project
    subprocess.run([*GIT_AS_YOU, "init", "-q", str(project / "sub")], check=True)
    subprocess.run([*GIT_AS_YOU, "-C", str(project / "sub"), "config", "core.editor", "vi -x"], check=True)
    (item,) = _quarantine(machine, "s-1")
    (project / "sub" / ".git" / "config").write_text("[core]\n\tfsmonitor = touch elsewhere\n")
    ((_path, why),) = quarantine.restore(machine.aegis_home, "s-1")
    assert why is not None and "changed" in why
    assert (machine.aegis_home / "quarantine" / "s-1" / item.stored).exists()


def test_a_config_git_cannot_read_goes_whole(tmp_path: Path) -> None:
    project = tmp_path / "p"
    subprocess.run([*GIT_AS_YOU, "init", "-q", str(project / "sub")], check=True)
    config = project / "sub" / ".git" / "config"
    config.write_text('[core\n\tfsmonitor = "touch x"\n')
    items = quarantine.quarantine_repositories(project, tmp_path / "ah", "s", lambda path: True)
    assert [item.kind for item in items] == ["config"] and config.read_text() == ""


@pytest.mark.parametrize("entries", [
    [("core.bare", "false"), ("remote.o\"d\\d.url", "a \"b\" \\c\n\td"), ("branch.main.rebase", None)],
    [],
])
def test_the_inert_config_written_reads_back_as_itself(entries: list[tuple[str, str | None]]) -> None:
    assert quarantine.read_config_text(quarantine.render_config(entries)) == entries


def test_wrap_takes_it_out_at_the_end_and_restore_is_audited(tmp_path: Path) -> None:
    """Through `aegis wrap` (the PTY adapter) as this user, and `aegis sandbox restore`."""
    pytest.importorskip("aegis_pty")
    from sandbox_support import needs_bwrap

    needs_bwrap()
    machine = Machine(os.getuid())
    aegis = [sys.executable, "-m", "aegis_core.cli"]
    try:
        env = {**machine.env, "TERM": "dumb"}
        mark = machine.root / "MARK.wrapped"
        script = f'git init -q sub && git -C sub config core.fsmonitor "touch {mark}; false"'
        done = subprocess.run([*aegis, "wrap", "--", "sh", "-c", script], env=env, cwd=machine.project,
                              capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "moved to the quarantine" in done.stderr and "aegis sandbox restore" in done.stderr
        subprocess.run([*GIT_AS_YOU, "-C", str(machine.project / "sub"), "status"], capture_output=True)
        assert not mark.exists()
        log = [json.loads(line) for line in (machine.aegis_home / "audit.log").read_text().splitlines()]
        (ended,) = [r for r in log if r["event"] == "session.ended"]
        assert any("core.fsmonitor" in note for note in ended["details"]["sandbox_notes"])
        session = ended["session"]
        listed = subprocess.run([*aegis, "sandbox", "restore", "--json"], env=env, capture_output=True, text=True)
        assert json.loads(listed.stdout)["quarantine"][0]["session"] == session
        restored = subprocess.run([*aegis, "sandbox", "restore", session], env=env, capture_output=True, text=True)
        assert restored.returncode == 0, restored.stderr
        assert "fsmonitor" in (machine.project / "sub" / ".git" / "config").read_text()
        log = [json.loads(line) for line in (machine.aegis_home / "audit.log").read_text().splitlines()]
        (record,) = [r for r in log if r["event"] == "sandbox.restored"]
        assert record["details"]["files"][0]["outcome"] == "restored"
        assert subprocess.run([*aegis, "audit", "verify"], env=env, capture_output=True).returncode == 0
    finally:
        subprocess.run([*aegis, "stop", "--force", "--timeout", "5"], env=machine.env, capture_output=True,
                       timeout=60)
        machine.close()


def test_restore_never_follows_a_link_put_on_the_way_meanwhile(tmp_path: Path) -> None:
    """Another session's agent, still running in the project, swaps the repository's
    folder for a link to one of yours before you restore: nothing lands there."""
    project, victim = tmp_path / "p", tmp_path / "victim"
    victim.mkdir()
    (victim / "config").write_text("yours\n")
    subprocess.run([*GIT_AS_YOU, "init", "-q", str(project / "sub")], check=True)
    subprocess.run([*GIT_AS_YOU, "-C", str(project / "sub"), "config", "core.fsmonitor", "touch x"], check=True)
    (item,) = quarantine.quarantine_repositories(project, tmp_path / "ah", "s", lambda path: True)
    shutil.rmtree(project / "sub" / ".git")
    (project / "sub" / ".git").symlink_to(victim)
    ((_path, why),) = quarantine.restore(tmp_path / "ah", "s")
    assert why is not None and "link" in why
    assert (victim / "config").read_text() == "yours\n"
    assert (tmp_path / "ah" / "quarantine" / "s" / item.stored).exists()


LURE = r"""
cd "$1"; mark=$2; set -e
git init -q "$HOME/.cache/evil" && git -C "$HOME/.cache/evil" config core.fsmonitor "touch $mark; false"
ln -s "$HOME/.cache/evil" tools
git init -q helper && git -C helper remote add origin "testgit::$mark"
echo END
"""


def test_a_link_to_a_repository_in_a_writable_cache_is_followed(machine: Machine) -> None:
    """`tools -> ~/.cache/evil`: your `cd tools && git status` runs git there."""
    (machine.home / ".cache").mkdir()
    machine.chown()
    mark = machine.root / "MARK.lure"
    done = machine.run(["/bin/sh", "-c", LURE, "lure", str(machine.project), str(mark)], timeout=120)
    assert done.returncode == 0 and done.stdout.rstrip().endswith("END"), done.stdout + done.stderr
    items = _quarantine(machine)
    assert {item.path for item in items} == {str(machine.home / ".cache" / "evil" / ".git" / "config"),
                                             str(machine.project / "helper" / ".git" / "config")}
    subprocess.run([*GIT_AS_YOU, "-C", str(machine.project / "tools"), "status"], capture_output=True, timeout=60)
    assert not mark.exists()
    assert "testgit::" not in (machine.project / "helper" / ".git" / "config").read_text()


def test_a_fifo_or_a_device_where_git_reads_a_pointer_does_not_hold_the_end(tmp_path: Path) -> None:
    project = tmp_path / "p"
    for name in ("fifo", "zero", "hooks"):
        (project / name).mkdir(parents=True)
    os.mkfifo(project / "fifo" / ".git")
    (project / "zero" / ".git").symlink_to("/dev/zero")
    subprocess.run([*GIT_AS_YOU, "init", "-q", str(project / "hooks")], check=True)
    os.mkfifo(project / "hooks" / ".git" / "commondir")
    (project / "hooks" / ".git" / "hooks" / "post-checkout").symlink_to("/dev/zero")
    items = quarantine.quarantine_repositories(project, tmp_path / "ah", "s", lambda path: True)
    assert [Path(item.path).name for item in items] == ["post-checkout"]
