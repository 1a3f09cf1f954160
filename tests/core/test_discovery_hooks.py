"""The ``register_*`` hooks: what each collects, duplicate names, and a plugin that
raises while registering (reported, the others kept)."""

from __future__ import annotations

import click

from aegis_core.config import ConfigSection, Setting, load_config
from aegis_core.doctor import CheckResult
from aegis_core.hookspecs import hookimpl
from aegis_core.prompts import Choice, Prompt, Screen


class FakeAdapter:
    def __init__(self, name: str) -> None:
        self.name, self.description = name, f"the {name} adapter"

    def claims(self, program: str) -> bool:
        return program == self.name

    def wrap(self, argv, context) -> int:
        return 0


class FakeChannel:
    def __init__(self, name: str) -> None:
        self.name = name

    def is_configured(self, config) -> bool:
        return True

    async def run(self, hub) -> None:
        return None

    def notify(self, approval, call) -> None:
        return None


class YesNoDetector:
    name = "yes-no"

    def detect(self, screen: Screen) -> Prompt | None:
        if screen.text.endswith("[y/n]"):
            return Prompt(screen.text, (Choice("Yes", "y", "approve"), Choice("No", "n", "deny")))
        return None


class HomeCheck:
    name, category = "home-exists", "environment"

    def run(self, config) -> CheckResult:
        return CheckResult(self.name, "pass" if config.home.exists() else "fail", str(config.home))


class Everything:
    name = "everything"

    @hookimpl
    def register_adapters(self, register):
        register(FakeAdapter("fake"))
        register(FakeAdapter("fake"))  # duplicate: ignored

    @hookimpl
    def register_channels(self, register):
        register(FakeChannel("pager"))

    @hookimpl
    def register_config_sections(self, register):
        register(ConfigSection("pager", (Setting("number", "str", None, secret=True),)))

    @hookimpl
    def register_prompt_detectors(self, register):
        register(YesNoDetector())

    @hookimpl
    def register_doctor_checks(self, register):
        register(HomeCheck())

    @hookimpl
    def register_commands(self, cli):
        @cli.command("page")
        def page() -> None:
            click.echo("paged")


class BrokenRegistrar:
    name = "broken-registrar"

    @hookimpl
    def register_channels(self, register):
        raise RuntimeError("no credentials module")

    @hookimpl
    def register_commands(self, cli):
        raise RuntimeError("click too old")


def test_register_adapters_collects_by_name_and_ignores_duplicates(aegis_plugins):
    adapters = aegis_plugins(Everything()).adapters()
    assert list(adapters) == ["fake"]
    assert adapters["fake"].claims("fake")


def test_register_channels_with_builtins(aegis_plugins):
    channels = aegis_plugins(Everything(), builtins=True).channels()
    assert {"terminal", "cli", "pager"} <= set(channels)


def test_register_channels_failure_is_reported_and_others_kept(aegis_plugins):
    plugins = aegis_plugins(BrokenRegistrar(), Everything())
    assert list(plugins.channels()) == ["pager"]
    record = next(r for r in plugins.records if r.name == "broken-registrar")
    assert record.status == "error"
    assert "register_channels" in (record.error or "") and "no credentials module" in (
        record.error or ""
    )


def test_register_config_sections_declares_validated_secret_keys(aegis_plugins, aegis_home):
    sections = aegis_plugins(Everything()).config_sections()
    config = load_config(env={"AEGIS_PAGER_NUMBER": "+100"}, sections=sections)
    assert config.get("pager", "number") == "+100"
    assert config.source("pager", "number") == "env"
    assert config.flat()["pager.number"] == "***REDACTED***"


def test_register_prompt_detectors(aegis_plugins):
    (detector,) = aegis_plugins(Everything()).prompt_detectors()
    prompt = detector.detect(Screen(("Delete 3 files? [y/n]",)))
    assert prompt is not None and [c.meaning for c in prompt.choices] == ["approve", "deny"]


def test_register_doctor_checks(aegis_plugins, aegis_home):
    (check,) = aegis_plugins(Everything()).doctor_checks()
    assert check.run(load_config(home=aegis_home, env={})).status == "pass"
    assert check.run(load_config(home=aegis_home / "missing", env={})).status == "fail"


def test_register_commands_adds_commands_and_survives_a_broken_plugin(aegis_plugins):
    from click.testing import CliRunner

    plugins = aegis_plugins(BrokenRegistrar(), Everything())

    @click.group()
    def group() -> None:
        pass

    plugins.add_commands(group)
    assert CliRunner().invoke(group, ["page"]).output == "paged\n"
    record = next(r for r in plugins.records if r.name == "broken-registrar")
    assert "register_commands" in (record.error or "")
