"""Approval channels: what a channel is, what the daemon offers it (the hub), which
channels are enabled, and the two the core ships: ``terminal`` and ``cli``.

A channel is told about approvals (``notify``) and answers them through the hub's
``resolve``, which is one compare-and-set: the first valid answer from any channel
wins and later ones are told they came too late.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from aegis_core.hookspecs import hookimpl
from aegis_core.models import Approval, Decision, Kind, Outcome, ToolCall

if TYPE_CHECKING:
    from aegis_core.config import Config


@dataclass(frozen=True)
class ResolveResult:
    """``won`` is False when the approval had already ended; ``approval`` is then
    its final state (who decided, how), for telling the late answerer."""

    won: bool
    approval: Approval | None
    # Said to whoever answered, beside the outcome ("1 of 2 approvers so far").
    note: str | None = None


@runtime_checkable
class ChannelHub(Protocol):
    """What the daemon lets a channel do."""

    config: Config

    async def resolve(self, approval_id: str, decision: Decision) -> ResolveResult: ...

    async def pending(self) -> list[Approval]: ...

    async def get(self, approval_id: str) -> Approval | None: ...

    async def resume(self, session: str, *, by: str, channel: str) -> bool: ...

    async def status(self) -> Mapping[str, Any]: ...

    def audit(self, event: str, details: Mapping[str, Any], session: str | None = None) -> None: ...


@runtime_checkable
class Channel(Protocol):
    name: str

    def is_configured(self, config: Config) -> bool:
        """Whether the channel has what it needs (credentials) to be enabled by default."""
        ...

    async def run(self, hub: ChannelHub) -> None:
        """The channel's own task (polling, a webhook server...), started by the
        daemon when the channel is enabled and cancelled when it stops."""
        ...

    def notify(self, approval: Approval, call: ToolCall | None) -> None:
        """Queue a message about ``approval`` (new, or ended). Must not block."""
        ...

    # Optional: ``setup(config_file, *, interactive, options, say) -> dict | None``.
    # ``aegis setup`` calls it to configure the channel (validate credentials, pair a
    # user, send a test message, write its section of config.toml). ``options`` holds
    # the wizard's flags (e.g. ``telegram_token``, ``allowed_users``).


class TerminalChannel:
    """The embedded default: the agent asks at its own prompt (Claude Code's
    permission dialog; for the PTY adapter the prompt stays at the keyboard)."""

    name = "terminal"

    def is_configured(self, config: Config) -> bool:
        return True

    async def run(self, hub: ChannelHub) -> None:
        return None

    def notify(self, approval: Approval, call: ToolCall | None) -> None:
        return None

    def decide(self, approval: Approval, call: ToolCall) -> Decision | None:
        if call.kind is Kind.NETWORK:
            # A connection the agent's code opened is not one of its tool calls: its
            # prompt cannot ask about it. It waits for `aegis approvals approve`.
            return None
        return Decision(Outcome.ASK, decided_by="agent-prompt", channel=self.name,
                        reason="asked at the agent's own prompt")


class CliChannel:
    """Pending approvals wait in the database, answered by ``aegis approvals
    approve/deny/watch`` from any terminal."""

    name = "cli"

    def is_configured(self, config: Config) -> bool:
        return True

    async def run(self, hub: ChannelHub) -> None:
        return None

    def notify(self, approval: Approval, call: ToolCall | None) -> None:
        return None


def select_channels(config: Config, available: Mapping[str, Channel]) -> list[str]:
    """The channels to enable: ``[approvals] channels`` if set, else every configured
    channel plugin plus ``cli``, and ``terminal`` only when no other is configured."""
    chosen = config.get("approvals", "channels")
    if chosen:
        return list(dict.fromkeys(chosen))
    external = [name for name, channel in available.items()
                if name not in ("terminal", "cli") and _configured(channel, config)]
    if external:
        return [*external, "cli"]
    return ["terminal"]


def _configured(channel: Channel, config: Config) -> bool:
    try:
        return bool(channel.is_configured(config))
    except Exception:
        return False


class ChannelSet:
    """The enabled channels of one daemon, plugged in as the ``notify``/``decide``
    implementation that reaches them."""

    def __init__(self, channels: Iterable[Channel]) -> None:
        self.channels = {channel.name: channel for channel in channels}

    @hookimpl
    def notify(self, approval: Approval, call: ToolCall | None) -> None:
        errors: list[BaseException] = []
        for channel in self.channels.values():
            try:
                channel.notify(approval, call)
            except Exception as exc:  # one broken channel must not silence the others
                errors.append(exc)
        if errors:
            raise errors[0]

    @hookimpl
    def decide(self, approval: Approval, call: ToolCall) -> Decision | None:
        for channel in self.channels.values():
            decide = getattr(channel, "decide", None)
            if decide is not None:
                decision = decide(approval, call)
                if decision is not None:
                    return decision
        return None


@hookimpl
def register_channels(register: Any) -> None:
    register(TerminalChannel())
    register(CliChannel())
