"""``onramp demo --interactive``: the demo's world, driven line by line by a person (or a pipe).

Act as any persona (``as ana``), type ``/onramp …`` or a DM, click buttons by label, pick menu
options, fill the note modal, open Home and let time pass (``advance 7d``). Input is read one
line at a time, so ``printf 'as marco\\n/onramp team\\nquit\\n' | onramp demo --interactive``
works as well as a terminal. Mistakes get a message saying what to type instead.
"""

from __future__ import annotations

import logging
import re
import shlex
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import TextIO

from bot.demo import messages as say
from bot.demo.render import Style
from bot.demo.story import OPENING
from bot.demo.transcript import Transcript
from bot.demo.world import DemoError, Entry, Persona, World

log = logging.getLogger("onramp.demo")

#: ``advance`` moves at most this far in one step (each day runs a few ticks).
MAX_ADVANCE = timedelta(days=120)
_AMOUNT = re.compile(
    r"^(\d+)\s*(w|wk|weeks?|d|days?|h|hrs?|hours?|m|mins?|minutes?)$", re.IGNORECASE
)
#: Time that passes after each action: one run of the minutely scheduler.
AFTER_ACTION = timedelta(minutes=1)
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}
_BARE_WORDS = frozenset({"home", "now", "who", "help", "quit", "exit", "?"})


def parse_amount(text: str) -> timedelta:
    """``7d``, ``2h``, ``30m``, ``1w``, ``3 days`` → a timedelta; DemoError otherwise."""
    match = _AMOUNT.match(text.strip())
    if match is None or int(match.group(1)) <= 0:
        raise DemoError(say.BAD_ADVANCE.format(text=text))
    amount = timedelta(**{_UNITS[match.group(2)[0].lower()]: int(match.group(1))})
    if amount > MAX_ADVANCE:
        raise DemoError(say.TOO_FAR.format(limit=MAX_ADVANCE.days))
    return amount


@dataclass
class Repl:
    """Turns one line of input into actions on the world and prints what happened."""

    world: World
    out: Transcript
    me: Persona

    def prompt(self) -> str:
        """``marco › ``."""
        return say.PROMPT.format(who=self.me.key)

    def handle(self, line: str) -> bool:
        """Run one line; False when the person is done."""
        text = line.strip()
        if not text:
            return True
        try:
            return self._dispatch(text)
        except DemoError as exc:
            self.out.write(f"  ✗ {exc}")
        return True

    def _dispatch(self, text: str) -> bool:
        word, _, rest = text.partition(" ")
        verb = word.casefold()
        rest = rest.strip()
        if text.startswith("/"):
            self._show(self.world.command(self.me, text))
        elif verb in _BARE_WORDS and not rest:
            return self._bare(verb)
        elif verb == "as" and rest and len(rest.split()) == 1:
            self.me = self.world.persona(rest)
            me = self.me
            self.out.write("  " + say.YOU_ARE.format(name=me.full_name, role=me.role, city=me.city))
        elif verb == "advance" and len(rest.split()) <= 2:
            if not rest:
                raise DemoError(say.USAGE["advance"])
            self.out.show(self.world.advance(parse_amount(rest)))
            self._now_line()
        elif verb == "click":
            self._show(self.world.click(self.me, self._words(rest, "click")))
        elif verb == "pick":
            option, row = self._pick_args(rest)
            self._show(self.world.pick(self.me, option, row))
        elif verb == "note":
            if not rest:
                raise DemoError(say.USAGE["note"])
            self._show(self.world.submit(self.me, rest))
        elif verb == "rate":
            levels, text = self._rate_args(rest)
            self._show(self.world.fill(self.me, levels, text))
        elif verb == "say" and rest:
            self._show(self.world.dm(self.me, rest))
        else:
            self._show(self.world.dm(self.me, text))
        return True

    def _bare(self, verb: str) -> bool:
        if verb in ("quit", "exit"):
            return False
        if verb in ("help", "?"):
            self.out.write(say.HELP.format(roster=self.world.roster()))
        elif verb == "home":
            self._show(self.world.open_home(self.me))
        elif verb == "now":
            for p in self.world.personas.values():
                self.out.write(
                    "  " + say.NOW_LINE.format(name=p.name, local=p.local(self.world.now))
                )
        elif verb == "who":
            for p in self.world.personas.values():
                self.out.write(
                    "  "
                    + say.PERSONA.format(full_name=p.full_name, role=p.role, city=p.city, tz=p.tz)
                    + f"  → as {p.key}"
                )
        return True

    @staticmethod
    def _split(rest: str) -> list[str]:
        try:
            return shlex.split(rest)
        except ValueError:
            raise DemoError(say.BAD_QUOTES.format(line=rest)) from None

    def _words(self, rest: str, verb: str) -> str:
        words = " ".join(self._split(rest))
        if not words:
            raise DemoError(say.USAGE[verb])
        return words

    def _pick_args(self, rest: str) -> tuple[str, str | None]:
        tokens = self._split(rest)
        if "for" in tokens:
            at = tokens.index("for")
            option, row = " ".join(tokens[:at]), " ".join(tokens[at + 1 :])
        else:
            option, row = " ".join(tokens), ""
        if not option:
            raise DemoError(say.USAGE["pick"])
        return option, row or None

    def _rate_args(self, rest: str) -> tuple[list[str], str]:
        """``"LEVEL[, LEVEL…]" COMMENT``: levels in the rubric's order, the last one repeating."""
        tokens = self._split(rest)
        levels = [lv.strip() for lv in (tokens[0] if tokens else "").split(",") if lv.strip()]
        text = " ".join(tokens[1:])
        if not levels or not text:
            raise DemoError(say.USAGE["rate"])
        return levels, text

    def _show(self, entries: list[Entry]) -> None:
        # The scheduler ticks every minute: let one pass, so what an action set off (a mentor
        # nudge after "At risk") goes out as it would.
        self.out.show(entries + self.world.advance(AFTER_ACTION))

    def _now_line(self) -> None:
        local = self.me.local(self.world.now)
        self.out.write(self.out.style.dim(f"  ⏱ {local:%a %d %b %Y %H:%M %Z} for {self.me.name}"))


def lines_from(
    stream: TextIO, *, tty: bool, prompt: Callable[[], str], echo: Callable[[str], None]
) -> Iterator[str]:
    """Input lines: with a prompt on a terminal; from a pipe, each line echoed after the prompt."""
    if tty:
        while True:
            try:
                yield input(prompt())
            except EOFError:
                return
    for raw in stream:
        line = raw.rstrip("\r\n")
        echo(prompt() + line)
        yield line


def run(
    write: Callable[[str], None],
    lines: Callable[[Repl], Iterable[str]],
    *,
    color: bool,
    key_set: bool,
) -> None:
    """Open the world, greet, run every line until ``quit`` or the end of input, tear down."""
    with World(start=OPENING) as world:
        out = Transcript(world, write, Style(color=color))
        out.intro(say.INTERACTIVE_TITLE, key_set=key_set)
        repl = Repl(world=world, out=out, me=world.persona("marco"))
        write("")
        write("  " + say.REPL_INTRO.format(who=f"{repl.me.name} ({repl.me.role})"))
        for line in lines(repl):
            if not repl.handle(line):
                break
    write(say.BYE)
