"""Small frozen value classes for the modules the quick commands load (``aegis
status``, ``aegis approvals list``: configuration, daemon state, the client's
identity check; an approval), written out rather than as dataclasses: importing ``dataclasses``
(with ``inspect``, ``ast``, ``dis``) costs those commands more than the rest of their
start-up."""

from __future__ import annotations

# Not `from typing import ...`: loading typing costs the quick commands (aegis
# status, aegis approvals list) a visible share of their start-up.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Self


class Frozen:
    """Equality, hash and repr by the slots' values; no attribute set after
    ``__init__`` (which sets them with ``object.__setattr__`` through :meth:`_set`)."""

    # The fields in order (``__init__``'s); ``__slots__`` is the same tuple.
    __match_args__: tuple[str, ...] = ()
    __slots__: tuple[str, ...] = ()

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def _set(self, *values: Any) -> None:
        for name, value in zip(self.__match_args__, values, strict=True):
            object.__setattr__(self, name, value)

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` (``dataclasses.replace``'s job)."""
        unknown = set(changes) - set(self.__match_args__)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {', '.join(sorted(unknown))}")
        copy = object.__new__(type(self))
        for name in self.__match_args__:
            object.__setattr__(copy, name, changes[name] if name in changes else getattr(self, name))
        return copy

    def __reduce__(self) -> tuple[Any, ...]:  # copy and pickle, past __setattr__
        return _restore, (type(self), self._fields())

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__match_args__)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__match_args__)
        return f"{type(self).__name__}({shown})"


def _restore(cls: type[Frozen], values: tuple[Any, ...]) -> Frozen:
    copy = object.__new__(cls)
    copy._set(*values)
    return copy
