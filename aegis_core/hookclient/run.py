"""The hook client every agent runs for each tool call:
``/abs/python -I -S /abs/.../aegis_core/hookclient/run.py /abs/.../wire.py EVENT [DEADLINE_S]``
where ``wire.py`` is the agent's encoder (how that agent reads a decision).

Kept tiny: a script is compiled on every run, while transport.py and the encoder are
loaded from their cached bytecode (``load``).
"""

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


def load(path):
    """The module in ``path`` (``/abs/.../name.py``), run from its cached bytecode when
    that is current (the check the import system makes: magic number, source mtime and
    size), without the import system's walk over every sys.path folder, which costs
    about as much as running the module; otherwise imported the ordinary way, from its
    folder appended to sys.path (appended: never shadows the stdlib)."""
    folder, _, file = path.rpartition("/")
    name = file[:-3]
    try:
        source = stat(path)
        with open(folder + "/__pycache__/" + name + "." + sys.implementation.cache_tag + ".pyc", "rb") as cached:
            data = cached.read()
    except OSError:
        data = b""
    if (len(data) < 16 or data[:4] != sys.modules["_frozen_importlib_external"].MAGIC_NUMBER
            or data[4:8] != b"\0\0\0\0"  # timestamp-checked, not a hash-based .pyc
            or int.from_bytes(data[8:12], "little") != int(source.st_mtime) & 0xFFFFFFFF
            or int.from_bytes(data[12:16], "little") != source.st_size & 0xFFFFFFFF):
        sys.path.append(folder)
        return __import__(name)
    import marshal

    module = type(sys)(name)
    module.__file__ = path
    sys.modules[name] = module
    try:
        # What the import system itself does with a current cache (same file, same checks).
        exec(marshal.loads(memoryview(data)[16:]), module.__dict__)  # noqa: S102, S302
    except BaseException:
        del sys.modules[name]
        raise
    return module


try:
    main = load(__file__.rpartition("/")[0] + "/transport.py").main
except BaseException as exc:  # a broken install is still an explicit deny (exit 2 blocks)
    sys.stderr.write(
        "The Aegis hook client is broken (" + type(exc).__name__ + "); reinstall Aegis and "
        "run `aegis doctor`. Denied to be safe.\n"
    )
    sys.stderr.flush()
    raise SystemExit(2) from None
main(sys.argv, load)
