"""Fast seeding: people, enrollments and mentors in bulk through SQLAlchemy core, real tables.

The ORM and the services are far too slow for 100,000 rows (each enrollment writes an audit row,
progress, …); the tick only reads ``person``, ``enrollment`` and ``enrollment_mentor``, so those
are what is seeded, with the same columns the services would write.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert

from bot.services.catalog import PlanCatalog
from storage.engine import Database
from storage.models import Enrollment, EnrollmentMentor, Person

#: Hires' zones, with the holiday country a workspace in that zone would typically set.
ZONES: tuple[tuple[str, str | None], ...] = (
    ("America/Los_Angeles", "US"),
    ("America/Denver", None),
    ("America/Chicago", None),
    ("America/New_York", "US"),
    ("America/Sao_Paulo", None),
    ("Europe/London", "GB"),
    ("Europe/Berlin", "DE"),
    ("Europe/Paris", None),
    ("Africa/Lagos", None),
    ("Asia/Kolkata", "IN"),
    ("Asia/Singapore", None),
    ("Asia/Tokyo", None),
    ("Australia/Sydney", None),
    ("UTC", None),
)
#: Start dates are spread uniformly over this many days before ``now`` (a plan runs 12 months).
SPREAD_DAYS = 380
CHUNK = 5_000
#: One manager (and one mentor) per this many hires.
TEAM_SIZE = 8


@dataclass(frozen=True)
class Seeded:
    """What was seeded: user ids of hires in insertion order, and the counts."""

    hires: list[str]
    managers: list[str]
    mentors: list[str]
    enrollments: int


def user_id(prefix: str, n: int) -> str:
    """A Slack-looking user id, e.g. ``U0H000042``."""
    return f"U0{prefix}{n:07d}"


def seed(
    db: Database,
    catalog: PlanCatalog,
    *,
    count: int,
    now: datetime,
    seed_value: int = 8,
    spread_days: int = SPREAD_DAYS,
    start_offset_days: int = 0,
    zones: Sequence[tuple[str, str | None]] = ZONES,
) -> Seeded:
    """Insert ``count`` hires on the catalog's default plan, with managers and mentors.

    Start dates are ``now - start_offset_days - U(0, spread_days)`` days; ``spread_days=0`` puts
    every hire on the same start date (used for a fan-out where every hire owes one welcome).
    Each person gets a (zone, holiday country) drawn from ``zones``.
    """
    rng = random.Random(seed_value)
    plan_id = catalog.default_id()
    if plan_id is None:
        raise RuntimeError("no plan in the catalog: the benchmark needs plans/<id>/plan.yaml")
    loaded = catalog.get(plan_id)
    teams = max(1, count // TEAM_SIZE)
    stamp = now.astimezone(UTC)
    hires = [user_id("H", n) for n in range(count)]
    managers = [user_id("M", n) for n in range(teams)]
    mentors = [user_id("E", n) for n in range(teams)]

    def person(uid: str, zone: tuple[str, str | None]) -> dict[str, object]:
        return {
            "user_id": uid,
            "team_id": "T0SANDBOX",
            "display_name": uid.lower(),
            "tz": zone[0],
            "holiday_country": zone[1],
            "is_admin": False,
            "created_at": stamp,
            "updated_at": stamp,
        }

    with db.engine.begin() as conn:
        people = [person(u, rng.choice(zones)) for u in (*managers, *mentors, *hires)]
        for i in range(0, len(people), CHUNK):
            conn.execute(insert(Person), people[i : i + CHUNK])
        ids = dict(
            conn.execute(
                Person.__table__.select().with_only_columns(
                    Person.__table__.c.user_id, Person.__table__.c.id
                )
            ).all()
        )
        today = now.date()
        enrollments = []
        for n, uid in enumerate(hires):
            days = rng.randint(0, spread_days) if spread_days else 0
            start: date = today - timedelta(days=days + start_offset_days)
            enrollments.append(
                {
                    "hire_id": ids[uid],
                    "manager_id": ids[managers[n % teams]],
                    "plan_id": plan_id,
                    "plan_version": loaded.plan.version,
                    "plan_hash": loaded.content_hash,
                    "start_date": start,
                    "status": "active",
                    "created_at": stamp,
                    "updated_at": stamp,
                }
            )
        for i in range(0, len(enrollments), CHUNK):
            conn.execute(insert(Enrollment), enrollments[i : i + CHUNK])
        rows = conn.execute(
            Enrollment.__table__.select().with_only_columns(
                Enrollment.__table__.c.id, Enrollment.__table__.c.hire_id
            )
        ).all()
        by_hire = {hire: eid for eid, hire in rows}
        pairs = [
            {"enrollment_id": by_hire[ids[uid]], "person_id": ids[mentors[n % teams]]}
            for n, uid in enumerate(hires)
        ]
        for i in range(0, len(pairs), CHUNK):
            conn.execute(insert(EnrollmentMentor), pairs[i : i + CHUNK])
    return Seeded(hires=hires, managers=managers, mentors=mentors, enrollments=count)
