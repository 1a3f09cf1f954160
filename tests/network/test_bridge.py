"""The bridge as the sandbox runs it: a real subprocess, and under real bubblewrap as
PID 1 of a new PID and network namespace. Exit statuses, signals and orphans."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from network_support import interpreter_binds

from aegis_core.network import BRIDGE, bridge_command

WAIT = 60.0

# The handler writes with os.write: a signal landing while print("ready") is still
# flushing would make a print in the handler a reentrant call on stdout.
TRAP = """
import os, signal, time
def got(signum, frame):
    os.write(1, f"got {signal.Signals(signum).name}\\n".encode())
    os._exit(40 + signum)
for name in ("SIGTERM", "SIGHUP", "SIGUSR1"):
    signal.signal(getattr(signal, name), got)
os.write(1, b"ready\\n")
time.sleep(60)
"""


def start(argv: list[str], **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def test_the_commands_exit_status_is_the_bridges(tmp_path: Path) -> None:
    result = subprocess.run([*bridge_command(proxy_socket=str(tmp_path / "p.sock")), "sh", "-c", "exit 7"],
                            timeout=WAIT)
    assert result.returncode == 7


def test_an_inherited_ignored_sigchld_does_not_hide_the_commands_end(tmp_path: Path) -> None:
    """SIG_IGN for SIGCHLD survives exec; with it the kernel reaps the command and sends
    no SIGCHLD, so a bridge that kept it would wait (and forward SIGTERM) for ever."""
    def ignore_sigchld() -> None:
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)

    result = subprocess.run([*bridge_command(proxy_socket=str(tmp_path / "p.sock")), "sh", "-c", "exit 7"],
                            preexec_fn=ignore_sigchld, timeout=WAIT)
    assert result.returncode == 7


def test_a_command_killed_by_a_signal_exits_128_plus_it(tmp_path: Path) -> None:
    result = subprocess.run([*bridge_command(proxy_socket=str(tmp_path / "p.sock")), "sh", "-c", "kill -KILL $$"],
                            timeout=WAIT)
    assert result.returncode == 128 + signal.SIGKILL


def test_a_missing_command_is_named(tmp_path: Path) -> None:
    result = subprocess.run([*bridge_command(proxy_socket=str(tmp_path / "p.sock")), "no-such-program-here"],
                            capture_output=True, text=True, timeout=WAIT)
    assert result.returncode == 127
    assert "no-such-program-here: command not found" in result.stderr


def test_no_command_is_a_usage_error() -> None:
    result = subprocess.run([sys.executable, "-I", "-S", str(BRIDGE), "--proxy-socket", "/x"],
                            capture_output=True, text=True, timeout=WAIT)
    assert result.returncode == 2 and "usage" in result.stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1])
def test_signals_sent_to_the_bridge_reach_the_command(tmp_path: Path, signum: int) -> None:
    process = start([*bridge_command(proxy_socket=str(tmp_path / "p.sock")), sys.executable, "-c", TRAP])
    assert process.stdout is not None
    assert process.stdout.readline() == "ready\n"
    process.send_signal(signum)
    out, _ = process.communicate(timeout=WAIT)
    assert out == f"got {signal.Signals(signum).name}\n"
    assert process.returncode == 40 + signum


def test_the_agent_gets_the_proxy_variables_and_no_loophole(tmp_path: Path) -> None:
    env = {**os.environ, "NO_PROXY": "localhost,127.0.0.1", "no_proxy": "*", "HTTPS_PROXY": "http://elsewhere:1"}
    script = "import json, os; print(json.dumps(dict(os.environ)))"
    result = subprocess.run([*bridge_command(proxy_socket=str(tmp_path / "p.sock")), sys.executable, "-c", script],
                            env=env, capture_output=True, text=True, timeout=WAIT)
    seen = json.loads(result.stdout)
    proxies = {seen[name] for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                                       "all_proxy")}
    assert len(proxies) == 1 and proxies.pop().startswith("http://127.0.0.1:")
    assert "NO_PROXY" not in seen and "no_proxy" not in seen


BWRAP = shutil.which("bwrap")
needs_bwrap = pytest.mark.skipif(BWRAP is None, reason="bubblewrap is not installed (.ci/run installs it)")


def contained(*command: str) -> list[str]:
    """The bridge as PID 1 of new PID and network namespaces (the sandbox's shape)."""
    assert BWRAP is not None
    return [BWRAP, "--unshare-pid", "--unshare-net", "--as-pid-1", "--die-with-parent", "--ro-bind", "/", "/",
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", *interpreter_binds(),
            "--", *bridge_command(), *command]


@needs_bwrap
def test_as_pid_1_it_reaps_the_orphans_the_agent_leaves() -> None:
    script = ("(sleep 0.1 &); (sleep 0.1 &); sleep 1; echo pid1=$(tr '\\0' ' ' < /proc/1/cmdline); "
              "grep -l '^State:.*Z' /proc/[0-9]*/status | wc -l")
    result = subprocess.run(contained("sh", "-c", script), capture_output=True, text=True, timeout=WAIT)
    assert result.returncode == 0, result.stderr
    first, zombies = result.stdout.splitlines()
    assert str(BRIDGE) in first  # the bridge is PID 1: the orphans were its to reap
    assert zombies.strip() == "0"


@needs_bwrap
def test_as_pid_1_a_signal_from_outside_reaches_the_agent() -> None:
    # bwrap tells the outside the sandbox's PID 1 (--info-fd): signalling it must reach
    # the agent, although PID 1 of a namespace gets only signals it handles.
    read, write = os.pipe()
    assert BWRAP is not None
    argv = contained(sys.executable, "-c", TRAP)
    argv[1:1] = ["--info-fd", str(write)]
    process = start(argv, pass_fds=(write,))
    os.close(write)
    try:
        text = b""
        while b"}" not in text:  # bwrap writes the object, then keeps the pipe open
            text += os.read(read, 4096)
        info = json.loads(text.decode())
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
        os.kill(info["child-pid"], signal.SIGTERM)
        out, err = process.communicate(timeout=WAIT)
    finally:
        os.close(read)
        if process.poll() is None:
            process.kill()
    assert out == "got SIGTERM\n", err
    assert process.returncode == 40 + signal.SIGTERM


@needs_bwrap
def test_inside_there_is_no_network_but_the_bridge(tmp_path: Path) -> None:
    script = ("import socket, os, urllib.parse\n"
              "proxy = urllib.parse.urlsplit(os.environ['http_proxy'])\n"
              "s = socket.create_connection((proxy.hostname, proxy.port), timeout=5); s.close(); print('bridge ok')\n"
              "try:\n    socket.create_connection(('1.1.1.1', 80), timeout=5)\nexcept OSError as exc:\n"
              "    print('direct refused', exc.errno)\n")
    result = subprocess.run(contained(sys.executable, "-c", script), capture_output=True, text=True, timeout=WAIT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "bridge ok"
    assert result.stdout.splitlines()[1].startswith("direct refused")
