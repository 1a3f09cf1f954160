"""The built-in risk scorer (plugin ``aegis.risk``): a 0-100 risk for each call, with
the reasons, from the same checks the policy uses plus signs of disguise. The policy
engine attaches the score to its verdicts; the plugin's ``critique`` looks at the
combined verdict and asks for approval when the risk is very high. It never relaxes
a verdict."""

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


def score(call: ToolCall) -> tuple[int, tuple[str, ...]]:
    """Risk 0-100 of ``call`` and the reasons for it."""
    from aegis_core.policy.engine import build_subjects

    try:
        subjects, analysis, fatal = build_subjects(call)
    except Exception as exc:  # a scorer bug must not hide risk
        return 100, (f"risk scorer failed: {type(exc).__name__}",)
    if fatal:
        return 50, (fatal,)
    return score_subjects(subjects, analysis)


def review(call: ToolCall, verdict: Verdict) -> Verdict:
    """The risk's word on a combined verdict: the built-in policy engine's verdicts
    (``source == "policy"``) already carry this score, so it is not computed twice;
    any other verdict gets it computed here. Asks for approval at
    ``APPROVAL_THRESHOLD`` or more; never relaxes."""
    if verdict.source == "policy":
        risk, reasons = verdict.risk, verdict.reasons
    else:
        risk, reasons = score(call)
    if risk >= APPROVAL_THRESHOLD:
        return Verdict(Action.REQUIRE_APPROVAL, rule="aegis:high-risk", risk=risk, source="aegis.risk",
                       reasons=reasons,
                       reason=f"risk {risk}/100 ({'; '.join(reasons[:3])})")
    return Verdict(Action.ALLOW, rule="aegis:risk", risk=risk, source="aegis.risk", reasons=reasons,
                   reason=f"risk {risk}/100")


class RiskPlugin:
    """The ``aegis.risk`` plugin: a second look (``critique``) at the combined verdict."""

    @hookimpl
    def critique(self, call: ToolCall, verdict: Verdict) -> Verdict:
        return review(call, verdict)
