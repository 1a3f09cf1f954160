"""What an apply_patch touches: every file its patch adds, updates, deletes or moves to."""

from __future__ import annotations

import pytest
from aegis_codex.patch import PatchError, PatchTarget, only_updates, patch_targets

PATCH = """*** Begin Patch
*** Add File: new.txt
+hello
+*** Delete File: not-a-target.txt
*** Update File: a.txt
*** Move to: b.txt
@@
-x
+y
*** Delete File: ~/.bashrc
*** End Patch
"""


def test_every_target_of_every_operation() -> None:
    assert patch_targets(PATCH) == (
        PatchTarget("add", "new.txt"), PatchTarget("update", "a.txt"), PatchTarget("move", "b.txt"),
        PatchTarget("delete", "~/.bashrc"),
    )
    assert not only_updates(patch_targets(PATCH))


def test_markers_padded_with_blanks_still_count_as_codex_reads_them() -> None:
    patch = "*** Begin Patch\n  *** Update File: src/x.py  \n@@\n-a\n+b\n*** End Patch"
    targets = patch_targets(patch)
    assert targets == (PatchTarget("update", "src/x.py"),) and only_updates(targets)


def test_a_heredoc_wrapped_patch() -> None:
    assert patch_targets("<<'EOF'\n*** Begin Patch\n*** Add File: x\n+1\n*** End Patch\nEOF") == (
        PatchTarget("add", "x"),)


@pytest.mark.parametrize("patch", [
    "", "just text", "*** Begin Patch\n*** End Patch", "*** Begin Patch\n*** Add File:   \n+x\n*** End Patch",
    "*** Begin Patch\n*** Copy File: x\n*** End Patch",
])
def test_a_patch_whose_targets_cannot_all_be_named_is_an_error(patch: str) -> None:
    with pytest.raises(PatchError):
        patch_targets(patch)
