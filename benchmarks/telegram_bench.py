"""Telegram channel latency against the fake Bot API on loopback, with the channel's
real flood control: from ``notify()`` to ``sendMessage`` arriving at the server, and
from a button press being available in ``getUpdates`` to ``hub.resolve`` being called.
The baseline is one bare ``sendMessage`` round trip measured in the same run.

Target (issue #6): each median <= 50 ms.

    python benchmarks/telegram_bench.py [--rounds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from aegis_telegram.api import BotApi
from aegis_telegram.channel import TelegramChannel
from aegis_telegram.fake_api import FakeBotApi
from aegis_telegram.plugin import SECTION

from aegis_core.channels import ResolveResult
from aegis_core.config import load_config
from aegis_core.models import Approval, ApprovalStatus, Decision, Kind, ToolCall, new_id

USER, BASELINE_USER = 111, 222
TARGET_MS = 50.0


class BenchHub:
    """The smallest ChannelHub: first answer wins, records when resolve is called."""

    def __init__(self, config: Any, channel: TelegramChannel) -> None:
        self.config = config
        self.channel = channel
        self.approvals: dict[str, Approval] = {}
        self.resolved_at: dict[str, float] = {}

    async def resolve(self, approval_id: str, decision: Decision) -> ResolveResult:
        self.resolved_at.setdefault(approval_id, time.perf_counter())
        current = self.approvals[approval_id]
        if current.status.is_final:
            return ResolveResult(False, current)
        ended = replace(current, status=ApprovalStatus.APPROVED, decided_by=decision.decided_by)
        self.approvals[approval_id] = ended
        self.channel.notify(ended, None)
        return ResolveResult(True, ended)

    async def pending(self) -> list[Approval]:
        return [a for a in self.approvals.values() if not a.status.is_final]

    async def get(self, approval_id: str) -> Approval | None:
        return self.approvals.get(approval_id)

    async def resume(self, session: str, *, by: str, channel: str) -> bool:
        return False

    async def status(self) -> dict[str, Any]:
        return {}

    def audit(self, event: str, details: Any, session: str | None = None) -> None:
        return None

    def audit_head(self) -> tuple[int, str]:
        return (1, "ab" * 32)


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return f"median {statistics.median(values) * 1000:6.1f} ms  p90 {p90 * 1000:6.1f} ms"


async def bench(rounds: int, home: Path) -> int:
    with FakeBotApi(users=[USER, BASELINE_USER]) as server:
        env = {
            "AEGIS_TELEGRAM_BOT_TOKEN": server.token,
            "AEGIS_TELEGRAM_API_BASE": server.api_base,
            "AEGIS_TELEGRAM_ALLOWED_USERS": str(USER),
            "AEGIS_TELEGRAM_POLL_TIMEOUT": "10",
        }
        config = load_config(home=home, env=env, sections=[SECTION])

        raw = BotApi(server.token, server.api_base)
        baseline = []
        for _ in range(max(rounds, 10)):
            start = time.perf_counter()
            await raw.call_once("sendMessage", chat_id=BASELINE_USER, text="baseline")
            baseline.append(time.perf_counter() - start)
        await raw.aclose()

        channel = TelegramChannel()  # the real flood control: 1 message per second per chat
        hub = BenchHub(config, channel)
        task = asyncio.create_task(channel.run(hub))
        sent_latency, press_latency = [], []
        try:
            messages = []
            for index in range(rounds):
                await asyncio.sleep(
                    1.05
                )  # past the per-chat slot, so flood control is not measured
                call = ToolCall(
                    agent="claude",
                    tool="Bash",
                    kind=Kind.SHELL,
                    input={"command": f"rm -rf build{index}"},
                    session="bench",
                )
                approval = Approval(
                    id=new_id(),
                    call_id=call.id,
                    session="bench",
                    tool="Bash",
                    kind=Kind.SHELL,
                    summary=call.summary(),
                    rule="bench",
                )
                hub.approvals[approval.id] = approval
                before = len(server.messages_to(USER))
                start = time.perf_counter()
                channel.notify(approval, call)
                await server.async_wait_for(lambda n=before: len(server.messages_to(USER)) > n)
                message = server.messages_to(USER)[-1]
                sent_latency.append(message["at"] - start)
                messages.append((approval.id, message))
            for approval_id, message in messages:
                data = message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
                start = time.perf_counter()
                server.press_button(USER, message["message_id"], data)
                while approval_id not in hub.resolved_at:
                    await asyncio.sleep(0.0005)
                press_latency.append(hub.resolved_at[approval_id] - start)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    base = statistics.median(baseline)
    sent_median, press_median = statistics.median(sent_latency), statistics.median(press_latency)
    print(f"baseline sendMessage round trip   {_ms(baseline)}")
    for label, values, median in (
        ("notify -> sendMessage at server", sent_latency, sent_median),
        ("press in getUpdates -> resolve", press_latency, press_median),
    ):
        print(f"{label:34} {_ms(values)}  ({median / base:.1f}x baseline)")
    ok = sent_median * 1000 <= TARGET_MS and press_median * 1000 <= TARGET_MS
    print(f"target: each median <= {TARGET_MS:.0f} ms: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        return asyncio.run(bench(args.rounds, Path(home)))


if __name__ == "__main__":
    raise SystemExit(main())
