"""``[store] url``: which store a home uses, and the URL as it may be shown (the
password never is: ``config get`` prints ``***REDACTED***`` in its place, and logs,
errors and status name only the user, host, port and database)."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

REDACTED = "***REDACTED***"
SCHEMES = ("postgresql", "postgres")


def is_postgres(url: str | None) -> bool:
    return bool(url) and str(url).partition("://")[0].lower() in SCHEMES


def check_url(url: str) -> None:
    """Refuse a PostgreSQL URL that cannot be read (a bad port, a broken IPv6
    address) with an error that names the setting, never the password."""
    from aegis_core.errors import ConfigError

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        raise ConfigError(f"[store] url {redact_url(url)} is not a valid URL: {scrub(str(exc), url)}",
                          hint="it reads postgresql://user:password@host:port/database") from None


def redact_url(url: str) -> str:
    """``url`` with its password (in the authority or a ``password=`` parameter) masked;
    a URL too broken to read shows only its scheme."""
    try:
        return _redact_url(url)
    except ValueError:
        return f"{url.partition('://')[0]}://{REDACTED}"


def _redact_url(url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user, colon, _password = userinfo.partition(":")
        netloc = f"{user}:{REDACTED}@{hostport}" if colon else netloc
    query = parts.query
    if "password=" in query:
        query = "&".join(f"password={REDACTED}" if item.startswith("password=") else item
                         for item in query.split("&"))
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def describe_url(url: str) -> str:
    """``user@host:port/database``: enough to find the server, nothing secret."""
    try:
        parts = urlsplit(url)
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(an unreadable [store] url)"
    host = parts.hostname or parse_qs(parts.query).get("host", ["local socket"])[0]
    user = f"{parts.username}@" if parts.username else ""
    return f"{user}{host}{port}{parts.path or '/'}"


def scrub(text: str, url: str) -> str:
    """``text`` (an error message) with the URL's password taken out, should a driver
    ever repeat it."""
    try:
        parts = urlsplit(url)
        secrets = [parts.password, *parse_qs(parts.query).get("password", [])]
    except ValueError:  # unreadable: take out whatever stands between "user:" and "@"
        userinfo = url.partition("://")[2].rpartition("@")[0]
        secrets = [userinfo.partition(":")[2]]
    secrets += [unquote(secret) for secret in secrets if secret]
    for secret in sorted(filter(None, set(secrets)), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text
