"""Run inside a sandbox by the containment tests: tries every way out an attacker who
read Aegis' code would try, and prints one JSON object saying what each attempt got.
Standard library only (``python3 -I``): it must run with nothing of Aegis visible."""

import ctypes
import errno
import fcntl
import json
import os
import shutil
import signal
import sys
import termios

MS_RDONLY, MS_REMOUNT, MS_BIND = 1, 32, 4096
MNT_DETACH = 2
CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWNET = 0x00020000, 0x10000000, 0x40000000
libc = ctypes.CDLL(None, use_errno=True)
SYSCALLS = {"x86_64": {"pivot_root": 155, "keyctl": 250}, "aarch64": {"pivot_root": 41, "keyctl": 219}}
results = {}


def attempt(name, action):
    """Record ``ok`` when the action succeeded, else the errno name."""
    try:
        value = action()
    except OSError as exc:
        results[name] = errno.errorcode.get(exc.errno, str(exc.errno))
        return
    except Exception as exc:  # the probe reports, it never stops
        results[name] = f"{type(exc).__name__}: {exc}"
        return
    results[name] = "ok" if value is None else value


def libc_call(function, *args):
    def call():
        if getattr(libc, function)(*args) != 0:
            raise OSError(ctypes.get_errno(), function)
    return call


def syscall(name, *args):
    number = SYSCALLS[os.uname().machine][name]

    def call():
        if libc.syscall(number, *args) != 0:
            raise OSError(ctypes.get_errno(), name)
    return call


def write(path, text="x"):
    def call():
        with open(path, "w") as handle:
            handle.write(text)
    return call


def read(path):
    def call():
        with open(path) as handle:
            handle.read()
    return call


PTRACE_ATTACH, PTRACE_SEIZE = 16, 0x4206


def is_marked(pid):
    """Whether ``pid`` is the outside process the test started (by its marked name)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return b"aegis-probe-marker" in handle.read()
    except OSError:
        return False


def read_bytes(path):
    def call():
        with open(path, "rb") as handle:
            handle.read(1)
    return call


class IoVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("length", ctypes.c_size_t)]


def vm_read(pid):
    def call():
        buffer = ctypes.create_string_buffer(16)
        local = IoVec(ctypes.cast(buffer, ctypes.c_void_p), 16)
        remote = IoVec(ctypes.c_void_p(0x400000), 16)
        if libc.process_vm_readv(pid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0) < 0:
            raise OSError(ctypes.get_errno(), "process_vm_readv")
    return call


def main():
    outside_pid, aegis_home, home, project = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    status = dict(line.split(":\t", 1) for line in open("/proc/self/status").read().splitlines() if ":\t" in line)
    results["uid"] = os.getuid()
    results["capabilities"] = {k: status[k].strip() for k in ("CapEff", "CapPrm", "CapBnd", "CapAmb")}
    results["no_new_privs"] = status.get("NoNewPrivs", "").strip()
    attempt("umount /usr", libc_call("umount2", b"/usr", MNT_DETACH))
    attempt("umount home mask", libc_call("umount2", os.path.join(home, ".ssh").encode(), MNT_DETACH))
    attempt("remount /usr rw", libc_call("mount", None, b"/usr", None, MS_REMOUNT | MS_BIND, None))
    attempt("remount home rw", libc_call("mount", None, home.encode(), None, MS_REMOUNT | MS_BIND, None))
    attempt("mount tmpfs", libc_call("mount", b"none", project.encode(), b"tmpfs", 0, None))
    attempt("chroot", libc_call("chroot", b"/"))
    attempt("pivot_root", syscall("pivot_root", b".", b"."))
    attempt("unshare user", libc_call("unshare", CLONE_NEWUSER))
    attempt("unshare mount", libc_call("unshare", CLONE_NEWNS))
    attempt("keyctl", syscall("keyctl", 0, 0))
    attempt("read /etc/shadow", read("/etc/shadow"))
    attempt("write /etc/passwd", write("/etc/passwd"))
    attempt("new file at /", write("/escape"))
    attempt("write kernel core_pattern", lambda: os.close(os.open("/proc/sys/kernel/core_pattern", os.O_WRONLY)))
    attempt("read ~/.ssh/id_rsa", read(os.path.join(home, ".ssh", "id_rsa")))
    attempt("read $AEGIS_HOME/config.toml", read(os.path.join(aegis_home, "config.toml")))
    attempt("list $AEGIS_HOME", lambda: os.listdir(aegis_home) and None)
    attempt("write ~/outside.txt", write(os.path.join(home, "outside.txt")))
    attempt("delete ~/important", lambda: shutil.rmtree(os.path.join(home, "important")))
    attempt("write .claude/settings.local.json",
            write(os.path.join(project, ".claude", "settings.local.json"), '{"disableAllHooks": true}'))
    attempt("write .git/hooks/pre-commit", write(os.path.join(project, ".git", "hooks", "pre-commit")))
    # The protected parts of .git cannot be walked around: not by moving .git aside
    # and making a new one, nor by pointing git at another config (commondir).
    attempt("rename .git", lambda: os.rename(os.path.join(project, ".git"), os.path.join(project, ".git-moved")))
    attempt("write .git/commondir", write(os.path.join(project, ".git", "commondir"), "../elsewhere"))
    attempt("rename .claude", lambda: os.rename(os.path.join(project, ".claude"), os.path.join(project, "c2")))
    # Links made in the project resolve inside the sandbox's view, not the host's.
    def link(name, target):
        path = os.path.join(project, name)
        os.symlink(target, path)
        return path
    attempt("read a project link to ~/.ssh/id_rsa", read(link("key-link", os.path.join(home, ".ssh", "id_rsa"))))
    attempt("write through a project link to ~", write(os.path.join(link("home-link", home), "via-link.txt")))
    attempt("write the project", write(os.path.join(project, "made-inside.txt"), "routine"))
    pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    results["processes seen"] = len(pids)
    results["outside process seen"] = any(is_marked(p) for p in pids)
    attempt("signal outside process", lambda: os.kill(outside_pid, signal.SIGTERM) if outside_pid not in pids
            else "pid reused inside")
    # Tracing across the boundary (to make the daemon, or your shell, run something):
    # the outside process has no pid here, by number or by any path to it.
    # A pid inside with the same number is another process (not the marked one): then
    # there is nothing of the outside process to try.
    reused = outside_pid in pids and not is_marked(outside_pid)
    attempt("ptrace attach outside process", (lambda: "pid reused inside") if reused
            else libc_call("ptrace", PTRACE_ATTACH, outside_pid, None, None))
    attempt("ptrace seize outside process", (lambda: "pid reused inside") if reused
            else libc_call("ptrace", PTRACE_SEIZE, outside_pid, None, None))
    attempt("read outside process memory", (lambda: "pid reused inside") if reused
            else read_bytes(f"/proc/{outside_pid}/mem"))
    attempt("pidfd of outside process", (lambda: "pid reused inside") if reused
            else lambda: os.close(os.pidfd_open(outside_pid)))
    attempt("process_vm_readv outside process", (lambda: "pid reused inside") if reused
            else vm_read(outside_pid))
    # The host's processes through /proc of a process inside: its root is the sandbox's.
    attempt("host /proc through /proc/1/root", lambda: str(os.path.isdir(f"/proc/1/root/proc/{outside_pid}")))

    def type_into_terminal():
        for fd in (0, 1, 2):
            if os.isatty(fd):
                fcntl.ioctl(fd, termios.TIOCSTI, b"x")
                return None
        fd = os.open("/dev/tty", os.O_RDWR)
        fcntl.ioctl(fd, termios.TIOCSTI, b"x")
        return None
    attempt("TIOCSTI", type_into_terminal)
    print(json.dumps(results))


main()
