"""How Cursor reads a hook decision (the encoder of the shared hook client, see
aegis_core/hookclient/transport.py), from its documented hook contract: for
``beforeShellExecution``, ``beforeMCPExecution`` and ``preToolUse`` a JSON object
``{"permission": "allow"|"deny"|"ask", "user_message": ..., "agent_message": ...}`` on
stdout. Cursor can ask the user itself, so an ask is passed on. Standard library
built-ins only: it runs on every tool call."""

import sys

from transport import _quote

ADAPTER = "cursor"
AGENT = "Cursor"
OBSERVE_EVENTS = ("afterShellExecution", "afterMCPExecution", "postToolUse")


def respond(hook_event, decision, reason):
    if decision not in ("allow", "deny", "ask"):
        decision = "deny"
    if decision == "deny" and not reason.strip():
        reason = "Denied by Aegis policy."
    out = '{"permission":' + _quote(decision)
    if reason:
        out += ',"user_message":' + _quote(reason) + ',"agent_message":' + _quote(reason)
    sys.stdout.write(out + "}\n")
    return 0


def unrecorded(hook_event, reason):
    sys.stderr.write(reason + "\n")  # Cursor's after-events take no answer: a note for its log
    sys.stdout.write("{}\n")
    return 0
