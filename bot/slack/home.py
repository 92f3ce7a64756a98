"""The App Home tab: build a person's view and publish it; re-publish when progress changes."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.services.clock import Clock
from bot.services.growth import GrowthService
from bot.services.onboarding import Actor, EnrollmentReport, Onboarding, ProgressChange
from bot.slack import blocks
from bot.slack.growth_blocks import home_growth_blocks

log = logging.getLogger("onramp.slack.home")


@dataclass(frozen=True, kw_only=True)
class HomePublisher:
    """Builds a person's Home view from the services and publishes it with ``views.publish``.
    With ``growth`` (``None``: no Growth section), a hire whose plan has a rubric also sees
    their own growth, read through the growth service and its permissions."""

    onboarding: Onboarding
    client: WebClient
    clock: Clock
    command: str
    growth: GrowthService | None = None

    def view_for(self, user_id: str, *, notice: str | None = None) -> dict[str, Any]:
        """The Home view of ``user_id``: their plan, team and mentees (or a welcome), updated
        as of now in their own time zone."""
        actor = Actor.slack(user_id)
        own = self.onboarding.own(actor=actor)
        next_checkin = blocks.next_checkin_line(own, own.summary.today) if own else None
        return blocks.home_view(
            own=own,
            overview=self.onboarding.overview(actor=actor),
            cmd=self.command,
            updated=self.clock.now().astimezone(self.onboarding.local_zone(actor=actor)),
            next_checkin=next_checkin,
            notice=notice,
            growth=self._growth(actor, own),
        )

    def _growth(self, actor: Actor, own: EnrollmentReport | None) -> list[blocks.Block]:
        """The Growth section of the actor's own Home, if their plan has a rubric."""
        if self.growth is None or own is None or not own.plan.plan.growth.rubric:
            return []
        view = self.growth.readiness(actor=actor, hire=own.hire.user_id)
        return home_growth_blocks(view, cmd=self.command)

    def publish(self, user_id: str, *, notice: str | None = None) -> bool:
        """Publish the Home view; a Slack failure is logged and reported as ``False``."""
        view = self.view_for(user_id, notice=notice)
        try:
            self.client.views_publish(user_id=user_id, view=view)
        except SlackApiError as exc:
            log.warning("views.publish failed for %s: %s", user_id, exc.response.get("error"))
            return False
        except (SlackClientError, OSError, ValueError) as exc:
            log.warning("views.publish unavailable for %s: %s", user_id, type(exc).__name__)
            return False
        return True


class HomeRefresher:
    """A :class:`~bot.services.onboarding.ProgressObserver`: re-publishes Home for the hire,
    their manager and mentors after a change, on a background thread so the caller (a slash
    command about to ack) never waits for Slack. It never raises into the caller.
    """

    def __init__(self, *, publisher: HomePublisher, onboarding: Onboarding, workers: int = 2):
        self.publisher = publisher
        self.onboarding = onboarding
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="onramp-home")
        self._pending: set[Future[None]] = set()
        self._lock = threading.Lock()

    def progress_changed(self, change: ProgressChange) -> None:
        """Schedule the refresh; log and carry on if even that fails."""
        try:
            future = self._executor.submit(self._refresh, change)
        except Exception:
            log.exception("could not schedule a Home refresh for %s", change.hire_user_id)
            return
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)

    def _done(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    def _refresh(self, change: ProgressChange) -> None:
        try:
            report = self.onboarding.progress(
                actor=Actor.slack(change.hire_user_id), hire=change.hire_user_id
            )
            people = [report.hire.user_id, report.manager.user_id]
            people += [m.user_id for m in report.mentors]
            for user_id in dict.fromkeys(people):
                self.publisher.publish(user_id)
        except Exception:
            log.exception("Home refresh failed for %s", change.hire_user_id)

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until scheduled refreshes are done (tests, shutdown); ``False`` on timeout."""
        with self._lock:
            pending = list(self._pending)
        _, not_done = wait(pending, timeout=timeout)
        return not not_done

    def close(self) -> None:
        """Finish queued refreshes and stop the worker threads."""
        self._executor.shutdown(wait=True)
