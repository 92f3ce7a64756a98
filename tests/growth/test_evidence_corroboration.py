"""A corroborator named on evidence: who may be named, who may confirm, once, and what counts."""

from __future__ import annotations

import pytest

from bot.domain.errors import PermissionDenied
from bot.services.catalog import PlanCatalog
from bot.services.clock import ManualClock
from bot.services.growth import CONFIRM_REFUSED, EvidenceInputError, GrowthService
from bot.services.onboarding import Actor, Onboarding
from storage import repositories as repo
from storage.engine import Database
from tests.support.enroll import enroll
from tests.support.people import HIRE, MANAGER, MENTOR

PEER, STRANGER = "U0PEER", "U0STRANGER"
DIMENSION = "evaluation-mindset"


@pytest.fixture
def growth(db: Database, catalog: PlanCatalog, clock: ManualClock) -> GrowthService:
    """The growth service over a real database."""
    return GrowthService(db=db, catalog=catalog, clock=clock, admins=frozenset())


@pytest.fixture
def witnessed(growth: GrowthService, onboarding: Onboarding) -> int:
    """HIRE (managed by MANAGER) logged a win naming PEER, whom Onramp has never seen, as
    corroborator; its id."""
    enroll(onboarding)
    view = growth.add_evidence(
        actor=Actor.slack(HIRE),
        hire=HIRE,
        text="Shipped the eval harness",
        tags=[DIMENSION],
        corroborator=PEER,
        source="modal",
    )
    assert view.corroborator == PEER
    return view.id


def _corroborated(growth: GrowthService) -> int:
    view = growth.readiness(actor=Actor.slack(HIRE), hire=HIRE).as_json()
    return next(d for d in view["dimensions"] if d["id"] == DIMENSION)["evidence"]["corroborated"]


def test_the_corroborator_confirms_once_and_readiness_counts_it(
    growth: GrowthService, witnessed: int, db: Database
) -> None:
    """The named corroborator's confirmation is stored, audited and counted as corroborated;
    a second one changes nothing and says it was already confirmed."""
    assert _corroborated(growth) == 0
    first = growth.confirm_evidence(actor=Actor.slack(PEER), evidence_id=witnessed)
    assert not first.already
    assert first.hire == HIRE
    assert first.evidence.confirmed_at is not None
    assert _corroborated(growth) == 1
    again = growth.confirm_evidence(actor=Actor.slack(PEER), evidence_id=witnessed)
    assert again.already
    assert again.evidence.confirmed_at == first.evidence.confirmed_at
    with db.read() as session:
        actions = [a.action for a in repo.audit_entries(session=session)]
    assert actions.count("evidence_confirmed") == 1


@pytest.mark.parametrize("clicker", [HIRE, MANAGER, MENTOR, STRANGER])
def test_only_the_named_corroborator_may_confirm(
    growth: GrowthService, witnessed: int, clicker: str
) -> None:
    """Anyone else, the hire included, is refused and nothing is confirmed."""
    with pytest.raises(PermissionDenied, match=CONFIRM_REFUSED):
        growth.confirm_evidence(actor=Actor.slack(clicker), evidence_id=witnessed)
    assert _corroborated(growth) == 0


def test_confirming_evidence_that_does_not_exist_says_nothing_more(
    growth: GrowthService, witnessed: int
) -> None:
    """An unknown evidence id gets the same refusal as someone else's."""
    with pytest.raises(PermissionDenied, match=CONFIRM_REFUSED):
        growth.confirm_evidence(actor=Actor.slack(PEER), evidence_id=witnessed + 99)


@pytest.mark.parametrize(
    ("actor", "corroborator", "words"),
    [
        (HIRE, HIRE, "You can't confirm what you record yourself"),
        (MANAGER, HIRE, "not the person it is about"),
        (HIRE, "sam", "by their Slack user id"),
    ],
    ids=["self", "the-hire", "not-an-id"],
)
def test_a_corroborator_must_be_someone_else(
    growth: GrowthService, onboarding: Onboarding, actor: str, corroborator: str, words: str
) -> None:
    """Neither the recorder nor the hire can corroborate; the error names the field."""
    enroll(onboarding)
    with pytest.raises(EvidenceInputError, match=words) as raised:
        growth.add_evidence(
            actor=Actor.slack(actor), hire=HIRE, text="Did it", corroborator=corroborator
        )
    assert raised.value.field == "corroborator"
    assert growth.evidence(actor=Actor.slack(HIRE), hire=HIRE).items == []


def test_the_form_offers_the_hires_tags_and_suggests_from_the_text(
    growth: GrowthService, onboarding: Onboarding
) -> None:
    """The manager opening the form for their hire gets the hire's plan and suggestions; a
    mentor is refused as recording is."""
    enroll(onboarding)
    form = growth.evidence_form(
        actor=Actor.slack(MANAGER), hire=HIRE, text="Redacted PII from the logs"
    )
    assert form.hire == HIRE
    assert "data-privacy" in [t.id for t in form.suggested]
    assert DIMENSION in [t.id for t in form.tags]
    with pytest.raises(PermissionDenied):
        growth.evidence_form(actor=Actor.slack(MENTOR), hire=HIRE)
