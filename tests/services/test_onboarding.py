"""The onboarding service: enrollment rules, milestones, lifecycle, permissions and audit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from bot.services.clock import ManualClock
from bot.services.onboarding import Actor, EnrollmentReport, Onboarding, Profile, ProgressChange
from storage import repositories as repo
from tests.services.conftest import ADMIN, BOSS, HIRE, MENTOR, OTHER_BOSS, PLAN, STRANGER

START = date(2026, 11, 2)


def _enroll(onboarding: Onboarding, **overrides: object) -> None:
    arguments: dict[str, object] = {
        "actor": Actor.slack(BOSS),
        "hire": HIRE,
        "plan_id": PLAN,
        "start": START,
        "mentors": [MENTOR],
    }
    arguments.update(overrides)
    onboarding.enroll(**arguments)  # type: ignore[arg-type]


def test_enroll_pins_plan_version_and_hash(onboarding: Onboarding) -> None:
    """Enrolling records the plan version and content hash the hire started on."""
    report = onboarding.enroll(
        actor=Actor.slack(BOSS), hire=HIRE, plan_id=PLAN, start=START, mentors=[MENTOR]
    )
    assert report.manager.user_id == BOSS
    assert [m.user_id for m in report.mentors] == [MENTOR]
    with onboarding.db.read() as s:
        person = repo.get_person(session=s, user_id=HIRE)
        assert person is not None
        assert person.id is not None
        enrollment = repo.open_enrollment(session=s, hire_id=person.id)
    assert enrollment is not None
    assert enrollment.plan_version == report.plan.plan.version
    assert enrollment.plan_hash == report.plan.content_hash


def test_second_active_enrollment_is_refused(onboarding: Onboarding) -> None:
    """A hire with an open plan cannot be enrolled again; only viewers learn which plan."""
    _enroll(onboarding)
    with pytest.raises(Conflict, match="already enrolled in junior-llm-engineer"):
        _enroll(onboarding, actor=Actor.slack(BOSS))
    with pytest.raises(Conflict) as stranger:
        _enroll(onboarding, actor=Actor.slack(OTHER_BOSS))
    assert str(stranger.value) == (
        f"<@{HIRE}> already has an open Onramp plan; ask their manager if it should change."
    )
    onboarding.change(actor=Actor.slack(BOSS), hire=HIRE, action="complete")
    _enroll(onboarding)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"actor": Actor.slack(HIRE)}, "can't be their own manager"),
        ({"mentors": [HIRE]}, "can't mentor themself"),
        ({"plan_id": "astronaut"}, "There is no plan 'astronaut'. Plans available: junior-llm"),
        ({"actor": Actor.cli()}, "Name the hire's manager with --manager USER."),
    ],
)
def test_bad_enrollments_say_what_to_fix(
    onboarding: Onboarding, overrides: dict[str, object], message: str
) -> None:
    """Enrollment mistakes are refused with a message naming the problem and nothing is written."""
    with pytest.raises((InvalidInput, NotFound)) as excinfo:
        _enroll(onboarding, **overrides)
    assert message in str(excinfo.value)
    with onboarding.db.read() as s:
        assert repo.all_enrollments(session=s) == []
        assert repo.audit_entries(session=s) == []


def test_enroll_defaults_plan_and_start(onboarding: Onboarding, clock: ManualClock) -> None:
    """Without a plan or start, the only plan is used and the start is the next working day."""
    clock.set(clock.now().replace(year=2026, month=11, day=6))  # a Friday
    report = onboarding.enroll(actor=Actor.slack(BOSS), hire=Profile(user_id=HIRE, tz="UTC"))
    assert report.plan.plan.id == PLAN
    assert report.start == date(2026, 11, 9)  # the Monday after


def test_mark_records_status_note_event_and_audit(onboarding: Onboarding) -> None:
    """Marking a milestone moves its state, appends an event and writes an audit row."""
    _enroll(onboarding)
    report = onboarding.mark(
        actor=Actor.slack(HIRE), milestone_id="d30-product-surface", status="done", note="demo'd"
    )
    day30 = report.summary.phases[0]
    assert (day30.done, day30.total) == (1, 6)
    assert day30.milestones[0].note == "demo'd"
    with onboarding.db.read() as s:
        events = repo.progress_events(session=s, enrollment_id=report.enrollment_id)
        audit = repo.audit_entries(session=s, enrollment_id=report.enrollment_id)
    assert [(e.milestone_id, e.status, e.actor_label) for e in events] == [
        ("d30-product-surface", "done", HIRE)
    ]
    assert [a.action for a in audit] == ["enroll", "mark"]
    assert audit[1].detail == {
        "milestone": "d30-product-surface",
        "from": "not_started",
        "to": "done",
    }


def test_unknown_milestone_suggests_close_ids(onboarding: Onboarding) -> None:
    """A mistyped milestone id is refused with the closest real ids."""
    _enroll(onboarding)
    with pytest.raises(NotFound, match="Did you mean d30-product-surface"):
        onboarding.mark(actor=Actor.slack(HIRE), milestone_id="d30-product", status="done")


def test_observers_hear_about_committed_changes(onboarding: Onboarding) -> None:
    """Progress observers are told after a change, with the previous and new status."""
    heard: list[ProgressChange] = []

    class Recorder:
        def progress_changed(self, change: ProgressChange) -> None:
            heard.append(change)

    onboarding.observers.append(Recorder())
    _enroll(onboarding)
    onboarding.mark(actor=Actor.slack(HIRE), milestone_id="d30-dev-environment", status="blocked")
    (change,) = heard
    assert (change.milestone_id, change.previous.value, change.status.value) == (
        "d30-dev-environment",
        "not_started",
        "blocked",
    )


PERSONAS = {
    "hire": HIRE,
    "manager": BOSS,
    "mentor": MENTOR,
    "admin": ADMIN,
    "other manager": OTHER_BOSS,
    "stranger": STRANGER,
}


@pytest.mark.parametrize(
    ("persona", "view", "mark", "manage"),
    [
        ("hire", True, True, False),
        ("manager", True, True, True),
        ("mentor", True, False, False),
        ("admin", True, True, True),
        ("other manager", False, False, False),
        ("stranger", False, False, False),
    ],
)
def test_permissions_through_the_service(
    onboarding: Onboarding, persona: str, view: bool, mark: bool, manage: bool
) -> None:
    """Each persona can view, mark and manage exactly what the policy allows."""
    _enroll(onboarding)
    _enroll(onboarding, actor=Actor.slack(OTHER_BOSS), hire="UOTHERHIRE", mentors=[])
    actor = Actor.slack(PERSONAS[persona])

    def attempt(action: object) -> bool:
        try:
            action()  # type: ignore[operator]
        except PermissionDenied:
            return False
        return True

    assert attempt(lambda: onboarding.progress(actor=actor, hire=HIRE)) is view
    assert (
        attempt(
            lambda: onboarding.mark(
                actor=actor, hire=HIRE, milestone_id="d30-retrieval-fix", status="in_progress"
            )
        )
        is mark
    )
    assert attempt(lambda: onboarding.change(actor=actor, hire=HIRE, action="pause")) is manage


def test_refusals_reveal_nothing_about_unknown_people(onboarding: Onboarding) -> None:
    """Asking about someone unknown reads exactly like asking about someone else's hire."""
    _enroll(onboarding)
    with pytest.raises(PermissionDenied) as unknown:
        onboarding.progress(actor=Actor.slack(STRANGER), hire="UNOBODY")
    with pytest.raises(PermissionDenied) as known:
        onboarding.progress(actor=Actor.slack(STRANGER), hire=HIRE)
    assert str(unknown.value) == str(known.value)


def test_lifecycle_and_ended_plans(onboarding: Onboarding) -> None:
    """Pause, resume and complete move the status; an ended plan can be viewed but not changed."""
    _enroll(onboarding)
    boss = Actor.slack(BOSS)
    assert onboarding.change(actor=boss, hire=HIRE, action="pause").status.value == "paused"
    assert onboarding.change(actor=boss, hire=HIRE, action="resume").status.value == "active"
    assert onboarding.change(actor=boss, hire=HIRE, action="complete").status.value == "completed"
    assert onboarding.progress(actor=boss, hire=HIRE).status.value == "completed"
    with pytest.raises(Conflict, match="is completed; nothing can change"):
        onboarding.mark(actor=boss, hire=HIRE, milestone_id="d30-retrieval-fix", status="done")
    with pytest.raises(Conflict, match="Your Onramp plan was completed, so nothing can change"):
        onboarding.mark(actor=Actor.slack(HIRE), milestone_id="d30-retrieval-fix", status="done")
    with pytest.raises(InvalidInput, match="use one of: pause, resume, complete, withdraw"):
        onboarding.change(actor=boss, hire=HIRE, action="fire")


def test_team_and_mentees(onboarding: Onboarding) -> None:
    """A manager's team lists the plans they manage; a mentor sees their mentees."""
    _enroll(onboarding)
    _enroll(onboarding, actor=Actor.slack(OTHER_BOSS), hire="UOTHERHIRE", mentors=[])
    assert [r.hire.user_id for r in onboarding.team(actor=Actor.slack(BOSS))] == [HIRE]
    assert [r.hire.user_id for r in onboarding.mentees(actor=Actor.slack(MENTOR))] == [HIRE]
    assert onboarding.team(actor=Actor.slack(STRANGER)) == []


def _hires(reports: tuple[EnrollmentReport, ...]) -> list[str]:
    return [r.hire.user_id for r in reports]


def test_an_admins_team_is_only_who_they_manage(onboarding: Onboarding) -> None:
    """Being an admin adds nobody to one's team (digests and ``/onramp team`` say "your team");
    the overview lists every other open plan apart, for admins and the operator only."""
    _enroll(onboarding)
    _enroll(onboarding, actor=Actor.slack(ADMIN), hire="UOTHERHIRE", mentors=[])
    admin = onboarding.overview(actor=Actor.slack(ADMIN))
    assert _hires(onboarding.team(actor=Actor.slack(ADMIN))) == ["UOTHERHIRE"]
    assert (_hires(admin.managed), _hires(admin.others)) == (["UOTHERHIRE"], [HIRE])
    assert _hires(onboarding.overview(actor=Actor.cli()).others) == [HIRE, "UOTHERHIRE"]
    assert onboarding.overview(actor=Actor.slack(BOSS)).others == ()
    assert onboarding.overview(actor=Actor.slack(STRANGER)).empty


def test_a_mentors_overview_lists_their_mentees(onboarding: Onboarding) -> None:
    """A mentor who manages nobody has mentees in the overview, and an empty team."""
    _enroll(onboarding)
    mentor = onboarding.overview(actor=Actor.slack(MENTOR))
    assert (mentor.managed, _hires(mentor.mentored), mentor.others) == ((), [HIRE], ())


def test_day_is_counted_in_the_hire_time_zone(onboarding: Onboarding, clock: ManualClock) -> None:
    """At 02:00 UTC it is still the previous day for a hire in New York."""
    onboarding.enroll(
        actor=Actor.slack(BOSS),
        hire=Profile(user_id=HIRE, tz="America/New_York"),
        plan_id=PLAN,
        start=START,
    )
    clock.set(clock.now().replace(day=10, hour=2))
    assert onboarding.progress(actor=Actor.slack(HIRE)).summary.day == 8
    clock.advance(timedelta(hours=4))
    assert onboarding.progress(actor=Actor.slack(HIRE)).summary.day == 9


def test_export_has_a_row_per_milestone(onboarding: Onboarding) -> None:
    """The export holds one row per enrollment and milestone with its status."""
    _enroll(onboarding)
    onboarding.mark(actor=Actor.slack(HIRE), milestone_id="d30-product-surface", status="done")
    rows = onboarding.export()
    assert len(rows) == 32
    done = [r for r in rows if r["milestone_status"] == "done"]
    assert [r["milestone"] for r in done] == ["d30-product-surface"]


@pytest.mark.parametrize(
    ("start", "slack", "cli"),
    [
        (date(1999, 1, 1), "more than a year before today", "more than five years before today"),
        (date(2099, 1, 1), "more than a year from today", "more than a year from today"),
        (date(2027, 12, 1), "more than a year from today", "more than a year from today"),
        (date(2023, 1, 2), "more than a year before today", None),
    ],
)
def test_start_dates_far_from_today_are_refused(
    onboarding: Onboarding, start: date, slack: str, cli: str | None
) -> None:
    """In Slack a start date over a year either side of today is refused as a typo; the CLI may
    backfill up to five years, never into the far past or over a year ahead."""
    with pytest.raises(InvalidInput, match=slack):
        _enroll(onboarding, start=start)
    if cli is None:
        _enroll(onboarding, start=start, actor=Actor.cli(), manager=BOSS)
    else:
        with pytest.raises(InvalidInput, match=cli):
            _enroll(onboarding, start=start, actor=Actor.cli(), manager=BOSS)


@pytest.mark.parametrize(
    "typed",
    [
        "D30-DEV-ENVIRONMENT",
        "d30_dev_environment",
        "`d30-dev-environment`",
        " D30 Dev Environment ",
    ],
)
def test_milestone_ids_are_matched_as_typed(onboarding: Onboarding, typed: str) -> None:
    """Any case, ``_`` or spaces for ``-``, or the backticks ``/onramp me`` shows them in: the
    milestone is found and recorded under its real id, for the CLI and Slack alike."""
    _enroll(onboarding)
    report = onboarding.mark(actor=Actor.cli(), hire=HIRE, milestone_id=typed, status="done")
    found = report.milestone(typed)
    assert found is not None
    assert (found.id, found.status.value) == ("d30-dev-environment", "done")


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [("D30-DEV-ENVIRONMNT", "d30-dev-environment"), ("dev-environment", "d30-dev-environment")],
)
def test_a_near_miss_suggests_the_milestone(
    onboarding: Onboarding, typed: str, suggested: str
) -> None:
    """A milestone id that is close to a real one (in any case) is refused with a suggestion."""
    _enroll(onboarding)
    with pytest.raises(NotFound, match=f"Did you mean {suggested}"):
        onboarding.mark(actor=Actor.slack(HIRE), milestone_id=typed, status="done")


def test_the_manager_may_mark_for_their_hire(onboarding: Onboarding) -> None:
    """The manager of record marks a milestone on their hire's plan; a mentor may not."""
    _enroll(onboarding)
    report = onboarding.mark(
        actor=Actor.slack(BOSS), hire=HIRE, milestone_id="d30-dev-environment", status="done"
    )
    assert report.hire.user_id == HIRE
    with pytest.raises(PermissionDenied, match="you can't mark its milestones"):
        onboarding.mark(
            actor=Actor.slack(MENTOR), hire=HIRE, milestone_id="d30-dev-environment", status="done"
        )


def test_broadcasts_are_left_out_of_a_saved_note(onboarding: Onboarding) -> None:
    """A note never keeps a broadcast mention, whoever saves it."""
    _enroll(onboarding)
    report = onboarding.mark(
        actor=Actor.cli(),
        hire=HIRE,
        milestone_id="d30-dev-environment",
        status="blocked",
        note="<!channel> GPU quota <!subteam^S1|@infra> @here",
    )
    found = report.milestone("d30-dev-environment")
    assert found is not None
    assert found.note == "GPU quota  here"


@pytest.mark.parametrize(
    ("action", "refusal"),
    [
        ("pause", "You can only pause the plans of people you manage; ask their manager."),
        ("withdraw", "You can only withdraw the plans of people you manage; ask their manager."),
    ],
)
def test_a_strangers_refusal_names_the_action_and_reveals_nothing(
    onboarding: Onboarding, action: str, refusal: str
) -> None:
    """A stranger is told what they can't do, in the same words whether the person is
    unknown, has an open plan or had one that ended."""
    _enroll(onboarding)
    _enroll(onboarding, hire="UENDED", mentors=[])
    onboarding.change(actor=Actor.slack(BOSS), hire="UENDED", action="withdraw")
    onboarding.ensure_person(profile=Profile(user_id="UNOPLAN"))
    stranger = Actor.slack(STRANGER)
    for hire in (HIRE, "UENDED", "UNOPLAN", "UNOBODY"):
        with pytest.raises(PermissionDenied) as refused:
            onboarding.change(actor=stranger, hire=hire, action=action)
        assert str(refused.value) == refusal
    for hire in (HIRE, "UENDED", "UNOPLAN", "UNOBODY"):
        with pytest.raises(PermissionDenied, match=r"^You can only mark milestones on your own"):
            onboarding.mark(actor=stranger, hire=hire, milestone_id="x", status="done")


def test_a_mentors_refusal_names_the_action(onboarding: Onboarding) -> None:
    """A mentor trying a lifecycle change hears which one they can't make."""
    _enroll(onboarding)
    with pytest.raises(PermissionDenied) as refused:
        onboarding.change(actor=Actor.slack(MENTOR), hire=HIRE, action="complete")
    assert str(refused.value) == (
        "As the mentor on this plan you can't complete it; ask the hire's manager."
    )
