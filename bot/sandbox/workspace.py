"""The simulated workspace and the Web API methods over it, free of any HTTP.

:class:`Workspace` holds people, channels, message histories, ephemerals, views and response
URLs, and implements each Web API method as ``(params, token kind) → response body``; an
:class:`ApiError` becomes ``{"ok": false, "error": …}``. Shapes follow Slack's documentation and
``slack_sdk``'s request encoding (form fields are strings; JSON bodies keep their types). The
caller (:mod:`bot.sandbox.server`) holds the workspace lock around every call.
"""

from __future__ import annotations

import copy
import itertools
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.sandbox.blocks import MAX_MESSAGE_BLOCKS, MAX_VIEW_BLOCKS, block_errors
from bot.sandbox.records import (
    Ephemeral,
    JsonDict,
    Message,
    ResponsePost,
    UploadedFile,
    User,
    View,
)

MAX_TEXT = 40_000
RESPONSE_URL_USES = 5  # Slack: a response_url works up to 5 times within 30 minutes

TokenKind = Literal["bot", "app", "none", "invalid"]
Handler = Callable[[JsonDict], JsonDict]


class ApiError(Exception):
    """A Web API error: ``{"ok": false, "error": code, **extra}``."""

    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.extra = extra

    def body(self) -> JsonDict:
        """The response body Slack sends for this error."""
        return {"ok": False, "error": self.code, **self.extra}


@dataclass
class Channel:
    """A conversation: a public channel, a DM (``im``) or a group DM (``mpim``)."""

    id: str
    name: str
    kind: Literal["channel", "im", "mpim"]
    members: tuple[str, ...] = ()


@dataclass
class ResponseTarget:
    """Where posts to one response_url land."""

    channel: str
    user: str
    original_ts: str | None = None
    original_ephemeral: bool = False
    uses: int = 0


@dataclass
class Workspace:
    """Everything the sandbox knows; not thread-safe on its own (the server locks around it)."""

    now: Callable[[], datetime]
    team_id: str
    team_name: str
    app_id: str
    bot_user_id: str
    bot_id: str
    bot_name: str
    base_url: str = ""
    users: dict[str, User] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    history: dict[str, list[Message]] = field(default_factory=dict)
    ephemerals: list[Ephemeral] = field(default_factory=list)
    views: dict[str, View] = field(default_factory=dict)
    home_views: dict[str, list[View]] = field(default_factory=dict)
    responses: list[ResponsePost] = field(default_factory=list)
    targets: dict[str, ResponseTarget] = field(default_factory=dict)
    triggers: dict[str, str] = field(default_factory=dict)
    used_triggers: set[str] = field(default_factory=set)
    #: Uploads begun with files.getUploadURLExternal: upload token → (file id, filename, bytes).
    pending_uploads: dict[str, tuple[str, str, bytes | None]] = field(default_factory=dict)
    files: list[UploadedFile] = field(default_factory=list)
    _last_us: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # ----------------------------------------------------------------- people and channels

    def add_user(self, user: User) -> None:
        """Add or replace a person; their DM channel exists from the start."""
        self.users[user.id] = user
        self.dm_channel(user.id)

    def dm_channel(self, user_id: str) -> str:
        """The stable DM channel id between the bot and ``user_id`` (``U0HIRE`` → ``D0HIRE``)."""
        for channel in self.channels.values():
            if channel.kind == "im" and channel.members == (user_id,):
                return channel.id
        channel_id = "D" + user_id[1:]
        while channel_id in self.channels:
            channel_id += "X"
        self.channels[channel_id] = Channel(channel_id, user_id, "im", (user_id,))
        self.history.setdefault(channel_id, [])
        return channel_id

    def add_channel(self, channel_id: str, name: str) -> None:
        """Make a public channel known (posting to an unknown one is ``channel_not_found``)."""
        if channel_id not in self.channels:
            self.channels[channel_id] = Channel(channel_id, name, "channel")
            self.history.setdefault(channel_id, [])

    def resolve_channel(self, value: Any) -> str:
        """A channel id from a channel id or a user id (posting to ``U…`` means their DM)."""
        if not value or not isinstance(value, str):
            raise ApiError("channel_not_found")
        if value in self.channels:
            return value
        if value in self.users:
            return self.dm_channel(value)
        raise ApiError("channel_not_found")

    # ----------------------------------------------------------------- ids and time

    def next_ts(self) -> str:
        """A message timestamp from the workspace clock, strictly increasing."""
        micros = int(self.now().timestamp() * 1_000_000)
        micros = max(micros, self._last_us + 1)
        self._last_us = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def new_id(self, prefix: str) -> str:
        """A fresh Slack-looking id such as ``V00000007``."""
        return f"{prefix}{next(self._ids):08X}"

    def new_trigger_id(self, user: str) -> str:
        """A trigger id views.open will accept once; the modal it opens belongs to ``user``."""
        trigger = f"{next(self._ids)}.{self.team_id[1:]}.{secrets.token_hex(16)}"
        self.triggers[trigger] = user
        return trigger

    def new_response_url(self, target: ResponseTarget) -> str:
        """A response_url pointing back at the sandbox; posts to it land as ``target`` says."""
        token = secrets.token_urlsafe(18)
        self.targets[token] = target
        return f"{self.base_url}/response/{token}"

    # ----------------------------------------------------------------- dispatch

    def handlers(self) -> dict[str, Handler]:
        """The implemented Web API methods that take a bot token."""
        return {
            "auth.test": self.auth_test,
            "users.info": self.users_info,
            "conversations.open": self.conversations_open,
            "conversations.history": self.conversations_history,
            "conversations.replies": self.conversations_replies,
            "chat.postMessage": self.chat_post_message,
            "chat.postEphemeral": self.chat_post_ephemeral,
            "chat.update": self.chat_update,
            "chat.delete": self.chat_delete,
            "chat.getPermalink": self.chat_get_permalink,
            "views.publish": self.views_publish,
            "views.open": self.views_open,
            "views.push": self.views_push,
            "views.update": self.views_update,
            "files.getUploadURLExternal": self.files_get_upload_url,
            "files.completeUploadExternal": self.files_complete_upload,
            "assistant.threads.setStatus": self.assistant_accept,
            "assistant.threads.setSuggestedPrompts": self.assistant_accept,
            "assistant.threads.setTitle": self.assistant_accept,
        }

    # ----------------------------------------------------------------- auth and users

    def auth_test(self, params: JsonDict) -> JsonDict:
        """auth.test for the bot token."""
        return {
            "ok": True,
            "url": f"https://{self.team_name.lower()}.slack.com/",
            "team": self.team_name,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def users_info(self, params: JsonDict) -> JsonDict:
        """users.info: the person with their time zone and profile."""
        user = self.users.get(str(params.get("user") or ""))
        if user is None:
            raise ApiError("user_not_found")
        return {"ok": True, "user": self.user_object(user)}

    def user_object(self, user: User) -> JsonDict:
        """Slack's user object, with ``tz_offset`` taken at the workspace clock's now."""
        try:
            zone = ZoneInfo(user.tz)
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        local = self.now().astimezone(zone)
        offset = local.utcoffset()
        real_name = user.real_name or user.name
        return {
            "id": user.id,
            "team_id": self.team_id,
            "name": user.name,
            "deleted": user.deleted,
            "real_name": real_name,
            "tz": user.tz,
            "tz_label": local.tzname() or user.tz,
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "profile": {
                "real_name": real_name,
                "real_name_normalized": real_name,
                "display_name": user.name,
                "display_name_normalized": user.name,
                "email": user.email,
                "team": self.team_id,
            },
            "is_admin": False,
            "is_owner": False,
            "is_bot": user.is_bot,
            "is_app_user": False,
            "updated": int(self.now().timestamp()),
        }

    # ----------------------------------------------------------------- conversations

    def conversations_open(self, params: JsonDict) -> JsonDict:
        """conversations.open: the DM with one person, or a group DM for several."""
        if params.get("channel"):
            channel_id = self.resolve_channel(params["channel"])
            return {"ok": True, "channel": {"id": channel_id}}
        raw = params.get("users")
        ids = raw if isinstance(raw, list) else str(raw or "").split(",")
        users = [str(u).strip() for u in ids if str(u).strip()]
        if not users:
            raise ApiError("users_list_not_supplied")
        for user_id in users:
            if user_id not in self.users:
                raise ApiError("user_not_found")
        if len(users) == 1:
            channel_id = self.dm_channel(users[0])
        else:
            members = tuple(sorted(set(users)))
            found = [c.id for c in self.channels.values() if c.members == members]
            channel_id = found[0] if found else self.new_id("G")
            if not found:
                self.channels[channel_id] = Channel(channel_id, "mpdm", "mpim", members)
                self.history[channel_id] = []
        body: JsonDict = {"ok": True, "channel": {"id": channel_id}}
        if _flag(params.get("return_im")):
            channel = self.channels[channel_id]
            body["channel"].update(
                {"is_im": channel.kind == "im", "user": channel.members[0], "is_open": True}
            )
        return body

    def conversations_history(self, params: JsonDict) -> JsonDict:
        """conversations.history: top-level messages newest first, with metadata on request."""
        channel_id = self.resolve_channel(params.get("channel"))
        messages = [m for m in self.history[channel_id] if m.thread_ts in (None, m.ts)]
        return self._page(messages, params, newest_first=True)

    def conversations_replies(self, params: JsonDict) -> JsonDict:
        """conversations.replies: a thread's parent and replies, oldest first."""
        channel_id = self.resolve_channel(params.get("channel"))
        ts = str(params.get("ts") or "")
        thread = [m for m in self.history[channel_id] if ts in (m.ts, m.thread_ts)]
        if not thread:
            raise ApiError("thread_not_found")
        return self._page(thread, params, newest_first=False)

    def _page(self, messages: list[Message], params: JsonDict, *, newest_first: bool) -> JsonDict:
        oldest = float(params.get("oldest") or 0)
        latest = float(params.get("latest") or "inf")
        inclusive = _flag(params.get("inclusive"))
        with_metadata = _flag(params.get("include_all_metadata"))
        try:
            limit = max(1, min(int(params.get("limit") or 100), 999))
        except ValueError:
            raise ApiError("invalid_limit") from None

        def inside(m: Message) -> bool:
            ts = float(m.ts)
            if inclusive:
                return oldest <= ts <= latest
            return oldest < ts < latest

        selected = [m for m in messages if inside(m)]
        if newest_first:
            selected.reverse()
        start = 0
        cursor = params.get("cursor")
        if cursor:
            try:
                start = int(str(cursor).removeprefix("next:"))
            except ValueError:
                raise ApiError("invalid_cursor") from None
        page = selected[start : start + limit]
        more = start + limit < len(selected)
        return {
            "ok": True,
            "messages": [self.message_object(m, metadata=with_metadata) for m in page],
            "has_more": more,
            "pin_count": 0,
            "response_metadata": {"next_cursor": f"next:{start + limit}" if more else ""},
        }

    def message_object(self, message: Message, *, metadata: bool = True) -> JsonDict:
        """Slack's message object as history and chat.* return it."""
        body: JsonDict = {
            "type": "message",
            "ts": message.ts,
            "user": message.user,
            "text": message.text,
            "team": self.team_id,
        }
        if message.blocks:
            body["blocks"] = message.blocks
        if message.bot_id:
            body.update({"bot_id": message.bot_id, "app_id": self.app_id})
        if message.thread_ts:
            body["thread_ts"] = message.thread_ts
        if message.edited_ts:
            body["edited"] = {"user": message.user, "ts": message.edited_ts}
        if message.subtype:
            body["subtype"] = message.subtype
        if metadata and message.metadata is not None:
            body["metadata"] = message.metadata
        return body

    # ----------------------------------------------------------------- chat

    def chat_post_message(self, params: JsonDict) -> JsonDict:
        """chat.postMessage: store the bot's message with blocks, metadata and thread."""
        channel_id = self.resolve_channel(params.get("channel"))
        text, blocks = self._content(params)
        thread_ts = params.get("thread_ts") or None
        if thread_ts and not any(m.ts == thread_ts for m in self.history[channel_id]):
            raise ApiError("thread_not_found")
        message = self._post_as_bot(channel_id, text, blocks, params)
        return {
            "ok": True,
            "channel": channel_id,
            "ts": message.ts,
            "message": self.message_object(message),
        }

    def _post_as_bot(
        self, channel_id: str, text: str, blocks: list[JsonDict], request: JsonDict
    ) -> Message:
        """Post the bot's message with the ``metadata`` and ``thread_ts`` ``request`` names."""
        thread_ts = request.get("thread_ts") or None
        return self.post(
            channel_id,
            user=self.bot_user_id,
            text=text,
            blocks=blocks,
            metadata=_metadata(request.get("metadata")),
            thread_ts=str(thread_ts) if thread_ts else None,
            bot=True,
        )

    def post(
        self,
        channel_id: str,
        *,
        user: str,
        text: str,
        blocks: list[JsonDict] | None = None,
        metadata: JsonDict | None = None,
        thread_ts: str | None = None,
        bot: bool = False,
    ) -> Message:
        """Append a message to a channel's history (used by the API and by the driver)."""
        message = Message(
            channel=channel_id,
            ts=self.next_ts(),
            user=user,
            text=text,
            blocks=copy.deepcopy(blocks or []),
            metadata=copy.deepcopy(metadata),
            thread_ts=thread_ts,
            bot_id=self.bot_id if bot else None,
        )
        self.history.setdefault(channel_id, []).append(message)
        return message

    def chat_post_ephemeral(self, params: JsonDict) -> JsonDict:
        """chat.postEphemeral: a message only ``user`` sees."""
        channel_id = self.resolve_channel(params.get("channel"))
        user = str(params.get("user") or "")
        if user not in self.users:
            raise ApiError("user_not_found")
        channel = self.channels[channel_id]
        if channel.kind != "channel" and user not in channel.members:
            raise ApiError("user_not_in_channel")
        text, blocks = self._content(params)
        ts = self.next_ts()
        thread_ts = params.get("thread_ts") or None
        self.ephemerals.append(
            Ephemeral(channel_id, user, ts, text, blocks, str(thread_ts) if thread_ts else None)
        )
        return {"ok": True, "message_ts": ts}

    def chat_update(self, params: JsonDict) -> JsonDict:
        """chat.update: replace the text, blocks or metadata of one of the bot's messages."""
        channel_id = self.resolve_channel(params.get("channel"))
        index, message = self._find(channel_id, params.get("ts"))
        if message.user != self.bot_user_id:
            raise ApiError("cant_update_message")
        text, blocks = self._content(params, required=False)
        changes: JsonDict = {"edited_ts": self.next_ts()}
        if "text" in params:
            changes["text"] = text
        if "blocks" in params:
            changes["blocks"] = blocks
        if "metadata" in params:
            changes["metadata"] = _metadata(params.get("metadata"))
        updated = replace(message, **changes)
        self.history[channel_id][index] = updated
        return {
            "ok": True,
            "channel": channel_id,
            "ts": updated.ts,
            "text": updated.text,
            "message": self.message_object(updated),
        }

    def chat_delete(self, params: JsonDict) -> JsonDict:
        """chat.delete: remove one of the bot's messages."""
        channel_id = self.resolve_channel(params.get("channel"))
        index, message = self._find(channel_id, params.get("ts"))
        if message.user != self.bot_user_id:
            raise ApiError("cant_delete_message")
        del self.history[channel_id][index]
        return {"ok": True, "channel": channel_id, "ts": message.ts}

    def chat_get_permalink(self, params: JsonDict) -> JsonDict:
        """chat.getPermalink: a link to one message (a thread reply's names its thread)."""
        channel_id = self.resolve_channel(params.get("channel"))
        _, message = self._find(channel_id, params.get("message_ts"))
        link = f"https://{self.team_name.lower()}.slack.com/archives/{channel_id}/"
        link += "p" + message.ts.replace(".", "")
        if message.thread_ts and message.thread_ts != message.ts:
            link += f"?thread_ts={message.thread_ts}&cid={channel_id}"
        return {"ok": True, "channel": channel_id, "permalink": link}

    def _find(self, channel_id: str, ts: Any) -> tuple[int, Message]:
        for index, message in enumerate(self.history[channel_id]):
            if message.ts == ts:
                return index, message
        raise ApiError("message_not_found")

    def _content(self, params: JsonDict, *, required: bool = True) -> tuple[str, list[JsonDict]]:
        text = params.get("text")
        blocks = _json_param(params.get("blocks"), "invalid_blocks_format")
        attachments = params.get("attachments")
        if required and not text and not blocks and not attachments:
            raise ApiError("no_text")
        if blocks is None:
            blocks = []
        if not isinstance(blocks, list):
            raise ApiError("invalid_blocks_format")
        errors = block_errors(blocks, max_blocks=MAX_MESSAGE_BLOCKS)
        if errors:
            raise ApiError("invalid_blocks", errors=errors, response_metadata={"messages": errors})
        text = "" if text is None else str(text)
        if len(text) > MAX_TEXT:
            raise ApiError("msg_too_long")
        return text, blocks

    # ----------------------------------------------------------------- views

    def views_publish(self, params: JsonDict) -> JsonDict:
        """views.publish: the Home tab of ``user_id``."""
        user = str(params.get("user_id") or "")
        if user not in self.users:
            raise ApiError("user_not_found")
        spec = self._view_spec(params, expected="home")
        published = self.home_views.setdefault(user, [])
        if params.get("hash") and published and published[-1].hash != params["hash"]:
            raise ApiError("hash_conflict")
        previous = published[-1] if published else None
        view = self._make_view(spec, user, view_id=previous.id if previous else None)
        published.append(view)
        return {"ok": True, "view": self._view_body(view)}

    def views_open(self, params: JsonDict) -> JsonDict:
        """views.open: a modal, for a trigger_id the sandbox handed out."""
        user = self._use_trigger(params.get("trigger_id"))
        view = self._make_view(self._view_spec(params, expected="modal"), user)
        return {"ok": True, "view": self._view_body(view)}

    def views_push(self, params: JsonDict) -> JsonDict:
        """views.push: a modal on top of the open one."""
        user = self._use_trigger(params.get("trigger_id"))
        view = self._make_view(self._view_spec(params, expected="modal"), user)
        return {"ok": True, "view": self._view_body(view)}

    def views_update(self, params: JsonDict) -> JsonDict:
        """views.update: replace a modal or Home view by ``view_id`` or ``external_id``."""
        current = None
        if params.get("view_id"):
            current = self.views.get(str(params["view_id"]))
        elif params.get("external_id"):
            matches = [v for v in self.views.values() if v.external_id == params["external_id"]]
            current = matches[-1] if matches else None
        else:
            raise ApiError("invalid_arguments")
        if current is None:
            raise ApiError("not_found")
        if params.get("hash") and params["hash"] != current.hash:
            raise ApiError("hash_conflict")
        spec = self._view_spec(params, expected=current.type)
        view = self._make_view(spec, current.user, view_id=current.id)
        if view.type == "home":
            self.home_views.setdefault(view.user, []).append(view)
        return {"ok": True, "view": self._view_body(view)}

    def _use_trigger(self, trigger: Any) -> str:
        key = str(trigger or "")
        if key not in self.triggers:
            raise ApiError("invalid_trigger_id")
        if key in self.used_triggers:
            raise ApiError("exchanged_trigger_id")
        self.used_triggers.add(key)
        return self.triggers[key]

    def _view_spec(self, params: JsonDict, *, expected: str) -> JsonDict:
        spec = _json_param(params.get("view"), "invalid_arguments")
        if not isinstance(spec, dict):
            raise ApiError("invalid_arguments", detail="view is required")
        if spec.get("type") != expected:
            raise ApiError("invalid_arguments", detail=f"view.type must be '{expected}'")
        errors = block_errors(spec.get("blocks", []), max_blocks=MAX_VIEW_BLOCKS)
        if expected == "modal":
            title = spec.get("title")
            if not isinstance(title, dict) or not str(title.get("text") or ""):
                errors.append("[ERROR] missing required field: title [json-pointer:/view/title]")
            elif len(str(title["text"])) > 24:
                errors.append(
                    "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"
                )
        if len(str(spec.get("private_metadata") or "")) > 3000:
            errors.append(
                "[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]"
            )
        if errors:
            raise ApiError("invalid_blocks", errors=errors, response_metadata={"messages": errors})
        return spec

    def _make_view(self, spec: JsonDict, user: str, *, view_id: str | None = None) -> View:
        view = View(
            id=view_id or self.new_id("V"),
            type=str(spec["type"]),
            user=user,
            blocks=copy.deepcopy(spec.get("blocks", [])),
            callback_id=str(spec.get("callback_id") or ""),
            private_metadata=str(spec.get("private_metadata") or ""),
            external_id=str(spec.get("external_id") or ""),
            title=copy.deepcopy(spec.get("title")),
            hash=f"{int(self.now().timestamp())}.{secrets.token_hex(4)}",
            raw=copy.deepcopy(spec),
        )
        self.views[view.id] = view
        return view

    def _view_body(self, view: View) -> JsonDict:
        return view.to_api(team_id=self.team_id, app_id=self.app_id, bot_id=self.bot_id)

    def view_body(self, view: View) -> JsonDict:
        """The view object as payloads carry it."""
        return self._view_body(view)

    # ----------------------------------------------------------------- assistant

    def assistant_accept(self, params: JsonDict) -> JsonDict:
        """assistant.threads.*: accepted and recorded (the calls log keeps the arguments)."""
        if not params.get("channel_id") or not params.get("thread_ts"):
            raise ApiError("invalid_arguments")
        self.resolve_channel(params["channel_id"])
        return {"ok": True}

    # ----------------------------------------------------------------- response_url

    def respond(
        self, token: str, body: JsonDict, *, source: Literal["response_url", "ack"]
    ) -> None:
        """Apply one response_url post (or a slash command's ack body) like Slack does."""
        target = self.targets.get(token)
        if target is None:
            raise ApiError("invalid_url")
        if target.uses >= RESPONSE_URL_USES:
            raise ApiError("used_url")
        target.uses += 1
        text, blocks = self._content(body, required=not _flag(body.get("delete_original")))
        url = f"{self.base_url}/response/{token}"
        now = self.now()
        if _flag(body.get("delete_original")):
            kind: Literal["ephemeral", "in_channel", "replace", "delete"] = "delete"
            self._delete_original(target)
        elif _flag(body.get("replace_original")) and target.original_ts:
            kind = "replace"
            self._replace_original(target, text, blocks, source)
        elif body.get("response_type") == "in_channel":
            kind = "in_channel"
            self._post_as_bot(target.channel, text, blocks, body)
        else:
            kind = "ephemeral"
            self._ephemeral(target, text, blocks, source=source)
        self.responses.append(
            ResponsePost(url, copy.deepcopy(body), target.channel, target.user, kind, now, source)
        )

    def _ephemeral(
        self,
        target: ResponseTarget,
        text: str,
        blocks: list[JsonDict],
        *,
        source: Literal["response_url", "ack"],
        replaces: str | None = None,
        deleted: bool = False,
    ) -> None:
        """Show ``text`` to the target's user alone (``replaces``: in place of that ephemeral)."""
        self.ephemerals.append(
            Ephemeral(
                target.channel,
                target.user,
                self.next_ts(),
                text,
                blocks,
                source=source,
                replaces=replaces,
                deleted=deleted,
            )
        )

    def _replace_original(
        self,
        target: ResponseTarget,
        text: str,
        blocks: list[JsonDict],
        source: Literal["response_url", "ack"],
    ) -> None:
        if target.original_ephemeral:
            self._ephemeral(target, text, blocks, source=source, replaces=target.original_ts)
            return
        history = self.history.get(target.channel, [])
        for index, message in enumerate(history):
            if message.ts == target.original_ts:
                history[index] = replace(
                    message, text=text, blocks=copy.deepcopy(blocks), edited_ts=self.next_ts()
                )
                return

    def _delete_original(self, target: ResponseTarget) -> None:
        if target.original_ts is None:
            return
        if target.original_ephemeral:
            self._ephemeral(
                target, "", [], source="response_url", replaces=target.original_ts, deleted=True
            )
            return
        history = self.history.get(target.channel, [])
        self.history[target.channel] = [m for m in history if m.ts != target.original_ts]

    # ----------------------------------------------------------------- files

    def files_get_upload_url(self, params: JsonDict) -> JsonDict:
        """files.getUploadURLExternal: a file id and a loopback URL to POST the bytes to."""
        filename = str(params.get("filename") or "")
        try:
            length = int(params.get("length") or 0)
        except (TypeError, ValueError):
            raise ApiError("invalid_arguments") from None
        if not filename or length <= 0:
            raise ApiError("invalid_arguments")
        file_id = self.new_id("F")
        token = secrets.token_urlsafe(18)
        self.pending_uploads[token] = (file_id, filename, None)
        return {"ok": True, "file_id": file_id, "upload_url": f"{self.base_url}/upload/{token}"}

    def receive_upload(self, token: str, content: bytes) -> bool:
        """The POST to an upload URL: keep the bytes until the upload is completed."""
        pending = self.pending_uploads.get(token)
        if pending is None:
            return False
        self.pending_uploads[token] = (pending[0], pending[1], content)
        return True

    def files_complete_upload(self, params: JsonDict) -> JsonDict:
        """files.completeUploadExternal: share the uploaded files in ``channel_id`` (a user id
        means their DM, as chat.postMessage takes it)."""
        listed = _json_param(params.get("files"), "invalid_arguments")
        if not isinstance(listed, list) or not listed:
            raise ApiError("invalid_arguments")
        channel = params.get("channel_id") or None
        channel_id = None if channel is None else self.resolve_channel(channel)
        uploaded = {v[0]: (token, v) for token, v in self.pending_uploads.items()}
        done = []
        for item in listed:
            file_id = item.get("id") if isinstance(item, dict) else None
            if file_id not in uploaded or uploaded[file_id][1][2] is None:
                raise ApiError("file_not_found")
            token, (_, filename, content) = uploaded[file_id]
            del self.pending_uploads[token]
            record = UploadedFile(
                id=file_id,
                filename=filename,
                title=str(item.get("title") or filename),
                content=content or b"",
                channel=channel_id,
                initial_comment=str(params.get("initial_comment") or ""),
                at=self.now(),
            )
            self.files.append(record)
            done.append({"id": file_id, "name": filename, "title": record.title})
        return {"ok": True, "files": done}


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return bool(value)


def _json_param(value: Any, error: str) -> Any:
    """Form-encoded requests carry JSON as strings; JSON bodies carry it as-is."""
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise ApiError(error) from None
    return value


def _metadata(value: Any) -> JsonDict | None:
    metadata = _json_param(value, "invalid_metadata_format")
    if metadata is None:
        return None
    if (
        not isinstance(metadata, dict)
        or not isinstance(metadata.get("event_type"), str)
        or not isinstance(metadata.get("event_payload", {}), dict)
    ):
        raise ApiError("invalid_metadata_format")
    return {
        "event_type": metadata["event_type"],
        "event_payload": metadata.get("event_payload", {}),
    }


def utc_now() -> datetime:
    """The default workspace clock."""
    # The sandbox stands in for Slack, whose message timestamps are wall time.
    return datetime.now(UTC)  # noqa: TID251 - Slack's clock, not the product's
