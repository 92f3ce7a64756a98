"""A time zone Slack knows and this server's tzdata doesn't (Slack is often ahead of tzdata)."""

from __future__ import annotations

from bot.app import Container, SlackRuntime
from bot.sandbox import SlackDriver
from storage import repositories as repo
from tests.slack.conftest import MANAGER, shown

NEWBIE = "U0NEWBIE"


def test_enrolling_someone_in_an_unknown_zone_works_and_says_which_zone_is_used(
    slack: SlackDriver, container: Container, runtime: SlackRuntime
) -> None:
    """`/onramp enroll` of a person whose Slack zone is unknown here enrolls them on the
    workspace default and says so; their `progress` and the next tick work too."""
    # The claim is the zone message, not the ~1 s users.info budget before the ack (that is
    # test_people_lookup's): on a loaded CI machine the lookup once took longer, the enroll went
    # on without the zone, and the message was rightly absent. A wide budget keeps this test
    # about what it claims.
    runtime.context.directory.budget_seconds = 30.0
    slack.sandbox.add_user(NEWBIE, "nova", tz="Not/AZone", real_name="Nova New")
    reply = shown(slack.command(f"enroll <@{NEWBIE}|nova> start=2026-11-09", MANAGER))
    assert "Enrolled <@U0NEWBIE>" in reply
    assert "the time zone `Not/AZone`, which this server's time-zone database" in reply
    assert "follow the workspace default (UTC)" in reply
    with container.db.read() as session:
        enrollment = repo.latest_enrollment(
            session=session, hire_id=repo.get_person(session=session, user_id=NEWBIE).id
        )
    assert enrollment is not None
    assert "something went wrong" not in shown(slack.command(f"progress <@{NEWBIE}>", MANAGER))
    report = container.checkins.tick(container.clock.now(), dry_run=True)
    assert report is not None
