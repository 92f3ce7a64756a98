"""Enrolling hires the way the check-in tests need them: through the onboarding service, as the
CLI does, with the manager and mentor of :mod:`tests.support.people`."""

from __future__ import annotations

from datetime import date

from bot.sandbox import SlackSandbox
from bot.services.onboarding import Actor, EnrollmentReport, Onboarding, Profile
from tests.support.people import HIRE, MANAGER, MENTOR, PLAN, add_user

#: The day the check-in tests' hires start, unless a test says otherwise (a Monday).
START = date(2026, 11, 2)


def enroll(
    onboarding: Onboarding,
    *,
    hire: str = HIRE,
    start: date = START,
    tz: str | None = None,
    mentors: tuple[str, ...] = (MENTOR,),
    profile_in: SlackSandbox | None = None,
) -> EnrollmentReport:
    """Enroll ``hire`` (zone unknown unless given, as from the CLI) with the manager and mentor.

    With ``profile_in`` (the sandbox), the hire's Slack profile says ``tz`` too, so the weekly
    profile refresh (due once the test clock passes a week) keeps the zone instead of
    correcting it.
    """
    if profile_in is not None and tz:
        add_user(profile_in, hire, tz)
    return onboarding.enroll(
        actor=Actor.cli(),
        hire=Profile(user_id=hire, tz=tz) if tz else hire,
        plan_id=PLAN,
        start=start,
        manager=MANAGER,
        mentors=list(mentors),
    )


def enroll_hires(
    onboarding: Onboarding,
    numbers: range,
    *,
    start: date = START,
    tz: str = "UTC",
    profile_in: SlackSandbox | None = None,
) -> list[EnrollmentReport]:
    """Enroll ``U0HIRE{n}`` for each ``n`` in ``numbers``, all in ``tz`` and without mentors."""
    return [
        enroll(onboarding, hire=f"U0HIRE{n}", start=start, tz=tz, mentors=(), profile_in=profile_in)
        for n in numbers
    ]
