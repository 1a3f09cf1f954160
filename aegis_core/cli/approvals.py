"""``aegis approvals``: list, show, answer and watch approvals. Reading works without
the daemon; answers go through the daemon only (the one door: compare-and-set,
audit record and notification together). With the daemon down no agent is waiting
on any approval, so an answer is refused with the reason (exit 3), as is an answer
to an approval that already ended (exit 1)."""

from __future__ import annotations

import getpass
import json
import time
from typing import Any

import click

from aegis_core.cli import AppContext, emit_json
from aegis_core.errors import AegisEnvironmentError, AegisError
from aegis_core.models import Approval, Outcome, Scope
from aegis_core.views import approval_line


def open_store(app: AppContext, *, reading: bool = False) -> Any:
    """This home's store (in fleet mode, the fleet's approvals too). ``reading`` (list,
    show) skips the full integrity scan: a damaged page still fails the query that
    meets it, and `aegis doctor` and the daemon's start run the scan."""
    from aegis_core.store.opening import open_store as open_configured

    return open_configured(app.config(plugins=False), quick_check=not reading)


def _find(store: Any, approval_id: str) -> Approval:
    approval = store.get_approval(approval_id)
    if approval is not None:
        return approval
    matches = store.find_approvals(approval_id) if len(approval_id) >= 4 else []
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise AegisError(
            f"{approval_id!r} matches several approvals",
            hint="give more characters of the id (see `aegis approvals list`)",
        )
    raise AegisError(f"no approval {approval_id!r}", hint="see `aegis approvals list --all`")


def _when(stamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp)) if stamp else "-"


@click.group(invoke_without_command=True)
@click.pass_context
def approvals(ctx: click.Context) -> None:
    """Manage pending and past approvals (works without the daemon too)."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_approvals)


@approvals.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include resolved approvals.")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True)
@click.option("--fleet", "fleet", is_flag=True, help="Every machine's approvals (fleet mode), with their machine.")
@click.option("--json", "as_json", is_flag=True, help="Output as JSON.")
@click.pass_obj
def list_approvals(
    app: AppContext, show_all: bool = False, limit: int = 100, as_json: bool = False, fleet: bool = False
) -> None:
    """List pending approvals (all of them with --all; every machine's with --fleet)."""
    from aegis_core.views import list_approvals as listed
    from aegis_core.views import render_approvals

    rows = listed(app.config(plugins=False), show_all=show_all, limit=limit, fleet=fleet)
    if as_json:
        emit_json(rows)
    else:
        click.echo(render_approvals(rows, show_all=show_all, fleet=fleet))


@approvals.command("show")
@click.argument("approval_id")
@click.option("--json", "as_json", is_flag=True, help="Output as JSON.")
@click.pass_obj
def show(app: AppContext, approval_id: str, as_json: bool) -> None:
    """Show everything about one approval (the id or its first characters)."""
    with open_store(app, reading=True) as store:
        details = store.approval_details(_find(store, approval_id).id)
    if as_json:
        emit_json(details)
        return
    for key in ("id", "status", "session", "tool", "kind", "summary", "rule", "reason", "risk"):
        click.echo(f"{key:>15}: {details[key]}")
    click.echo(f"{'created':>15}: {_when(details['created_at'])}")
    click.echo(f"{'deadline':>15}: {_when(details['deadline_at'])}")
    if details["status"] != "pending":
        click.echo(
            f"{'decided':>15}: {_when(details['decided_at'])} by {details['decided_by']} "
            f"via {details['channel']} (scope {details['scope']})"
        )
        click.echo(f"{'why':>15}: {details['decision_reason'] or '-'}")
    click.echo(f"{'input':>15}: {json.dumps(details['input'], indent=2)}")


def answer(
    app: AppContext, approval_id: str, outcome: Outcome, *, reason: str, scope: Scope
) -> dict[str, Any]:
    """Answer one approval through the daemon. Returns ``{"won": bool, "approval":
    {...}, "via": "daemon"}``; refuses (AegisError) when it already ended or the
    daemon is not running."""
    from aegis_core.client import DaemonUnavailable, refusal, request

    by = _user()
    with open_store(app) as store:
        approval = _find(store, approval_id)
    if approval.status.is_final:
        raise AegisError(_too_late(approval.to_dict()), hint="see `aegis approvals show " + approval.id[:12] + "`")
    try:
        response = request(
            "approval.resolve",
            config=app.config(plugins=False),
            approval_id=approval.id,
            outcome=outcome.value,
            reason=reason,
            scope=scope.value,
            by=by,
        )
    except DaemonUnavailable as exc:
        raise AegisEnvironmentError(
            f"the Aegis daemon is not running, so approval {approval.id[:12]} was not answered: no agent "
            "is waiting on it (it ends as expired when the daemon starts)",
            hint=f"{exc.hint or 'start it with: aegis start'}; the agent will ask again",
        ) from None
    if not response.get("ok"):
        raise refusal(response, "the answer")
    return {"won": bool(response.get("won")), "approval": response.get("approval"), "via": "daemon",
            "note": response.get("note")}


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli-user"


def _too_late(final: dict[str, Any]) -> str:
    return (f"too late: approval {str(final.get('id', '?'))[:12]} was already {final.get('status')} "
            f"by {final.get('decided_by')} via {final.get('channel')} at {_when(final.get('decided_at'))}")


def _report(result: dict[str, Any], verb: str, as_json: bool) -> None:
    if as_json:
        emit_json(result)
    final = result["approval"] or {}
    if not result["won"]:
        if result.get("note"):
            raise AegisError(f"approval {str(final.get('id'))[:12]} was not answered: {result['note']}")
        if final.get("status") == "pending":
            raise AegisError(f"the daemon did not accept the answer to approval {str(final.get('id'))[:12]}",
                             hint="see `aegis logs` and the audit log (`aegis audit show`)")
        raise AegisError(_too_late(final))
    if not as_json:
        click.echo(f"{verb} {final.get('id', '?')[:12]}: {final.get('summary', '')}")
        if result.get("note"):
            click.echo(f"  {result['note']}")


@approvals.command("approve")
@click.argument("approval_id")
@click.option(
    "--session",
    "for_session",
    is_flag=True,
    help="Also allow identical calls for the rest of the session.",
)
@click.option("--reason", default="", help="Why (recorded in the audit log).")
@click.option("--json", "as_json", is_flag=True, help="Output as JSON.")
@click.pass_obj
def approve(
    app: AppContext, approval_id: str, for_session: bool, reason: str, as_json: bool
) -> None:
    """Approve a pending approval."""
    scope = Scope.SESSION if for_session else Scope.ONCE
    _report(
        answer(app, approval_id, Outcome.APPROVE, reason=reason, scope=scope), "Approved", as_json
    )


@approvals.command("deny")
@click.argument("approval_id")
@click.option("--reason", default="", help="Why; the agent is told.")
@click.option("--json", "as_json", is_flag=True, help="Output as JSON.")
@click.pass_obj
def deny(app: AppContext, approval_id: str, reason: str, as_json: bool) -> None:
    """Deny a pending approval; the reason goes back to the agent."""
    _report(
        answer(
            app,
            approval_id,
            Outcome.DENY,
            reason=reason or "denied from the command line",
            scope=Scope.ONCE,
        ),
        "Denied",
        as_json,
    )


@approvals.command("history")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Output as JSON.")
@click.pass_obj
def history(app: AppContext, limit: int, as_json: bool) -> None:
    """Show decided approvals, most recent first."""
    with open_store(app) as store:
        rows = store.history(limit=limit)
    if as_json:
        emit_json([a.to_dict() for a in rows])
        return
    if not rows:
        click.echo("No decided approvals yet.")
    for approval in rows:
        click.echo(f"{_when(approval.decided_at)}  {approval_line(approval.to_dict())}")


@approvals.command("resume")
@click.argument("session")
@click.pass_obj
def resume(app: AppContext, session: str) -> None:
    """Resume a session the circuit breaker paused."""
    from aegis_core.client import DaemonUnavailable, refusal, request

    by = _user()
    try:
        response = request("session.resume", config=app.config(plugins=False), session=session, by=by)
        if not response.get("ok"):
            raise refusal(response, "to resume the session")
        resumed = bool(response.get("resumed"))
    except DaemonUnavailable:
        resumed = _resume_locally(app, session, by=f"{by} via cli")
    click.echo(f"Session {session} resumed." if resumed else f"Session {session} was not paused.")


def _resume_locally(app: AppContext, session: str, *, by: str) -> bool:
    """With the daemon down: resume through the same approvals object, audited."""
    import anyio

    from aegis_core.approvals.local import local_approvals

    with local_approvals(app.config(), app.plugins) as book:
        if book.store.get_session(session) is None:
            raise AegisError(f"no session {session!r}", hint="see `aegis status`")
        return anyio.run(lambda: book.resume(session, by=by))


@approvals.command("watch")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Do not ask: print each new pending approval as a JSON line.",
)
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=1.0,
    show_default=True,
    help="Seconds between checks for new approvals.",
)
@click.option("--once", is_flag=True, help="Check once, answer what is pending, and exit.")
@click.pass_obj
def watch(app: AppContext, as_json: bool, interval: float, once: bool) -> None:
    """Offer each new pending approval as it arrives: approve, approve for the
    session, deny, or skip. Ctrl-C stops."""
    seen: set[str] = set()
    with open_store(app) as store:
        if not as_json and not once:
            click.echo("Watching for approvals (Ctrl-C to stop)...")
        while True:
            fresh = [a for a in store.list_approvals(status="pending") if a.id not in seen]
            for approval in fresh:
                seen.add(approval.id)
                if as_json:
                    click.echo(json.dumps(approval.to_dict()))
                    continue
                _offer(app, store, approval)
            if once:
                return
            time.sleep(interval)


def _offer(app: AppContext, store: Any, approval: Approval) -> None:
    current = store.get_approval(approval.id)
    if current is None or current.status.value != "pending":
        return  # answered elsewhere while we were busy with the previous one
    click.echo("")
    click.echo(f"Approval {approval.id[:12]}  session {approval.session}  risk {approval.risk}")
    click.echo(f"  {approval.tool}: {approval.summary}")
    if approval.reason:
        click.echo(f"  why asked: {approval.reason}")
    left = max(0, int(approval.deadline_at - time.time()))
    choice = click.prompt(
        f"  [a]pprove, approve for [s]ession, [d]eny, s[k]ip ({left}s left)",
        type=click.Choice(["a", "s", "d", "k"]),
        show_choices=False,
        default="k",
    )
    if choice == "k":
        return
    if choice == "d":
        reason = click.prompt("  reason for the agent", default="denied from aegis approvals watch")
        outcome, scope = Outcome.DENY, Scope.ONCE
    else:
        reason, outcome = "", Outcome.APPROVE
        scope = Scope.SESSION if choice == "s" else Scope.ONCE
    try:
        _report(
            answer(app, approval.id, outcome, reason=reason, scope=scope),
            "Approved" if outcome is Outcome.APPROVE else "Denied",
            False,
        )
    except AegisError as exc:  # too late: keep watching
        click.echo(f"  {exc.message}", err=True)
