"""The hook client every agent runs for each tool call:
``/abs/python -I -S /abs/.../aegis_core/hookclient/run.py /abs/.../wire.py EVENT [DEADLINE_S]``
where ``wire.py`` is the agent's encoder (how that agent reads a decision).

Kept tiny: a script is compiled on every run, while transport.py is imported, so
Python reuses its cached bytecode.
"""

import sys
from posix import environ

# Under guard.sh (agents that run a failed hook's tool), the hard deadline: SIGALRM with
# its default action, so the kernel ends this process (which the guard turns into a
# block) whatever it is doing, even stuck where no Python signal handler can run. Armed
# before anything else can hang; a malformed value fails (exit 1) the same way.
if environ.get(b"AEGIS_GUARD_DEADLINE"):
    import _signal

    _signal.signal(_signal.SIGALRM, _signal.SIG_DFL)  # an ignored SIGALRM is inherited
    _signal.setitimer(_signal.ITIMER_REAL, float(environ[b"AEGIS_GUARD_DEADLINE"]))
sys.path.append(__file__.rpartition("/")[0])  # appended: never shadows the stdlib
try:
    from transport import main
except BaseException as exc:  # a broken install is still an explicit deny (exit 2 blocks)
    sys.stderr.write(
        "The Aegis hook client is broken (" + type(exc).__name__ + "); reinstall Aegis and "
        "run `aegis doctor`. Denied to be safe.\n"
    )
    sys.stderr.flush()
    raise SystemExit(2) from None
main(sys.argv)
