"""The ``pty`` adapter: ``aegis wrap --adapter pty -- CMD ARGS`` runs any program in a
pseudo-terminal and relays its interactive prompts to the daemon."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass

from aegis_core.adapters import WrapContext
from aegis_pty.pty import Passthrough
from aegis_pty.relay import PromptRelay, RelaySettings

ANSWER_MARGIN_SECONDS = 60


@dataclass(frozen=True)
class PtyAdapter:
    name: str = "pty"
    description: str = ("any interactive CLI in a pseudo-terminal; "
                        "its prompts are relayed for approval")

    def claims(self, program: str) -> bool:
        # The PTY is the fallback for every program no other adapter claims (``aegis
        # wrap`` picks it then), so claiming nothing lets a specific adapter always win.
        return False

    def wrap(self, argv: Sequence[str], context: WrapContext) -> int:
        config = context.config
        idle_ms = int(config.get("pty", "idle_ms", 300))
        detectors = context.plugins.prompt_detectors()
        if context.dry_run:
            program = shutil.which(argv[0]) if argv else None
            print(f"would run {program or argv[0]!r} with arguments {list(argv[1:])!r} "
                  "in a pseudo-terminal (adapter pty)")
            print(f"prompts relayed to {context.socket} after {idle_ms} ms of quiet; detectors, "
                  f"in order: {', '.join(getattr(d, 'name', '?') for d in detectors)}")
            return 0
        timeout = context.timeout or config.get("approvals", "timeout_seconds", None)
        settings = RelaySettings(
            socket=context.socket,
            session=context.session,
            token=context.token,
            daemon_pid=context.daemon_pid,
            daemon_start=context.daemon_start,
            operator_socket=context.operator_socket,
            program=os.path.basename(argv[0]) if argv else "",
            cwd=os.getcwd(),
            idle_seconds=idle_ms / 1000,
            # The daemon resolves an unanswered approval at its timeout; wait a little
            # longer than that before giving up on it.
            answer_timeout=float(timeout) + ANSWER_MARGIN_SECONDS if timeout else None,
        )
        relay = PromptRelay(detectors=detectors, settings=settings)
        env = dict(os.environ)
        env.update(context.agent_env())
        # The relay stays out here (it talks to the daemon and types approved answers);
        # only the program goes inside, keeping the terminal the relay gives it.
        command, env = context.sandbox.contain(argv, env, terminal=True)
        return Passthrough(command, observer=relay, env=env).run()
