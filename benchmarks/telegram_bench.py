"""Telegram channel latency against the fake Bot API on loopback, with the channel's
real flood control: from ``notify()`` to ``sendMessage`` arriving at the server
(call -> message), from a button press being available in ``getUpdates`` to
``hub.resolve`` being called and to the "Approved" edit arriving (press -> edit), and
three approvals notified at once until the last of their messages arrives. The
baseline is one bare ``sendMessage`` round trip measured in the same run.

Targets (issue #16): call -> message and press -> edit medians <= 100 ms; three
parallel approvals all delivered within 200 ms (median over the rounds).

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
TARGET_MS = 100.0
PARALLEL_TARGET_MS = 200.0


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

        channel = TelegramChannel()  # the real flood control: Telegram's limits, short bursts
        hub = BenchHub(config, channel)
        task = asyncio.create_task(channel.run(hub))
        sent_latency, press_latency, edit_latency, parallel = [], [], [], []
        try:
            for index in range(rounds):
                # Past the chat's burst allowance, so each round starts as a quiet chat does.
                await asyncio.sleep(3.05)
                approval, call = _approval(hub, f"rm -rf build{index}")
                before = len(server.messages_to(USER))
                start = time.perf_counter()
                channel.notify(approval, call)
                await server.async_wait_for(lambda n=before: len(server.messages_to(USER)) > n)
                message = server.messages_to(USER)[-1]
                sent_latency.append(message["at"] - start)

                data = message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
                edits = len(server.edits)
                start = time.perf_counter()
                server.press_button(USER, message["message_id"], data)
                await server.async_wait_for(lambda n=edits: len(server.edits) > n)
                press_latency.append(hub.resolved_at[approval.id] - start)
                edit_latency.append(server.edits[-1]["at"] - start)

            for index in range(rounds):
                await asyncio.sleep(3.05)
                three = [_approval(hub, f"git push --force origin b{index}-{n}") for n in range(3)]
                before = len(server.messages_to(USER))
                start = time.perf_counter()
                for approval, call in three:
                    channel.notify(approval, call)
                await server.async_wait_for(lambda n=before: len(server.messages_to(USER)) >= n + 3)
                last = max(m["at"] for m in server.messages_to(USER)[before:before + 3])
                parallel.append(last - start)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    base = statistics.median(baseline)
    print(f"baseline sendMessage round trip       {_ms(baseline)}")
    results = (
        ("call -> message (notify to sendMessage)", sent_latency, TARGET_MS),
        ("press -> resolve", press_latency, None),
        ("press -> edit (the 'Approved' edit)", edit_latency, TARGET_MS),
        ("three at once -> all three delivered", parallel, PARALLEL_TARGET_MS),
    )
    ok = True
    for label, values, target in results:
        median = statistics.median(values)
        verdict = ""
        if target is not None:
            met = median * 1000 <= target
            ok = ok and met
            verdict = f"  target <= {target:.0f} ms: {'PASS' if met else 'FAIL'}"
        print(f"{label:40} {_ms(values)}  ({median / base:.1f}x baseline){verdict}")
    print(f"all targets: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


def _approval(hub: BenchHub, command: str) -> tuple[Approval, ToolCall]:
    call = ToolCall(agent="claude", tool="Bash", kind=Kind.SHELL, input={"command": command},
                    session="bench")
    approval = Approval(id=new_id(), call_id=call.id, session="bench", tool="Bash", kind=Kind.SHELL,
                        summary=call.summary(), rule="bench")
    hub.approvals[approval.id] = approval
    return approval, call


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        return asyncio.run(bench(args.rounds, Path(home)))


if __name__ == "__main__":
    raise SystemExit(main())
