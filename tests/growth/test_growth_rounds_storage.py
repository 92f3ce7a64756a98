"""The ``assessment`` table on both databases: migration 0006 both ways, one submission per
rater and round kept by the unique key, and the reads the tick and readiness use."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from bot.services.onboarding import Onboarding
from storage import growth as growth_repo
from storage.engine import Database
from storage.migrate import alembic_config, upgrade
from storage.models import Assessment
from tests.support.enroll import enroll

AT = datetime(2027, 2, 1, 14, 30, tzinfo=UTC)


def rating(dimension: str, *, rater: int = 1, role: str = "self", round: str = "90d") -> Assessment:
    """One stored rating of enrollment 1."""
    return Assessment(
        enrollment_id=1,
        round=round,
        rater_id=rater,
        role=role,
        dimension_id=dimension,
        level=2,
        comment="seen in review",
        evidence_ids=[4, 7],
        submitted_at=AT,
    )


def test_migration_0006_goes_down_and_up(db: Database) -> None:
    """Downgrading to 0005 drops the table; upgrading brings it back."""
    command.downgrade(alembic_config(db), "0005")
    assert "assessment" not in inspect(db.engine).get_table_names()
    upgrade(db)
    assert "assessment" in inspect(db.engine).get_table_names()


def test_a_second_rating_of_a_dimension_by_the_same_rater_is_refused(
    onboarding: Onboarding, db: Database
) -> None:
    """The unique key (enrollment, round, rater, dimension) keeps a second submission out."""
    enroll(onboarding)
    with db.transaction() as session:
        growth_repo.add_assessments(session=session, rows=[rating("communication")])
    with pytest.raises(IntegrityError), db.transaction() as session:
        growth_repo.add_assessments(session=session, rows=[rating("communication")])


def test_reads_of_ratings_and_rated_rounds(onboarding: Onboarding, db: Database) -> None:
    """Ratings come back with their evidence ids; rated rounds and who submitted, once each."""
    enroll(onboarding)
    with db.transaction() as session:
        growth_repo.add_assessments(
            session=session,
            rows=[
                rating("communication"),
                rating("collaboration"),
                rating("communication", rater=2, role="manager"),
            ],
        )
    with db.read() as session:
        stored = growth_repo.assessments_of(session=session, enrollment_ids=[1], rounds=["90d"])
        assert [(r.dimension_id, r.evidence_ids) for r in stored][:1] == [("communication", [4, 7])]
        assert growth_repo.submitted_roles(session=session, enrollment_id=1, round="90d") == {
            1: "self",
            2: "manager",
        }
        assert growth_repo.rated_rounds_since(session=session, since=AT) == {
            (1, "90d"): {"self", "manager"}
        }
        assert (
            growth_repo.rated_rounds_since(session=session, since=datetime(2027, 3, 1, tzinfo=UTC))
            == {}
        )
