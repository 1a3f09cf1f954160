"""``aegis audit``: verify the hash chain of the audit log, and show its records."""

from __future__ import annotations

import json
import time
from typing import Any

import click

from aegis_core.cli import AppContext, emit_json
from aegis_core.errors import ExitCode


def _paths(app: AppContext) -> tuple:
    from aegis_core.audit import default_checkpoint_path

    home = app.config(plugins=False).home
    log = home / "audit.log"
    return log, default_checkpoint_path(log)


@click.group()
def audit() -> None:
    """Check and read the tamper-evident audit log."""


@audit.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Output as JSON.")
@click.option("--fleet", "fleet", is_flag=True,
              help="Check every machine's chain shipped to the fleet store (gaps, divergence).")
@click.pass_context
def verify_command(ctx: click.Context, as_json: bool, fleet: bool) -> None:
    """Check every record's hash, the chain and the checkpoints. Exit 0 when intact,
    8 when not (naming the first bad record and why)."""
    from aegis_core.audit import verify

    if fleet:
        _verify_fleet(ctx, as_json)
        return

    log, checkpoints = _paths(ctx.obj)
    result = verify(log, checkpoints)
    if as_json:
        emit_json({**result.to_dict(), "path": str(log)})
    elif result.ok:
        click.echo(
            f"Audit log intact: {result.records} records, head {result.head_seq} "
            f"{result.head_hash[:16]}, {result.checkpoints} checkpoints ({log})."
        )
    else:
        where = f"record {result.first_bad_seq}" if result.first_bad_seq else "checkpoints"
        click.echo(
            f"aegis: error: audit log {log} is broken at {where}: {result.reason}: "
            f"{result.detail}; keep the file as evidence and compare it with a backup",
            err=True,
        )
    if not result.ok:
        ctx.exit(int(ExitCode.STATE))


def _verify_fleet(ctx: click.Context, as_json: bool) -> None:
    from aegis_core.cli.fleet import open_fleet_store
    from aegis_core.fleet.verify import to_dicts, verify_fleet

    store, settings = open_fleet_store(ctx.obj)
    log, _ = _paths(ctx.obj)
    with store:
        results = verify_fleet(store, local_machine=settings.machine, local_log=log)
    ok = all(r.ok for r in results)
    if as_json:
        emit_json({"ok": ok, "machines": to_dicts(results)})
    else:
        for result in results:
            if result.ok:
                notes = "; ".join(p["detail"] for p in result.problems)
                click.echo(f"{result.machine}: intact, {result.records} records shipped (head {result.head_seq})"
                           + (f"; {notes}" if notes else ""))
            for problem in result.problems if not result.ok else ():
                where = f" at record {problem['seq']}" if problem["seq"] else ""
                click.echo(f"aegis: error: {result.machine}: {problem['kind']}{where}: {problem['detail']}", err=True)
        if not results:
            click.echo("No machine has shipped audit records to the fleet store yet.")
    if not ok:
        ctx.exit(int(ExitCode.STATE))


@audit.command("show")
@click.option("--session", help="Only this session's records.")
@click.option("--since", metavar="TIME", help="Only records since TIME (10m, 2h, 1d, or ISO 8601).")
@click.option("--event", "event_prefix", metavar="NAME", help="Only events starting with NAME.")
@click.option("--limit", type=click.IntRange(min=1), help="Only the last N matching records.")
@click.option("--json", "as_json", is_flag=True, help="Output as JSON lines.")
@click.pass_obj
def show(
    app: AppContext,
    session: str | None,
    since: str | None,
    event_prefix: str | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """Print audit records, oldest first."""
    from collections import deque

    from aegis_core.audit.reader import parse_since, read_records

    log, _ = _paths(app)
    start = parse_since(since) if since else None
    matching: deque[Any] = deque(maxlen=limit)
    for record in read_records(log):
        if session is not None and record.session != session:
            continue
        if start is not None and record.time < start:
            continue
        if event_prefix and not record.event.startswith(event_prefix):
            continue
        matching.append(record)
    for record in matching:
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "seq": record.seq,
                        "time": record.time,
                        "session": record.session,
                        "event": record.event,
                        "details": record.details,
                        "prev_hash": record.prev_hash,
                        "hash": record.hash,
                    }
                )
            )
            continue
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(record.time))
        details = json.dumps(record.details, sort_keys=True)
        click.echo(
            f"{record.seq:>6}  {stamp}  {record.session or '-':<12}  {record.event:<22}  {details}"
        )
    if not matching and not as_json:
        click.echo("No audit records match." if log.exists() else f"No audit log yet ({log}).")


__all__ = ["audit", "emit_json"]
