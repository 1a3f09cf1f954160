"""The built-in risk scorer (plugin ``aegis.risk``): a 0-100 risk for each call, with
the reasons, from the same checks the policy uses plus signs of disguise. It never
relaxes a verdict: it allows with the risk attached, or asks for approval when the
risk is very high."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aegis_core.hookspecs import hookimpl
from aegis_core.models import Action, Kind, ToolCall, Verdict
from aegis_core.policy.checks import findings
from aegis_core.policy.facts import call_kind

if TYPE_CHECKING:
    from aegis_core.policy.facts import Subject
    from aegis_core.policy.paths import GlobSet
    from aegis_core.policy.shell import ShellAnalysis

APPROVAL_THRESHOLD = 90
_KIND_BASE = {Kind.SHELL: 5, Kind.WRITE: 10, Kind.EDIT: 10, Kind.FETCH: 10, Kind.MCP: 20,
              Kind.READ: 0, Kind.SEARCH: 0, Kind.PROMPT: 10, Kind.OTHER: 10}
_SECRET_GLOBS: GlobSet | None = None
_ROOT_PROGRAMS = frozenset({"sudo", "su", "doas"})


def _secret_globs() -> GlobSet:
    global _SECRET_GLOBS
    if _SECRET_GLOBS is None:
        from aegis_core.policy.paths import GlobSet as Globs

        _SECRET_GLOBS = Globs([
            "**/.env", "**/.env.*", "!**/.env.example", "!**/.env.sample", "!**/.env.template",
            "*.pem", "*.key", "*.p12", "*.pfx", "id_rsa*", "id_ed25519*", "id_ecdsa*", "~/.ssh/**",
            "~/.aws/**", "~/.kube/**", "~/.docker/config.json", "~/.netrc", "~/.npmrc", "~/.pypirc",
            "~/.config/gh/**", "~/.git-credentials", "~/.gnupg/**", "*credentials*",
        ])
    return _SECRET_GLOBS


def score_subjects(subjects: list[Subject], analysis: ShellAnalysis | None) -> tuple[int, tuple[str, ...]]:
    """Risk of a call from its subjects (see ``engine.build_subjects``)."""
    if not subjects:
        return (50, ("the call cannot be analysed",)) if analysis is None else (60, ("too complex",))
    reasons: list[str] = []
    total = _KIND_BASE.get(call_kind(subjects[0].call), 10)
    seen: set[str] = set()
    secrets = _secret_globs()
    for subject in subjects:
        for check, found in findings(subject):
            if check.name not in seen:
                seen.add(check.name)
                total += check.risk
                reasons.append(f"{check.name}: {found}")
        if "secret" not in seen:
            for path in subject.paths:
                if secrets.matches(path):
                    seen.add("secret")
                    total += 45
                    reasons.append("touches a secret file")
                    break
        seg = subject.segment
        if seg is None:
            continue
        if seg.program in _ROOT_PROGRAMS or (seg.wrappers and ("sudo" in seg.wrappers or "doas" in seg.wrappers)):
            if "sudo" not in seen:
                seen.add("sudo")
                total += 25
                reasons.append("runs as root (sudo)")
        if seg.tricky and "tricky" not in seen:
            seen.add("tricky")
            total += 20
            reasons.append(f"program name spelled with quotes, escapes or braces ({seg.argv[0]})")
        if seg.via and "nested" not in seen and seg.via not in ("$(...)",):
            seen.add("nested")
            total += 5
            reasons.append(f"runs a command found inside {seg.via}")
    if analysis is not None and analysis.problems:
        total += 25
        reasons.append("cannot be analysed with confidence: " + "; ".join(analysis.problems[:2]))
    return min(total, 100), tuple(reasons)


# The last call the policy engine scored, and its score: the aegis.risk plugin runs
# right after the policy plugin with the same ToolCall object, so it need not redo
# the work. Identity, not equality: cheap, and never mistakes one call for another.
_LAST: tuple[ToolCall | None, tuple[int, tuple[str, ...]]] = (None, (0, ()))


def remember(call: ToolCall, result: tuple[int, tuple[str, ...]]) -> None:
    """Keep the score the policy engine computed, so this plugin need not redo it."""
    global _LAST
    _LAST = (call, result)  # one assignment: atomic, so threads need no lock


def score(call: ToolCall) -> tuple[int, tuple[str, ...]]:
    """Risk 0-100 of ``call`` and the reasons for it."""
    from aegis_core.policy.engine import build_subjects

    known_call, known = _LAST
    if known_call is call:
        return known
    try:
        subjects, analysis, fatal = build_subjects(call)
    except Exception as exc:  # a scorer bug must not hide risk
        return 100, (f"risk scorer failed: {type(exc).__name__}",)
    if fatal:
        return 50, (fatal,)
    return score_subjects(subjects, analysis)


@hookimpl
def evaluate(call: ToolCall) -> Verdict:
    risk, reasons = score(call)
    if risk >= APPROVAL_THRESHOLD:
        return Verdict(Action.REQUIRE_APPROVAL, rule="aegis:high-risk", risk=risk, source="aegis.risk",
                       reasons=reasons,
                       reason=f"risk {risk}/100 ({'; '.join(reasons[:3])})")
    return Verdict(Action.ALLOW, rule="aegis:risk", risk=risk, source="aegis.risk", reasons=reasons,
                   reason=f"risk {risk}/100")
