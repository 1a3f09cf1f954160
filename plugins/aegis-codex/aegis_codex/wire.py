"""How Codex CLI reads a hook decision (the encoder of the shared hook client, see
aegis_core/hookclient/transport.py). Standard library built-ins only: it runs on every
tool call.

Codex 0.171 accepts an empty answer as "go ahead"; a bare ``permissionDecision:
"allow"`` (without ``updatedInput``) or ``"ask"`` is an unsupported output, which
Codex treats as a failed hook, and a failed hook's tool runs. So an allow prints
nothing, and a deny is exit status 2 with the reason on stderr, which Codex hands the
model as "Command blocked by PreToolUse hook: <reason>". Codex has no "ask" on
PreToolUse: the daemon waits for a human instead, but should an ask ever arrive it is
a deny that says how to approve. guard.sh, which Aegis registers around the client,
turns anything else into such a deny. A PostToolUse that could not be recorded is a
warning Codex shows, never a block.
"""

from transport import answer_by_exit_status, system_message

ADAPTER = "codex"
AGENT = "Codex CLI"
OBSERVE_EVENTS = ("PostToolUse",)
respond = answer_by_exit_status(AGENT)
unrecorded = system_message
