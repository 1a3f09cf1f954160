"""The built-in verdict on network calls (``aegis.network``): a destination that
reached the pipeline is not in the manifest's ``network.allow``, so it needs a human,
whatever the policy's default action. The policy can still deny hosts (``url_host``
rules), never let one through unasked: strictest wins. Hosts are allowed in the
manifest, in one place."""

from __future__ import annotations

from aegis_core.hookspecs import hookimpl
from aegis_core.models import Action, Kind, ToolCall, Verdict


@hookimpl
def evaluate(call: ToolCall) -> Verdict | None:
    if call.kind is not Kind.NETWORK:
        return None
    return Verdict(Action.REQUIRE_APPROVAL, rule="network-not-allowed", source="aegis.network", risk=30,
                   reason=f"{call.summary()}, which is not in the sandbox's network.allow")
