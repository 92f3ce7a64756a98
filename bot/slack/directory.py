"""People as Slack knows them: ``users.info`` with a per-process cache and a safe fallback.

A lookup never fails a request: when Slack (or a stand-in) can't tell us, the person is known by
their user id (or the name in the mention) and the default time zone until the next lookup.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.domain.guardrails import strip_broadcasts
from bot.services.onboarding import Profile

log = logging.getLogger("onramp.slack.directory")

#: How long a successful lookup is trusted (names and time zones rarely change).
FRESH_SECONDS = 3600.0
#: How long to wait before asking again after a failed lookup.
RETRY_SECONDS = 60.0
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class Lookup:
    """A profile and whether it was fetched just now (then the database should be refreshed)."""

    profile: Profile
    fetched: bool
    found: bool


def profile_from_user(user: Mapping[str, Any]) -> Profile:
    """The ``user`` object of ``users.info`` → a :class:`Profile` (pure)."""
    details = user.get("profile") if isinstance(user.get("profile"), Mapping) else {}
    assert isinstance(details, Mapping)  # noqa: S101 - narrowed just above
    name = (
        details.get("display_name")
        or details.get("real_name")
        or user.get("real_name")
        or user.get("name")
    )
    tz = user.get("tz")
    return Profile(
        user_id=str(user["id"]),
        # A name is echoed in messages: it must never carry mention or link syntax.
        display_name=_plain_name(str(name)) if name else None,
        tz=str(tz) if tz else None,
        team_id=str(user["team_id"]) if user.get("team_id") else None,
    )


def _plain_name(name: str) -> str | None:
    """A display name without broadcast mentions or ``<…>`` markup (None if nothing is left)."""
    cleaned = strip_broadcasts(name).replace("<", "").replace(">", "").strip()
    return cleaned or None


class Directory:
    """Cached ``users.info``. Thread-safe; entries expire, the cache is bounded."""

    def __init__(
        self,
        *,
        client: WebClient,
        fresh_seconds: float = FRESH_SECONDS,
        retry_seconds: float = RETRY_SECONDS,
        max_entries: int = MAX_ENTRIES,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.fresh_seconds = fresh_seconds
        self.retry_seconds = retry_seconds
        self.max_entries = max_entries
        self.monotonic = monotonic
        self._cache: OrderedDict[str, tuple[float, Profile, bool]] = OrderedDict()
        self._lock = threading.Lock()

    def lookup(self, user_id: str, *, name_hint: str | None = None) -> Lookup:
        """The person's profile: cached, fetched, or (if Slack can't say) a fallback."""
        now = self.monotonic()
        with self._lock:
            cached = self._cache.get(user_id)
            if cached is not None and cached[0] > now:
                self._cache.move_to_end(user_id)
                return Lookup(profile=cached[1], fetched=False, found=cached[2])
        profile = self._fetch(user_id)
        found = profile is not None
        if profile is None:
            profile = Profile(user_id=user_id, display_name=name_hint)
        ttl = self.fresh_seconds if found else self.retry_seconds
        with self._lock:
            self._cache[user_id] = (now + ttl, profile, found)
            self._cache.move_to_end(user_id)
            while len(self._cache) > self.max_entries:
                self._cache.popitem(last=False)
        return Lookup(profile=profile, fetched=True, found=found)

    def _fetch(self, user_id: str) -> Profile | None:
        try:
            response = self.client.users_info(user=user_id)
        except SlackApiError as exc:
            log.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
            return None
        except (SlackClientError, OSError, ValueError) as exc:
            # Unreachable, timed out, or not Slack's JSON (a stand-in without this method).
            log.warning("users.info unavailable for %s: %s", user_id, type(exc).__name__)
            return None
        user = response.get("user")
        if not isinstance(user, Mapping) or not user.get("id"):
            log.warning("users.info for %s returned no user", user_id)
            return None
        return profile_from_user(user)
