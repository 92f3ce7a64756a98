"""KPIs per hire: the manager picks 3–6 of the plan's KPIs and records readings of them (one by
one, or from a CSV file); everyone who may see the hire's growth sees them, each with the
blueprint's target quoted and the direction of the last two readings.

Who may do what follows the readiness view (:class:`~bot.services.growth.GrowthService`):
whoever may see a hire's growth (the hire, their manager of record, their mentors, admins and
the operator's CLI) sees their KPIs; only the manager of record, admins and the CLI pick KPIs
and record readings. KPIs are signals about one hire: nothing here compares or ranks hires.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Unpack

from sqlmodel import Session

from bot.domain import permissions
from bot.domain.errors import Conflict, InvalidInput, NotFound, OnrampError, PermissionDenied
from bot.domain.guardrails import strip_broadcasts, strip_controls
from bot.domain.kpis import (
    MAX_KPIS,
    PERIOD_FORMATS,
    count_problem,
    parse_period,
    parse_value,
    period_kind,
    period_of,
    resolve,
)
from bot.domain.permissions import Relation
from bot.domain.plan import Kpi
from bot.domain.progress import EnrollmentStatus
from bot.domain.schedule import Kind, LocalCalendar, zone
from bot.services.catalog import PlanCatalog
from bot.services.growth import GrowthService, _cite, _link, _Subject
from bot.services.growth_base import GrowthDeps, GrowthServiceBase
from bot.services.kpi_view import KpiView, MissingKpi, ReadingView, kpi_views
from bot.services.onboarding import Actor
from storage import kpis as kpi_repo
from storage import outbox as outbox_repo
from storage import repositories as repo
from storage.engine import Database
from storage.models import KpiReading, Outbox

NOTE_LIMIT = 2000
#: The columns of an import file; the first three are required.
CSV_COLUMNS = ("user", "kpi", "value", "period", "note", "link")
CSV_REQUIRED = CSV_COLUMNS[:3]
WRITERS = "Only the hire's manager of record (or an admin) picks their KPIs and records readings."


class KpiInputError(InvalidInput):
    """A reading's input that was refused, naming the ``field`` it is about (``kpi``,
    ``value``, ``period``, ``note``, ``link``), so a form can show it beside that field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class KpiList:
    """One hire's selected KPIs with their readings (``onramp kpis list``)."""

    user: str
    plan: str
    kpis: list[KpiView]

    def as_json(self) -> dict[str, object]:
        return {"user": self.user, "plan": self.plan, "kpis": [k.as_json() for k in self.kpis]}


@dataclass(frozen=True)
class Selection:
    """A hire's KPIs after a manager picked them, and what changed."""

    listed: KpiList
    added: list[str]
    removed: list[str]


@dataclass(frozen=True)
class Recorded:
    """A reading just stored, and the KPI it is of (with every reading, this one included)."""

    user: str
    kpi: KpiView
    reading: ReadingView


@dataclass(frozen=True)
class KpiForm:
    """What the Slack modals offer: the plan's KPIs, the ones selected, the default periods."""

    hire: str
    plan: str
    kpis: list[Kpi]
    selected: list[str]
    periods: dict[str, str]  # KPI id → the period a reading is for when none is given


class KpiService(GrowthServiceBase):
    """Pick KPIs for hires, record readings, show them."""

    def __init__(self, **deps: Unpack[GrowthDeps]) -> None:
        super().__init__(**deps)
        # Who is asking about whom, and the stranger's refusal, are the readiness view's.
        self.growth = GrowthService(
            db=self.db, catalog=self.catalog, clock=self.clock, admins=self.admins
        )

    def list(self, *, actor: Actor, hire: str) -> KpiList:
        """The hire's selected KPIs and their readings, as anyone who may see their growth."""
        with self.db.read() as session:
            subject = self.growth._subject(session, actor, hire, permissions.Action.VIEW)
            return self._listed(session, subject)

    def form(self, *, actor: Actor, hire: str) -> KpiForm:
        """What the pick and record modals offer; refused as writing is."""
        with self.db.read() as session:
            subject = self._writable(session, actor, hire)
            chosen = [
                row.kpi_id
                for row in kpi_repo.selected(session=session, enrollment_ids=[_id(subject)])
            ]
        kpis = list(subject.plan.plan.kpis)
        return KpiForm(
            hire=subject.hire.user_id,
            plan=subject.plan.plan.id,
            kpis=kpis,
            selected=[k for k in chosen if any(k == kpi.id for kpi in kpis)],
            periods={k.id: self._default_period(subject, k) for k in kpis},
        )

    def select(self, *, actor: Actor, hire: str, kpis: Sequence[str]) -> Selection:
        """Make ``kpis`` (ids or names, 3–6 of them) the hire's KPIs: the ones dropped end now,
        new ones start now, the ones kept keep their history."""
        with self.db.transaction() as session:
            subject = self._writable(session, actor, hire)
            plan = subject.plan.plan
            picked = list(
                dict.fromkeys(resolve(ref, plan.kpis, plan=plan.id).id for ref in kpis if ref)
            )
            problem = count_problem(len(picked))
            if problem is not None:
                raise InvalidInput(problem)
            me = self.growth._me(session, actor)
            change = kpi_repo.reselect(
                session=session,
                enrollment_id=_id(subject),
                kpi_ids=picked,
                by_id=None if me is None else me.id,
                at=self.clock.now(),
            )
            self._audit(
                session,
                actor,
                subject,
                "kpis_selected",
                {"kpis": picked, "added": change.added, "removed": change.removed},
            )
            listed = self._listed(session, subject)
        return Selection(listed=listed, added=change.added, removed=change.removed)

    def record(
        self,
        *,
        actor: Actor,
        hire: str,
        kpi: str,
        value: str | float,
        period: str | None = None,
        note: str | None = None,
        link: str | None = None,
        source: str = "cli",
    ) -> Recorded:
        """Record one reading of one of the hire's selected KPIs. ``value`` is one number as
        typed ("62%", "1,200", "3 days"); ``period`` defaults to the one today falls in, by
        the KPI's frequency, in the hire's zone."""
        with self.db.transaction() as session:
            subject = self._writable(session, actor, hire)
            row = self._reading(
                session,
                subject,
                actor,
                kpi=kpi,
                value=value,
                period=period,
                note=note,
                link=link,
                source=source,
            )
            kpi_repo.add_readings(session=session, rows=[row])
            self._audit_readings(session, actor, subject, [row])
            view = next(k for k in self._listed(session, subject).kpis if k.id == row.kpi_id)
        reading = next(r for r in reversed(view.readings) if r.recorded_at == row.recorded_at)
        return Recorded(user=subject.hire.user_id, kpi=view, reading=reading)

    def import_csv(self, *, actor: Actor, text: str) -> int:
        """Record every reading of a CSV file (columns :data:`CSV_COLUMNS`, a header first;
        ``period``, ``note`` and ``link`` may be left out). All or nothing: when any row is
        wrong nothing is written and every wrong row is named by its line (the header is line
        1). The number of readings recorded."""
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), skipinitialspace=True)
        header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
        if not any(header):
            raise InvalidInput(
                "The file is empty; its first line names the columns: " + ",".join(CSV_COLUMNS)
            )
        missing = [c for c in CSV_REQUIRED if c not in header]
        unknown = [c for c in header if c not in CSV_COLUMNS]
        if missing or unknown:
            said = [f"missing column {', '.join(missing)}"] if missing else []
            said += [f"unknown column {', '.join(unknown)}"] if unknown else []
            raise InvalidInput(
                f"line 1: {'; '.join(said)}; the columns are {','.join(CSV_COLUMNS)} "
                "(period, note and link may be left out)."
            )
        reader.fieldnames = header
        problems: list[str] = []
        rows: list[tuple[_Subject, KpiReading]] = []
        with self.db.transaction() as session:
            subjects: dict[str, _Subject] = {}
            for record in reader:
                at = reader.line_num  # the line the row ends on (a quoted cell may span lines)
                cells = {k: (v or "").strip() for k, v in record.items() if isinstance(v, str)}
                if not any(cells.values()):
                    continue  # a blank line
                if None in record:
                    problems.append(f"line {at}: more cells than columns")
                    continue
                empty = [c for c in CSV_REQUIRED if not cells.get(c)]
                if empty:
                    problems.append(f"line {at}: no {' and no '.join(empty)}")
                    continue
                try:
                    user = cells["user"]
                    if user not in subjects:
                        subjects[user] = self._writable(session, actor, user)
                    subject = subjects[user]
                    reading = self._reading(
                        session,
                        subject,
                        actor,
                        kpi=cells["kpi"],
                        value=cells["value"],
                        period=cells.get("period") or None,
                        note=cells.get("note") or None,
                        link=cells.get("link") or None,
                        source="csv",
                    )
                except OnrampError as exc:
                    problems.append(f"line {at}: {exc}")
                    continue
                rows.append((subject, reading))
            if problems:
                raise InvalidInput(
                    f"Nothing was imported: {len(problems)} line(s) to fix.\n" + "\n".join(problems)
                )
            if not rows:
                raise InvalidInput("The file has a header but no readings; nothing was imported.")
            kpi_repo.add_readings(session=session, rows=[r for _, r in rows])
            for subject in {id(s): s for s, _ in rows}.values():
                self._audit_readings(session, actor, subject, [r for s, r in rows if s is subject])
        return len(rows)

    # --- helpers ---------------------------------------------------------------------------

    def _writable(self, session: Session, actor: Actor, hire: str) -> _Subject:
        """The hire when ``actor`` may pick their KPIs and record readings."""
        subject = self.growth._subject(session, actor, hire, permissions.Action.VIEW)
        if subject.relation not in (Relation.MANAGER, Relation.ADMIN):
            who = "your" if subject.relation is Relation.HIRE else "the hire's"
            raise PermissionDenied(f"{WRITERS} Ask {who} manager.")
        if subject.enrollment.status == EnrollmentStatus.WITHDRAWN.value:
            raise Conflict(
                "That plan was withdrawn, so nothing more is recorded on it; enroll the hire "
                "again to track KPIs."
            )
        return subject

    def _listed(self, session: Session, subject: _Subject) -> KpiList:
        return KpiList(
            user=subject.hire.user_id,
            plan=subject.plan.plan.id,
            kpis=kpi_views(
                session=session, enrollment_id=_id(subject), loaded=subject.plan, cite=_cite
            ),
        )

    def _default_period(self, subject: _Subject, kpi: Kpi) -> str:
        return period_of(period_kind(kpi.frequency, kpi.target), self._today(subject)).label

    def _today(self, subject: _Subject) -> date:
        """Today in the hire's zone; the workspace's when they have none (or one this system
        lacks)."""
        named = subject.enrollment.hire_tz or subject.hire.tz
        return self.clock.now().astimezone(zone(named, self.default_tz)).date()

    def _reading(
        self,
        session: Session,
        subject: _Subject,
        actor: Actor,
        *,
        kpi: str,
        value: str | float,
        period: str | None,
        note: str | None,
        link: str | None,
        source: str,
    ) -> KpiReading:
        """A reading, checked, not yet stored."""
        plan = subject.plan.plan
        with _field("kpi"):
            found = resolve(kpi, plan.kpis, plan=plan.id)
        chosen = {
            r.kpi_id for r in kpi_repo.selected(session=session, enrollment_ids=[_id(subject)])
        }
        if found.id not in chosen:
            raise KpiInputError(
                "kpi",
                f"{found.id} is not one of {subject.hire.user_id}'s KPIs; readings are kept for "
                f"the 3–{MAX_KPIS} picked. Pick it first: onramp kpis select "
                f"{subject.hire.user_id} {' '.join([*sorted(chosen), found.id])}",
            )
        with _field("value"):
            number = value if isinstance(value, float | int) else parse_value(value)
        with _field("period"):
            label = (
                self._default_period(subject, found)
                if period is None or not period.strip()
                else parse_period(period).label
            )
        with _field("note"):
            clean_note = _note(note)
        with _field("link"):
            url = _link(link)
        me = self.growth._me(session, actor)
        return KpiReading(
            enrollment_id=_id(subject),
            kpi_id=found.id,
            value=float(number),
            period=label,
            note=clean_note,
            link=url,
            recorded_by_id=None if me is None else me.id,
            recorded_by_label=actor.label,
            source=source,
            recorded_at=self.clock.now(),
        )

    def _audit(
        self, session: Session, actor: Actor, subject: _Subject, action: str, detail: dict[str, Any]
    ) -> None:
        me = self.growth._me(session, actor)
        repo.write_audit(
            session=session,
            action=action,
            actor_id=None if me is None else me.id,
            actor_label=actor.label,
            subject_id=subject.hire.id,
            enrollment_id=subject.enrollment.id,
            detail=detail,
            at=self.clock.now(),
        )

    def _audit_readings(
        self, session: Session, actor: Actor, subject: _Subject, rows: Sequence[KpiReading]
    ) -> None:
        # The notes stay out of the audit log; which KPI and period were read is enough.
        readings = [[r.kpi_id, r.period] for r in rows]
        self._audit(
            session, actor, subject, "kpi_reading", {"readings": readings, "source": rows[0].source}
        )


# --- reminders: a picked KPI with no reading for the period just ended ---------------------


def reminder_rows(
    session: Session,
    now: datetime,
    calendar: Callable[[str | None, str | None], LocalCalendar],
    catalog: PlanCatalog,
) -> list[outbox_repo.NewRow]:
    """The ``kpi_reminder`` DMs owed at ``now``: for each active enrollment, one to the
    manager per day a period of its picked KPIs ended without a reading, at the manager's send
    time on the first working day after that period (their calendar), stale a working day
    later. Only the period just ended is asked for, and only of a KPI picked before it ended."""
    enrollments = kpi_repo.tracked_enrollments(
        session=session, statuses=[EnrollmentStatus.ACTIVE.value]
    )
    ids = [e.id for e in enrollments if e.id is not None]
    picked = kpi_repo.selected(session=session, enrollment_ids=ids)
    read = kpi_repo.periods_read(session=session, enrollment_ids=ids)
    managers = repo.people_by_ids(session=session, ids={e.manager_id for e in enrollments})
    by_id = {e.id: e for e in enrollments}
    owed: dict[tuple[int, date], list[dict[str, str]]] = {}
    for selection in picked:
        enrollment = by_id[selection.enrollment_id]
        kpi = next(
            (k for k in catalog.get(enrollment.plan_id).plan.kpis if k.id == selection.kpi_id),
            None,
        )
        manager = managers.get(enrollment.manager_id)
        if kpi is None or manager is None:
            continue
        cal = calendar(manager.tz, manager.holiday_country)
        ended = period_of(period_kind(kpi.frequency, kpi.target), cal.today(now)).previous()
        day = cal.working_on_or_after(ended.end + timedelta(days=1))
        if (
            cal.send_at(day) > now
            or cal.today(selection.selected_at) > ended.end
            or (selection.enrollment_id, kpi.id, ended.label) in read
        ):
            continue
        owed.setdefault((selection.enrollment_id, day), []).append(
            {"kpi": kpi.id, "period": ended.label}
        )
    rows: list[outbox_repo.NewRow] = []
    for (enrollment_id, day), missing in sorted(owed.items()):
        enrollment = by_id[enrollment_id]
        manager = managers[enrollment.manager_id]
        cal = calendar(manager.tz, manager.holiday_country)
        rows.append(
            outbox_repo.NewRow(
                key=f"{Kind.KPI_REMINDER.value}:{enrollment_id}:{day.isoformat()}",
                kind=Kind.KPI_REMINDER.value,
                recipient_id=enrollment.manager_id,
                due_at=cal.send_at(day),
                enrollment_id=enrollment_id,
                payload={
                    "missing": missing,
                    "stale_at": cal.send_at(cal.add_working_days(day, 1)).isoformat(),
                },
            )
        )
    return rows


def still_missing(*, db: Database, catalog: PlanCatalog, row: Outbox) -> tuple[MissingKpi, ...]:
    """What a ``kpi_reminder`` row asks for that is still missing now, in the blueprint's
    words; :class:`NotFound` when nothing is (it was recorded, or the KPI was dropped)."""
    asked = [m for m in row.payload.get("missing") or [] if isinstance(m, dict)]
    with db.read() as session:
        enrollment = repo.get_enrollment(session=session, enrollment_id=row.enrollment_id or 0)
        if enrollment is None or enrollment.id is None:
            raise NotFound("the plan this KPI reminder is about no longer exists")
        chosen = {
            r.kpi_id for r in kpi_repo.selected(session=session, enrollment_ids=[enrollment.id])
        }
        read = kpi_repo.periods_read(session=session, enrollment_ids=[enrollment.id])
    kpis = {k.id: k for k in catalog.get(enrollment.plan_id).plan.kpis}
    missing = tuple(
        MissingKpi(id=kpi.id, name=kpi.name, target=kpi.target, period=str(m.get("period")))
        for m in asked
        if (kpi := kpis.get(str(m.get("kpi")))) is not None
        and kpi.id in chosen
        and (enrollment.id, kpi.id, m.get("period")) not in read
    )
    if not missing:
        raise NotFound("every KPI reading this reminder asked for has been recorded")
    return missing


@contextmanager
def _field(name: str) -> Iterator[None]:
    """Refusals raised inside name the reading's field ``name`` (for the modal)."""
    try:
        yield
    except KpiInputError:
        raise
    except InvalidInput as exc:
        raise KpiInputError(name, str(exc)) from None


def _id(subject: _Subject) -> int:
    assert subject.enrollment.id is not None  # noqa: S101 - read from the database
    return subject.enrollment.id


def _note(note: str | None) -> str | None:
    if note is None:
        return None
    clean = strip_controls(strip_broadcasts(note)).strip()
    if len(clean) > NOTE_LIMIT:
        raise InvalidInput(
            f"A note is limited to {NOTE_LIMIT} characters ({len(clean)} given); link the rest."
        )
    return clean or None


__all__ = [
    "PERIOD_FORMATS",
    "KpiForm",
    "KpiInputError",
    "KpiList",
    "KpiService",
    "Recorded",
    "Selection",
]
