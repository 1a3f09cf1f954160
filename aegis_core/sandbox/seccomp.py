"""The seccomp filter every sandboxed process runs under: a classic BPF program (the
format ``bwrap --seccomp`` loads), built here so no compiler or libseccomp is needed.

What it refuses, and why (each fails with EPERM, as it would for any unprivileged
process, except io_uring which fails with ENOSYS so libraries fall back quietly):

- ``ioctl(TIOCSTI)`` and ``ioctl(TIOCLINUX)``: typing into the terminal the agent
  shares with the user (the PTY adapter keeps the agent on a terminal, so
  ``--new-session`` alone cannot be the answer);
- the kernel keyring (``keyctl``, ``add_key``, ``request_key``): not namespaced, it
  holds the user's keys outside the sandbox;
- mounting, namespaces and root changes (``mount``, ``umount2``, ``pivot_root``,
  ``chroot``, ``unshare``, ``setns``, the new mount API): the process holds no
  capability for them anyway; refusing them outright keeps the kernel code behind
  them out of reach;
- kernel attack surface an agent has no use for: ``bpf``, ``perf_event_open``,
  ``userfaultfd``, ``io_uring_*``, ``kexec_*``, module loading, ``open_by_handle_at``,
  ``acct``, ``swapon``/``swapoff``, ``reboot``, ``syslog``, ``quotactl``;
- any other system call ABI than the machine's own (32-bit and x32 on x86_64), whose
  numbers this filter does not check.
"""

from __future__ import annotations

import errno
import platform
import struct

# linux/bpf_common.h and linux/filter.h
BPF_LD, BPF_JMP, BPF_RET = 0x00, 0x05, 0x06
BPF_W, BPF_ABS = 0x00, 0x20
BPF_JEQ, BPF_JGE, BPF_K = 0x10, 0x30, 0x00
# linux/seccomp.h
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
# struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]
OFFSET_NR, OFFSET_ARCH, OFFSET_ARG1_LOW = 0, 4, 16 + 8

TIOCSTI = 0x5412
TIOCLINUX = 0x541C
X32_SYSCALL_BIT = 0x40000000

# Numbers new enough to be the same on every architecture.
_COMMON = {
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
    "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432,
    "fspick": 433, "mount_setattr": 442,
}

ARCHITECTURES: dict[str, tuple[int, dict[str, int]]] = {
    # machine: (AUDIT_ARCH_*, syscall numbers)
    "x86_64": (0xC000003E, {
        "ioctl": 16, "keyctl": 250, "add_key": 248, "request_key": 249,
        "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161, "unshare": 272, "setns": 308,
        "bpf": 321, "perf_event_open": 298, "userfaultfd": 323, "kexec_load": 246, "kexec_file_load": 320,
        "init_module": 175, "finit_module": 313, "delete_module": 176, "open_by_handle_at": 304,
        "acct": 163, "swapon": 167, "swapoff": 168, "reboot": 169, "syslog": 103, "quotactl": 179,
        **_COMMON,
    }),
    "aarch64": (0xC00000B7, {
        "ioctl": 29, "keyctl": 219, "add_key": 217, "request_key": 218,
        "mount": 40, "umount2": 39, "pivot_root": 41, "chroot": 51, "unshare": 97, "setns": 268,
        "bpf": 280, "perf_event_open": 241, "userfaultfd": 282, "kexec_load": 104, "kexec_file_load": 294,
        "init_module": 105, "finit_module": 273, "delete_module": 106, "open_by_handle_at": 265,
        "acct": 89, "swapon": 224, "swapoff": 225, "reboot": 142, "syslog": 116, "quotactl": 60,
        **_COMMON,
    }),
}
ARCHITECTURES["arm64"] = ARCHITECTURES["aarch64"]
ARCHITECTURES["amd64"] = ARCHITECTURES["x86_64"]

NOT_AVAILABLE = ("io_uring_setup", "io_uring_enter", "io_uring_register")
REFUSED_IOCTLS = (TIOCSTI, TIOCLINUX)


class UnsupportedArchitecture(Exception):
    pass


def _stmt(code: int, k: int) -> bytes:
    return struct.pack("=HBBI", code, 0, 0, k)


def _jump(code: int, k: int, true: int, false: int) -> bytes:
    return struct.pack("=HBBI", code, true, false, k)


def _ret_errno(number: int) -> bytes:
    return _stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (number & 0xFFFF))


def refused_syscalls(machine: str | None = None) -> dict[str, int]:
    """Name -> number of every system call the filter refuses on ``machine``."""
    _, numbers = _table(machine)
    return {name: nr for name, nr in numbers.items() if name != "ioctl"}


def _table(machine: str | None) -> tuple[int, dict[str, int]]:
    machine = (machine or platform.machine()).lower()
    if machine not in ARCHITECTURES:
        raise UnsupportedArchitecture(f"no seccomp filter for {machine} yet (have: x86_64, aarch64)")
    return ARCHITECTURES[machine]


def build_filter(machine: str | None = None) -> bytes:
    """The BPF program, as the bytes ``bwrap --seccomp FD`` reads."""
    arch, numbers = _table(machine)
    refused = refused_syscalls(machine)
    ioctl = numbers["ioctl"]
    program: list[bytes] = []
    # A foreign ABI: refuse everything (its numbers mean other calls).
    program.append(_stmt(BPF_LD | BPF_W | BPF_ABS, OFFSET_ARCH))
    program.append(_jump(BPF_JMP | BPF_JEQ | BPF_K, arch, 1, 0))
    program.append(_ret_errno(errno.ENOSYS))
    program.append(_stmt(BPF_LD | BPF_W | BPF_ABS, OFFSET_NR))
    if arch == ARCHITECTURES["x86_64"][0]:
        program.append(_jump(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1))
        program.append(_ret_errno(errno.ENOSYS))
    # Each refused call: "if nr == N return errno", two instructions each.
    for name, nr in sorted(refused.items(), key=lambda item: item[1]):
        program.append(_jump(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1))
        program.append(_ret_errno(errno.ENOSYS if name in NOT_AVAILABLE else errno.EPERM))
    # ioctl: look at the request (the low 32 bits: the kernel reads it as unsigned int).
    program.append(_jump(BPF_JMP | BPF_JEQ | BPF_K, ioctl, 1, 0))
    program.append(_stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW))
    program.append(_stmt(BPF_LD | BPF_W | BPF_ABS, OFFSET_ARG1_LOW))
    for request in REFUSED_IOCTLS:
        program.append(_jump(BPF_JMP | BPF_JEQ | BPF_K, request, 0, 1))
        program.append(_ret_errno(errno.EPERM))
    program.append(_stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW))
    if len(program) > 4096:  # BPF_MAXINSNS
        raise AssertionError("seccomp program too long")
    return b"".join(program)
