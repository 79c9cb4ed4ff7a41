"""A value (an API key) that never shows in a repr, a log line, a message or JSON."""

from __future__ import annotations


class Secret:
    """Holds a secret; ``str()`` and ``repr()`` show ``***``, only :meth:`reveal` gives it."""

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The value itself, for the request body only."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)
