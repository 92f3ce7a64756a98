"""The dependencies every growth part-2 service is built from (KPIs, focus, 1:1s, packets)."""

from __future__ import annotations

from typing import NotRequired, TypedDict

from bot.services.catalog import PlanCatalog
from bot.services.clock import Clock
from storage.engine import Database


class GrowthDeps(TypedDict):
    """The keyword arguments of :class:`GrowthServiceBase`, for subclasses that add their own."""

    db: Database
    catalog: PlanCatalog
    clock: Clock
    admins: frozenset[str]
    default_tz: NotRequired[str]


class GrowthServiceBase:
    """Holds the workspace's database, plan catalog, clock, admins and default zone."""

    def __init__(
        self,
        *,
        db: Database,
        catalog: PlanCatalog,
        clock: Clock,
        admins: frozenset[str],
        default_tz: str = "UTC",
    ) -> None:
        self.db = db
        self.catalog = catalog
        self.clock = clock
        self.admins = admins
        #: The workspace's zone (settings ``default_timezone``): "today" of a hire without one.
        self.default_tz = default_tz
