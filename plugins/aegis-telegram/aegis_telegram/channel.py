"""The Telegram channel: a sender that brings every allowed user's message about each
approval up to date (new request, then its outcome), and one long-polling task that
hands button presses and text messages to :mod:`aegis_telegram.updates`.

Approvals are delivered concurrently (each one's request and edits in order), new
requests are dispatched ahead of outcome edits (someone is waiting on a request), and
the flood control lets a short burst through, so three approvals asked at once reach
the phone together and an "Approved" edit does not wait out a second."""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog

from aegis_core.channels import ChannelHealth
from aegis_core.models import Approval, ApprovalStatus, ToolCall
from aegis_telegram import render
from aegis_telegram.api import (
    Backoff,
    BotApi,
    FloodControl,
    TelegramConflict,
    TelegramError,
    TelegramUnauthorized,
    TelegramUnavailable,
)
from aegis_telegram.signing import CallbackSigner, load_key
from aegis_telegram.updates import Roles, UpdateHandler

if TYPE_CHECKING:
    from aegis_core.channels import ChannelHub
    from aegis_core.config import Config

log = structlog.get_logger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]
KEEP_APPROVALS = 500  # ended approvals remembered, to map late presses and replies
MAX_DELIVERIES = 16  # approvals being delivered at once


@dataclass
class View:
    """What one chat shows about one approval."""

    message_id: int | None
    status: ApprovalStatus | None
    audit_head: tuple[int, str] | None = None
    failed: bool = False  # Telegram refused it for good (blocked bot, deleted message)


class TelegramChannel:
    name = "telegram"

    def __init__(
        self,
        *,
        flood: FloodControl | None = None,
        backoff: Backoff | None = None,
        conflict_attempts: int = 3,
        signer: CallbackSigner | None = None,
    ) -> None:
        self.flood = flood
        self.backoff = backoff or Backoff()
        self.conflict_attempts = conflict_attempts
        self.signer = signer
        self.hub: ChannelHub | None = None
        self.api: BotApi | None = None
        self.roles = Roles()
        self.poll_error: str | None = None
        self.names: dict[int, str] = {}
        self._lock = threading.Lock()
        self._outbox: deque[str] = deque()
        self._queued: set[str] = set()
        self._approvals: OrderedDict[str, tuple[Approval, ToolCall | None]] = OrderedDict()
        self._views: dict[tuple[str, int], View] = {}
        self.by_message: dict[tuple[int, int], str] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        # Fleet mode: what the next poller needs (message of each approval, the update
        # offset) lives in the fleet store, so a poller that takes over edits the
        # messages the last one sent instead of sending them again.
        self.ledger: Any = None
        self._delivering: dict[str, asyncio.Lock] = {}  # one delivery at a time per approval
        self._health = ChannelHealth()
        self._slots: asyncio.Semaphore | None = None

    # -- the Channel protocol -----------------------------------------------

    def is_configured(self, config: Config) -> bool:
        return bool(config.get("telegram", "bot_token")) and bool(
            config.get("telegram", "allowed_users")
        )

    def health(self) -> dict[str, Any]:
        """The last real attempt to reach a user (``aegis status``, doctor); polling
        that stopped (a rejected token, another poller) counts as failing too."""
        health = self._health.to_dict()
        if self.poll_error:
            health.update(state="failing", last_error=self.poll_error)
        return health

    def setup(self, config_file: Any, *, interactive: bool, options: dict[str, Any],
              say: Any) -> dict[str, Any]:
        """The ``aegis setup`` step (see aegis_telegram.setup.wizard_step)."""
        from aegis_telegram.setup import wizard_step

        return wizard_step(config_file, interactive=interactive, options=options, say=say)

    def notify(self, approval: Approval, call: ToolCall | None) -> None:
        """Queue the request (pending) or the edit to its outcome (ended); never blocks."""
        with self._lock:
            known = self._approvals.get(approval.id)
            if known is not None:
                if known[0].status.is_final and not approval.status.is_final:
                    return  # a stale "pending" after the outcome: keep the outcome
                call = call or known[1]
            self._approvals[approval.id] = (approval, call)
            self._approvals.move_to_end(approval.id)
            if approval.id not in self._queued:
                self._queued.add(approval.id)
                self._outbox.append(approval.id)
            self._forget_old()
        self._signal()

    async def run(self, hub: ChannelHub) -> None:
        config = hub.config
        self.hub = hub
        self.roles = Roles.from_config(config)
        self.ledger = getattr(hub, "ledger", None)
        if self.signer is None:
            # In a fleet every poller signs and checks buttons with the same key.
            shared = getattr(hub, "shared_key", None)
            key = shared("telegram-callback") if callable(shared) else None
            self.signer = CallbackSigner(key or load_key(config.home))
        self.api = BotApi(
            config.get("telegram", "bot_token"),
            config.get("telegram", "api_base"),
            flood=self.flood or FloodControl(),
            backoff=self.backoff,
        )
        self.api.on_retry = self._retrying
        poll_timeout = int(config.get("telegram", "poll_timeout", 30))
        handler = UpdateHandler(self, hub)
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(MAX_DELIVERIES)
        if self._outbox:
            self._wake.set()
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self._send_loop())
                group.create_task(self._poll_loop(handler, poll_timeout))
        finally:
            for task in list(self._tasks):
                task.cancel()
            self._loop = None
            await self.api.aclose()

    def _retrying(self, method: str, problem: str, wait: float) -> None:
        log.warning("telegram.retry", method=method, problem=problem, wait=round(wait, 2))
        if method in ("sendMessage", "editMessageText"):
            self._health.failed(f"{method}: {problem} (retrying)")

    # -- helpers for the update handler -------------------------------------

    def spawn(self, coroutine: Any) -> None:
        """Run a reply in the background so the poller never waits on flood control."""
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def say(self, chat_id: int, text: str, *, reply_to: int | None = None) -> None:
        assert self.api is not None
        try:
            await self.api.call(
                "sendMessage",
                chat_id=chat_id,
                text=text,
                parse_mode="HTML",
                reply_to_message_id=reply_to,
                attempts=5,
            )
        except TelegramError as exc:
            log.warning("telegram.reply_failed", error=exc.message)
        except TelegramUnavailable as exc:
            log.warning("telegram.reply_failed", error=exc.message)

    async def answer(self, query_id: str, text: str, *, alert: bool = False) -> None:
        assert self.api is not None
        try:
            await self.api.call(
                "answerCallbackQuery",
                callback_query_id=query_id,
                text=text[:200],
                show_alert=alert,
                attempts=3,
            )
        except (TelegramError, TelegramUnavailable) as exc:
            log.warning("telegram.answer_failed", error=exc.message)

    def approval_of_message(self, chat_id: int, message_id: int | None) -> str | None:
        with self._lock:
            known = self.by_message.get((chat_id, message_id or 0))
        if known is None and self.ledger is not None and message_id:
            try:  # a message an earlier poller of the fleet sent
                return self.ledger.approval_of_message(self.name, str(chat_id), str(message_id))  # type: ignore[no-any-return]
            except Exception as exc:
                log.warning("telegram.ledger_failed", error=str(exc)[:200])
        return known

    async def _recall(self, approval_id: str, chat_id: int) -> View | None:
        """The view an earlier poller of the fleet left for this approval and chat."""
        if self.ledger is None:
            return None
        stored = await asyncio.to_thread(self.ledger.message, self.name, approval_id, str(chat_id))
        if stored is None:
            return None
        message_id = int(stored["message_id"]) if stored.get("message_id") else None
        status = ApprovalStatus(stored["status"]) if stored.get("status") else None
        view = View(message_id, status, None, bool(stored.get("failed")))
        with self._lock:
            self._views[(approval_id, chat_id)] = view
            if message_id is not None:
                self.by_message[(chat_id, message_id)] = approval_id
        return view

    async def _record(self, approval_id: str, chat_id: int, view: View) -> None:
        if self.ledger is None:
            return
        try:
            await asyncio.to_thread(self.ledger.remember, self.name, approval_id, str(chat_id),
                                    str(view.message_id) if view.message_id is not None else None,
                                    view.status.value if view.status is not None else None, view.failed)
        except Exception as exc:  # the message went out; only the next poller's memory of it is lost
            log.warning("telegram.ledger_failed", approval_id=approval_id, error=str(exc)[:200])

    # -- sending --------------------------------------------------------------

    def _signal(self) -> None:
        loop, wake = self._loop, self._wake
        if loop is None or wake is None:
            return  # run() sets the event when it starts
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            wake.set()
        else:
            loop.call_soon_threadsafe(wake.set)

    def _forget_old(self) -> None:
        while len(self._approvals) > KEEP_APPROVALS:
            oldest, (approval, _) = next(iter(self._approvals.items()))
            delivering = self._delivering.get(oldest)
            if not approval.status.is_final or oldest in self._queued or (delivering and delivering.locked()):
                break
            del self._approvals[oldest]
            self._delivering.pop(oldest, None)
            for key in [k for k in self._views if k[0] == oldest]:
                view = self._views.pop(key)
                self.by_message.pop((key[1], view.message_id or 0), None)

    async def _send_loop(self) -> None:
        assert self._wake is not None
        while True:
            await self._wake.wait()
            self._wake.clear()
            with self._lock:
                batch = list(self._outbox)
                self._outbox.clear()
                self._queued.difference_update(batch)
                # New requests first, then outcome edits: someone is waiting on a request.
                batch.sort(key=lambda approval_id: self._approvals[approval_id][0].status.is_final)
            for approval_id in batch:
                self._start_delivery(approval_id)

    def _start_delivery(self, approval_id: str) -> None:
        """Deliver in a task of its own; deliveries of one approval (its request, then
        its outcome) run in the order they were started."""
        lock = self._delivering.setdefault(approval_id, asyncio.Lock())

        async def deliver() -> None:
            assert self._slots is not None
            async with lock, self._slots:
                try:
                    await self._deliver(approval_id)
                except Exception:  # one bad approval must not stop the others
                    log.exception("telegram.deliver_failed", approval_id=approval_id)

        self.spawn(deliver())

    async def _deliver(self, approval_id: str) -> None:
        """Bring every recipient's message about the approval up to date. Network
        trouble is retried until it passes; Telegram's refusals are logged."""
        assert self.api is not None and self.signer is not None
        for chat_id in self.roles.recipients:
            with self._lock:
                approval, call = self._approvals[approval_id]
                view = self._views.get((approval_id, chat_id))
            if view is None:
                view = await self._recall(approval_id, chat_id)
            if view is not None and (view.failed or view.status is approval.status):
                continue
            head = view.audit_head if view is not None else await self._audit_head()
            text = render.approval_text(
                approval, call, audit_head=head, decided_by_name=self._who(approval.decided_by)
            )
            markup = None
            if approval.status is ApprovalStatus.PENDING:
                markup = render.keyboard(
                    [
                        ("Approve", self.signer.sign("approve", approval.id, chat_id)),
                        ("Deny", self.signer.sign("deny", approval.id, chat_id)),
                        ("Allow for session", self.signer.sign("session", approval.id, chat_id)),
                    ]
                )
            try:
                if view is None or view.message_id is None:
                    sent = await self.api.call(
                        "sendMessage",
                        chat_id=chat_id,
                        text=text,
                        parse_mode="HTML",
                        reply_markup=markup,
                        attempts=None,
                    )
                    with self._lock:
                        self._views[(approval_id, chat_id)] = View(
                            sent["message_id"], approval.status, head
                        )
                        self.by_message[(chat_id, sent["message_id"])] = approval_id
                    await self._record(approval_id, chat_id, self._views[(approval_id, chat_id)])
                    self._health.succeeded()
                else:
                    await self.api.call(
                        "editMessageText",
                        chat_id=chat_id,
                        message_id=view.message_id,
                        text=text,
                        parse_mode="HTML",
                        attempts=None,
                        urgent=False,  # a new request waiting in the same chat goes first
                    )
                    view.status = approval.status
                    await self._record(approval_id, chat_id, view)
                    self._health.succeeded()
            except TelegramError as exc:
                if "not modified" in exc.description:
                    view_now = self._views.get((approval_id, chat_id))
                    if view_now is not None:
                        view_now.status = approval.status
                    continue
                log.error(
                    "telegram.send_refused",
                    approval_id=approval_id,
                    chat_id=chat_id,
                    error=exc.message,
                )
                self._health.failed(exc.message)
                with self._lock:
                    failed = self._views.setdefault((approval_id, chat_id), View(None, None, head))
                    failed.failed = True
                await self._record(approval_id, chat_id, failed)

    async def _audit_head(self) -> tuple[int, str] | None:
        """The audit chain head, if the hub offers it, as a checkpoint in the message."""
        getter = getattr(self.hub, "audit_head", None)
        if not callable(getter):
            return None
        try:
            value = getter()
            if inspect.isawaitable(value):
                value = await value
            if value is None:
                return None
            seq, digest = value
            return int(seq), str(digest)
        except Exception:  # a checkpoint is a bonus; never let it stop the message
            log.warning("telegram.audit_head_failed")
            return None

    def _who(self, decided_by: str | None) -> str | None:
        if decided_by and decided_by.startswith("telegram:"):
            try:
                name = self.names.get(int(decided_by.split(":", 1)[1]))
            except ValueError:
                name = None
            if name:
                return f"{name} ({decided_by})"
        return decided_by

    # -- polling --------------------------------------------------------------

    async def _poll_loop(self, handler: UpdateHandler, poll_timeout: int) -> None:
        assert self.api is not None and self.hub is not None
        offset: int | None = None
        if self.ledger is not None:  # where the fleet's previous poller stopped
            try:
                stored = await asyncio.to_thread(self.ledger.value, self.name, "offset")
                offset = int(stored) if stored else None
            except Exception as exc:
                log.warning("telegram.ledger_failed", error=str(exc)[:200])
        failures = conflicts = 0
        while True:
            try:
                updates = await self.api.call_once(
                    "getUpdates",
                    offset=offset,
                    timeout=poll_timeout,
                    allowed_updates=ALLOWED_UPDATES,
                )
            except TelegramConflict as exc:
                conflicts += 1
                if conflicts >= self.conflict_attempts:
                    self._stop_polling(
                        "telegram.poll_conflict",
                        exc.description,
                        f"{exc.description}. Another program reads this bot's updates "
                        "(a second `aegis start`, or a webhook): stop it and restart "
                        "Aegis. Buttons stay unanswered until then; use `aegis "
                        "approvals approve/deny`.",
                    )
                    return
                await asyncio.sleep(self.backoff.delay(conflicts))
                continue
            except TelegramUnauthorized as exc:
                self._stop_polling(
                    "telegram.unauthorized_token",
                    exc.description,
                    "the bot token was rejected: run `aegis telegram setup`",
                )
                return
            except TelegramError as exc:
                failures += 1
                wait = exc.retry_after if exc.error_code == 429 and exc.retry_after else None
                await asyncio.sleep(wait or self.backoff.delay(failures))
                continue
            except TelegramUnavailable as exc:
                failures += 1
                log.warning("telegram.poll_failed", error=exc.message)
                await asyncio.sleep(self.backoff.delay(failures))
                continue
            failures = conflicts = 0
            self.poll_error = None
            for update in updates if isinstance(updates, list) else []:
                try:
                    await handler.handle(update)
                except Exception:  # a bad update is skipped, never retried forever
                    log.exception("telegram.update_failed", update_id=update.get("update_id"))
                if isinstance(update.get("update_id"), int):
                    offset = update["update_id"] + 1
            if updates and offset is not None and self.ledger is not None:
                try:
                    await asyncio.to_thread(self.ledger.set_value, self.name, "offset", str(offset))
                except Exception as exc:
                    log.warning("telegram.ledger_failed", error=str(exc)[:200])

    def _stop_polling(self, event: str, description: str, message: str) -> None:
        self.poll_error = message
        log.error(event, error=message)
        try:
            assert self.hub is not None
            self.hub.audit(event, {"description": description})
        except Exception:
            log.warning("telegram.audit_failed", event=event)
