"""Q&A in Slack: DMs to the bot, mentions in channels, ``/onramp ask``, the assistant side panel,
and the 👍/👎 buttons under every answer.

Ack first, answer after. Events and button clicks are acknowledged by Bolt before the listener
body runs (``process_before_response`` is off, see :mod:`bot.slack.app`). With Claude, the answer
— which can take seconds — is computed and posted on the answer service's own bounded threads
(:meth:`QA.later`), never on Bolt's listener pool, which also runs every ack: twenty questions
waiting on a slow Claude do not delay ``/onramp help``.
``/onramp ask`` acks itself: with nothing when the offline backend answers (in milliseconds),
with a short "Looking that up…" when Claude does, then sends the answer through ``respond()``.

Where answers go:

* a DM → the DM (in the thread when the message was in one);
* a mention → a reply in the mention's thread; an answer about the asker's own plan is posted
  ephemerally there, so a hire's progress never lands in a channel because they asked in one;
* ``/onramp ask`` → an ephemeral reply to the caller;
* the assistant panel → its thread, after an "is thinking…" status.

Repeated deliveries of one event are dropped by :class:`~bot.slack.middleware.DeduplicateEvents`
and the bot's own messages and edits by :class:`~bot.slack.middleware.IgnoreEchoes`; the
listeners here only ever see a person's new message.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt import App, Args, Assistant, BoltContext, Respond
from slack_bolt.context.set_status import SetStatus
from slack_bolt.context.set_suggested_prompts import SetSuggestedPrompts
from slack_sdk import WebClient

from bot.services.answers import ANTHROPIC, Answer, Answers
from bot.services.answers.guard import GuardedModel
from bot.services.onboarding import Actor
from bot.slack import answer_blocks as ab
from bot.slack.blocks import Reply
from bot.slack.context import SlackContext, Subcommand, SubcommandCall
from bot.slack.errors import error_text
from bot.slack.listeners.replies import parsed, tell, tell_failure
from bot.slack.middleware import request_id

log = logging.getLogger("onramp.slack.qa")

#: Rendered answers kept per process, so a click on an ephemeral answer (whose blocks Slack does
#: not send back with the click) can still be re-rendered with "Thanks — recorded".
MEMORY_SIZE = 512

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")

# --- payloads (pure) --------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """A person's question and where its answer goes (``thread_ts=None``: top level)."""

    user_id: str
    text: str
    channel: str
    thread_ts: str | None


def _str(event: Mapping[str, Any], key: str) -> str | None:
    value = event.get(key)
    return value if isinstance(value, str) and value else None


def is_dm_question(event: Mapping[str, Any]) -> bool:
    """A person's new message in their DM with the bot (no subtype: not an edit, a join, a
    bot's post or a file without words)."""
    return (
        event.get("type") == "message"
        and event.get("channel_type") == "im"
        and event.get("subtype") is None
        and event.get("bot_id") is None
        and _str(event, "user") is not None
        and _str(event, "channel") is not None
    )


def dm_question(event: Mapping[str, Any]) -> Question | None:
    """The question in a DM ``message`` event; answered in its thread if it is in one."""
    if not is_dm_question(event):
        return None
    return Question(
        user_id=str(event["user"]),
        text=str(event.get("text") or ""),
        channel=str(event["channel"]),
        thread_ts=_str(event, "thread_ts"),
    )


def without_bot_tag(text: str, bot_user_id: str | None) -> str:
    """The mention's text without the bot's own tag (``<@BOT>`` or ``<@BOT|name>``).

    Without a known bot user id, a leading tag is taken to be the bot's: Slack puts it first
    when someone writes "@Onramp …". Other people's tags stay (they are part of the question).
    """
    if bot_user_id:
        stripped = _MENTION.sub(lambda m: "" if m.group(1) == bot_user_id else m.group(0), text)
    else:
        stripped = re.sub(r"^\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>", "", text)
    return " ".join(stripped.split())


def mention_question(event: Mapping[str, Any], bot_user_id: str | None) -> Question | None:
    """The question in an ``app_mention``; answered in the mention's thread (or a new one)."""
    user, channel, ts = _str(event, "user"), _str(event, "channel"), _str(event, "ts")
    if event.get("type") != "app_mention" or not user or not channel or not ts:
        return None
    return Question(
        user_id=user,
        text=without_bot_tag(str(event.get("text") or ""), bot_user_id),
        channel=channel,
        thread_ts=_str(event, "thread_ts") or ts,
    )


def assistant_question(event: Mapping[str, Any]) -> Question | None:
    """The question in a message of an assistant thread (or any DM thread); None without words."""
    user, channel = _str(event, "user"), _str(event, "channel")
    thread_ts, text = _str(event, "thread_ts"), str(event.get("text") or "").strip()
    if not user or not channel or not thread_ts or not text:
        return None
    return Question(user_id=user, text=text, channel=channel, thread_ts=thread_ts)


def assistant_thread(event: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(channel_id, thread_ts)`` of an ``assistant_thread_started`` event."""
    thread = event.get("assistant_thread")
    if not isinstance(thread, Mapping):
        return None
    channel, thread_ts = _str(thread, "channel_id"), _str(thread, "thread_ts")
    return (channel, thread_ts) if channel and thread_ts else None


# --- the listeners ----------------------------------------------------------------------------


class AnswerMemory:
    """A bounded, thread-safe map of ``qa_id`` → the reply rendered for it."""

    def __init__(self, max_entries: int = MEMORY_SIZE) -> None:
        self.max_entries = max_entries
        self._replies: OrderedDict[int, Reply] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, qa_id: int, reply: Reply) -> None:
        """Keep ``reply`` (dropping the oldest beyond the bound)."""
        with self._lock:
            self._replies[qa_id] = reply
            self._replies.move_to_end(qa_id)
            while len(self._replies) > self.max_entries:
                self._replies.popitem(last=False)

    def get(self, qa_id: int) -> Reply | None:
        """The reply rendered for ``qa_id``, if still remembered."""
        with self._lock:
            return self._replies.get(qa_id)


class QA:
    """The Q&A listeners, sharing the answer service, the context and the memory of answers."""

    def __init__(self, ctx: SlackContext, answers: Answers) -> None:
        self.ctx = ctx
        self.answers = answers
        self.memory = AnswerMemory()

    # --- answering and posting -----------------------------------------------------------------

    def answer(
        self, question: Question, rid: str, *, echo: bool = False
    ) -> tuple[Reply, Answer | None]:
        """Ask the service as the person who asked; failures become a reply (never a trace)."""
        try:
            answer = self.answers.ask(question=question.text, asker=Actor.slack(question.user_id))
        except Exception as exc:
            return ab.text_only(error_text(exc, request_id=rid)), None
        reply = ab.answer_reply(answer, asked=question.text if echo else None)
        if answer.qa_id is not None:
            self.memory.remember(answer.qa_id, reply)
        return reply, answer

    def post(
        self, client: WebClient, question: Question, reply: Reply, *, ephemeral: bool = False
    ) -> None:
        """Post ``reply`` where ``question`` was asked; mentions are never expanded."""
        common: dict[str, Any] = {
            "channel": question.channel,
            "text": reply.text,
            "blocks": reply.blocks,
            "link_names": False,
            "parse": "none",
        }
        if question.thread_ts:
            common["thread_ts"] = question.thread_ts
        try:
            if ephemeral:
                client.chat_postEphemeral(user=question.user_id, **common)
            else:
                client.chat_postMessage(unfurl_links=False, unfurl_media=False, **common)
        except Exception as exc:
            # The answer is in qa_log; Slack failing to take the reply is logged, never raised
            # into Bolt (which would only log it less clearly).
            log.warning("could not post an answer in %s: %s", question.channel, exc)

    # --- surfaces ------------------------------------------------------------------------------

    def on_dm(self, event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        """A message in someone's DM with the bot."""
        question = dm_question(event)
        if question is None:
            return
        rid = request_id(context)

        def job() -> None:
            reply, _ = self.answer(question, rid)
            self.post(client, question, reply)

        self.later(job)

    def on_mention(self, event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        """``@Onramp …`` in a channel: reply in the thread."""
        question = mention_question(event, context.bot_user_id)
        if question is None:
            log.warning("app_mention without user, channel or ts; ignored")
            return
        rid = request_id(context)

        def job() -> None:
            reply, answer = self.answer(question, rid)
            self.post(client, question, reply, ephemeral=answer is not None and answer.personal)

        self.later(job)

    def on_ask(self, call: SubcommandCall) -> None:
        """``/onramp ask <question>``: ack at once, answer privately through ``respond``."""
        text = call.text.strip()
        if not text:
            call.ack(text=ab.ASK_EMPTY.format(cmd=self.ctx.command), response_type="ephemeral")
            return
        if self._slow():
            call.ack(text=ab.LOOKING_UP, response_type="ephemeral")
        else:
            call.ack()
        channel = call.channel_id or call.user_id
        question = Question(user_id=call.user_id, text=text, channel=channel, thread_ts=None)

        def job() -> None:
            reply, _ = self.answer(question, call.request_id, echo=True)
            try:
                call.respond(
                    text=reply.text,
                    blocks=reply.blocks,
                    response_type="ephemeral",
                    replace_original=False,
                )
            except Exception as exc:
                log.warning("could not send the answer to /ask [%s]: %s", call.request_id, exc)

        self.later(job)

    def later(self, job: Callable[[], None]) -> None:
        """Answer and post: with Claude, on the answer service's own bounded threads
        (:class:`~bot.services.answers.guard.GuardedModel`), so this listener thread — Bolt's,
        shared with every ack — is free at once; offline answers (milliseconds) right here."""
        guard = self.answers.model
        if isinstance(guard, GuardedModel) and self._slow() and guard.offload(job):
            return
        job()

    def _slow(self) -> bool:
        try:
            return self.answers.backend_for() == ANTHROPIC
        except Exception:
            return False  # misconfigured: ask() explains it to the person right after the ack

    # --- feedback --------------------------------------------------------------------------------

    def on_feedback(self, args: Args) -> None:
        """👍/👎: store it, then show "Thanks — recorded" in place of the buttons.

        Bolt's :class:`~slack_bolt.Args` (ack, body, client, respond, context) come as one."""
        args.ack()
        action = (args.body.get("actions") or [{}])[0]
        feedback = parsed(ab.parse_feedback, action, what="feedback click", log=log)
        if feedback is None:
            return
        try:
            stored = self.answers.feedback(qa_id=feedback.qa_id, value=feedback.value)
        except Exception as exc:
            tell_failure(args.respond, args.context, exc, log=log)
            return
        if not stored:
            tell(args.respond, ab.FEEDBACK_GONE, log=log)
            return
        self._show_recorded(args.body, args.client, args.respond, feedback)

    def _show_recorded(
        self, body: dict[str, Any], client: WebClient, respond: Respond, feedback: ab.Feedback
    ) -> None:
        container = body.get("container") or {}
        message = body.get("message") or {}
        blocks, text = message.get("blocks"), str(message.get("text") or "")
        if not blocks:
            remembered = self.memory.get(feedback.qa_id)
            if remembered is None:  # e.g. an ephemeral answer from before a restart
                tell(respond, ab.THANKS[feedback.value], log=log)
                return
            blocks, text = remembered.blocks, remembered.text
        updated = ab.recorded_reply(blocks, text, feedback.value)
        channel, ts = container.get("channel_id"), container.get("message_ts")
        try:
            if container.get("is_ephemeral") or not channel or not ts:
                respond(text=updated.text, blocks=updated.blocks, replace_original=True)
            else:
                client.chat_update(channel=channel, ts=ts, text=updated.text, blocks=updated.blocks)
        except Exception as exc:  # the feedback is stored; a stale message is only cosmetic
            log.warning("could not update a rated answer %s: %s", ts or "(ephemeral)", exc)

    # --- the assistant side panel ----------------------------------------------------------------

    def on_thread_started(
        self,
        event: dict[str, Any],
        client: WebClient,
        set_suggested_prompts: SetSuggestedPrompts | None,
    ) -> None:
        """A new assistant thread: a greeting and the suggested prompts."""
        where = assistant_thread(event)
        if where is None:
            log.warning("assistant_thread_started without channel or thread; ignored")
            return
        channel, thread_ts = where
        try:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=ab.GREETING)
            if set_suggested_prompts is not None:
                set_suggested_prompts(prompts=list(ab.SUGGESTED_PROMPTS), title=ab.PROMPTS_TITLE)
        except Exception as exc:
            log.warning("could not greet an assistant thread: %s", exc)

    def on_thread_context_changed(self) -> None:
        """Answers don't depend on the channel the person is looking at: nothing to store.

        (Bolt's default would save the context with conversations.replies and chat.update.)
        """

    def on_assistant_message(
        self,
        event: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        set_status: SetStatus | None,
    ) -> None:
        """A question in the assistant panel: "is thinking…", then the answer in the thread."""
        question = assistant_question(event)
        if question is None:
            return
        if set_status is not None:
            try:
                set_status(ab.THINKING)
            except Exception as exc:  # e.g. a plain DM thread: the answer matters, not the status
                log.info("no assistant status for this thread: %s", exc)
        rid = request_id(context)

        def job() -> None:
            reply, _ = self.answer(question, rid)
            self.post(client, question, reply)

        self.later(job)


def register(app: App, ctx: SlackContext) -> None:
    """Listen for questions (when the answer service is wired in) and for feedback clicks."""
    answers = ctx.answers
    if answers is None:
        log.warning("Q&A is off: SlackContext.answers is not set")
        return
    qa = QA(ctx, answers)
    ctx.subcommands.register(
        Subcommand(name="ask", usage=ab.ASK_USAGE, summary=ab.ASK_SUMMARY, handler=qa.on_ask)
    )
    # Every message event is taken (and acked), so Slack never retries one we skip.
    app.event("message")(qa.on_dm)
    app.event("app_mention")(qa.on_mention)
    app.action(ab.FEEDBACK_UP)(qa.on_feedback)
    app.action(ab.FEEDBACK_DOWN)(qa.on_feedback)
    assistant = Assistant(logger=logging.getLogger("onramp.slack.assistant"))
    assistant.thread_started(qa.on_thread_started)
    assistant.thread_context_changed(qa.on_thread_context_changed)
    assistant.user_message(qa.on_assistant_message)
    app.assistant(assistant)
