"""The transcript: what each person saw and did, day by day, as readable text.

A day marker opens each simulated day of the hire's calendar ("── Day 8 · Mon 9 Nov 2026 ──");
each entry names who sees it, where (DM, thread, only-you ephemeral, modal, App Home) and when on
their own clock, then the Block Kit body rendered by :mod:`bot.demo.render`. Messages updated in
place show only what changed. Routine messages (digests, later check-ins of a kind already
shown) are shortened to their first lines so the story stays readable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.demo import messages as say
from bot.demo.render import PLAIN, Style, message_lines, view_lines
from bot.demo.world import Entry, Persona, Stats, World

#: Outbox kinds always shown in full: the moments the story is about.
ALWAYS_FULL = frozenset({"mentor_nudge", "escalation", "review", "welcome"})
#: How many body lines a shortened message keeps.
SHORT_LINES = 2
BAR = "│"


def day_label(day: date) -> str:
    """``Mon 2 Nov 2026`` (no zero padding, on every platform)."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def clock_label(when: datetime, who: Persona | None) -> str:
    """``09:30 EST`` on ``who``'s wall clock (UTC for nobody in particular)."""
    local = who.local(when) if who is not None else when
    return f"{local:%H:%M %Z}"


@dataclass
class Transcript:
    """Prints entries for one :class:`World`, with day markers, in the order they happened."""

    world: World
    write: Callable[[str], None]
    style: Style = field(default_factory=Style)
    _day: date | None = None
    _shown: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    _kinds_seen: set[tuple[str, str]] = field(default_factory=set)

    # --- whole-run pieces -----------------------------------------------------------------------

    def intro(self, title: str, *, key_set: bool) -> None:
        """The title, the workspace, the cast, and how answers and time work here."""
        w = self.world
        loaded = w.container.catalog.get("junior-llm-engineer").plan
        self.write(self.style.bold(title))
        self.write(
            "  " + say.WORKSPACE.format(team="Acme AI", plan=loaded.title, version=loaded.version)
        )
        for p in w.personas.values():
            self.write(
                "  " + say.PERSONA.format(full_name=p.full_name, role=p.role, city=p.city, tz=p.tz)
            )
        self.write("  " + (say.BACKEND_KEY_IGNORED if key_set else say.BACKEND))
        self.write("  " + say.DATABASE)
        self.write("  " + say.CLOCK)

    def summary(self, stats: Stats, *, first: datetime, last: datetime, seconds: float) -> None:
        """The closing summary: what was sent, answered, delivered, and how long it took."""
        hire = self.world.hire
        start, end = hire.local(first).date(), hire.local(last).date()
        self.write("")
        self.write(self._rule(say.SUMMARY))
        lines = [
            say.SUMMARY_SPAN.format(
                first=day_label(start),
                last=day_label(end),
                days=(end - start).days + 1,
                ticks=stats.ticks,
            ),
            say.SUMMARY_SENT.format(total=stats.posts, parts=self._sent_parts(stats)),
            say.SUMMARY_CHECKINS.format(
                checkins=sum(stats.sent[k] for k in ("welcome", "pulse", "heads_up", "review")),
                nudges=stats.sent["mentor_nudge"],
                escalations=stats.sent["escalation"],
                reminders=stats.sent["reminder"],
            ),
            say.SUMMARY_OTHER.format(
                updates=stats.updates, private=stats.private, homes=stats.homes
            ),
            say.SUMMARY_ANSWERS.format(
                questions=stats.questions, answers=stats.answers, cited=stats.cited
            ),
            say.SUMMARY_REQUESTS.format(requests=stats.requests),
            say.SUMMARY_TIME.format(seconds=seconds),
        ]
        for line in lines:
            self.write(f"  {line}")

    @staticmethod
    def _sent_parts(stats: Stats) -> str:
        order = list(say.KIND_NAMES)
        kinds = sorted(stats.sent, key=lambda k: order.index(k) if k in order else len(order))
        parts = [f"{say.KIND_NAMES.get(k, k)} {stats.sent[k]}" for k in kinds if stats.sent[k]]
        others = stats.posts - sum(stats.sent.values())
        if others > 0:
            parts.append(f"{say.OTHER_POSTS} {others}")
        return " · ".join(parts)

    # --- entries --------------------------------------------------------------------------------

    def show(self, entries: Iterable[Entry]) -> None:
        """Print entries, opening a new day whenever the hire's calendar turns over."""
        for entry in entries:
            self._maybe_new_day(entry.at)
            self._entry(entry)

    def _maybe_new_day(self, when: datetime) -> None:
        local = self.world.hire.local(when).date()
        if local == self._day:
            return
        self._day = local
        day = self.world.day(when)
        name = say.DAY.format(day=day) if day >= 1 else say.BEFORE_START
        self.write("")
        self.write(self.style.accent(self._rule(f"{name} · {day_label(local)}")))

    @staticmethod
    def _rule(title: str, width: int = 72) -> str:
        head = f"── {title} "
        return head + "─" * max(4, width - len(head))

    def _names(self, user_id: str) -> str:
        return self.world.name_of(user_id)

    def _entry(self, e: Entry) -> None:
        s = self.style
        who = e.to.name if e.to else "?"
        when = s.dim(clock_label(e.at, e.to))
        if e.kind in ("did", "did-quiet", "said"):
            assert e.to is not None  # noqa: S101 - a person always acts
            actor = s.bold(say.HEAD_DID.format(who=e.to.name, role=e.to.role))
            shown = f"“{e.text}”" if e.kind == "said" else e.text
            verb = "  ✎ " if e.kind == "said" else "  ▸ "
            self.write("")
            self.write(
                f"  👤 {actor} {when}{verb}{s.accent(shown) if e.text.startswith('/') else shown}"
            )
            return
        if e.kind == "note":
            self.write("")
            self.write(f"  {s.italic(s.dim(e.text))}")
            return
        if e.kind == "problem":
            self.write(f"  {s.warn('⚠ ' + e.text)}")
            return
        if e.kind == "update":
            self._update(e, who, when)
            return
        heads = {
            "dm": ("💬", say.HEAD_DM.format(who=who)),
            "thread": ("🧵", say.HEAD_THREAD.format(who=who)),
            "channel": ("📣", say.HEAD_CHANNEL),
            "private": ("🔒", say.HEAD_PRIVATE.format(who=who)),
            "modal": ("🪟", say.HEAD_MODAL.format(who=who)),
            "home": ("🏠", say.HEAD_HOME.format(who=who)),
        }
        icon, head = heads.get(e.kind, ("•", e.kind))
        if e.outbox_kind in ("mentor_nudge", "escalation"):
            head = s.warn(head)
        self.write(f"  {icon} {s.bold(head)} {when}")
        lines = self._lines(e, s)
        if e.ref is not None:
            self._shown[e.ref] = self._lines(e)
        if self._shorten(e):
            lines = [*lines[:SHORT_LINES], s.dim(say.MORE)] if len(lines) > SHORT_LINES else lines
        self._body(lines)

    def _shorten(self, e: Entry) -> bool:
        if e.outbox_kind is None or e.outbox_kind in ALWAYS_FULL or e.to is None:
            return False
        key = (e.to.key, e.outbox_kind)
        if key in self._kinds_seen:
            return True
        self._kinds_seen.add(key)
        return False

    def _lines(self, e: Entry, style: Style = PLAIN) -> list[str]:
        if e.view is not None:
            return view_lines(e.view, names=self._names, style=style)
        return message_lines(e.text, e.blocks, names=self._names, style=style)

    def _update(self, e: Entry, who: str, when: str) -> None:
        s = self.style
        plain, styled = self._lines(e), self._lines(e, s)
        before = set(self._shown.get(e.ref, [])) if e.ref else set()
        if e.ref is not None:
            self._shown[e.ref] = plain
        changed = [
            st for pl, st in zip(plain, styled, strict=False) if pl not in before and pl.strip()
        ]
        home = e.ref is not None and e.ref[0] == "home"
        head = (say.HEAD_HOME_UPDATE if home else say.HEAD_UPDATE).format(who=who)
        self.write(f"  ✏️  {s.bold(head)} {when}")
        self._body(changed or [s.dim(say.UNCHANGED)])

    def _body(self, lines: list[str]) -> None:
        bar = self.style.dim(BAR)
        for line in lines:
            self.write(f"     {bar} {line}" if line else f"     {bar}")
