"""Datasette-style guards: every hook in ``hookspecs.py`` must have a test that
implements it and calls it through the AegisPlugins facade, and a section in
``docs/plugin-hooks.md`` showing its exact arguments."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from aegis_core import hookspecs
from aegis_core.plugins import HOOK_NAMES, AegisPlugins

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "plugin-hooks.md"

# How the rest of Aegis calls each hook: nothing calls pm.hook.* directly.
FACADE = {
    "register_adapters": "adapters",
    "register_channels": "channels",
    "register_commands": "add_commands",
    "register_config_sections": "config_sections",
    "register_prompt_detectors": "prompt_detectors",
    "register_doctor_checks": "doctor_checks",
    "configure": "configure",
    "register_sandboxes": "sandboxes",
    "intercept": "intercept",
    "evaluate": "evaluate",
    "critique": "critique",
    "notify": "notify",
    "decide": "decide",
    "audit": "audit",
    "audit_sync": "audit",
}


def hook_arguments(name: str) -> list[str]:
    return list(inspect.signature(getattr(hookspecs, name)).parameters)


def test_hook_names_are_found():
    assert len(HOOK_NAMES) >= 12
    assert {"intercept", "evaluate", "critique", "notify", "decide", "audit"} <= set(HOOK_NAMES)


@pytest.mark.parametrize("hook", HOOK_NAMES)
def test_every_hook_has_a_facade_method(hook):
    assert hook in FACADE, f"add a typed AegisPlugins method for {hook} and list it in FACADE"
    assert callable(getattr(AegisPlugins, FACADE[hook], None))


def read_test_sources() -> str:
    files = [*ROOT.glob("tests/**/test_*.py"), *ROOT.glob("plugins/*/tests/**/test_*.py")]
    this = Path(__file__).resolve()
    return "\n".join(f.read_text(encoding="utf-8") for f in files if f.resolve() != this)


@pytest.mark.parametrize("hook", HOOK_NAMES)
def test_every_hook_is_implemented_and_called_in_a_test(hook):
    sources = read_test_sources()
    implemented = re.search(rf"@hookimpl(?:\([^)]*\))?\s+def {hook}\(", sources)
    assert implemented, f"no test registers a plugin implementing {hook}"
    called = re.search(rf"\.{FACADE[hook]}\(", sources)
    assert called, f"no test calls {hook} through AegisPlugins.{FACADE[hook]}()"


@pytest.mark.parametrize("hook", HOOK_NAMES)
def test_every_hook_is_documented_with_its_exact_arguments(hook):
    docs = DOCS.read_text(encoding="utf-8")
    expected = f"## {hook}({', '.join(hook_arguments(hook))})"
    headings = [line for line in docs.splitlines() if re.match(rf"## {hook}\(", line)]
    assert headings, f"docs/plugin-hooks.md has no section for {hook}; add `{expected}`"
    assert headings == [expected], f"section of {hook} must read `{expected}`, found {headings}"


def test_docs_document_no_hook_that_does_not_exist():
    docs = DOCS.read_text(encoding="utf-8")
    documented = re.findall(r"^## (\w+)\(", docs, flags=re.MULTILINE)
    assert sorted(documented) == sorted(HOOK_NAMES)
