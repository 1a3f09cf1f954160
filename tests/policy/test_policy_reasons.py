"""`aegis policy explain` names the family and the rule; a reason says what was found
and which rule found it once, and leaves what to do next to whoever acts on it."""

from __future__ import annotations

import json
from collections.abc import Callable
from subprocess import CompletedProcess

from policy_support import PROJECT, shell, tool_call

from aegis_core.models import Action
from aegis_core.policy import default_policy

POLICY = default_policy()


def test_explain_names_the_family_and_the_rule(run_aegis: Callable[..., CompletedProcess[bytes]]) -> None:
    text = run_aegis("policy", "explain", "--command", "find . -name '*' -delete", "--cwd", PROJECT).stdout.decode()
    assert "rule: fs-delete-critical (family: filesystem)" in text
    assert "-> deny (rule fs-delete-critical, family filesystem)" in text
    data = json.loads(run_aegis("policy", "explain", "--command", "alembic downgrade base", "--cwd", PROJECT,
                                "--json").stdout)
    assert data["rule"] == "infra-database-reset" and data["family"] == "infra"
    assert data["subjects"][0]["family"] == "infra"


def test_a_reason_names_its_rule_once_and_gives_no_generic_advice() -> None:
    for call in (shell("rm -rf /"), shell("git switch -f main"), tool_call("Write", file_path=".envrc", content="x")):
        verdict = POLICY.evaluate(call)
        assert verdict.action is not Action.ALLOW
        assert verdict.reason.count(verdict.rule) == 1, verdict.reason
        assert "Do not retry" not in verdict.reason and "has been asked" not in verdict.reason


def test_an_approval_reason_for_a_write_names_the_file_not_its_content() -> None:
    verdict = POLICY.evaluate(tool_call("Write", file_path=".github/workflows/ci.yml", content="on: push\njobs: {}"))
    assert verdict.rule == "persist-runs-later" and ".github/workflows/ci.yml [rule" in verdict.reason
    assert "jobs" not in verdict.reason
