"""Fixtures for the model backends: the loopback fake Messages API, and the answer service
with the Anthropic backend pointed at it."""

import pytest

from bot.llm.fake_api import FakeMessagesAPI
from bot.services.answers import Answers
from bot.services.catalog import PlanCatalog
from bot.services.clock import ManualClock
from storage.engine import Database
from tests.answers.conftest import make_answers
from tests.support.claude import (
    claude_model,
    fake_api,  # noqa: F401 - the fixture, offered to this folder
)


@pytest.fixture
def claude(
    db: Database,
    catalog: PlanCatalog,
    clock: ManualClock,
    fake_api: FakeMessagesAPI,  # noqa: F811
) -> Answers:
    """The answer service with the Anthropic backend pointed at the fake."""
    return make_answers(db, catalog, clock, model=claude_model(fake_api))
