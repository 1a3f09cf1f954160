"""An Aegis approval channel that POSTs each new approval, redacted, to a local
webhook and takes the answer back on a small HTTP endpoint on 127.0.0.1."""

from __future__ import annotations

import asyncio
import hmac
import json
from typing import Any

import httpx
import structlog

from aegis_core.config import ConfigSection, Setting
from aegis_core.hookspecs import hookimpl
from aegis_core.models import Approval, ApprovalStatus, Decision, Outcome, ToolCall
from aegis_core.redact import redact_text

log = structlog.get_logger(__name__)

SECTION = ConfigSection(
    "webhook",
    (
        Setting("url", "str", None, help="where new approvals are POSTed, e.g. http://127.0.0.1:9000/aegis"),
        Setting("secret", "str", None, secret=True, help="shared secret: sent with each POST, required on /answer"),
        Setting("listen_port", "int", 0, minimum=0, help="port of POST /answer on 127.0.0.1 (0: any free port)"),
    ),
    help="webhook approval channel (example plugin)",
)


@hookimpl
def register_config_sections(register: Any) -> None:
    register(SECTION)


@hookimpl
def register_channels(register: Any) -> None:
    register(WebhookChannel())


def summary_of(approval: Approval) -> dict[str, Any]:
    """What leaves the machine: no tool input, and the text redacted first."""
    return {
        "approval_id": approval.id,
        "tool": approval.tool,
        "summary": redact_text(approval.summary)[:500],
        "reason": redact_text(approval.reason)[:300],
        "risk": approval.risk,
        "deadline_at": approval.deadline_at,
    }


class WebhookChannel:
    name = "webhook"

    def __init__(self) -> None:
        self.outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.hub: Any = None
        self.answer_url: str | None = None

    def is_configured(self, config: Any) -> bool:
        return bool(config.get("webhook", "url")) and bool(config.get("webhook", "secret"))

    def notify(self, approval: Approval, call: ToolCall | None) -> None:
        """Queue a POST for a new approval; never blocks, may be called from any thread."""
        if approval.status is not ApprovalStatus.PENDING:
            return  # this channel only asks; ended approvals need no message
        if self.loop is None:
            self.outbox.put_nowait(summary_of(approval))  # run() has not started: it will send it
        else:
            self.loop.call_soon_threadsafe(self.outbox.put_nowait, summary_of(approval))

    async def run(self, hub: Any) -> None:
        self.hub = hub
        url, secret = hub.config.get("webhook", "url"), hub.config.get("webhook", "secret") or ""
        server = await asyncio.start_server(self.serve, "127.0.0.1", hub.config.get("webhook", "listen_port", 0))
        port = server.sockets[0].getsockname()[1]
        self.answer_url = f"http://127.0.0.1:{port}/answer"
        self.loop = asyncio.get_running_loop()
        try:
            async with server, httpx.AsyncClient(timeout=10) as client:
                while True:
                    body = await self.outbox.get()
                    try:
                        response = await client.post(url, json={**body, "answer_url": self.answer_url},
                                                     headers={"X-Aegis-Secret": secret})
                        response.raise_for_status()
                    except httpx.HTTPError as exc:
                        # Fail closed: unanswered, the approval times out to [approvals] default_action.
                        log.warning("webhook.post_failed", approval_id=body["approval_id"], error=str(exc))
        finally:
            self.loop = None  # the daemon stopped this channel: queue, don't signal a dead loop

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            status, reply = await asyncio.wait_for(self.answer(reader), timeout=10)
        except (ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            status, reply = 400, {"error": "send POST /answer with a JSON body"}
        except Exception:  # the approval stays pending and times out: never a silent approve
            log.exception("webhook.answer_failed")
            status, reply = 500, {"error": "the answer could not be recorded; use `aegis approvals`"}
        data = json.dumps(reply).encode()
        writer.write(f"HTTP/1.1 {status} {REASONS[status]}\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode() + data)
        try:
            await writer.drain()
        finally:
            writer.close()

    async def answer(self, reader: asyncio.StreamReader) -> tuple[int, dict[str, Any]]:
        """``POST /answer`` with ``{"approval_id", "outcome": "approve"|"deny"}``."""
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        method, path, _ = head[0].split(" ", 2)
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:])}
        if (method, path) != ("POST", "/answer"):
            return 404, {"error": "only POST /answer is served"}
        secret = (self.hub.config.get("webhook", "secret") or "").encode()
        given = headers.get("x-aegis-secret", "").encode()
        if not secret or not hmac.compare_digest(given, secret):
            return 403, {"error": "wrong or missing X-Aegis-Secret"}
        length = int(headers.get("content-length", "0"))
        if not 0 < length <= 4096:
            return 400, {"error": "the body must be a JSON object of at most 4 KiB"}
        body = json.loads(await reader.readexactly(length))
        if not isinstance(body, dict) or body.get("outcome") not in ("approve", "deny"):
            return 400, {"error": "outcome must be approve or deny"}
        decision = Decision(Outcome(body["outcome"]), decided_by=str(body.get("by") or "webhook")[:100],
                            channel=self.name, reason=str(body.get("reason") or "")[:500])
        result = await self.hub.resolve(str(body.get("approval_id")), decision)
        if result.approval is None:
            return 404, {"error": "no such approval"}
        return 200, {"won": result.won, "status": result.approval.status.value}


REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error"}
