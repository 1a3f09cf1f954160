"""The hooks of aegis-NAME, registered through the ``aegis`` entry point in
pyproject.toml. Every hook you may implement is in ``aegis_core/hookspecs.py`` and
``docs/plugin-hooks.md``; implement only the ones you need: ``register_channels`` for
a channel, ``register_adapters`` and ``intercept`` for an adapter (another agent under
Aegis), ``evaluate`` for a judge like the one below."""

from __future__ import annotations

from aegis_core.hookspecs import hookimpl
from aegis_core.models import Action, Kind, ToolCall, Verdict


# evaluate(call) judges one tool call. Every plugin's verdict is combined with the
# others strictest-wins (deny > require_approval > allow), so returning ALLOW can
# never overrule someone else's deny. Return None to abstain. If this function
# raises, the call is denied naming this plugin: fail closed, never open.
# Replace the rule below with your own.
@hookimpl
def evaluate(call: ToolCall) -> Verdict | None:
    command = call.command if call.kind is Kind.SHELL else None
    if command and "production" in command:
        return Verdict(
            Action.REQUIRE_APPROVAL,
            reason="the command mentions production; a human should look at it first",
            rule="NAME-production",
            risk=60,
            source="aegis-NAME",
        )
    return None
