"""What a reload would change, as the confirmation shows it (aegis_core/daemon/reload.py)."""

from __future__ import annotations

from pathlib import Path

from aegis_core.config import load_config
from aegis_core.daemon.reload import diff
from aegis_core.policy import policy_from_text
from aegis_core.sandbox.manifest import parse_manifest

BASE = """[policy]
include_defaults = false
default_action = "require_approval"

[[policy.rules]]
name = "no-push"
match = { executable = "git", subcommand = "push" }
action = "deny"
priority = 10
reason = "I push myself"

[[policy.rules]]
name = "tests"
match = { tool = "bash", command_pattern = "^pytest" }
action = "allow"
priority = 50
"""


def changes(before: str, after: str, tmp_path: Path, config_before: str = "", config_after: str = ""):
    configs = []
    for text in (config_before, config_after):  # one home, its config.toml rewritten
        (tmp_path / "config.toml").write_text(text)
        (tmp_path / "config.toml").chmod(0o600)
        configs.append(load_config(home=tmp_path, env={}))
    return diff(configs[0], configs[1], policy_from_text(before), policy_from_text(after),
                parse_manifest(before), parse_manifest(after))


def test_moving_a_rule_in_the_file_changes_nothing(tmp_path: Path) -> None:
    head, first, second = BASE.split("[[policy.rules]]")
    moved = head + "[[policy.rules]]" + second + "\n[[policy.rules]]" + first
    result = changes(BASE, "# a comment\n" + moved, tmp_path)
    assert result.empty and result.headline() == "nothing changed"


def test_each_rule_that_decides_differently_is_named(tmp_path: Path) -> None:
    after = (BASE.replace('reason = "I push myself"', 'reason = "pushing is mine"')
                 .replace("^pytest", "^pytest|^tox")
                 .replace('default_action = "require_approval"', 'default_action = "allow"')
             + '\n[[policy.rules]]\nname = "anything"\nmatch = { tool = "bash" }\naction = "allow"\n')
    result = changes(BASE, after, tmp_path)
    assert result.modified == ("no-push", "tests") and result.added == ("anything",) and not result.removed
    assert result.default_action == ("require_approval", "allow")
    assert result.headline() == "policy changed: 3 rules differ"
    assert "rules modified: no-push, tests" in result.lines()
    assert "default action: require_approval -> allow" in result.lines()


def test_the_sandbox_manifest_and_config_keys_count_too(tmp_path: Path) -> None:
    after = BASE + '\n[sandbox.network]\nallow = ["pypi.org:443"]\n'
    result = changes(BASE, after, tmp_path, "[approvals]\ntimeout_seconds = 60\n",
                     '[approvals]\ntimeout_seconds = 30\nchannels = ["cli"]\n[extra]\napi_key = "k-123"\n')
    assert result.manifest and not result.rules_differ
    keys = {c.key: c for c in result.config}
    assert keys["approvals.timeout_seconds"].now and not keys["approvals.channels"].now
    assert keys["extra.api_key"].new == "***REDACTED***"
    assert result.headline() == "policy changed: 0 rules differ; config changed: 3 keys differ"
    assert "k-123" not in repr(result.to_dict()) + "\n".join(result.lines())
