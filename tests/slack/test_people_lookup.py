"""``users.info`` before the ack: one shared budget, so a slow Slack never costs a command its
reply; people Slack describes late are filled in by the next request that meets them."""

from __future__ import annotations

from bot.app import Container, SlackRuntime
from bot.sandbox import SlackDriver, SlackSandbox
from bot.slack.directory import BUDGET_SECONDS
from storage import repositories as repo
from tests.slack.conftest import MANAGER, MENTOR, NEWCOMER, STRANGER, shown

SLOW = 1.9  # the reviewer's stand-in: each users.info answers after 1.9 s


def _person(container: Container, user_id: str) -> tuple[str, str | None] | None:
    with container.db.read() as session:
        person = repo.get_person(session=session, user_id=user_id)
        return None if person is None else (person.display_name, person.tz)


def _enrolled(container: Container, user_id: str) -> bool:
    with container.db.read() as session:
        person = repo.get_person(session=session, user_id=user_id)
        return (
            person is not None
            and repo.open_enrollment(session=session, hire_id=person.id or 0) is not None
        )


def test_slow_users_info_for_everyone_named_still_acks_in_time(
    slack: SlackDriver, sandbox: SlackSandbox, container: Container
) -> None:
    """A caller, a hire and two mentors Slack takes 1.9 s each to describe: the enroll is
    acknowledged within the lookup budget with its reply, and the enrollment it reports exists."""
    sandbox.slow("users.info", SLOW)
    delivery = slack.command(
        f"enroll <@{NEWCOMER}|nia> mentor=<@{MENTOR}|milo> mentor=<@{STRANGER}|sam>", MANAGER
    )
    assert delivery.status == 200
    assert delivery.in_time
    assert delivery.elapsed < BUDGET_SECONDS + 0.8  # not one lookup's 1.9 s, let alone four
    assert f"Enrolled <@{NEWCOMER}>" in shown(delivery)
    assert _enrolled(container, NEWCOMER)
    # Recorded from the mention until Slack answers.
    assert _person(container, NEWCOMER) == ("nia", None)


def test_a_late_profile_is_stored_by_the_next_request_that_meets_the_person(
    slack: SlackDriver, sandbox: SlackSandbox, container: Container, runtime: SlackRuntime
) -> None:
    """Lookups that missed the budget still finish; the person's next request stores the name
    and time zone Slack gave, without asking Slack again."""
    sandbox.slow("users.info", SLOW, times=4)
    slack.command(f"enroll <@{NEWCOMER}|n> mentor=<@{MENTOR}|milo>", MANAGER)
    assert runtime.context.directory.drain(timeout=10)
    asked = len(sandbox.calls("users.info"))
    assert asked == 3  # caller, hire, mentor: once each
    slack.command("me", NEWCOMER)
    assert _person(container, NEWCOMER) == ("nia", "America/Los_Angeles")
    assert len(sandbox.calls("users.info")) == asked


def test_one_person_named_twice_is_looked_up_once(
    slack: SlackDriver, sandbox: SlackSandbox
) -> None:
    """Everyone in a request is looked up once, however often they are named."""
    delivery = slack.command(f"enroll <@{NEWCOMER}> mentor=<@{MENTOR}> mentor=<@{MENTOR}>", MANAGER)
    assert delivery.ok
    asked = [c.params.get("user") for c in sandbox.calls("users.info")]
    assert sorted(asked) == sorted({MANAGER, NEWCOMER, MENTOR})
