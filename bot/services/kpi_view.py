"""A hire's KPIs as people see them: each selected KPI in the blueprint's words (its target
quoted, its source cited), its readings and the direction of the last two. Never a ranking:
one hire at a time, nothing compared across hires.

Kept apart from :mod:`bot.services.kpis` so the readiness view
(:mod:`bot.services.growth`) can include it without importing the service that builds on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from bot.domain.kpis import Trend, parse_period, period_kind, trend
from bot.domain.plan import Kpi, LoadedPlan
from storage import kpis as kpi_repo
from storage.models import KpiReading

if TYPE_CHECKING:
    from bot.services.growth import Citation

#: How a team-level KPI is labelled: the hire's reading is their part of the team's number.
TEAM_LEVEL = "team-level: your contribution"


@dataclass(frozen=True)
class ReadingView:
    """One reading of a KPI."""

    value: float
    period: str
    note: str | None
    link: str | None
    recorded_at: datetime
    recorded_by: str
    source: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self) | {"recorded_at": self.recorded_at.isoformat()}


@dataclass(frozen=True)
class KpiView:
    """One selected KPI of a hire, its readings oldest first (by period, then when recorded)."""

    id: str
    name: str
    measures: str
    target: str
    frequency: str
    team_level: bool
    source: Citation
    selected_at: datetime
    readings: list[ReadingView]

    @property
    def latest(self) -> ReadingView | None:
        return self.readings[-1] if self.readings else None

    @property
    def trend(self) -> Trend:
        return trend([r.value for r in self.readings])

    def as_json(self) -> dict[str, Any]:
        """The stable shape of one KPI in ``onramp kpis list --json`` and ``onramp growth
        --json`` (docs/growth.md)."""
        latest = self.latest
        return {
            "id": self.id,
            "name": self.name,
            "measures": self.measures,
            "target": self.target,
            "frequency": self.frequency,
            "period_kind": period_kind(self.frequency, self.target).value,
            "team_level": self.team_level,
            "label": TEAM_LEVEL if self.team_level else None,
            "source": self.source.as_json(),
            "selected_at": self.selected_at.isoformat(),
            "readings": [r.as_json() for r in self.readings],
            "latest": None if latest is None else latest.as_json(),
            "trend": self.trend.value,
        }


def kpi_views(
    *,
    session: Session,
    enrollment_id: int,
    loaded: LoadedPlan,
    cite: Callable[[LoadedPlan, str], Citation],
) -> list[KpiView]:
    """The enrollment's selected KPIs in the order picked, each with its readings."""
    rows = kpi_repo.selected(session=session, enrollment_ids=[enrollment_id])
    kpis = {k.id: k for k in loaded.plan.kpis}
    picked = [(row, kpis[row.kpi_id]) for row in rows if row.kpi_id in kpis]
    readings: dict[str, list[KpiReading]] = {}
    for reading in kpi_repo.readings_of(
        session=session, enrollment_ids=[enrollment_id], kpi_ids=[k.id for _, k in picked]
    ):
        readings.setdefault(reading.kpi_id, []).append(reading)
    return [
        _view(kpi, row.selected_at, readings.get(kpi.id, []), cite(loaded, kpi.source))
        for row, kpi in picked
    ]


def _view(kpi: Kpi, selected_at: datetime, rows: list[KpiReading], source: Citation) -> KpiView:
    # The latest period read last; two readings of one period: the one recorded later.
    ordered = sorted(enumerate(rows), key=lambda pair: (parse_period(pair[1].period).end, pair[0]))
    return KpiView(
        id=kpi.id,
        name=kpi.name,
        measures=kpi.measures,
        target=kpi.target,
        frequency=kpi.frequency,
        team_level=kpi.team_level,
        source=source,
        selected_at=selected_at,
        readings=[
            ReadingView(
                value=r.value,
                period=r.period,
                note=r.note,
                link=r.link,
                recorded_at=r.recorded_at,
                recorded_by=r.recorded_by_label,
                source=r.source,
            )
            for _, r in ordered
        ],
    )


@dataclass(frozen=True)
class MissingKpi:
    """A picked KPI without a reading for a period that has ended (a ``kpi_reminder`` line)."""

    id: str
    name: str
    target: str
    period: str
