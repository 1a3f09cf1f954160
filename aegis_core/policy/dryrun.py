"""Infrastructure commands asked only to show what they would change: ``kubectl apply
--dry-run=client``, ``helm template``-like ``helm install --dry-run``. They
change nothing, so the rules on cluster and infrastructure changes let them through
(every earlier protection still applies, and a file they write goes through the rules
on writes). Not ``ansible-playbook --check``: a task may say ``check_mode: no`` and run
anyway."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aegis_core.policy.facts import Subject

# Per program, the options that make it a dry run.
_DRY: dict[str, tuple[str, ...]] = {
    "kubectl": ("--dry-run=client", "--dry-run=server", "--dry-run"),
    "oc": ("--dry-run=client", "--dry-run=server", "--dry-run"),
    "kubecolor": ("--dry-run=client", "--dry-run=server", "--dry-run"),
    "helm": ("--dry-run", "--dry-run=client", "--dry-run=server", "--dry-run=true"),
}
PROGRAMS = tuple(_DRY)


def dry_run(subject: Subject) -> str | None:
    seg = subject.segment
    if seg is None or seg.program not in _DRY or seg.wrappers:
        return None
    if any(arg.dynamic for arg in seg.args[1:]):
        return None
    texts = seg.argv[1:]
    if not any(text in _DRY[seg.program] for text in texts):
        return None
    # `kubectl exec`, `helm plugin`: no dry run there, whatever the options say.
    if seg.program in ("kubectl", "oc", "kubecolor") and any(t in ("exec", "cp", "debug", "port-forward", "proxy",
                                                                   "attach", "run") for t in texts[:3]):
        return None
    if subject.writes and not all(subject.within_project(path) for path in subject.writes):
        return None
    return f"{seg.program} --dry-run only shows what it would change"


def register(check: Callable) -> None:
    @check("dry-run", 0, "an infrastructure command asked only to show what it would change (kubectl/helm "
           "--dry-run)", programs=PROGRAMS)
    def _dry(subject: Subject) -> str | None:
        return dry_run(subject)
