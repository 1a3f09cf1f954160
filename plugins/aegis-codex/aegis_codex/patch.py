"""What a Codex ``apply_patch`` touches: every file its patch adds, updates, deletes or
moves a file to, read from the patch envelope Codex uses (``*** Begin Patch`` ...
``*** End Patch``)."""

from __future__ import annotations

from dataclasses import dataclass

_OPS = {
    "*** Add File: ": "add",
    "*** Update File: ": "update",
    "*** Delete File: ": "delete",
    "*** Move to: ": "move",
}


class PatchError(ValueError):
    """The text is not a patch Aegis can read, so what it touches is unknown."""


@dataclass(frozen=True)
class PatchTarget:
    op: str  # add | update | delete | move (the destination of an update)
    path: str


def patch_targets(patch: str) -> tuple[PatchTarget, ...]:
    """Every file ``patch`` touches, in order.

    :raises PatchError: no ``*** Begin Patch`` envelope, or a file operation without a
        path: a patch whose targets cannot all be named cannot be judged.
    """
    lines = patch.strip().splitlines()
    if lines and lines[0].strip().startswith("<<"):  # Codex also takes a heredoc-wrapped patch
        lines = lines[1:]
    if not lines or lines[0].strip() != "*** Begin Patch":
        raise PatchError("the patch does not start with '*** Begin Patch'")
    targets: list[PatchTarget] = []
    for line in lines[1:]:
        if line.startswith(("+", "-")):
            continue  # content, never a file operation
        # Codex tolerates blanks around its markers; so does this, and a line it would
        # read as content but this reads as a target only makes the verdict stricter.
        text = line.strip()
        for prefix, op in _OPS.items():
            if text.startswith(prefix):
                path = text[len(prefix):].strip()
                if not path:
                    raise PatchError(f"'{prefix.strip()}' without a file name")
                targets.append(PatchTarget(op, path))
                break
        else:
            if text.startswith("***") and text not in ("*** End Patch", "*** End of File"):
                raise PatchError(f"unknown patch line {text[:80]!r}")
    if not targets:
        raise PatchError("the patch names no file")
    return tuple(targets)


def only_updates(targets: tuple[PatchTarget, ...]) -> bool:
    """Whether the patch only edits files in place (no add, delete or move)."""
    return all(t.op == "update" for t in targets)
