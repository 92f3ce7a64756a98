"""The evidence tables: append-only rows, tags as rows, counts per tag (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from bot.services.clock import ManualClock
from bot.services.onboarding import Onboarding
from storage import growth
from storage import repositories as repo
from storage.engine import Database
from storage.models import Evidence
from tests.support.enroll import enroll
from tests.support.people import HIRE, PLAN


def _add(db: Database, clock: ManualClock, text: str, visibility: str, tags: list[str]) -> int:
    with db.transaction() as session:
        hire = repo.get_person(session=session, user_id=HIRE)
        assert hire is not None
        assert hire.id is not None
        enrollment = repo.latest_enrollment(session=session, hire_id=hire.id)
        assert enrollment is not None
        assert enrollment.id is not None
        row = growth.add_evidence(
            session=session,
            evidence=Evidence(
                hire_id=hire.id,
                enrollment_id=enrollment.id,
                plan_id=PLAN,
                text=text,
                visibility=visibility,
                created_by_label="cli",
                created_at=clock.now(),
            ),
            tags=tags,
        )
        assert row.id is not None
        return row.id


def _hire_id(db: Database) -> int:
    with db.read() as session:
        hire = repo.get_person(session=session, user_id=HIRE)
        assert hire is not None
        assert hire.id is not None
        return hire.id


def test_counts_per_tag_follow_visibility_and_confirmation(
    db: Database, onboarding: Onboarding, clock: ManualClock
) -> None:
    """Counting per tag sees only the visibilities asked for, and counts confirmed rows apart."""
    enroll(onboarding)
    first = _add(db, clock, "eval harness", "manager", ["evaluation-mindset", "evaluation-mindset"])
    _add(db, clock, "private note", "private", ["evaluation-mindset", "communication"])
    _add(db, clock, "for mentors", "mentors", ["communication"])
    with db.transaction() as session:
        assert growth.confirm_evidence(session=session, evidence_id=first, at=clock.now())
        assert not growth.confirm_evidence(session=session, evidence_id=first, at=clock.now())
    with db.read() as session:
        counts = growth.tag_counts(
            session=session,
            seen=growth.Seen(hire_id=_hire_id(db), visibilities=["manager", "mentors"]),
        )
        everything = growth.tag_counts(
            session=session,
            seen=growth.Seen(hire_id=_hire_id(db), visibilities=["private", "manager", "mentors"]),
        )
        nothing = growth.tag_counts(
            session=session, seen=growth.Seen(hire_id=_hire_id(db), visibilities=[])
        )
    assert counts == {
        "evaluation-mindset": growth.TagCount(count=1, corroborated=1),
        "communication": growth.TagCount(count=1, corroborated=0),
    }
    assert everything["evaluation-mindset"].count == 2
    assert everything["communication"].count == 2
    assert nothing == {}


def test_listing_is_newest_first_with_its_tags(
    db: Database, onboarding: Onboarding, clock: ManualClock
) -> None:
    """Evidence lists newest first (by the clock that wrote it), each with its sorted tags."""
    enroll(onboarding)
    older = _add(db, clock, "older", "mentors", ["communication", "collaboration"])
    clock.advance(timedelta(hours=1))
    newer = _add(db, clock, "newer", "mentors", [])
    with db.read() as session:
        rows = growth.evidence_of(
            session=session, seen=growth.Seen(hire_id=_hire_id(db), visibilities=["mentors"])
        )
        tags = growth.tags_of(session=session, evidence_ids=[r.id for r in rows if r.id])
    assert [r.id for r in rows] == [newer, older]
    assert rows[0].created_at == clock.now()
    assert tags == {newer: [], older: ["collaboration", "communication"]}


def test_a_selection_by_enrollment_leaves_out_other_plans_evidence(
    db: Database, onboarding: Onboarding, clock: ManualClock
) -> None:
    """With an enrollment id, only evidence recorded on that plan is listed and counted."""
    enroll(onboarding)
    _add(db, clock, "on this plan", "mentors", ["communication"])
    with db.read() as session:
        hire_id = _hire_id(db)
        other = growth.Seen(hire_id=hire_id, visibilities=["mentors"], enrollment_id=10_000)
        assert growth.evidence_of(session=session, seen=other) == []
        assert growth.tag_counts(session=session, seen=other) == {}
        (row,) = growth.evidence_of(
            session=session, seen=growth.Seen(hire_id=hire_id, visibilities=["mentors"])
        )
        same = growth.Seen(
            hire_id=hire_id, visibilities=["mentors"], enrollment_id=row.enrollment_id
        )
        assert [r.text for r in growth.evidence_of(session=session, seen=same)] == ["on this plan"]
