"""The review packet: everything a manager brings to a review of one hire, over a window.

:meth:`PacketService.build` gathers, for ``[since, until]`` (default: the plan's start → today
in the hire's zone): milestones by phase, ratings over time per rubric dimension (self vs
manager, revealed rounds only), evidence by dimension with "not yet, and why" where there is
none, KPI readings against the blueprint's target, focus items, the pulse mood trend, the
blueprint sections all of it cites, and the hire's comment on the packet.

Who may pull one: the hire's manager of record and admins (the operator's CLI is an admin); the
hire themselves, as a preview. Mentors may not. Everyone who may gets the *same* packet — what
the manager of record sees: evidence shared with the manager or mentors on this plan (never
private evidence), rounds that are revealed (a blind round is named, its ratings shown to
nobody), and never a private note. So what the hire previews is exactly what their manager
will see, and a packet forwarded by the manager leaks nothing the manager could not show.
Rendering is :mod:`bot.services.packet_render`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Unpack

from bot.domain import permissions
from bot.domain.errors import InvalidInput, PermissionDenied
from bot.domain.guardrails import strip_broadcasts, strip_controls
from bot.domain.kpi_targets import Bound, judge, parse_target
from bot.domain.kpis import Period, PeriodKind, parse_period, period_of
from bot.domain.permissions import Relation
from bot.domain.plan import LoadedPlan
from bot.domain.progress import MilestoneStatus, PhaseView
from bot.domain.schedule import zone
from bot.services.growth import Citation, GrowthService
from bot.services.growth_base import GrowthDeps, GrowthServiceBase
from bot.services.growth_rounds import (
    Role,
    Side,
    _by_round,
    _order,
    _side,
    closing_times,
    revealed_rounds,
    round_label,
)
from bot.services.onboarding import Actor
from bot.services.onboarding.reports import Reports
from storage import focus as focus_repo
from storage import growth as evidence_repo
from storage import packet as packet_repo
from storage import repositories as repo
from storage.growth import Seen
from storage.models import (
    Assessment,
    Enrollment,
    Evidence,
    FocusUpdate,
    KpiReading,
    MilestoneState,
    PacketComment,
    Person,
)

#: The longest comment a hire may add to their packet (the column holds 4000).
COMMENT_LIMIT = 4000
MENTOR_REFUSED = (
    "A review packet is for the hire's manager (and the hire, to preview it); "
    "ask their manager to share it with you."
)
ONLY_THE_HIRE = "Only the hire adds a comment to their own review packet."
EMPTY_COMMENT = "Write the comment first: what your manager should read beside the packet."
LONG_COMMENT = f"Keep the comment under {COMMENT_LIMIT} characters."
#: The lower bound of a window without ``--from``: everything on the plan.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: Pulse answers from best to worst, as the mood chart stacks them (3 on top).
MOOD_LEVEL = {"on_track": 3, "at_risk": 2, "blocked": 1}
MOOD_WORDS = {"on_track": "on track", "at_risk": "at risk", "blocked": "blocked"}


@dataclass(frozen=True)
class MilestoneLine:
    """One milestone: its status now, the phase's due date and when it was done."""

    id: str
    title: str
    status: str
    due: date
    done_on: date | None
    #: The lead-in milestone this one details (shown indented under it).
    parent: str | None = None


@dataclass(frozen=True)
class PhaseLine:
    """One phase of the plan with its milestones."""

    id: str
    title: str
    due: date
    source: Citation
    milestones: tuple[MilestoneLine, ...]

    @property
    def done(self) -> int:
        return sum(1 for m in self.milestones if m.status == MilestoneStatus.DONE.value)


@dataclass(frozen=True)
class RatingPoint:
    """One revealed round of one dimension: the self and the manager rating (either missing)."""

    round: str
    self_side: Side | None
    manager_side: Side | None

    @property
    def label(self) -> str:
        return round_label(self.round)


@dataclass(frozen=True)
class EvidenceLine:
    """A piece of evidence as the packet shows it."""

    id: int
    text: str
    link: str | None
    tags: tuple[str, ...]
    created_on: date
    corroborated: bool


@dataclass(frozen=True)
class DimensionSection:
    """A rubric dimension: its levels, ratings over time, evidence, or why there is none."""

    id: str
    title: str
    source: Citation
    levels: tuple[str, ...]
    ratings: tuple[RatingPoint, ...]
    evidence: tuple[EvidenceLine, ...]
    #: With no evidence: "not yet, and why" (the latest rating comment quoted, when any).
    not_yet: str | None = None


@dataclass(frozen=True)
class KpiReadingLine:
    """One reading of a KPI."""

    period: str
    value: float
    note: str | None
    link: str | None
    recorded_on: date
    #: Within the bound the blueprint's target states; ``None`` when the target states none
    #: (the reading is then shown beside the quoted target, never judged).
    on_target: bool | None = None


@dataclass(frozen=True)
class KpiSection:
    """A KPI picked for the hire (or read in the window), with the blueprint's target quoted."""

    id: str
    name: str
    measures: str
    target: str
    frequency: str
    team_level: bool
    selected: bool
    source: Citation
    readings: tuple[KpiReadingLine, ...]
    #: The numeric bound read from the target (:func:`bot.domain.kpi_targets.parse_target`).
    bound: Bound | None = None


@dataclass(frozen=True)
class FocusLine:
    """A growth-plan item and where it stands."""

    title: str
    dimension: str
    actions: tuple[str, ...]
    due: date
    status: str
    round: str | None
    #: The latest progress note on it and its day (``None``: no update yet, or one without a note).
    progress: str | None = None
    progress_on: date | None = None


@dataclass(frozen=True)
class MoodPoint:
    """One pulse answer: the day (in the hire's zone) and the mood."""

    on: date
    mood: str


@dataclass(frozen=True)
class CommentLine:
    """The hire's comment on the packet."""

    text: str
    on: date


@dataclass(frozen=True)
class Packet:
    """A hire's review packet over ``[since, until]``; see the module docstring for who sees
    what. Every text in it is user text or the blueprint's: renderers escape all of it."""

    hire: str
    hire_name: str
    manager: str
    manager_name: str
    plan_id: str
    plan_title: str
    start: date
    since: date
    until: date
    generated_at: datetime
    preview: bool  # pulled by the hire themselves
    phases: tuple[PhaseLine, ...]
    dimensions: tuple[DimensionSection, ...]
    blind_rounds: tuple[str, ...]
    other_evidence: tuple[EvidenceLine, ...]
    kpis: tuple[KpiSection, ...]
    focus: tuple[FocusLine, ...]
    moods: tuple[MoodPoint, ...]
    citations: tuple[Citation, ...]
    comment: CommentLine | None = None


class PacketService(GrowthServiceBase):
    """Builds review packets and keeps the hire's comment on theirs."""

    def __init__(self, *, holiday_country: str | None = None, **deps: Unpack[GrowthDeps]) -> None:
        super().__init__(**deps)
        self.growth = GrowthService(
            db=self.db, catalog=self.catalog, clock=self.clock, admins=self.admins
        )
        self.reports = Reports(
            catalog=self.catalog,
            clock=self.clock,
            default_tz=self.default_tz,
            holiday_country=holiday_country,
        )

    def build(
        self,
        *,
        actor: Actor,
        hire: str,
        since: date | None = None,
        until: date | None = None,
    ) -> Packet:
        """The packet of ``hire`` for ``actor`` over ``[since, until]`` (both days included);
        refused to strangers (in the stranger's words) and mentors; a window that ends before
        it starts is refused as bad input."""
        now = self.clock.now()
        with self.db.read() as session:
            subject = self.growth._subject(session, actor, hire, permissions.Action.VIEW)
            if subject.relation not in (Relation.HIRE, Relation.MANAGER, Relation.ADMIN):
                raise PermissionDenied(MENTOR_REFUSED)
            person, enrollment, loaded = subject.hire, subject.enrollment, subject.plan
            enrollment_id = _id(enrollment)
            today = self.reports.today(person)
            # Without --from: from the plan's start (or today, for a plan not begun yet), and
            # nothing recorded between enrolling and day 1 is left out.
            first = since or min(enrollment.start_date, today)
            last = until or today
            if first > last:
                raise InvalidInput(
                    f"The packet's window would start on {first.isoformat()}, after it ends on "
                    f"{last.isoformat()}: give a first day on or before the last."
                )
            tz = zone(person.tz, self.reports.default_tz)
            start_at = datetime.combine(first, time(), tzinfo=tz) if since else _EPOCH
            end_at = datetime.combine(last + timedelta(days=1), time(), tzinfo=tz)
            report = self.reports.one(session, enrollment, person, as_of=last)
            states = repo.milestone_states(session=session, enrollment_id=enrollment_id)
            # What the manager of record sees on this plan: never private evidence.
            seen = Seen(
                hire_id=_id(person),
                visibilities=[v.value for v in permissions.visible_evidence(Relation.MANAGER)],
                enrollment_id=enrollment_id,
                # Shared on a plan the hire was moved from: the same manager keeps seeing it.
                moved_from=subject.moved_from,
            )
            rows = [
                e
                for e in evidence_repo.evidence_of(session=session, seen=seen)
                if start_at <= e.created_at < end_at
            ]
            tags = evidence_repo.tags_of(session=session, evidence_ids=[_id(e) for e in rows])
            every = evidence_repo.assessments_of(session=session, enrollment_ids=[enrollment_id])
            # Whether a round may be shown is decided now, over all of its ratings; the window
            # then keeps the ratings submitted in it.
            shown = revealed_rounds(every, closing_times(session, enrollment_id), now)
            ratings = [r for r in every if start_at <= r.submitted_at < end_at]
            picked = packet_repo.kpi_selected(session=session, enrollment_id=enrollment_id)
            readings = _in_window(
                packet_repo.kpi_readings(session=session, enrollment_id=enrollment_id),
                first if since else None,
                last,
                tz,
            )
            focus = packet_repo.focus_items(
                session=session, enrollment_id=enrollment_id, until=end_at
            )
            moods = packet_repo.pulse_moods(
                session=session, enrollment_id=enrollment_id, since=start_at, until=end_at
            )
            progress = focus_repo.latest_updates(
                session=session, focus_ids=[f.id for f in focus if f.id is not None]
            )
            comment = packet_repo.latest_comment(session=session, enrollment_id=enrollment_id)
            manager = repo.get_person_by_id(session=session, person_id=enrollment.manager_id)
        evidence = [
            EvidenceLine(
                id=_id(e),
                text=e.text,
                link=e.link,
                tags=tuple(tags[_id(e)]),
                created_on=e.created_at.astimezone(tz).date(),
                corroborated=e.confirmed_at is not None,
            )
            for e in reversed(rows)  # oldest first, as a story reads
        ]
        rounds = _by_round(ratings, shown)
        blind = sorted({r.round for r in ratings} - shown, key=_order)
        dimensions = _dimensions(self.growth, loaded, rounds, evidence)
        dimension_ids = {d.id for d in dimensions}
        titles = {d.id: d.title for d in loaded.plan.growth.rubric}
        return Packet(
            hire=person.user_id,
            hire_name=person.display_name or person.user_id,
            manager="" if manager is None else manager.user_id,
            manager_name="" if manager is None else (manager.display_name or manager.user_id),
            plan_id=loaded.plan.id,
            plan_title=loaded.plan.title,
            start=enrollment.start_date,
            since=first,
            until=last,
            generated_at=now,
            preview=subject.relation is Relation.HIRE,
            phases=_phases(self.growth, loaded, report.summary.phases, states, tz),
            dimensions=tuple(dimensions),
            blind_rounds=tuple(round_label(r) for r in blind),
            other_evidence=tuple(e for e in evidence if not dimension_ids & set(e.tags)),
            kpis=_kpis(self.growth, loaded, picked, readings, tz),
            focus=tuple(
                FocusLine(
                    title=f.title,
                    dimension=titles.get(f.dimension_id, f.dimension_id),
                    actions=tuple(f.actions),
                    due=f.due,
                    status=f.status,
                    round=None if f.round is None else round_label(f.round),
                    progress=_note(progress.get(f.id or 0)),
                    progress_on=_on(progress.get(f.id or 0), tz),
                )
                for f in focus
            ),
            moods=tuple(MoodPoint(on=at.astimezone(tz).date(), mood=m) for at, m in moods),
            citations=_citations(self.growth, loaded, picked, readings),
            comment=None
            if comment is None
            else CommentLine(text=comment.text, on=comment.created_at.astimezone(tz).date()),
        )

    def add_comment(self, *, actor: Actor, text: str) -> CommentLine:
        """The hire's comment on their own packet (their latest plan), shown in every packet
        pulled after it; a new comment supersedes the last. Audited without its text."""
        clean = strip_controls(strip_broadcasts(text)).strip()
        if not clean:
            raise InvalidInput(EMPTY_COMMENT)
        if len(clean) > COMMENT_LIMIT:
            raise InvalidInput(LONG_COMMENT)
        if actor.user_id is None:
            raise PermissionDenied(ONLY_THE_HIRE)
        now = self.clock.now()
        with self.db.transaction() as session:
            subject = self.growth._subject(session, actor, actor.user_id, permissions.Action.VIEW)
            if subject.relation is not Relation.HIRE:
                raise PermissionDenied(ONLY_THE_HIRE)
            row = packet_repo.add_comment(
                session=session,
                comment=PacketComment(
                    enrollment_id=_id(subject.enrollment),
                    author_id=_id(subject.hire),
                    text=clean,
                    created_at=now,
                ),
            )
            repo.write_audit(
                session=session,
                action="packet_comment",
                actor_id=subject.hire.id,
                actor_label=actor.label,
                subject_id=subject.hire.id,
                enrollment_id=subject.enrollment.id,
                # The text stays out of the audit log, as evidence text does.
                detail={"comment": row.id},
                at=now,
            )
            tz = zone(subject.hire.tz, self.reports.default_tz)
        return CommentLine(text=clean, on=now.astimezone(tz).date())


# --- building the sections ------------------------------------------------------------------


def _id(row: Person | Enrollment | Evidence) -> int:
    assert row.id is not None  # noqa: S101 - rows read from or flushed to the database
    return row.id


def _note(update: FocusUpdate | None) -> str | None:
    return None if update is None or not update.note.strip() else update.note


def _on(update: FocusUpdate | None, tz: tzinfo) -> date | None:
    return None if _note(update) is None or update is None else update.at.astimezone(tz).date()


def _phases(
    growth: GrowthService,
    loaded: LoadedPlan,
    views: Sequence[PhaseView],
    states: dict[str, MilestoneState],
    tz: tzinfo,
) -> tuple[PhaseLine, ...]:
    sources = {p.id: p.source for p in loaded.plan.phases}

    def done_on(milestone_id: str) -> date | None:
        state = states.get(milestone_id)
        if state is None or state.status != MilestoneStatus.DONE.value:
            return None
        return state.updated_at.astimezone(tz).date()

    return tuple(
        PhaseLine(
            id=view.id,
            title=view.title,
            due=view.due,
            source=growth.cite(loaded, sources.get(view.id, view.id)),
            milestones=tuple(
                MilestoneLine(
                    id=m.id,
                    title=m.title,
                    status=m.status.value,
                    due=m.due,
                    done_on=done_on(m.id),
                    parent=m.parent,
                )
                for m in view.milestones
            ),
        )
        for view in views
    )


def _dimensions(
    growth: GrowthService,
    loaded: LoadedPlan,
    rounds: dict[str, dict[str, dict[str, Assessment]]],
    evidence: Sequence[EvidenceLine],
) -> list[DimensionSection]:
    out = []
    ordered = sorted(rounds, key=_order)
    for d in loaded.plan.growth.rubric:
        points = []
        for ref in ordered:
            sides = {
                role: rounds[ref].get(role, {}).get(d.id)
                for role in (Role.SELF.value, Role.MANAGER.value)
            }
            if not any(sides.values()):
                continue
            self_row, manager_row = sides[Role.SELF.value], sides[Role.MANAGER.value]
            points.append(
                RatingPoint(
                    round=ref,
                    self_side=None if self_row is None else _side(self_row, d),
                    manager_side=None if manager_row is None else _side(manager_row, d),
                )
            )
        tagged = tuple(e for e in evidence if d.id in e.tags)
        out.append(
            DimensionSection(
                id=d.id,
                title=d.title,
                source=growth.cite(loaded, d.source),
                levels=tuple(level.label for level in d.levels),
                ratings=tuple(points),
                evidence=tagged,
                not_yet=None if tagged else _not_yet(d.title, points),
            )
        )
    return out


def _not_yet(title: str, points: Sequence[RatingPoint]) -> str:
    """Why a dimension has no evidence in the packet, and the latest rating comment on it."""
    said = f"No evidence is tagged to {title} yet in this window."
    for point in reversed(points):
        for who, side in (("manager", point.manager_side), ("self", point.self_side)):
            if side is not None and side.comment:
                return f"{said} Latest rating comment ({who}, {point.label}): “{side.comment}”"
    return f"{said} No rating comment explains it yet."


def _period(reading: KpiReading, tz: tzinfo) -> Period:
    """The period a reading is for; a stored period that no longer parses counts as the day it
    was recorded (in the hire's zone)."""
    try:
        return parse_period(reading.period)
    except InvalidInput:
        return period_of(PeriodKind.DAY, reading.recorded_at.astimezone(tz).date())


def _in_window(
    readings: Sequence[KpiReading], first: date | None, last: date, tz: tzinfo
) -> list[KpiReading]:
    """The readings whose period overlaps ``[first, last]`` (no lower bound without ``first``),
    the earliest period first and, within one period, in the order recorded: the order
    ``onramp growth`` shows them in (:func:`bot.services.kpi_view._view`)."""
    periods = [(_period(r, tz), i, r) for i, r in enumerate(readings)]
    kept = [
        (p.end, i, r)
        for p, i, r in periods
        if p.start <= last and (first is None or p.end >= first)
    ]
    return [r for _, _, r in sorted(kept, key=lambda kept: kept[:2])]


def _kpis(
    growth: GrowthService,
    loaded: LoadedPlan,
    picked: Sequence[str],
    readings: Iterable[KpiReading],
    tz: tzinfo,
) -> tuple[KpiSection, ...]:
    bounds = {k.id: parse_target(k.target) for k in loaded.plan.kpis}
    targets = {k.id: k.target for k in loaded.plan.kpis}
    by_kpi: dict[str, list[KpiReadingLine]] = {}
    for r in readings:
        by_kpi.setdefault(r.kpi_id, []).append(
            KpiReadingLine(
                period=r.period,
                value=r.value,
                note=r.note,
                link=r.link,
                recorded_on=r.recorded_at.astimezone(tz).date(),
                on_target=judge(targets.get(r.kpi_id, ""), r.period, r.value).on_target,
            )
        )
    return tuple(
        KpiSection(
            id=k.id,
            name=k.name,
            measures=k.measures,
            target=k.target,
            frequency=k.frequency,
            team_level=k.team_level,
            selected=k.id in picked,
            source=growth.cite(loaded, k.source),
            readings=tuple(by_kpi.get(k.id, [])),
            bound=bounds[k.id],
        )
        for k in loaded.plan.kpis
        if k.id in picked or k.id in by_kpi
    )


def _citations(
    growth: GrowthService,
    loaded: LoadedPlan,
    picked: Sequence[str],
    readings: Iterable[KpiReading],
) -> tuple[Citation, ...]:
    """The blueprint sections the packet's milestones, rubric and KPIs cite, in plan order."""
    read = {r.kpi_id for r in readings}
    ids = [p.source for p in loaded.plan.phases]
    ids += [m.source for p in loaded.plan.phases for m in p.milestones]
    ids += [d.source for d in loaded.plan.growth.rubric]
    ids += [k.source for k in loaded.plan.kpis if k.id in picked or k.id in read]
    return tuple(growth.cite(loaded, i) for i in dict.fromkeys(ids))
