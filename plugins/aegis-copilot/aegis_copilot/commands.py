"""``aegis copilot settings``: the hooks file to save as ``.github/hooks/aegis.json``."""

from __future__ import annotations

import json

from aegis_copilot import settings as copilot_settings
from aegis_core.cli.hookcommands import HookCommands, hook_command_group


def _show(approval_timeout: int, home: str | None) -> str:
    return json.dumps(copilot_settings.default_hooks_file(approval_timeout, home=home), indent=2)


copilot = hook_command_group(HookCommands(
    name="copilot", agent="Copilot CLI", show=_show,
    settings_help="Print the hooks file (absolute paths) to save as .github/hooks/aegis.json.",
))
