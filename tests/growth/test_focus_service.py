"""The growth plan: focus items from a revealed round's gaps, their limits, who may change them,
progress, the stalled flag and the readiness view. Both databases.

The 90-day round is opened by the real tick on the test clock and rated through
:class:`~bot.services.growth_rounds.GrowthRounds` as the Slack modal rates it.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import col, select

from bot.domain.errors import Conflict, NotFound, PermissionDenied
from bot.domain.progress import Lifecycle
from bot.services.focus import (
    MAX_OPEN,
    FocusInputError,
    FocusService,
    NewFocus,
    stalled_nudges,
)
from bot.services.growth import GrowthService
from bot.services.onboarding import Actor
from storage import focus as focus_repo
from storage.engine import Database
from storage.models import FocusUpdate
from tests.growth.conftest import submit_ratings
from tests.support.checkins import Rig
from tests.support.growth_rounds import ratings
from tests.support.people import HIRE, MANAGER, MENTOR

#: The due date every item here gets unless a test says otherwise: six weeks after day 90.
DUE = date(2027, 3, 15)
STRANGER, ADMIN = "U0STRANGER", "U0ADMIN"


def service(rig: Rig, *, stalled_after: int = 15) -> FocusService:
    """The focus service over the rig's database, plans and clock (U0ADMIN an admin)."""
    return FocusService(
        db=rig.db,
        catalog=rig.onboarding.catalog,
        clock=rig.clock,
        admins=frozenset({ADMIN}),
        stalled_after_working_days=stalled_after,
    )


def add(focus: FocusService, who: str = MANAGER, **changes: object) -> int:
    """Add one item as ``who`` (an evaluation-mindset item due :data:`DUE` unless changed)."""
    given: dict = {"dimension": "evaluation-mindset", "title": "Baselines first", "due": DUE}
    given |= {"actions": ["Write a baseline for the ranker"]} | changes
    return focus.add(actor=Actor.slack(who), hire=HIRE, **given).id


def test_gaps_are_below_middle_or_flagged_with_the_next_levels_anchor(revealed: Rig) -> None:
    """After the reveal, the gaps are the flagged dimension and the one rated below the middle
    level, each quoting the blueprint's anchor for the next level up."""
    gaps = service(revealed).gaps(actor=Actor.slack(HIRE), hire=HIRE)
    assert gaps.round == "90d"
    by_id = {g.dimension_id: g for g in gaps.items}
    assert sorted(by_id) == ["communication", "evaluation-mindset"]
    assert (by_id["evaluation-mindset"].reason, by_id["evaluation-mindset"].flagged) == (
        "flagged",
        True,
    )
    assert by_id["communication"].reason == "below"
    assert by_id["communication"].next_label == "acceptable"
    assert by_id["communication"].next_anchor == "Understandable but not crisp"
    assert by_id["communication"].source.id.startswith("s19")


def test_without_low_or_flagged_ratings_the_lowest_rated_are_offered(round_open: Rig) -> None:
    """When every rating is at or above the middle level and none is flagged, the gaps are the
    lowest-rated dimensions; before any reveal there are none."""
    rig = round_open
    focus = service(rig)
    assert focus.gaps(actor=Actor.slack(MANAGER), hire=HIRE).round is None
    submit_ratings(rig, HIRE, "growth_self:1:90d", ratings(3, safety_privacy=2))
    submit_ratings(
        rig, MANAGER, "growth_manager:1:90d", ratings(3, safety_privacy=2, communication=2)
    )
    gaps = focus.gaps(actor=Actor.slack(MENTOR), hire=HIRE)
    assert [(g.dimension_id, g.reason) for g in gaps.items][:2] == [
        ("safety-privacy", "lowest"),
        ("communication", "lowest"),
    ]
    assert gaps.items[0].next_anchor == "Identifies risks, proposes mitigations"


def test_an_item_is_added_by_title_and_shown_in_readiness(revealed: Rig) -> None:
    """The dimension may be named by its title in any case; the item records the round it
    came from and the readiness view lists it with its due date and last progress."""
    focus = service(revealed)
    item = focus.add(
        actor=Actor.slack(HIRE),
        hire=HIRE,
        dimension="COMMUNICATION",
        title="Crisper design notes",
        actions=["One-page design note per feature", "Ask for a review"],
        due=DUE,
    )
    assert (item.dimension_id, item.round, item.status) == ("communication", "90d", "open")
    focus.update(actor=Actor.slack(MANAGER), focus_id=item.id, note="First note reviewed")
    growth = GrowthService(
        db=revealed.db,
        catalog=revealed.onboarding.catalog,
        clock=revealed.clock,
        admins=frozenset(),
    )
    [shown] = growth.readiness(actor=Actor.slack(MENTOR), hire=HIRE).as_json()["focus"]
    assert shown["title"] == "Crisper design notes"
    assert shown["due"] == "2027-03-15"
    assert shown["last_update"]["note"] == "First note reviewed"
    assert shown["last_update"]["author"] == MANAGER


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"dimension": "charisma"}, "dimension"),
        ({"actions": []}, "actions"),
        ({"actions": [f"step {n}" for n in range(6)]}, "actions"),
        ({"title": "   "}, "title"),
        ({"due": date(2027, 2, 1)}, "due"),  # today in New York
    ],
    ids=["unknown-dimension", "no-actions", "six-actions", "empty-title", "due-today"],
)
def test_bad_input_is_refused_on_its_field(revealed: Rig, changes: dict, field: str) -> None:
    """An unknown dimension, 0 or 6 actions, an empty title or a due date that is not in the
    future of the hire's zone is refused, naming the field, and nothing is stored."""
    focus = service(revealed)
    with pytest.raises(FocusInputError) as refused:
        add(focus, **changes)
    assert refused.value.field == field
    assert focus.list(actor=Actor.slack(HIRE), hire=HIRE).items == []


def test_at_most_three_open_items_and_closing_one_frees_a_slot(revealed: Rig) -> None:
    """A fourth open item is refused with how to make room; done frees a slot; reopening past
    the limit is refused too."""
    focus = service(revealed)
    ids = [add(focus, title=f"Item {n}") for n in range(MAX_OPEN)]
    with pytest.raises(Conflict, match="at most 3 open focus items"):
        add(focus, title="One too many")
    focus.update(actor=Actor.slack(HIRE), focus_id=ids[0], status="done", note="Shipped")
    fourth = add(focus, title="Now it fits")
    with pytest.raises(Conflict, match="at most 3"):
        focus.update(actor=Actor.slack(HIRE), focus_id=ids[0], status="open")
    listed = focus.list(actor=Actor.slack(HIRE), hire=HIRE).items
    assert [i.id for i in listed if i.status == "open"] == [*ids[1:], fourth]


def test_modal_items_are_added_all_or_none(revealed: Rig) -> None:
    """Several items added together: one bad item refuses them all and names its index."""
    focus = service(revealed)
    good = NewFocus(dimension="communication", title="Notes", actions=("Write",), due=DUE)
    bad = NewFocus(dimension="communication", title="Later", actions=(), due=DUE)
    with pytest.raises(FocusInputError) as refused:
        focus.add_many(actor=Actor.slack(MANAGER), hire=HIRE, items=[good, bad])
    assert (refused.value.index, refused.value.field) == (1, "actions")
    assert focus.list(actor=Actor.slack(HIRE), hire=HIRE).items == []


@pytest.mark.parametrize(
    ("who", "may_change"),
    [(HIRE, True), (MANAGER, True), (ADMIN, True), (MENTOR, False), (STRANGER, False)],
    ids=["hire", "manager", "admin", "mentor", "stranger"],
)
def test_who_may_add_update_and_see(revealed: Rig, who: str, may_change: bool) -> None:
    """The hire, the manager of record and admins add and update items; a mentor sees them but
    may not change them; a stranger learns nothing, not even that an item exists."""
    focus = service(revealed)
    item = add(focus, MANAGER)
    if may_change:
        add(focus, who, title="Mine too")
        focus.update(actor=Actor.slack(who), focus_id=item, note="progress")
        assert focus.list(actor=Actor.slack(who), hire=HIRE).can_change
    elif who == MENTOR:
        assert [i.id for i in focus.list(actor=Actor.slack(who), hire=HIRE).items] == [item]
        with pytest.raises(PermissionDenied, match="As the mentor"):
            add(focus, who)
        with pytest.raises(PermissionDenied, match="As the mentor"):
            focus.update(actor=Actor.slack(who), focus_id=item, note="x")
    else:
        with pytest.raises(PermissionDenied):
            focus.list(actor=Actor.slack(who), hire=HIRE)
        for focus_id in (item, 999):
            with pytest.raises(NotFound, match=f"no focus item #{focus_id}"):
                focus.update(actor=Actor.slack(who), focus_id=focus_id, note="x")


def test_updates_are_appended_and_the_latest_is_shown(revealed: Rig, db: Database) -> None:
    """Each update appends a row (note, status, author, time); the item keeps the latest
    status and the list shows the latest update; an update that changes nothing is refused."""
    focus = service(revealed)
    item = add(focus)
    focus.update(actor=Actor.slack(HIRE), focus_id=item, note="Drafted the baseline")
    revealed.clock.advance(timedelta(days=1))
    focus.update(actor=Actor.slack(MANAGER), focus_id=item, note="Reviewed", status="DONE")
    with db.read() as session:
        rows = list(session.exec(select(FocusUpdate).order_by(col(FocusUpdate.id))))
        assert [(r.note, r.status) for r in rows] == [
            ("Drafted the baseline", "open"),
            ("Reviewed", "done"),
        ]
        assert focus_repo.open_count(session=session, enrollment_id=1) == 0
    [shown] = focus.list(actor=Actor.slack(HIRE), hire=HIRE).items
    assert (shown.status, shown.last_update and shown.last_update.note) == ("done", "Reviewed")
    with pytest.raises(FocusInputError, match="open, done or dropped"):
        focus.update(actor=Actor.slack(HIRE), focus_id=item, status="finished")
    with pytest.raises(FocusInputError, match="Say what moved"):
        focus.update(actor=Actor.slack(HIRE), focus_id=item, status="done")  # no note, no change


def test_an_item_stalls_after_quiet_working_days_and_an_update_clears_it(revealed: Rig) -> None:
    """With a 3-working-day stall period, an item added on a Monday is stalled on Thursday,
    not on Wednesday; an update makes it fresh again; past its due date it is stalled."""
    focus = service(revealed, stalled_after=3)
    item = add(focus, due=date(2027, 2, 19))

    def stalled() -> bool | None:
        return focus.list(actor=Actor.slack(HIRE), hire=HIRE).items[0].stalled

    revealed.clock.set(revealed.clock.now() + timedelta(days=2))  # Wednesday
    assert stalled() is False
    revealed.clock.set(revealed.clock.now() + timedelta(days=1))  # Thursday
    assert stalled() is True
    focus.update(actor=Actor.slack(HIRE), focus_id=item, note="Picked it up again")
    assert stalled() is False
    revealed.clock.set(revealed.clock.now() + timedelta(days=16))  # Sat 20 Feb: past due 19 Feb
    view = focus.list(actor=Actor.slack(HIRE), hire=HIRE).items[0]
    assert (view.overdue, view.stalled) == (True, True)


def test_the_tick_owes_one_nudge_per_quiet_spell_to_each_mentor(revealed: Rig) -> None:
    """A stalled item owes the mentor one keyed nudge (the same key however often it is
    derived); an update re-arms it under a new key; a paused plan owes none."""
    focus = service(revealed, stalled_after=3)
    item = add(focus)
    calendars = revealed.checkins.calendars

    def owed() -> list[tuple[str, int]]:
        with revealed.db.read() as session:
            rows = stalled_nudges(
                session, now=revealed.clock.now(), calendar=calendars.calendar, after=lambda _: 3
            )
        return [(r.key, r.recipient_id) for r in rows]

    assert owed() == []
    revealed.clock.set(revealed.clock.now() + timedelta(days=3))  # Thursday: stalled
    [(first, mentor)] = owed()
    assert owed() == [(first, mentor)]
    assert first.startswith(f"focus_nudge:1:{item}:")
    focus.update(actor=Actor.slack(HIRE), focus_id=item, note="Moving again")
    assert owed() == []
    revealed.clock.set(revealed.clock.now() + timedelta(days=7))
    [(second, _)] = owed()
    assert second != first
    revealed.onboarding.change(actor=Actor.cli(), hire=HIRE, action=Lifecycle.PAUSE)
    assert owed() == []
