"""``aegis start``, ``aegis stop``, ``aegis status``: the daemon's life and health."""

from __future__ import annotations

import time

import click

from aegis_core.cli import AppContext, emit_json

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
    from aegis_core.views import collect_status, render_status, status_exit_code

    config = app.config(plugins=False)
    while True:
        current = collect_status(config)
        if as_json:
            emit_json(current)
        else:
            if watch:
                click.clear()
            click.echo(render_status(current))
        if not watch:
            break
        time.sleep(2)
    code = status_exit_code(current)
    if code:
        ctx.exit(code)
