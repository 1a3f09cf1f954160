"""Path globs looked up by component give the answers plain fnmatch gives."""

from __future__ import annotations

import fnmatch
import random

from aegis_core.policy.paths import _Patterns

PATTERNS = ["*/.aws", "*/.aws/*", "*/.config/gh/*", "*/.config/gh", "*/.netrc", "*/.claude/.credentials.json",
            "*/Library/Application Support/Google/Chrome/*", "*/.ssh/*", "*/a/b/c", "*/b/*", "*.pem", "*/x*/y/*",
            "/etc/shadow", "/proc/*/mem", "*/.env.*", "*/.local/share/keyrings/*", "*/a/", "*/a/b/", "*//*", "*/"]
COMPONENTS = ["", "home", "dev", ".aws", "credentials", ".config", "gh", "hosts.yml", ".netrc", ".claude",
              ".credentials.json", "Library", "Application Support", "Google", "Chrome", "Default", ".ssh", "id_rsa",
              "a", "b", "c", "x1", "y", "k.pem", "etc", "shadow", "proc", "1", "mem", ".env.local", ".local", "share",
              "keyrings"]


def test_indexed_lookup_matches_fnmatch() -> None:
    patterns = _Patterns(PATTERNS)
    assert patterns.suffix_index and patterns.infix_index  # the index is used
    rng = random.Random(14)
    for _ in range(5000):
        path = "/" + "/".join(rng.choice(COMPONENTS) for _ in range(rng.randint(1, 7)))
        expected = any(fnmatch.fnmatchcase(path, p) for p in PATTERNS)
        assert patterns.match(path) is expected, path
