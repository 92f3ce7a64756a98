"""The growth service: who may record and see evidence, what input it refuses, the readiness."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from bot.services.catalog import PlanCatalog
from bot.services.clock import ManualClock
from bot.services.growth import TEXT_LIMIT, GrowthService
from bot.services.onboarding import Actor, Onboarding, Profile
from storage import repositories as repo
from storage.engine import Database
from tests.support.enroll import enroll
from tests.support.people import HIRE, MANAGER, MENTOR

ADMIN, STRANGER = "U0ADMIN", "U0STRANGER"
DIMENSION = "evaluation-mindset"


@pytest.fixture
def growth(db: Database, catalog: PlanCatalog, clock: ManualClock) -> GrowthService:
    """The growth service over a real database, with U0ADMIN as the only admin."""
    return GrowthService(db=db, catalog=catalog, clock=clock, admins=frozenset({ADMIN}))


@pytest.fixture
def shared(growth: GrowthService, onboarding: Onboarding) -> GrowthService:
    """HIRE (managed by MANAGER, mentored by MENTOR) recorded one piece of evidence at each
    visibility, all tagged evaluation-mindset; STRANGER is known to Onramp."""
    enroll(onboarding)
    onboarding.ensure_person(profile=Profile(user_id=STRANGER))
    for visibility in ("private", "manager", "mentors"):
        growth.add_evidence(
            actor=Actor.slack(HIRE),
            hire=HIRE,
            text=f"{visibility} win",
            tags=[DIMENSION],
            visibility=visibility,
        )
    return growth


def _dimension(view: dict[str, object], dimension: str = DIMENSION) -> dict[str, object]:
    rows = view["dimensions"]
    assert isinstance(rows, list)
    return next(d for d in rows if d["id"] == dimension)


@pytest.mark.parametrize(
    ("viewer", "seen"),
    [
        (HIRE, ["mentors win", "manager win", "private win"]),
        (MANAGER, ["mentors win", "manager win"]),
        (MENTOR, ["mentors win"]),
        (ADMIN, ["mentors win", "manager win"]),
    ],
)
def test_each_viewer_sees_the_evidence_its_visibility_allows(
    shared: GrowthService, viewer: str, seen: list[str]
) -> None:
    """Hire: all; manager and admins: never private; mentors: only what is shared with them."""
    listed = shared.evidence(actor=Actor.slack(viewer), hire=HIRE)
    assert [e.text for e in listed.items] == seen
    counted = _dimension(shared.readiness(actor=Actor.slack(viewer), hire=HIRE).as_json())
    assert counted["evidence"] == {"count": len(seen), "corroborated": 0}


def test_the_operator_never_sees_private_evidence(shared: GrowthService) -> None:
    """The CLI's operator is an admin: private evidence is neither listed nor counted."""
    listed = shared.evidence(actor=Actor.cli(), hire=HIRE)
    assert "private win" not in [e.text for e in listed.items]
    assert _dimension(shared.readiness(actor=Actor.cli(), hire=HIRE).as_json())["evidence"] == {
        "count": 2,
        "corroborated": 0,
    }


def test_a_stranger_learns_nothing(shared: GrowthService) -> None:
    """A stranger hears the same refusal for an enrolled hire as for someone who doesn't exist."""
    refusals = set()
    for hire in (HIRE, "U0NOBODY", MANAGER):
        for call in (shared.readiness, shared.evidence):
            with pytest.raises(PermissionDenied) as excinfo:
                call(actor=Actor.slack(STRANGER), hire=hire)
            refusals.add(str(excinfo.value))
    assert refusals == {"You can only see plans of people you manage or mentor, or your own."}


@pytest.mark.parametrize("actor", [MENTOR, STRANGER])
def test_only_the_hire_their_manager_and_admins_record_evidence(
    shared: GrowthService, actor: str
) -> None:
    """Mentors and strangers may not record evidence on someone else's growth."""
    with pytest.raises(PermissionDenied):
        shared.add_evidence(actor=Actor.slack(actor), hire=HIRE, text="a win")
    assert shared.add_evidence(actor=Actor.slack(MANAGER), hire=HIRE, text="a win").id


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": "  "}, "Evidence needs a text"),
        ({"text": "x" * (TEXT_LIMIT + 1)}, f"limited to {TEXT_LIMIT} characters"),
        ({"link": "javascript:alert(1)"}, "The link must be an http"),
        ({"visibility": "everyone"}, "use one of: private, manager, mentors"),
        ({"tags": ["evaluation-mindest"]}, "Did you mean evaluation-mindset"),
        ({"tags": ["<!channel>"]}, "There is no tag 'channel'"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    shared: GrowthService, kwargs: dict[str, object], message: str
) -> None:
    """Empty or overlong text, a non-http link, an unknown visibility or tag: a message, no row."""
    arguments: dict[str, object] = {"text": "a win"} | kwargs
    with pytest.raises(InvalidInput, match=message):
        shared.add_evidence(actor=Actor.cli(), hire=HIRE, **arguments)  # type: ignore[arg-type]
    assert len(shared.evidence(actor=Actor.slack(HIRE), hire=HIRE).items) == 3


def test_tags_are_normalised_and_may_name_milestones(
    shared: GrowthService, catalog: PlanCatalog
) -> None:
    """Typed ids match as milestone ids do; skills, criteria and milestones are tags too."""
    milestone = catalog.get("junior-llm-engineer").plan.milestone_ids[0]
    added = shared.add_evidence(
        actor=Actor.cli(),
        hire=HIRE,
        text="shipped",
        tags=["Evaluation Mindset", "measurable_impact", milestone, "evaluation-mindset"],
        link="https://example.com/pr/7",
    )
    assert added.tags == [DIMENSION, "measurable-impact", milestone]
    assert added.link == "https://example.com/pr/7"


def test_an_unenrolled_hire_is_named_to_the_operator(shared: GrowthService) -> None:
    """The operator hears that the person has no plan (exit 1), not a refusal."""
    with pytest.raises(NotFound, match="U0NOBODY has no Onramp plan"):
        shared.readiness(actor=Actor.cli(), hire="U0NOBODY")


def test_readiness_reports_coverage_and_gaps_without_ratings_or_verdict(
    shared: GrowthService, onboarding: Onboarding, catalog: PlanCatalog
) -> None:
    """No ratings yet (null, empty trend), milestones done counted, a cited next step per gap,
    and no percentage or verdict anywhere."""
    plan = catalog.get("junior-llm-engineer").plan
    onboarding.mark(actor=Actor.cli(), hire=HIRE, milestone_id=plan.milestone_ids[0], status="done")
    view = shared.readiness(actor=Actor.slack(HIRE), hire=HIRE).as_json()
    assert [d["id"] for d in view["dimensions"]] == [d.id for d in plan.growth.rubric]
    assert [c["id"] for c in view["promotion"]] == [c.id for c in plan.growth.promotion]
    covered = _dimension(view)
    assert (covered["self"], covered["manager"], covered["trend"]) == (None, None, [])
    assert covered["source"] == {
        "id": "s19.scorecard-dimensions",
        "section": 19,
        "heading": "19) Hiring Evaluation Criteria › Scorecard dimensions (for interview panels)",
    }
    assert [level["label"] for level in covered["levels"]] == [
        "below bar",
        "acceptable",
        "excellent",
    ]
    assert view["milestones"] == {"done": 1, "total": len(plan.milestone_ids)}
    gaps = len(plan.growth.rubric) - 1 + len(plan.growth.promotion)
    assert len(view["next_steps"]) == gaps
    assert not any("Evaluation mindset" in s["text"] for s in view["next_steps"])
    assert all(s["source"]["section"] in (15, 19) for s in view["next_steps"])
    words = json.dumps(view).lower()
    assert "percent" not in words
    assert "ready" not in words
    assert "%" not in words


def test_recording_evidence_is_audited_without_its_text(
    shared: GrowthService, db: Database
) -> None:
    """Each piece of evidence writes one audit row naming its tags and visibility, not its text."""
    with db.read() as session:
        rows = [a for a in repo.audit_entries(session=session) if a.action == "evidence"]
    assert len(rows) == 3
    assert {r.detail["visibility"] for r in rows} == {"private", "manager", "mentors"}
    assert all("win" not in json.dumps(r.detail) for r in rows)
    assert {r.actor_label for r in rows} == {HIRE}


def test_a_new_manager_does_not_inherit_what_was_shared_with_the_last(
    shared: GrowthService, onboarding: Onboarding
) -> None:
    """After a withdrawal and a new plan, the new manager sees only evidence shared on it."""
    onboarding.change(actor=Actor.cli(), hire=HIRE, action="withdraw")
    onboarding.enroll(
        actor=Actor.cli(), hire=HIRE, plan_id="junior-llm-engineer", start=date(2026, 12, 7),
        manager=STRANGER, mentors=[],
    )  # fmt: skip
    assert shared.evidence(actor=Actor.slack(STRANGER), hire=HIRE).items == []
    shared.add_evidence(actor=Actor.slack(HIRE), hire=HIRE, text="new plan win")
    seen = shared.evidence(actor=Actor.slack(STRANGER), hire=HIRE).items
    assert [e.text for e in seen] == ["new plan win"]
    assert len(shared.evidence(actor=Actor.slack(HIRE), hire=HIRE).items) == 4


def test_nothing_is_recorded_on_a_withdrawn_plan(
    shared: GrowthService, onboarding: Onboarding
) -> None:
    """Evidence for a hire whose latest plan was withdrawn is refused with what to do."""
    onboarding.change(actor=Actor.cli(), hire=HIRE, action="withdraw")
    with pytest.raises(Conflict, match="enroll the hire again"):
        shared.add_evidence(actor=Actor.cli(), hire=HIRE, text="late win")
    assert len(shared.evidence(actor=Actor.slack(HIRE), hire=HIRE).items) == 3


def test_an_operator_looking_as_the_hire_never_sees_private_evidence(
    shared: GrowthService,
) -> None:
    """`--as` (impersonated) is capped at what an admin sees, even looking as the hire."""
    listed = shared.evidence(actor=Actor.slack(HIRE), hire=HIRE, impersonated=True)
    assert [e.text for e in listed.items] == ["mentors win", "manager win"]


def test_someone_not_yet_known_asking_about_themselves_hears_they_have_no_plan(
    growth: GrowthService,
) -> None:
    """A person Onramp has never seen, asking for their own growth, is told to get enrolled."""
    with pytest.raises(NotFound, match="not on an Onramp plan yet"):
        growth.readiness(actor=Actor.slack("U0NEWBIE"), hire="U0NEWBIE")


def test_control_characters_never_reach_storage(shared: GrowthService) -> None:
    """NULs and terminal escapes typed into evidence are dropped before it is stored."""
    added = shared.add_evidence(actor=Actor.slack(HIRE), hire=HIRE, text="a\x00b\x1b[31mred")
    assert "\x00" not in added.text
    assert "\x1b" not in added.text
