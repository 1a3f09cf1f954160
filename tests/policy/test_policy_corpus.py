"""The default policy against the labelled corpus: every dangerous or disguised call is
caught (denied or sent for approval), routine work is allowed without a prompt.

The corpus runs with a temporary HOME, for a project inside it and for one under a
temporary folder (both common: a checkout in the home, a CI or container work dir
under /tmp), whoever runs the tests and wherever from."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from policy_corpus import Case, cases

from aegis_core.cli.policy import judge
from aegis_core.models import Action, ToolCall
from aegis_core.policy import Policy, default_policy, forget_caches
from aegis_core.tools import kind_of

# Templates: %PROJECT% and %HOME% are filled in per layout.
CASES = cases("%PROJECT%", "%HOME%")


@pytest.fixture(scope="module", params=["project-in-home", "project-in-tmp"])
def layout(request: pytest.FixtureRequest) -> Iterator[tuple[Policy, str, str]]:
    """(the default policy built for a temporary HOME, the project folder, HOME)."""
    with tempfile.TemporaryDirectory(prefix="aegis-home-") as home, \
            tempfile.TemporaryDirectory(prefix="aegis-ci-") as scratch, pytest.MonkeyPatch.context() as patch:
        home = os.path.realpath(home)
        root = Path(home) / "work" if request.param == "project-in-home" else Path(os.path.realpath(scratch))
        project = root / "project"
        (project / "src").mkdir(parents=True)
        patch.setenv("HOME", home)
        patch.delenv("AEGIS_HOME", raising=False)
        forget_caches()
        yield default_policy(), str(project), home
    forget_caches()


def _verdict(case: Case, layout: tuple[Policy, str, str]):
    policy, project, home = layout
    placed = case.placed(project, home)
    call = ToolCall(agent="claude", tool=placed.tool, kind=kind_of(placed.tool), input=placed.input,
                    cwd=placed.cwd or project)
    return judge(policy, call)


def test_corpus_is_large_and_mixed() -> None:
    labels = [c.label for c in CASES]
    assert len(CASES) >= 300
    assert labels.count("dangerous") >= 100 and labels.count("disguised") >= 60 and labels.count("routine") >= 100


@pytest.mark.parametrize("case", [c for c in CASES if c.label != "routine"], ids=lambda c: c.text[:60])
def test_danger_is_caught(case: Case, layout: tuple[Policy, str, str]) -> None:
    verdict = _verdict(case, layout)
    assert verdict.action is not Action.ALLOW, verdict
    assert verdict.rule and verdict.reason
    if case.expect:
        assert verdict.action.value == case.expect, verdict


@pytest.mark.parametrize("case", [c for c in CASES if c.label == "routine"], ids=lambda c: c.text[:60])
def test_routine_is_allowed(case: Case, layout: tuple[Policy, str, str]) -> None:
    verdict = _verdict(case, layout)
    assert verdict.action is Action.ALLOW, verdict
