"""What the sandbox remembers: people, calls, messages, ephemerals, views and response_url posts.

Records are snapshots: the sandbox hands out copies, so a test can keep one while the bot goes on
changing the workspace. Field names follow Slack's own (``ts``, ``thread_ts``, ``blocks``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

JsonDict = dict[str, Any]


@dataclass(frozen=True)
class User:
    """A simulated person (or bot) in the sandbox workspace."""

    id: str
    name: str
    tz: str = "UTC"
    real_name: str | None = None
    is_bot: bool = False
    deleted: bool = False
    email: str | None = None


@dataclass(frozen=True)
class Call:
    """One request the sandbox received, with what it answered.

    ``method`` is the Web API method (``chat.postMessage``), ``response_url`` for posts to a
    response URL, or the unknown path as sent. ``status`` is the HTTP status, ``None`` when the
    connection was reset on purpose. ``headers`` never contain the token.
    """

    method: str
    params: JsonDict
    headers: dict[str, str]
    at: datetime
    status: int | None
    response: JsonDict | None
    token_kind: Literal["bot", "app", "none", "invalid"] = "none"  # noqa: S105 - a label

    @property
    def ok(self) -> bool:
        """True when Slack would call this a success (HTTP 200 and ``"ok": true``)."""
        return self.status == 200 and bool(self.response and self.response.get("ok"))

    @property
    def error(self) -> str | None:
        """The Slack error code (``ratelimited``, ``channel_not_found`` …) when not ok."""
        if self.response is None:
            return "connection_reset"
        value = self.response.get("error")
        return str(value) if value is not None else None


@dataclass(frozen=True)
class Posted:
    """What every message carries, whoever may see it: where, who, when and what."""

    channel: str
    user: str
    ts: str
    text: str
    blocks: list[JsonDict] = field(default_factory=list)
    thread_ts: str | None = None


@dataclass(frozen=True)
class Message(Posted):
    """A message in a channel's history (the bot's, or a simulated person's)."""

    metadata: JsonDict | None = None
    bot_id: str | None = None
    edited_ts: str | None = None
    subtype: str | None = None

    @property
    def event_type(self) -> str | None:
        """``metadata.event_type`` when the message carries Slack message metadata."""
        return None if self.metadata is None else self.metadata.get("event_type")

    @property
    def event_payload(self) -> JsonDict:
        """``metadata.event_payload`` (empty when there is none)."""
        if self.metadata is None:
            return {}
        payload = self.metadata.get("event_payload")
        return payload if isinstance(payload, dict) else {}


@dataclass(frozen=True)
class Ephemeral(Posted):
    """A message only ``user`` saw: ``chat.postEphemeral``, a response_url post or a command ack.

    ``source`` tells which; ``replaces`` is the ts of the ephemeral message it replaced
    (``replace_original``), and ``deleted`` marks a ``delete_original``.
    """

    source: Literal["chat.postEphemeral", "response_url", "ack"] = "chat.postEphemeral"
    replaces: str | None = None
    deleted: bool = False


@dataclass(frozen=True)
class View:
    """A published Home tab or an opened modal, as Slack stores it."""

    id: str
    type: str
    user: str
    blocks: list[JsonDict]
    callback_id: str = ""
    private_metadata: str = ""
    external_id: str = ""
    title: JsonDict | None = None
    hash: str = ""
    root_view_id: str | None = None
    previous_view_id: str | None = None
    raw: JsonDict = field(default_factory=dict)

    def to_api(self, *, team_id: str, app_id: str, bot_id: str) -> JsonDict:
        """The ``view`` object Slack returns from views.* and sends in payloads."""
        body = dict(self.raw)
        body.update(
            {
                "id": self.id,
                "team_id": team_id,
                "type": self.type,
                "blocks": self.blocks,
                "private_metadata": self.private_metadata,
                "callback_id": self.callback_id,
                "external_id": self.external_id,
                "state": {"values": {}},
                "hash": self.hash,
                "root_view_id": self.root_view_id or self.id,
                "previous_view_id": self.previous_view_id,
                "app_id": app_id,
                "app_installed_team_id": team_id,
                "bot_id": bot_id,
            }
        )
        if self.title is not None:
            body["title"] = self.title
        return body


@dataclass(frozen=True)
class ResponsePost:
    """One POST to a response_url the sandbox handed out (or a slash command's ack body).

    ``kind`` is what it became: ``ephemeral``, ``in_channel``, ``replace`` or ``delete``.
    """

    url: str
    body: JsonDict
    channel: str
    user: str
    kind: Literal["ephemeral", "in_channel", "replace", "delete"]
    at: datetime
    source: Literal["response_url", "ack"] = "response_url"

    @property
    def text(self) -> str:
        """The posted text (empty when only blocks were sent)."""
        return str(self.body.get("text") or "")

    @property
    def blocks(self) -> list[JsonDict]:
        """The posted blocks."""
        blocks = self.body.get("blocks")
        return blocks if isinstance(blocks, list) else []


@dataclass(frozen=True)
class UploadedFile:
    """A file uploaded the way ``files_upload_v2`` does: ``files.getUploadURLExternal``, a POST
    of the bytes to the loopback ``upload_url``, then ``files.completeUploadExternal`` sharing it
    in ``channel`` (``None``: completed without sharing)."""

    id: str
    filename: str
    title: str
    content: bytes
    channel: str | None
    initial_comment: str = ""
    at: datetime | None = None

    @property
    def text(self) -> str:
        """The bytes as UTF-8 text (for reading an uploaded HTML or Markdown file back)."""
        return self.content.decode("utf-8")
