# The hook client every agent runs for each tool call:
# /abs/python -I -S /abs/.../hookclient/run.py /abs/.../wire.py EVENT [DEADLINE_S]
# (wire.py: the agent's encoder). This file is compiled on every run (a script has no
# cached bytecode), so it only arms the guard's deadline and runs transport.py from its
# cache; everything else, ``load`` included, is in transport.py. Comments, not a docstring.
import sys
from posix import environ, stat

# Under guard.sh (agents that run a failed hook's tool), the hard deadline: SIGALRM with
# its default action, so the kernel ends this process (which the guard turns into a
# block) whatever it is doing, even stuck where no Python signal handler can run. Armed
# before anything else can hang; a malformed value fails (exit 1) the same way.
if environ.get(b"AEGIS_GUARD_DEADLINE"):
    import _signal

    _signal.signal(_signal.SIGALRM, _signal.SIG_DFL)  # an ignored SIGALRM is inherited
    _signal.setitimer(_signal.ITIMER_REAL, float(environ[b"AEGIS_GUARD_DEADLINE"]))
try:
    # transport.load's check, inline: run from the cache while its header matches the
    # source (magic number, timestamp-checked, mtime, size), else imported the ordinary way.
    folder = __file__.rpartition("/")[0]
    try:
        source = stat(folder + "/transport.py")
        with open(folder + "/__pycache__/transport." + sys.implementation.cache_tag + ".pyc", "rb") as cached:
            data = cached.read()
    except OSError:
        data = b""
    if data and data[:16] == (sys.modules["_frozen_importlib_external"].MAGIC_NUMBER + b"\0\0\0\0"
                              + (int(source.st_mtime) & 0xFFFFFFFF).to_bytes(4, "little")
                              + (source.st_size & 0xFFFFFFFF).to_bytes(4, "little")):
        import marshal

        transport = sys.modules["transport"] = type(sys)("transport")
        transport.__file__ = folder + "/transport.py"
        exec(marshal.loads(memoryview(data)[16:]), transport.__dict__)  # noqa: S102, S302
    else:
        sys.path.append(folder)  # appended: never shadows the stdlib
        transport = __import__("transport")
except BaseException as exc:  # a broken install is still an explicit deny (exit 2 blocks)
    sys.stderr.write("The Aegis hook client is broken (" + type(exc).__name__ + "); reinstall Aegis and "
                     "run `aegis doctor`. Denied to be safe.\n")
    sys.stderr.flush()
    raise SystemExit(2) from None
transport.main(sys.argv, transport.load)
