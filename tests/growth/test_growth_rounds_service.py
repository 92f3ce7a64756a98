"""Growth check-in ratings: submitting, blindness, the side-by-side, reminders and readiness.

The rounds are opened by the real tick (app.yaml's cadence) on the test clock; ratings go
through :class:`bot.services.growth_rounds.GrowthRounds` as the Slack modal sends them; what
people see is read back through ``GrowthService.readiness``, the one read path. Both databases.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.domain.errors import Conflict, PermissionDenied
from bot.domain.progress import Lifecycle
from bot.sandbox import SlackSandbox
from bot.services.clock import ManualClock
from bot.services.growth import GrowthService
from bot.services.growth_rounds import GrowthRounds, Rating, RatingsIncomplete
from bot.services.onboarding import Actor, Onboarding
from storage import growth as growth_repo
from storage.models import Assessment
from tests.support.checkins import Rig
from tests.support.growth_rounds import DIMENSIONS, ratings, round_sent
from tests.support.people import HIRE, MANAGER, MENTOR

#: Day 90 of a hire in New York who started Mon 2 Nov 2026: Mon 1 Feb 2027, 09:30 there.
DAY_90 = "2027-02-01T14:30:00"


@pytest.fixture
def rig(onboarding: Onboarding, sandbox: SlackSandbox, clock: ManualClock) -> Rig:
    """The engine with app.yaml's cadence; a New York hire and manager, the round sent."""
    return round_sent(onboarding, sandbox, clock)


@pytest.fixture
def rounds(rig: Rig) -> GrowthRounds:
    """The growth-round service the engine (and so the Slack listeners) use."""
    return rig.checkins.growth_rounds


def row_id(rig: Rig, key: str) -> int:
    """The outbox id of the row with ``key``."""
    [row] = [r for r in rig.rows() if r.key == key]
    assert row.id is not None
    return row.id


def readiness(rig: Rig, viewer: str) -> dict[str, dict]:
    """The readiness JSON's dimensions as ``viewer`` sees them, by id."""
    growth = GrowthService(
        db=rig.db, catalog=rig.onboarding.catalog, clock=rig.clock, admins=frozenset()
    )
    view = growth.readiness(actor=Actor.slack(viewer), hire=HIRE).as_json()
    return {d["id"]: d for d in view["dimensions"]}


SELF, BOSS = "growth_self:1:90d", "growth_manager:1:90d"


def test_ratings_are_blind_until_both_have_submitted(rig: Rig, rounds: GrowthRounds) -> None:
    """The hire's ratings show to nobody, themselves included, until the manager submits."""
    rounds.submit(user_id=HIRE, outbox_id=row_id(rig, SELF), ratings=ratings(2))
    for viewer in (HIRE, MANAGER, MENTOR):
        view = readiness(rig, viewer)["evaluation-mindset"]
        assert (view["self"], view["manager"], view["trend"]) == (None, None, [])
    with pytest.raises(Conflict, match="hidden until both"):
        rounds.comparison(enrollment_id=1, round="90d")
    assert [r.key for r in rig.rows(kinds=["growth_reveal"])] == []


def test_once_both_submit_both_get_the_side_by_side_and_readiness_shows_it(
    rig: Rig, rounds: GrowthRounds
) -> None:
    """Self and manager ratings, in the blueprint's words, with a two-step gap flagged; the
    side-by-side goes to each rater once."""
    rounds.submit(user_id=HIRE, outbox_id=row_id(rig, SELF), ratings=ratings(3))
    rounds.submit(
        user_id=MANAGER,
        outbox_id=row_id(rig, BOSS),
        ratings=ratings(2, evaluation_mindset=1),
    )
    view = readiness(rig, MANAGER)["evaluation-mindset"]
    assert view["self"] == {"round": "90d", "level": 3, "label": "excellent"}
    assert view["manager"] == {"round": "90d", "level": 1, "label": "below bar"}
    assert view["trend"] == [{"round": "90d", "self": 3, "manager": 1}]
    comparison = rounds.comparison(enrollment_id=1, round="90d")
    flagged = [line.dimension_id for line in comparison.lines if line.flagged]
    assert flagged == ["evaluation-mindset"]  # 3 vs 1; the others are 3 vs 2
    assert comparison.complete
    reveals = {r.key: r.recipient_id for r in rig.rows(kinds=["growth_reveal"])}
    assert sorted(reveals) == ["growth_reveal:1:90d:1", "growth_reveal:1:90d:2"]
    rig.run("2027-02-01T14:31:00")
    rig.run("2027-02-02T14:31:00")
    assert len(rig.keys(HIRE, "growth_reveal")) == 1
    assert len(rig.keys(MANAGER, "growth_reveal")) == 1


def test_every_dimension_needs_a_level_and_a_reason(rig: Rig, rounds: GrowthRounds) -> None:
    """Missing levels, a rating with neither comment nor evidence, a level the rubric lacks:
    each named on its dimension, and nothing stored."""
    given = ratings(2)
    given["communication"] = Rating(level=None, comment="fine")
    given["collaboration"] = Rating(level=2)
    given["safety-privacy"] = Rating(level=4, comment="beyond the top")
    del given["debugging-triage"]
    with pytest.raises(RatingsIncomplete) as refused:
        rounds.submit(user_id=HIRE, outbox_id=row_id(rig, SELF), ratings=given)
    assert refused.value.problems == {
        "communication": "Pick a level.",
        "collaboration": "Add a comment or pick evidence for this rating.",
        "safety-privacy": "Pick one of the levels listed.",
        "debugging-triage": "Pick a level.",
    }
    with rig.db.read() as session:
        assert growth_repo.assessments_of(session=session, enrollment_ids=[1]) == []


def test_a_manager_cannot_cite_the_hires_private_evidence(rig: Rig, rounds: GrowthRounds) -> None:
    """Evidence counts as a reason only when the rater may see it."""
    growth = GrowthService(
        db=rig.db, catalog=rig.onboarding.catalog, clock=rig.clock, admins=frozenset()
    )
    private = growth.add_evidence(
        actor=Actor.slack(HIRE), hire=HIRE, text="Private retro notes", visibility="private"
    )
    shared = growth.add_evidence(actor=Actor.slack(HIRE), hire=HIRE, text="Shipped the harness")
    form = rounds.form(user_id=MANAGER, outbox_id=row_id(rig, BOSS))
    assert [e.id for e in form.evidence] == [shared.id]
    given = ratings(2)
    given["evaluation-mindset"] = Rating(level=2, evidence_ids=(private.id,))
    with pytest.raises(RatingsIncomplete) as refused:
        rounds.submit(user_id=MANAGER, outbox_id=row_id(rig, BOSS), ratings=given)
    assert refused.value.problems == {
        "evaluation-mindset": "Pick evidence from the list (you can only cite what you can see)."
    }
    given["evaluation-mindset"] = Rating(level=2, evidence_ids=(shared.id,))
    rounds.submit(user_id=MANAGER, outbox_id=row_id(rig, BOSS), ratings=given)


def test_one_submission_per_rater_and_only_the_rater(rig: Rig, rounds: GrowthRounds) -> None:
    """A second submission is refused, and so is anyone rating on someone else's check-in."""
    with pytest.raises(PermissionDenied, match="for someone else"):
        rounds.submit(user_id=MANAGER, outbox_id=row_id(rig, SELF), ratings=ratings(1))
    rounds.submit(user_id=HIRE, outbox_id=row_id(rig, SELF), ratings=ratings(2))
    with pytest.raises(Conflict, match="already submitted"):
        rounds.submit(user_id=HIRE, outbox_id=row_id(rig, SELF), ratings=ratings(3))


def test_a_reminder_goes_once_and_only_to_whoever_has_not_submitted(
    rig: Rig, rounds: GrowthRounds
) -> None:
    """Three working days on, the manager (who has not rated) is reminded once; the hire not."""
    rounds.submit(user_id=HIRE, outbox_id=row_id(rig, SELF), ratings=ratings(2))
    rig.run("2027-02-03T14:30:00")  # two working days on: not yet
    rig.run("2027-02-04T13:30:00")  # the third, 08:30 in New York: not before the send time
    assert rig.keys(prefix="growth_reminder") == []
    rig.run("2027-02-04T14:30:00")
    rig.run("2027-02-08T14:30:00")
    assert rig.keys(prefix="growth_reminder") == [f"growth_reminder:{BOSS}"]
    assert rig.keys(MANAGER, "growth_reminder") == [f"growth_reminder:{BOSS}"]


def test_a_round_that_closes_with_one_side_reveals_it_to_both(
    rig: Rig, rounds: GrowthRounds
) -> None:
    """Ten working days on, the round closes: the one submission shows, to both raters."""
    rounds.submit(user_id=HIRE, outbox_id=row_id(rig, SELF), ratings=ratings(2))
    rig.run("2027-02-15T14:30:00")  # the round closes at this instant
    assert sorted(r.key for r in rig.rows(kinds=["growth_reveal"])) == [
        "growth_reveal:1:90d:1",
        "growth_reveal:1:90d:2",
    ]
    comparison = rounds.comparison(enrollment_id=1, round="90d")
    assert not comparison.complete
    assert readiness(rig, HIRE)["communication"]["self"]["label"] == "acceptable"
    with pytest.raises(Conflict, match="closed"):
        rounds.submit(user_id=MANAGER, outbox_id=row_id(rig, BOSS), ratings=ratings(2))


def test_the_next_round_shows_the_previous_beside_it_and_the_trend(
    rig: Rig, rounds: GrowthRounds
) -> None:
    """At month 6 the side-by-side carries the 90-day levels; readiness the trend of both."""
    rounds.submit(user_id=HIRE, outbox_id=row_id(rig, SELF), ratings=ratings(1))
    rounds.submit(user_id=MANAGER, outbox_id=row_id(rig, BOSS), ratings=ratings(1))
    rig.run("2027-05-03T13:30:00")  # month 6: Sun 2 May → Mon 3 May, 09:30 in New York
    six_self, six_boss = "growth_self:1:6mo", "growth_manager:1:6mo"
    rounds.submit(user_id=HIRE, outbox_id=row_id(rig, six_self), ratings=ratings(3))
    rounds.submit(user_id=MANAGER, outbox_id=row_id(rig, six_boss), ratings=ratings(2))
    comparison = rounds.comparison(enrollment_id=1, round="6mo")
    assert comparison.previous_round == "90d"
    line = comparison.lines[0]
    assert line.previous_self is not None
    assert line.previous_self.level == 1
    assert readiness(rig, HIRE)[DIMENSIONS[0]]["trend"] == [
        {"round": "90d", "self": 1, "manager": 1},
        {"round": "6mo", "self": 3, "manager": 2},
    ]


def test_where_the_plan_asks_mentors_rate_too_but_are_never_waited_for(
    rig: Rig, rounds: GrowthRounds
) -> None:
    """With ``growth_mentor`` on, the mentor gets a DM once the hire's is out; the round is
    revealed when hire and manager submit, the mentor's ratings beside theirs, to all three."""
    rig.checkins.calendars.defaults = replace(rig.checkins.calendars.defaults, growth_mentor=True)
    rig.run("2027-02-01T14:31:00")
    assert rig.keys(MENTOR, "growth") == ["growth_mentor:1:90d:3"]
    mentor_row = row_id(rig, "growth_mentor:1:90d:3")
    assert rounds.form(user_id=MENTOR, outbox_id=mentor_row).role.value == "mentor"
    rounds.submit(user_id=MENTOR, outbox_id=mentor_row, ratings=ratings(2))
    rounds.submit(user_id=HIRE, outbox_id=row_id(rig, SELF), ratings=ratings(3))
    assert rig.rows(kinds=["growth_reveal"]) == []  # the mentor alone reveals nothing
    rounds.submit(user_id=MANAGER, outbox_id=row_id(rig, BOSS), ratings=ratings(3))
    line = rounds.comparison(enrollment_id=1, round="90d").lines[0]
    assert [m.label for m in line.mentors] == ["acceptable"]
    rig.run("2027-02-01T14:32:00")
    assert rig.keys(MENTOR, "growth_reveal") == ["growth_reveal:1:90d:3"]
    assert "· mentor: 2 acceptable" in str(rig.sent(MENTOR, "growth_reveal")[0].blocks)


@pytest.mark.parametrize("action", [Lifecycle.PAUSE, Lifecycle.COMPLETE], ids=["paused", "done"])
def test_the_side_by_side_still_goes_out_on_a_paused_or_completed_plan(
    rig: Rig, rounds: GrowthRounds, action: Lifecycle
) -> None:
    """Both rated; the plan is paused or completed before the side-by-side goes out: it still
    goes to both, since it reports what they did rather than asking anything new."""
    rounds.submit(user_id=HIRE, outbox_id=row_id(rig, SELF), ratings=ratings(3))
    rounds.submit(user_id=MANAGER, outbox_id=row_id(rig, BOSS), ratings=ratings(2))
    rig.onboarding.change(actor=Actor.cli(), hire=HIRE, action=action)
    rig.run("2027-02-02T14:31:00")
    assert len(rig.keys(HIRE, "growth_reveal")) == 1
    assert len(rig.keys(MANAGER, "growth_reveal")) == 1


def test_two_submissions_that_missed_each_other_are_revealed_by_the_next_tick(
    rig: Rig, rounds: GrowthRounds
) -> None:
    """If the manager's ratings land without the submission queueing the reveal (two
    transactions at once, each blind to the other), the next tick queues it to both."""
    rounds.submit(user_id=HIRE, outbox_id=row_id(rig, SELF), ratings=ratings(3))
    [mine] = [r for r in rig.rows() if r.key == BOSS]
    with rig.db.transaction() as session:  # what the manager's racing transaction committed
        growth_repo.add_assessments(
            session=session,
            rows=[
                Assessment(
                    enrollment_id=1,
                    round="90d",
                    rater_id=mine.recipient_id,
                    role="manager",
                    dimension_id=dimension,
                    level=2,
                    comment="Seen in review",
                    evidence_ids=[],
                    submitted_at=rig.clock.now(),
                )
                for dimension in DIMENSIONS
            ],
        )
    assert rig.rows(kinds=["growth_reveal"]) == []
    rig.run("2027-02-01T15:00:00")
    assert len(rig.keys(HIRE, "growth_reveal")) == 1
    assert len(rig.keys(MANAGER, "growth_reveal")) == 1
