"""How Codex CLI reads a hook decision (the encoder of the shared hook client, see
aegis_core/hookclient/transport.py). Standard library built-ins only: it runs on every
tool call.

Codex 0.171 accepts an empty answer as "go ahead"; a bare ``permissionDecision:
"allow"`` (without ``updatedInput``) or ``"ask"`` is an unsupported output, which
Codex treats as a failed hook, and a failed hook's tool runs. So an allow prints
nothing, and a deny is exit status 2 with the reason on stderr, which Codex hands the
model as "Command blocked by PreToolUse hook: <reason>". guard.sh, which Aegis
registers around the client, turns anything else into such a deny.
"""

import sys

from transport import _quote

ADAPTER = "codex"
AGENT = "Codex CLI"
OBSERVE_EVENTS = ("PostToolUse",)
# Codex has no "ask" on PreToolUse; the daemon waits for a human instead, but should an
# ask ever arrive it is not an allow.
NO_ASK = (
    "Aegis needs a human to approve this call and Codex CLI cannot ask at its own prompt: "
    "approve it with `aegis approvals approve` (or your phone), then retry. "
)


def respond(event, decision, reason):
    """Codex's answer to ``event``; returns the exit status."""
    if decision == "allow":
        return 0
    if decision == "ask":
        reason = NO_ASK + reason
    reason = reason.strip() or "Denied by Aegis policy."
    if not reason.startswith("Aegis"):  # never text the agent could read as a JSON answer
        reason = "Aegis: " + reason
    sys.stderr.write(reason + "\n")
    return 2


def unrecorded(event, reason):
    """A PostToolUse that could not be recorded: a warning Codex shows, never a block."""
    sys.stdout.write('{"systemMessage":' + _quote(reason) + "}\n")
    return 0
