"""Approval channels: what a channel is, what the daemon offers it (the hub), which
channels are enabled, and the two the core ships: ``terminal`` and ``cli``.

A channel is told about approvals (``notify``) and answers them through the hub's
``resolve``, which is one compare-and-set: the first valid answer from any channel
wins and later ones are told they came too late.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from aegis_core.hookspecs import hookimpl
from aegis_core.models import Approval, Decision, ResolveResult, ToolCall

__all__ = ["Channel", "ChannelHealth", "ChannelHub", "ChannelSet", "CliChannel", "ResolveResult",
           "TerminalChannel", "register_channels", "select_channels"]

if TYPE_CHECKING:
    from aegis_core.config import Config


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

    # Optional: ``health() -> Mapping`` (see :class:`ChannelHealth`): how the last real
    # attempt to reach the user went, shown by `aegis status` and checked by doctor.
    # Optional: ``setup(config_file, *, interactive, options, say) -> dict | None``.
    # ``aegis setup`` calls it to configure the channel (validate credentials, pair a
    # user, send a test message, write its section of config.toml). ``options`` holds
    # the wizard's flags (e.g. ``telegram_token``, ``allowed_users``).


class ChannelHealth:
    """How a channel's last real attempt to reach its users went: ``ok`` after a
    message got through, ``failing`` (with the error) after one did not, ``untried``
    before any. A channel that runs but cannot deliver is not healthy."""

    def __init__(self) -> None:
        self.state = "untried"
        self.last_ok_at: float | None = None
        self.last_error: str | None = None
        self.last_error_at: float | None = None

    def succeeded(self) -> None:
        import time

        self.state, self.last_ok_at = "ok", time.time()

    def failed(self, error: str) -> None:
        import time

        self.state, self.last_error, self.last_error_at = "failing", error, time.time()

    def to_dict(self) -> dict[str, Any]:
        return {"state": self.state, "last_ok_at": self.last_ok_at, "last_error": self.last_error,
                "last_error_at": self.last_error_at}


class _LocalChannel:
    """A channel whose human comes to the question (a terminal, the CLI): always
    there, nothing to run, nothing to send."""

    name = ""

    def is_configured(self, config: Config) -> bool:
        return True

    async def run(self, hub: ChannelHub) -> None:
        return None

    def notify(self, approval: Approval, call: ToolCall | None) -> None:
        return None


class TerminalChannel(_LocalChannel):
    """The human at the agent's own terminal: Claude Code's permission dialog (the
    call is answered "ask" and its approval stays pending while the dialog is open),
    or the prompt the PTY relay watches. Their answer comes back through the
    pipeline's resolve like any other channel's (``via terminal``), so it races the
    phone and the CLI: the first answer wins. Nothing to send: the agent itself
    shows the question."""

    name = "terminal"


class CliChannel(_LocalChannel):
    """Pending approvals wait in the database, answered by ``aegis approvals
    approve/deny/watch`` from any terminal."""

    name = "cli"


def select_channels(config: Config, available: Mapping[str, Channel]) -> list[str]:
    """The channels to enable: ``[approvals] channels`` if set, else the agent's own
    terminal, every configured channel plugin, and ``cli``: the keyboard and the
    phone together, the first answer wins."""
    chosen = config.get("approvals", "channels")
    if chosen:
        return list(dict.fromkeys(chosen))
    external = [name for name, channel in available.items()
                if name not in ("terminal", "cli") and _configured(channel, config)]
    return ["terminal", *external, "cli"]


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
