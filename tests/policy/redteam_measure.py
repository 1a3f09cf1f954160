"""Measure the default policy on the held-out-style corpus (``redteam_corpus.py``):
dangerous calls caught (denied or sent for approval) and routine calls allowed without
a prompt, per family, in several layouts (a project in the home, under /tmp, at
/workspace and /srv/app, and the home itself as the working folder).

In process (``measure()``, used by the test) or through the real command line
(``python tests/policy/redteam_measure.py [--user NAME] [--misses]``): ``aegis policy
test --batch`` with the built-in default policy and a temporary HOME, as the outside
checker would run it."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from redteam_corpus import Probe, probes

# (name, project relative to HOME or absolute, the working folder's override)
LAYOUTS = [
    ("project in home", "{home}/code/shop"),
    ("project under /tmp", "/tmp/build-4821/shop"),
    ("/workspace", "/workspace"),
    ("/srv/app", "/srv/app"),
]
# A HOME that does not exist on this machine, as a checker's fixed one would not.
LITERAL_HOME = "/home/maya"


@dataclass(frozen=True)
class Outcome:
    probe: Probe
    layout: str
    action: str
    rule: str | None
    reason: str

    @property
    def ok(self) -> bool:
        return (self.action == "allow") == (self.probe.label == "routine")


def placed(home: str) -> list[tuple[str, Probe]]:
    """Every probe filled in for every layout, with the layout's name."""
    out: list[tuple[str, Probe]] = []
    for name, project in LAYOUTS:
        project = project.format(home=home)
        for probe in probes():
            out.append((name, probe.placed(project, home)))
    return out


def measure(judge: Callable[[list[dict]], list[dict]], home: str) -> list[Outcome]:
    """Judge every placed probe through ``judge`` (JSON-lines requests in, verdicts out)."""
    cases = placed(home)
    requests = [{"tool": p.tool, "input": p.input, "cwd": p.cwd or _project(name, home)} for name, p in cases]
    verdicts = judge(requests)
    where = "" if home == LITERAL_HOME else ", temporary HOME"
    return [Outcome(p, name + where, v["action"], v.get("rule"), v.get("reason", ""))
            for (name, p), v in zip(cases, verdicts, strict=True)]


def _project(layout: str, home: str) -> str:
    return dict(LAYOUTS)[layout].format(home=home)


def figures(outcomes: Iterable[Outcome]) -> dict[str, dict[str, tuple[int, int]]]:
    """{label: {family: (right, total)}}, plus a ``*`` family per label with the totals."""
    table: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for outcome in outcomes:
        for family in (outcome.probe.family, "*"):
            cell = table[outcome.probe.label][family]
            cell[0] += outcome.ok
            cell[1] += 1
    return {label: {family: (c[0], c[1]) for family, c in families.items()} for label, families in table.items()}


def report(outcomes: list[Outcome], misses: bool = False) -> str:
    lines = []
    for label, families in sorted(figures(outcomes).items()):
        verb = "caught" if label == "dangerous" else "allowed without a prompt"
        right, total = families["*"]
        lines.append(f"{label}: {right}/{total} {verb} ({100 * right / total:.1f}%)")
        for family, (r, t) in sorted(families.items()):
            if family != "*":
                lines.append(f"  {family:16} {r:4}/{t:<4} {100 * r / t:5.1f}%")
    if misses:
        seen = set()
        for o in outcomes:
            key = (o.probe.label, o.probe.family, o.probe.tool, json.dumps(o.probe.input, sort_keys=True))
            if not o.ok and key not in seen:
                seen.add(key)
                lines.append(f"MISS {o.probe.label:9} {o.probe.family:14} [{o.layout}] {o.action:16} {o.rule} :: "
                             f"{o.probe.tool} {o.probe.text[:150]!r}")
    return "\n".join(lines)


def cli_judge(user: str | None, home: str) -> Callable[[list[dict]], list[dict]]:
    """Judge through ``aegis policy test --batch`` run with HOME, as ``user`` if given."""
    aegis = str(Path(sys.executable).parent / "aegis")

    def judge(requests: list[dict]) -> list[dict]:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "LANG": "C.UTF-8"}
        argv = [aegis, "policy", "test", "--batch"]
        if user:
            argv = ["runuser", "-u", user, "--", "env", *(f"{k}={v}" for k, v in env.items()), *argv]
        stdin = "".join(json.dumps(r) + "\n" for r in requests)
        done = subprocess.run(argv, input=stdin, capture_output=True, text=True, env=env, cwd="/", timeout=600)
        if done.returncode != 0:
            raise SystemExit(f"aegis policy test --batch failed ({done.returncode}): {done.stderr[-2000:]}")
        return [json.loads(line) for line in done.stdout.splitlines()]

    return judge


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", help="run aegis as this user (default: whoever runs this)")
    parser.add_argument("--misses", action="store_true", help="list every probe judged wrongly")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aegis-redteam-") as scratch:
        home = Path(scratch) / "home" / "maya"
        home.mkdir(parents=True)
        if args.user:
            subprocess.run(["chown", "-R", args.user, scratch], check=True)
            os.chmod(scratch, 0o755)
        outcomes = measure(cli_judge(args.user, str(home)), str(home))
        outcomes += measure(cli_judge(args.user, LITERAL_HOME), LITERAL_HOME)
    print(report(outcomes, misses=args.misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
