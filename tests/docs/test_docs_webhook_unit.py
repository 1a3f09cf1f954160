"""The example channel of docs/plugin-authoring.md, driven the way its author would
test it: ``aegis_core.testing`` fixtures, a real HTTP server receiving the POSTs and
real HTTP requests to the channel's answer endpoint."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import httpx
import pytest

from aegis_core.channels import ResolveResult
from aegis_core.config import load_config
from aegis_core.models import Approval, ApprovalStatus, Decision, Kind
from aegis_core.testing import make_plugins

SECRET = "correct-horse-battery-staple"
TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"


class RecordingHub:
    """The daemon's side of a channel, reduced to what this channel calls: the real
    config, and a first-answer-wins ``resolve`` that remembers every decision."""

    def __init__(self, config: Any) -> None:
        self.config = config
        self.decisions: list[tuple[str, Decision]] = []
        self.known: dict[str, Approval] = {}

    async def resolve(self, approval_id: str, decision: Decision) -> ResolveResult:
        self.decisions.append((approval_id, decision))
        approval = self.known.get(approval_id)
        if approval is None:
            return ResolveResult(False, None)
        if approval.status.is_final:
            return ResolveResult(False, approval)
        status = ApprovalStatus.APPROVED if decision.outcome.value == "approve" else ApprovalStatus.DENIED
        self.known[approval_id] = Approval(**{**approval.__dict__, "status": status})
        return ResolveResult(True, self.known[approval_id])


def approval(approval_id: str = "a1", status: ApprovalStatus = ApprovalStatus.PENDING) -> Approval:
    return Approval(id=approval_id, call_id="c1", session="s1", tool="Bash", kind=Kind.SHELL,
                    summary=f"curl -H 'Authorization: Bearer {TOKEN}' https://example.com",
                    reason="network access needs approval", risk=40, status=status)


@pytest.fixture
def config(aegis_home, receiver, webhook_module) -> Any:
    path = aegis_home / "config.toml"
    path.write_text(f'[webhook]\nurl = "{receiver.url}"\nsecret = "{SECRET}"\n')
    path.chmod(0o600)
    return load_config(sections=make_plugins(webhook_module).config_sections())


@contextlib.asynccontextmanager
async def running(channel: Any, hub: RecordingHub):
    task = asyncio.create_task(channel.run(hub))
    while channel.loop is None:  # run() has bound its answer endpoint
        assert not task.done(), task.exception()
        await asyncio.sleep(0.01)
    try:
        yield channel
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def next_post(receiver: Any) -> Any:
    return await asyncio.to_thread(receiver.next)


def test_plugin_registers_the_webhook_channel_and_its_config_section(aegis_plugins, webhook_module):
    plugins = aegis_plugins(webhook_module)
    assert [r.status for r in plugins.records] == ["ok"]
    assert list(plugins.channels()) == ["webhook"]
    (section,) = plugins.config_sections()
    assert section.name == "webhook"
    assert section.setting("secret").secret and not section.setting("url").secret


def test_configured_only_with_url_and_secret(aegis_home, webhook_module, monkeypatch):
    sections = make_plugins(webhook_module).config_sections()
    channel = webhook_module.WebhookChannel()
    assert not channel.is_configured(load_config(sections=sections))
    monkeypatch.setenv("AEGIS_WEBHOOK_URL", "http://127.0.0.1:9/hook")
    assert not channel.is_configured(load_config(sections=sections))
    monkeypatch.setenv("AEGIS_WEBHOOK_SECRET", SECRET)
    assert channel.is_configured(load_config(sections=sections))


def test_pending_approval_is_posted_redacted_with_where_to_answer(config, receiver, webhook_module):
    async def scenario() -> Any:
        async with running(webhook_module.WebhookChannel(), RecordingHub(config)) as channel:
            channel.notify(approval(), None)
            return await next_post(receiver), channel.answer_url

    post, answer_url = asyncio.run(scenario())
    assert post.path == "/hook"
    assert post.headers["x-aegis-secret"] == SECRET
    assert set(post.body) == {"approval_id", "tool", "summary", "reason", "risk", "deadline_at", "answer_url"}
    assert post.body["approval_id"] == "a1" and post.body["tool"] == "Bash" and post.body["risk"] == 40
    assert TOKEN not in post.body["summary"] and "***REDACTED***" in post.body["summary"]
    assert post.body["answer_url"] == answer_url and answer_url.startswith("http://127.0.0.1:")


def test_ended_approvals_send_nothing_and_failed_posts_do_not_stop_the_channel(config, receiver, webhook_module):
    async def scenario() -> list[str]:
        async with running(webhook_module.WebhookChannel(), RecordingHub(config)) as channel:
            receiver.status = 500  # the first POST fails
            channel.notify(approval("ended", ApprovalStatus.APPROVED), None)
            channel.notify(approval("first"), None)
            seen = [(await next_post(receiver)).body["approval_id"]]
            receiver.status = 200
            channel.notify(approval("second"), None)
            seen.append((await next_post(receiver)).body["approval_id"])
            return seen

    assert asyncio.run(scenario()) == ["first", "second"]
    assert receiver.posts.empty()


def test_notified_before_run_is_sent_once_the_channel_runs(config, receiver, webhook_module):
    channel = webhook_module.WebhookChannel()
    channel.notify(approval("early"), None)

    async def scenario() -> str:
        async with running(channel, RecordingHub(config)):
            return (await next_post(receiver)).body["approval_id"]

    assert asyncio.run(scenario()) == "early"


def test_answer_endpoint_checks_the_secret_and_the_body_then_resolves(config, webhook_module):
    hub = RecordingHub(config)
    hub.known["a1"] = approval()

    async def scenario() -> list[tuple[int, dict]]:
        async with running(webhook_module.WebhookChannel(), hub) as channel, httpx.AsyncClient() as http:
            good = {"X-Aegis-Secret": SECRET}
            attempts = [
                http.post(channel.answer_url, json={"approval_id": "a1", "outcome": "approve"},
                          headers={"X-Aegis-Secret": "wrong"}),
                http.post(channel.answer_url, json={"approval_id": "a1", "outcome": "approve"}),
                http.get(channel.answer_url, headers=good),
                http.post(channel.answer_url, json={"approval_id": "a1", "outcome": "maybe"}, headers=good),
                http.post(channel.answer_url, content=b"{not json", headers=good),
                http.post(channel.answer_url, json={"approval_id": "nope", "outcome": "deny"}, headers=good),
                http.post(channel.answer_url, json={"approval_id": "a1", "outcome": "approve", "by": "ana"},
                          headers=good),
                http.post(channel.answer_url, json={"approval_id": "a1", "outcome": "deny"}, headers=good),
            ]
            out = []
            for attempt in attempts:  # one at a time: the order is the point
                response = await attempt
                out.append((response.status_code, response.json()))
            return out

    results = asyncio.run(scenario())
    assert [code for code, _ in results] == [403, 403, 404, 400, 400, 404, 200, 200]
    assert results[6][1] == {"won": True, "status": "approved"}
    assert results[7][1] == {"won": False, "status": "approved"}  # too late: the first answer won
    # Nothing reached the hub without the secret and a valid body.
    assert [(approval_id, d.outcome.value) for approval_id, d in hub.decisions] == [
        ("nope", "deny"), ("a1", "approve"), ("a1", "deny")]
    decision = hub.decisions[1][1]
    assert (decision.channel, decision.decided_by) == ("webhook", "ana")
