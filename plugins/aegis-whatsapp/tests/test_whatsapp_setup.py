"""Configuration, plugin wiring, doctor checks and the webhook server's lifecycle."""

from __future__ import annotations

import socket
from pathlib import Path

import anyio
import pytest
from aegis_whatsapp import plugin
from aegis_whatsapp.doctor import CredentialsCheck, TemplateCheck, WebhookPortCheck, WindowCheck
from aegis_whatsapp.fake_graph import FakeGraph
from aegis_whatsapp.settings import WhatsAppSettings, parse_roles
from aegis_whatsapp.window import WindowTracker
from whatsapp_support import APP_SECRET, APPROVER, PHONE_ID, TOKEN, VIEWER, make_config, running_channel

from aegis_core.config import load_config
from aegis_core.errors import AegisEnvironmentError, ConfigError
from aegis_core.testing import make_plugins


def test_every_key_comes_from_the_environment_and_secrets_are_masked(home: Path) -> None:
    config = make_config(home, None)
    from aegis_whatsapp.channel import WhatsAppChannel

    assert WhatsAppChannel().is_configured(config)
    settings = WhatsAppSettings.from_config(config)
    assert settings.allowed_numbers == (APPROVER, VIEWER)
    assert settings.approvers == (APPROVER,)
    assert settings.role("15550000000") is None
    flat = config.flat()
    for key in ("access_token", "app_secret", "verify_token"):
        assert flat[f"whatsapp.{key}"] == "***REDACTED***"
    assert TOKEN not in repr(settings) and APP_SECRET not in repr(settings)


def test_not_configured_without_credentials(home: Path) -> None:
    from aegis_whatsapp.channel import WhatsAppChannel

    config = load_config(home=home, env={}, sections=[plugin.SECTION])
    assert not WhatsAppChannel().is_configured(config)
    with pytest.raises(ConfigError, match="missing access_token"):
        WhatsAppSettings.from_config(config)


def test_roles_must_name_a_known_role() -> None:
    assert parse_roles(["+1 555 0001:Viewer", "15550002=admin"]) == {
        "15550001": "viewer",
        "15550002": "admin",
    }
    with pytest.raises(ConfigError, match="NUMBER:ROLE"):
        parse_roles(["15550001:owner"])


def test_plugin_registers_section_channel_and_doctor_checks() -> None:
    plugins = make_plugins(plugin)
    assert "whatsapp" in plugins.channels()
    assert "whatsapp" in [s.name for s in plugins.config_sections()]
    names = {check.name for check in plugins.doctor_checks()}
    assert {
        "whatsapp.credentials",
        "whatsapp.webhook_port",
        "whatsapp.template",
        "whatsapp.window",
    } <= names


def test_doctor_reports_credentials_template_port_and_window(home: Path) -> None:
    config = make_config(home, None)
    assert CredentialsCheck().run(config).status == "pass"
    assert TOKEN not in CredentialsCheck().run(config).message
    assert TemplateCheck().run(config).status == "pass"
    assert TemplateCheck().run(make_config(home, None, template_name="")).status == "warn"
    partial = load_config(home=home, env={"AEGIS_WHATSAPP_ACCESS_TOKEN": TOKEN}, sections=[plugin.SECTION])
    failed = CredentialsCheck().run(partial)
    assert failed.status == "fail" and "phone_number_id" in failed.message

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        taken = WebhookPortCheck().run(make_config(home, None, webhook_port=str(port)))
        assert taken.status == "fail" and str(port) in taken.message

    assert WindowCheck().run(config).status == "pass"  # nothing known yet
    tracker = WindowTracker(path=home / "whatsapp-state.json")
    tracker.refused(APPROVER)
    closed = WindowCheck().run(config)
    assert closed.status == "warn" and "closed" in closed.message and APPROVER not in closed.message
    tracker.inbound(APPROVER)
    assert WindowCheck().run(config).status == "pass"


def test_unconfigured_doctor_checks_pass_quietly(home: Path) -> None:
    config = load_config(home=home, env={}, sections=[plugin.SECTION])
    for check in (CredentialsCheck(), WebhookPortCheck(), TemplateCheck(), WindowCheck()):
        assert check.run(config).status == "pass"


@pytest.mark.anyio
async def test_a_busy_webhook_port_is_a_clear_error(home: Path, fake_graph: FakeGraph) -> None:
    from aegis_whatsapp.channel import WhatsAppChannel
    from whatsapp_support import StoreHub

    from aegis_core.store import Store

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        config = make_config(home, fake_graph, webhook_port=str(busy.getsockname()[1]))
        channel = WhatsAppChannel()
        with Store.open(home / "aegis.db") as store:
            with pytest.raises(AegisEnvironmentError, match="webhook_port"):
                await channel.run(StoreHub(config, store, channel))


@pytest.mark.anyio
async def test_cancelling_the_channel_frees_the_port(home: Path, fake_graph: FakeGraph) -> None:
    async with running_channel(home, fake_graph) as run:
        host, port = run.channel.address
        assert (await run.client.get(run.url)).status_code == 403
    assert run.channel.address is None
    with socket.socket() as again:  # the port is ours to bind again: the server is gone
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind((host, port))


@pytest.mark.anyio
async def test_notify_from_another_thread_reaches_the_queue(home: Path, fake_graph: FakeGraph) -> None:
    async with running_channel(home, fake_graph) as run:
        approval, call = run.hub.request()
        await anyio.to_thread.run_sync(run.channel.notify, approval, call)
        sent = await run.sent(lambda s: any(m["type"] == "interactive" for m in s))
        assert sent[0]["to"] == APPROVER


def test_setup_writes_the_section_and_keeps_the_rest(home: Path, fake_graph: FakeGraph) -> None:
    from aegis_whatsapp.channel import WhatsAppChannel
    from aegis_whatsapp.setup import run_setup

    config_file = home / "config.toml"
    config_file.write_text("# mine\n[approvals]\ntimeout_seconds = 60\n"
                           f'[whatsapp]\napi_base = "{fake_graph.api_base}"\n')
    config_file.chmod(0o600)
    answers = iter([TOKEN, "106540352242922", APP_SECRET, "vt", "+1 555 123 0001", "aegis_pending", "", ""])
    asked: list[tuple[str, bool]] = []

    def ask(question: str, secret: bool) -> str:
        asked.append((question, secret))
        return next(answers)

    said: list[str] = []
    result = run_setup(config_file, interactive=True, options={}, say=said.append, ask=ask)
    assert result == {"configured": True, "webhook": "http://127.0.0.1:8787/webhook", "template": True}
    assert [secret for _, secret in asked][:4] == [True, False, True, True]
    text = config_file.read_text()
    assert "# mine" in text and "timeout_seconds = 60" in text
    assert oct(config_file.stat().st_mode & 0o777) == "0o600"
    config = load_config(path=config_file, home=home, env={}, sections=[plugin.SECTION])
    assert WhatsAppChannel().is_configured(config)
    assert config.get("whatsapp", "allowed_numbers") == ["+1 555 123 0001"]
    assert not any(TOKEN in line for line in said)
    assert any("the API accepted the credentials" in line for line in said)
    assert fake_graph.sent == []  # checking the credentials sends nobody anything


def test_setup_does_not_accept_credentials_that_never_worked(home: Path, fake_graph: FakeGraph) -> None:
    from aegis_whatsapp.setup import run_setup

    config_file = home / "config.toml"
    config_file.write_text(f'[whatsapp]\napi_base = "{fake_graph.api_base}"\n')
    config_file.chmod(0o600)
    options = {"whatsapp_access_token": "EAAwrongtoken0123456789abcdefghijklmnopqrstuv",
               "whatsapp_phone_number_id": PHONE_ID, "whatsapp_app_secret": APP_SECRET,
               "whatsapp_verify_token": "vt", "whatsapp_allowed_numbers": "+1 555 123 0001"}
    said: list[str] = []
    result = run_setup(config_file, interactive=False, options=options, say=said.append)
    assert result["configured"] is False and "Invalid OAuth access token" in result["error"]
    assert any("the credentials did not work" in line for line in said)


def test_doctor_fails_on_credentials_the_api_refuses(home: Path, fake_graph: FakeGraph) -> None:
    from aegis_whatsapp.doctor import ConnectivityCheck

    good = ConnectivityCheck().run(make_config(home, fake_graph))
    assert good.status == "pass"
    fake_graph.access_token = "EAAsomethingelse0123456789abcdefghijklmnopqrs"  # the token was revoked
    bad = ConnectivityCheck().run(make_config(home, fake_graph))
    assert bad.status == "fail" and bad.code == 4 and "refused the credentials" in bad.message
