"""``[store] url``: which store a home uses, and the URL as it may be shown (the
password never is: ``config get`` prints ``***REDACTED***`` in its place, and logs,
errors and status name only the user, host, port and database)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit, urlunsplit

REDACTED = "***REDACTED***"
SCHEMES = ("postgresql", "postgres")


def is_postgres(url: str | None) -> bool:
    return bool(url) and urlsplit(str(url)).scheme in SCHEMES


def redact_url(url: str) -> str:
    """``url`` with its password (in the authority or a ``password=`` parameter) masked."""
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
    parts = urlsplit(url)
    host = parts.hostname or parse_qs(parts.query).get("host", ["local socket"])[0]
    port = f":{parts.port}" if parts.port else ""
    user = f"{parts.username}@" if parts.username else ""
    return f"{user}{host}{port}{parts.path or '/'}"


def scrub(text: str, url: str) -> str:
    """``text`` (an error message) with the URL's password taken out, should a driver
    ever repeat it."""
    password = urlsplit(url).password
    for secret in filter(None, [password, *parse_qs(urlsplit(url).query).get("password", [])]):
        text = text.replace(secret, REDACTED)
    return text
