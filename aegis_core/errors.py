"""One error hierarchy for everything Aegis reports to a user. Each class carries the
exit code of the seed README's table; the CLI prints ``message`` (and ``hint``, what
to do next) on one line and exits with that code."""

from __future__ import annotations


class ExitCode:
    """The exit codes, as plain ints: an ``enum.IntEnum`` would load ``enum`` (with
    ``functools`` and ``collections``) into every command, the quick ones included."""

    OK = 0
    ERROR = 1
    CONFIG = 2
    ENVIRONMENT = 3
    NETWORK = 4
    PERMISSION = 5
    SECURITY = 6
    DEPENDENCY = 7
    STATE = 8


EXIT_CODES = frozenset(value for name, value in vars(ExitCode).items() if name.isupper())


class AegisError(Exception):
    """Base of every error Aegis explains to a user."""

    exit_code: int = ExitCode.ERROR

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(AegisError):
    exit_code = ExitCode.CONFIG


class AegisEnvironmentError(AegisError):
    exit_code = ExitCode.ENVIRONMENT


class NetworkError(AegisError):
    exit_code = ExitCode.NETWORK


class PermissionDenied(AegisError):
    exit_code = ExitCode.PERMISSION


class SecurityViolation(AegisError):
    exit_code = ExitCode.SECURITY


class DependencyMissing(AegisError):
    exit_code = ExitCode.DEPENDENCY


class StateCorruption(AegisError):
    exit_code = ExitCode.STATE


def error_line(exc: AegisError) -> str:
    """How the CLI reports an AegisError: one line, what went wrong and what to do."""
    return "aegis: error: " + exc.message + (f"; {exc.hint}" if exc.hint else "")


def internal_error_line(exc: BaseException) -> str:
    """How the CLI reports a bug: never a traceback unless asked for."""
    return (f"aegis: internal error: {type(exc).__name__}: {exc} "
            "(run again with --debug for the traceback, and please report it)")
