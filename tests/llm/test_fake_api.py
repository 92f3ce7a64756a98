"""The fake Messages API is as strict as the real one (through the real anthropic client)."""

from __future__ import annotations

from typing import Any

import anthropic
import pytest

from bot.llm.fake_api import (
    KNOWN_MODELS,
    MODEL,
    FakeMessagesAPI,
    Scripted,
    api_error,
    message,
    overloaded,
    rate_limited,
    search_result_citation,
    text_message,
)

TOOL = {"name": "read_my_progress", "description": "d", "input_schema": {"type": "object"}}


def _client(fake: FakeMessagesAPI) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key="sk-ant-test", base_url=fake.base_url, max_retries=0)


def _tool_turn(**extra: Any) -> list[dict[str, Any]]:
    """A user question, an assistant tool_use turn (with ``extra`` keys), and its tool result."""
    tool_use = {"type": "tool_use", "id": "toolu_1", "name": "read_my_progress", "input": {}}
    return [
        {"role": "user", "content": "What is left?"},
        {"role": "assistant", "content": [{**tool_use, **extra}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1"}]},
    ]


@pytest.mark.parametrize(
    ("kwargs", "error", "kind", "says"),
    [
        (
            {"messages": _tool_turn(caller=None)},
            anthropic.BadRequestError,
            "invalid_request_error",
            "messages.1.content.0.caller",
        ),
        (
            {"messages": _tool_turn(), "extra_body": {"temperture": 0.2}},
            anthropic.BadRequestError,
            "invalid_request_error",
            "temperture: Extra inputs are not permitted",
        ),
        (
            {"messages": _tool_turn(), "model": "claude-3-opus-retired"},
            anthropic.NotFoundError,
            "not_found_error",
            "model: claude-3-opus-retired",
        ),
    ],
    ids=["caller-null", "extra-key", "unknown-model"],
)
def test_requests_the_api_refuses_are_refused(
    fake_api: FakeMessagesAPI, kwargs: dict[str, Any], error: type[Exception], kind: str, says: str
) -> None:
    """A tool_use block with "caller": null, an undeclared key or an unknown model id gets the real
    API's error (400 invalid_request_error, 404 not_found_error), not an answer."""
    fake_api.enqueue(text_message("never served"))
    request: dict[str, Any] = {"model": MODEL, "max_tokens": 50, "tools": [TOOL], **kwargs}
    with pytest.raises(error) as raised:
        _client(fake_api).messages.create(**request)
    body = raised.value.body  # type: ignore[attr-defined]
    assert body["type"] == "error"
    assert body["error"]["type"] == kind
    assert says in body["error"]["message"]
    # The scripted reply is still there for the next, valid request.
    valid = {**request, "model": MODEL, "messages": _tool_turn()}
    valid.pop("extra_body", None)
    assert _client(fake_api).messages.create(**valid).content[0].text == "never served"  # type: ignore[union-attr]


def test_the_requested_model_is_echoed(fake_api: FakeMessagesAPI) -> None:
    """Default and scripted replies name the model that was asked for, as the real API does."""
    other = sorted(KNOWN_MODELS - {MODEL})[0]
    fake_api.enqueue(message([{"type": "text", "text": "scripted"}], model=MODEL))
    ask = {"model": other, "max_tokens": 50, "messages": [{"role": "user", "content": "Hi"}]}
    scripted = _client(fake_api).messages.create(**ask)  # type: ignore[call-overload]
    default = _client(fake_api).messages.create(**ask)  # type: ignore[call-overload]
    assert (scripted.model, default.model) == (other, other)


@pytest.mark.parametrize(
    "stop_reason",
    ["end_turn", "max_tokens", "refusal", "tool_use", "pause_turn", "stop_sequence"],
)
def test_each_stop_reason_can_be_scripted(fake_api: FakeMessagesAPI, stop_reason: str) -> None:
    """A scripted reply reaches the SDK with the stop reason it was given."""
    fake_api.enqueue(text_message("Partial answer", stop_reason=stop_reason))
    reply = _client(fake_api).messages.create(
        model=MODEL, max_tokens=50, messages=[{"role": "user", "content": "Hi"}]
    )
    assert reply.stop_reason == stop_reason


def test_uncited_and_interleaved_citations(fake_api: FakeMessagesAPI) -> None:
    """Plain text and cited text alternate block by block, each citation on its own block."""
    fake_api.enqueue(
        text_message(
            "The stack is ",
            ("Python and Postgres", search_result_citation(1, "s4", "Python, Postgres")),
            ", and reviews take ",
            ("a day", search_result_citation(0, "s9", "one business day")),
            ".",
        )
    )
    reply = _client(fake_api).messages.create(
        model=MODEL, max_tokens=50, messages=[{"role": "user", "content": "Hi"}]
    )
    cited = [
        (b.text, [(c.search_result_index, c.source) for c in b.citations or []])  # type: ignore[union-attr]
        for b in reply.content
    ]
    assert cited == [
        ("The stack is ", []),
        ("Python and Postgres", [(1, "s4")]),
        (", and reviews take ", []),
        ("a day", [(0, "s9")]),
        (".", []),
    ]


@pytest.mark.parametrize(
    ("scripted", "error", "kind", "retry_after"),
    [
        (rate_limited(retry_after=17), anthropic.RateLimitError, "rate_limit_error", "17"),
        (overloaded(retry_after_ms=1500), anthropic.InternalServerError, "overloaded_error", None),
        (
            api_error(404, "not_found_error", "model: x"),
            anthropic.NotFoundError,
            "not_found_error",
            None,
        ),
        (
            api_error(401, "authentication_error", "invalid x-api-key"),
            anthropic.AuthenticationError,
            "authentication_error",
            None,
        ),
        (
            api_error(400, "invalid_request_error", "max_tokens: too big"),
            anthropic.BadRequestError,
            "invalid_request_error",
            None,
        ),
    ],
    ids=["429", "529", "404", "401", "400"],
)
def test_scripted_errors_have_the_real_shape(
    fake_api: FakeMessagesAPI,
    scripted: Scripted,
    error: type[anthropic.APIStatusError],
    kind: str,
    retry_after: str | None,
) -> None:
    """Scripted errors reach the SDK as its own exception types, with the error type, the request
    id and, on a 429, a retry-after in whole seconds."""
    fake_api.enqueue(scripted)
    with pytest.raises(error) as raised:
        _client(fake_api).messages.create(
            model=MODEL, max_tokens=50, messages=[{"role": "user", "content": "Hi"}]
        )
    assert raised.value.body["error"]["type"] == kind  # type: ignore[index]
    assert raised.value.request_id == "req_fake"
    assert raised.value.response.headers.get("retry-after") == retry_after
