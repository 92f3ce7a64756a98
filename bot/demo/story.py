"""The scripted story of ``onramp demo``: Ana's first 90 days, played through the real app.

Each step is something a person does in Slack (through :class:`~bot.demo.world.World`, which
delivers it to the Bolt app as Slack would) or time passing (the check-in engine ticks). The
story only decides *when* people act and *what* they type or click; everything the bot says
comes from the app itself.
"""

from __future__ import annotations

import time as timer
from collections.abc import Callable
from datetime import UTC, datetime

from bot.demo import messages as say
from bot.demo.transcript import Transcript
from bot.demo.world import STORY_START, World

#: The story opens on the Friday before Ana's first day, at 09:00 in San Francisco.
#: Day 90 is a Saturday; the growth check-in comes with the 90-day review, on Monday (day 92).
GROWTH_DAY = 92
#: Marco's private note about Ana: it shows in his 1:1 prep and nowhere else.
PRIVATE_NOTE = "Ask how the eval harness handoff went; she seemed unsure on Monday."
OPENING = datetime(2026, 10, 30, 16, 0, tzinfo=UTC)

QUESTIONS = (
    "How fast should responses be at the 95th percentile?",
    "What are the 60-day goals?",
)
NOTE = "Still waiting on GPU quota for the eval cluster, so I can't run the offline evals yet."
WIN = (
    "Cut the support bot's p95 latency from 2.1 s to 900 ms by caching retrieval; "
    "the eval suite stayed green tag=debugging-triage tag=evaluation-mindset visibility=mentors"
)
#: Ratings in the rubric's order; Marco sees Ana's evaluation work (the third) two levels
#: higher than she does, which the side-by-side flags for a conversation.
ANA_RATES = ("acceptable", "acceptable", "below bar", "acceptable")
MARCO_RATES = ("acceptable", "acceptable", "excellent", "acceptable")
ANA_COMMENT = "See my wins; the latency work taught me a lot."
MARCO_COMMENT = "The p95 latency win was measured with evals first: exactly the habit we want."
REVIEW_ANSWERS = (
    ("d30-product-surface", "Done"),
    ("d30-dev-environment", "Done"),
    ("d30-first-improvements", "In progress"),
    ("d30-prompt-flow-tests", "Done"),
    ("d30-retrieval-fix", "In progress"),
    ("d30-safe-data-handling", "Done"),
)


def play(world: World, out: Transcript) -> None:
    """Play the whole story, printing the transcript as it goes."""
    ana, marco = world.persona("ana"), world.persona("marco")
    show = out.show

    show([world.narrate(say.STORY_ENROLL)])
    show(world.command(marco, f"/onramp enroll @ana mentor=@priya start={STORY_START:%Y-%m-%d}"))

    # Day 1: the welcome DM (and the Monday digests), then Ana looks at her Home tab.
    show(world.advance_to(world.at(1, "04:00")))
    show([world.narrate(say.STORY_DAY1)])
    show(world.advance_to(world.at(1, "10:15")))
    show(world.open_home(ana))

    # Day 8: the first weekly pulse; Ana is at risk and says why; Priya is nudged at once.
    show(world.advance_to(world.at(8, "04:00")))
    show([world.narrate(say.STORY_PULSE)])
    show(world.advance_to(world.at(8, "10:05")))
    show(world.click(ana, "At risk"))
    show(world.click(ana, "Add a note"))
    show(world.submit(ana, NOTE))
    show(world.advance_to(world.at(8, "10:07")))

    # Day 9: two role questions, one in a DM and one with /onramp ask, answered with citations.
    show(world.advance_to(world.at(9, "11:00")))
    show([world.narrate(say.STORY_QUESTIONS)])
    show(world.dm(ana, QUESTIONS[0]))
    show(world.command(ana, f"/onramp ask {QUESTIONS[1]}"))
    show(world.click(ana, "Helpful"))

    # Weeks 2–4: one click each.
    show([world.narrate(say.STORY_QUIET_WEEKS)])
    for day in (15, 22, 29):
        show(world.advance_to(world.at(day, "10:00")))
        show(world.click(ana, "On track"))

    # Day 31 (Wed 2 Dec): the day-30 review, milestone by milestone.
    show(world.advance_to(world.at(31, "04:00")))
    show([world.narrate(say.STORY_REVIEW)])
    show(world.advance_to(world.at(31, "11:30")))
    for milestone, status in REVIEW_ANSWERS:
        show(world.pick(ana, status, milestone))

    # The manager's view of the team, and of Ana.
    show(world.advance_to(world.at(31, "14:00")))
    show([world.narrate(say.STORY_MANAGER)])
    show(world.command(marco, "/onramp team"))
    show(world.command(marco, "/onramp progress @ana"))

    # Days 36–45: silence → reminder → mentor nudge → escalation to the manager.
    show(world.advance_to(world.at(36, "04:00")))
    show([world.narrate(say.STORY_SILENT)])
    show(world.advance_to(world.at(45, "13:00")))
    show([world.narrate(say.STORY_BACK)])
    show(world.click(ana, "On track"))

    # Back on track for the next two pulses; then, on day 58, the day-60 heads-up.
    for day in (50, 57):
        show(world.advance_to(world.at(day, "10:00")))
        show(world.click(ana, "On track"))
    show(world.advance_to(world.at(58, "04:00")))
    show([world.narrate(say.STORY_DAY60)])
    show(world.advance_to(world.at(58, "12:00")))
    play_growth(world, out)


def play_growth(world: World, out: Transcript) -> None:
    """The growth act: a win, the day-90 growth check-in, the side-by-side, readiness, the
    packet and a 1:1 prep."""
    ana, marco = world.persona("ana"), world.persona("marco")
    show = out.show

    # Growth: a win in Ana's words; then the day-90 growth check-in, blind for both raters;
    # the side-by-side once both have submitted; and Marco's readiness view of Ana.
    show(world.advance_to(world.at(64, "10:00")))
    show([world.narrate(say.STORY_WIN)])
    show(world.click(ana, "On track"))
    show(world.command(ana, f"/onramp win {WIN}"))
    for day in (71, 78, 85):
        show(world.advance_to(world.at(day, "10:00")))
        show(world.click(ana, "On track"))
    show(world.advance_to(world.at(GROWTH_DAY, "04:00")))
    show([world.narrate(say.STORY_GROWTH)])
    show(world.advance_to(world.at(GROWTH_DAY, "13:00")))
    show(world.click(ana, "Rate now"))
    show(world.fill(ana, ANA_RATES, ANA_COMMENT))
    show(world.click(marco, "Rate now"))
    show(world.fill(marco, MARCO_RATES, MARCO_COMMENT))
    show(world.advance_to(world.at(GROWTH_DAY, "13:10")))
    show([world.narrate(say.STORY_READINESS)])
    show(world.command(marco, "/onramp growth @ana"))
    show([world.narrate(say.STORY_PACKET)])
    show(world.command(marco, "/onramp packet @ana"))

    # 1:1 prep: Marco sets a weekly 1:1 on his clock and keeps a private note; the working day
    # before the meeting both get a prep DM, his with the note, hers without.
    show([world.narrate(say.STORY_ONE_ON_ONE)])
    show(world.command(marco, "/onramp one-on-one @ana weekly thu 15:00"))
    show(world.command(marco, f"/onramp note @ana {PRIVATE_NOTE}"))
    show(world.advance_to(world.at(GROWTH_DAY + 2, "13:00")))


def run(write: Callable[[str], None], *, color: bool, key_set: bool) -> None:
    """Set up the world, play the story, print the summary; the world is torn down after."""
    from bot.demo.render import Style

    started = timer.perf_counter()
    with World(start=OPENING) as world:
        out = Transcript(world, write, Style(color=color))
        out.intro(say.TITLE, key_set=key_set)
        play(world, out)
        first, last = OPENING, world.now
        stats = world.stats
    out.summary(stats, first=first, last=last, seconds=timer.perf_counter() - started)
