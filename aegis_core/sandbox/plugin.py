"""The sandbox as a built-in plugin (``aegis.sandbox``): registers the bubblewrap
backend through ``register_sandboxes``, exactly as a third-party backend would, and
the ``aegis doctor`` checks that say whether agents run sandboxed here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aegis_core.config import Config
from aegis_core.doctor import CheckResult
from aegis_core.errors import ExitCode
from aegis_core.hookspecs import hookimpl
from aegis_core.sandbox.bwrap import BwrapBackend


@hookimpl
def register_sandboxes(register: Callable[[Any], None]) -> None:
    register(BwrapBackend())


def sandbox_check(config: Config) -> CheckResult:
    """Can a sandbox be made here? Starts one, as ``aegis wrap`` would."""
    from aegis_core.plugins import AegisPlugins
    from aegis_core.sandbox.manifest import ManifestError
    from aegis_core.sandbox.session import choose_backend

    backends = AegisPlugins.load().sandboxes()
    choice = choose_backend(backends)
    if choice.backend is None:
        return CheckResult("sandbox", "fail",
                           f"agents would run UNSANDBOXED: {choice.reason}",
                           fix=choice.hint or "install a sandbox backend (docs/sandbox.md)",
                           code=ExitCode.DEPENDENCY)
    probed = choice.backend.probe()
    if not probed.ok:
        return CheckResult("sandbox", "fail", f"agents would run UNSANDBOXED: {probed.reason}",
                           fix=probed.hint or "see docs/sandbox.md", code=ExitCode.ENVIRONMENT)
    try:
        manifest = _manifest(config)
    except ManifestError as exc:
        return CheckResult("sandbox", "fail", str(exc), fix=exc.hint, code=ExitCode.CONFIG)
    enforcement = choice.backend.enforce(_plan_for_limits(manifest))
    how = enforcement.describe()
    enforcement.release()
    return CheckResult("sandbox", "pass", f"{choice.backend.name}: {probed.reason}",
                       details={"backend": choice.backend.name, "limits": how} if how else
                       {"backend": choice.backend.name})


def unsandboxed_sessions(config: Config) -> CheckResult:
    """Sessions running now without a sandbox (``--no-sandbox``, or none could run)."""
    from aegis_core.daemon import process

    state = process.inspect(config)
    if not state.running:
        return CheckResult("unsandboxed-sessions", "pass", "daemon not running: no session to look at")
    try:
        from aegis_core.client import request

        _, sock, _ = process.paths(config)
        status = request("status", socket=sock, timeout=5)
    except Exception as exc:  # doctor reports, it does not crash
        return CheckResult("unsandboxed-sessions", "warn", f"could not ask the daemon: {exc}",
                           fix="check it with: aegis status")
    bare = [s for s in status.get("sessions") or [] if not (s.get("sandbox") or {}).get("sandboxed")]
    if bare:
        listed = ", ".join(f"{s['session']} ({s.get('agent')}: {(s.get('sandbox') or {}).get('reason', '?')})"
                           for s in bare)
        return CheckResult("unsandboxed-sessions", "warn", f"running UNSANDBOXED: {listed}",
                           fix="end them and wrap the agents again with a sandbox (aegis wrap without --no-sandbox)",
                           details={"sessions": bare})
    count = len(status.get("sessions") or [])
    return CheckResult("unsandboxed-sessions", "pass", f"{count} session(s) running, all sandboxed")


def _manifest(config: Config) -> Any:
    from aegis_core.sandbox.manifest import load_manifest_file

    return load_manifest_file(config.path("policy", "path", "policy.toml"))


def _plan_for_limits(manifest: Any) -> Any:
    """A plan good enough for ``enforce``: only its limits and session are read."""
    from types import SimpleNamespace

    return SimpleNamespace(limits=manifest.limits, session=f"doctor-{__import__('os').getpid()}")


CHECKS = (
    ("sandbox", "security", sandbox_check),
    ("unsandboxed-sessions", "security", unsandboxed_sessions),
)


@hookimpl
def register_doctor_checks(register: Callable[[Any], None]) -> None:
    from aegis_core.checks import Check

    for name, category, func in CHECKS:
        register(Check(name, category, func))
