"""Where the policy benchmark's cold median goes: the same corpus, order and cache state
as policy_bench.py ("cold": only the shell analysis forgotten before each call), measured
again with one shared phase taken away at a time, and the checks' share per check.

Run: python benchmarks/policy_phases.py [--rounds N]

A phase's cost is the drop in the median when it is taken away, in the same run:
  analysis remembered      the shell analysis kept for every command (never forgotten)
  only finding checks      checks picked as usual, but only those that find something in
                           the call run: the most that gates skipping a check wherever it
                           finds nothing could give (the verdicts are the real ones)
  checks dispatched only   every check picked as usual, each returning nothing at once
  no checks                no check picked or run (for the risk score and the rules)
Verdicts are wrong in the last two: they only measure. The calls are split by how the
shell analysis reads them (plain: literal words split by single spaces, built directly;
tokens: the fast lexer's tokens, built directly; builder: the full builder) and by tool,
because the median sits among the plain shell calls. Then the same calls in another
order (grouped by program, then shuffled; as is otherwise): how much of a call's time
goes to code and data the previous calls left cold. Rows take their rounds in turn.
Last, each check's share of the time spent in check bodies, over the calls within 10%
of the median.
"""

from __future__ import annotations

import argparse
import collections
import functools
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "policy"))

from policy_corpus import PROJECT, cases

from aegis_core.models import ToolCall
from aegis_core.policy import checks, default_policy, engine, risk, rules, shell
from aegis_core.policy.checks import CheckFn
from aegis_core.policy.engine import Policy
from aegis_core.policy.facts import Subject
from aegis_core.policy.fastlex import TooComplex, fast_tokens, spaced_parts, spaced_tokens
from aegis_core.tools import kind_of


def _reading(call: ToolCall) -> str:
    """How the shell analysis reads a call's command (see the docstring), or its tool."""
    command = call.input.get("command") if call.tool == "Bash" else None
    if not isinstance(command, str):
        return call.tool
    parts = spaced_parts(command)
    if parts is not None and shell._plain_segments(command, parts) is not None:
        return "plain"
    try:
        tokens = spaced_tokens(parts) if parts is not None else fast_tokens(command, spaced=False)
    except TooComplex:
        return "builder"
    return "tokens" if tokens is not None and shell._token_segments(tokens) is not None else "builder"


def _best_times(policy: Policy, calls: list[ToolCall], forget: Callable[[], object], rounds: int) -> dict[int, float]:
    """Per call (by id), the best of ``rounds`` timings in microseconds, as policy_bench.py."""
    best: dict[int, float] = {}
    for _ in range(rounds):
        for call in calls:
            forget()
            start = time.perf_counter()
            policy.evaluate(call)
            elapsed = (time.perf_counter() - start) * 1e6
            best[id(call)] = min(best.get(id(call), elapsed), elapsed)
    return best


Phase = Callable[[Policy, list[ToolCall]], AbstractContextManager[Callable[[], object]]]


def _warm(policy: Policy, calls: list[ToolCall]) -> None:
    """One untimed pass, as policy_bench.py makes: patterns compiled, per-program lists
    filled, and whatever the phase keeps (remembered analyses, findings) recorded."""
    for call in calls:
        policy.evaluate(call)


@contextmanager
def _as_is(policy: Policy, calls: list[ToolCall]) -> Iterator[Callable[[], object]]:
    _warm(policy, calls)
    yield shell.analyse.cache_clear


@contextmanager
def _analysis_remembered(policy: Policy, calls: list[ToolCall]) -> Iterator[Callable[[], object]]:
    engine.analyse = functools.lru_cache(maxsize=None)(shell.analyse.__wrapped__)
    try:
        _warm(policy, calls)
        yield lambda: None
    finally:
        engine.analyse = shell.analyse


@contextmanager
def _checks_replaced(wrap: Callable[[str, CheckFn], CheckFn]) -> Iterator[None]:
    """Every check's function replaced by ``wrap(name, fn)``, restored after."""
    saved = dict(checks.CHECKS)
    for name, check in saved.items():
        checks.CHECKS[name] = replace(check, fn=wrap(name, check.fn))
    checks._APPLICABLE.clear()
    try:
        yield
    finally:
        checks.CHECKS.update(saved)
        checks._APPLICABLE.clear()


@contextmanager
def _only_finding_checks(policy: Policy, calls: list[ToolCall]) -> Iterator[Callable[[], object]]:
    """Checks picked as usual, but only those that find something in the call run: what
    perfect gates (a check skipped wherever it would find nothing) could give at most.
    The verdicts are the real ones."""
    found: set[tuple[int, str]] = set()
    current = [0]  # id of the call being judged
    recording = [True]

    def gated(name: str, fn: CheckFn) -> CheckFn:
        def run(subject: Subject) -> str | None:
            if recording[0]:
                result = fn(subject)
                if result:
                    found.add((current[0], name))
                return result
            return fn(subject) if (current[0], name) in found else None
        return run

    def judged(call: ToolCall):
        current[0] = id(call)
        return evaluate(call)
    evaluate = policy.evaluate
    with _checks_replaced(gated):
        policy.evaluate = judged  # type: ignore[method-assign]
        try:
            _warm(policy, calls)
            recording[0] = False
            yield shell.analyse.cache_clear
        finally:
            del policy.evaluate


@contextmanager
def _checks_dispatched_only(policy: Policy, calls: list[ToolCall]) -> Iterator[Callable[[], object]]:
    with _checks_replaced(lambda name, fn: lambda subject: None):
        _warm(policy, calls)
        yield shell.analyse.cache_clear


@contextmanager
def _no_checks(policy: Policy, calls: list[ToolCall]) -> Iterator[Callable[[], object]]:
    real = checks.findings

    def nothing(subject: Subject) -> tuple:
        return ()
    checks.findings = risk.findings = rules.findings = nothing
    try:
        _warm(policy, calls)
        yield shell.analyse.cache_clear
    finally:
        checks.findings = risk.findings = rules.findings = real


PHASES: dict[str, Phase] = {
    "as is (cold)": _as_is, "analysis remembered": _analysis_remembered,
    "only finding checks": _only_finding_checks, "checks dispatched only": _checks_dispatched_only,
    "no checks": _no_checks}


def _medians(best: dict[int, float], groups: dict[str, list[ToolCall]]) -> str:
    return "  ".join(f"{name} {statistics.median(best[id(c)] for c in members):6.1f}"
                     for name, members in groups.items())


def _check_shares(policy: Policy, calls: list[ToolCall], rounds: int) -> list[tuple[str, float, int, int]]:
    """(check, microseconds per call, runs, finds) over ``calls``, cold, most costly first."""
    spent: dict[str, float] = collections.defaultdict(float)
    runs: collections.Counter[str] = collections.Counter()
    finds: collections.Counter[str] = collections.Counter()

    def timed(name: str, fn: CheckFn) -> CheckFn:
        def run(subject: Subject) -> str | None:
            start = time.perf_counter()
            found = fn(subject)
            spent[name] += time.perf_counter() - start
            runs[name] += 1
            finds[name] += bool(found)
            return found
        return run
    with _checks_replaced(timed):
        for _ in range(rounds):
            for call in calls:
                shell.analyse.cache_clear()
                policy.evaluate(call)
    scale = 1e6 / (len(calls) * rounds)
    return [(name, seconds * scale, runs[name] // rounds, finds[name] // rounds)
            for name, seconds in sorted(spent.items(), key=lambda item: -item[1])]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    policy = default_policy()
    calls = [ToolCall(agent="bench", tool=c.tool, kind=kind_of(c.tool), input=c.input, cwd=c.cwd or PROJECT)
             for c in cases()]
    readings = {id(call): _reading(call) for call in calls}
    groups: dict[str, list[ToolCall]] = {"all": calls}
    for name in ("plain", "tokens", "builder"):
        groups[name] = [c for c in calls if readings[id(c)] == name]
    groups["other tools"] = [c for c in calls if readings[id(c)] not in ("plain", "tokens", "builder")]
    print(f"cold medians over {len(calls)} corpus calls, best of {args.rounds} rounds (microseconds); calls: "
          + ", ".join(f"{name} {len(members)}" for name, members in groups.items() if name != "all"))
    by_program = sorted(calls, key=lambda c: (c.tool, str(c.input.get("command", "")).split(" ", 1)[0]))
    shuffled = random.Random(0).sample(calls, len(calls))
    rows: list[tuple[str, Phase, list[ToolCall]]] = [
        *((phase, taken_away, calls) for phase, taken_away in PHASES.items()),
        ("grouped by program", _as_is, by_program), ("shuffled", _as_is, shuffled)]
    # One round of each in turn, round after round: a change of load on a shared machine
    # then weighs on every row alike instead of on the rows measured while it lasted.
    best: dict[str, dict[int, float]] = {name: {} for name, _, _ in rows}
    for _ in range(args.rounds):
        for name, taken_away, ordered in rows:
            with taken_away(policy, ordered) as forget:
                for key, elapsed in _best_times(policy, ordered, forget, 1).items():
                    best[name][key] = min(best[name].get(key, elapsed), elapsed)
    for name, _, _ in rows:
        print(f"  {name:23} {_medians(best[name], groups)}")
    cold = best["as is (cold)"]
    median = statistics.median(cold.values())
    near = [c for c in calls if abs(cold[id(c)] - median) <= median / 10]
    shares = _check_shares(policy, near, args.rounds)
    total = sum(spent for _, spent, _, _ in shares)
    print(f"check bodies over the {len(near)} calls within 10% of the median: {total:.1f} us per call")
    for name, spent, runs, finds in shares[:20]:
        print(f"  {name:28} {spent:5.2f} us per call ({spent / total:5.1%})  run {runs:5}  found {finds:5}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
