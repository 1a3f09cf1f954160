"""The WhatsApp approval channel: sends requests and outcomes through the Cloud API from
a queue, serves the webhook answers arrive on, and turns a verified button tap from an
approver into a decision through the hub. Nothing in a message is ever executed."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import anyio
import anyio.from_thread
import anyio.lowlevel
import structlog

from aegis_core.channels import ChannelHealth
from aegis_core.models import Approval, Decision, ToolCall
from aegis_whatsapp import render
from aegis_whatsapp.api import (
    WINDOW_CLOSED_CODES,
    GraphClient,
    GraphError,
    RetryPolicy,
    WindowClosed,
)
from aegis_whatsapp.server import EmbeddedServer, bind_listener
from aegis_whatsapp.settings import APPROVER_ROLES, WhatsAppSettings, missing_keys
from aegis_whatsapp.window import STATE_FILE, WindowTracker

if TYPE_CHECKING:
    from aegis_core.channels import ChannelHub
    from aegis_core.config import Config
    from aegis_whatsapp.webhook import InboundMessage, Notification

log = structlog.get_logger(__name__)

MAX_REJECTIONS_AUDITED = 30
REJECTION_WINDOW_S = 60.0

HELP_TEXT = (
    "Aegis takes answers only from the buttons of its requests; it never runs "
    "anything sent in a message. At a terminal: `aegis approvals list`."
)


@dataclass(frozen=True)
class _Request:
    approval: Approval
    call: ToolCall | None
    numbers: tuple[str, ...] | None = None  # None: every approver


@dataclass(frozen=True)
class _Outcome:
    approval: Approval


@dataclass(frozen=True)
class _Reply:
    number: str
    text: str


_Job = _Request | _Outcome | _Reply


@dataclass
class _Sent:
    """Which numbers were asked about one approval, and with which message ids."""

    approval: Approval
    call: ToolCall | None
    messages: dict[str, str] = field(default_factory=dict)  # number -> wamid


class WhatsAppChannel:
    """Approvals over WhatsApp (Cloud API + webhook)."""

    name = "whatsapp"

    def __init__(self, *, retry: RetryPolicy | None = None, queue_size: int = 1000) -> None:
        self.retry = retry
        self.address: tuple[str, int] | None = None  # where the webhook listens, once running
        self.window = WindowTracker()
        self._jobs_in, self._jobs_out = anyio.create_memory_object_stream[_Job](queue_size)
        self._notifications_in, self._notifications_out = anyio.create_memory_object_stream["Notification"](queue_size)
        self._loop_thread: int | None = None
        self._token: Any = None
        self._sent: dict[str, _Sent] = {}
        self._by_wamid: dict[str, tuple[str, str]] = {}  # wamid -> (approval id, number)
        self._deferred: dict[str, dict[str, _Request]] = {}  # number -> approval id -> request
        self._settings: WhatsAppSettings | None = None
        self._hub: ChannelHub | None = None
        self._client: GraphClient | None = None
        self._key = b""
        self._rejections: list[float] = []  # when recent rejections were audited
        self._suppressed = 0
        self._health = ChannelHealth()

    # -- the Channel protocol ----------------------------------------------

    def is_configured(self, config: Config) -> bool:
        return not missing_keys(config)

    def health(self) -> dict[str, Any]:
        """The last real attempt to reach an approver (``aegis status``, doctor)."""
        return self._health.to_dict()

    def setup(self, config_file: Any, *, interactive: bool, options: Any, say: Any) -> dict[str, Any]:
        """The ``aegis setup`` step for this channel (see :mod:`aegis_whatsapp.setup`)."""
        from aegis_whatsapp.setup import run_setup

        return run_setup(config_file, interactive=interactive, options=options, say=say)

    def notify(self, approval: Approval, call: ToolCall | None) -> None:
        job: _Job = _Request(approval, call) if not approval.status.is_final else _Outcome(approval)
        if self._loop_thread is not None and threading.get_ident() != self._loop_thread:
            anyio.from_thread.run_sync(self._enqueue, job, token=self._token)
        else:
            self._enqueue(job)

    async def run(self, hub: ChannelHub) -> None:
        import uvicorn

        from aegis_whatsapp.webhook import build_app

        settings = WhatsAppSettings.from_config(hub.config)
        self._settings, self._hub = settings, hub
        self._key = render.button_key(settings.app_secret)
        self._loop_thread, self._token = threading.get_ident(), anyio.lowlevel.current_token()
        self.window = WindowTracker(path=hub.config.home / STATE_FILE, pid=os.getpid())
        self._client = GraphClient(
            api_base=settings.api_base,
            api_version=settings.api_version,
            phone_number_id=settings.phone_number_id,
            access_token=settings.access_token,
            retry=self.retry,
        )
        app = build_app(
            verify_token=settings.verify_token,
            app_secret=settings.app_secret,
            phone_number_id=settings.phone_number_id,
            deliver=self._deliver,
            on_rejected=self._rejected,
        )
        server = EmbeddedServer(
            uvicorn.Config(
                app,
                log_config=None,
                lifespan="off",
                access_log=False,
                server_header=False,
                proxy_headers=False,
                timeout_graceful_shutdown=2,
            )
        )
        sock = bind_listener(settings.webhook_host, settings.webhook_port)
        try:
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(self._send_loop)
                tasks.start_soon(self._notification_loop)
                self.address = sock.getsockname()[:2]
                self.window.webhook = f"http://{self.address[0]}:{self.address[1]}/webhook"
                self.window.save()
                log.info(
                    "whatsapp.started",
                    webhook=self.window.webhook,
                    approvers=len(settings.approvers),
                )
                await server.serve(sockets=[sock])
                tasks.cancel_scope.cancel()  # the server stopped on its own: stop with it
        finally:
            with anyio.CancelScope(shield=True), anyio.move_on_after(5):
                await server.stop([sock])
                await self._client.aclose()
            sock.close()
            self.address = None
            self._loop_thread = None

    # -- queues ------------------------------------------------------------

    def _enqueue(self, job: _Job) -> None:
        try:
            self._jobs_in.send_nowait(job)
        except anyio.WouldBlock:
            # The approval still times out to a deny and stays answerable from the CLI.
            log.error("whatsapp.queue_full", job=type(job).__name__)

    def _deliver(self, notification: Notification) -> bool:
        try:
            self._notifications_in.send_nowait(notification)
        except anyio.WouldBlock:
            return False
        return True

    def _rejected(self, reason: str, details: dict[str, Any]) -> None:
        log.warning("whatsapp.webhook_rejected", reason=reason, **details)
        # Anyone who finds the URL can post junk: audit a bounded number per minute so
        # a flood cannot bloat the audit log, and say how many were left out.
        now = time.monotonic()
        self._rejections = [t for t in self._rejections if now - t < REJECTION_WINDOW_S]
        if len(self._rejections) >= MAX_REJECTIONS_AUDITED:
            self._suppressed += 1
            return
        self._rejections.append(now)
        extra = {"suppressed_before": self._suppressed} if self._suppressed else {}
        self._suppressed = 0
        self._audit("whatsapp.webhook_rejected", {"reason": reason, **details, **extra})

    def _audit(self, event: str, details: dict[str, Any]) -> None:
        if self._hub is None:
            return
        try:
            self._hub.audit(event, details)
        except Exception:  # auditing trouble must not stop the channel
            log.exception("whatsapp.audit_failed", audit_event=event)

    async def _send_loop(self) -> None:
        async for job in self._jobs_out:
            try:
                if isinstance(job, _Request):
                    await self._send_request(job)
                elif isinstance(job, _Outcome):
                    await self._send_outcome(job.approval)
                else:
                    await self._send_text(job.number, job.text)
            except Exception:  # one bad job must not end the channel
                log.exception("whatsapp.job_failed", job=type(job).__name__)

    async def _notification_loop(self) -> None:
        from aegis_whatsapp.webhook import DeliveryFailure

        async for notification in self._notifications_out:
            try:
                if isinstance(notification, DeliveryFailure):
                    await self._delivery_failed(notification)
                else:
                    await self._answer(notification)
            except Exception:
                log.exception("whatsapp.notification_failed")

    # -- sending -----------------------------------------------------------

    async def _send_request(self, job: _Request) -> None:
        assert self._settings is not None and self._hub is not None and self._client is not None
        if await self._has_ended(job.approval.id):
            return
        sent = self._sent.setdefault(job.approval.id, _Sent(job.approval, job.call))
        for number in job.numbers or self._settings.approvers:
            if await self._already_sent(job.approval.id, number):
                continue  # an earlier poller of the fleet sent it
            message = render.request_message(job.approval, job.call, to=number, key=self._key)
            try:
                wamid = await self._client.send(message)
            except WindowClosed:
                self.window.refused(number)
                await self._defer(number, _Request(job.approval, job.call, (number,)))
                continue
            except GraphError as exc:
                self._send_failed(number, job.approval.id, exc)
                continue
            sent.messages[number] = wamid
            self._by_wamid[wamid] = (job.approval.id, number)
            await self._remember_sent(job.approval.id, number, wamid)
            self.window.delivered(number)
            self._health.succeeded()

    async def _defer(self, number: str, request: _Request) -> None:
        """Keep ``request`` until ``number`` writes to us, and send the template that
        invites them to (the only message the API allows outside the window)."""
        assert self._settings is not None and self._client is not None
        self._deferred.setdefault(number, {})[request.approval.id] = request
        self._sent.setdefault(request.approval.id, _Sent(request.approval, request.call)).messages.setdefault(
            number, ""
        )
        template = self._settings.template_name
        sent_template = False
        if not template:
            log.error("whatsapp.window_closed_no_template", number=render.mask_number(number))
        elif self.window.template_due(number):
            try:
                await self._client.send(render.template_message(template, self._settings.template_language, to=number))
            except GraphError as exc:
                self._send_failed(number, request.approval.id, exc)
            else:
                self.window.template_sent(number)
                sent_template = True
        details = {"number": number, "template": template or None, "template_sent": sent_template}
        self._audit("whatsapp.window_closed", {**details, "approval_id": request.approval.id})

    async def _send_outcome(self, approval: Approval) -> None:
        sent = self._sent.pop(approval.id, None)
        for number in list(self._deferred):
            self._deferred[number].pop(approval.id, None)
        if sent is None:
            return
        for number, wamid in sent.messages.items():
            self._by_wamid.pop(wamid, None)
            if self.window.state(number) == "closed":
                continue  # an outcome is not worth a paid template
            await self._send_text(number, render.outcome_text(approval))

    async def _send_text(self, number: str, text: str) -> None:
        assert self._client is not None
        try:
            await self._client.send(render.text_message(text, to=number))
        except WindowClosed:
            self.window.refused(number)
        except GraphError as exc:
            self._send_failed(number, None, exc)
        else:
            self.window.delivered(number)
            self._health.succeeded()

    def _send_failed(self, number: str, approval_id: str | None, exc: GraphError) -> None:
        self._health.failed(exc.message)
        log.error(
            "whatsapp.send_failed",
            number=render.mask_number(number),
            error=exc.message,
            status=exc.status,
            code=exc.code,
            hint=exc.hint,
        )
        self._audit(
            "whatsapp.send_failed",
            {"number": number, "approval_id": approval_id, "error": exc.message, "code": exc.code},
        )

    async def _has_ended(self, approval_id: str) -> bool:
        assert self._hub is not None
        try:
            current = await self._hub.get(approval_id)
        except Exception:
            return False  # ask anyway: a needless message beats a missed approval
        return current is not None and current.status.is_final

    # -- receiving ---------------------------------------------------------

    async def _delivery_failed(self, notification: Any) -> None:
        """WhatsApp may accept a message and fail it later (the window closed in the
        meantime): treat it like a synchronous refusal."""
        known = self._by_wamid.pop(notification.message_id, None)
        if notification.code not in WINDOW_CLOSED_CODES or known is None:
            log.warning("whatsapp.delivery_failed", code=notification.code)
            return
        approval_id, number = known
        self.window.refused(number)
        sent = self._sent.get(approval_id)
        if sent is not None and not await self._has_ended(approval_id):
            await self._defer(number, _Request(sent.approval, sent.call, (number,)))

    async def _first_time(self, message_id: str) -> bool:
        """Fleet mode: whether no daemon of the fleet has handled this message yet (a
        redelivery to the next poller lands once). Alone, the webhook's own memory does."""
        ledger = getattr(self._hub, "ledger", None)
        if ledger is None:
            return True
        try:
            return bool(await anyio.to_thread.run_sync(ledger.first_time, self.name, message_id))
        except Exception as exc:  # cannot tell: do not act on it twice, say so
            log.warning("whatsapp.ledger_failed", error=str(exc)[:200])
            return False

    async def _already_sent(self, approval_id: str, number: str) -> bool:
        ledger = getattr(self._hub, "ledger", None)
        if ledger is None:
            return False
        try:
            return await anyio.to_thread.run_sync(ledger.message, self.name, approval_id, number) is not None
        except Exception as exc:
            log.warning("whatsapp.ledger_failed", error=str(exc)[:200])
            return False

    async def _remember_sent(self, approval_id: str, number: str, wamid: str) -> None:
        ledger = getattr(self._hub, "ledger", None)
        if ledger is not None:
            try:
                await anyio.to_thread.run_sync(ledger.remember, self.name, approval_id, number, wamid, "pending")
            except Exception as exc:
                log.warning("whatsapp.ledger_failed", error=str(exc)[:200])

    async def _answer(self, message: InboundMessage) -> None:
        assert self._settings is not None and self._hub is not None
        if not await self._first_time(message.message_id):
            log.info("whatsapp.duplicate", message_id=message.message_id)
            return
        number = message.sender
        role = self._settings.role(number)
        if role is None:
            # Not ours to talk to: no reply (that would confirm the bot exists), only the audit.
            log.warning("whatsapp.unauthorized", number=render.mask_number(number), kind=message.kind)
            self._audit(
                "whatsapp.unauthorized",
                {"sender": number, "kind": message.kind, "message_id": message.message_id},
            )
            return
        self.window.inbound(number)
        waiting = self._deferred.pop(number, {})
        for request in waiting.values():
            self._enqueue(request)
        if message.kind != "button_reply":
            if not waiting:
                self._enqueue(_Reply(number, HELP_TEXT))
            return
        if role not in APPROVER_ROLES:
            self._audit("whatsapp.role_refused", {"sender": number, "role": role})
            self._enqueue(_Reply(number, f"Your role ({role}) cannot answer approvals."))
            return
        answer = render.verify_button(self._key, message.button_id or "", number)
        if answer is None:
            self._audit(
                "whatsapp.forged_button",
                {
                    "sender": number,
                    "message_id": message.message_id,
                    "button_id": (message.button_id or "")[:80],
                },
            )
            self._enqueue(_Reply(number, "That button is not one Aegis sent you; nothing changed."))
            return
        decision = Decision(
            answer.outcome,
            decided_by=f"whatsapp:+{number}",
            channel=self.name,
            reason=f"{render.ACTIONS[answer.action][0]} on WhatsApp",
            scope=answer.scope,
        )
        try:
            result = await self._hub.resolve(answer.approval_id, decision)
        except Exception:
            log.exception("whatsapp.resolve_failed", approval_id=answer.approval_id)
            self._enqueue(
                _Reply(
                    number,
                    "Aegis could not record that answer. At a terminal: "
                    f"`aegis approvals list` (request {answer.approval_id[:8]}).",
                )
            )
            return
        if not result.won:
            self._enqueue(_Reply(number, render.too_late_text(result.approval)))
        # A win is announced by the daemon's notify of the final state, to every approver.
