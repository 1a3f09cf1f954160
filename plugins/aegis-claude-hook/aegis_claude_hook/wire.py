"""How Claude Code reads a hook decision (the encoder of the shared hook client, see
aegis_core/hookclient/transport.py). Standard library built-ins only: it runs on every
tool call."""

import sys

from transport import _quote, system_message

ADAPTER = "claude"
AGENT = "Claude Code"
OBSERVE_EVENTS = ("PostToolUse", "PostToolUseFailure")
# Sent while Claude Code's permission dialog is open; it ends the hook when the dialog
# is answered No (or Esc), and the client says so to the daemon.
DIALOG_EVENTS = ("PermissionRequest",)


def pre_tool_use_output(decision, reason):
    return (
        '{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":'
        + _quote(decision)
        + ',"permissionDecisionReason":'
        + _quote(reason)
        + "}}\n"
    )


def permission_request_output(decision, reason):
    """Close the open dialog with the answer another channel gave. ``ask`` writes
    nothing: the dialog stays for the human at the keyboard (or already has their
    answer)."""
    if decision == "allow":
        return '{"hookSpecificOutput":{"hookEventName":"PermissionRequest","decision":{"behavior":"allow"}}}\n'
    if decision == "deny":
        return (
            '{"hookSpecificOutput":{"hookEventName":"PermissionRequest","decision":{"behavior":"deny",'
            '"message":' + _quote(reason) + "}}}\n"
        )
    return ""


def respond(hook_event, decision, reason):
    """Print Claude Code's answer for ``hook_event`` and return the exit status."""
    if hook_event == "PreToolUse" or hook_event is None:
        sys.stdout.write(pre_tool_use_output(decision, reason))
        return 0
    if hook_event == "PermissionRequest":
        sys.stdout.write(permission_request_output(decision, reason))
        return 0
    if decision == "deny":  # other guarded events: exit 2 blocks, stderr is the reason
        sys.stderr.write(reason + "\n")
        return 2
    return 0


def notice(hook_event, text):
    """After a call ran: what the agent should know (a sandbox limit stopped something)."""
    sys.stdout.write(
        '{"hookSpecificOutput":{"hookEventName":' + _quote(hook_event or "PostToolUse")
        + ',"additionalContext":' + _quote(text) + "}}\n"
    )
    return 0


unrecorded = system_message
