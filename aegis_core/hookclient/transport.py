"""The hook client's shared part (launched through run.py): reads the agent's hook
JSON, forwards it to the Aegis daemon and hands the decision to the agent's wire
encoder, which writes it the way that agent reads it. Fails closed: any problem is an
explicit deny.

It is on every agent's hot path, so it imports only interpreter built-ins
(``_socket``, ``_json``, ``posix``, ``_signal``), never ``json``/``socket``/``os``:
the ``re`` and ``enum`` they pull in would double the client's start-up. Encoders
(each adapter plugin's ``wire.py``) follow the same rule. (``_blake2``, a small
extension, is loaded only inside the sandbox, where a session proof is needed.)

Which socket: ``AEGIS_SOCKET`` (set by ``aegis wrap``: the session's agent socket),
else ``agent.sock`` in the Aegis home (``$AEGIS_HOME``, else the ``--home=PATH`` the
hook command was installed with, else ``~/.aegis``): the rule of
``aegis_core/sockets.py``, which a test keeps in step.

Before the call leaves, the listener must be the daemon (docs/protocol.md, "Is it
the daemon?"): the kernel names the process that bound the socket, and it must be
the daemon's (``AEGIS_DAEMON_PID`` from ``aegis wrap``, else ``aegis.pid``); where
that process is outside this PID namespace (inside the sandbox) the answer must
carry the daemon's proof that it knows the session token, which never travels.

An encoder module provides:

``ADAPTER``
    the adapter id sent to the daemon (``claude``, ``codex``...).
``AGENT``
    the agent's name, for messages (``Claude Code``).
``OBSERVE_EVENTS``
    events that report a call that already ran (recorded, never blocked).
``respond(hook_event, decision, reason) -> int``
    write the answer to a guarded hook event (``decision`` is allow, deny or ask) and
    return the exit status.
``unrecorded(hook_event, reason) -> int``
    tell the user an observed hook event could not be recorded; return the exit status.

Answers several agents read alike are here for encoders to take:
``answer_by_exit_status(AGENT)`` (a ``respond`` for agents that read exit status 2 as
a block and stderr as its reason), ``system_message`` (an ``unrecorded``) and
``no_ask`` (the reason of an ask the agent cannot put to its user).
``DIALOG_EVENTS`` (optional)
    events sent while the agent's own permission dialog is open (Claude Code's
    PermissionRequest). The agent ends such a hook (SIGTERM) when the dialog is
    answered No; the client then tells the daemon so before it exits.
``notice(hook_event, text) -> int`` (optional)
    tell the agent, after a call ran, that a sandbox limit stopped something in it
    (e.g. the kernel killed a process for memory); return the exit status.
"""

import _signal
import posix
import sys
import time


def _extension(name):
    """The extension module ``name`` (``_json``, ``_socket``: shared libraries in most
    Python builds), loaded straight from the interpreter's lib-dynload folder: what
    ``import`` would find there after looking for it, entry by entry, in every sys.path
    folder before (listing the standard library's folder on the way), which costs a
    quarter of a millisecond on every call. A module built into the interpreter, or
    anything unexpected, goes through ``import`` as usual."""
    if name in sys.modules or name in sys.builtin_module_names:
        return __import__(name)
    try:
        bootstrap, external = sys.modules["_frozen_importlib"], sys.modules["_frozen_importlib_external"]
        for folder in sys.path:
            if folder.endswith("/lib-dynload"):
                for suffix in external.EXTENSION_SUFFIXES:
                    path = folder + "/" + name + suffix
                    if external._path_isfile(path):
                        loader = external.ExtensionFileLoader(name, path)
                        return bootstrap._load(bootstrap.spec_from_loader(name, loader, origin=path))
    except Exception:  # noqa: S110 (the ordinary import below is the answer)
        pass
    return __import__(name)


def load(path):
    """The module in ``path`` (``/abs/.../name.py``: an encoder), run from its cached
    bytecode when that is current (the check the import system makes: magic number,
    source mtime and size), without the import system's walk over every sys.path
    folder, which costs about as much as running the module; otherwise imported the
    ordinary way, from its folder appended to sys.path (appended: never shadows the
    stdlib). run.py loads this module itself the same way, inline."""
    folder, _, file = path.rpartition("/")
    name = file[:-3]
    try:
        source = posix.stat(path)
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


_json = _extension("_json")
_socket = _extension("_socket")

# What the reason of a fail-closed deny says, per failure: each names the fix.
NOT_RUNNING = (
    "Aegis daemon is not running: start it with `aegis start` (socket {path}). "
    "The call was denied to be safe; ask the user to start Aegis, then retry."
)
NO_ACCESS = (
    "Aegis cannot use its daemon socket {path} ({error}): run Claude Code as the user "
    "who ran `aegis start`, or check AEGIS_SOCKET. The call was denied to be safe."
)
TIMED_OUT = (
    "Aegis gave no decision within {seconds:g} s, so the call was denied to be safe; "
    "check the daemon with `aegis status` and `aegis logs`, then retry."
)
BAD_INPUT = (
    "Aegis could not read the hook input from {agent} ({error}); denied to be safe. "
    "Check that this {agent} version is supported (`aegis doctor`)."
)
BAD_ANSWER = (
    "Aegis daemon sent an answer the hook client cannot read ({error}); denied to be "
    "safe. Restart it with `aegis stop && aegis start` and check `aegis logs`."
)
SESSION_GONE = (
    "Aegis daemon is not running for this session: its socket {path} is gone (the daemon "
    "stopped or restarted, which ended the session). The call was denied to be safe; ask the "
    "user to start Aegis (`aegis start`) and run the agent again with `aegis wrap`."
)
IMPOSTOR = (
    "Aegis refused to trust {path}: process {pid} answers there, but the Aegis daemon is "
    "{daemon}. Something replaced Aegis' socket, so the call was denied. Do not retry: ask "
    "the user to run `aegis status`, stop process {pid}, then `aegis stop` and `aegis start`."
)
UNPROVEN = (
    "The program answering on {path} did not prove it is the Aegis daemon of this session, "
    "so the call was denied. Do not retry: ask the user to run `aegis status` (something may "
    "have replaced Aegis' socket)."
)
TOO_LARGE = (
    "Aegis did not judge this call: its input is {size:,} bytes, more than the {limit:,} bytes "
    "Aegis accepts in one tool call; denied to be safe. Split it into smaller steps "
    "(e.g. write the file in parts)."
)
REFUSED = "Aegis refused the call: {error}"
# The hook client runs from the installed package, the daemon from whatever was
# installed when it started: after an upgrade the two can differ until a restart.
OLDER_DAEMON = (
    "Aegis denied the call: the running daemon does not know this hook client's request "
    "({error}); it is from another Aegis version. Restart it: aegis stop && aegis start"
)
INTERNAL = (
    "Aegis hook client failed ({error}); denied to be safe. Run `aegis doctor` and "
    "report the problem if it persists."
)

BROKEN_ENCODER = (
    "The Aegis hook client could not load its encoder {path} ({error}); reinstall the "
    "Aegis plugin for this agent and run `aegis doctor`. Denied to be safe."
)

DEFAULT_DEADLINE_S = 570.0
# Under guard.sh (AEGIS_GUARD_DEADLINE set) the client's own answers leave with these
# statuses, which the guard turns back into 0 (allow) and 2 (deny, reason on stderr):
# any other way of ending (a crash, exit 0 or 2 from anything but this code) is not one
# of the client's answers and becomes a block. Kept in step with guard.sh.
GUARDED_STATUS = {0: 100, 2: 102}
MAX_ANSWER_BYTES = 1 << 20
# The daemon's limit on one request (aegis_core.daemon.protocol.MAX_REQUEST): a larger
# call is denied here, with the reason, instead of being cut off mid-send.
MAX_REQUEST_BYTES = 64 << 20


class Denied(Exception):
    """A fail-closed outcome: the message is the deny reason shown to the agent."""


class DialogClosed(BaseException):
    """The agent ended the hook because its dialog was answered (or interrupted)."""


# An interim line (aegis_core.client.UPDATE; the daemon also accepts the older "event").
DIALOG_CLOSED_LINE = b'{"update":"dialog_closed"}\n'


class _ScannerContext:
    """The attributes ``_json.make_scanner`` reads: a JSON parser without ``json``."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    memo = None

    @staticmethod
    def parse_constant(name):
        raise ValueError("non-standard constant " + name)


_scan = _json.make_scanner(_ScannerContext())  # a duck-typed context
_quote = _json.encode_basestring_ascii


def parse_object(text):
    """Parse one JSON object (and nothing after it), or raise ValueError."""
    text = text.strip()
    try:
        value, end = _scan(text, 0)
    except StopIteration:
        raise ValueError("not JSON") from None
    except Exception:
        # Without the json module the C scanner cannot build its JSONDecodeError and
        # reports SystemError instead: either way the text is not complete JSON.
        raise ValueError("not valid JSON (cut short or malformed)") from None
    if end != len(text):
        raise ValueError("extra data after the JSON value")
    if type(value) is not dict:
        raise ValueError("expected a JSON object")
    return value


def _env(name):
    value = posix.environ.get(name.encode())
    return value.decode("utf-8", "surrogateescape") if value else None


def aegis_home(installed=None):
    """$AEGIS_HOME, else the home the hooks were installed with, else ~/.aegis."""
    home = _env("AEGIS_HOME") or installed
    if not home:
        user_home = _env("HOME")
        if not user_home:
            import pwd  # built-in; only needed when HOME is unset

            user_home = pwd.getpwuid(posix.getuid()).pw_dir
        home = user_home.rstrip("/") + "/.aegis"
    elif home.startswith("~/"):
        home = (_env("HOME") or "") + home[1:]
    return home.rstrip("/")


def socket_path(installed_home=None):
    """AEGIS_SOCKET, else agent.sock in the Aegis home."""
    return _env("AEGIS_SOCKET") or aegis_home(installed_home) + "/agent.sock"


def options(argv):
    """(hook event, deadline, --home) from the hook command's arguments after the encoder."""
    positional, installed_home = [], None
    for arg in argv:
        if arg.startswith("--home="):
            installed_home = arg[len("--home=") :] or None
        else:
            positional.append(arg)
    hook_event = positional[0] if positional else None
    budget = DEFAULT_DEADLINE_S
    if len(positional) > 1:
        try:
            budget = max(float(positional[1]), 0.05)
        except ValueError:
            pass
    return hook_event, budget, installed_home


def build_request(op, adapter, hook_text, auth="", *, valid=True):
    """The request line; the hook JSON (already validated) is embedded verbatim, with
    line breaks (only possible as whitespace in valid JSON) flattened to keep one line.
    ``auth`` is the session's part (``"session":...,"token":...`` or a MAC), if any.
    An input that is not valid JSON goes as a string (its start), so the daemon
    records the malformed call."""
    if valid:
        payload = hook_text.strip().replace("\r", " ").replace("\n", " ")
    else:
        payload = _quote(hook_text[:2000])
    return (
        '{"v":1,"op":'
        + _quote(op)
        + ',"adapter":'
        + _quote(adapter)
        + ","
        + (auth + "," if auth else "")
        + '"payload":'
        + payload
        + "}\n"
    ).encode("utf-8", "surrogatepass")


def _read_small(path):
    fd = posix.open(path, posix.O_RDONLY | posix.O_CLOEXEC)
    try:
        return posix.read(fd, 4096)
    finally:
        posix.close(fd)


def process_start(pid):
    """When ``pid`` started (clock ticks since boot), or None."""
    try:
        return int(_read_small("/proc/" + str(pid) + "/stat").rsplit(b")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def expected_daemon(installed_home=None):
    """(pid, start or None, where it came from) of the daemon this client may trust:
    the one ``aegis wrap`` checked, else the one named by the Aegis home's pid file."""
    pinned = _env("AEGIS_DAEMON_PID")
    if pinned and pinned.isdigit():
        start = _env("AEGIS_DAEMON_START")
        return int(pinned), int(start) if start and start.isdigit() else None, "AEGIS_DAEMON_PID"
    source = aegis_home(installed_home) + "/aegis.pid"
    try:
        first = _read_small(source).split()
        return (int(first[0]) if first else None), None, source
    except (OSError, ValueError):
        return None, None, source


def check_listener(sock, path, installed_home, session):
    """Deny (raise) unless the process that bound the listener is the daemon. Returns
    True when only the session proof can tell (the listener is outside this PID
    namespace: this client runs in the sandbox)."""
    try:
        credentials = sock.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, 12)
    except (AttributeError, OSError):
        return False  # no SO_PEERCRED on this platform: nothing to check against
    pid = int.from_bytes(credentials[:4], sys.byteorder, signed=True)
    if pid == 0:
        if session:
            return True
        raise Denied(UNPROVEN.format(path=path))
    daemon, start, source = expected_daemon(installed_home)
    if daemon is None:
        raise Denied(IMPOSTOR.format(path=path, pid=pid, daemon="not running (" + source + " names none)"))
    if pid != daemon or (start is not None and process_start(pid) != start):
        raise Denied(IMPOSTOR.format(path=path, pid=pid, daemon="process " + str(daemon) + " (" + source + ")"))
    return False


def _mac(label, token, nonce):
    _blake2 = _extension("_blake2")  # only inside the sandbox; see the module docstring
    return _blake2.blake2b(
        label + nonce.encode(), key=token.encode("utf-8", "surrogateescape")[:64], digest_size=32
    ).hexdigest()


def session_auth(session, token, needs_proof):
    """The request's session part, and the proof to expect (None: none needed)."""
    if not session or not token:
        return "", None
    if not needs_proof:
        return '"session":' + _quote(session) + ',"token":' + _quote(token), None
    nonce = posix.urandom(16).hex()
    auth = (
        '"session":' + _quote(session) + ',"nonce":"' + nonce + '","mac":"'
        + _mac(b"aegis-client:", token, nonce) + '"'
    )
    return auth, _mac(b"aegis-daemon:", token, nonce)


def _connect(sock, path):
    if len(path.encode("utf-8", "surrogateescape")) <= 100:
        sock.connect(path)
        return
    # Longer than a socket address holds: reach it through its directory's descriptor.
    directory, _, name = path.rpartition("/")
    fd = posix.open(directory or "/", posix.O_PATH | posix.O_DIRECTORY | posix.O_CLOEXEC)
    try:
        sock.connect("/proc/self/fd/" + str(fd) + "/" + name)
    finally:
        posix.close(fd)


def connect_early(argv):
    """``(path, socket)``: the daemon's socket, connected before the encoder is loaded
    and the hook input read (``argv`` as :func:`run` takes it), so that the daemon
    wakes up and accepts the connection while this process does that work rather than
    after it (0.15 ms of every guarded call, benchmarks/hook_bench.py). Nothing goes
    out on it before :func:`ask_daemon` has checked who listens. None when it fails:
    ask_daemon then connects again and denies in its own words."""
    sock = None
    try:
        _, budget, installed_home = options(argv)
        path = socket_path(installed_home)
        sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        sock.settimeout(budget)
        _connect(sock, path)
        return path, sock
    except Exception:
        if sock is not None:
            sock.close()
        return None


def ask_daemon(path, op, adapter, hook_text, deadline, installed_home=None, *, valid=True, early=None):
    """Check the listener, send the request and return the final answer (a dict);
    raise Denied on any failure (an input larger than the daemon accepts included).
    ``early``: a connection from :func:`connect_early`, used when it is to ``path``."""
    if early is not None and early[0] != path:
        early[1].close()
        early = None
    if len(hook_text) > MAX_REQUEST_BYTES:
        raise Denied(TOO_LARGE.format(size=len(hook_text), limit=MAX_REQUEST_BYTES))
    session, token = _env("AEGIS_SESSION"), _env("AEGIS_SESSION_TOKEN")
    sock = early[1] if early is not None else _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.settimeout(max(deadline - time.monotonic(), 0.001))
        try:
            if early is None:
                _connect(sock, path)
        except (FileNotFoundError, ConnectionRefusedError):
            raise Denied((SESSION_GONE if session else NOT_RUNNING).format(path=path)) from None
        except PermissionError as exc:
            raise Denied(NO_ACCESS.format(path=path, error=exc.strerror)) from None
        except TimeoutError:
            raise
        except OSError as exc:
            raise Denied(NO_ACCESS.format(path=path, error=exc.strerror or str(exc))) from None
        needs_proof = check_listener(sock, path, installed_home, session and token)
        auth, proof = session_auth(session, token, needs_proof)
        try:
            sock.sendall(build_request(op, adapter, hook_text, auth, valid=valid))
        except (BrokenPipeError, ConnectionResetError):
            # The daemon stopped reading (it refused the request): its answer, if it
            # sent one, says why.
            sock.shutdown(_socket.SHUT_WR)
        try:
            return _final_answer(sock, deadline, proof, path)
        except DialogClosed:
            # Best effort, never blocking: the agent is waiting for this process to end.
            sock.setblocking(False)
            try:
                sock.send(DIALOG_CLOSED_LINE)
            except OSError:
                pass
            raise
    finally:
        sock.close()


def _final_answer(sock, deadline, proof, path):
    """Read lines until the one with ``"final": true`` (its proof checked)."""
    buffer = b""
    while True:
        newline = buffer.find(b"\n")
        if newline < 0:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            sock.settimeout(remaining)
            chunk = sock.recv(65536)
            if not chunk:
                raise Denied(
                    BAD_ANSWER.format(
                        error="the daemon closed the connection without a final answer"
                    )
                )
            buffer += chunk
            if len(buffer) > MAX_ANSWER_BYTES:
                raise Denied(BAD_ANSWER.format(error="answer too long"))
            continue
        line, buffer = buffer[:newline], buffer[newline + 1 :]
        if not line.strip():
            continue
        try:
            answer = parse_object(line.decode("utf-8"))
        except ValueError as exc:
            raise Denied(BAD_ANSWER.format(error=str(exc))) from None
        if answer.get("final") is True:
            if proof is not None and answer.get("proof") != proof:
                raise Denied(UNPROVEN.format(path=path))
            return answer


def report_malformed(encoder, text, deadline, installed_home=None, early=None):
    """Let the daemon record an input the client could not read (best effort: the
    call is denied either way)."""
    try:
        ask_daemon(socket_path(installed_home), "judge", encoder.ADAPTER, text,
                   min(deadline, time.monotonic() + 5), installed_home, valid=False, early=early)
    except Exception:  # the call is denied with the client's own reason anyway
        return


def decision_of(answer):
    """(decision, reason) from a final ``judge`` answer; raise Denied if unusable."""
    if answer.get("ok") is not True:
        error = answer.get("error")
        if isinstance(error, str) and error.startswith("unknown op"):
            raise Denied(OLDER_DAEMON.format(error=error[:200]))
        raise Denied(
            REFUSED.format(
                error=error
                if isinstance(error, str) and error
                else "no reason given; see `aegis logs`"
            )
        )
    decision = answer.get("decision")
    reason = answer.get("reason")
    if decision not in ("allow", "deny", "ask"):
        raise Denied(BAD_ANSWER.format(error="unknown decision " + repr(decision)[:80]))
    if not isinstance(reason, str):
        reason = ""
    if decision == "deny" and not reason:
        reason = "Denied by Aegis policy."
    return decision, reason


def load_encoder(path, load=None):
    """Import the agent's encoder from its file path (``.../aegis_codex/wire.py``),
    through ``load`` (run.py passes this module's) when given."""
    folder, _, name = path.rpartition("/")
    if not folder or not name.endswith(".py"):
        raise ValueError("expected the absolute path of the encoder's .py file")
    if load is not None:
        return load(path)
    sys.path.append(folder)  # appended: never shadows the stdlib
    return __import__(name[:-3])


def _on_alarm(signum, frame):
    raise TimeoutError


def _on_term(signum, frame):
    raise DialogClosed


def run(encoder, argv, early=None):
    """Decide one hook event: ``argv`` is ``[EVENT [DEADLINE_S]] [--home=PATH]``;
    ``early``: the daemon's socket from :func:`connect_early`, if already connected.
    Returns the exit status the encoder chose."""
    hook_event, budget, installed_home = options(argv)
    deadline = time.monotonic() + budget
    # Backstop for anything that could block (a stdin never closed, a slow daemon). Under
    # guard.sh the timer is already the guard's hard deadline (run.py), kept: the kernel
    # ends the client then, and the socket's own timeouts give the deny before it.
    guarded = _env("AEGIS_GUARD_DEADLINE") is not None
    if not guarded:
        _signal.signal(_signal.SIGALRM, _on_alarm)
        _signal.setitimer(_signal.ITIMER_REAL, budget)
    observing = hook_event in encoder.OBSERVE_EVENTS
    if hook_event in getattr(encoder, "DIALOG_EVENTS", ()):
        _signal.signal(_signal.SIGTERM, _on_term)
    try:
        hook_text = None
        try:
            raw = sys.stdin.buffer.read()
            hook_text = raw.decode("utf-8")
            payload = parse_object(hook_text)
        except (ValueError, UnicodeDecodeError) as exc:
            report_malformed(encoder, hook_text if hook_text is not None else raw.decode("utf-8", "replace"),
                             deadline, installed_home, early)
            raise Denied(BAD_INPUT.format(agent=encoder.AGENT, error=str(exc)[:200])) from None
        if hook_event is None:
            name = payload.get("hook_event_name")
            hook_event = name if isinstance(name, str) else None
            observing = hook_event in encoder.OBSERVE_EVENTS
        size = len(raw) + 512  # the request around the input: op, adapter, session proof
        if size > MAX_REQUEST_BYTES:
            raise Denied(TOO_LARGE.format(size=size, limit=MAX_REQUEST_BYTES))
        answer = ask_daemon(
            socket_path(installed_home),
            "observe" if observing else "judge",
            encoder.ADAPTER,
            hook_text,
            deadline,
            installed_home,
            early=early,
        )
        if observing:
            if answer.get("ok") is not True:
                raise Denied(REFUSED.format(error=answer.get("error")))
            text = limit_notice()
            notice = getattr(encoder, "notice", None)
            return notice(hook_event, text) if text and notice is not None else 0
        decision, reason = decision_of(answer)
    except DialogClosed:
        return 0  # the agent no longer reads an answer
    except Denied as exc:
        decision, reason = "deny", str(exc)
    except TimeoutError:
        decision, reason = "deny", TIMED_OUT.format(seconds=budget)
    except Exception as exc:
        decision, reason = "deny", INTERNAL.format(error=type(exc).__name__ + ": " + str(exc)[:200])
    finally:
        if not guarded:
            _signal.setitimer(_signal.ITIMER_REAL, 0)
    if observing:
        # The call already ran: tell the user the record is missing, never block.
        return encoder.unrecorded(hook_event, "Aegis did not record this call's outcome: " + reason)
    return encoder.respond(hook_event, decision, reason)


# Read only inside a sandbox (AEGIS_LIMITS set), whose /tmp is private to the session.
LIMIT_SEEN = "/tmp/.aegis-limits-seen"  # noqa: S108
LIMIT_COUNTERS = (("memory", "memory.events", b"oom_kill "), ("memory", "memory.oom_control", b"oom_kill "),
                  ("unified", "memory.events", b"oom_kill "), ("pids", "pids.events", b"max "),
                  ("unified", "pids.events", b"max "))


def limit_notice():
    """Plain words when a sandbox limit stopped something since the last call: the
    kernel's counters of the sandbox's cgroup (bound read-only at $AEGIS_LIMITS)
    against what the previous call saw. None outside a sandbox with a cgroup."""
    folder = _env("AEGIS_LIMITS")
    if not folder:
        return None
    counts = {"memory": 0, "pids": 0}
    for part, name, key in LIMIT_COUNTERS:
        try:
            with open(folder + "/" + part + "/" + name, "rb") as handle:
                for line in handle.read().split(b"\n"):
                    if line.startswith(key):
                        kind = "memory" if name.startswith("memory") else "pids"
                        counts[kind] = max(counts[kind], int(line[len(key):]))
        except (OSError, ValueError):
            continue
    seen = {"memory": 0, "pids": 0}
    try:
        with open(LIMIT_SEEN, "rb") as handle:
            for line in handle.read().decode().split("\n"):
                kind, _, value = line.partition("=")
                if kind in seen:
                    seen[kind] = int(value)
    except (OSError, ValueError):
        pass
    if counts == seen:
        return None
    try:
        with open(LIMIT_SEEN, "wb") as handle:
            handle.write(f"memory={counts['memory']}\npids={counts['pids']}\n".encode())
    except OSError:
        pass
    words = []
    if counts["memory"] > seen["memory"]:
        words.append("the sandbox's memory limit (" + (_env("AEGIS_LIMIT_MEMORY") or "set by the user")
                     + ") made the kernel stop a process that used more (it was killed, exit status 137)")
    if counts["pids"] > seen["pids"]:
        words.append("the sandbox's process limit (" + (_env("AEGIS_LIMIT_PROCESSES") or "set by the user")
                     + ") refused to start new processes (fork failed: Resource temporarily unavailable)")
    if not words:
        return None
    return ("Aegis sandbox: during that command " + "; and ".join(words) + ". This is a limit the user set in "
            "[sandbox.limits] of Aegis' policy, not a bug in the code: use less, or ask the user to raise it.")


# Answers shared by encoders (an encoder may take its respond/unrecorded from here).
NO_ASK = (
    "Aegis needs a human to approve this call and cannot ask at {agent}'s own prompt: "
    "approve it with `aegis approvals approve` (or your phone), then retry. "
)


def no_ask(agent, reason):
    """The reason of an ``ask`` that ``agent`` cannot put to its user (it has no ask)."""
    return NO_ASK.format(agent=agent) + reason


def answer_by_exit_status(agent):
    """The ``respond`` of an agent that takes an empty answer as "go ahead" and exit
    status 2 as a block whose reason is stderr (Codex CLI, Gemini CLI): an allow prints
    nothing; anything else (an ``ask`` too: the agent has none) is exit 2 with the
    reason, which starts with "Aegis" so that it can never be read as a JSON answer."""

    def respond(hook_event, decision, reason):
        if decision == "allow":
            return 0
        if decision == "ask":
            reason = no_ask(agent, reason)
        reason = reason.strip() or "Denied by Aegis policy."
        if not reason.startswith("Aegis"):
            reason = "Aegis: " + reason
        sys.stderr.write(reason + "\n")
        return 2

    return respond


def system_message(hook_event, reason):
    """An ``unrecorded``: ``{"systemMessage": reason}`` on stdout, a warning the agent
    shows its user, never a block (Claude Code, Codex CLI, Gemini CLI)."""
    sys.stdout.write('{"systemMessage":' + _quote(reason) + "}\n")
    return 0


def fail(reason):
    """The answer of last resort, understood by every agent Aegis supports: exit status
    2 blocks the call and the agent shows stderr as the reason."""
    try:
        sys.stderr.write(reason + "\n")
        sys.stderr.flush()
    finally:
        posix._exit(exit_status(2))


def exit_status(status):
    """``status`` as the client ends with it: under guard.sh, its answers' own statuses."""
    return GUARDED_STATUS.get(status, status) if _env("AEGIS_GUARD_DEADLINE") else status


def main(argv, load=None):
    """``argv``: ``[run.py, ENCODER_PATH, EVENT, DEADLINE_S]`` as the agent launched it;
    ``load``: how to load the encoder from its path (run.py passes :func:`load`)."""
    path = argv[1] if len(argv) > 1 else ""
    early = connect_early(argv[2:])
    try:
        encoder = load_encoder(path, load)
    except BaseException as exc:
        fail(BROKEN_ENCODER.format(path=path or "(none)", error=type(exc).__name__))
    try:
        status = run(encoder, argv[2:], early)
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException as exc:  # last resort: still an explicit deny, never a traceback
        try:
            status = encoder.respond(None, "deny", INTERNAL.format(error=type(exc).__name__))
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            fail(INTERNAL.format(error=type(exc).__name__))
    posix._exit(exit_status(status))  # skip interpreter teardown: it is most of the remaining time
