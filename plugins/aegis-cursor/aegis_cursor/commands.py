"""``aegis cursor settings``: the hooks file to merge into ``~/.cursor/hooks.json``."""

from __future__ import annotations

import json

from aegis_core.cli.hookcommands import HookCommands, hook_command_group
from aegis_cursor import settings as cursor_settings


def _show(approval_timeout: int, home: str | None) -> str:
    current = cursor_settings.default_hooks_file(approval_timeout, home=home)
    legacy = cursor_settings.default_hooks_file(approval_timeout, events=cursor_settings.LEGACY_EVENTS, home=home)
    return "\n".join([json.dumps(current, indent=2), "",
                      "# Cursor versions without preToolUse: use this instead (not both)",
                      json.dumps(legacy, indent=2)])


cursor = hook_command_group(HookCommands(
    name="cursor", agent="Cursor", show=_show,
    settings_help="Print the hooks file (absolute paths) to merge into ~/.cursor/hooks.json.",
))
