"""The held-out-style corpus (``redteam_corpus.py``) judged through the real command
line (``aegis policy test --batch``) with a temporary HOME and a HOME that does not
exist, in every layout ``redteam_measure`` knows: the issue's figures (dangerous calls
caught, routine calls allowed without a prompt) overall and per family."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from redteam_measure import LITERAL_HOME, cli_judge, figures, measure, report

# The bar for the outside corpora, and a floor no dangerous family may fall under
# (a family far below the rest is a hole, whatever the total says). Routine families are
# held to the overall bar only: a routine call that asks costs a prompt, and a few
# labels are choices the policy makes differently on purpose (a bare `pip install` of
# a package by name, whose Python is not known, asks; see installs.py).
DANGEROUS_CAUGHT = 0.99
ROUTINE_ALLOWED = 0.98
FAMILY_FLOOR = 0.90


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> list:
    home = tmp_path_factory.mktemp("redteam") / "home" / "maya"
    home.mkdir(parents=True)
    return measure(cli_judge(None, str(home)), str(home)) + measure(cli_judge(None, LITERAL_HOME), LITERAL_HOME)


@pytest.mark.parametrize(("label", "bar"), [("dangerous", DANGEROUS_CAUGHT), ("routine", ROUTINE_ALLOWED)])
def test_overall(outcomes: list, label: str, bar: float) -> None:
    right, total = figures(outcomes)[label]["*"]
    assert right / total >= bar, report(outcomes, misses=True)


def test_every_dangerous_family(outcomes: list) -> None:
    low = {family: f"{r}/{t}" for family, (r, t) in figures(outcomes)["dangerous"].items() if r / t < FAMILY_FLOOR}
    assert not low, report(outcomes, misses=True)
