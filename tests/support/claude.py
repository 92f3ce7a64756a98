"""Claude in tests: the loopback fake Messages API as a fixture, and the real SDK pointed at it.

A folder's conftest imports :func:`fake_api` to offer the fixture to its tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.llm.anthropic_backend import AnthropicModel, build_client
from bot.llm.fake_api import MODEL, FakeMessagesAPI

#: The key the tests hand the SDK; the fake accepts any.
API_KEY = "sk-ant-test-key"


@pytest.fixture
def fake_api() -> Iterator[FakeMessagesAPI]:
    """The loopback Messages API (real ``anthropic.Anthropic`` client, 127.0.0.1 only)."""
    with FakeMessagesAPI() as fake:
        yield fake


def claude_model(
    fake: FakeMessagesAPI,
    *,
    api_key: str = API_KEY,
    timeout: float = 5.0,
    retries: int = 2,
    max_tokens: int = 400,
) -> AnthropicModel:
    """The Anthropic backend over the real SDK client, talking to ``fake``."""
    client = build_client(
        api_key=api_key, base_url=fake.base_url, timeout=timeout, max_retries=retries
    )
    return AnthropicModel(client=client, model=MODEL, max_tokens=max_tokens)
