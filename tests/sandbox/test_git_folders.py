"""Git folders inside the project's own that your git outside runs code from: the
submodules' (``.git/modules/<name>``: `git status` recurses into each) and the other
worktrees' (``.git/worktrees/<name>``: a worktree elsewhere reads its config through
its ``commondir``). With real bubblewrap, as root and as an ordinary user, an agent
that tries every way an attacker would (write the config or a hook, point
``commondir`` elsewhere, move the folder aside and put another in its place) changes
nothing git would run; routine git work inside still runs, and `git status` outside
afterwards runs nothing the agent planted."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sandbox_support import Machine

pytestmark = pytest.mark.sandbox

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "protocol.file.allow=always",
       "-c", "safe.directory=*"]

ATTACKS = r"""
cd "$1"; mark=$2
try() { name=$1; shift; if "$@" 2>/dev/null; then echo "$name: DONE"; else echo "$name: refused"; fi; }
evil="[core]
	fsmonitor = \"touch $mark; false\"
	hooksPath = /tmp"
try "module config" sh -c "printf '%s\n' '$evil' >> .git/modules/lib/config"
try "module config by git" git -C lib config core.fsmonitor "touch $mark; false"
try "module hook" sh -c "printf '#!/bin/sh\ntouch $mark\n' > .git/modules/lib/hooks/post-checkout"
try "module commondir" sh -c "echo ../../../evil > .git/modules/lib/commondir"
try "module moved aside" mv .git/modules/lib .git/modules/lib-old
try "modules moved aside" mv .git/modules .git/modules-old
try "nested module config" sh -c "printf '%s\n' '$evil' >> .git/modules/lib/modules/inner/config"
try "nested modules moved aside" mv .git/modules/lib/modules .git/modules/lib/modules-old
try "worktree commondir" sh -c "echo ../../../evil > .git/worktrees/wt/commondir"
try "worktree config.worktree" sh -c "printf '%s\n' '$evil' > .git/worktrees/wt/config.worktree"
try "worktree moved aside" mv .git/worktrees/wt .git/worktrees/wt-old
try "worktrees moved aside" mv .git/worktrees .git/worktrees-old
# Routine work still runs: status (recursing into the submodule), a commit in each.
git status --short >/dev/null && echo "status: ok"
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
echo change > lib/file.txt && git -C lib add file.txt && git -C lib commit -qm inside && echo "commit in lib: ok"
echo change > app.txt && git add app.txt && git commit -qm inside && echo "commit: ok"
echo END
"""
REFUSED = ("module config", "module config by git", "module hook", "module commondir", "module moved aside",
           "modules moved aside", "nested module config", "nested modules moved aside", "worktree commondir",
           "worktree config.worktree", "worktree moved aside", "worktrees moved aside")


def git(*args: str | Path) -> str:
    return subprocess.run([*GIT, *map(str, args)], check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def planted(machine: Machine) -> Machine:
    """The project with a submodule (holding one of its own), and a worktree elsewhere."""
    inner, library = machine.root / "inner", machine.root / "library"
    git("init", "-q", inner)
    git("-C", inner, "commit", "-q", "--allow-empty", "-m", "inner")
    git("init", "-q", library)
    git("-C", library, "submodule", "add", "-q", inner, "inner")
    git("-C", library, "commit", "-q", "-m", "lib")
    project = machine.project
    git("-C", project, "commit", "-q", "--allow-empty", "-m", "first")
    git("-C", project, "submodule", "add", "-q", library, "lib")
    git("-C", project, "submodule", "update", "-q", "--init", "--recursive")
    git("-C", project, "commit", "-q", "-m", "with lib")
    git("-C", project, "worktree", "add", "-q", machine.root / "wt")
    git("-C", project, "config", "extensions.worktreeConfig", "true")
    assert (project / ".git" / "modules" / "lib" / "modules" / "inner" / "HEAD").is_file()
    assert (project / ".git" / "worktrees" / "wt" / "commondir").is_file()
    machine.chown()
    return machine


def _configs(project: Path) -> dict[str, str]:
    """Every config git reads in the project's git folder (an empty config.worktree is
    the sandbox's placeholder: with extensions.worktreeConfig it must not be created)."""
    found = {str(p.relative_to(project)): p.read_text() for p in (project / ".git").rglob("config*") if p.is_file()}
    return {name: text for name, text in found.items() if text or not name.endswith("config.worktree")}


def test_git_folders_inside_the_projects_stay_as_they_were(planted: Machine) -> None:
    machine = planted
    project = machine.project
    mark = machine.root / "PWNED"
    before = _configs(project)
    done = machine.run(["/bin/sh", "-c", ATTACKS, "attack", str(project), str(mark)], timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("END"), done.stdout + done.stderr
    for name in REFUSED:
        assert f"{name}: refused" in done.stdout, done.stdout
    for routine in ("status: ok", "commit in lib: ok", "commit: ok"):
        assert routine in done.stdout, done.stdout + done.stderr
    # On the host: every config as it was, nothing planted, nothing moved aside.
    assert _configs(project) == before
    for name in ("modules/lib/hooks/post-checkout", "modules-old", "modules/lib-old", "worktrees-old",
                 "worktrees/wt-old", "worktrees/wt/config.worktree"):
        path = project / ".git" / name
        assert not os.path.lexists(path) or (name.endswith("config.worktree") and path.read_text() == ""), name
    # Your git outside, afterwards, in the project and in the other worktree: nothing runs.
    for where in (project, machine.root / "wt"):
        subprocess.run(["git", "-c", "safe.directory=*", "-C", str(where), "status"], capture_output=True, timeout=60)
    assert not mark.exists()
    assert "commit: ok" in done.stdout and git("-C", project, "log", "-1", "--format=%s") == "inside"


def test_the_plan_names_them(planted: Machine) -> None:
    from aegis_core.sandbox.manifest import Manifest
    from aegis_core.sandbox.plan import build_plan

    machine = planted
    plan = build_plan(Manifest(), session="s", cwd=machine.project, home=machine.home, aegis_home=machine.aegis_home,
                      tmp_dir=machine.tmp, empty_dir=machine.empty)
    git_dir = machine.project / ".git"
    read_only = set(plan.read_only())
    for name in ("modules/lib/config", "modules/lib/hooks", "modules/lib/commondir",
                 "modules/lib/modules/inner/config", "worktrees/wt/commondir", "worktrees/wt/config.worktree"):
        assert str(git_dir / name) in read_only, name
    own = {m.dest for m in plan.mounts if m.kind == "rw"}
    for name in ("modules", "modules/lib", "modules/lib/modules", "modules/lib/modules/inner", "worktrees",
                 "worktrees/wt"):
        assert str(git_dir / name) in own, name  # a mount of its own: cannot be moved aside
