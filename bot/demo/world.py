"""The demo's world: the real Onramp stack on a throwaway database, a simulated Slack, a clock.

:class:`World` wires what ``onramp serve`` wires — :func:`bot.app.build` and
:func:`bot.app.build_slack`, the Bolt app served over loopback HTTP on the same WSGI app as
``serve --http`` — against :class:`bot.sandbox.SlackSandbox`. People act through
:class:`bot.sandbox.SlackDriver` (signed slash commands, clicks, modal submissions, events),
time moves on a :class:`~bot.services.clock.ManualClock`, and every move runs the same
``Checkins.tick(now)`` the scheduler runs every minute. What the bot did is read back from the
sandbox's record of Web API calls and turned into :mod:`bot.demo.transcript` entries.

Nothing touches the network (127.0.0.1 only), no key is read (the answer backend is forced to
``extractive``), and the database lives in a temporary directory removed on close — also after
an error or Ctrl-C.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import socketserver
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from zoneinfo import ZoneInfo

import bot
from bot.app import Container, SlackRuntime, build, build_slack, database_ok
from bot.config import AnswerSettings, Settings
from bot.demo import messages as say
from bot.demo.render import Control, bare, controls
from bot.domain.errors import OnrampError
from bot.domain.progress import day_number
from bot.sandbox import Delivery, SlackDriver, SlackSandbox
from bot.sandbox.records import Ephemeral, Message, View
from bot.services.clock import ManualClock
from bot.services.onboarding import Actor
from bot.slack.delivery import SlackMessenger, delivery_client
from bot.slack.server import EVENTS_PATH, wsgi_app
from bot.slack.settings import SlackCredentials

log = logging.getLogger("onramp.demo")

PLAN_ID = "junior-llm-engineer"
_MENTION = re.compile(r"(?<![<\w])@([A-Za-z][\w.\-]*)")


class DemoError(Exception):
    """Something the person driving the demo did wrong, or the demo cannot run; safe to show."""


@dataclass(frozen=True)
class Persona:
    """A person in the demo workspace: a Slack user with a real time zone."""

    key: str  # what you type: ``as ana``
    user_id: str
    name: str  # display name, as Slack shows it
    full_name: str
    role: str
    tz: str
    city: str

    @property
    def zone(self) -> ZoneInfo:
        """The person's time zone."""
        return ZoneInfo(self.tz)

    def local(self, when: datetime) -> datetime:
        """``when`` on this person's wall clock."""
        return when.astimezone(self.zone)


PERSONAS: tuple[Persona, ...] = (
    Persona("ana", "U0ANA", "Ana", "Ana Souza", "new hire", "America/New_York", "New York"),
    Persona(
        "marco",
        "U0MARCO",
        "Marco",
        "Marco Rossi",
        "manager",
        "America/Los_Angeles",
        "San Francisco",
    ),
    Persona("priya", "U0PRIYA", "Priya", "Priya Nair", "mentor", "Europe/London", "London"),
)


# --- what happened (read back from the sandbox) ----------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One thing someone saw or did, at a simulated instant.

    ``kind``: ``did`` (a person acted), ``dm`` / ``thread`` / ``channel`` (the bot posted),
    ``update`` (a message changed in place), ``private`` (an ephemeral reply only ``to`` sees),
    ``modal``, ``home``, ``note`` (narration) and ``problem`` (Slack refused a call).
    """

    kind: str
    at: datetime
    to: Persona | None = None
    text: str = ""
    blocks: tuple[Mapping[str, Any], ...] = ()
    view: Mapping[str, Any] | None = None
    outbox_kind: str | None = None  # welcome, pulse, review, mentor_nudge … (check-ins only)
    ref: tuple[str, str] | None = None  # (channel, ts) of a posted or updated message


@dataclass
class Stats:
    """Counters for the closing summary."""

    sent: Counter[str] = field(default_factory=Counter)  # check-ins by kind (from TickReport)
    posts: int = 0  # every message the bot posted
    updates: int = 0
    private: int = 0
    homes: int = 0
    questions: int = 0
    answers: int = 0
    cited: int = 0
    ticks: int = 0
    requests: int = 0  # deliveries to the app (commands, clicks, submissions, events)


def _loads(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _ts_time(ts: str | None, fallback: datetime) -> datetime:
    try:
        return datetime.fromtimestamp(float(ts or ""), UTC)
    except ValueError:
        return fallback


def project_dirs() -> tuple[Path, Path]:
    """The shipped ``plans/`` and ``prompts/`` folders of this Onramp checkout."""
    root = Path(bot.__file__).resolve().parent.parent
    plans, prompts = root / "plans", root / "prompts"
    if not (plans / PLAN_ID / "plan.yaml").is_file() or not prompts.is_dir():
        raise DemoError(say.NO_PLANS.format(root=root))
    return plans, prompts


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """The transcript is the output; request lines would only get in its way."""


class World:
    """The demo's Slack workspace, Onramp behind it, and a clock that moves when told to.

    Use as a context manager. Every action returns the :class:`Entry` list of what happened
    (the action itself first), in order.
    """

    def __init__(
        self,
        *,
        start: datetime,
        personas: Sequence[Persona] = PERSONAS,
        hire: str = "ana",
    ) -> None:
        self.clock = ManualClock(start)
        self.personas = {p.key: p for p in personas}
        self.hire = self.personas[hire]
        self.stats = Stats()
        self._stack = ExitStack()
        self._by_user = {p.user_id: p for p in personas}
        self._by_channel: dict[str, Persona] = {}
        self._seen_calls = 0
        self._seen_responses = 0
        self._submitted: set[str] = set()
        self._start: date | None = None
        self._acting_on: tuple[str, str] | None = None  # the message a click came from
        self.container: Container
        self.sandbox: SlackSandbox
        self.runtime: SlackRuntime
        self.driver: SlackDriver
        self.directory: Path

    # --- lifecycle ----------------------------------------------------------------------------

    def __enter__(self) -> World:
        try:
            self._open()
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def _open(self) -> None:
        plans, prompts = project_dirs()
        self.directory = Path(tempfile.mkdtemp(prefix="onramp-demo-"))
        self._stack.callback(shutil.rmtree, self.directory, ignore_errors=True)
        # model_construct: the demo ignores app.yaml and the environment on purpose
        # (DATABASE_URL, SLACK_*, ANTHROPIC_API_KEY): a temporary SQLite file, the sandbox,
        # and the offline extractive answerer, always.
        settings = Settings.model_construct(
            database_url=f"sqlite:///{self.directory / 'onramp-demo.db'}",
            plans_dir=plans,
            prompts_dir=prompts,
            answers=AnswerSettings(backend="extractive"),
        )
        self.container = build(settings, clock=self.clock)
        self._stack.callback(self.container.close)
        self.sandbox = SlackSandbox(clock=self.clock, team_name="Acme AI").start()
        self._stack.callback(self.sandbox.stop)
        for p in self.personas.values():
            self.sandbox.add_user(p.user_id, p.name, tz=p.tz, real_name=p.full_name)
            self._by_channel[self.sandbox.dm_channel(p.user_id)] = p
        credentials = SlackCredentials(
            bot_token=self.sandbox.bot_token,
            app_token=self.sandbox.app_token,
            signing_secret=self.sandbox.signing_secret,
            api_url=self.sandbox.api_url,
        )
        self.runtime = build_slack(self.container, credentials)
        self._stack.callback(self.runtime.close)
        # Check-ins post through the real messenger; pacing waits move the simulated clock.
        self.container.checkins.messenger = SlackMessenger(
            delivery_client(token=self.sandbox.bot_token, base_url=self.sandbox.api_url, timeout=5),
            channel_interval=0,
        )
        self.container.answers.warm(PLAN_ID)
        events_url = self._serve()
        self.driver = SlackDriver(self.sandbox, events_url)

    def _serve(self) -> str:
        app = wsgi_app(self.runtime.app, health=lambda: database_ok(self.container.db))
        server = make_server("127.0.0.1", 0, app, server_class=_Server, handler_class=_QuietHandler)
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="onramp-demo-http"
        )
        thread.start()

        def stop() -> None:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)

        self._stack.callback(stop)
        return f"http://127.0.0.1:{server.server_port}{EVENTS_PATH}"

    # --- people -------------------------------------------------------------------------------

    def persona(self, key: str) -> Persona:
        """The persona called ``key`` (``ana``, ``@Ana``, ``Ana Souza`` …)."""
        wanted = key.strip().lstrip("@").casefold()
        for p in self.personas.values():
            if wanted in (p.key, p.name.casefold(), p.full_name.casefold(), p.user_id.casefold()):
                return p
        raise DemoError(say.UNKNOWN_PERSONA.format(name=key, choices=self.roster()))

    def roster(self) -> str:
        """``ana (new hire), marco (manager), priya (mentor)``."""
        return ", ".join(f"{p.key} ({p.role})" for p in self.personas.values())

    def name_of(self, user_id: str) -> str:
        """A user id as the person's display name (the bot as Onramp)."""
        if user_id == self.sandbox.bot_user_id:
            return "Onramp"
        found = self._by_user.get(user_id)
        return found.name if found else user_id

    def escape_mentions(self, text: str) -> str:
        """``@ana`` → ``<@U0ANA|ana>``, as Slack sends mentions to an app (``should_escape``)."""

        def swap(match: re.Match[str]) -> str:
            try:
                p = self.persona(match.group(1))
            except DemoError:
                return match.group(0)
            return f"<@{p.user_id}|{p.key}>"

        return _MENTION.sub(swap, text)

    # --- time ---------------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        """The simulated instant (UTC)."""
        return self.clock.now()

    def day(self, when: datetime | None = None) -> int:
        """Day N of the hire's plan at ``when``, in their time zone, counted as the app counts it
        (from day 1, the first working day on or after the start date); 0 or less before it."""
        local = self.hire.local(when or self.now).date()
        return day_number(self.start_date, local)

    @property
    def start_date(self) -> date:
        """The hire's day 1: from their enrollment once there is one, else the story's start."""
        if self._start is None:
            try:
                report = self.container.onboarding.progress(
                    actor=Actor.cli(), hire=self.hire.user_id
                )
            except OnrampError:
                return STORY_START
            self._start = report.summary.day_one
        return self._start

    def at(self, day: int, hhmm: str, who: Persona | None = None) -> datetime:
        """Day ``day`` of the plan at ``hhmm`` on ``who``'s wall clock (the hire's by default)."""
        person = who or self.hire
        hour, minute = (int(x) for x in hhmm.split(":"))
        local_day = self.start_date + timedelta(days=day - 1)
        return datetime.combine(local_day, time(hour, minute), tzinfo=person.zone).astimezone(UTC)

    def send_instants(self, after: datetime, until: datetime) -> list[datetime]:
        """Each person's local send time on every day in ``(after, until]``, oldest first.

        Check-ins, reminders, digests and silence nudges all fall due at a recipient's local
        send time; event nudges fall due when the event happens (the action's own tick covers
        those). Ticking at these instants visits every moment the minutely scheduler would
        send something, without running 86,400 empty ticks for two months of story.
        """
        send = self.container.settings.checkins.send_time
        instants: set[datetime] = set()
        first = after.date() - timedelta(days=1)
        for offset in range((until.date() - first).days + 2):
            day = first + timedelta(days=offset)
            for p in self.personas.values():
                moment = datetime.combine(day, send, tzinfo=p.zone).astimezone(UTC)
                if after < moment <= until:
                    instants.add(moment)
        return sorted(instants)

    def advance_to(self, until: datetime) -> list[Entry]:
        """Move the clock to ``until``, ticking at every send instant on the way and at the end."""
        if until < self.now:
            raise DemoError(say.NO_TIME_TRAVEL)
        entries: list[Entry] = []
        for instant in [*self.send_instants(self.now, until), until]:
            self.clock.set(instant)
            entries += self.tick()
        return entries

    def advance(self, delta: timedelta) -> list[Entry]:
        """Move the clock forward by ``delta`` (ticking on the way)."""
        return self.advance_to(self.now + delta)

    def tick(self) -> list[Entry]:
        """One run of the check-in engine at the current instant, then what it sent."""
        report = self.container.checkins.tick(self.now)
        self.stats.ticks += 1
        for planned in report.sent:
            self.stats.sent[planned.kind.value] += 1
        return self.collect()

    # --- acting -------------------------------------------------------------------------------

    def command(self, who: Persona, text: str) -> list[Entry]:
        """``who`` types a slash command (``/onramp team``); the ack reply, then what followed."""
        typed = text.strip()
        command, _, rest = typed.partition(" ")
        slash = self.container.settings.slack.command
        if command != slash:
            raise DemoError(say.UNKNOWN_COMMAND.format(command=command, slash=slash))
        entries = [self._did(who, typed)]
        asked = rest.strip().split(" ")[0].casefold() == "ask"
        self.stats.questions += asked
        delivery = self._deliver(
            lambda: self.driver.command(self.escape_mentions(rest), who.user_id)
        )
        entries += self._ack_reply(who, delivery)
        found = self.collect()
        self._count_answers(found, asked=asked)
        return entries + found

    def dm(self, who: Persona, text: str) -> list[Entry]:
        """``who`` writes ``text`` to the bot in their DM (a question, usually)."""
        entries = [self._did(who, text, kind="said")]
        self.stats.questions += 1
        self._deliver(lambda: self.driver.dm(who.user_id, self.escape_mentions(text)))
        found = self.collect()
        self._count_answers(found, asked=True)
        return entries + found

    def open_home(self, who: Persona) -> list[Entry]:
        """``who`` opens Onramp's Home tab; the view they see."""
        entries = [self._did(who, say.OPENS_HOME, kind="did-quiet")]
        self._deliver(lambda: self.driver.app_home_opened(who.user_id))
        entries += self.collect()
        view = self.sandbox.home_view(who.user_id)
        if view is None:
            return [*entries, self._note(say.NO_HOME)]
        return [*entries, self._home_entry("home", who, view)]

    def click(self, who: Persona, wanted: str) -> list[Entry]:
        """``who`` clicks the button labelled ``wanted`` (newest message, Home or modal first)."""
        for where, control in self._controls(who):
            if control.kind == "button" and control.matches(wanted):
                entries = [self._did(who, say.CLICKS.format(label=control.label))]
                return entries + self._act(who, where, control, control.value)
        raise DemoError(say.NO_SUCH_BUTTON.format(label=wanted, seen=self._labels(who)))

    def pick(self, who: Persona, option: str, row: str | None = None) -> list[Entry]:
        """``who`` picks ``option`` in a select (beside the row mentioning ``row``, if given)."""
        selects = [(w, c) for w, c in self._controls(who) if c.kind == "select"]
        if not selects:
            raise DemoError(say.NO_SELECTS)
        where_found = selects[0][0]
        candidates = [(w, c) for w, c in selects if w is where_found]
        if row:
            candidates = [(w, c) for w, c in candidates if c.about(row)]
            if not candidates:
                raise DemoError(say.NO_SUCH_ROW.format(row=row, rows=_rows(selects, where_found)))
        elif len(candidates) > 1:
            raise DemoError(
                say.WHICH_ROW.format(count=len(candidates), rows=_rows(selects, where_found))
            )
        where, control = candidates[0]
        value = control.option(option)
        if value is None:
            options = ", ".join(f'"{bare(text)}"' for text, _ in control.options)
            raise DemoError(say.NO_SUCH_OPTION.format(option=option, options=options))
        chosen = next(text for text, v in control.options if v == value)
        shown_row = bare(control.row.split("\n")[0]) if control.row else control.label
        entries = [self._did(who, say.PICKS.format(option=chosen, row=shown_row))]
        return entries + self._act(who, where, control, value)

    def submit(self, who: Persona, text: str) -> list[Entry]:
        """``who`` types ``text`` into the modal they have open and submits it."""
        modal = self._open_modal(who)
        if modal is None:
            raise DemoError(say.NO_MODAL)
        inputs = [b for b in modal.blocks if b.get("type") == "input"]
        if not inputs:
            raise DemoError(say.NO_MODAL)
        first = inputs[0]
        element = first.get("element") or {}
        values = {
            str(first.get("block_id")): {
                str(element.get("action_id")): {"type": str(element.get("type")), "value": text}
            }
        }
        return self._submit(who, modal, values, self._did(who, say.SUBMITS.format(text=text)))

    def fill(self, who: Persona, picks: Sequence[str], text: str) -> list[Entry]:
        """``who`` fills in the modal they have open and submits it: the n-th select takes the
        option that starts with ``picks[n]`` (the last pick repeats), every text box ``text``."""
        modal = self._open_modal(who)
        inputs = [b for b in modal.blocks if b.get("type") == "input"] if modal else []
        if modal is None or not inputs or not picks:
            raise DemoError(say.NO_MODAL)
        values: dict[str, dict[str, Any]] = {}
        chosen: list[str] = []
        for block in inputs:
            element = block.get("element") or {}
            kind = str(element.get("type"))
            slot: dict[str, Any] = {"type": kind}
            if kind == "static_select":
                wanted = picks[min(len(chosen), len(picks) - 1)]
                options = element.get("options") or []
                option = next((o for o in options if o["text"]["text"].startswith(wanted)), None)
                if option is None:
                    shown = ", ".join(f'"{o["text"]["text"][:30]}"' for o in options)
                    raise DemoError(say.NO_SUCH_OPTION.format(option=wanted, options=shown))
                slot["selected_option"] = option
                label = str((block.get("label") or {}).get("text", ""))
                chosen.append(f"{label}: {wanted}")
            elif kind == "plain_text_input":
                slot["value"] = text
            else:
                continue
            values[str(block.get("block_id"))] = {str(element.get("action_id")): slot}
        did = self._did(who, say.FILLS.format(picks="; ".join(chosen), text=text))
        return self._submit(who, modal, values, did)

    def _submit(
        self, who: Persona, modal: View, values: dict[str, dict[str, Any]], did: Entry
    ) -> list[Entry]:
        """Deliver a modal's submission; a refusal shows as a private note with its errors."""
        entries = [did]
        delivery = self._deliver(
            lambda: self.driver.view_submission(who.user_id, modal.callback_id, values, view=modal)
        )
        self._submitted.add(modal.id)
        body = delivery.json() or {}
        if body.get("response_action") == "errors":
            self._submitted.discard(modal.id)
            problems = "; ".join(str(v) for v in (body.get("errors") or {}).values())
            entries.append(
                Entry("private", self.now, who, text=say.MODAL_ERRORS.format(problems=problems))
            )
        return entries + self.collect()

    # --- reading back what the bot did ---------------------------------------------------------

    def collect(self) -> list[Entry]:
        """Wait for the app's background work, then turn new Web API calls into entries."""
        if not self.runtime.settle(timeout=15):
            log.warning("the app was still busy after 15 s")
        calls = self.sandbox.calls()
        new, self._seen_calls = calls[self._seen_calls :], len(calls)
        responses = [r for r in self.sandbox.responses if r.source == "response_url"]
        fresh, self._seen_responses = responses[self._seen_responses :], len(responses)
        posted = iter(fresh)
        entries: list[Entry] = []
        for call in new:
            if call.method == "response_url":
                response = next(posted, None)
                if response is not None and call.ok:
                    entries += self._from_response(response.kind, response.user, response.body)
                continue
            if not call.ok:
                if call.method not in _QUIET_FAILURES:
                    entries.append(
                        self._note(
                            say.SLACK_REFUSED.format(method=call.method, error=call.error),
                            kind="problem",
                        )
                    )
                continue
            entries += self._from_call(call.method, call.params, call.response or {})
        return entries

    def _from_call(
        self, method: str, params: Mapping[str, Any], response: Mapping[str, Any]
    ) -> list[Entry]:
        blocks = tuple(_loads(params.get("blocks")) or ())
        text = str(params.get("text") or "")
        if method == "chat.postMessage":
            channel = str(response.get("channel") or params.get("channel") or "")
            ts = str(response.get("ts") or "")
            metadata = _loads(params.get("metadata")) or {}
            key = str((metadata.get("event_payload") or {}).get("key") or "")
            thread = params.get("thread_ts")
            self.stats.posts += 1
            return [
                Entry(
                    "thread" if thread else ("dm" if channel in self._by_channel else "channel"),
                    _ts_time(ts, self.now),
                    self._by_channel.get(channel),
                    text=text,
                    blocks=blocks,
                    outbox_kind=key.split(":", 1)[0] or None,
                    ref=(channel, ts),
                )
            ]
        if method == "chat.update":
            self.stats.updates += 1
            channel, ts = str(params.get("channel") or ""), str(params.get("ts") or "")
            return [
                Entry(
                    "update",
                    self.now,
                    self._by_channel.get(channel),
                    text=text,
                    blocks=blocks,
                    ref=(channel, ts),
                )
            ]
        if method == "chat.postEphemeral":
            self.stats.private += 1
            who = self._by_user.get(str(params.get("user") or ""))
            return [Entry("private", self.now, who, text=text, blocks=blocks, ref=_private(who))]
        if method in ("views.open", "views.push"):
            view = _loads(params.get("view")) or {}
            opened = response.get("view") or {}
            found = [v for v in self.sandbox.views("modal") if v.id == opened.get("id")]
            who = self._by_user.get(found[0].user) if found else None
            return [Entry("modal", self.now, who, view=view)]
        if method == "views.publish":
            self.stats.homes += 1
        if method == "files.completeUploadExternal":
            return self._shared_files(params, response)
        return []

    def _shared_files(self, params: Mapping[str, Any], response: Mapping[str, Any]) -> list[Entry]:
        """Each file shared in a DM (the review packet), named with its size: the bytes stay in
        the sandbox, so the demo leaves no file behind."""
        channel = str(params.get("channel_id") or "")
        ids = {str(f.get("id")) for f in response.get("files") or [] if isinstance(f, dict)}
        entries = []
        for shared in self.sandbox.files(channel):
            if shared.id in ids:
                self.stats.posts += 1
                text = say.FILE_SHARED.format(
                    title=shared.title,
                    filename=shared.filename,
                    size=len(shared.content),
                    comment=shared.initial_comment,
                )
                entries.append(Entry("dm", self.now, self._by_channel.get(channel), text=text))
        return entries

    def _from_response(self, kind: str, user: str, body: Mapping[str, Any]) -> list[Entry]:
        who = self._by_user.get(user)
        blocks = tuple(body.get("blocks") or ())
        text = str(body.get("text") or "")
        if kind == "delete":
            return []
        self.stats.private += 1
        if kind == "replace":
            ref = self._acting_on or _private(who)
            return [Entry("update", self.now, who, text=text, blocks=blocks, ref=ref)]
        return [Entry("private", self.now, who, text=text, blocks=blocks, ref=_private(who))]

    # --- helpers --------------------------------------------------------------------------------

    def _did(self, who: Persona, text: str, *, kind: str = "did") -> Entry:
        return Entry(kind, self.now, who, text=text)

    def _note(self, text: str, *, kind: str = "note") -> Entry:
        return Entry(kind, self.now, None, text=text)

    def narrate(self, text: str) -> Entry:
        """A line of narration at the current instant."""
        return self._note(text)

    def _deliver(self, send: Any) -> Delivery:
        self.stats.requests += 1
        delivery: Delivery = send()
        if not delivery.ok:
            raise DemoError(say.APP_REFUSED.format(status=delivery.status))
        return delivery

    def _ack_reply(self, who: Persona, delivery: Delivery) -> list[Entry]:
        body = delivery.json() if delivery.body.strip() else None
        if not isinstance(body, Mapping) or not (body.get("text") or body.get("blocks")):
            return []
        self.stats.private += 1
        return [
            Entry(
                "private",
                self.now,
                who,
                text=str(body.get("text") or ""),
                blocks=tuple(body.get("blocks") or ()),
                ref=_private(who),
            )
        ]

    def _count_answers(self, entries: list[Entry], *, asked: bool) -> None:
        if not asked:
            return
        replies = [
            e for e in entries if e.kind in ("dm", "thread", "private") and e.outbox_kind is None
        ]
        if replies:
            self.stats.answers += 1
            if any(_cites(e) for e in replies):
                self.stats.cited += 1

    def _controls(self, who: Persona) -> Iterator[tuple[Message | Ephemeral | View, Control]]:
        """Controls ``who`` can see: an open modal, their newest DMs, ephemerals, then Home."""
        modal = self._open_modal(who)
        if modal is not None:
            for control in controls(modal.blocks):
                yield modal, control
        recent: list[tuple[str, Message | Ephemeral]] = [
            (m.ts, m) for m in self.sandbox.bot_messages(who.user_id)
        ]
        recent += [(e.ts, e) for e in self.sandbox.ephemerals(who.user_id) if not e.deleted]
        for _, item in sorted(recent, key=lambda pair: float(pair[0] or 0), reverse=True)[:12]:
            for control in controls(item.blocks):
                yield item, control
        home = self.sandbox.home_view(who.user_id)
        if home is not None:
            for control in controls(home.blocks):
                yield home, control

    def _labels(self, who: Persona) -> str:
        labels: list[str] = []
        for _, control in self._controls(who):
            if control.kind == "button" and f'"{bare(control.label)}"' not in labels:
                labels.append(f'"{bare(control.label)}"')
        return ", ".join(labels[:10]) or say.NOTHING_TO_CLICK

    def _open_modal(self, who: Persona) -> View | None:
        modals = [
            v
            for v in self.sandbox.views("modal")
            if v.user == who.user_id and v.id not in self._submitted
        ]
        return modals[-1] if modals else None

    def _home_entry(self, kind: str, who: Persona, view: View) -> Entry:
        return Entry(
            kind, self.now, who, view=self.sandbox.view_object(view), ref=("home", who.user_id)
        )

    def _act(
        self, who: Persona, where: Message | Ephemeral | View, control: Control, value: str
    ) -> list[Entry]:
        """Deliver the click or pick; then what followed (and the Home tab, if it was there)."""
        if isinstance(where, Message):
            self._acting_on = (where.channel, where.ts)
        elif isinstance(where, Ephemeral):
            self._acting_on = _private(who)
        try:
            self._send_action(who, where, control, value)
            entries = self.collect()
        finally:
            self._acting_on = None
        if isinstance(where, View) and where.type == "home":
            home = self.sandbox.home_view(who.user_id)
            if home is not None:
                entries.append(self._home_entry("update", who, home))
        return entries

    def _send_action(
        self, who: Persona, where: Message | Ephemeral | View, control: Control, value: str
    ) -> None:
        view, message = (where, None) if isinstance(where, View) else (None, where)
        self._deliver(
            lambda: self.driver.block_action(
                who.user_id,
                control.action_id,
                value,
                block_id=control.block_id or None,
                message=message,
                view=view,
            )
        )


STORY_START = date(2026, 11, 2)
_QUIET_FAILURES = frozenset({"users.info"})


def _private(who: Persona | None) -> tuple[str, str] | None:
    """The transcript's key for the latest private reply to ``who`` (replaced in place)."""
    return ("private", who.user_id) if who is not None else None


def _rows(selects: list[tuple[Any, Control]], where: Any) -> str:
    rows = [bare(c.row.split("\n")[0]) for w, c in selects if w is where and c.row]
    return "; ".join(f'"{r}"' for r in rows[:8])


def _cites(entry: Entry) -> bool:
    text = entry.text + json.dumps(list(entry.blocks), ensure_ascii=False)
    return bool(re.search(r"§\s?\d|[Ss]ource|[Ss]ection \d", text))
