"""Process logging: text or JSON lines, request/user/outbox ids, secrets and personal data removed.

:func:`configure` is called once by the CLI (``onramp serve --log-format json``); nothing happens
at import time. Every record, from our loggers and from the libraries' (``slack_bolt`` logs the
whole request body when a signature is invalid; ``slack_sdk``, ``httpx`` and ``anthropic`` log
request headers and bodies at DEBUG), passes through one :class:`Redactor` before it is written:

- the configured secrets by value (bot token, app token, signing secret, Anthropic key) and every
  Slack token by pattern (:class:`bot.slack.logsafety.SecretMasker`, which this builds on);
- credentials by shape: ``Authorization``/``x-api-key`` header values, the legacy ``token=``
  verification token of slash-command and interaction bodies, ``sk-ant-…`` keys;
- personal data: e-mail addresses, phone and card numbers
  (:func:`bot.domain.guardrails.redact`, the same rules as ``qa_log``).

Context ids travel in contextvars (:mod:`bot.logcontext`): ``log_context`` sets them (the Slack
middleware sets ``request_id``/``user_id``, the check-in messenger ``outbox_id``, the scheduler a
tick id) and every record carries them as attributes, which the JSON formatter writes as fields.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

from bot.domain.guardrails import redact
from bot.logcontext import CONTEXT_FIELDS, context_value, log_context
from bot.slack.logsafety import MASK, SecretMasker

LogFormat = Literal["text", "json"]
__all__ = ["CONTEXT_FIELDS", "Redactor", "configure", "log_context", "make_handler"]

LOG_FORMATS: tuple[LogFormat, ...] = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s%(context)s"

# Credentials by shape. Each keeps the name and masks the value; values stop at a backslash so
# that masking the JSON formatter's output never breaks an escape.
_CREDENTIAL_PATTERNS = (
    # Authorization: Bearer xoxb-… / 'authorization': 'Bearer sk-ant-…' (dict reprs, raw headers)
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?(?:bearer|basic|token)\s+)[^\s'\",}\\]+"),
    re.compile(r"(?i)(x-api-key['\"]?\s*[:=]\s*['\"]?)[^\s'\",}\\]+"),
    # The legacy verification token of form bodies (token=…&team_id=…) and JSON bodies.
    re.compile(r"(?i)((?:^|[?&\s'\"{(,])token=)[^&\s'\"\\]+"),
    re.compile(r"(?i)(['\"]token\\?['\"]\s*:\s*\\?['\"])[^'\"\\]+"),
    re.compile(
        r"(?i)(['\"](?:signing_secret|client_secret|api_key)\\?['\"]\s*:\s*\\?['\"])[^'\"\\]+"
    ),
    re.compile(r"()\bsk-ant-[A-Za-z0-9_\-]{6,}"),
)


_DATETIME = re.compile(r"\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?")


class Redactor:
    """Removes secrets (by value and by shape) and personal data from text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.masker = SecretMasker(secrets)

    def __call__(self, text: str) -> str:
        """``text`` with every secret, credential, e-mail, phone and card number masked."""
        text = self.masker.mask(text)
        for pattern in _CREDENTIAL_PATTERNS:
            text = pattern.sub(lambda m: f"{m.group(1)}{MASK}", text)
        # Dates and times are kept whole: "2026-11-29 02:24" would otherwise read as a phone.
        parts, last = [], 0
        for match in _DATETIME.finditer(text):
            parts += [redact(text[last : match.start()]).text, match.group(0)]
            last = match.end()
        parts.append(redact(text[last:]).text)
        return "".join(parts)


class ContextFilter(logging.Filter):
    """Puts the context ids (and a ``context`` suffix for the text format) on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Never drops a record; an id given with ``extra=`` wins over the context."""
        parts = []
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is None:
                value = context_value(name)
                setattr(record, name, value)
            if value is not None:
                parts.append(f"{name.removesuffix('_id')}={value}")
        record.context = f" [{' '.join(parts)}]" if parts else ""
        return True


class RedactingFilter(logging.Filter):
    """Redacts the formatted message in place, so every formatter and handler sees it clean."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        """Never drops a record."""
        try:
            message = record.getMessage()
        except Exception:  # a bad format string in a library: keep the template only
            message = str(record.msg)
        record.msg, record.args = self.redactor(message), None
        return True


class RedactingFormatter(logging.Formatter):
    """Wraps a formatter so tracebacks and anything else it adds are redacted too."""

    def __init__(self, inner: logging.Formatter, redactor: Redactor) -> None:
        super().__init__()
        self.inner = inner
        self.redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        """The inner formatter's output, redacted."""
        return self.redactor(self.inner.format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the context ids, the error.

    Fields are redacted before they are encoded (redacting the encoded line could cut through
    its quotes); the filter has already cleaned the message, this covers tracebacks.
    """

    def __init__(self, redactor: Redactor | None = None) -> None:
        super().__init__()
        self.redactor = redactor or Redactor()

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line (keys are stable: log pipelines index them)."""
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self.redactor(record.getMessage()),
        }
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                data[name] = value
        if record.exc_info:
            data["error"] = self.redactor(self.formatException(record.exc_info))
        elif record.exc_text:
            data["error"] = self.redactor(record.exc_text)
        if record.stack_info:
            data["stack"] = self.redactor(record.stack_info)
        return json.dumps(data, ensure_ascii=False, default=str)


def make_handler(
    *, fmt: LogFormat, secrets: Iterable[str] = (), stream: TextIO | None = None
) -> logging.Handler:
    """A stream handler that adds the context, redacts, and writes text or JSON lines."""
    if fmt not in LOG_FORMATS:
        raise ValueError(f"log format {fmt!r}: use one of {', '.join(LOG_FORMATS)}")
    redactor = Redactor(secrets)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactingFilter(redactor))
    if fmt == "json":
        handler.setFormatter(JsonFormatter(redactor))
    else:
        handler.setFormatter(RedactingFormatter(logging.Formatter(TEXT_FORMAT), redactor))
    return handler


def configure(
    *,
    level: str | int = "INFO",
    fmt: LogFormat = "text",
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
) -> logging.Handler:
    """Send every log record to one redacting handler (replacing the root's handlers)."""
    handler = make_handler(fmt=fmt, secrets=secrets, stream=stream)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)
    return handler
