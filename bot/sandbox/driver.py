"""`SlackDriver`: plays Slack's part towards the app — slash commands, clicks, submissions, events.

Over HTTP it POSTs to the app's ``/slack/events`` URL exactly as Slack does (form-encoded commands,
``payload=<json>`` interactions, JSON event envelopes), signed with the sandbox's signing secret;
over Socket Mode it sends the same payloads as envelopes on the sandbox's websocket and waits for
the ack. Either way each call returns a :class:`Delivery` with the status, headers and body the
app answered. Commands and actions carry a ``response_url`` and ``trigger_id`` issued by the
sandbox, so the app's replies land in the sandbox's records.
"""

from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from urllib.parse import urlencode

from bot.sandbox.records import Ephemeral, JsonDict, Message, View
from bot.sandbox.server import SlackSandbox
from bot.sandbox.signing import signed_headers
from bot.sandbox.socket_mode import DeliveryError

SLACK_USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"
SLACK_ACK_DEADLINE = 3.0  # seconds Slack waits for an ack before it gives up or retries
_SELECTS = ("static_select", "external_select", "overflow", "radio_buttons")


@dataclass(frozen=True)
class Delivery:
    """What the app answered to one delivery.

    Over HTTP: the response's status, headers (lower-case names) and body. Over Socket Mode:
    status 200 once acked, no headers, and the ack's payload as JSON in ``body`` (also in
    ``ack``). ``elapsed`` is the seconds until the answer (Slack gives up after 3).
    """

    status: int
    headers: Mapping[str, str]
    body: str
    elapsed: float
    transport: Literal["http", "socket"]
    ack: JsonDict | None = None
    response_url: str | None = None
    trigger_id: str | None = None

    @property
    def ok(self) -> bool:
        """True for a 2xx answer."""
        return 200 <= self.status < 300

    @property
    def in_time(self) -> bool:
        """True when the app answered within Slack's 3-second deadline."""
        return self.elapsed < SLACK_ACK_DEADLINE

    def json(self) -> Any:
        """The body parsed as JSON (None for an empty body)."""
        return json.loads(self.body) if self.body.strip() else None


@dataclass(frozen=True)
class SlackDriver:
    """Delivers what Slack would send to the app under test.

    ``events_url`` (e.g. ``http://127.0.0.1:PORT/slack/events``) selects HTTP; without it the
    driver uses the sandbox's Socket Mode endpoint (an app must be connected). ``secret`` and
    ``timestamp`` override the signing, to forge or age requests: see :meth:`signed_with`.
    """

    sandbox: SlackSandbox
    events_url: str | None = None
    timeout: float = 10.0
    secret: str | None = None
    timestamp: int | None = None
    # Slack signs requests with the wall clock, and Bolt checks them against it.
    wall_clock: Callable[[], float] = time.time  # noqa: TID251 - Slack's signing time
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1), compare=False)

    @property
    def transport(self) -> Literal["http", "socket"]:
        """``http`` when an events URL was given, else ``socket``."""
        return "http" if self.events_url else "socket"

    def signed_with(
        self, *, secret: str | None = None, timestamp: int | None = None
    ) -> SlackDriver:
        """A driver that signs with another secret and/or a fixed timestamp (forged or stale)."""
        return replace(self, secret=secret, timestamp=timestamp)

    # ----------------------------------------------------------------- what people do

    def command(
        self,
        text: str,
        user_id: str,
        *,
        command: str = "/onramp",
        channel_id: str | None = None,
    ) -> Delivery:
        """``/onramp text`` typed by ``user_id`` (in their DM with the bot, or ``channel_id``)."""
        user = self._user(user_id)
        channel = channel_id or self.sandbox.dm_channel(user_id)
        response_url = self.sandbox.new_response_url(channel=channel, user=user_id)
        trigger_id = self.sandbox.new_trigger_id(user_id)
        form = {
            "token": self.sandbox.verification_token,
            "team_id": self.sandbox.team_id,
            "team_domain": "sandbox",
            "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else channel.lower(),
            "user_id": user_id,
            "user_name": user["name"],
            "command": command,
            "text": text,
            "api_app_id": self.sandbox.app_id,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
        if self.transport == "socket":
            delivery = self._socket("slash_commands", dict(form))
        else:
            delivery = self._http(urlencode(form).encode(), "application/x-www-form-urlencoded")
        delivery = replace(delivery, response_url=response_url, trigger_id=trigger_id)
        reply = _ack_message(delivery)
        if reply is not None:
            self.sandbox.record_ack_reply(response_url, reply)
        return delivery

    def block_action(
        self,
        user_id: str,
        action_id: str,
        value: str | None = None,
        *,
        block_id: str | None = None,
        message: Message | Ephemeral | JsonDict | None = None,
        container: JsonDict | None = None,
        view: View | JsonDict | None = None,
        state_values: JsonDict | None = None,
    ) -> Delivery:
        """``user_id`` clicks or picks ``action_id`` in a message, an ephemeral or a view.

        The element is looked up in the message's or view's blocks to fill in ``block_id``, its
        type and, for menus, the ``selected_option`` whose value is ``value``.
        """
        user = self._user(user_id)
        ts = self._now_ts()
        payload: JsonDict = {
            "type": "block_actions",
            "user": user,
            "api_app_id": self.sandbox.app_id,
            "token": self.sandbox.verification_token,
            "team": {"id": self.sandbox.team_id, "domain": "sandbox"},
            "enterprise": None,
            "is_enterprise_install": False,
            "trigger_id": self.sandbox.new_trigger_id(user_id),
            "state": {"values": state_values or {}},
        }
        blocks: list[JsonDict] = []
        response_url: str | None = None
        if view is not None:
            view_body = self.sandbox.view_object(view) if isinstance(view, View) else dict(view)
            blocks = list(view_body.get("blocks", []))
            payload["view"] = view_body
            payload["container"] = {"type": "view", "view_id": view_body.get("id")}
        else:
            channel, original_ts, ephemeral = self._origin(user_id, message)
            response_url = self.sandbox.new_response_url(
                channel=channel,
                user=user_id,
                original_ts=original_ts,
                original_ephemeral=ephemeral,
            )
            payload["container"] = {
                "type": "message",
                "message_ts": original_ts or ts,
                "channel_id": channel,
                "is_ephemeral": ephemeral,
            }
            payload["channel"] = {"id": channel, "name": channel.lower()}
            if isinstance(message, Message):
                payload["message"] = self.sandbox.message_object(message)
                blocks = message.blocks
            elif isinstance(message, Ephemeral):
                blocks = message.blocks
            elif message is not None:
                payload["message"] = dict(message)
                blocks = list(message.get("blocks", []))
            payload["response_url"] = response_url
        if container is not None:
            payload["container"] = container
        payload["actions"] = [
            _action(action_id, value, block_id, blocks, ts, searched=bool(blocks))
        ]
        delivery = self._interactive(payload)
        return replace(delivery, response_url=response_url, trigger_id=payload["trigger_id"])

    def message_action(
        self, user_id: str, callback_id: str, message: Message | JsonDict
    ) -> Delivery:
        """``user_id`` uses the app's message shortcut ``callback_id`` on ``message`` (from the
        message's "More actions" menu): Slack's ``message_action`` payload, with the message,
        its channel, a ``trigger_id`` for a modal and a ``response_url`` for a private reply."""
        user = self._user(user_id)
        if isinstance(message, Message):
            body = self.sandbox.message_object(message)
            channel = message.channel
        else:
            body = dict(message)
            channel = str(body.pop("channel", "") or self.sandbox.dm_channel(user_id))
        response_url = self.sandbox.new_response_url(channel=channel, user=user_id)
        payload: JsonDict = {
            "type": "message_action",
            "token": self.sandbox.verification_token,
            "action_ts": self._now_ts(),
            "team": {"id": self.sandbox.team_id, "domain": "sandbox"},
            "user": user,
            "channel": {"id": channel, "name": channel.lower()},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": self.sandbox.new_trigger_id(user_id),
            "response_url": response_url,
            "message_ts": body.get("ts"),
            "message": body,
        }
        delivery = self._interactive(payload)
        return replace(delivery, response_url=response_url, trigger_id=payload["trigger_id"])

    def view_submission(
        self,
        user_id: str,
        callback_id: str,
        values: JsonDict,
        *,
        private_metadata: str = "",
        view: View | JsonDict | None = None,
    ) -> Delivery:
        """``user_id`` submits a modal; ``values`` is Slack's ``state.values`` shape:
        ``{block_id: {action_id: {"type": "plain_text_input", "value": "…"}}}``."""
        user = self._user(user_id)
        if isinstance(view, View):
            body = self.sandbox.view_object(view)
        elif view is not None:
            body = dict(view)
        else:
            body = {"id": f"V{uuid.uuid4().hex[:10].upper()}", "type": "modal", "blocks": []}
        body.update({"callback_id": callback_id, "state": {"values": values}})
        if private_metadata or "private_metadata" not in body:
            body["private_metadata"] = private_metadata
        payload: JsonDict = {
            "type": "view_submission",
            "team": {"id": self.sandbox.team_id, "domain": "sandbox"},
            "user": user,
            "api_app_id": self.sandbox.app_id,
            "token": self.sandbox.verification_token,
            "trigger_id": self.sandbox.new_trigger_id(user_id),
            "view": body,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self._interactive(payload)

    def event(
        self,
        event: JsonDict,
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
    ) -> Delivery:
        """Deliver one Events API event in its ``event_callback`` envelope.

        Reuse an ``event_id`` with ``retry_num=1, retry_reason="http_timeout"`` to play Slack
        retrying a delivery (HTTP headers ``X-Slack-Retry-Num``/``-Reason``, or the Socket Mode
        envelope's ``retry_attempt``/``retry_reason``).
        """
        event = dict(event)
        event.setdefault("event_ts", self._now_ts())
        envelope: JsonDict = {
            "token": self.sandbox.verification_token,
            "team_id": self.sandbox.team_id,
            "context_team_id": self.sandbox.team_id,
            "context_enterprise_id": None,
            "api_app_id": self.sandbox.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(self.sandbox.now().timestamp()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.sandbox.team_id,
                    "user_id": self.sandbox.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{uuid.uuid4().hex}",
        }
        if self.transport == "socket":
            return self._socket(
                "events_api", envelope, retry_attempt=retry_num, retry_reason=retry_reason
            )
        headers: dict[str, str] = {}
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
        return self._http(json.dumps(envelope).encode(), "application/json", headers)

    def app_home_opened(self, user_id: str, *, tab: str = "home") -> Delivery:
        """``user_id`` opens the app's Home (or Messages) tab."""
        self._user(user_id)
        event: JsonDict = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": self.sandbox.dm_channel(user_id),
            "tab": tab,
            "event_ts": self._now_ts(),
        }
        home = self.sandbox.home_view(user_id)
        if home is not None and tab == "home":
            event["view"] = self.sandbox.view_object(home)
        return self.event(event)

    def dm(self, user_id: str, text: str, *, thread_ts: str | None = None) -> Delivery:
        """``user_id`` writes to the bot in their DM (recorded in its history, then delivered)."""
        self._user(user_id)
        message = self.sandbox.post_as_user(user_id, user_id, text, thread_ts=thread_ts)
        event: JsonDict = {
            "type": "message",
            "channel": message.channel,
            "user": user_id,
            "text": text,
            "ts": message.ts,
            "event_ts": message.ts,
            "channel_type": "im",
            "team": self.sandbox.team_id,
            "client_msg_id": str(uuid.uuid4()),
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        return self.event(event)

    def mention(
        self, user_id: str, channel: str, text: str, *, thread_ts: str | None = None
    ) -> Delivery:
        """``user_id`` mentions the bot in ``channel`` (``<@BOT>`` is prefixed when missing)."""
        self._user(user_id)
        tag = f"<@{self.sandbox.bot_user_id}>"
        if tag not in text:
            text = f"{tag} {text}"
        message = self.sandbox.post_as_user(user_id, channel, text, thread_ts=thread_ts)
        event: JsonDict = {
            "type": "app_mention",
            "user": user_id,
            "text": text,
            "ts": message.ts,
            "channel": message.channel,
            "event_ts": message.ts,
            "team": self.sandbox.team_id,
            "client_msg_id": str(uuid.uuid4()),
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        return self.event(event)

    def url_verification(self, challenge: str = "sandbox-challenge") -> Delivery:
        """Slack's one-off check of a new Request URL (HTTP only)."""
        body = {
            "token": self.sandbox.verification_token,
            "challenge": challenge,
            "type": "url_verification",
        }
        return self._http(json.dumps(body).encode(), "application/json")

    def post(
        self, body: bytes, content_type: str, *, headers: Mapping[str, str] | None = None
    ) -> Delivery:
        """POST raw bytes, signed like Slack, to the events URL (for malformed-input tests)."""
        return self._http(body, content_type, dict(headers or {}))

    # ----------------------------------------------------------------- transports

    def _interactive(self, payload: JsonDict) -> Delivery:
        if self.transport == "socket":
            return self._socket("interactive", payload)
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self._http(body, "application/x-www-form-urlencoded")

    def _http(
        self, body: bytes, content_type: str, extra: Mapping[str, str] | None = None
    ) -> Delivery:
        if not self.events_url:
            raise DeliveryError(
                "this driver delivers over Socket Mode; give SlackDriver(events_url=…) for HTTP"
            )
        timestamp = self.timestamp if self.timestamp is not None else int(self.wall_clock())
        headers = {
            "Content-Type": content_type,
            "User-Agent": SLACK_USER_AGENT,
            **signed_headers(self.secret or self.sandbox.signing_secret, timestamp, body),
            **(extra or {}),
        }
        # The URL is the app under test on loopback, given by the test (http only).
        request = urllib.request.Request(  # noqa: S310
            self.events_url, data=body, headers=headers, method="POST"
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310  # nosec B310
                status, answer = response.status, response.read()
                answer_headers = {k.lower(): v for k, v in response.headers.items()}
        except urllib.error.HTTPError as error:
            status, answer = error.code, error.read()
            answer_headers = {k.lower(): v for k, v in error.headers.items()}
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise DeliveryError(
                f"could not deliver to {self.events_url} ({reason}); is the app's HTTP server "
                "running on that port?"
            ) from None
        return Delivery(
            status=status,
            headers=answer_headers,
            body=answer.decode("utf-8", errors="replace"),
            elapsed=time.monotonic() - started,
            transport="http",
        )

    def _socket(
        self,
        kind: str,
        payload: JsonDict,
        *,
        retry_attempt: int | None = None,
        retry_reason: str | None = None,
    ) -> Delivery:
        started = time.monotonic()
        ack = self.sandbox.socket_deliver(
            kind,
            payload,
            timeout=self.timeout,
            retry_attempt=retry_attempt,
            retry_reason=retry_reason,
        )
        return Delivery(
            status=200,
            headers={},
            body=json.dumps(ack) if ack else "",
            elapsed=time.monotonic() - started,
            transport="socket",
            ack=ack,
        )

    # ----------------------------------------------------------------- helpers

    def _user(self, user_id: str) -> JsonDict:
        if self.sandbox.user(user_id) is None:
            raise KeyError(f"no user {user_id!r} in the sandbox; add_user() them first")
        return self.sandbox.user_object(user_id)

    def _origin(
        self, user_id: str, message: Message | Ephemeral | JsonDict | None
    ) -> tuple[str, str | None, bool]:
        if isinstance(message, Message):
            return message.channel, message.ts, False
        if isinstance(message, Ephemeral):
            return message.channel, message.ts, True
        if message is not None:
            channel = str(message.get("channel") or self.sandbox.dm_channel(user_id))
            return channel, message.get("ts"), False
        return self.sandbox.dm_channel(user_id), None, False

    def _now_ts(self) -> str:
        now = self.sandbox.now().timestamp()
        return f"{now:.6f}"


def _ack_message(delivery: Delivery) -> JsonDict | None:
    """The message in a slash command's ack (Slack shows it to the user), if any."""
    if not delivery.ok:
        return None
    if delivery.ack is not None:
        return delivery.ack
    if not delivery.body.strip():
        return None
    try:
        parsed = json.loads(delivery.body)
    except ValueError:
        return {"text": delivery.body}
    return parsed if isinstance(parsed, dict) and parsed else None


def _elements(blocks: list[JsonDict]) -> Iterator[tuple[str, JsonDict]]:
    for block in blocks:
        block_id = str(block.get("block_id", ""))
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            yield block_id, element
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                yield block_id, block[key]


def _action(
    action_id: str,
    value: str | None,
    block_id: str | None,
    blocks: list[JsonDict],
    ts: str,
    *,
    searched: bool,
) -> JsonDict:
    found = [(bid, el) for bid, el in _elements(blocks) if el.get("action_id") == action_id]
    if block_id is not None:
        found = [(bid, el) for bid, el in found if bid == block_id]
    if searched and not found:
        known = sorted({str(el.get("action_id")) for _, el in _elements(blocks)})
        raise ValueError(f"no element with action_id {action_id!r} here; the blocks have {known}")
    element: JsonDict = found[0][1] if found else {"type": "button"}
    action: JsonDict = {
        "action_id": action_id,
        "block_id": block_id or (found[0][0] if found else "sandbox"),
        "type": element.get("type", "button"),
        "action_ts": ts,
    }
    if action["type"] == "button":
        action["value"] = value if value is not None else element.get("value", "")
        if "text" in element:
            action["text"] = element["text"]
    elif action["type"] in _SELECTS:
        options = element.get("options", [])
        chosen = [o for o in options if o.get("value") == value]
        if options and not chosen:
            values = [o.get("value") for o in options]
            raise ValueError(f"{action_id!r} has no option with value {value!r}; it has {values}")
        action["selected_option"] = (
            chosen[0] if chosen else {"text": {"type": "plain_text", "text": value}, "value": value}
        )
    else:
        action["value"] = value
    return action
