"""A hire's year written straight into the tables a review packet reads, at fixed instants.

Rows are written as their services would store them (no clock needed): evidence of every
visibility, a revealed 90-day round and a 6-month round only the hire has rated (blind), a KPI
pick and reading, a focus item, three pulse answers, a milestone done, and a manager's private
note — so a test can look for each in the packet, or for its absence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from storage import growth as evidence_repo
from storage import repositories as repo
from storage.engine import Database
from storage.models import (
    Assessment,
    Evidence,
    Focus,
    FocusUpdate,
    KpiReading,
    KpiSelection,
    MilestoneState,
    Outbox,
    PrivateNote,
)

#: "Today" for packet tests: Mon 10 May 2027, 15:00 UTC (the 6-month round is still blind).
TODAY = datetime(2027, 5, 10, 15, 0, tzinfo=UTC)
SHARED_WIN = "Shipped the <script>alert('x')</script> regression eval for intents"
SHARED_LINK = "https://example.slack.com/archives/C1/p1"
PRIVATE_WIN = "PRIVATE-WIN only the hire may read"
PRIVATE_NOTE = "SECRET-NOTE the manager keeps to themselves"
BLIND_COMMENT = "BLIND-SELF-COMMENT on the six-month round"
MANAGER_COMMENT = "Clean modules, tests on every PR"
RAG_COMMENT = "Still learning retrieval trade-offs"
KPI = "pr-throughput"
KPI_TARGET = "4–10 meaningful PRs/month depending on scope"
TEAM_KPI = "eval-coverage"
FOCUS_PROGRESS = "Tried three chunk sizes on the eval set"


@dataclass(frozen=True)
class Seeded:
    """The ids the seeded rows hang on."""

    enrollment_id: int
    hire_id: int
    manager_id: int


def _at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def seed_packet(db: Database, *, hire: str, manager: str) -> Seeded:
    """Write the hire's year (see the module docstring); the hire must be enrolled already."""
    with db.transaction() as session:
        hire_row = repo.get_person(session=session, user_id=hire)
        boss = repo.get_person(session=session, user_id=manager)
        assert hire_row is not None
        assert hire_row.id is not None
        assert boss is not None
        assert boss.id is not None
        enrollment = repo.latest_enrollment(session=session, hire_id=hire_row.id)
        assert enrollment is not None
        assert enrollment.id is not None
        eid = enrollment.id

        def evidence(text: str, visibility: str, tags: list[str], link: str | None = None) -> None:
            evidence_repo.add_evidence(
                session=session,
                evidence=Evidence(
                    hire_id=hire_row.id,
                    enrollment_id=eid,
                    plan_id=enrollment.plan_id,
                    text=text,
                    link=link,
                    visibility=visibility,
                    created_by_label="cli",
                    created_at=_at("2026-12-01T10:00"),
                ),
                tags=tags,
            )

        evidence(SHARED_WIN, "manager", ["evaluation-mindset"], SHARED_LINK)
        evidence(PRIVATE_WIN, "private", ["evaluation-mindset"])
        rated = [
            ("90d", "self", "python-software-fundamentals", 2, "Getting there"),
            ("90d", "manager", "python-software-fundamentals", 3, MANAGER_COMMENT),
            ("90d", "self", "llm-fundamentals", 2, None),
            ("90d", "manager", "llm-fundamentals", 1, RAG_COMMENT),
            ("6mo", "self", "python-software-fundamentals", 3, BLIND_COMMENT),
        ]
        for ref, role, dimension, level, comment in rated:
            session.add(
                Assessment(
                    enrollment_id=eid,
                    round=ref,
                    rater_id=hire_row.id if role == "self" else boss.id,
                    role=role,
                    dimension_id=dimension,
                    level=level,
                    comment=comment,
                    submitted_at=_at("2027-02-02T15:00" if ref == "90d" else "2027-05-04T15:00"),
                )
            )
        for kpi in (KPI, TEAM_KPI):
            session.add(
                KpiSelection(enrollment_id=eid, kpi_id=kpi, selected_at=_at("2026-12-01T09:00"))
            )
        for period, value, day in (("2027-01", 3.0, "2027-02-01"), ("2027-02", 6.0, "2027-03-01")):
            session.add(
                KpiReading(
                    enrollment_id=eid,
                    kpi_id=KPI,
                    value=value,
                    period=period,
                    note="merged PRs",
                    link="https://github.com/org/repo/pulls",
                    recorded_by_label="cli",
                    recorded_at=_at(f"{day}T09:00"),
                )
            )
        focus = Focus(
            enrollment_id=eid,
            round="90d",
            dimension_id="llm-fundamentals",
            title="Own one retrieval experiment",
            actions=["Pick a chunking change", "Measure it on the eval set"],
            due=date(2027, 4, 30),
            created_at=_at("2027-02-05T10:00"),
            updated_at=_at("2027-02-05T10:00"),
        )
        session.add(focus)
        session.flush()
        assert focus.id is not None
        session.add(
            FocusUpdate(
                focus_id=focus.id, note=FOCUS_PROGRESS, status="open", at=_at("2027-03-02T10:00")
            )
        )
        for n, (day, mood) in enumerate(
            (("2026-11-06", "on_track"), ("2026-11-13", "blocked"), ("2026-11-20", "at_risk"))
        ):
            session.add(
                Outbox(
                    key=f"pulse:{eid}:seed{n}",
                    kind="pulse",
                    enrollment_id=eid,
                    recipient_id=hire_row.id,
                    due_at=_at(f"{day}T14:00"),
                    state="sent",
                    answer={"mood": mood},
                    answered_at=_at(f"{day}T15:00"),
                )
            )
        session.add(
            MilestoneState(
                enrollment_id=eid,
                milestone_id="d30-dev-environment",
                status="done",
                updated_at=_at("2026-11-20T12:00"),
            )
        )
        session.add(
            PrivateNote(
                author_id=boss.id,
                subject_id=hire_row.id,
                text=PRIVATE_NOTE,
                created_at=_at("2027-01-10T10:00"),
            )
        )
        return Seeded(enrollment_id=eid, hire_id=hire_row.id, manager_id=boss.id)
