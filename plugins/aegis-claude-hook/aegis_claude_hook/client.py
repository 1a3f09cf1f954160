"""Launcher of the hook client Claude Code runs for every tool call:
``/abs/python -I -S /abs/.../aegis_claude_hook/client.py <event> [deadline_s]``.

The code is in hookclient.py, imported rather than run as a script so Python reuses
its cached bytecode: compiling it on every call would cost more than the round trip.
"""

import sys

sys.path.append(__file__.rpartition("/")[0])  # appended: never shadows the stdlib
try:
    from hookclient import main
except BaseException as exc:  # a broken install is still an explicit deny
    sys.stdout.write(
        '{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"deny",'
        '"permissionDecisionReason":"The Aegis hook client is broken ('
        + type(exc).__name__
        + '); reinstall aegis-claude-hook and run `aegis doctor`. Denied to be safe."}}\n'
    )
    sys.stdout.flush()
    raise SystemExit(0) from None
main()
