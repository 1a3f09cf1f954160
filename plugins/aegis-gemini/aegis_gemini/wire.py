"""How Gemini CLI reads a hook decision (the encoder of the shared hook client, see
aegis_core/hookclient/transport.py). Standard library built-ins only: it runs on every
tool call.

An allow prints nothing (Gemini 0.61 takes an empty answer as "allow"). A deny (and an
ask, which its hook cannot put to the user) is exit status 2 with the reason on stderr,
which Gemini turns into ``{"decision": "deny"}`` and hands the model as "Tool execution
blocked: <reason>". Exit 2 rather than JSON on stdout: Gemini runs hooks through
``bash -c``, and anything that writes to stdout first (a ``BASH_ENV`` script) would
make a JSON deny unreadable, which Gemini treats as an allow; an exit status cannot be
spoiled that way. guard.sh, which Aegis registers around the client, turns every
other outcome into such a deny. An AfterTool that could not be recorded is a message
Gemini shows, never a block.
"""

from transport import answer_by_exit_status, system_message

ADAPTER = "gemini"
AGENT = "Gemini CLI"
OBSERVE_EVENTS = ("AfterTool",)
respond = answer_by_exit_status(AGENT)
unrecorded = system_message
