"""``aegis fleet``: the machines sharing this home's PostgreSQL store, and the fleet key."""

from __future__ import annotations

import secrets
import time
from typing import Any

import click

from aegis_core.cli import AppContext, emit_json
from aegis_core.errors import AegisError, ExitCode


@click.group()
def fleet() -> None:
    """Fleet mode: many machines sharing one PostgreSQL store (docs/fleet.md)."""


def open_fleet_store(app: AppContext) -> Any:
    from aegis_core.fleet.settings import fleet_settings
    from aegis_core.store.postgres import PostgresStore

    config = app.config(plugins=False)
    settings = fleet_settings(config, need_key=False)
    if settings is None:
        raise AegisError("this machine is not in a fleet: [store] url is not set",
                         hint='set [store] url = "postgresql://..." and [fleet] key (see docs/fleet.md)')
    return PostgresStore(settings.url, settings.machine), settings


@fleet.command("status")
@click.option("--json", "as_json", is_flag=True, help="Output as JSON.")
@click.pass_obj
@click.pass_context
def status(ctx: click.Context, app: AppContext, as_json: bool) -> None:
    """Every machine of the fleet: its last contact, pending approvals, shipped audit
    records. Exit 4 when the fleet store cannot be reached."""
    from aegis_core.store.postgres import FleetUnavailable
    from aegis_core.store.url import describe_url

    store, settings = open_fleet_store(app)
    now = time.time()
    try:
        with store:
            machines = store.machines()
    except FleetUnavailable as exc:
        if as_json:
            emit_json({"connected": False, "store": describe_url(settings.url), "machine": settings.machine,
                       "error": exc.message, "machines": []})
        else:
            click.echo(f"Fleet store: {describe_url(settings.url)}: UNREACHABLE ({exc.message})")
        ctx.exit(int(ExitCode.NETWORK))
        return
    rows = [{"machine": m["name"], "this": m["name"] == settings.machine, "last_contact": m["last_seen"],
             "seconds_ago": round(now - float(m["last_seen"]), 1), "pending": int(m["pending"]),
             "pid": m["pid"], "version": m["version"], "audit_seq": int(m["audit_seq"] or 0),
             "shipped_seq": int(m["shipped_seq"] or 0)} for m in machines]
    if as_json:
        emit_json({"connected": True, "store": describe_url(settings.url), "machine": settings.machine,
                   "machines": rows})
        return
    click.echo(f"Fleet store: {describe_url(settings.url)} (connected); this machine: {settings.machine}")
    if not rows:
        click.echo("No machine has joined yet (start a daemon with this [store] url).")
    for row in rows:
        mark = "*" if row["this"] else " "
        click.echo(f"{mark} {row['machine']:<20} last contact {row['seconds_ago']:>7.1f} s ago  "
                   f"{row['pending']:>3} pending  audit {row['shipped_seq']}/{row['audit_seq']} shipped")


@fleet.command("key")
def key() -> None:
    """Print a new random fleet key: set it as [fleet] key (or in a key_file) on every
    machine of the fleet, outside any sandbox."""
    click.echo(secrets.token_urlsafe(32))
