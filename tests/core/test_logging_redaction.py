"""Secrets never reach a log line: the redaction processor of configure_logging,
for structlog events and for stdlib logging (httpx logs request URLs)."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest
import structlog

from aegis_core.logconfig import configure_logging
from aegis_core.redact import MASK, redact_text, redact_value

TELEGRAM_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw-"
OPENAI_KEY = "sk-proj-abcdefghijklmnopqrstuvwx"


@pytest.fixture
def log_stream():
    stream = io.StringIO()
    configure_logging("DEBUG", fmt="json", stream=stream)
    yield stream
    for handler in list(logging.getLogger().handlers):
        logging.getLogger().removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_structlog_events_are_json_with_secrets_masked(log_stream):
    log = structlog.get_logger("aegis.test")
    log.info(
        "sending",
        url=f"https://api.telegram.org/bot{TELEGRAM_TOKEN}/sendMessage",
        headers={"Authorization": "Bearer abc.def", "Accept": "application/json"},
        bot_token="plain-looking",
        api_secret="s3cret",
        user_password="hunter2",
        note=f"key is {OPENAI_KEY}",
        count=3,
    )
    (line,) = lines(log_stream)
    text = log_stream.getvalue()
    for secret in (TELEGRAM_TOKEN, "abc.def", "plain-looking", "s3cret", "hunter2", OPENAI_KEY):
        assert secret not in text
    assert line["url"] == f"https://api.telegram.org/bot{MASK}/sendMessage"
    assert line["headers"] == {"Authorization": MASK, "Accept": "application/json"}
    assert line["bot_token"] == line["api_secret"] == line["user_password"] == MASK
    assert line["note"] == f"key is {MASK}"
    assert line["count"] == 3
    assert line["level"] == "info" and line["logger"] == "aegis.test" and "timestamp" in line


def test_stdlib_logging_goes_through_the_same_chain(log_stream):
    # A third-party library logging a URL with a token in it (httpx itself is kept
    # at WARNING, see test_http_client_request_lines_are_not_logged).
    logging.getLogger("some_http_lib").info(
        "HTTP Request: POST https://api.telegram.org/bot%s/getUpdates", TELEGRAM_TOKEN
    )
    logging.getLogger("other").warning("Authorization: Bearer %s", "xyz-123")
    first, second = lines(log_stream)
    assert TELEGRAM_TOKEN not in log_stream.getvalue() and "xyz-123" not in log_stream.getvalue()
    assert first["logger"] == "some_http_lib" and MASK in first["message"]
    assert second["level"] == "warning" and second["message"] == f"Authorization: Bearer {MASK}"


def test_exceptions_are_redacted_too(log_stream):
    log = structlog.get_logger("aegis.test")
    try:
        raise RuntimeError(f"bad token {TELEGRAM_TOKEN}")
    except RuntimeError:
        log.exception("failed")
    assert TELEGRAM_TOKEN not in log_stream.getvalue()
    assert "RuntimeError" in lines(log_stream)[0]["exception"]


def test_level_filters(log_stream):
    configure_logging("WARNING", fmt="json", stream=log_stream)
    structlog.get_logger().info("quiet")
    structlog.get_logger().warning("loud")
    assert [line["message"] for line in lines(log_stream)] == ["loud"]


def test_text_format_on_request():
    stream = io.StringIO()
    configure_logging("INFO", fmt="text", stream=stream)
    structlog.get_logger().info("hello", token="abc")
    assert "hello" in stream.getvalue() and "abc" not in stream.getvalue()
    with pytest.raises(json.JSONDecodeError):
        json.loads(stream.getvalue().splitlines()[0])


def test_json_by_default_when_not_a_terminal():
    stream = io.StringIO()  # isatty() is False
    configure_logging("INFO", stream=stream)
    structlog.get_logger().info("hello")
    assert json.loads(stream.getvalue())["message"] == "hello"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (
            f"curl https://api.telegram.org/bot{TELEGRAM_TOKEN}/getMe",
            "curl https://api.telegram.org/bot",
        ),
        (f"token {TELEGRAM_TOKEN}.", "token "),
        ("export OPENAI_API_KEY=sk-abcdefghijklmnopqrstuv", "export OPENAI_API_KEY="),
        ("curl -H 'Authorization: Bearer eyJabc.def.ghi' x", "Authorization: Bearer "),
        ("git clone https://bob:pa55word@github.com/x.git", "https://bob:"),
        ("mysql --password=hunter2 db", "--password="),
        ("AKIAABCDEFGHIJKLMNOP in env", " in env"),
    ],
)
def test_redact_text_masks_secrets_keeping_context(text, kept):
    redacted = redact_text(text)
    assert MASK in redacted and kept in redacted


def test_redact_text_leaves_ordinary_text_and_variable_references():
    for text in ("ls -la /tmp", "echo $GITHUB_TOKEN", "token=$TOKEN", "12:30 meeting"):
        assert redact_text(text) == text


def test_redact_value_masks_secret_named_keys_and_nested_values():
    value = {"env": {"GITHUB_TOKEN": "ghp_" + "x" * 36, "PATH": "/bin"}, "empty_secret": ""}
    assert redact_value(value) == {
        "env": {"GITHUB_TOKEN": MASK, "PATH": "/bin"},
        "empty_secret": "",
    }


def test_http_client_request_lines_are_not_logged(tmp_path) -> None:
    import io
    import logging

    from aegis_core.logconfig import configure_logging

    stream = io.StringIO()
    configure_logging("DEBUG", fmt="json", stream=stream)
    token = "123456789:" + "A" * 35
    logging.getLogger("httpx").info("HTTP Request: POST https://api.telegram.org/bot%s/getMe", token)
    logging.getLogger("aegis_core.test").info("still logging")
    assert "api.telegram.org" not in stream.getvalue()
    assert "still logging" in stream.getvalue()


# -- what is redacted: values that look like secrets, not words (issue #16) ----------

PROSE = [
    "ask the user for the one non-secret token you need",
    "The password: is stored in the vault, ask for it",
    "--token is required; pass --password to the tool",
    "api_key = the one from the dashboard",
    "Use the token: it is in your env",
    "a non-password field and the self-token approach",
    "max_tokens: 1024 and input_tokens=87",
    "Token budget: none left",
]

SECRET_LINES = [
    ("export GITHUB_TOKEN=abc", "abc"),
    ("mysql --password hunter", "hunter"),
    ("mysql --password=hunter", "hunter"),
    ("password: hunter2", "hunter2"),
    ("set DB_PASSWORD = correcthorse", "correcthorse"),
    ('curl -H "Authorization: Bearer abc"', "abc"),
    ('{"token": "abcdef"}', "abcdef"),
    ('{"api_key":"k-123"}', "k-123"),
    ("token=1234", "1234"),
    (f"the bot is {TELEGRAM_TOKEN} ok", TELEGRAM_TOKEN),
    (f"use {OPENAI_KEY} for it", OPENAI_KEY),
]


@pytest.mark.parametrize("text", PROSE)
def test_ordinary_words_next_to_secret_names_are_kept(text: str) -> None:
    assert redact_text(text) == text


@pytest.mark.parametrize(("text", "secret"), SECRET_LINES)
def test_values_that_look_like_secrets_are_masked(text: str, secret: str) -> None:
    masked = redact_text(text)
    assert secret not in masked and MASK in masked


def test_the_quick_look_never_changes_what_is_masked(monkeypatch) -> None:
    """The quick look leaves out of the one pattern every family whose mark a text
    lacks: that must never change what is masked. Compare with the pattern of every
    family on routine commands and on every kind of secret."""
    import sys
    from pathlib import Path

    from aegis_core import redact

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "policy"))
    import policy_corpus

    texts = [str(item) for name in dir(policy_corpus) if name.isupper()
             for item in (getattr(policy_corpus, name) if isinstance(getattr(policy_corpus, name), list) else [])]
    assert len(texts) > 300
    texts += ["TOKEN=abc123", "curl -u bob:hunter2 https://x", "https://u:p4ss@host/x", "Authorization: Basic Zm9v",
              "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1", "sk-ant-" + "a" * 30, "ghp_" + "b" * 36,
              "AKIAABCDEFGHIJKLMNOP", "eyJhbGciOi.eyJzdWIiOiIx.SflKxwRJSMeKKF2QT4", "my api_key: zzz",
              "--password=x", "xoxb-1234567890-abc", "AIza" + "c" * 35, "nothing to see here"]
    every_family = frozenset([mark for mark, _ in redact._TOKENS] + ["://", "header", "named", "flag"])
    assert len(every_family) == 13  # nine tokens, URLs, three assignments (e-mail addresses: a pass after)
    quick = [redact.redact_text(text, pii=pii) for text in texts for pii in (False, True)]
    monkeypatch.setattr(redact, "_families", lambda text: every_family)
    full = [redact.redact_text(text, pii=pii) for text in texts for pii in (False, True)]
    assert quick == full
    assert sum(redact.MASK in text for text in full) >= 24


def test_redacted_text_is_not_redacted_again(monkeypatch) -> None:
    from aegis_core import redact

    once = redact.redact_text("deploy --token=s3cr3t-value")
    assert redact.MASK in once and isinstance(once, redact.Redacted)
    monkeypatch.setattr(redact, "_pattern", None)  # a second pass would fail
    assert redact.redact_text(once) is once
    assert redact.redact_value({"summary": once, "approval_id": "a1"}) == {"summary": once, "approval_id": "a1"}


# -- every family, masked by the one pattern (issue 15: one pass, not eleven) ---------

PEM_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7 VHJpbmsgYSBzZWNyZXQ="
FAMILIES = [
    ("telegram", f"curl https://api.telegram.org/bot{TELEGRAM_TOKEN}/getMe", TELEGRAM_TOKEN),
    ("openai", "export OPENAI_KEY_FILE=x; run sk-proj-" + "A1b2" * 6, "sk-proj-" + "A1b2" * 6),
    ("anthropic", "key sk-ant-api03-" + "z" * 30, "sk-ant-api03-" + "z" * 30),
    ("github", "git push https://ghp_" + "g" * 36 + ":x-oauth-basic@github.com/o/r", "ghp_" + "g" * 36),
    ("github_pat", "gh auth login github_pat_" + "p" * 40, "github_pat_" + "p" * 40),
    ("slack", "post xoxb-1234567890-abcdefghij", "xoxb-1234567890-abcdefghij"),
    ("aws", "AKIAABCDEFGHIJKLMNOP in env", "AKIAABCDEFGHIJKLMNOP"),
    ("meta", "graph EAA" + "B" * 40, "EAA" + "B" * 40),
    ("google", "maps AIza" + "c" * 35 + " here", "AIza" + "c" * 35),
    ("private_key", f'{{"private_key": "-----BEGIN PRIVATE KEY-----\\n{PEM_BODY}\\n-----END PRIVATE KEY-----"}}',
     PEM_BODY.split()[0]),
    ("pem_in_flag", f"tool --token -----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}\n-----END RSA PRIVATE KEY-----",
     PEM_BODY.split()[1]),
    ("jwt", "curl -H 'X: eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.SflKxwRJSMeKKF2QT4fw'", "eyJzdWIiOiIxMjM0"),
    ("url_credentials", "git clone https://bob:pa55word@github.com/x.git", "pa55word"),
    ("authorization", 'curl -H "Authorization: Basic Zm9vOmJhcg=="', "Zm9vOmJhcg=="),
    ("named", "DB_PASSWORD='correct-horse' ./run", "correct-horse"),
    ("named_json", '{"client_secret":"s3cr3t-v4lue"}', "s3cr3t-v4lue"),
    ("flag", "mysql --password hunter2 db", "hunter2"),
    ("api_key_flag", "tool --api-key=k-123456 go", "k-123456"),
]


@pytest.mark.parametrize(("family", "text", "secret"), FAMILIES, ids=[f[0] for f in FAMILIES])
def test_every_secret_family_is_masked_by_the_one_pass(family: str, text: str, secret: str) -> None:
    masked = redact_text(text)
    assert secret not in masked and MASK in masked, masked
    assert secret not in redact_text(text, pii=True)


def test_a_text_is_scanned_once_whatever_families_it_holds(monkeypatch) -> None:
    from aegis_core import redact

    scans: list[str] = []
    build = redact._pattern

    def counted(families: frozenset[str]) -> Any:
        pattern = build(families)

        class Once:
            def sub(self, repl: Any, text: str) -> str:
                scans.append(text)
                return pattern.sub(repl, text)

        return Once()

    monkeypatch.setattr(redact, "_pattern", counted)
    everything = " ".join(text for _, text, _ in FAMILIES)
    masked = redact.redact_text(everything)
    assert scans == [everything]
    assert not any(secret in masked for _, _, secret in FAMILIES)


def test_e_mail_addresses_are_masked_only_when_asked() -> None:
    text = "mail bob@example.com the report"
    assert redact_text(text) == text
    assert redact_text(text, pii=True) == "mail ***EMAIL*** the report"


# An address run straight into a secret's name (no space, no separator): masking the
# address must neither swallow the name nor leave the secret's value behind it.
RUN_INTO = [
    ("bob@example.compassword=hunter2", "***EMAIL***password=***REDACTED***"),
    ("bob@example.comAPI_KEY=abc123", "***EMAIL***API_KEY=***REDACTED***"),
    ("to bob@example.com_token=abc123x now", "to ***EMAIL***_token=***REDACTED*** now"),
    ("bob@example.com.password=hunter2", "***EMAIL***.password=***REDACTED***"),
    ("bob@example.io--token=abc", "***EMAIL***--token=***REDACTED***"),
    ('{"x": "bob@example.comsecret: s3cr3t-v4lue"}', '{"x": "***EMAIL***secret: ***REDACTED***"}'),
    ("bob@example.comtoken=" + "sk-ant-" + "q" * 30, "***EMAIL***token=***REDACTED***"),
]


@pytest.mark.parametrize(("text", "expected"), RUN_INTO)
def test_an_address_run_into_a_secret_name_keeps_the_name_and_masks_the_value(text: str, expected: str) -> None:
    assert redact_text(text, pii=True) == expected
    assert "@example" not in redact_text(text, pii=True)
    assert MASK in redact_text(text)  # the secret, without pii as well


def test_addresses_whose_domain_holds_a_secret_word_are_masked_whole() -> None:
    for text in ("bob@ex.secretary.org", "x@a.tokens", "ops@passwords.example.com", "me@api-keys.io"):
        assert redact_text(text, pii=True) == "***EMAIL***", text

