"""How GitHub Copilot CLI reads a ``preToolUse`` decision (the encoder of the shared
hook client, see aegis_core/hookclient/transport.py), from its documented hook
contract: ``{"permissionDecision": "deny", "permissionDecisionReason": ...}`` on stdout.
An allow prints nothing (Copilot's own permission flow goes on as without Aegis); an
ask is a deny that says how to approve, since Copilot's own ask has nobody to answer it
in prompt mode (``-p``). Run under guard.sh's JSON mode (settings.py), which turns any
failure of this process into the same deny. Standard library built-ins only: it runs
on every tool call."""

import sys

from transport import _quote, no_ask

ADAPTER = "copilot"
AGENT = "Copilot CLI"
OBSERVE_EVENTS = ("postToolUse",)


def respond(hook_event, decision, reason):
    if decision == "allow":
        return 0
    if decision == "ask":
        reason = no_ask(AGENT, reason)
    sys.stdout.write('{"permissionDecision":"deny","permissionDecisionReason":'
                     + _quote(reason.strip() or "Denied by Aegis policy.") + "}\n")
    return 0


def unrecorded(hook_event, reason):
    sys.stderr.write(reason + "\n")  # Copilot acts on no postToolUse output: a note for the log
    return 0
