"""Fixtures for the Telegram channel tests: the fake Bot API on loopback, a config
pointing at it, an in-process hub and a channel."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from aegis_telegram.channel import TelegramChannel
from aegis_telegram.fake_api import FakeBotApi
from telegram_support import ADMIN, APPROVER, STRANGER, VIEWER, DictHub, fast_channel, make_config

from aegis_core.config import Config


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    with FakeBotApi(users=[APPROVER, VIEWER, ADMIN, STRANGER]) as fake:
        yield fake


@pytest.fixture
def config(aegis_home: Path, server: FakeBotApi) -> Config:
    return make_config(aegis_home, server)


@pytest.fixture
def channel() -> TelegramChannel:
    return fast_channel()


@pytest.fixture
def hub(config: Config, channel: TelegramChannel) -> DictHub:
    return DictHub(config, channel)
