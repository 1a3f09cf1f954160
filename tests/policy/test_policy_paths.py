"""Paths are normalised before matching: relative to cwd, ~ and $HOME, .., symlinks."""

from __future__ import annotations

import os
from pathlib import Path

from policy_support import shell, tool_call

from aegis_core.models import Action
from aegis_core.policy import default_policy
from aegis_core.policy.paths import GlobSet, normalise

POLICY = default_policy()


def test_normalise_forms() -> None:
    assert normalise("src/../.env", "/p", "/h") == "/p/.env"
    assert normalise("~/.ssh/id_rsa", "/p", "/h") == "/h/.ssh/id_rsa"
    assert normalise("$HOME/x", "/p", "/h") == "/h/x"
    assert normalise("${HOME}/x", "/p", "/h") == "/h/x"
    assert normalise("rel", None, "/h") is None
    assert normalise("a\x00b", "/p", "/h") is None


def test_symlink_to_a_secret_is_the_secret(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "id_rsa").write_text("secret")
    os.symlink(tmp_path / "keys" / "id_rsa", project / "innocent.txt")
    assert normalise("innocent.txt", str(project)) == str(tmp_path / "keys" / "id_rsa")
    verdict = POLICY.evaluate(tool_call("Read", cwd=str(project), file_path="innocent.txt"))
    assert verdict.action is Action.DENY and verdict.rule == "secrets-files"
    verdict = POLICY.evaluate(shell("cat innocent.txt", cwd=str(project)))
    assert verdict.action is Action.DENY


def test_disposable_folders_only_inside_the_project() -> None:
    assert POLICY.evaluate(shell("rm -rf build/ node_modules .pytest_cache")).action is Action.ALLOW
    assert POLICY.evaluate(shell("rm -rf src")).action is Action.REQUIRE_APPROVAL
    assert POLICY.evaluate(shell("rm -rf ../other/build")).action is Action.REQUIRE_APPROVAL
    assert POLICY.evaluate(shell("rm -rf build/../..")).action is Action.DENY


def test_globs_with_negation() -> None:
    globs = GlobSet(["**/.env.*", "!**/.env.example", "*.pem"], home="/h")
    assert globs.matches("/p/.env.local") and globs.matches("/x/a.pem")
    assert not globs.matches("/p/.env.example") and not globs.matches("/p/env.py")


def test_cd_changes_where_relative_paths_point() -> None:
    assert POLICY.evaluate(shell("cd / && rm -rf *")).action is Action.DENY
    assert POLICY.evaluate(shell("cd build && rm -rf *")).action is Action.ALLOW
    assert POLICY.evaluate(shell("cd $SOMEWHERE && rm -rf out")).action is not Action.ALLOW


def test_cached_resolution_is_exactly_realpath(tmp_path: Path) -> None:
    """resolve() builds on resolved parent folders (one lstat per new path); it must agree
    with os.path.realpath on every path through links, .. and missing parts. Past a link
    loop the rest is kept as written (realpath's own answer there is an artefact: it
    turns loop//a into /a); such paths only have to resolve without raising."""
    import itertools

    from aegis_core.policy.paths import resolve

    (tmp_path / "a" / "b" / "c").mkdir(parents=True)
    (tmp_path / "a" / "f").write_text("x")
    os.symlink(tmp_path / "a" / "b", tmp_path / "link")
    os.symlink("../a", tmp_path / "a" / "b" / "up")
    os.symlink(tmp_path / "a" / "f", tmp_path / "a" / "b" / "filelink")
    os.symlink("nowhere", tmp_path / "broken")
    os.symlink(tmp_path / "loop1", tmp_path / "loop2")
    os.symlink(tmp_path / "loop2", tmp_path / "loop1")
    parts = ["a", "b", "link", "up", "f", "filelink", "broken", "missing", "..", ".", "loop1", ""]
    wrong = []
    for count in range(1, 5):
        for combination in itertools.product(parts, repeat=count):
            path = f"{tmp_path}/" + "/".join(combination)
            if "loop1" in combination:
                assert resolve(path).startswith("/")
            elif resolve(path) != os.path.realpath(path):
                wrong.append(path)
    assert wrong == []


def test_a_call_naming_too_many_paths_needs_approval(tmp_path: Path) -> None:
    from aegis_core.policy.paths import MAX_PATHS_PER_CALL

    few = "cat " + " ".join(f"src/f{i}.py" for i in range(MAX_PATHS_PER_CALL))
    many = "cat " + " ".join(f"src/f{i}.py" for i in range(MAX_PATHS_PER_CALL + 1))
    assert POLICY.evaluate(shell(few, cwd=str(tmp_path))).action is Action.ALLOW
    verdict = POLICY.evaluate(shell(many, cwd=str(tmp_path)))
    assert verdict.action is Action.REQUIRE_APPROVAL and "too many to look up" in verdict.reason
    # A secret past the limit is still never allowed.
    hidden = "cat " + " ".join(f"src/f{i}.py" for i in range(MAX_PATHS_PER_CALL + 5)) + " .env"
    assert POLICY.evaluate(shell(hidden, cwd=str(tmp_path))).action is not Action.ALLOW


def test_filesystem_lookups_are_budgeted_per_call(tmp_path: Path) -> None:
    from aegis_core.policy.paths import CallBudget, forget

    (tmp_path / "a" / "b" / "c").mkdir(parents=True)
    forget()
    with CallBudget(lookups=2):
        assert normalise("a/b/c/d", str(tmp_path)) is None  # needs more lookups than allowed
    forget()
    with CallBudget(lookups=100):
        assert normalise("a/b/c/d", str(tmp_path)) == f"{tmp_path}/a/b/c/d"
    forget()
    assert normalise("a/b/c/d", str(tmp_path)) == f"{tmp_path}/a/b/c/d"  # no budget outside a call


def test_a_wildcard_too_wide_to_expand_needs_approval(tmp_path: Path) -> None:
    for number in range(60):
        (tmp_path / f"d{number}").mkdir()
        (tmp_path / f"d{number}" / "notes.txt").write_text("x")
    (tmp_path / ".env").write_text("SECRET=1")
    # Expanded: the disguised secret is seen for what it is, the notes are routine.
    assert POLICY.evaluate(shell("cat .e?v", cwd=str(tmp_path))).action is Action.DENY
    assert POLICY.evaluate(shell("cat d1/*.txt", cwd=str(tmp_path))).action is Action.ALLOW
    # Listing 60 folders to find nothing is more than one call may look at.
    verdict = POLICY.evaluate(shell("cat */*/nothing", cwd=str(tmp_path)))
    assert verdict.action is Action.REQUIRE_APPROVAL and "wildcard too wide" in verdict.reason


def test_a_name_pattern_in_any_folder_matches_the_name_only() -> None:
    """`**/*mcp*.json` names a file: a project under ~/src/mcp-server (or a temporary
    folder whose random name holds "mcp") is not an MCP config on every .json."""
    globs = GlobSet(["**/*mcp*.json", "**/.env.*", "!**/.env.*.example"])
    assert globs.matches("/home/dev/src/mcp-server/package.json") is False
    assert globs.matches("/tmp/aegis-ci-xmcpq/project/data.json") is False
    assert globs.matches("/home/dev/src/app/.env.d/notes.txt") is False
    assert globs.matches("/home/dev/src/app/.mcp.json") is True
    assert globs.matches("/home/dev/src/app/config/claude-mcp.json") is True
    assert globs.matches("/home/dev/src/app/.env.local") is True
    assert globs.matches("/home/dev/src/app/.env.local.example") is False
    for project in ("/home/dev/src/mcp-server", "/tmp/aegis-ci-mcp01/project"):
        verdict = POLICY.evaluate(tool_call("Write", cwd=project, file_path=f"{project}/package.json", content="{}"))
        assert verdict.action is Action.ALLOW, verdict
        verdict = POLICY.evaluate(tool_call("Write", cwd=project, file_path=f"{project}/.mcp.json", content="{}"))
        assert verdict.action is Action.REQUIRE_APPROVAL, verdict
