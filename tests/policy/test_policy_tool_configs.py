"""Tool configs that load code on the tool's next run (plugins, setup files,
bootstraps, JVM agents): code from outside the project asks, the project's own and
registry packages do not; the reading is bounded whatever the text holds."""

from __future__ import annotations

from policy_support import tool_call

from aegis_core.models import Action
from aegis_core.policy import default_policy

POLICY = default_policy()
PROJECT = "/home/dev/project"


def _write(name: str, content: str):
    return POLICY.evaluate(tool_call("Write", cwd=PROJECT, file_path=f"{PROJECT}/{name}", content=content))


def test_a_key_and_its_value_on_two_lines_are_read_together() -> None:
    assert _write(".mocharc.yml", "require:\n  - /tmp/x.js\n").action is Action.REQUIRE_APPROVAL
    assert _write(".mocharc.yml", "require:\n  - ts-node/register\n").action is Action.ALLOW


def test_a_url_that_is_not_the_value_of_a_loading_key_is_routine() -> None:
    verdict = _write(".prettierrc", '{\n  "$schema": "https://json.schemastore.org/prettierrc",\n'
                                    '  "plugins": ["prettier-plugin-tailwindcss"]\n}\n')
    assert verdict.action is Action.ALLOW, verdict


def test_a_config_naming_too_many_outside_places_asks_without_reading_them_all() -> None:
    urls = "".join(f'  "see{i}": "https://example.com/{i}",\n' for i in range(65))
    verdict = _write(".eslintrc.json", "{\n" + urls + '  "root": true\n}\n')
    assert verdict.action is Action.REQUIRE_APPROVAL and "more than 64 places" in verdict.reason
    few = "".join(f'  "see{i}": "https://example.com/{i}",\n' for i in range(10))
    assert _write(".eslintrc.json", "{\n" + few + '  "root": true\n}\n').action is Action.ALLOW


def test_a_line_full_of_loading_keys_is_read_in_linear_time() -> None:
    # Each marker is looked for once and its key in the 200 characters before it, so
    # repeating the keys only costs their length (no timing here: the verdict shows it
    # was read to the marker at the end).
    text = ("plugins " * 120 + "\n") * 16 + "plugins: ['/tmp/x.js']\n"
    assert _write("vite.config.js", text).action is Action.REQUIRE_APPROVAL
