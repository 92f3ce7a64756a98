"""Fault injection: 429 with Retry-After, 5xx, Slack errors, slow answers, resets, rate limits."""

from __future__ import annotations

import threading
import time
from http.client import RemoteDisconnected
from urllib.error import URLError

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.sandbox import SlackSandbox
from bot.sandbox.faults import Faults
from tests.sandbox.conftest import HIRE
from tests.support.waiting import eventually


def test_a_429_is_retried_by_the_rate_limit_handler(sandbox: SlackSandbox):
    """WebClient with RateLimitErrorRetryHandler retries a 429; the log shows 429 then success."""
    sandbox.fail("chat.postMessage", 429, retry_after=0)  # 0 keeps the SDK's wait under 1 s
    client = WebClient(
        base_url=sandbox.api_url,
        token=sandbox.bot_token,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    assert client.chat_postMessage(channel=HIRE, text="hi")["ok"] is True
    calls = sandbox.calls("chat.postMessage")
    assert [(c.status, c.error) for c in calls] == [(429, "ratelimited"), (200, None)]
    assert len(sandbox.messages(user=HIRE)) == 1


def test_a_429_carries_retry_after_and_slacks_body(sandbox: SlackSandbox, client: WebClient):
    """Without a retry handler the 429 reaches the caller with Retry-After and 'ratelimited'."""
    sandbox.fail("chat.postMessage", 429, retry_after=7)
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel=HIRE, text="hi")
    response = caught.value.response
    assert response.status_code == 429
    assert response["error"] == "ratelimited"
    assert response.headers["Retry-After"] == "7"


@pytest.mark.parametrize(
    ("status", "error"), [(500, "internal_error"), (503, "service_unavailable")]
)
def test_server_errors_fail_once_then_recover(
    sandbox: SlackSandbox, client: WebClient, status: int, error: str
):
    """fail(status=5xx) answers one call with that status; the next call succeeds."""
    sandbox.fail("auth.test", status)
    with pytest.raises(SlackApiError) as caught:
        client.auth_test()
    assert (caught.value.response.status_code, caught.value.response["error"]) == (status, error)
    assert client.auth_test()["ok"] is True


def test_server_errors_are_retried_by_the_server_error_handler(sandbox: SlackSandbox):
    """ServerErrorRetryHandler gets through a single 503."""
    sandbox.fail("users.info", 503)
    client = WebClient(
        base_url=sandbox.api_url,
        token=sandbox.bot_token,
        retry_handlers=[ServerErrorRetryHandler(max_retry_count=1, interval_calculator=_NoWait())],
    )
    assert client.users_info(user=HIRE)["user"]["id"] == HIRE
    assert [c.status for c in sandbox.calls("users.info")] == [503, 200]


def test_a_slack_error_can_be_injected_at_http_200(sandbox: SlackSandbox, client: WebClient):
    """fail(status=200, error=…) answers like Slack refusing: ok false with that code."""
    sandbox.fail("chat.postMessage", 200, error="account_inactive", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as caught:
            client.chat_postMessage(channel=HIRE, text="hi")
        assert caught.value.response["error"] == "account_inactive"
    assert client.chat_postMessage(channel=HIRE, text="hi")["ok"] is True


def test_fail_without_a_method_hits_any_method(sandbox: SlackSandbox, client: WebClient):
    """fail(None, …) applies to whichever call comes next."""
    sandbox.fail(None, 500)
    with pytest.raises(SlackApiError):
        client.users_info(user=HIRE)
    assert client.users_info(user=HIRE)["ok"] is True


def test_a_reset_connection_fails_a_client_without_retries(sandbox: SlackSandbox):
    """reset() drops the connection without an answer: a client with no retry handler errors."""
    sandbox.reset("chat.postMessage")
    plain = WebClient(base_url=sandbox.api_url, token=sandbox.bot_token, retry_handlers=[])
    with pytest.raises((URLError, ConnectionResetError, RemoteDisconnected)):
        plain.chat_postMessage(channel=HIRE, text="lost")
    assert [c.status for c in sandbox.calls("chat.postMessage")] == [None]
    assert sandbox.messages(user=HIRE) == []


def test_a_reset_connection_is_retried_by_the_connection_handler(sandbox: SlackSandbox):
    """ConnectionErrorRetryHandler (WebClient's default) gets through one reset."""
    sandbox.reset("chat.postMessage")
    client = WebClient(
        base_url=sandbox.api_url,
        token=sandbox.bot_token,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=1, interval_calculator=_NoWait())
        ],
    )
    assert client.chat_postMessage(channel=HIRE, text="kept")["ok"] is True
    assert [c.status for c in sandbox.calls("chat.postMessage")] == [None, 200]
    assert [m.text for m in sandbox.messages(user=HIRE)] == ["kept"]


def test_a_processed_reset_posts_the_message_but_loses_the_answer(sandbox: SlackSandbox):
    """reset(processed=True) posts the message, then drops the answer: history shows it once."""
    sandbox.reset("chat.postMessage", processed=True)
    plain = WebClient(base_url=sandbox.api_url, token=sandbox.bot_token, retry_handlers=[])
    metadata = {"event_type": "onramp_checkin", "event_payload": {"outbox_id": 42}}
    with pytest.raises((URLError, ConnectionResetError, RemoteDisconnected)):
        plain.chat_postMessage(channel=HIRE, text="pulse", metadata=metadata)
    [posted] = sandbox.messages(user=HIRE)
    assert posted.event_payload == {"outbox_id": 42}
    assert sandbox.calls("chat.postMessage")[0].error == "connection_reset"


def test_slow_delays_the_answer(sandbox: SlackSandbox, client: WebClient):
    """slow(method, seconds) answers only after that delay, and only for that method."""
    sandbox.slow("users.info", 0.2)
    started = time.monotonic()
    client.users_info(user=HIRE)
    assert time.monotonic() - started >= 0.2
    assert client.auth_test()["ok"] is True


def test_stop_does_not_wait_behind_a_slow_answer(clock):
    """stop() cuts a long slow() short instead of hanging until it ends."""
    sandbox = SlackSandbox(clock=clock).start()
    sandbox.slow("auth.test", 60)
    client = WebClient(base_url=sandbox.api_url, token=sandbox.bot_token, timeout=30)
    answered = threading.Event()

    def call() -> None:
        client.auth_test()
        answered.set()

    caller = threading.Thread(target=call)
    caller.start()
    assert eventually(lambda: sandbox.in_flight == 1)
    started = time.monotonic()
    sandbox.stop()
    caller.join(timeout=10)
    assert time.monotonic() - started < 10
    assert answered.is_set()


def test_rate_limit_answers_429_with_whole_second_retry_after(
    sandbox: SlackSandbox, client: WebClient
):
    """Above N calls a second the sandbox answers 429 with Retry-After of at least 1 second."""
    sandbox.rate_limit("chat.postMessage", per_second=3)
    for _ in range(3):
        client.chat_postMessage(channel=HIRE, text="ok")
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel=HIRE, text="too many")
    assert caught.value.response.status_code == 429
    assert int(caught.value.response.headers["Retry-After"]) >= 1
    assert client.auth_test()["ok"] is True  # other methods keep their own budget


def test_rate_limit_can_send_fractional_retry_after(sandbox: SlackSandbox, client: WebClient):
    """fractional_retry_after=True sends the exact wait, below one second here."""
    sandbox.rate_limit("auth.test", per_second=1, fractional_retry_after=True)
    client.auth_test()
    with pytest.raises(SlackApiError) as caught:
        client.auth_test()
    assert 0 < float(caught.value.response.headers["Retry-After"]) <= 1.0


def test_rate_limit_none_lifts_the_limit(sandbox: SlackSandbox, client: WebClient):
    """rate_limit(method, None) removes the limit."""
    sandbox.rate_limit("auth.test", per_second=1)
    sandbox.rate_limit("auth.test", None)
    assert all(client.auth_test()["ok"] for _ in range(3))


def test_sliding_window_admits_again_once_a_second_has_passed():
    """The limiter admits N per second, refuses the N+1st, and admits again a second later."""
    now = [100.0]
    faults = Faults(monotonic=lambda: now[0])
    faults.rate_limit("chat.postMessage", 2)
    outcomes = [faults.decide("chat.postMessage").status for _ in range(3)]
    assert outcomes == [None, None, 429]
    now[0] += 1.0
    assert faults.decide("chat.postMessage").proceed


def test_rate_limit_per_channel_keeps_separate_budgets():
    """per_channel=True paces each channel on its own, as Slack paces chat.postMessage."""
    faults = Faults(monotonic=lambda: 5.0)
    faults.rate_limit("chat.postMessage", 1, per_channel=True)
    assert faults.decide("chat.postMessage", "D1").proceed
    assert faults.decide("chat.postMessage", "D2").proceed
    assert faults.decide("chat.postMessage", "D1").status == 429


def test_rate_limit_for_every_method_counts_each_method_alone():
    """rate_limit(None, N) limits each method separately, not all methods together."""
    faults = Faults(monotonic=lambda: 5.0)
    faults.rate_limit(None, 1)
    assert faults.decide("auth.test").proceed
    assert faults.decide("users.info").proceed
    assert faults.decide("auth.test").status == 429


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"status": 200}, "needs error="),
        ({"status": 302}, "must be 200"),
        ({"times": 0}, "times must be 1 or more"),
        ({"retry_after": -1}, "retry_after must be 0 or more"),
    ],
)
def test_bad_fault_arguments_say_what_to_fix(kwargs: dict, message: str):
    """Mistakes in fail() arguments raise ValueError naming the fix."""
    with pytest.raises(ValueError, match=message):
        Faults().fail("auth.test", **kwargs)


class _NoWait:
    """A retry interval of zero, so retry tests never sleep."""

    def calculate_sleep_duration(self, current_attempt: int) -> float:
        return 0.0
