"""Context ids for log records (``request_id``, ``user_id``, ``outbox_id``), in contextvars.

Kept apart from :mod:`bot.logging_setup` and free of imports of ours, so any layer may set them:
the Slack middleware sets the request and user, the check-in messenger the outbox row, the
scheduler a tick id. :class:`bot.logging_setup.ContextFilter` copies them onto every record.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

#: The context fields every record carries (None when unset).
CONTEXT_FIELDS = ("request_id", "user_id", "outbox_id")
_CONTEXT: dict[str, ContextVar[str | None]] = {
    name: ContextVar(f"onramp_log_{name}", default=None) for name in CONTEXT_FIELDS
}


@contextmanager
def log_context(**fields: str | int | None) -> Iterator[None]:
    """Set context ids (``request_id``, ``user_id``, ``outbox_id``) for the records in the block."""
    tokens = []
    for name, value in fields.items():
        if name not in _CONTEXT:
            raise ValueError(f"unknown log context field {name!r}; use one of {CONTEXT_FIELDS}")
        tokens.append((name, _CONTEXT[name].set(None if value is None else str(value))))
    try:
        yield
    finally:
        for name, token in reversed(tokens):
            _CONTEXT[name].reset(token)


def context_value(name: str) -> str | None:
    """The current value of a context id (None when unset)."""
    return _CONTEXT[name].get()
