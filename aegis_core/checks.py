"""The core's ``aegis doctor`` checks: environment, security and runtime. Each says
what it found and what to do; the safe ones can fix themselves (permissions, stale
files, overdue approvals). Channel plugins add their own through the same hook."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aegis_core.config import Config
from aegis_core.doctor import CheckResult
from aegis_core.errors import ExitCode
from aegis_core.hookspecs import hookimpl
from aegis_core.redact import is_secret_key, redact_text

AGENT_CLIS = ("claude", "codex", "gemini", "cursor-agent")
DEPENDENCIES = ("pluggy", "click", "apsw", "anyio", "httpx", "structlog", "importlib-metadata", "tomlkit",
                "ahocorasick-rs")


@dataclass(frozen=True)
class Check:
    name: str
    category: str
    func: Callable[[Config], CheckResult]

    def run(self, config: Config) -> CheckResult:
        return self.func(config)


def ok(name: str, message: str, **details: Any) -> CheckResult:
    return CheckResult(name, "pass", message, details=details or None)


# -- environment -------------------------------------------------------------------


def python_version(config: Config) -> CheckResult:
    version = ".".join(map(str, sys.version_info[:3]))
    # The package refuses older Pythons at install, but a copied venv can still meet one.
    if sys.version_info < (3, 11):  # noqa: UP036
        return CheckResult("python", "fail", f"Python {version} is too old", fix="install Python 3.11 or newer",
                           code=ExitCode.ENVIRONMENT)
    return ok("python", f"Python {version}", executable=sys.executable)


def dependencies(config: Config) -> CheckResult:
    from importlib import metadata

    missing = []
    for name in DEPENDENCIES:
        try:
            metadata.version(name)
        except metadata.PackageNotFoundError:
            missing.append(name)
    if missing:
        return CheckResult("dependencies", "fail", f"missing: {', '.join(missing)}",
                           fix=f"pip install {' '.join(missing)}", code=ExitCode.DEPENDENCY)
    return ok("dependencies", "all installed")


def config_file(config: Config) -> CheckResult:
    file = config.file
    if file is None or not file.exists():
        return CheckResult("config", "warn", f"no config file at {file}; using defaults",
                           fix="run: aegis setup")
    if config.warnings:
        return CheckResult("config", "warn", "; ".join(config.warnings), fix="edit the file as the warning says")
    return ok("config", f"{file} is valid")


def policy_file(config: Config) -> CheckResult:
    """The policy the daemon would load, loaded the same way: a file that would stop
    `aegis start` fails here too."""
    from aegis_core.errors import AegisError
    from aegis_core.policy.plugin import load_configured, policy_path

    path = policy_path(config)
    try:
        policy = load_configured(config)
    except AegisError as exc:
        return CheckResult("policy", "fail", exc.message,
                           fix=exc.hint or f"run: aegis policy validate {path}", code=exc.exit_code)
    if not path.exists():
        return ok("policy", f"no {path}: the built-in default policy ({len(policy.rules)} rules)")
    return ok("policy", f"{path} is valid ({len(policy.rules)} rules)")


def _startable(config: Config) -> str | None:
    """Why `aegis start` would refuse to start with this config, or None."""
    from aegis_core.errors import AegisError
    from aegis_core.policy.plugin import load_configured

    try:
        load_configured(config)
    except AegisError as exc:
        return exc.message
    return None


def agent_clis(config: Config) -> CheckResult:
    found = {name: shutil.which(name) for name in AGENT_CLIS}
    present = {k: v for k, v in found.items() if v}
    if not present:
        return CheckResult("agent-clis", "warn", "no agent CLI on PATH (looked for "
                           + ", ".join(AGENT_CLIS) + ")",
                           fix="install one, e.g. npm install -g @anthropic-ai/claude-code")
    return ok("agent-clis", ", ".join(f"{k} ({v})" for k, v in present.items()))


def subprocesses(config: Config) -> CheckResult:
    try:
        subprocess.run(["true"], check=True, timeout=10)
    except (OSError, subprocess.SubprocessError) as exc:
        return CheckResult("subprocess", "fail", f"cannot run programs: {exc}",
                           fix="check seccomp/noexec restrictions", code=ExitCode.ENVIRONMENT)
    return ok("subprocess", "programs can be started")


# -- security ----------------------------------------------------------------------


def _fix_mode(path: Path, mode: int) -> Callable[[], str]:
    def fix() -> str:
        os.chmod(path, mode)
        return f"chmod {mode:o} {path}"

    return fix


def home_permissions(config: Config) -> CheckResult:
    home = config.home
    if not home.exists():
        return CheckResult("home-permissions", "warn", f"{home} does not exist yet", fix="run: aegis setup")
    mode = stat.S_IMODE(home.lstat().st_mode)
    if home.is_symlink() or mode & 0o077:
        return CheckResult("home-permissions", "fail", f"{home} is mode {mode:o}; other users can look inside",
                           fix=f"chmod 700 {home}", fixer=_fix_mode(home, 0o700), code=ExitCode.PERMISSION)
    return ok("home-permissions", f"{home} is 700")


def file_permissions(config: Config) -> CheckResult:
    names = ("config.toml", "policy.toml", "aegis.db", "audit.log", "audit.checkpoint", "aegis.log")
    loose = []
    for name in names:
        path = config.home / name
        if path.exists() and not path.is_symlink() and stat.S_IMODE(path.stat().st_mode) & 0o077:
            loose.append(path)
    if loose:
        def fix() -> str:
            for path in loose:
                os.chmod(path, 0o600)
            return "chmod 600 " + " ".join(map(str, loose))

        return CheckResult("file-permissions", "fail", "readable by other users: " + ", ".join(map(str, loose)),
                           fix="chmod 600 " + " ".join(map(str, loose)), fixer=fix, code=ExitCode.PERMISSION)
    return ok("file-permissions", "state files are 600")


def dotenv_committed(config: Config) -> CheckResult:
    try:
        listed = subprocess.run(["git", "ls-files", "--", ".env", "*/.env", ".env.*"], capture_output=True,
                                text=True, timeout=10, cwd=os.getcwd())
    except (OSError, subprocess.SubprocessError):
        return ok("dotenv", "not a git checkout (or git missing)")
    tracked = [line for line in listed.stdout.splitlines()
               if line and not line.endswith((".example", ".sample", ".template"))]
    if tracked:
        return CheckResult("dotenv", "fail", f"committed to git: {', '.join(tracked)}",
                           fix=f"git rm --cached {' '.join(tracked)} and rotate the secrets in them",
                           code=ExitCode.SECURITY)
    return ok("dotenv", "no .env file in the git index")


def environment_secrets(config: Config) -> CheckResult:
    exposed = sorted(name for name, value in os.environ.items()
                     if value and (is_secret_key(name) or redact_text(value) != value)
                     and not name.startswith("AEGIS_"))
    if exposed:
        return CheckResult("environment-secrets", "warn",
                           "wrapped programs inherit these secret-looking variables: " + ", ".join(exposed),
                           fix="unset them before `aegis wrap`, or keep them in a file the agent cannot read")
    return ok("environment-secrets", "no secret-looking variables in the environment")


def audit_chain(config: Config) -> CheckResult:
    path = config.home / "audit.log"
    if not path.exists():
        return ok("audit-chain", "no audit log yet")
    from aegis_core.audit import AuditLog

    result = AuditLog(path, config.home / "audit.checkpoint").verify()
    if not result.ok:
        return CheckResult("audit-chain", "fail",
                           f"broken at record {result.first_bad_seq}: {result.reason}",
                           fix="keep the file as evidence and investigate; `aegis audit verify` names the record",
                           code=ExitCode.STATE)
    return ok("audit-chain", f"{result.records} records intact")


# -- runtime -----------------------------------------------------------------------


def daemon_state(config: Config) -> CheckResult:
    from aegis_core.daemon import process

    state = process.inspect(config)
    if state.running:
        return ok("daemon", f"running (pid {state.pid})")
    blocker = _startable(config)
    start = ("fix what the policy check reports, then run: aegis start" if blocker
             else "run: aegis start")
    if state.stale:
        def fix() -> str:
            return "removed " + ", ".join(process.clean_stale(state))

        return CheckResult("daemon", "warn", f"not running; stale files: {', '.join(state.stale)}",
                           fix=f"remove them (aegis doctor --fix); {start}", fixer=fix)
    return CheckResult("daemon", "warn", "not running", fix=start)


def channel_health(config: Config) -> CheckResult:
    """The running daemon's channels: one whose last real attempt failed cannot reach
    anyone, whatever its configuration looks like."""
    from aegis_core.daemon import process

    state = process.inspect(config)
    if not state.running:
        return ok("channel-health", "daemon not running: nothing sent yet to judge by")
    channels = (state.info or {}).get("channels") or {}
    failing = {name: c.get("error") or (c.get("health") or {}).get("last_error")
               for name, c in channels.items()
               if not c.get("running") or (c.get("health") or {}).get("state") == "failing"}
    if failing:
        return CheckResult("channel-health", "fail",
                           "; ".join(f"{name}: {error}" for name, error in failing.items()),
                           fix="fix the credentials or network named above (`aegis doctor` shows each "
                               "channel's own checks), then restart the daemon",
                           code=ExitCode.NETWORK)
    return ok("channel-health", ", ".join(f"{name}: {(c.get('health') or {}).get('state', 'ok')}"
                                          for name, c in channels.items()) or "no channels")


def database(config: Config) -> CheckResult:
    path = config.path("database", "path", "aegis.db")
    if not path.exists():
        return CheckResult("database", "warn", f"no database at {path} yet", fix="run: aegis setup")
    import time

    from aegis_core.errors import AegisError
    from aegis_core.store import SCHEMA_VERSION, Store

    try:
        store = Store.open(path, quick_check=True)
    except AegisError as exc:
        return CheckResult("database", "fail", str(exc), fix=exc.hint or "restore it from the backup",
                           code=exc.exit_code)
    try:
        now = time.time()
        overdue = [a for a in store.list_approvals(status="pending", limit=10_000) if a.deadline_at <= now]
    finally:
        store.close()
    if overdue:
        from aegis_core.daemon import process

        if process.inspect(config).running:
            return CheckResult("database", "warn", f"{len(overdue)} approval(s) past their deadline still pending",
                               fix="the running daemon ends them; if they stay, restart it (aegis stop && aegis start)")
        return CheckResult("database", "warn", f"{len(overdue)} approval(s) past their deadline still pending",
                           fix="expire them (aegis doctor --fix) or start the daemon",
                           fixer=lambda: _expire_overdue(config))
    return ok("database", f"schema version {SCHEMA_VERSION}, integrity ok", path=str(path))


def _expire_overdue(config: Config) -> str:
    """End overdue approvals as denied through the approvals object: each one audited."""
    import anyio

    from aegis_core.approvals.local import local_approvals
    from aegis_core.plugins import AegisPlugins

    with local_approvals(config, AegisPlugins.load()) as book:
        ended = anyio.run(lambda: book.expire_overdue(
            why="expired by `aegis doctor --fix`: past its deadline with the daemon down (denied)"))
    return f"expired {len(ended)} overdue approval(s) as denied (recorded in the audit log)"


def disk_space(config: Config) -> CheckResult:
    target = config.home if config.home.exists() else config.home.parent
    free = shutil.disk_usage(target).free
    mib = free // (1 << 20)
    if mib < 10:
        return CheckResult("disk", "fail", f"only {mib} MiB free for {target}", fix="free some disk space",
                           code=ExitCode.ENVIRONMENT)
    if mib < 200:
        return CheckResult("disk", "warn", f"{mib} MiB free for {target}", fix="free some disk space")
    return ok("disk", f"{mib} MiB free")


CORE_CHECKS = (
    Check("python", "environment", python_version),
    Check("dependencies", "environment", dependencies),
    Check("config", "environment", config_file),
    Check("policy", "environment", policy_file),
    Check("agent-clis", "environment", agent_clis),
    Check("subprocess", "environment", subprocesses),
    Check("home-permissions", "security", home_permissions),
    Check("file-permissions", "security", file_permissions),
    Check("dotenv", "security", dotenv_committed),
    Check("environment-secrets", "security", environment_secrets),
    Check("audit-chain", "security", audit_chain),
    Check("daemon", "runtime", daemon_state),
    Check("channel-health", "runtime", channel_health),
    Check("database", "runtime", database),
    Check("disk", "runtime", disk_space),
    Check("fleet", "runtime", lambda config: _fleet_link(config)),
)


def _fleet_link(config: Config) -> CheckResult:
    from aegis_core.fleet.doctor import fleet_link

    return fleet_link(config)


@hookimpl
def register_doctor_checks(register: Callable[[Any], None]) -> None:
    for check in CORE_CHECKS:
        register(check)
