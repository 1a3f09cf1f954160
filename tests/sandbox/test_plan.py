"""The plan of a sandbox, built without starting anything: what is writable, what is
hidden, what stays read-only inside the project, and which folder is the project."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from aegis_core.sandbox.manifest import Manifest, parse_manifest
from aegis_core.sandbox.plan import AGENT_SOCKET, RUN_DIR, SandboxNeeds, build_plan
from aegis_core.sandbox.project import project_root


@pytest.fixture
def machine(tmp_path: Path) -> dict[str, Path]:
    home = tmp_path / "home"
    project = home / "src" / "app"
    for folder in (home / ".ssh", home / ".aws", home / ".cache", home / ".claude", project / ".git" / "hooks",
                   project / "pkg", tmp_path / "tmp", tmp_path / "ah", tmp_path / "empty", tmp_path / "run"):
        folder.mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text("key")
    (home / ".netrc").write_text("machine x password y")
    (project / ".git" / "config").write_text("[core]\n")
    (project / ".mcp.json").write_text("{}")
    return {"home": home, "project": project, "tmp": tmp_path / "tmp", "ah": tmp_path / "ah",
            "empty": tmp_path / "empty", "run": tmp_path / "run", "root": tmp_path}


def plan_for(machine, manifest=None, cwd=None, **extra):
    return build_plan(manifest or Manifest(), session="s-1", cwd=cwd or machine["project"] / "pkg",
                      home=machine["home"], aegis_home=machine["ah"], tmp_dir=machine["tmp"],
                      empty_dir=machine["empty"], **extra)


def kinds(plan, path) -> list[str]:
    return [m.kind for m in plan.mounts if m.dest == str(path)]


def test_the_git_work_tree_is_the_project_and_writable(machine):
    plan = plan_for(machine)
    assert plan.project == str(machine["project"])
    assert "rw" in kinds(plan, machine["project"])
    assert str(machine["home"] / ".cache") in plan.writable()
    assert str(machine["home"] / ".claude") in plan.writable()
    assert kinds(plan, machine["home"]) == ["ro"]
    assert plan.cwd == str(machine["project"] / "pkg")


def test_secrets_are_masked_after_everything_else(machine):
    plan = plan_for(machine)
    ssh, netrc = machine["home"] / ".ssh", machine["home"] / ".netrc"
    assert kinds(plan, ssh) == ["mask"] and kinds(plan, netrc) == ["mask"]
    assert [m.file for m in plan.mounts if m.dest == str(netrc)] == [True]
    last_bind = max(i for i, m in enumerate(plan.mounts) if m.kind in ("rw",))
    first_mask = min(i for i, m in enumerate(plan.mounts) if m.kind == "mask")
    assert first_mask > last_bind
    assert str(machine["home"] / ".kube") not in plan.masked()  # absent: nothing to hide


def test_agent_settings_and_git_hooks_stay_read_only_inside_the_project(machine):
    plan = plan_for(machine)
    project = machine["project"]
    # (an empty hooks folder, perhaps a session's stand-in: held for the session too)
    assert kinds(plan, project / ".git" / "hooks") == ["stand-in"]
    assert str(project / ".git" / "hooks") in plan.read_only()
    assert kinds(plan, project / ".git" / "config") == ["ro"]
    assert kinds(plan, project / ".mcp.json") == ["ro"]
    # .claude does not exist yet: an empty read-only folder takes its place for the
    # session (standin.py), bound from an empty folder of Aegis' when none is claimed.
    claude = [m for m in plan.mounts if m.dest == str(project / ".claude")]
    assert [(m.kind, m.source, m.content) for m in claude] == [("stand-in", str(machine["empty"]), None)]
    assert str(project / ".claude") in plan.read_only()
    (project / ".git" / "hooks" / "pre-commit").write_text("#!/bin/sh\n")
    assert kinds(plan_for(machine), project / ".git" / "hooks") == ["ro"]  # not empty: bound as it is


def test_aegis_home_is_hidden_when_it_would_be_visible(machine):
    inside_home = machine["home"] / ".aegis"
    inside_home.mkdir()
    plan = build_plan(Manifest(), session="s", cwd=machine["project"], home=machine["home"], aegis_home=inside_home,
                      tmp_dir=machine["tmp"])
    assert kinds(plan, inside_home) == ["mask"]
    elsewhere = plan_for(machine)
    assert str(machine["ah"]) not in elsewhere.masked()  # not visible at all, nothing to hide
    assert not any(m.dest.startswith(str(machine["ah"])) for m in elsewhere.mounts)


def test_the_run_folder_is_the_only_way_to_aegis(machine):
    plan = plan_for(machine, run_dir=machine["run"])
    assert [(m.kind, m.source) for m in plan.mounts if m.dest == RUN_DIR] == [("ro", str(machine["run"]))]
    assert plan.env["AEGIS_SOCKET"] == AGENT_SOCKET
    assert plan.proxy_socket is None  # no egress proxy: no network at all
    assert "HTTPS_PROXY" not in plan.env


def test_the_proxy_is_reached_through_the_proxy_variables_when_the_session_has_one(machine):
    plan = plan_for(machine, run_dir=machine["run"], network=True)
    assert plan.proxy_socket == str(machine["run"] / "proxy.sock")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        assert plan.env[name] == "http://127.0.0.1:3128"
    # No loophole for loopback: the agent's API traffic must go through Aegis.
    assert "NO_PROXY" in plan.unset_env and "no_proxy" in plan.unset_env
    # Nothing of the bridge is inside: no interpreter, no script bound in for it.
    assert not any("bridge" in m.dest or "aegis-net" in m.dest for m in plan.mounts)


def test_started_from_home_nothing_there_is_writable(machine):
    project, note = project_root(machine["home"], machine["home"])
    assert project is None and "home folder" in note
    plan = plan_for(machine, cwd=machine["home"])
    assert plan.project is None
    assert str(machine["home"]) not in plan.writable()
    assert kinds(plan, machine["home"]) == ["ro"]


def test_a_dotfiles_repository_in_the_home_is_not_the_project(machine):
    (machine["home"] / ".git").mkdir()
    docs = machine["home"] / "docs"
    docs.mkdir()
    assert project_root(docs, machine["home"])[0] == docs
    assert project_root(machine["home"], machine["home"])[0] is None
    assert project_root(machine["project"] / "pkg", machine["home"])[0] == machine["project"]


def test_a_folder_without_git_is_the_project(machine):
    scratch = machine["root"] / "scratch"
    scratch.mkdir()
    assert project_root(scratch, machine["home"])[0] == scratch
    assert project_root(Path("/"), machine["home"])[0] is None
    assert project_root(Path("/usr"), machine["home"])[0] is None


def git(*args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "protocol.file.allow=always",
                    *args], check=True, capture_output=True)


def test_a_worktree_s_git_folder_is_writable_and_its_hooks_are_not(machine):
    main = machine["root"] / "main"
    git("init", "-q", str(main))
    git("-C", str(main), "commit", "-q", "--allow-empty", "-m", "first")
    tree = machine["root"] / "wt"
    git("-C", str(main), "worktree", "add", "-q", str(tree))
    plan = plan_for(machine, cwd=tree)
    assert plan.project == str(tree)
    assert "rw" in kinds(plan, main / ".git") and "rw" in kinds(plan, main / ".git" / "worktrees" / "wt")
    assert kinds(plan, main / ".git" / "hooks") == ["ro"]
    assert kinds(plan, main / ".git" / "config") == ["ro"]
    # Neither the pointer to the git folder nor the git folder's pointer to the config
    # can be rewritten: either would make the user's next git command read another config.
    assert kinds(plan, tree / ".git") == ["ro"]
    assert kinds(plan, main / ".git" / "worktrees" / "wt" / "commondir") == ["ro"]
    assert kinds(plan, main / ".git" / "commondir") == ["placeholder"]


def test_a_submodule_s_git_folder_is_writable(machine):
    library, app = machine["root"] / "library", machine["root"] / "app"
    for repo in (library, app):
        git("init", "-q", str(repo))
        git("-C", str(repo), "commit", "-q", "--allow-empty", "-m", "first")
    git("-C", str(app), "submodule", "add", "-q", str(library), "lib")
    plan = plan_for(machine, cwd=app / "lib")
    assert plan.project == str(app / "lib")
    assert kinds(plan, app / ".git" / "modules" / "lib") == ["rw"]
    assert kinds(plan, app / ".git" / "modules" / "lib" / "config") == ["ro"]


@pytest.mark.parametrize("pointer", ["file", "link", "worktree-elsewhere"])
def test_a_git_pointer_the_agent_wrote_makes_nothing_else_writable(machine, pointer):
    """In a project without git, the agent writes `.git` naming the home (or another
    repository's worktree folder): the next session must not bind that writable."""
    project = machine["root"] / "plain"
    project.mkdir()
    other = machine["home"] / "other"
    if pointer == "file":
        (project / ".git").write_text(f"gitdir: {machine['home']}\n")
    elif pointer == "link":
        (project / ".git").symlink_to(machine["home"])
    else:  # a real worktree of another repository, which does not name this folder back
        git("init", "-q", str(other))
        git("-C", str(other), "commit", "-q", "--allow-empty", "-m", "first")
        git("-C", str(other), "worktree", "add", "-q", str(machine["root"] / "theirs"))
        (project / ".git").write_text(f"gitdir: {other / '.git' / 'worktrees' / 'theirs'}\n")
    plan = plan_for(machine, cwd=project)
    assert plan.project == str(project) and "rw" in kinds(plan, project)
    writable = plan.writable()
    assert str(machine["home"]) not in writable and not any(w.startswith(str(other)) for w in writable), writable
    assert "rw" not in kinds(plan, project / ".git")  # nor the home through the link, at .git
    assert not any(m.dest.startswith(str(machine["home"])) and m.kind == "placeholder" for m in plan.mounts)


def test_git_cannot_be_pointed_at_another_config(machine):
    plan = plan_for(machine)
    git = machine["project"] / ".git"
    assert kinds(plan, git) == ["rw"]  # a mount point of its own: it cannot be moved aside
    (placeholder,) = [m for m in plan.mounts if m.dest == str(git / "commondir")]
    assert placeholder.kind == "placeholder" and placeholder.content == ".\n"
    assert str(git / "commondir") in plan.read_only()


def test_settings_in_the_folder_the_agent_starts_in_are_protected_too(machine):
    plan = plan_for(machine)  # started in project/pkg
    for folder in (machine["project"] / ".claude", machine["project"] / "pkg" / ".claude"):
        found = [(m.kind, m.source) for m in plan.mounts if m.dest == str(folder)]
        assert found == [("stand-in", str(machine["empty"]))]


def test_an_entry_reached_through_a_link_the_agent_could_plant_is_not_bound(machine, tmp_path):
    """A session's agent makes ~/.cache/build a link to the home (or /etc): the next
    session's manifest entry ~/.cache/build must not make the home writable."""
    cache = machine["home"] / ".cache"
    (cache / "build").symlink_to(machine["home"])
    (cache / "peek").symlink_to(machine["ah"])
    outside = tmp_path / "data"
    outside.mkdir()
    (machine["home"] / ".cargo").mkdir()
    (machine["home"] / ".cargo" / "registry").symlink_to(outside)  # the user's own link: in a read-only place
    manifest = parse_manifest('[sandbox.fs]\nwrite = ["~/.cache/build", "~/.cargo/registry"]\n'
                              'read = ["~/.cache/peek"]\n')
    plan = plan_for(machine, manifest)
    assert str(machine["home"]) not in plan.writable()
    assert kinds(plan, cache / "build") == [] and kinds(plan, cache / "peek") == []
    assert kinds(plan, machine["ah"]) == []
    assert str(outside) in plan.writable()


def test_the_manifest_adds_paths_and_hosts(machine, tmp_path):
    extra = tmp_path / "data"
    extra.mkdir()
    other = machine["home"] / "other"
    other.mkdir()
    (machine["project"] / "secrets").mkdir()
    manifest = parse_manifest(f"""
[sandbox.fs]
read = ["{extra}"]
write = ["~/other"]
read_deny = ["secrets", "~/.ssh/*"]
[sandbox.network]
allow = ["pypi.org:443"]
""")
    plan = plan_for(machine, manifest, needs=SandboxNeeds(network=("api.example.com:443", "pypi.org:443")))
    assert kinds(plan, extra) == ["ro"]
    assert kinds(plan, other) == ["rw"]
    assert kinds(plan, machine["project"] / "secrets") == ["mask"]
    assert kinds(plan, machine["home"] / ".ssh" / "id_rsa") == ["mask"]
    assert [str(r) for r in plan.network_allow] == ["pypi.org:443", "api.example.com:443"]


def test_an_adapter_s_needs(machine, tmp_path):
    tool = tmp_path / "tool"
    tool.mkdir()
    settings = machine["home"] / ".claude" / "settings.json"
    settings.write_text("{}")
    needs = SandboxNeeds(read=(str(tool),), protect=(str(settings),),
                         files={"/etc/claude-code/managed-settings.json": "{}"}, env={"CLAUDE_CONFIG_DIR": "x"})
    plan = plan_for(machine, needs=needs)
    assert kinds(plan, tool) == ["ro"]
    assert kinds(plan, settings) == ["ro"]
    data = [m for m in plan.mounts if m.dest == "/etc/claude-code/managed-settings.json"]
    assert [(m.kind, m.content) for m in data] == [("data", "{}")]
    remount = next(i for i, m in enumerate(plan.mounts) if m.kind == "remount-ro" and m.dest == "/etc")
    assert plan.mounts.index(data[0]) < remount  # placed before /etc turns read-only
    assert plan.env["CLAUDE_CONFIG_DIR"] == "x"


def test_the_agent_is_an_ordinary_user_with_its_own_passwd(machine):
    as_root = plan_for(machine, uid=0, gid=0)
    assert (as_root.uid, as_root.gid, as_root.user) == (1000, 1000, "agent")
    passwd = next(m.content for m in as_root.mounts if m.dest == "/etc/passwd")
    assert f"agent:x:1000:1000:agent:{machine['home']}:" in passwd
    as_user = plan_for(machine, uid=4242, gid=4343)
    assert (as_user.uid, as_user.gid) == (4242, 4343)
    etc = [m.dest for m in as_user.mounts if m.dest.startswith("/etc/") and m.kind == "ro"]
    assert "/etc/shadow" not in etc and "/etc/sudoers" not in etc and not any("ssh" in p for p in etc)


def test_variables_pointing_at_hidden_things_are_unset(machine):
    plan = plan_for(machine)
    assert "SSH_AUTH_SOCK" in plan.unset_env and "AEGIS_HOME" in plan.unset_env
    assert plan.env["TMPDIR"] == "/tmp"


def test_a_plan_describes_itself(machine):
    described = plan_for(machine).to_dict()
    assert described["project"] == str(machine["project"])
    assert str(machine["home"] / ".ssh") in described["masked"]
    assert described["network"] == {"allow": [], "proxy": False}
    assert os.path.isabs(described["mounts"][0]["path"])


def test_the_filtered_etc_is_one_snapshot_reused_until_a_source_changes(tmp_path):
    from aegis_core.sandbox.etc_snapshot import etc_section, snapshot
    from aegis_core.sandbox.plan import Mount

    host = tmp_path / "host-etc"
    (host / "ssl" / "certs").mkdir(parents=True)
    (host / "hosts").write_text("127.0.0.1 localhost\n")
    (host / "ssl" / "certs" / "ca.pem").symlink_to("/usr/share/ca-certificates/x.crt")
    mounts = [Mount("tmpfs", "/etc"), Mount("ro", "/etc/hosts", str(host / "hosts")),
              Mount("ro", "/etc/ssl/certs", str(host / "ssl" / "certs")),
              Mount("data", "/etc/passwd", content="agent:x:1000:1000::/home/a:/bin/sh\n"),
              Mount("symlink", "/etc/mtab", "/proc/self/mounts"), Mount("remount-ro", "/etc")]
    assert etc_section([Mount("ro", "/usr", "/usr"), *mounts]) == (1, 7)
    cache = tmp_path / "cache"
    first = snapshot(mounts, cache)
    assert first is not None
    assert (first / "hosts").read_text() == "127.0.0.1 localhost\n"
    assert os.readlink(first / "ssl" / "certs" / "ca.pem") == "/usr/share/ca-certificates/x.crt"
    assert (first / "passwd").read_text().startswith("agent:")
    assert os.readlink(first / "mtab") == "/proc/self/mounts"
    assert snapshot(mounts, cache) == first  # reused
    (host / "hosts").write_text("127.0.0.1 localhost other\n")
    second = snapshot(mounts, cache)
    assert second not in (None, first) and (second / "hosts").read_text().endswith("other\n")
    unreadable = [*mounts[:-1], Mount("ro", "/etc/gone", str(host / "gone")), mounts[-1]]
    assert snapshot(unreadable, cache) is None  # the caller binds entry by entry instead


def test_the_hook_client_stays_read_only_even_inside_the_project(machine, tmp_path):
    """Aegis installed into the project's own venv: the client the agent's hooks run
    must not be editable inside, or it would answer allow without asking."""
    client = machine["project"] / ".venv" / "lib" / "aegis_core" / "hookclient"
    client.mkdir(parents=True)
    elsewhere = tmp_path / "site" / "aegis_claude_hook"
    elsewhere.mkdir(parents=True)
    plan = plan_for(machine, needs=SandboxNeeds(read=(str(client), str(elsewhere)),
                                                protect=(str(client), str(elsewhere))))
    assert kinds(plan, client) == ["ro"] and str(client) in plan.read_only()
    last_project_bind = max(i for i, m in enumerate(plan.mounts) if m.dest == str(machine["project"]))
    assert next(i for i, m in enumerate(plan.mounts) if m.dest == str(client)) > last_project_bind
    assert kinds(plan, elsewhere) == ["ro"]  # shown once, read-only: nothing writable to cover


def test_agents_settings_that_do_not_exist_yet_cannot_be_created_inside(machine):
    """A missing ~/.codex/config.toml written inside (notify = [...], an MCP server)
    would run the next time Codex starts, outside Aegis too: it is made empty first,
    then kept read-only like the others."""
    from aegis_core.sandbox.agent_state import prepare

    home = machine["home"]
    for folder in (".codex", ".gemini", ".cursor"):
        (home / folder).mkdir()
    (home / ".cursor" / "mcp.json").write_text('{"mcpServers": {}}')
    (home / ".gemini" / "settings.json").write_text('{"theme": "mine"}')
    state = prepare(home, {"HOME": str(home)}, program="codex")
    assert (home / ".codex" / "config.toml").read_text() == ""
    assert (home / ".gemini" / "settings.json").read_text() == '{"theme": "mine"}'  # the user's, untouched
    assert (home / ".claude" / "settings.json").read_text() == "{}\n"
    manifest = parse_manifest('[sandbox.fs]\nwrite = ["~/.codex", "~/.gemini", "~/.cursor"]\n')
    plan = plan_for(machine, manifest, needs=SandboxNeeds(protect=state.protect, env=state.env))
    for path in (".codex/config.toml", ".gemini/settings.json", ".cursor/mcp.json", ".claude/settings.json"):
        assert kinds(plan, home / path)[-1] == "ro", path


def test_ending_a_session_does_not_follow_links_the_agent_left_in_its_temp(tmp_path):
    """The session's /tmp is the agent's: `ln -s /etc /tmp/x` there must not make the
    clean-up (aegis wrap, perhaps as root) chmod /etc."""
    from aegis_core.sandbox.session import _remove_tree

    mine = tmp_path / "mine"
    mine.mkdir(mode=0o755)
    agent_tmp = tmp_path / "session-tmp"
    (agent_tmp / "deep").mkdir(parents=True)
    (agent_tmp / "deep" / "locked").mkdir(mode=0o555)
    (agent_tmp / "x").symlink_to(mine)
    (agent_tmp / "deep" / "y").symlink_to(mine)
    _remove_tree(agent_tmp)
    assert not agent_tmp.exists()
    assert (mine.stat().st_mode & 0o777) == 0o755


def test_links_the_agent_left_in_claudes_folder_are_not_written_through(machine, tmp_path):
    """~/.claude is writable inside: a link left there as the state file, or as the
    temporary file Aegis writes next to it, must not make aegis wrap (perhaps root)
    write wherever it points."""
    from aegis_core.sandbox.agent_state import PLACEHOLDER_KEY, prepare

    home = machine["home"]
    key = "sk-ant-" + "k" * 40
    (home / ".claude.json").write_text('{"user": "state"}')
    victim = tmp_path / "victim"
    victim.write_text("the user's own file\n")
    (home / ".claude").mkdir(exist_ok=True)
    (home / ".claude" / ".claude.json").unlink(missing_ok=True)
    (home / ".claude" / ".claude.json").symlink_to(tmp_path / "created-through-a-link")
    prepare(home, {"HOME": str(home)}, program="claude")
    assert not (tmp_path / "created-through-a-link").exists()

    state = home / ".claude" / ".claude.json"
    state.unlink()
    state.write_text(json.dumps({"customApiKeyResponses": {"approved": [key[-20:]]}}))
    for pid in range(os.getpid() - 50, os.getpid() + 50):  # every name the old code would have used
        (home / ".claude" / f"..claude.json.aegis-{pid}").symlink_to(victim)
    prepare(home, {"HOME": str(home), "ANTHROPIC_API_KEY": key}, program="claude")
    assert victim.read_text() == "the user's own file\n"
    assert PLACEHOLDER_KEY[-20:] in json.loads(state.read_text())["customApiKeyResponses"]["approved"]

    state.unlink()
    state.symlink_to(victim)  # a link as the state itself: not read, not replaced
    prepare(home, {"HOME": str(home), "ANTHROPIC_API_KEY": key}, program="claude")
    assert state.is_symlink() and victim.read_text() == "the user's own file\n"
