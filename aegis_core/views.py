"""What the commands a user types most show: the daemon's status and the approvals
list, as data and as text. No CLI framework here: :mod:`aegis_core.console` answers
these commands without loading it, and the click commands (``aegis_core.cli``) print
the same through these functions."""

from __future__ import annotations

import os
import time

from aegis_core.errors import AegisError, ExitCode

# Not `from typing import TYPE_CHECKING`: loading typing costs the quick commands
# (aegis status, aegis approvals list) a visible share of their start-up.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from aegis_core.config import Config


def json_text(data: Any) -> str:
    """The one JSON form every ``--json`` prints."""
    import json

    return json.dumps(data, indent=2, sort_keys=False, default=str)


def collect_status(config: Config) -> dict[str, Any]:
    """What ``aegis status`` shows (and ``--json`` prints), from the daemon when it
    answers, else from the database."""
    from aegis_core.daemon import process

    state = process.inspect(config)
    status: dict[str, Any] = dict(state.info or {})
    status.update({"running": state.running, "pid": state.pid, "home": config.home_dir})
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


def _offline_status(config: Config) -> dict[str, Any]:
    """What the database says when the daemon is not there to ask."""
    db = config.path_name("database", "path", "aegis.db")
    try:
        size: int | None = os.stat(db).st_size
    except (FileNotFoundError, NotADirectoryError):
        size = None
    out: dict[str, Any] = {"database": db, "database_bytes": size or 0}
    if size is not None:
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


def render_status(status: dict[str, Any]) -> str:
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
            link = ("connected" if fleet.get("connected") else f"UNREACHABLE ({fleet.get('error')}): new risky "
                    "calls denied, waiting ones denied unless it is back within the grace")
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


def status_exit_code(status: dict[str, Any]) -> int:
    """0 when the daemon runs, 3 when it does not, 6 when something that is not the
    daemon answers on its socket."""
    if status.get("socket_taken_by") is not None or status.get("agent_socket_taken_by") is not None:
        return int(ExitCode.SECURITY)
    return int(ExitCode.OK) if status["running"] else int(ExitCode.ENVIRONMENT)


def approval_line(approval: Mapping[str, Any], with_machine: bool = False) -> str:
    """One approval (as :meth:`Approval.to_dict` gives it) on one line."""
    summary = str(approval["summary"]).replace("\n", " ")
    summary = summary if len(summary) <= 60 else summary[:57] + "..."
    if approval["status"] == "pending":
        left = max(0, int(approval["deadline_at"] - time.time()))
        state = f"pending ({left}s left)"
    else:
        state = f"{approval['status']} by {approval['decided_by'] or '?'}"
    session = approval["session"][:12]
    quorum = approval["quorum"]
    # The votes as stored, not the daemon's count: only the daemon can check a vote's
    # seal, and it counts one per person (docs/fleet.md), so "n/quorum" would overstate.
    stored = len(approval["votes"])
    plural = "" if stored == 1 else "s"
    votes = f" [needs {quorum} people; {stored} approving vote{plural} stored]" if quorum > 1 else ""
    machine = f"{approval['machine'][:16]:<16}  " if with_machine else ""
    return f"{approval['id'][:12]}  {machine}{state:<24}  {session:<12}  {approval['tool']:<10}  {summary}{votes}"


def list_approvals(config: Config, *, show_all: bool = False, limit: int = 100,
                   fleet: bool = False) -> list[dict[str, Any]]:
    """What ``aegis approvals list`` shows, as :meth:`Approval.to_dict` gives each:
    pending ones oldest first, all of them newest first with ``show_all``, every
    machine's with ``fleet``."""
    status = None if show_all else "pending"
    rows = None if fleet else _quick_list(config, status, limit)
    return _stored_list(config, status, limit, fleet) if rows is None else rows


def render_approvals(rows: list[dict[str, Any]], *, show_all: bool = False, fleet: bool = False) -> str:
    if not rows:
        return "No pending approvals." if not show_all else "No approvals yet."
    return "\n".join(approval_line(approval, with_machine=fleet) for approval in rows)


def _quick_list(config: Config, status: str | None, limit: int) -> list[dict[str, Any]] | None:
    """This machine's approvals through one read-only query (the command users type
    most); None when the long way is needed: fleet mode, or a database missing or of
    another schema version (``Store.open`` creates, migrates or refuses it)."""
    from aegis_core.store import reads

    if config.get("store", "url"):
        return None
    db = config.path_name("database", "path", "aegis.db")
    conn = reads.open_reader(db)
    if conn is None:
        return None
    try:
        return reads.list_approvals(conn, db, status=status, limit=limit)
    finally:
        conn.close()


def _stored_list(config: Config, status: str | None, limit: int, fleet: bool) -> list[dict[str, Any]]:
    from aegis_core.store.opening import open_store as open_configured

    with open_configured(config, quick_check=False) as store:
        if fleet:
            if not hasattr(store, "fleet"):
                raise AegisError("--fleet needs fleet mode: this machine has no [store] url",
                                 hint="see docs/fleet.md")
            rows = store.fleet.list_approvals(status=status, limit=limit, machine="*")
        else:
            rows = store.list_approvals(status=status, limit=limit)
        return [approval.to_dict() for approval in rows]
