"""Keeps secrets out of logs: Slack tokens by pattern, and any configured secret by value."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

#: Slack tokens: bot (xoxb-), user (xoxp-), app-level (xapp-), and the other xox? kinds.
TOKEN_PATTERN = re.compile(r"\b(xox[abeoprs]|xapp)-[A-Za-z0-9-]+")
MASK = "[redacted]"


class SecretMasker:
    """Replaces tokens and known secret values in text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Short values would mask ordinary words; real secrets are long.
        self.secrets = sorted({s for s in secrets if s and len(s) >= 8}, key=len, reverse=True)

    def mask(self, text: str) -> str:
        """``text`` with every secret replaced by ``[redacted]``."""
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return TOKEN_PATTERN.sub(lambda m: f"{m.group(1)}-{MASK}", text)


class SecretFilter(logging.Filter):
    """A handler filter that masks the formatted message (arguments included)."""

    def __init__(self, masker: SecretMasker) -> None:
        super().__init__()
        self.masker = masker

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask in place; never drops a record."""
        message = record.getMessage()
        masked = self.masker.mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class MaskingFormatter(logging.Formatter):
    """Wraps a handler's formatter so tracebacks and extras are masked too."""

    def __init__(self, inner: logging.Formatter | None, masker: SecretMasker) -> None:
        super().__init__()
        self.inner = inner or logging.Formatter()
        self.masker = masker

    def format(self, record: logging.LogRecord) -> str:
        """The inner formatter's output, masked."""
        return self.masker.mask(self.inner.format(record))


def install(secrets: Iterable[str] = (), *, logger: logging.Logger | None = None) -> SecretMasker:
    """Mask secrets on every handler of ``logger`` (the root logger by default)."""
    masker = SecretMasker(secrets)
    target = logger or logging.getLogger()
    for handler in target.handlers:
        handler.addFilter(SecretFilter(masker))
        handler.setFormatter(MaskingFormatter(handler.formatter, masker))
    return masker
