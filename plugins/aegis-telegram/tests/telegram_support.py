"""Helpers of the Telegram channel tests: a config pointing at the fake Bot API, an
in-process hub, a channel with short waits, and a way to run it."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from aegis_telegram.api import Backoff, FloodControl
from aegis_telegram.channel import TelegramChannel
from aegis_telegram.fake_api import FakeBotApi
from aegis_telegram.plugin import SECTION

from aegis_core.channels import ResolveResult
from aegis_core.config import Config, load_config
from aegis_core.models import Approval, ApprovalStatus, Decision, Kind, Outcome, ToolCall, new_id

APPROVER, VIEWER, ADMIN, STRANGER = 111, 222, 333, 999


def make_config(home: Path, server: FakeBotApi, **extra: str) -> Config:
    env = {
        "AEGIS_HOME": str(home),
        "AEGIS_TELEGRAM_BOT_TOKEN": server.token,
        "AEGIS_TELEGRAM_API_BASE": server.api_base,
        "AEGIS_TELEGRAM_ALLOWED_USERS": f"{APPROVER},{VIEWER},{ADMIN}",
        "AEGIS_TELEGRAM_VIEWERS": str(VIEWER),
        "AEGIS_TELEGRAM_ADMINS": str(ADMIN),
        "AEGIS_TELEGRAM_POLL_TIMEOUT": "2",
        **extra,
    }
    return load_config(home=home, env=env, sections=[SECTION])


class DictHub:
    """A ChannelHub over a dict with first-answer-wins, standing in for the daemon.
    It notifies the channel of every change, as the daemon does."""

    def __init__(self, config: Config, channel: TelegramChannel) -> None:
        self.config = config
        self.channel = channel
        self.approvals: dict[str, Approval] = {}
        self.resolves: list[tuple[str, Decision, float]] = []
        self.audits: list[tuple[str, dict[str, Any]]] = []
        self.resumed: list[tuple[str, str]] = []
        self.paused = {"s-paused"}
        self.head = (42, "0123456789abcdef" * 4)

    def request(self, call: ToolCall, *, rule: str = "ask-shell", risk: int = 60) -> Approval:
        approval = Approval(
            id=new_id(),
            call_id=call.id,
            session=call.session,
            tool=call.tool,
            kind=call.kind,
            summary=call.summary(),
            rule=rule,
            risk=risk,
            reason="needs a human",
            deadline_at=time.time() + 300,
        )
        self.approvals[approval.id] = approval
        self.channel.notify(approval, call)
        return approval

    def end(self, approval_id: str, status: ApprovalStatus, by: str, reason: str = "") -> Approval:
        """An answer from another channel (the CLI), or the timeout."""
        ended = replace(
            self.approvals[approval_id],
            status=status,
            decided_by=by,
            decision_reason=reason or None,
            decided_at=time.time(),
        )
        self.approvals[approval_id] = ended
        self.channel.notify(ended, None)
        return ended

    async def resolve(self, approval_id: str, decision: Decision) -> ResolveResult:
        self.resolves.append((approval_id, decision, time.perf_counter()))
        current = self.approvals.get(approval_id)
        if current is None or current.status.is_final:
            return ResolveResult(False, current)
        status = (
            ApprovalStatus.APPROVED
            if decision.outcome is Outcome.APPROVE
            else ApprovalStatus.DENIED
        )
        ended = replace(
            current,
            status=status,
            decided_by=decision.decided_by,
            channel=decision.channel,
            decision_reason=decision.reason or None,
            scope=decision.scope,
            decided_at=time.time(),
        )
        self.approvals[approval_id] = ended
        self.channel.notify(ended, None)
        return ResolveResult(True, ended)

    async def pending(self) -> list[Approval]:
        return [a for a in self.approvals.values() if a.status is ApprovalStatus.PENDING]

    async def get(self, approval_id: str) -> Approval | None:
        return self.approvals.get(approval_id)

    async def resume(self, session: str, *, by: str, channel: str) -> bool:
        self.resumed.append((session, by))
        if session in self.paused:
            self.paused.discard(session)
            return True
        return False

    async def status(self) -> Mapping[str, Any]:
        return {
            "running": True,
            "pending": sum(a.status is ApprovalStatus.PENDING for a in self.approvals.values()),
        }

    def audit(self, event: str, details: Mapping[str, Any], session: str | None = None) -> None:
        self.audits.append((event, dict(details)))

    def audit_head(self) -> tuple[int, str]:
        return self.head

    def events(self, name: str) -> list[dict[str, Any]]:
        return [details for event, details in self.audits if event == name]


def fast_channel(**kwargs: Any) -> TelegramChannel:
    """Flood control and backoff shortened so tests do not sit in sleeps."""
    return TelegramChannel(
        flood=FloodControl(per_chat=0.01, overall=1000),
        backoff=Backoff(base=0.02, cap=0.1),
        **kwargs,
    )


@contextlib.asynccontextmanager
async def running(channel: TelegramChannel, hub: DictHub) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(channel.run(hub))
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def shell_call(command: str = "rm -rf build", session: str = "s-1") -> ToolCall:
    return ToolCall(
        agent="claude",
        tool="Bash",
        kind=Kind.SHELL,
        input={"command": command},
        cwd="/work/project",
        session=session,
    )


def button(message: dict[str, Any], label: str) -> str:
    """The callback data of the button labelled ``label`` in a sent message."""
    for row in message["reply_markup"]["inline_keyboard"]:
        for item in row:
            if item["text"] == label:
                return item["callback_data"]
    raise AssertionError(f"no button {label!r} in {message['reply_markup']}")
