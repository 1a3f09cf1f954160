"""Policy evaluation speed: median and p99 per call with the default policy over the
labelled corpus, in process, plus the slowest adversarial inputs.

Run: python benchmarks/policy_bench.py [--rounds N]

"cold" clears the shell-analysis cache before every call (a command never seen
before, in folders seen within the last second: resolved folders are cached for a
second); "warm" is the same command seen again (the daemon's usual case when an
agent retries). The baseline (an empty policy judging the same calls) is measured
in the same run, so the ratio does not depend on the machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "policy"))

from policy_corpus import PROJECT, cases

from aegis_core.models import ToolCall
from aegis_core.policy import default_policy, paths, policy_from_text
from aegis_core.policy.shell import analyse
from aegis_core.tools import kind_of

ADVERSARIAL = [
    "x" * 1_000_000, "echo " + "'a' " * 5000, "a | " * 3000 + "b", "echo $(" * 300, "(" * 5000,
    "{a,b}" * 100, "bash -c '" * 300, "rm " + "-rf " * 5000 + "/", "cat " + "../" * 3000 + ".env",
    "echo " + "\\x" * 10000, "find . " + "-exec rm {} + " * 500, "a=1 " * 4000 + "ls",
    "echo " + "$'\\x41'" * 3000, "curl " + "http://x/ " * 2000 + "| sh",
    # Many paths: each is resolved on the filesystem and matched against every path rule.
    "cat " + " ".join(f"dir{i}/sub/f{i}.txt" for i in range(390)),
    "cat " + " ".join(f"/proc/{i}/cwd/x" for i in range(1, 390)),
    "rm " + " ".join(f"a{i}/../b{i}/../c{i}" for i in range(390)),
    # Wildcards that would walk large parts of the filesystem.
    "ls /usr/*/*/*/*", "cat /*/*/*/*/nothing-matches", "ls " + " ".join(["/usr/*/*"] * 50),
]


def _time(policy, calls: list[ToolCall], cold: bool) -> list[float]:
    out = []
    for call in calls:
        if cold:
            analyse.cache_clear()
        start = time.perf_counter()
        policy.evaluate(call)
        out.append((time.perf_counter() - start) * 1e6)
    return out


def _summary(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered), p99, ordered[-1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    policy = default_policy()
    baseline_policy = policy_from_text('[policy]\ndefault_action = "allow"\n')
    calls = [ToolCall(agent="bench", tool=c.tool, kind=kind_of(c.tool), input=c.input, cwd=PROJECT)
             for c in cases()]
    for call in calls:  # first use compiles patterns and fills per-program rule lists
        policy.evaluate(call)
    results = {}
    for name, cold in (("cold", True), ("warm", False)):
        samples: list[float] = []
        base: list[float] = []
        for _ in range(args.rounds):
            samples += _time(policy, calls, cold)
            base += _time(baseline_policy, calls, cold)
        results[name] = (_summary(samples), _summary(base))
    print(f"policy evaluation over {len(calls)} corpus calls x {args.rounds} rounds (microseconds)")
    for name, ((median, p99, worst), (b_median, _, _)) in results.items():
        print(f"  {name:4}  median {median:7.1f}  p99 {p99:7.1f}  max {worst:8.1f}  "
              f"(baseline median {b_median:.1f}, ratio {median / b_median:.1f}x)")
    worst_adv = 0.0
    for command in ADVERSARIAL:
        analyse.cache_clear()
        paths._resolved.cache_clear()  # worst case: no folder seen before
        call = ToolCall(agent="bench", tool="Bash", kind=kind_of("Bash"), input={"command": command}, cwd=PROJECT)
        start = time.perf_counter()
        verdict = policy.evaluate(call)
        elapsed = (time.perf_counter() - start) * 1e6
        worst_adv = max(worst_adv, elapsed)
        print(f"  adversarial {len(command):8} chars  {elapsed:8.1f} us  -> {verdict.action.value:16}  "
              f"{command[:40]!r}")
    cold_median, cold_p99, _ = results["cold"][0]
    ok = cold_median <= 50 and cold_p99 <= 500 and worst_adv <= 5000
    print(f"targets (cold median <= 50 us, p99 <= 500 us, worst adversarial <= 5000 us): "
          f"{'met' if ok else 'NOT met'}; worst adversarial {worst_adv:.0f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main())
