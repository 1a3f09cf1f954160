"""The sandbox's own ``/etc``: the entries programs need to run (loader cache, CA
certificates, time zone, name resolution...), never the host's secrets (shadow,
sudoers, SSH host keys, network passwords, cluster credentials), and a ``passwd`` /
``group`` that know only the agent's user."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

# What is shown of the host's /etc (when it exists). Everything else is absent.
ETC_ALLOW: tuple[str, ...] = (
    "alternatives", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "ld.so.preload",
    "localtime", "timezone", "locale.alias", "locale.conf", "locale.gen", "default/locale",
    "os-release", "lsb-release", "debian_version", "redhat-release", "alpine-release", "issue",
    "hosts", "host.conf", "nsswitch.conf", "resolv.conf", "gai.conf", "protocols", "services", "networks",
    "ssl/certs", "ssl/openssl.cnf", "ca-certificates", "ca-certificates.conf", "pki/ca-trust",
    "pki/tls/certs", "pki/tls/cert.pem", "crypto-policies", "gnutls",
    "mime.types", "magic", "magic.mime", "mailcap", "terminfo", "inputrc", "shells",
    "bash.bashrc", "bash_completion", "bash_completion.d", "profile", "profile.d", "zsh", "fish",
    "environment", "login.defs", "machine-id", "gitconfig", "gitattributes", "vim", "nanorc",
    "python3", "python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "perl",
    "pip.conf", "fonts", "xdg", "java-17-openjdk", "java-21-openjdk", "subversion", "wgetrc",
    "mercurial", "manpath.config", "papersize",
)


def etc_entries(root: Path = Path("/etc")) -> list[Path]:
    """The allowed entries that exist on this machine (absolute host paths)."""
    return [root / name for name in ETC_ALLOW if os.path.lexists(root / name)]


def passwd_text(uid: int, gid: int, *, name: str, home: str, shell: str) -> str:
    return (f"root:x:0:0:root:/root:/usr/sbin/nologin\n"
            f"{name}:x:{uid}:{gid}:{name}:{home}:{shell}\n"
            f"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")


def group_text(gid: int, *, name: str) -> str:
    return f"root:x:0:\n{name}:x:{gid}:\nnogroup:x:65534:\n"


def login_name(uid: int | None = None) -> str:
    uid = os.getuid() if uid is None else uid
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return os.environ.get("USER") or f"user{uid}"


def login_shell(uid: int | None = None) -> str:
    uid = os.getuid() if uid is None else uid
    try:
        shell = pwd.getpwuid(uid).pw_shell
    except KeyError:
        shell = ""
    return shell if shell and shell.startswith(("/usr/", "/bin/")) and os.path.exists(shell) else "/bin/sh"
