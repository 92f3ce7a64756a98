"""Growth check-in rounds as the tests drive them: the engine with app.yaml's growth cadence,
and a rater's full set of ratings in one call."""

from __future__ import annotations

from pathlib import Path

from bot.config import load_settings
from bot.domain.schedule import Rules
from bot.sandbox import SlackSandbox
from bot.services.clock import ManualClock
from bot.services.growth_rounds import Rating
from bot.services.onboarding import Onboarding
from tests.support.checkins import Rig, checkin_engine, paced_messenger
from tests.support.cli import CONFIG
from tests.support.enroll import enroll

#: The seven dimensions of the shipped plan's rubric, in plan order.
DIMENSIONS = (
    "python-software-fundamentals",
    "llm-fundamentals",
    "evaluation-mindset",
    "debugging-triage",
    "safety-privacy",
    "communication",
    "collaboration",
)


def shipped_rules() -> Rules:
    """The check-in defaults of the shipped app.yaml, growth cadence included."""
    settings = load_settings(Path(CONFIG))
    return Rules.of(**settings.checkins.model_dump(exclude={"holiday_country"}))


def growth_rig(onboarding: Onboarding, sandbox: SlackSandbox, clock: ManualClock) -> Rig:
    """The check-in engine with app.yaml's cadence (growth rounds on), posting to ``sandbox``."""
    engine = checkin_engine(onboarding, paced_messenger(sandbox, clock))
    engine.calendars.defaults = shipped_rules()
    return Rig(
        checkins=engine, onboarding=onboarding, sandbox=sandbox, db=onboarding.db, clock=clock
    )


#: Day 90 of a hire in New York who started Mon 2 Nov 2026: Mon 1 Feb 2027, 09:30 there.
DAY_90 = "2027-02-01T14:30:00"


def round_sent(onboarding: Onboarding, sandbox: SlackSandbox, clock: ManualClock) -> Rig:
    """The engine with app.yaml's cadence; a New York hire (manager and mentor), the 90-day
    round sent, nobody rated yet."""
    rig = growth_rig(onboarding, sandbox, clock)
    enroll(onboarding, tz="America/New_York", profile_in=sandbox)
    rig.run(DAY_90)
    return rig


def ratings(
    level: int = 2, *, comment: str | None = "Seen in the eval harness work", **levels: int
) -> dict[str, Rating]:
    """A rating of every dimension at ``level`` (``levels``: dimension id with ``_`` → level)."""
    out = {}
    for dimension in DIMENSIONS:
        chosen = levels.get(dimension.replace("-", "_"), level)
        out[dimension] = Rating(level=chosen, comment=comment)
    return out
