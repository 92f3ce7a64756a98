"""``/onramp withdraw @hire`` asks first; the [Withdraw] button does it, checked again on click."""

from __future__ import annotations

import pytest

from bot.app import Container, SlackRuntime
from bot.domain.progress import EnrollmentStatus
from bot.sandbox import SlackDriver, SlackSandbox
from bot.sandbox.records import Ephemeral
from bot.services.onboarding import Actor
from bot.slack import messages as msg
from bot.slack.payloads import WITHDRAW_CANCEL_ACTION, WITHDRAW_CONFIRM_ACTION
from tests.slack.conftest import ADMIN, HIRE, MANAGER, MENTOR, STRANGER, enroll_hire

WITHDRAWN = msg.LIFECYCLE_DONE["withdraw"].format(hire=HIRE, cmd="/onramp")


def _status(container: Container) -> EnrollmentStatus:
    return container.onboarding.progress(actor=Actor.cli(), hire=HIRE).status


def _ask(driver: SlackDriver, sandbox: SlackSandbox, user: str = MANAGER) -> Ephemeral:
    """``user`` runs ``/onramp withdraw @hire``; the question as the sandbox shows it."""
    driver.command(f"withdraw <@{HIRE}|hana>", user)
    return sandbox.ephemerals(user)[-1]


def _click(
    driver: SlackDriver,
    runtime: SlackRuntime,
    sandbox: SlackSandbox,
    question: Ephemeral,
    *,
    by: str = MANAGER,
    action: str = WITHDRAW_CONFIRM_ACTION,
) -> Ephemeral:
    """``by`` clicks a button of ``question``; what replaced it."""
    driver.block_action(by, action, message=question)
    assert runtime.settle()
    reply = sandbox.ephemerals(by)[-1]
    assert reply.replaces == question.ts
    return reply


def test_withdraw_asks_first_and_changes_nothing(
    enrolled: SlackDriver, sandbox: SlackSandbox, container: Container
) -> None:
    """The command only asks: what will happen, with [Withdraw] and [Cancel]; the plan stays."""
    question = _ask(enrolled, sandbox)
    assert question.text == msg.WITHDRAW_CONFIRM.format(hire=HIRE, plan="Junior LLM Engineer")
    buttons = [e for b in question.blocks if b["type"] == "actions" for e in b["elements"]]
    assert [b["action_id"] for b in buttons] == [WITHDRAW_CONFIRM_ACTION, WITHDRAW_CANCEL_ACTION]
    assert _status(container) is EnrollmentStatus.ACTIVE


@pytest.mark.parametrize("user", [MANAGER, ADMIN])
def test_the_withdraw_button_withdraws_and_says_so_in_place(
    enrolled: SlackDriver,
    sandbox: SlackSandbox,
    runtime: SlackRuntime,
    container: Container,
    user: str,
) -> None:
    """[Withdraw] withdraws the plan and replaces the question with what was done."""
    reply = _click(enrolled, runtime, sandbox, _ask(enrolled, sandbox, user), by=user)
    assert reply.text == WITHDRAWN
    assert _status(container) is EnrollmentStatus.WITHDRAWN


def test_cancel_changes_nothing(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime, container: Container
) -> None:
    """[Cancel] replaces the question with "nothing was changed", and the plan stays active."""
    question = _ask(enrolled, sandbox)
    reply = _click(enrolled, runtime, sandbox, question, action=WITHDRAW_CANCEL_ACTION)
    assert reply.text == msg.WITHDRAW_CANCELLED
    assert _status(container) is EnrollmentStatus.ACTIVE


def test_a_second_click_says_it_is_already_done(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """Clicking [Withdraw] again (a double click, a stale copy) says it was already done."""
    question = _ask(enrolled, sandbox)
    _click(enrolled, runtime, sandbox, question)
    again = _click(enrolled, runtime, sandbox, question)
    assert again.text.startswith("Already done: the plan of <@U0HIRE> you asked about is withdrawn")


def test_an_old_button_never_withdraws_a_newer_plan(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime, container: Container
) -> None:
    """A question about a plan since withdrawn and replaced by a new enrollment is already done
    when clicked, and the new plan stays active."""
    question = _ask(enrolled, sandbox)
    _click(enrolled, runtime, sandbox, question)
    enroll_hire(enrolled)
    again = _click(enrolled, runtime, sandbox, question)
    assert again.text.startswith("Already done:")
    assert _status(container) is EnrollmentStatus.ACTIVE


@pytest.mark.parametrize(
    ("user", "refusal"),
    [
        (STRANGER, "You can only withdraw the plans of people you manage; ask their manager."),
        (MENTOR, "As the mentor on this plan you can't withdraw it; ask the hire's manager."),
        (HIRE, "you can't withdraw it; ask the hire's manager"),
    ],
)
def test_a_button_clicked_by_someone_else_is_refused_as_the_command_is(
    enrolled: SlackDriver,
    sandbox: SlackSandbox,
    runtime: SlackRuntime,
    container: Container,
    user: str,
    refusal: str,
) -> None:
    """The button is checked again with the clicker's rights: a forwarded or forged one gets
    the command's refusal, learns nothing about the plan, and nothing changes."""
    question = _ask(enrolled, sandbox)
    forged = Ephemeral(sandbox.dm_channel(user), user, question.ts, question.text, question.blocks)
    reply = _click(enrolled, runtime, sandbox, forged, by=user)
    assert refusal in reply.text
    assert "Junior" not in reply.text
    assert _status(container) is EnrollmentStatus.ACTIVE
