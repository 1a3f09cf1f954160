"""Shared pieces of the WhatsApp tests: the fake Graph API (a real HTTP server), a real
SQLite store behind a small in-process hub, and a running channel whose webhook gets
real signed POSTs."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
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

from aegis_core.approvals import ApprovalRules, Approvals, Sealer, call_signature
from aegis_core.channels import ResolveResult
from aegis_core.config import Config, load_config
from aegis_core.models import Approval, ApprovalStatus, Decision, Kind, Outcome, ToolCall, new_id
from aegis_core.recorder import DirectRecorder
from aegis_core.store import Store
from aegis_core.testing import make_plugins

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
    """The ChannelHub the daemon would be, over the real store: resolve goes through
    the approvals object the daemon uses (compare-and-set, then the channel is told)."""

    config: Config
    store: Store
    channel: WhatsAppChannel
    audits: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    sealer: Sealer = field(default_factory=Sealer)

    def __post_init__(self) -> None:
        self.approvals = Approvals(store=self.store, recorder=DirectRecorder(make_plugins(), self.store),
                                   notify=self.channel.notify, rules=ApprovalRules(), sealer=self.sealer)

    async def resolve(self, approval_id: str, decision: Decision) -> ResolveResult:
        return await self.approvals.resolve(approval_id, decision)

    def answer_elsewhere(self, approval_id: str, decision: Decision) -> None:
        """Another channel's answer: the approval ends, and this channel is not told."""
        current = self.store.get_approval(approval_id)
        assert current is not None
        status = ApprovalStatus.APPROVED if decision.outcome is Outcome.APPROVE else ApprovalStatus.DENIED
        final = replace(current, status=status, decided_by=decision.decided_by, channel=decision.channel,
                        decided_at=time.time())
        self.store.end_approval(final, outcome=decision.outcome.value, final_seal="")

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
        now = time.time()
        approval = Approval(id=new_id(), call_id=tool_call.id, session=tool_call.session, tool=tool_call.tool,
                            kind=tool_call.kind, summary=command, rule="destructive-rm", reason="deletes files",
                            risk=70, created_at=now, deadline_at=now + 300)
        signature = call_signature(tool_call)
        self.store.create_approval(approval, agent=tool_call.agent, cwd=tool_call.cwd,
                                   input_json=json.dumps(dict(tool_call.input)), signature=signature,
                                   seal=self.sealer.seal_request(approval, signature))
        return approval, tool_call


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
