"""``aegis start``, ``aegis stop``, ``aegis status``: the daemon's life and health."""

from __future__ import annotations

import time
from typing import Any

import click

from aegis_core.cli import AppContext, emit_json
from aegis_core.errors import ExitCode

LOG_LEVELS = click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False)


@click.command()
@click.option("--foreground", is_flag=True, help="Run in the foreground (don't daemonize).")
@click.option("--log-level", type=LOG_LEVELS, help="DEBUG, INFO, WARNING, ERROR.")
@click.option("--json", "as_json", is_flag=True, help="Output as JSON.")
@click.pass_obj
def start(app: AppContext, foreground: bool, log_level: str | None, as_json: bool) -> None:
    """Start the Aegis daemon; returns once it accepts connections.

    The config and the policy are checked first: an invalid one stops here with the
    file and line (exit 2), before any daemon is started.
    """
    from aegis_core.daemon import process
    from aegis_core.policy.plugin import load_configured

    config = app.config({"logging.level": log_level.upper() if log_level else None})
    load_configured(config)  # raises ConfigError (file:line) or PermissionDenied
    if foreground:
        process.run_foreground(config)
        return
    before = process.inspect(config)
    already = before.running
    state = process.start_background(config)
    info = state.info or {}
    if as_json:
        emit_json({"running": True, "pid": state.pid, "already_running": already,
                   "socket": info.get("socket"), "channels": info.get("channels")})
        return
    verb = "already running" if already else "started"
    channels = ", ".join(info.get("channels", {})) or "none"
    if before.impostor is not None:
        click.echo(f"aegis: warning: process {before.impostor}, which is not Aegis, was answering on "
                   f"{before.socket}; Aegis took its socket back (stop that process: kill {before.impostor})",
                   err=True)
    click.echo(f"Aegis daemon {verb} (pid {state.pid}); channels: {channels}")
    if not already:
        click.echo("Next: aegis wrap claude")


@click.command()
@click.option("--force", is_flag=True, help="Kill the daemon if it does not stop in time.")
@click.option("--timeout", type=float, default=10.0, show_default=True, metavar="SECONDS",
              help="How long to wait for pending approvals to drain.")
@click.option("--json", "as_json", is_flag=True, help="Output as JSON.")
@click.pass_obj
def stop(app: AppContext, force: bool, timeout: float, as_json: bool) -> None:
    """Stop the Aegis daemon (pending approvals resolve to the default action)."""
    from aegis_core.daemon import process

    stopped, message = process.stop(app.config(plugins=False), timeout=timeout, force=force)
    if as_json:
        emit_json({"stopped": stopped, "message": message})
    else:
        click.echo(message)


def collect_status(app: AppContext) -> dict[str, Any]:
    from aegis_core.daemon import process

    config = app.config(plugins=False)
    state = process.inspect(config)
    status: dict[str, Any] = dict(state.info or {})
    status.update({"running": state.running, "pid": state.pid, "home": str(config.home)})
    if state.stale:
        status["stale_files"] = state.stale
    status.setdefault("socket", state.socket)
    if state.impostor is not None:
        status["socket_taken_by"] = state.impostor
        status["socket"] = state.socket
    agent_socket = status.get("agent_socket")
    if state.running and agent_socket:
        listener = process.listener_pid(agent_socket)
        if listener is not None and listener != state.pid:
            status["agent_socket_taken_by"] = listener
    if not state.running or state.info is None:
        status.update(_offline_status(config))
    return status


def _offline_status(config: Any) -> dict[str, Any]:
    """What the database says when the daemon is not there to ask."""
    db = config.path("database", "path", "aegis.db")
    out: dict[str, Any] = {"database": str(db), "database_bytes": db.stat().st_size if db.exists() else 0}
    if db.exists():
        try:
            out["pending"] = _count_pending(db)
        except Exception as exc:  # status must report, not crash
            out["database_error"] = str(exc)
    return out


def _count_pending(db: Any) -> int:
    """One read-only query; a database of another schema version goes through
    ``Store.open`` (which migrates or refuses it). Doctor runs the full scan."""
    from aegis_core.store import reads

    conn = reads.open_reader(db)
    if conn is not None:
        try:
            return reads.count_pending(conn, db)
        finally:
            conn.close()
    from aegis_core.store import Store

    with Store.open(db, quick_check=False) as store:
        return len(store.list_approvals(status="pending"))


def channel_health(channel: dict[str, Any]) -> str:
    """``ok`` only when the channel runs and its last real attempt got through."""
    if not channel.get("running"):
        return f"error: {channel.get('error')}"
    health = channel.get("health") or {}
    state = health.get("state")
    if state == "failing":
        when = health.get("last_error_at")
        at = time.strftime(" at %H:%M:%S", time.localtime(when)) if when else ""
        return f"FAILING: {health.get('last_error')}{at}"
    if state == "untried":
        return "running, nothing sent yet"
    return "ok"


def _render(status: dict[str, Any]) -> str:
    lines = []
    owner = f"the Aegis daemon is pid {status['pid']}" if status["running"] else "no Aegis daemon is running"
    for key, path_key in (("socket_taken_by", "socket"), ("agent_socket_taken_by", "agent_socket")):
        taken = status.get(key)
        if taken is not None:
            lines.append(f"Warning:   process {taken} answers on {status[path_key]}, but it is NOT the Aegis "
                         f"daemon ({owner}): something replaced Aegis' socket. Stop process {taken}, then run "
                         "`aegis stop` and `aegis start`.")
    if status["running"] and "uptime_s" not in status:
        lines.append(f"Daemon:    running (pid {status['pid']}), but not answering on its socket {status['socket']}")
        if "pending" in status:
            lines.append(f"Pending:   {status['pending']} approval(s)")
    elif status["running"]:
        lines.append(f"Daemon:    running (pid {status['pid']}, up {status.get('uptime_s', 0):.0f} s)")
        for name, channel in (status.get("channels") or {}).items():
            lines.append(f"Channel:   {name} ({channel_health(channel)})")
        lines.append(f"Pending:   {status.get('pending', 0)} approval(s), {status.get('waiting', 0)} agent(s) waiting")
        lines.append(f"Decisions: {status.get('decisions', 0)} since start")
        fleet = status.get("fleet")
        if fleet:
            link = "connected" if fleet.get("connected") else f"UNREACHABLE ({fleet.get('error')}): risky calls denied"
            elected = [name for name, poller in (fleet.get("pollers") or {}).items() if poller.get("elected")]
            lines.append(f"Fleet:     machine {fleet.get('machine')}, store {fleet.get('store')}: {link}"
                         + (f"; polls {', '.join(elected)} for the fleet" if elected else ""))
        head = status.get("audit_head")
        if head:
            lines.append(f"Audit:     {head['seq']} records, head {head['hash'][:12]}")
        for session in status.get("sessions") or []:
            sandbox = session.get("sandbox") or {}
            contained = (f"sandboxed ({sandbox.get('backend')})" if sandbox.get("sandboxed")
                         else f"UNSANDBOXED: {sandbox.get('reason', '?')}")
            lines.append(f"Session:   {session.get('session')} {session.get('agent')} in {session.get('cwd')}, "
                         f"{contained}")
    else:
        lines.append("Daemon:    not running (start it with: aegis start)")
        if "pending" in status:
            lines.append(f"Pending:   {status['pending']} approval(s)")
    if status.get("stale_files"):
        lines.append(f"Stale:     {', '.join(status['stale_files'])} (aegis start cleans them up)")
    return "\n".join(lines)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Output as JSON.")
@click.option("--watch", is_flag=True, help="Refresh every 2 seconds until interrupted.")
@click.pass_obj
@click.pass_context
def status(ctx: click.Context, app: AppContext, as_json: bool, watch: bool) -> None:
    """Show the daemon's state, channels, pending approvals and activity.

    Exits 0 when the daemon runs, 3 when it does not, 6 when something that is not
    the daemon answers on its socket.
    """
    while True:
        current = collect_status(app)
        if as_json:
            emit_json(current)
        else:
            if watch:
                click.clear()
            click.echo(_render(current))
        if not watch:
            break
        time.sleep(2)
    if current.get("socket_taken_by") is not None or current.get("agent_socket_taken_by") is not None:
        ctx.exit(int(ExitCode.SECURITY))
    if not current["running"]:
        ctx.exit(int(ExitCode.ENVIRONMENT))
