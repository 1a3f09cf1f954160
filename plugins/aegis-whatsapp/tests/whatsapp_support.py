"""Shared pieces of the WhatsApp tests: the fake Graph API (a real HTTP server), a real
SQLite store behind a small in-process hub, and a running channel whose webhook gets
real signed POSTs."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import httpx
import pytest
from aegis_whatsapp.api import RetryPolicy
from aegis_whatsapp.channel import WhatsAppChannel
from aegis_whatsapp.fake_graph import FakeGraph, sign
from aegis_whatsapp.plugin import SECTION

from aegis_core.channels import ResolveResult
from aegis_core.config import Config, load_config
from aegis_core.models import Action, Approval, Decision, Kind, ToolCall, Verdict
from aegis_core.store import Store

TOKEN = "EAAtesttoken0123456789abcdefghijklmnopqrstuv"
PHONE_ID = "106540352242922"
APP_SECRET = "app-secret-for-tests"
VERIFY_TOKEN = "verify-me-please"
APPROVER = "15551230001"
VIEWER = "15551230002"
STRANGER = "15559990000"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def fake_graph() -> Iterator[FakeGraph]:
    with FakeGraph(access_token=TOKEN, phone_number_id=PHONE_ID) as fake:
        yield fake


def make_config(home: Path, fake: FakeGraph | None, **extra: str) -> Config:
    env = {
        "AEGIS_WHATSAPP_ACCESS_TOKEN": TOKEN,
        "AEGIS_WHATSAPP_PHONE_NUMBER_ID": PHONE_ID,
        "AEGIS_WHATSAPP_APP_SECRET": APP_SECRET,
        "AEGIS_WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "AEGIS_WHATSAPP_ALLOWED_NUMBERS": f"+{APPROVER},{VIEWER}",
        "AEGIS_WHATSAPP_ROLES": f"{VIEWER}:viewer",
        "AEGIS_WHATSAPP_WEBHOOK_PORT": "0",
        "AEGIS_WHATSAPP_TEMPLATE_NAME": "aegis_pending",
    }
    if fake is not None:
        env["AEGIS_WHATSAPP_API_BASE"] = fake.api_base
    env.update({f"AEGIS_WHATSAPP_{k.upper()}": v for k, v in extra.items()})
    return load_config(home=home, env=env, sections=[SECTION])


@dataclass
class StoreHub:
    """The ChannelHub the daemon would be, over the real store: resolve is the store's
    compare-and-set, and a won answer is announced to the channel like the daemon does."""

    config: Config
    store: Store
    channel: WhatsAppChannel
    audits: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    async def resolve(self, approval_id: str, decision: Decision) -> ResolveResult:
        result = self.store.resolve(approval_id, decision)
        if result.won and result.approval is not None:
            self.channel.notify(result.approval, None)
        return result

    async def pending(self) -> list[Approval]:
        return self.store.list_approvals(status="pending")

    async def get(self, approval_id: str) -> Approval | None:
        return self.store.get_approval(approval_id)

    async def resume(self, session: str, *, by: str, channel: str) -> bool:
        return False

    async def status(self) -> Mapping[str, Any]:
        return {}

    def audit(self, event: str, details: Mapping[str, Any], session: str | None = None) -> None:
        self.audits.append((event, dict(details)))

    def audited(self, event: str) -> list[dict[str, Any]]:
        return [details for name, details in self.audits if name == event]

    def request(self, command: str = "rm -rf build", **call: Any) -> tuple[Approval, ToolCall]:
        """A new pending approval in the store, as the pipeline would create it."""
        tool_call = ToolCall(
            agent="claude",
            tool="Bash",
            kind=Kind.SHELL,
            input={"command": command},
            cwd="/home/dev/project",
            session="session-1",
            **call,
        )
        verdict = Verdict(Action.REQUIRE_APPROVAL, reason="deletes files", rule="destructive-rm", risk=70)
        return self.store.create_approval(tool_call, verdict, timeout_s=300), tool_call


@dataclass
class Running:
    hub: StoreHub
    channel: WhatsAppChannel
    fake: FakeGraph | None
    client: httpx.AsyncClient

    @property
    def url(self) -> str:
        assert self.channel.address is not None
        host, port = self.channel.address
        return f"http://{host}:{port}/webhook"

    async def post(
        self,
        payload: Mapping[str, Any] | bytes,
        *,
        secret: str | None = APP_SECRET,
        signature: str | None = None,
    ) -> httpx.Response:
        """POST like WhatsApp does: the raw body signed with the app secret."""
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["X-Hub-Signature-256"] = signature
        elif secret is not None:
            headers["X-Hub-Signature-256"] = sign(secret, body)
        return await self.client.post(self.url, content=body, headers=headers)

    async def sent(self, predicate: Callable[[list[dict[str, Any]]], bool]) -> list[dict[str, Any]]:
        assert self.fake is not None
        return await anyio.to_thread.run_sync(self.fake.wait_for, predicate)

    async def until(self, condition: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Wait for the channel's background work to make ``condition`` true."""
        with anyio.fail_after(timeout):
            while not (value := condition()):
                await anyio.sleep(0.01)
        return value


@asynccontextmanager
async def running_channel(home: Path, fake: FakeGraph | None, **extra: str) -> AsyncIterator[Running]:
    config = make_config(home, fake, **extra)
    channel = WhatsAppChannel(retry=RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05))
    store = Store.open(home / "aegis.db")
    hub = StoreHub(config, store, channel)
    try:
        async with anyio.create_task_group() as tasks, httpx.AsyncClient(timeout=10) as client:
            tasks.start_soon(channel.run, hub)
            with anyio.fail_after(10):
                while channel.address is None:
                    await anyio.sleep(0.01)
            try:
                yield Running(hub, channel, fake, client)
            finally:
                tasks.cancel_scope.cancel()
    finally:
        store.close()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "aegis-home"
    path.mkdir(mode=0o700)
    return path
