"""Step 1 of a tick: read the Slack profiles of people on active plans (their time zone).

Never-read profiles come first (all of them, up to a generous cap), then a few that are a week
old; a failed lookup is retried with back-off. Nobody's calendar is derived before their profile
was read once, so a hire enrolled from the CLI is never scheduled in the default zone by mistake.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain.schedule import zone
from bot.services.checkins.deliver import DeliveryError, Messenger
from bot.services.checkins.report import TickReport
from storage import outbox as repo
from storage.engine import Database

log = logging.getLogger("onramp.checkins")

#: Week-old profiles refreshed per tick (users.info is Tier 4: about 100 a minute).
PROFILE_LOOKUPS_PER_TICK = 20
#: Never-read profiles looked up per tick: their check-ins wait for it, so nearly uncapped (a
#: 429 stops the round early; the rest follow next tick).
NEW_PROFILE_LOOKUPS_PER_TICK = 500
PROFILE_MAX_AGE = timedelta(days=7)
#: Back-off after a failed profile lookup: 1, 2, 4 … minutes, at most this long.
PROFILE_RETRY_MAX = timedelta(hours=1)


@dataclass(kw_only=True, eq=False)
class Profiles:
    """Looks up never-read and week-old profiles, backing off from those that fail."""

    db: Database
    messenger: Messenger | None
    #: user id → (not before, failures so far) after a failed users.info.
    _retry: dict[str, tuple[datetime, int]] = field(default_factory=dict, init=False)

    def refresh(
        self, *, now: datetime, report: TickReport | None, write: bool
    ) -> tuple[dict[str, str], set[str]]:
        """(zones found, user ids whose profile was read) in this round of lookups.

        With ``write`` off (a dry run) nothing is stored; the zones found serve that run only.
        """
        if self.messenger is None:
            return {}, set()
        with self.db.read() as session:
            fresh = repo.profiles_never_checked(
                session=session, limit=NEW_PROFILE_LOOKUPS_PER_TICK + len(self._retry)
            )
            old = repo.profiles_checked_before(
                session=session,
                before=now - PROFILE_MAX_AGE,
                limit=PROFILE_LOOKUPS_PER_TICK + len(self._retry),
            )
        ready = [u for u in fresh if self._may_look_up(u, now)][:NEW_PROFILE_LOOKUPS_PER_TICK]
        ready += [u for u in old if self._may_look_up(u, now)][:PROFILE_LOOKUPS_PER_TICK]
        found: dict[str, str] = {}
        checked: set[str] = set()
        for user_id in ready:
            try:
                profile = self.messenger.profile(user_id=user_id)
            except DeliveryError as exc:
                failures = self._retry.get(user_id, (now, 0))[1] + 1
                wait = min(timedelta(minutes=2 ** (failures - 1)), PROFILE_RETRY_MAX)
                if exc.retry_after is not None:
                    wait = max(wait, timedelta(seconds=exc.retry_after))
                self._retry[user_id] = (now + wait, failures)
                log.warning(
                    "could not look up %s in Slack (%s); retrying in %s", user_id, exc.reason, wait
                )
                if exc.retry_after is not None:
                    break  # rate limited: the rest wait for the next tick
                continue
            self._retry.pop(user_id, None)
            checked.add(user_id)
            tz = profile.tz if profile and zone(profile.tz, "") else None
            if profile is not None and profile.tz and str(zone(profile.tz)) != profile.tz:
                tz = None  # a zone this machine doesn't know: keep the default
            if tz:
                found[user_id] = tz
            if write:
                with self.db.transaction() as session:
                    repo.touch_person(
                        session=session,
                        user_id=user_id,
                        tz=tz,
                        display_name=profile.display_name if profile else None,
                        now=now,
                    )
            if report is not None:
                report.refreshed.append(user_id)
        return found, checked

    def _may_look_up(self, user_id: str, now: datetime) -> bool:
        retry = self._retry.get(user_id)
        return retry is None or retry[0] <= now
