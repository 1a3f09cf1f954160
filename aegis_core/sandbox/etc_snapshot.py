"""The sandbox's ``/etc`` as one folder, bound once, instead of a mount per entry.

Mounts are what a sandbox's start costs most: each read-only bind is two mount calls,
and the filtered ``/etc`` alone would be some ninety. A plan's ``/etc`` section (a
tmpfs, the allowed host entries, generated files, links, then read-only) is copied
into a folder (files copied, links kept as links: their targets are in ``/usr``,
visible inside) that is reused by every session as long as nothing it came from
changed, and bound read-only at ``/etc``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from aegis_core.sandbox.plan import Mount

ETC = "/etc"
KEEP = 4  # snapshots kept (the newest), for sessions with other settings


def etc_section(mounts: Sequence[Mount]) -> tuple[int, int] | None:
    """(start, end) of the plan's ``/etc`` section: from its tmpfs to its remount."""
    start = next((i for i, m in enumerate(mounts) if m.kind == "tmpfs" and m.dest == ETC), None)
    if start is None:
        return None
    end = next((i for i in range(start, len(mounts)) if mounts[i].kind == "remount-ro" and mounts[i].dest == ETC),
               None)
    return None if end is None else (start, end + 1)


def snapshot(mounts: Sequence[Mount], cache: Path) -> Path | None:
    """The folder holding ``mounts`` (an ``/etc`` section) as files: made or reused.
    None when something cannot be copied (the caller binds entries one by one)."""
    entries = [m for m in mounts if m.kind in ("ro", "data", "symlink") and m.dest.startswith(ETC + "/")]
    key = _key(entries)
    folder = cache / f"etc-{key}"
    if folder.is_dir():
        return folder
    cache.mkdir(mode=0o700, parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=".etc-", dir=cache))
    try:
        for mount in entries:
            target = building / mount.dest[len(ETC) + 1:]
            target.parent.mkdir(parents=True, exist_ok=True)
            if mount.kind == "data":
                target.write_text(mount.content or "")
            elif mount.kind == "symlink":
                target.symlink_to(str(mount.source))
            elif os.path.islink(str(mount.source)):
                target.symlink_to(os.readlink(str(mount.source)))
            elif os.path.isdir(str(mount.source)):
                shutil.copytree(str(mount.source), target, symlinks=True, dirs_exist_ok=True)
            else:
                shutil.copy2(str(mount.source), target)
        building.chmod(0o755)
        try:
            os.rename(building, folder)
        except OSError:  # another session made the same one meanwhile
            shutil.rmtree(building, ignore_errors=True)
    except OSError:
        shutil.rmtree(building, ignore_errors=True)
        return None
    _prune(cache, keep=folder)
    return folder


def _key(entries: Sequence[Mount]) -> str:
    """What the snapshot depends on: each entry, the size and time of its source (a
    folder's time changes when an entry in it is added, removed or replaced, the way
    packages and update-ca-certificates change files), the generated contents. A file
    edited in place inside a folder is seen at the folder's next change; files at the
    top (resolv.conf, hosts) are stat'ed themselves. A change makes a new snapshot."""
    digest = hashlib.sha256()
    for mount in entries:
        digest.update(f"{mount.kind}\0{mount.dest}\0{mount.source}\0".encode())
        if mount.kind == "data":
            digest.update((mount.content or "").encode())
        elif mount.kind == "ro" and mount.source:
            with contextlib.suppress(OSError):
                info = os.lstat(mount.source)
                digest.update(f"{info.st_size}\0{info.st_mtime_ns}\0{info.st_ino}\0{info.st_mode}\0".encode())
    return digest.hexdigest()[:20]


def _prune(cache: Path, keep: Path) -> None:
    snapshots = sorted((p for p in cache.glob("etc-*") if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in snapshots[KEEP:]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
