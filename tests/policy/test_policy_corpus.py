"""The default policy against the labelled corpus: every dangerous or disguised call is
caught (denied or sent for approval), routine work is allowed without a prompt."""

from __future__ import annotations

import pytest
from policy_corpus import PROJECT, Case, cases

from aegis_core.cli.policy import judge
from aegis_core.models import Action, ToolCall
from aegis_core.policy import default_policy
from aegis_core.tools import kind_of

POLICY = default_policy()
CASES = cases()


def _verdict(case: Case):
    call = ToolCall(agent="claude", tool=case.tool, kind=kind_of(case.tool), input=case.input, cwd=PROJECT)
    return judge(POLICY, call)


def test_corpus_is_large_and_mixed() -> None:
    labels = [c.label for c in CASES]
    assert len(CASES) >= 300
    assert labels.count("dangerous") >= 100 and labels.count("disguised") >= 60 and labels.count("routine") >= 100


@pytest.mark.parametrize("case", [c for c in CASES if c.label != "routine"], ids=lambda c: c.text[:60])
def test_danger_is_caught(case: Case) -> None:
    verdict = _verdict(case)
    assert verdict.action is not Action.ALLOW, verdict
    assert verdict.rule and verdict.reason
    if case.expect:
        assert verdict.action.value == case.expect, verdict


@pytest.mark.parametrize("case", [c for c in CASES if c.label == "routine"], ids=lambda c: c.text[:60])
def test_routine_is_allowed(case: Case) -> None:
    verdict = _verdict(case)
    assert verdict.action is Action.ALLOW, verdict
