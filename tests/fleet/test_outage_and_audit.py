"""The fleet store going away and coming back, the shipped audit trail, secrets, and
the egress proxy's refusal to let a sandbox reach the fleet's database."""

from __future__ import annotations

import json
import os
import signal
import threading

import anyio
import psycopg
import pytest
from fleet_support import Machine, wait_until

from aegis_core.fleet.egress import FleetStoreGuard
from aegis_core.network.hosts import Destination


def test_postgres_stopped_mid_wait_denies_the_waiting_call_after_the_grace_and_works_again_after(
        fleet, postgres_server):
    a, c = fleet["a"], fleet["c"]
    # A deadline far beyond the test's own waits: only the outage can end the wait.
    created = a.request("session.create", agent="test", cwd=str(a.project), command="test", approval_timeout=3600)
    assert created["ok"], created
    a.session = created["session"], created["token"]
    waiting = a.bash_async("deploy cache")
    approval_id = waiting.approval_id()

    postgres_server.stop()
    try:
        # Denied once the outage outlasts the grace (10 s by default), not at its deadline an hour away.
        answer = waiting.answer(timeout=90)
        assert answer["decision"] == "deny", answer
        assert "fleet store" in answer["reason"] and "unreachable" in answer["reason"], answer
        assert approval_id in answer["reason"] and answer["rule"] == "fleet-unavailable", answer
        recorded = [json.loads(line) for line in (a.home / "audit.log").read_text().splitlines()]
        (answered,) = [r["details"] for r in recorded if r["event"] == "call.answered"
                       and r["details"].get("approval_id") == approval_id]
        assert answered["decision"] == "deny" and "unreachable" in answered["reason"]
    finally:
        postgres_server.restart()

    # Back: the approval nobody waits on any more ends as expired (nobody can approve
    # a call that was already denied), and new requests are asked and answered as before.
    def ended():
        rows = json.loads(c.cli("approvals", "list", "--fleet", "--all", "--json").stdout)
        row = next((r for r in rows if r["id"] == approval_id), None)
        return row if row and row["status"] != "pending" else None

    assert wait_until(ended, timeout=40)["status"] == "expired"
    again = a.bash_async("deploy worker")
    assert c.cli("approvals", "approve", again.approval_id()).returncode == 0
    assert again.answer()["decision"] == "allow"


def test_postgres_back_within_the_grace_resumes_waiting_calls(patient_fleet, postgres_server):
    """While the fleet store is down, a new risky call is denied at once, saying why
    (nobody could answer it, nor could the answer be recorded), and calls the policy
    allows run. Calls already waiting keep waiting through the grace: when the store
    is back in time (a restart, a failover), their approvals are still pending on
    every machine and an answer given anywhere reaches them."""
    fleet = patient_fleet
    a, b, c = fleet["a"], fleet["b"], fleet["c"]
    # A deadline far beyond the test's own waits: only an answer ends these waits.
    for machine in (a, b):
        created = machine.request("session.create", agent="test", cwd=str(machine.project), command="test",
                                  approval_timeout=3600)
        assert created["ok"], created
        machine.session = created["session"], created["token"]
    on_a, on_b = a.bash_async("deploy cache"), b.bash_async("deploy worker")
    id_a, id_b = on_a.approval_id(), on_b.approval_id()

    postgres_server.stop()
    try:
        wait_until(lambda: not a.status()["fleet"]["connected"] and not b.status()["fleet"]["connected"],
                   timeout=60)
        denied = a.bash("deploy queue")  # a new one: nobody could answer it now
        assert denied["decision"] == "deny"
        assert "fleet store" in denied["reason"] and "unreachable" in denied["reason"], denied
        assert denied["rule"] == "fleet-unavailable"
        assert a.bash("ls -la")["decision"] == "allow"  # judged locally, no network
        refused = c.cli("approvals", "approve", id_a)  # an answer that cannot be recorded is refused
        assert refused.returncode == 4 and "unreachable" in refused.stderr, (refused.stdout, refused.stderr)
        assert "UNREACHABLE" in a.cli("status").stdout and "within the grace" in a.cli("status").stdout
        assert a.status()["waiting"] == 1 and b.status()["waiting"] == 1
        assert c.cli("fleet", "status").returncode == 4
        doctor = c.cli("doctor", "--json")
        fleet_check = next(check for check in json.loads(doctor.stdout)["checks"] if check["name"] == "fleet")
        assert fleet_check["status"] == "fail" and "unreachable" in fleet_check["message"]
        assert not on_a.done and not on_b.done  # still waiting, not denied
    finally:
        postgres_server.restart()

    # Back: both approvals are still pending, on every machine, and answered from a
    # third machine's CLI as before; the calls waiting on them hear it.
    wait_until(lambda: all(m.status()["fleet"]["connected"] for m in (a, b, c)), timeout=60)
    listed = json.loads(c.cli("approvals", "list", "--fleet", "--json").stdout)
    assert {id_a, id_b} <= {row["id"] for row in listed if row["status"] == "pending"}, listed
    assert not on_a.done and not on_b.done
    approved = c.cli("approvals", "approve", id_a)
    assert approved.returncode == 0, (approved.stdout, approved.stderr)
    assert on_a.answer()["decision"] == "allow"
    denied_b = c.cli("approvals", "deny", id_b, "--reason", "not today")
    assert denied_b.returncode == 0, (denied_b.stdout, denied_b.stderr)
    answer_b = on_b.answer()
    assert answer_b["decision"] == "deny" and "not today" in answer_b["reason"], answer_b
    recorded = [json.loads(line) for line in (a.home / "audit.log").read_text().splitlines()]
    (answered,) = [r["details"] for r in recorded if r["event"] == "call.answered"
                   and r["details"].get("approval_id") == id_a]
    assert answered["decision"] == "allow"


def test_a_deadline_passing_while_postgres_is_down_denies_with_that_reason_and_the_approval_ends(
        fleet, postgres_server):
    a, c = fleet["a"], fleet["c"]
    created = a.request("session.create", agent="test", cwd=str(a.project), command="test", approval_timeout=8)
    assert created["ok"], created
    a.session = created["session"], created["token"]
    waiting = a.bash_async("deploy queue")
    approval_id = waiting.approval_id()

    postgres_server.stop()
    try:
        answer = waiting.answer(timeout=60)  # its deadline passes while the store is down
        assert answer["decision"] == "deny", answer
        assert "fleet store" in answer["reason"] and "unreachable" in answer["reason"], answer
    finally:
        postgres_server.restart()

    # Back: the approval nobody waits on any more ends as denied, so nobody can
    # approve a call that was already denied.
    def ended():
        rows = json.loads(c.cli("approvals", "list", "--fleet", "--all", "--json").stdout)
        row = next((r for r in rows if r["id"] == approval_id), None)
        return row if row and row["status"] != "pending" else None

    row = wait_until(ended, timeout=40)
    assert row["status"] == "expired", row
    late = c.cli("approvals", "approve", approval_id)
    assert late.returncode == 1, (late.stdout, late.stderr)


def test_a_daemon_starts_without_its_fleet_store_and_fails_closed(fleet_root, postgres_server):
    url = postgres_server.url_for("no_such_database")
    machine = Machine(fleet_root, "lonely", url)
    try:
        machine.start()
        risky = machine.bash("deploy now")
        assert risky["decision"] == "deny" and "fleet store" in risky["reason"]
        assert machine.bash("git status")["decision"] == "allow"
        status = machine.cli("status")
        assert postgres_server.password not in status.stdout + status.stderr
        log = (machine.home / "aegis.log").read_text() if (machine.home / "aegis.log").exists() else ""
        assert postgres_server.password not in log
    finally:
        machine.stop()


def test_the_store_password_is_never_shown(tmp_path, fleet_database, postgres_server):
    machine = Machine(tmp_path, "m", fleet_database)
    shown = machine.cli("config", "get", "store.url")
    assert shown.returncode == 0
    assert postgres_server.password not in shown.stdout and "***REDACTED***" in shown.stdout
    assert "127.0.0.1" in shown.stdout  # the rest of the URL stays readable
    listing = machine.cli("config", "list")
    assert postgres_server.password not in listing.stdout and "***REDACTED***" in listing.stdout
    env = {**machine.env, "AEGIS_STORE_URL": fleet_database}
    machine.env = env
    assert postgres_server.password not in machine.cli("config", "get", "store.url").stdout


@pytest.mark.parametrize("url", ["postgresql://aegis:Pa%40ssW0rd-x@127.0.0.1:notaport/db",
                                 "postgresql://aegis:Pa@ssW0rd-x@[::1/db"])
def test_an_unreadable_store_url_is_a_config_error_that_never_shows_the_password(tmp_path, url):
    machine = Machine(tmp_path, "m", url)
    for args in (("config", "get", "store.url"), ("fleet", "status"), ("approvals", "list", "--fleet"),
                 ("audit", "verify", "--fleet"), ("start",), ("status",), ("doctor",)):
        result = machine.cli(*args)
        shown = result.stdout + result.stderr
        assert "ssW0rd" not in shown, (args, shown)
        assert "internal error" not in shown and "Traceback" not in shown, (args, shown)
    assert "is not a valid URL" in machine.cli("fleet", "status").stderr
    machine.stop()
    log = machine.home / "aegis.log"
    assert not log.exists() or "ssW0rd" not in log.read_text()


def test_a_driver_error_quoting_the_url_is_scrubbed():
    from aegis_core.store.url import scrub

    url = "postgresql://aegis:p%40ss%2Fw0rd@db:5432/aegis?password=other-secret"
    said = 'invalid connection option "p@ss/w0rd" in postgresql://aegis:p%40ss%2Fw0rd@db (other-secret)'
    cleaned = scrub(said, url)
    assert "w0rd" not in cleaned and "other-secret" not in cleaned
    assert "***REDACTED***" in cleaned


def test_audit_verify_fleet_detects_a_tampered_record(fleet, fleet_database):
    a, b = fleet["a"], fleet["b"]
    for machine in (a, b):
        machine.bash("ls")
        machine.bash("git status")

    def shipped_everything():
        rows = {r["machine"]: r for r in json.loads(a.cli("fleet", "status", "--json").stdout)["machines"]}
        return all(rows.get(m.name) and rows[m.name]["shipped_seq"] >= rows[m.name]["audit_seq"] > 3
                   for m in (a, b))

    wait_until(shipped_everything, timeout=30)
    intact = a.cli("audit", "verify", "--fleet")
    assert intact.returncode == 0, intact.stderr
    assert "a: intact" in intact.stdout and "b: intact" in intact.stdout

    with psycopg.connect(fleet_database, autocommit=True) as conn:
        conn.execute("UPDATE audit_records SET line = replace(line, '\"event\":', '\"event\": ') "
                     "WHERE machine = 'b' AND seq = 2")
    broken = a.cli("audit", "verify", "--fleet", "--json")
    assert broken.returncode == 8, broken.stderr
    report = {m["machine"]: m for m in json.loads(broken.stdout)["machines"]}
    assert report["a"]["ok"] is True
    assert report["b"]["ok"] is False
    assert report["b"]["problems"][0] == {"kind": "divergence", "seq": 2,
                                          "detail": report["b"]["problems"][0]["detail"]}


def test_audit_verify_fleet_detects_a_record_tampered_in_a_machines_own_log(fleet):
    a, b = fleet["a"], fleet["b"]
    b.bash("ls")
    b.bash("git status")

    def shipped_everything():
        rows = {r["machine"]: r for r in json.loads(b.cli("fleet", "status", "--json").stdout)["machines"]}
        return rows.get("b") and rows["b"]["shipped_seq"] >= rows["b"]["audit_seq"] > 3

    wait_until(shipped_everything, timeout=30)
    log = b.home / "audit.log"
    lines = log.read_bytes().split(b"\n")
    assert b'"event":' in lines[1]
    lines[1] = lines[1].replace(b'"event":', b'"event": ', 1)  # record 2, edited where it lies
    log.write_bytes(b"\n".join(lines))

    broken = b.cli("audit", "verify", "--fleet", "--json")
    assert broken.returncode == 8, broken.stderr
    report = {m["machine"]: m for m in json.loads(broken.stdout)["machines"]}
    assert report["b"]["ok"] is False
    assert {"kind": "divergence", "seq": 2} == {k: report["b"]["problems"][0][k] for k in ("kind", "seq")}
    assert report["a"]["ok"] is True  # a's chain, shipped and untouched, still checks
    # seen from another machine the shipped copy is intact: b's own log is what changed
    elsewhere = {m["machine"]: m for m in json.loads(a.cli("audit", "verify", "--fleet", "--json").stdout)["machines"]}
    assert elsewhere["b"]["ok"] is True


def test_audit_verify_fleet_reports_a_machine_whose_records_stopped_arriving(fleet, fleet_database):
    a, b = fleet["a"], fleet["b"]
    wait_until(lambda: all(r["shipped_seq"] >= r["audit_seq"] > 0 for r in
                           json.loads(a.cli("fleet", "status", "--json").stdout)["machines"]))
    pid = b.pid()
    os.kill(pid, signal.SIGSTOP)  # b says nothing more: its last heartbeat stands
    try:
        with psycopg.connect(fleet_database, autocommit=True) as conn:
            # b's log grew by 50 records that never arrived
            conn.execute("UPDATE machines SET audit_seq = audit_seq + 50 WHERE name = 'b'")
        result = a.cli("audit", "verify", "--fleet", "--json")
    finally:
        os.kill(pid, signal.SIGCONT)
    report = {m["machine"]: m for m in json.loads(result.stdout)["machines"]}
    assert result.returncode == 8
    assert report["a"]["ok"] is True
    assert [p["kind"] for p in report["b"]["problems"]] == ["gap"]
    assert "stopped arriving" in report["b"]["problems"][0]["detail"]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "127.0.0.2", "::1", "0.0.0.0"])
def test_the_egress_proxy_never_lets_the_sandbox_reach_the_fleet_store(host):
    guard = FleetStoreGuard("postgresql://aegis:secret@127.0.0.1:6543/aegis")

    async def check() -> tuple[bool, bool]:
        return (await guard.blocks(Destination(host, 6543)), await guard.blocks(Destination(host, 6544)))

    blocked, other_port = anyio.run(check)
    assert blocked and not other_port


def test_a_session_gate_refuses_the_fleet_store_even_when_the_manifest_allows_it():
    from aegis_core.network.gate import SessionGate, SessionInfo
    from aegis_core.sandbox.manifest import Manifest, parse_host_rule

    asked = []

    async def judge(call):
        asked.append(call)
        raise AssertionError("never asked: the fleet store is refused before anyone is asked")

    manifest = Manifest(network_allow=(parse_host_rule("127.0.0.1:6543"),))
    gate = SessionGate(SessionInfo("s", "claude", "/p"), lambda: manifest, judge, lambda *_: None)
    gate.never = FleetStoreGuard("postgresql://aegis:pw@127.0.0.1:6543/aegis")
    decision = anyio.run(gate.decide, Destination("127.0.0.1", 6543))
    assert not decision.allowed and "fleet's database" in decision.reason and not asked


# -- the agent's own dialog while the fleet store is away -----------------------------


def _dialog_call(machine: Machine, command: str, agent_call: str, event: str = "PreToolUse",
                 **extra) -> dict:
    session, token = machine.session
    payload = {"tool": "Bash", "input": {"command": command}, "cwd": str(machine.project), "hook_event": event,
               "agent_call_id": agent_call, "agent_session": "conv-1", "terminal": "dialog", **extra}
    return machine.request("observe" if event == "PostToolUse" else "judge", adapter="generic", session=session,
                           token=token, payload=payload)


def _answered(machine: Machine, approval_id: str) -> list[dict]:
    recorded = [json.loads(line) for line in (machine.home / "audit.log").read_text().splitlines()]
    return [r["details"] for r in recorded if r["event"] == "call.answered"
            and r["details"].get("approval_id") == approval_id]


def _shipped(fleet_database: str, machine: str, approval_id: str) -> list[str]:
    with psycopg.connect(fleet_database, autocommit=True) as conn:
        rows = conn.execute("SELECT line FROM audit_records WHERE machine = %s AND line LIKE %s",
                            (machine, f'%"call.answered"%{approval_id}%')).fetchall()
    return [row[0] for row in rows]


@pytest.fixture
def dialog_machine(request, fleet_root, fleet_database):
    """A machine whose agent shows its own dialog; its outage grace is the test's
    ``grace`` mark (1 s by default)."""
    mark = request.node.get_closest_marker("grace")
    grace = mark.args[0] if mark else 1
    machine = Machine(fleet_root, "d", fleet_database, channels='["terminal", "cli"]',
                      fleet_config=f"outage_grace_seconds = {grace}\n")
    machine.start()
    created = machine.request("session.create", agent="test", cwd=str(machine.project), command="test",
                              approval_timeout=3600)
    machine.session = created["session"], created["token"]
    try:
        yield machine
    finally:
        machine.stop()


def test_a_dialogs_approval_nobody_answers_through_an_outage_ends_with_its_record(
        dialog_machine, postgres_server, fleet_database):
    d = dialog_machine
    asked = _dialog_call(d, "deploy api", "toolu_1")
    assert asked["decision"] == "ask", asked  # Claude Code shows its own dialog
    approval_id = asked["approval_id"]
    # The dialog's PermissionRequest waits on the approval while the dialog is open.
    opened: list[dict] = []
    dialog = threading.Thread(target=lambda: opened.append(
        _dialog_call(d, "deploy api", "toolu_1", event="PermissionRequest")), daemon=True)
    dialog.start()
    wait_until(lambda: d.status()["waiting"] >= 1, timeout=30)
    postgres_server.stop()
    try:
        (answered,) = wait_until(lambda: _answered(d, approval_id), timeout=60)
        assert answered["decision"] == "deny" and "unreachable" in answered["reason"], answered
        assert answered["agent_call_id"] == "toolu_1"
        dialog.join(30)
        # It hears the same deny, not "nobody answered in time".
        assert opened and opened[0]["decision"] == "deny" and "unreachable" in opened[0]["reason"], opened
    finally:
        postgres_server.restart()
    assert wait_until(lambda: _shipped(fleet_database, "d", approval_id), timeout=60)


@pytest.mark.grace(3600)  # the Yes comes during the outage, however slow the machine: not a deny past the grace
def test_yes_in_the_dialog_during_an_outage_is_the_calls_record_and_is_shipped_later(
        dialog_machine, postgres_server, fleet_database):
    d = dialog_machine
    asked = _dialog_call(d, "deploy web", "toolu_2")
    approval_id = asked["approval_id"]
    postgres_server.stop()
    try:
        wait_until(lambda: not d.status()["fleet"]["connected"], timeout=60)
        # Yes in the dialog: the call ran, and the agent reports it.
        reported = _dialog_call(d, "deploy web", "toolu_2", event="PostToolUse", tool_response={"exitCode": 0})
        assert reported.get("ok") is not False, reported
        (answered,) = wait_until(lambda: _answered(d, approval_id), timeout=30)
        assert answered["decision"] == "allow" and "via terminal" in answered["reason"], answered
        assert "recorded on this machine only" in answered["reason"]
        recorded = [json.loads(line) for line in (d.home / "audit.log").read_text().splitlines()]
        assert any(r["event"] == "call.executed" and r["details"].get("approval_id") == approval_id
                   for r in recorded)
    finally:
        postgres_server.restart()
    assert wait_until(lambda: _shipped(fleet_database, "d", approval_id), timeout=60)

    def ended():  # nobody can approve it afterwards: it ends once the store is back
        rows = json.loads(d.cli("approvals", "list", "--fleet", "--all", "--json").stdout)
        row = next((r for r in rows if r["id"] == approval_id), None)
        return row if row and row["status"] != "pending" else None

    assert wait_until(ended, timeout=60)["status"] == "expired"
