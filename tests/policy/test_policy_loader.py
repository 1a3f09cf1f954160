"""policy.toml loading: the seed format verbatim, every error with file:line, the
plugin keeping the last good policy."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from policy_support import shell, tool_call

from aegis_core.config import load_config
from aegis_core.errors import ConfigError, ExitCode, PermissionDenied
from aegis_core.models import Action
from aegis_core.policy import PolicyError, load_policy, policy_from_text, validate_policy_file
from aegis_core.policy.plugin import PolicyHolder

SEED = textwrap.dedent('''
    [policy]
    default_action = "require_approval"   # Fail-safe default

    [[policy.rules]]
    name = "allow-safe-reads"
    match = { tool = "read_file", path_pattern = "^/home/.*" }
    action = "allow"
    priority = 100

    [[policy.rules]]
    name = "block-secret-reads"
    match = { tool = "read_file", path_pattern = ".*\\\\.env.*|.*secret.*|.*credentials.*" }
    action = "deny"
    reason = "Secret file access blocked"
    priority = 10

    [[policy.rules]]
    name = "require-approval-for-writes"
    match = { tool = "write_file" }
    action = "require_approval"
    priority = 50

    [[policy.rules]]
    name = "block-force-push"
    match = { tool = "bash", command_pattern = "git push.*--force|git push.*-f" }
    action = "deny"
    reason = "Force push to remote is prohibited"
    priority = 5
''')


def test_seed_readme_policy_works_verbatim(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(SEED)
    policy = load_policy(path)
    assert policy.evaluate(tool_call("Read", cwd="/home/u/p", file_path="src/a.py")).action is Action.ALLOW
    denied = policy.evaluate(tool_call("Read", cwd="/home/u/p", file_path="src/../.env"))
    assert denied.action is Action.DENY and denied.rule == "block-secret-reads"
    assert "Secret file access blocked" in denied.reason
    assert policy.evaluate(tool_call("Write", cwd="/home/u/p", file_path="x")).action is Action.REQUIRE_APPROVAL
    push = policy.evaluate(shell("cd repo && sudo git push origin main --force"))
    assert push.action is Action.DENY and push.rule == "block-force-push"
    assert policy.evaluate(shell("ls")).action is Action.REQUIRE_APPROVAL  # default action


def test_matchers_beyond_the_seed() -> None:
    policy = policy_from_text(textwrap.dedent('''
        [policy]
        default_action = "allow"
        [[policy.rules]]
        name = "no-rm"
        match = { tool = "Bash", executable = "rm" }
        action = "deny"
        [[policy.rules]]
        name = "github-mcp"
        match = { tool = "mcp__github__*" }
        action = "require_approval"
        [[policy.rules]]
        name = "no-pastebin"
        match = { url_host = ["pastebin.com", "*.pastebin.com"] }
        action = "deny"
        [[policy.rules]]
        name = "risky"
        match = { risk_min = 60 }
        action = "require_approval"
        [[policy.rules]]
        name = "no-docs-writes"
        match = { kind = "write", path_glob = "docs/**" }
        action = "deny"
        [[policy.rules]]
        name = "no-npm-publish"
        match = { executable = "npm", subcommand = "publish" }
        action = "deny"
    '''))
    for command in ("\\rm x", "/bin/rm x", "env A=1 rm x", "sudo rm x", "echo ok && 'rm' x"):
        assert policy.evaluate(shell(command)).rule == "no-rm", command
    assert policy.evaluate(tool_call("mcp__github__push_files")).action is Action.REQUIRE_APPROVAL
    assert policy.evaluate(tool_call("WebFetch", url="https://www.pastebin.com/x")).action is Action.DENY
    assert policy.evaluate(shell("curl https://pastebin.com/raw/1")).action is Action.DENY
    assert policy.evaluate(shell("sudo bash -c 'cat ~/.ssh/id_rsa'")).rule == "risky"
    assert policy.evaluate(tool_call("Write", file_path="docs/a.md")).action is Action.DENY
    assert policy.evaluate(shell("npm --workspace x publish")).action is Action.DENY
    assert policy.evaluate(shell("ls")).action is Action.ALLOW


def test_every_error_is_listed_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(textwrap.dedent('''\
        [policy]
        default_action = "maybe"

        [[policy.rules]]
        name = "a"
        match = { tool = "bash", command_pattern = "(" }
        action = "allow"

        [[policy.rules]]
        name = "a"
        action = "explode"
        priority = "high"
        match = { frobnicate = 1, check = "nope", risk_min = 500 }
    '''))
    issues = validate_policy_file(path)
    found = {(i.line, i.message.split(" ")[0]) for i in issues}
    assert (2, "default_action") in found
    assert (6, "command_pattern:") in found
    assert (10, "duplicate") in found
    assert (11, "action") in found
    assert (12, "priority") in found
    assert {(13, "unknown"), (13, "risk_min")} <= found
    assert all(str(i).startswith(f"{path}:") for i in issues)


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text("[policy]\ndefault_action = \n")
    with pytest.raises(PolicyError) as err:
        load_policy(path)
    assert err.value.issues[0].line == 2 and isinstance(err.value, ConfigError)


def test_catastrophic_regex_is_refused() -> None:
    with pytest.raises(PolicyError, match="exponential"):
        policy_from_text('[policy]\n[[policy.rules]]\nname="x"\naction="deny"\n'
                         'match = { command_pattern = "(a+)+$" }\n')


def test_include_defaults_keeps_the_default_packs() -> None:
    policy = policy_from_text('[policy]\ninclude_defaults = true\n[[policy.rules]]\nname = "mine"\n'
                              'match = { executable = "mytool" }\naction = "allow"\npriority = 550\n')
    assert policy.evaluate(shell("mytool --go")).rule == "mine"
    assert policy.evaluate(shell("rm -rf /")).action is Action.DENY


def test_holder_keeps_the_last_good_policy(aegis_home: Path) -> None:
    holder = PolicyHolder()
    config = load_config()
    assert holder.load(config).source == "<built-in default policy>"  # no file yet
    (aegis_home / "policy.toml").write_text('[policy]\ndefault_action = "deny"\n')
    assert holder.load(config).default_action is Action.DENY
    (aegis_home / "policy.toml").write_text('[policy]\ndefault_action = "deny"\n[[policy.rules]]\nname = 1\n')
    with pytest.raises(ConfigError) as err:
        holder.load(config)
    assert "policy.toml:4" in str(err.value)
    assert holder.current.default_action is Action.DENY  # the previous one stays


def test_holder_loads_lazily_from_config(aegis_home: Path) -> None:
    (aegis_home / "policy.toml").write_text('[policy]\ndefault_action = "allow"\n')
    holder = PolicyHolder()
    assert holder.current.evaluate(shell("anything")).action is Action.ALLOW


def test_world_writable_policy_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('[policy]\n')
    path.chmod(0o666)
    with pytest.raises(PermissionDenied, match="writable by other users") as refused:
        load_policy(path)
    assert refused.value.exit_code == ExitCode.PERMISSION and f"chmod 600 {path}" in refused.value.hint


def test_symlinked_or_group_writable_policy_is_refused(tmp_path) -> None:
    from aegis_core.errors import ExitCode, PermissionDenied
    from aegis_core.policy import load_policy

    real = tmp_path / "elsewhere.toml"
    real.write_text('[policy]\ndefault_action = "allow"\n')
    link = tmp_path / "policy.toml"
    link.symlink_to(real)
    with pytest.raises(PermissionDenied) as refused:
        load_policy(link)
    assert refused.value.exit_code == ExitCode.PERMISSION and "symbolic link" in refused.value.message
    real.chmod(0o664)
    with pytest.raises(PermissionDenied, match="writable by other users"):
        load_policy(real)
