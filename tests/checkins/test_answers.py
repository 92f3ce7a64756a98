"""Answering check-ins in Slack: the real Bolt app, signed actions from the sandbox driver."""

from __future__ import annotations

from bot.sandbox import Delivery
from bot.slack import checkin_blocks as cb
from storage import outbox as repo
from storage import repositories
from tests.support.checkins import RunningApp, at, messages_to
from tests.support.people import HIRE, MANAGER, MENTOR


def test_mood_button_records_updates_in_place_and_nudges_the_mentor(
    enrolled_app: RunningApp,
) -> None:
    """'At risk' on the pulse: recorded, the DM shows it with the time, the mentor is told."""
    app = enrolled_app
    pulse, outbox_id = app.first_pulse()
    app.clock.set(at("2026-11-17T20:00:00"))  # after the next pulse: still counts
    delivery = app.slack.block_action(
        HIRE, f"{cb.MOOD_ACTION}:at_risk", f"{outbox_id}:at_risk", message=pulse
    )
    assert delivery.ok
    assert app.runtime.settle()
    updated = app.posted("pulse:1:w1")
    assert updated.edited_ts is not None
    shown = str(updated.blocks)
    assert "Recorded" in shown
    assert "At risk" in shown
    assert "Tue 17 Nov 15:00" in shown  # in New York time
    assert "late, still counted" in shown
    app.tick()
    assert len(messages_to(app.sandbox, MENTOR, having="nudge")) == 1
    assert app.sandbox.home_view(HIRE) is not None


def test_review_select_marks_the_milestone_through_onboarding(enrolled_app: RunningApp) -> None:
    """A status picked in the day-30 review is a progress event from 'checkin'; the DM shows it."""
    app = enrolled_app
    review, outbox_id = app.tick_until_posted("2026-12-02T16:00:00", "review:1:day-30")
    delivery = app.slack.block_action(
        HIRE,
        cb.MILESTONE_ACTION,
        "done",
        block_id=f"{cb.MILESTONE_BLOCK_PREFIX}{outbox_id}:d30-dev-environment",
        message=review,
    )
    assert delivery.ok
    assert app.runtime.settle()
    with app.container.db.read() as session:
        enrollment = repositories.latest_enrollment(
            session=session,
            hire_id=repositories.get_person(session=session, user_id=HIRE).id,  # type: ignore[union-attr]
        )
        assert enrollment is not None
        events = repositories.progress_events(session=session, enrollment_id=enrollment.id)  # type: ignore[arg-type]
    assert [(e.milestone_id, e.status, e.source) for e in events] == [
        ("d30-dev-environment", "done", "checkin")
    ]
    shown = str(app.posted("review:1:day-30").blocks)
    assert "Recorded" in shown
    with app.container.db.read() as session:
        row = repo.get(session=session, outbox_id=outbox_id)
    assert row is not None
    assert row.answer == {"statuses": {"d30-dev-environment": "done"}}


def test_add_a_note_opens_a_modal_and_saves_the_note(enrolled_app: RunningApp) -> None:
    """'Add a note' opens the modal; an empty note is refused in place; a note is saved, shown."""
    app = enrolled_app
    pulse, outbox_id = app.first_pulse()
    app.slack.block_action(HIRE, cb.NOTE_ACTION, str(outbox_id), message=pulse)
    assert app.runtime.settle()
    [opened] = app.sandbox.calls("views.open")
    assert opened.ok
    modal = app.sandbox.views("modal")[-1]

    def submit(note: str) -> Delivery:
        return app.slack.view_submission(
            HIRE,
            cb.NOTE_CALLBACK,
            {cb.NOTE_BLOCK: {cb.NOTE_INPUT: {"type": "plain_text_input", "value": note}}},
            view=modal,
        )

    empty = submit("  ")
    assert (empty.json() or {}).get("response_action") == "errors"
    saved = submit("Waiting on VPN")
    assert saved.ok
    assert app.runtime.settle()
    assert "Waiting on VPN" in str(app.posted("pulse:1:w1").blocks)


def test_someone_else_cannot_answer_a_hires_check_in(enrolled_app: RunningApp) -> None:
    """The manager clicking the hire's pulse gets a private explanation; nothing is recorded."""
    app = enrolled_app
    pulse, outbox_id = app.first_pulse()
    app.slack.block_action(
        MANAGER, f"{cb.MOOD_ACTION}:on_track", f"{outbox_id}:on_track", message=pulse
    )
    assert app.runtime.settle()
    assert any("Only the person" in r.text for r in app.sandbox.responses)
    with app.container.db.read() as session:
        row = repo.get(session=session, outbox_id=outbox_id)
    assert row is not None
    assert row.answered_at is None
