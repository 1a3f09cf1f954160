"""The WhatsApp channel inside the REAL daemon: configured through AEGIS_WHATSAPP_*
(the Graph API played by FakeGraph, a real HTTP server on 127.0.0.1), a judge
request that needs approval sent on the daemon's socket, and the answer coming back as
a signed button-reply webhook POSTed to the daemon's own webhook server."""

from __future__ import annotations

import json
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

pytest.importorskip("aegis_whatsapp")
from aegis_whatsapp.fake_graph import FakeGraph, button_reply_event, buttons_of, sign
from e2e_aegis import WAIT, AegisHome, wait_until

TOKEN = "EAAe2etesttoken0123456789abcdefghijklmnopqrs"
PHONE_ID = "106540352242922"
APP_SECRET = "e2e-app-secret"
VERIFY_TOKEN = "e2e-verify-token"
APPROVER = "15551230001"
PIP_INSTALL = {"tool": "Bash", "input": {"command": "pip install requests"}, "cwd": "/tmp"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Pending:
    """A judge request waiting on the daemon's socket, in a background thread."""

    thread: threading.Thread
    lines: list[dict[str, Any]] = field(default_factory=list)
    error: list[BaseException] = field(default_factory=list)

    def final(self) -> dict[str, Any]:
        self.thread.join(WAIT)
        assert not self.thread.is_alive(), "the judge request never got its final answer"
        assert not self.error, self.error
        assert self.lines and self.lines[-1].get("final"), self.lines
        return self.lines[-1]


class Phone:
    """The real daemon with the WhatsApp channel, the fake Graph API, and the
    approver's phone: what it was sent, and the webhooks its button taps cause."""

    def __init__(self) -> None:
        self.graph = FakeGraph(access_token=TOKEN, phone_number_id=PHONE_ID).start()
        self.aegis = AegisHome(prefix="aewa-")
        self.port = free_port()
        self.taps = 0
        self.aegis.env.update(
            {
                "AEGIS_WHATSAPP_ACCESS_TOKEN": TOKEN,
                "AEGIS_WHATSAPP_PHONE_NUMBER_ID": PHONE_ID,
                "AEGIS_WHATSAPP_APP_SECRET": APP_SECRET,
                "AEGIS_WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
                "AEGIS_WHATSAPP_ALLOWED_NUMBERS": f"+{APPROVER}",
                "AEGIS_WHATSAPP_API_BASE": self.graph.api_base,
                "AEGIS_WHATSAPP_WEBHOOK_HOST": "127.0.0.1",
                "AEGIS_WHATSAPP_WEBHOOK_PORT": str(self.port),
            }
        )
        self.aegis.configure("[approvals]\ntimeout_seconds = 120\n")

    def start(self) -> None:
        self.aegis.start()
        wait_until(self._webhook_listens, what="the WhatsApp webhook never listened")
        created = self.aegis.request("session.create", agent="e2e", cwd="/tmp", command="e2e")
        self.session, self.token = created["session"], created["token"]

    def _webhook_listens(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def close(self) -> None:
        try:
            self.aegis.close()
        finally:
            self.graph.stop()

    def judge_in_background(self) -> Pending:
        lines: list[dict[str, Any]] = []
        errors: list[BaseException] = []

        def run() -> None:
            try:
                self.aegis.stream(
                    "judge",
                    timeout=WAIT,
                    into=lines,
                    adapter="generic",
                    session=self.session,
                    token=self.token,
                    payload=PIP_INSTALL,
                )
            except BaseException as exc:
                errors.append(exc)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return Pending(thread, lines, errors)

    def texts(self) -> list[str]:
        return [m["text"]["body"] for m in self.graph.snapshot() if m.get("type") == "text"]

    def interactive_messages(self) -> list[dict[str, Any]]:
        return [m for m in self.graph.snapshot() if m.get("type") == "interactive"]

    def wait_for_buttons(self, count: int = 1) -> dict[str, str]:
        """``title -> id`` of the ``count``-th approval request sent to the phone."""
        self.graph.wait_for(
            lambda sent: len([m for m in sent if m.get("type") == "interactive"]) >= count, timeout=WAIT
        )
        message = self.interactive_messages()[count - 1]
        assert message["to"] == APPROVER
        return buttons_of(message)

    def tap(self, buttons: dict[str, str], title: str, *, secret: str = APP_SECRET) -> int:
        """POST the webhook WhatsApp sends for a button tap; the HTTP status."""
        self.taps += 1
        event = button_reply_event(
            phone_number_id=PHONE_ID,
            sender=APPROVER,
            button_id=buttons[title],
            title=title,
            message_id=f"wamid.E2E{self.taps:04d}",
        )
        body = json.dumps(event).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/webhook",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(secret, body)},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


@pytest.fixture
def phone() -> Iterator[Phone]:
    made = Phone()
    try:
        made.start()
        yield made
    finally:
        made.close()


def approval_id_of(pending: Pending) -> str:
    """The approval id from the daemon's interim ``pending`` line."""
    line = wait_until(
        lambda: next((line for line in pending.lines if line.get("update") == "pending"), None),
        what="the daemon never said the request is pending",
    )
    return line["approval_id"]


def test_whatsapp_runs_inside_the_daemon(phone: Phone) -> None:
    status = phone.aegis.status()
    assert status["running"] is True
    channel = status["channels"]["whatsapp"]
    assert (channel["running"], channel["error"]) == (True, None)
    assert channel["health"]["state"] == "untried"  # nothing sent yet: not claimed to work


def test_approve_button_allows_the_waiting_call(phone: Phone) -> None:
    pending = phone.judge_in_background()
    buttons = phone.wait_for_buttons()
    assert "Approve" in buttons and "Deny" in buttons
    request_text = phone.interactive_messages()[0]["interactive"]["body"]["text"]
    assert "pip install requests" in request_text
    assert phone.tap(buttons, "Approve") == 200
    final = pending.final()
    assert final["decision"] == "allow"
    assert final["approval_id"] == approval_id_of(pending)
    assert "whatsapp" in final["reason"]
    (resolved,) = phone.aegis.audit_events("approval.resolved")
    assert resolved["details"]["status"] == "approved"
    assert resolved["details"]["channel"] == "whatsapp"
    assert resolved["details"]["decided_by"] == f"whatsapp:+{APPROVER}"
    # The daemon tells the channel how it ended; the phone gets the outcome.
    wait_until(
        lambda: any(t.startswith("Approved") for t in phone.texts()), what="the phone was never told the outcome"
    )
    phone.aegis.verify_audit()


def test_deny_button_denies_the_waiting_call(phone: Phone) -> None:
    pending = phone.judge_in_background()
    buttons = phone.wait_for_buttons()
    assert phone.tap(buttons, "Deny") == 200
    final = pending.final()
    assert final["decision"] == "deny"
    assert "whatsapp" in final["reason"]
    statuses = [e["details"]["status"] for e in phone.aegis.audit_events("approval.resolved")]
    assert statuses == ["denied"]
    phone.aegis.verify_audit()


def test_a_mis_signed_webhook_is_refused_and_changes_nothing(phone: Phone) -> None:
    pending = phone.judge_in_background()
    buttons = phone.wait_for_buttons()
    approval_id = approval_id_of(pending)
    assert phone.tap(buttons, "Approve", secret="not-the-app-secret") == 401
    # Refused and audited; the approval still waits and the agent still waits on it.
    (rejected,) = wait_until(
        lambda: phone.aegis.audit_events("whatsapp.webhook_rejected"), what="the refused webhook was never audited"
    )
    assert rejected["details"]["reason"] == "bad_signature"
    assert [a["id"] for a in phone.aegis.pending()] == [approval_id]
    assert pending.thread.is_alive()
    assert phone.aegis.audit_events("approval.resolved") == []
    # A correctly signed answer still works afterwards.
    assert phone.tap(buttons, "Deny") == 200
    assert pending.final()["decision"] == "deny"
    assert phone.aegis.pending() == []
    phone.aegis.verify_audit()


def test_status_and_doctor_reflect_the_last_real_attempt(phone: Phone) -> None:
    phone.graph.fail_next(401, 190, "Invalid OAuth access token - Cannot parse access token", times=50)
    failing = phone.judge_in_background()
    wait_until(lambda: phone.aegis.audit_events("whatsapp.send_failed"), what="the failure was never audited")
    status = phone.aegis.status()["channels"]["whatsapp"]
    assert status["health"]["state"] == "failing" and "Invalid OAuth" in status["error"]
    shown = phone.aegis.cli("status").stdout
    assert "whatsapp (FAILING: " in shown and "whatsapp (ok)" not in shown
    doctor = phone.aegis.cli("doctor", "--json")
    checks = {c["name"]: c for c in json.loads(doctor.stdout)["checks"]}
    assert checks["channel-health"]["status"] == "fail" and "whatsapp" in checks["channel-health"]["message"]
    assert doctor.returncode != 0
    phone.aegis.cli("approvals", "deny", approval_id_of(failing))
    failing.final()

    phone.graph.clear_failures()  # the API works again: the next message gets through
    working = phone.judge_in_background()
    phone.wait_for_buttons()
    wait_until(lambda: phone.aegis.status()["channels"]["whatsapp"]["health"]["state"] == "ok",
               what="the channel never recovered")
    assert "whatsapp (ok)" in phone.aegis.cli("status").stdout
    phone.aegis.cli("approvals", "deny", approval_id_of(working))
    working.final()
