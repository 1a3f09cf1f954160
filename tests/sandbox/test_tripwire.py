"""What the sandbox cannot stop in the writable project, said when the session ends: a
nested repository registered as a submodule whose config runs a command (your next
`git status` outside would run it). Real git, real repositories; nothing is run."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from aegis_core.sandbox.tripwire import nested_git_hazards


def git(*args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com",
                           "-c", "protocol.file.allow=always", *args], check=True, capture_output=True, text=True)
    return done.stdout.strip()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    git("init", "-q", str(root))
    git("-C", str(root), "commit", "-q", "--allow-empty", "-m", "first")
    return root


def plant(project: Path, name: str, config: str) -> None:
    """What the agent does inside: a nested repository, a line in its config, a gitlink."""
    sub = project / name
    git("init", "-q", str(sub))
    git("-C", str(sub), "commit", "-q", "--allow-empty", "-m", "inner")
    with open(sub / ".git" / "config", "a") as handle:
        handle.write(config)
    commit = git("-C", str(sub), "rev-parse", "HEAD")
    git("-C", str(project), "update-index", "--add", "--cacheinfo", f"160000,{commit},{name}")


@pytest.mark.parametrize(("config", "key"), [
    ('[core]\n\tfsmonitor = "touch PWNED"\n', "core.fsmonitor"),
    ("[core]\n\tpager = sh -c 'touch PWNED'\n", "core.pager"),
    ('[filter "lfs"]\n\tsmudge = touch PWNED\n', "filter.lfs.smudge"),
    ("[alias]\n\tst = !touch PWNED\n", "alias.st"),
    ('[includeIf "gitdir:/"]\n\tpath = /tmp/elsewhere\n', "includeif.gitdir:/.path"),
    ("[diff.evil]\n\ttextconv = touch PWNED\n", "diff.evil.textconv"),
])
def test_a_submodule_whose_config_runs_a_command_is_named(project: Path, config: str, key: str) -> None:
    plant(project, "vendor/lib", config)
    (note,) = nested_git_hazards(project)
    assert note.startswith("vendor/lib/ is registered as a git submodule") and key in note
    assert "git rm --cached vendor/lib" in note
    assert not list(project.rglob("PWNED"))  # read, never run


def test_plain_submodules_and_untracked_repositories_are_not_named(project: Path, tmp_path: Path) -> None:
    library = tmp_path / "library"
    git("init", "-q", str(library))
    git("-C", str(library), "commit", "-q", "--allow-empty", "-m", "lib")
    git("-C", str(project), "submodule", "add", "-q", str(library), "lib")  # core.worktree, remote: nothing runs
    git("init", "-q", str(project / "scratch"))  # not in the index: git status does not go in
    with open(project / "scratch" / ".git" / "config", "a") as handle:
        handle.write('[core]\n\tfsmonitor = "touch PWNED"\n')
    assert nested_git_hazards(project) == []
    assert nested_git_hazards(tmp_path / "not-a-repository") == []


def test_a_worktree_is_checked_too(project: Path, tmp_path: Path) -> None:
    tree = tmp_path / "wt"
    git("-C", str(project), "worktree", "add", "-q", str(tree))
    plant(tree, "tools/x", '[core]\n\tfsmonitor = "touch PWNED"\n')
    (note,) = nested_git_hazards(tree)
    assert note.startswith("tools/x/ is registered") and "core.fsmonitor" in note


def test_without_a_submodule_in_the_index_git_is_not_started(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every sandboxed session ends with this check: the common case reads the index
    file only."""
    from aegis_core.sandbox import tripwire

    for name in ("a.txt", "b.txt"):
        (project / name).write_text(name)
    git("-C", str(project), "add", "a.txt", "b.txt")

    def no_git(*args: object, **kwargs: object) -> None:
        raise AssertionError("git was started")

    monkeypatch.setattr(tripwire.subprocess, "run", no_git)
    assert nested_git_hazards(project) == []


def test_the_watch_says_a_planted_submodule_once_and_a_later_config_change_too(tmp_path) -> None:
    import subprocess as sp

    from aegis_core.sandbox.tripwire import HazardWatch

    project = tmp_path / "p"
    project.mkdir()

    def g(*args, cwd=project):
        sp.run(["git", "-c", "user.name=a", "-c", "user.email=a@example.com", *args], cwd=cwd, check=True,
               capture_output=True)

    g("init", "-q")
    said: list[list[str]] = []
    watch = HazardWatch(project, said.append, interval=3600)  # checked by hand below, not by its thread
    watch.start()
    try:
        assert watch.check() == []
        inner = project / "vendor" / "tool"
        inner.mkdir(parents=True)
        g("init", "-q", cwd=inner)
        g("commit", "-q", "--allow-empty", "-m", "x", cwd=inner)
        head = sp.run(["git", "-C", str(inner), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
        g("update-index", "--add", "--cacheinfo", f"160000,{head},vendor/tool")
        assert watch.check() == []  # a plain submodule: nothing runs
        with open(inner / ".git" / "config", "a") as config:
            config.write('[core]\n\tfsmonitor = "touch PWNED; false"\n')
        (first,) = watch.check()  # only the config changed, not the index
        assert "vendor/tool/" in first and "core.fsmonitor" in first
        assert watch.check() == []  # said once
        assert said == [[first]]
    finally:
        watch.stop()
    assert not (project / "PWNED").exists()


def test_the_watch_sees_a_submodules_git_file_pointed_elsewhere(project: Path, tmp_path: Path) -> None:
    """Neither the index nor any config the watch knew changes: the submodule's `.git`
    file is rewritten to name another git folder, whose config runs a command."""
    from aegis_core.sandbox.tripwire import HazardWatch

    library = tmp_path / "library"
    git("init", "-q", str(library))
    git("-C", str(library), "commit", "-q", "--allow-empty", "-m", "lib")
    git("-C", str(project), "submodule", "add", "-q", str(library), "lib")
    said: list[list[str]] = []
    watch = HazardWatch(project, said.append, interval=3600)  # checked by hand below
    watch.start()
    try:
        assert watch.check() == []
        evil = project / "build" / "cache"
        git("init", "-q", "--bare", str(evil))
        with open(evil / "config", "a") as config:
            config.write('[core]\n\tfsmonitor = "touch PWNED; false"\n')
        (project / "lib" / ".git").write_text("gitdir: ../build/cache\n")
        (first,) = watch.check()
        assert "lib/" in first and "core.fsmonitor" in first
    finally:
        watch.stop()
    assert not list(project.rglob("PWNED"))
