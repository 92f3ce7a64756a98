"""1:1 prep DMs in the tick: owed on the manager's working day before each meeting, once per
meeting and recipient, and saying to each only what they may read (docs/growth.md, "1:1 prep").

The engine is the real one, posting to the sandbox on the test clock. The manager is in New York
(the sandbox's personas), the hire in Berlin; the 1:1 is set through the service as the manager.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.errors import NotFound
from bot.sandbox import SlackSandbox
from bot.services.catalog import PlanCatalog
from bot.services.clock import ManualClock
from bot.services.growth import GrowthService
from bot.services.onboarding import Actor, Onboarding
from bot.services.one_on_ones import OneOnOnes, compose_prep, early_warnings
from storage import repositories as people_repo
from storage.models import KpiReading
from storage.one_on_ones import PulseAnswer
from storage.outbox import NewRow
from tests.slack.conftest import view_text
from tests.support.checkins import Rig
from tests.support.enroll import enroll
from tests.support.growth_rounds import growth_rig
from tests.support.people import HIRE, MANAGER, MENTOR

NEW_YORK, BERLIN = "America/New_York", "Europe/Berlin"
PREP = "one_on_one_prep"


@pytest.fixture
def rig(onboarding: Onboarding, sandbox: SlackSandbox, clock: ManualClock) -> Rig:
    """The engine with app.yaml's cadence, posting to the sandbox."""
    return growth_rig(onboarding, sandbox, clock)


def _service(rig: Rig) -> OneOnOnes:
    return OneOnOnes(db=rig.db, catalog=rig.onboarding.catalog, clock=rig.clock, admins=frozenset())


def _set(rig: Rig, when: str, *words: str) -> None:
    """At ``when`` (UTC) the manager sets the hire's 1:1 (``weekly thu 15:00``) in New York."""
    rig.set_clock(when)
    _service(rig).set(actor=Actor.slack(MANAGER), hire=HIRE, words=words, tz=NEW_YORK)


def _preps(rig: Rig) -> dict[str, str]:
    return {r.key.split(":", 2)[2]: r.state for r in rig.rows() if r.kind == PREP}


def _text(rig: Rig, user: str) -> str:
    [dm] = rig.sent(user, PREP)
    return view_text({"blocks": dm.blocks})


@pytest.mark.parametrize(
    ("words", "meeting", "early", "due"),
    [
        # Thu 12 Nov 15:00 New York: prep Wed 11 Nov 09:30 New York (14:30 UTC).
        (("weekly", "thu", "15:00"), "2026-11-12", "2026-11-11T14:29:00", "2026-11-11T14:30:00"),
        # Fri 27 Nov: Thu 26 Nov is Thanksgiving in the manager's calendar, so Wed 25 Nov.
        (("weekly", "fri", "3pm"), "2026-11-27", "2026-11-25T14:29:00", "2026-11-25T14:30:00"),
    ],
    ids=["day-before", "holiday-before"],
)
def test_prep_is_owed_on_the_managers_working_day_before(
    rig: Rig, words: tuple[str, ...], meeting: str, early: str, due: str
) -> None:
    """A minute before the manager's send time that working day nothing is owed; then one DM
    each to manager and hire, keyed by the meeting's date, never twice."""
    enroll(rig.onboarding, tz=BERLIN, start=date(2026, 11, 2), profile_in=rig.sandbox)
    holiday = "fri" in words
    if holiday:  # the manager keeps US holidays
        rig.onboarding.set_holiday_country(actor=Actor.slack(MANAGER), country="US", person=MANAGER)
    _set(rig, "2026-11-16T12:00:00" if holiday else "2026-11-09T12:00:00", *words)
    rig.run(early)
    assert _preps(rig) == {}
    rig.run(due)
    rig.run("2026-11-25T16:00:00" if holiday else "2026-11-11T16:00:00")
    assert _preps(rig) == {f"{meeting}:{p}": "sent" for p in (1, 2)}
    assert len(rig.keys(MANAGER, PREP)) == len(rig.keys(HIRE, PREP)) == 1


def test_a_dst_week_keeps_the_managers_wall_clock(rig: Rig) -> None:
    """New York leaves summer time on Sun 1 Nov 2026: a Monday 2 Nov 15:00 1:1 is 20:00 UTC,
    and its prep is Fri 30 Oct at 09:30 summer time (13:30 UTC)."""
    enroll(rig.onboarding, tz=BERLIN, start=date(2026, 10, 5), profile_in=rig.sandbox)
    _set(rig, "2026-10-26T12:00:00", "weekly", "mon", "15:00")
    rig.run("2026-10-30T13:29:00")
    assert _preps(rig) == {}
    rig.run("2026-10-30T13:30:00")
    [row, *_] = [r for r in rig.rows() if r.kind == PREP]
    assert row.payload["meeting"] == "2026-11-02T20:00:00+00:00"
    assert f"{row.due_at:%Y-%m-%dT%H:%M}" == "2026-10-30T13:30"


def test_each_recipient_reads_only_what_they_may(rig: Rig, catalog: PlanCatalog) -> None:
    """The manager's prep holds their private note, the early-warning questions cited to §16 and
    the KPI off target; the hire's holds their own private win, and none of the manager's."""
    report = enroll(rig.onboarding, tz=BERLIN, start=date(2026, 9, 7), profile_in=rig.sandbox)
    _set(rig, "2026-11-09T12:00:00", "weekly", "thu", "15:00")
    growth = GrowthService(db=rig.db, catalog=catalog, clock=rig.clock, admins=frozenset())
    hire = Actor.slack(HIRE)
    growth.add_evidence(actor=hire, hire=HIRE, text="privwin shipped", visibility="private")
    _service(rig).add_note(actor=Actor.slack(MANAGER), about=HIRE, text="notezq check load")
    kpi = catalog.get("junior-llm-engineer").plan.kpis[0]  # "4–10 meaningful PRs/month"
    with rig.db.transaction() as session:
        session.add(
            KpiReading(
                enrollment_id=report.enrollment_id,
                kpi_id=kpi.id,
                value=1,
                period="2026-10",
                recorded_by_label="cli",
                recorded_at=rig.clock.now(),
            )
        )
    rig.run("2026-11-11T14:30:00")
    manager, own = _text(rig, MANAGER), _text(rig, HIRE)
    assert "notezq" in manager
    assert "Worth asking" in manager
    assert "§16" in manager
    assert "off target" in manager
    assert "privwin" not in manager
    assert "privwin" in own
    for secret in ("notezq", "Worth asking", "§16"):
        assert secret not in own


MEETING = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)


def _pulses(*moods: str | None) -> list[PulseAnswer]:
    """Weekly pulses up to the meeting, oldest first (``None``: not answered)."""
    return [
        PulseAnswer(answered_at=MEETING - timedelta(weeks=len(moods) - i), mood=m, note=None)
        for i, m in enumerate(moods)
    ]


@pytest.mark.parametrize(
    ("moods", "asked"),
    [
        (("blocked", "blocked", "blocked"), "answered *blocked* three pulses running"),
        (("on_track", "at_risk", "blocked"), "mood fell over the last three pulses"),
        (("on_track", None, None, None), "hasn't answered a pulse in three weeks"),
        (("on_track", "at_risk", "on_track"), None),
    ],
    ids=["blocked-thrice", "falling", "silent", "nothing"],
)
def test_early_warnings_ask_only_what_the_data_shows(
    onboarding: Onboarding, catalog: PlanCatalog, moods: tuple[str | None, ...], asked: str | None
) -> None:
    """Each signal asks its question, quoting the §16 bullet it maps to; a steady hire (plan
    younger than six weeks, nothing overdue) gets none."""
    enroll(onboarding, start=date(2026, 11, 2))
    report = onboarding.progress(actor=Actor.cli(), hire=HIRE)
    found = early_warnings(
        report, _pulses(*moods), None, MEETING, catalog.get("junior-llm-engineer")
    )
    assert [asked in w.question for w in found] == ([True] if asked else [])
    for warning in found:
        assert warning.section.startswith("§16 ")
        assert (
            warning.quote
            in catalog.get("junior-llm-engineer")
            .blueprint.get("s16.common-reasons-for-underperformance")
            .text
        )


def test_a_prep_for_anyone_but_the_manager_or_hire_is_never_composed(
    onboarding: Onboarding, catalog: PlanCatalog
) -> None:
    """A prep row naming someone else (say, a manager replaced since it was owed) is refused
    rather than composed, so nobody but the two of them reads a prep."""
    report = enroll(onboarding, start=date(2026, 11, 2))
    with onboarding.db.read() as session:
        mentor = people_repo.get_person(session=session, user_id=MENTOR)
    assert mentor is not None
    assert mentor.id is not None
    row = NewRow(
        key="one_on_one_prep:1:2026-11-26:9",
        kind=PREP,
        recipient_id=mentor.id,
        due_at=MEETING,
        enrollment_id=report.enrollment_id,
        payload={"meeting": MEETING.isoformat(), "since": MEETING.isoformat()},
    )
    progress = onboarding.progress(actor=Actor.cli(), hire=HIRE)
    with pytest.raises(NotFound, match="no longer the hire's manager"):
        compose_prep(db=onboarding.db, catalog=catalog, row=row, report=progress)


def test_a_queued_prep_is_skipped_once_the_one_on_one_is_turned_off(rig: Rig) -> None:
    """A prep queued before the 1:1 was turned off is skipped with a reason by the real tick's
    delivery, never sent."""
    enroll(rig.onboarding, tz=BERLIN, start=date(2026, 11, 2), profile_in=rig.sandbox)
    _set(rig, "2026-11-09T12:00:00", "weekly", "thu", "15:00")
    rig.enqueue("2026-11-11T14:30:00")
    assert {r.state for r in rig.rows() if r.kind == PREP} == {"pending"}
    assert _service(rig).end(actor=Actor.slack(MANAGER), hire=HIRE)
    rig.run("2026-11-11T14:31:00")
    rows = [r for r in rig.rows() if r.kind == PREP]
    assert [(r.state, r.reason) for r in rows] == [("skipped", "the 1:1 was turned off")] * len(
        rows
    )
    assert rig.sent(MANAGER, PREP) == rig.sent(HIRE, PREP) == []
