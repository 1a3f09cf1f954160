"""How Gemini CLI reads a hook decision (the encoder of the shared hook client, see
aegis_core/hookclient/transport.py). Standard library built-ins only: it runs on every
tool call.

An allow prints nothing (Gemini 0.61 takes an empty answer as "allow"). A deny is exit
status 2 with the reason on stderr, which Gemini turns into ``{"decision": "deny"}``
and hands the model as "Tool execution blocked: <reason>". Exit 2 rather than JSON on
stdout: Gemini runs hooks through ``bash -c``, and anything that writes to stdout first
(a ``BASH_ENV`` script) would make a JSON deny unreadable, which Gemini treats as an
allow; an exit status cannot be spoiled that way. guard.sh, which Aegis registers
around the client, turns every other outcome into such a deny.
"""

import sys

from transport import _quote

ADAPTER = "gemini"
AGENT = "Gemini CLI"
OBSERVE_EVENTS = ("AfterTool",)
NO_ASK = (
    "Aegis needs a human to approve this call and cannot ask at Gemini CLI's own prompt: "
    "approve it with `aegis approvals approve` (or your phone), then retry. "
)


def respond(event, decision, reason):
    """Gemini's answer to ``event``; returns the exit status."""
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
    """An AfterTool that could not be recorded: a message Gemini shows, never a block."""
    sys.stdout.write('{"systemMessage":' + _quote(reason) + "}\n")
    return 0
