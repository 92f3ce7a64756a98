"""The people of a check-in: a hire, their manager and their mentor, each in another zone.

New York, Los Angeles and Berlin put each person's 09:30 at a different hour of the UTC day, so
a test can tell whose send window a message went out in.
"""

from __future__ import annotations

from bot.sandbox import SlackSandbox

#: The shipped plan every check-in test enrolls hires on.
PLAN = "junior-llm-engineer"
HIRE, MANAGER, MENTOR = "U0HIRE", "U0MANAGER", "U0MENTOR"
#: Each person's zone as their Slack profile gives it.
ZONES = {HIRE: "America/New_York", MANAGER: "America/Los_Angeles", MENTOR: "Europe/Berlin"}


def add_user(sandbox: SlackSandbox, user_id: str, tz: str) -> None:
    """Make ``user_id`` a member of the sandbox's workspace, in ``tz`` (``U0HIRE`` → ``hire``)."""
    sandbox.add_user(user_id, user_id.lower().removeprefix("u0"), tz=tz)


def add_people(sandbox: SlackSandbox) -> SlackSandbox:
    """Make the hire, the manager and the mentor members of the sandbox, each in their zone."""
    for user_id, tz in ZONES.items():
        add_user(sandbox, user_id, tz)
    return sandbox
