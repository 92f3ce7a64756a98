"""The review packet: what it holds, what it never holds, and both renderings. Both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from bot.domain.errors import InvalidInput, NotFound, PermissionDenied
from bot.services.catalog import PlanCatalog
from bot.services.clock import ManualClock
from bot.services.growth import GrowthService
from bot.services.onboarding import Actor, Onboarding
from bot.services.packet import Packet, PacketService
from bot.services.packet_render import render_html, render_markdown
from storage import packet as packet_repo
from storage.engine import Database
from storage.models import AuditLog, KpiReading
from tests.growth.conftest import OTHER_PLAN
from tests.support.enroll import enroll
from tests.support.packet import (
    BLIND_COMMENT,
    FOCUS_PROGRESS,
    KPI,
    KPI_TARGET,
    MANAGER_COMMENT,
    PRIVATE_NOTE,
    PRIVATE_WIN,
    RAG_COMMENT,
    TODAY,
    Seeded,
    seed_packet,
)
from tests.support.people import HIRE, MANAGER, MENTOR


@pytest.fixture
def seeded(onboarding: Onboarding, db: Database, clock: ManualClock) -> Seeded:
    """The hire enrolled on Mon 2 Nov 2026 with a year of rows; the clock at TODAY."""
    enroll(onboarding)
    clock.set(TODAY)
    return seed_packet(db, hire=HIRE, manager=MANAGER)


@pytest.fixture
def packets(db: Database, catalog: PlanCatalog, clock: ManualClock) -> PacketService:
    """The packet service, U0ADMIN the only admin."""
    return PacketService(db=db, catalog=catalog, clock=clock, admins=frozenset({"U0ADMIN"}))


def _packet(packets: PacketService, viewer: str) -> Packet:
    actor = Actor.cli() if viewer == "cli" else Actor.slack(viewer)
    return packets.build(actor=actor, hire=HIRE)


def test_milestones_by_phase_with_due_and_done_dates(
    seeded: Seeded, packets: PacketService
) -> None:
    """Every phase is listed with its due date; a milestone done says the day it was done."""
    packet = _packet(packets, MANAGER)
    assert [p.id for p in packet.phases][:2] == ["day-30", "day-60"]
    assert packet.phases[0].due == date(2026, 12, 2)
    done = {m.id: m for p in packet.phases for m in p.milestones}["d30-dev-environment"]
    assert (done.status, done.done_on) == ("done", date(2026, 11, 20))
    assert (packet.since, packet.until) == (date(2026, 11, 2), date(2027, 5, 10))


def test_html_is_self_contained_and_escapes_user_text(
    seeded: Seeded, packets: PacketService
) -> None:
    """The HTML has inline SVG and no URL, src=, url( or xmlns; a <script> in evidence is text."""
    text = render_html(_packet(packets, MANAGER))
    assert "<svg" in text
    for banned in ("http", "src=", "url(", "xmlns", "@import", "<script", "<link", "<img"):
        assert banned not in text.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text
    assert "example.slack.com/archives/C1/p1" in text
    assert "@media print" in text


@pytest.mark.parametrize("viewer", [MANAGER, "U0ADMIN", "cli", HIRE])
def test_private_evidence_and_private_notes_never_appear(
    seeded: Seeded, packets: PacketService, viewer: str
) -> None:
    """Neither private evidence nor a private note is in any packet, the hire's preview too."""
    packet = _packet(packets, viewer)
    for text in (render_html(packet), render_markdown(packet)):
        assert PRIVATE_WIN not in text
        assert PRIVATE_NOTE not in text
        assert "Shipped the" in text


@pytest.mark.parametrize("viewer", [MANAGER, HIRE])
def test_a_blind_round_is_named_but_its_ratings_never_shown(
    seeded: Seeded, packets: PacketService, viewer: str
) -> None:
    """The 6-month round only the hire rated is named as blind; its rating shows to no one."""
    packet = _packet(packets, viewer)
    assert packet.blind_rounds == ("6-month",)
    for text in (render_html(packet), render_markdown(packet)):
        assert BLIND_COMMENT not in text
        assert "Still blind: the 6-month round" in text
    python = next(d for d in packet.dimensions if d.id == "python-software-fundamentals")
    assert [(p.round, p.self_side and p.self_side.level) for p in python.ratings] == [("90d", 2)]


def test_ratings_over_time_self_and_manager(seeded: Seeded, packets: PacketService) -> None:
    """A revealed round shows both sides in the blueprint's words, with each comment."""
    packet = _packet(packets, MANAGER)
    python = next(d for d in packet.dimensions if d.id == "python-software-fundamentals")
    [point] = python.ratings
    assert point.self_side is not None
    assert point.manager_side is not None
    assert (point.self_side.label, point.manager_side.label) == ("acceptable", "excellent")
    assert MANAGER_COMMENT in render_html(packet)


def test_a_dimension_without_evidence_says_not_yet_and_quotes_the_rating_comment(
    seeded: Seeded, packets: PacketService
) -> None:
    """No evidence on a dimension: "not yet", with the latest rating comment quoted."""
    packet = _packet(packets, MANAGER)
    dims = {d.id: d for d in packet.dimensions}
    assert dims["evaluation-mindset"].not_yet is None
    assert dims["llm-fundamentals"].not_yet == (
        "No evidence is tagged to LLM fundamentals yet in this window. Latest rating comment "
        f"(manager, 90-day): “{RAG_COMMENT}”"
    )
    assert dims["communication"].not_yet is not None
    assert "No rating comment explains it yet" in dims["communication"].not_yet


def test_kpis_quote_the_target_and_mark_team_level_as_contribution(
    seeded: Seeded, packets: PacketService
) -> None:
    """Readings stand against the blueprint's target (within or outside the range it states);
    a team-level KPI is a contribution."""
    packet = _packet(packets, MANAGER)
    kpis = {k.id: k for k in packet.kpis}
    assert [r.value for r in kpis["pr-throughput"].readings] == [3.0, 6.0]
    # "4–10 meaningful PRs/month": 3 is outside the target's range, 6 within it.
    assert [r.on_target for r in kpis["pr-throughput"].readings] == [False, True]
    assert kpis["pr-throughput"].target == KPI_TARGET
    assert kpis["eval-coverage"].team_level
    html = render_html(packet)
    assert KPI_TARGET in html
    assert "team-level: the hire's reading is a contribution" in html
    assert "github.com/org/repo/pulls" in html
    assert any(c.id == "s7" for c in packet.citations)


def test_focus_moods_and_window(seeded: Seeded, packets: PacketService) -> None:
    """Focus items with status and latest progress, the pulse moods in order; a window keeps
    only what is in it (a KPI reading: by the period it is for, not the day it was entered)."""
    packet = _packet(packets, MANAGER)
    assert [(f.title, f.status, f.progress, f.progress_on) for f in packet.focus] == [
        ("Own one retrieval experiment", "open", FOCUS_PROGRESS, date(2027, 3, 2))
    ]
    assert [m.mood for m in packet.moods] == ["on_track", "blocked", "at_risk"]
    narrow = packets.build(
        actor=Actor.slack(MANAGER), hire=HIRE, since=date(2026, 11, 10), until=date(2027, 1, 31)
    )
    assert [m.mood for m in narrow.moods] == ["blocked", "at_risk"]
    # January's reading, entered on 1 February, is January's: in a window ending 31 January.
    assert [r.period for r in narrow.kpis[0].readings] == ["2027-01"]
    assert all(not d.ratings for d in narrow.dimensions)
    assert narrow.focus == ()


def test_markdown_has_the_same_content_in_tables(seeded: Seeded, packets: PacketService) -> None:
    """The Markdown has milestones, ratings, evidence, KPI readings and moods as tables."""
    text = render_markdown(_packet(packets, MANAGER))
    assert "| Milestone | Status | Due | Done |" in text
    assert "| 90-day | acceptable: “Getting there” | excellent: “" in text
    assert "&lt;script&gt;" in text
    assert "<https://example.slack.com/archives/C1/p1>" in text
    assert f"Target (blueprint): “{KPI_TARGET}”" in text
    assert "| 2027-02 | 6 | within | merged PRs <https://github.com/org/repo/pulls> |" in text
    assert "| 2026-11-13 | blocked |" in text
    assert "<svg" not in text


def test_who_may_pull_a_packet(seeded: Seeded, packets: PacketService) -> None:
    """Mentors and strangers are refused; a window ending before it starts is bad input."""
    with pytest.raises(PermissionDenied, match="for the hire's manager"):
        _packet(packets, MENTOR)
    with pytest.raises(PermissionDenied, match="people you manage or mentor"):
        _packet(packets, "U0STRANGER")
    with pytest.raises(InvalidInput, match="window"):
        packets.build(actor=Actor.cli(), hire=HIRE, since=date(2027, 6, 1), until=date(2027, 1, 1))
    assert _packet(packets, HIRE).preview
    assert not _packet(packets, MANAGER).preview


def test_the_hires_comment_is_stored_audited_and_in_the_managers_packet(
    seeded: Seeded, packets: PacketService, db: Database
) -> None:
    """The hire's comment is stored (audited without its text) and shown in the manager's
    packet; a comment goes on the commenter's own plan only."""
    with pytest.raises(NotFound, match="not on an Onramp plan"):
        packets.add_comment(actor=Actor.slack(MANAGER), text="a comment on my own plan only")
    packets.add_comment(actor=Actor.slack(HIRE), text="I'd add the <b>on-call</b> week")
    with db.read() as session:
        stored = packet_repo.latest_comment(session=session, enrollment_id=seeded.enrollment_id)
        audit = session.exec(select(AuditLog).where(AuditLog.action == "packet_comment")).one()
    assert stored is not None
    assert stored.author_id == seeded.hire_id
    assert "on-call" not in str(audit.detail)
    html = render_html(_packet(packets, MANAGER))
    assert "I&#x27;d add the &lt;b&gt;on-call&lt;/b&gt; week" in html


def test_kpi_readings_are_picked_and_ordered_by_their_period(
    seeded: Seeded, packets: PacketService, db: Database, catalog: PlanCatalog, clock: ManualClock
) -> None:
    """A Q1 packet holds March's reading entered in April, and readings run by period (a
    backfilled December first), in the order `onramp growth` shows them."""
    with db.transaction() as session:
        for period, value, day in (("2027-03", 5.0, "2027-04-02"), ("2026-12", 4.0, "2027-04-05")):
            session.add(
                KpiReading(
                    enrollment_id=seeded.enrollment_id,
                    kpi_id=KPI,
                    value=value,
                    period=period,
                    recorded_by_label="cli",
                    recorded_at=datetime.fromisoformat(f"{day}T09:00").replace(tzinfo=UTC),
                )
            )
    q1 = packets.build(
        actor=Actor.slack(MANAGER), hire=HIRE, since=date(2027, 1, 1), until=date(2027, 3, 31)
    )
    [kpi] = [k for k in q1.kpis if k.id == KPI]
    assert [r.period for r in kpi.readings] == ["2027-01", "2027-02", "2027-03"]
    [whole] = [k for k in _packet(packets, MANAGER).kpis if k.id == KPI]
    growth = GrowthService(db=db, catalog=catalog, clock=clock, admins=frozenset())
    [shown] = [k for k in growth.readiness(actor=Actor.slack(MANAGER), hire=HIRE).kpis
               if k.id == KPI]  # fmt: skip
    assert [r.period for r in whole.readings] == ["2026-12", "2027-01", "2027-02", "2027-03"]
    assert [r.period for r in whole.readings] == [r.period for r in shown.readings]


def test_evidence_shared_before_a_move_stays_in_the_managers_packet(
    db: Database, two_plans: Path, clock: ManualClock
) -> None:
    """After `onramp move`, evidence shared with the manager on the previous plan is still in
    the packet the same manager pulls (and in the hire's preview of it)."""
    catalog = PlanCatalog(two_plans)
    onboarding = Onboarding(db=db, catalog=catalog, clock=clock, admins=frozenset())
    onboarding.enroll(
        actor=Actor.cli(),
        hire=HIRE,
        plan_id="junior-llm-engineer",
        start=date(2026, 11, 2),
        manager=MANAGER,
    )
    growth = GrowthService(db=db, catalog=catalog, clock=clock, admins=frozenset())
    growth.add_evidence(
        actor=Actor.slack(HIRE),
        hire=HIRE,
        text="Shipped the eval harness",
        tags=["python-software-fundamentals"],
    )
    onboarding.move(actor=Actor.slack(MANAGER), hire=HIRE, plan_id=OTHER_PLAN)
    packets = PacketService(db=db, catalog=catalog, clock=clock, admins=frozenset())
    for viewer in (MANAGER, HIRE):
        packet = _packet(packets, viewer)
        assert packet.plan_id == OTHER_PLAN
        [python] = [d for d in packet.dimensions if d.id == "python-software-fundamentals"]
        assert [e.text for e in python.evidence] == ["Shipped the eval harness"]
