"""The composition root: the only place that reads settings and builds long-lived objects."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from bot.services.catalog import PlanCatalog
from bot.services.clock import Clock, SystemClock
from bot.services.onboarding import Onboarding
from storage.engine import Database, open_database
from storage.migrate import current_revision, head_revision, upgrade


@dataclass
class Container:
    """Everything a process needs, wired once."""

    settings: Settings
    db: Database
    catalog: PlanCatalog
    clock: Clock
    onboarding: Onboarding

    def close(self) -> None:
        """Release database connections."""
        self.db.dispose()


def ensure_schema(db: Database) -> bool:
    """Upgrade the database to the newest migration when it is behind; True if it was."""
    if current_revision(db) == head_revision(db):
        return False
    upgrade(db)
    return True


def build(settings: Settings, *, clock: Clock | None = None, migrate: bool = True) -> Container:
    """Wire the services for ``settings`` (and bring the schema up to date unless told not to)."""
    db = open_database(settings.database_url)
    if migrate:
        ensure_schema(db)
    catalog = PlanCatalog(settings.plans_dir)
    clock = clock or SystemClock()
    onboarding = Onboarding(
        db=db,
        catalog=catalog,
        clock=clock,
        admins=frozenset(settings.admins),
        default_tz=settings.default_timezone,
    )
    return Container(settings=settings, db=db, catalog=catalog, clock=clock, onboarding=onboarding)
