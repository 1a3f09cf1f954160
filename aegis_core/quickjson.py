"""JSON for the commands a user types most (``aegis status``, ``aegis approvals
list``, ``aegis --help``) without importing the ``json`` package: its decoder and
scanner compile regular expressions at import, which loads ``re`` (and with it
``enum``, ``functools``, ``collections``), a visible share of those commands'
start-up. The work is done by ``_json``, the C accelerator that ``json`` itself uses,
configured as ``json.loads`` and ``json.dumps(..., separators=(",", ":"))`` configure
it. Anything it does not take (another interpreter without ``_json``, a malformed or
unusual text, a value the C encoder refuses) goes to the ``json`` package, so the
results and the errors are always ``json``'s own."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

try:
    import _json
except ImportError:  # pragma: no cover - every CPython build has it
    _json = None  # type: ignore[assignment]

_WHITESPACE = " \t\n\r"  # JSON's whitespace, which json.loads skips around the value
_CONSTANTS = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}


class _Context:
    """What ``_json.make_scanner`` reads off a ``json.JSONDecoder()``: its defaults."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = _CONSTANTS.__getitem__


_scan = None if _json is None else _json.make_scanner(_Context())  # type: ignore[arg-type]


def loads(text: str | bytes) -> Any:
    """``json.loads(text)``."""
    if _scan is not None:
        try:
            value = text.decode("utf-8") if isinstance(text, bytes) else text
            value = value.strip(_WHITESPACE)
            result, end = _scan(value, 0)
            if end == len(value):
                return result
        except Exception:  # noqa: S110 - json.loads below gives the verdict and the error
            pass
    import json

    return json.loads(text)


def dumps(value: Any) -> str:
    """``json.dumps(value, separators=(",", ":"))``."""
    if _json is not None:
        try:
            encode = _json.make_encoder({}, _refuse, _json.encode_basestring_ascii, None, ":", ",",
                                        False, False, True)
            return "".join(encode(value, 0))
        except Exception:  # noqa: S110 - json.dumps below gives the verdict and the error
            pass
    import json

    return json.dumps(value, separators=(",", ":"))


def _refuse(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
