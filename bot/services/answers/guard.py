"""Claude never in Slack's way: its own bounded threads and an overall deadline.

:class:`GuardedModel` wraps an :class:`~bot.services.answers.port.AnswerModel`:

* **model calls** run on a pool of ``workers`` threads; at most ``workers + queue`` questions may
  wait for one — beyond that :meth:`GuardedModel.answer` refuses at once ("Claude is busy") and
  the service answers offline;
* a question waits at most ``deadline`` seconds for Claude in all (connect, retries and
  ``retry-after`` included), then gets the offline answer, which says so;
* **whole answer jobs** (answer, then post it to Slack) go through :meth:`GuardedModel.offload`
  onto their own bounded threads, so Bolt's listener pool — which also runs every ack — is given
  back at once and ``/onramp help`` never queues behind a slow Claude.

The call that outlives its deadline keeps its worker until the client's own timeout ends it; the
pool bound keeps those from piling up.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from bot.services.answers.port import (
    AnswerModel,
    ModelReply,
    ModelRequest,
    ModelUnavailable,
    ToolRunner,
)
from bot.services.pools import TrackedPool

log = logging.getLogger("onramp.answers")

OFFLINE = "so this answer quotes the blueprint directly"
BUSY = f"Claude is busy right now (too many questions are waiting), {OFFLINE}."
SLOW = "Claude took longer than {seconds:g} seconds, " + OFFLINE + "."


class GuardedModel:
    """An :class:`AnswerModel` on its own bounded executor, with an overall deadline."""

    def __init__(
        self,
        inner: AnswerModel,
        *,
        workers: int = 4,
        queue: int = 16,
        deadline: float = 10.0,
        on_failure: Callable[[str, str], None] | None = None,
    ) -> None:
        self.inner = inner
        self.model = inner.model
        self.deadline = deadline
        self._on_failure = on_failure
        self._calls = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="onramp-claude")
        self._call_slots = threading.BoundedSemaphore(workers + queue)
        self._jobs = TrackedPool(max_workers=workers + queue, thread_name_prefix="onramp-answer")
        self._job_slots = threading.BoundedSemaphore(workers + queue)

    def answer(self, request: ModelRequest, run_tool: ToolRunner) -> ModelReply:
        """The inner model's reply within the deadline; :class:`ModelUnavailable` otherwise."""
        if not self._call_slots.acquire(blocking=False):
            self._failed("busy", "queue full")
            raise ModelUnavailable("busy: every Claude worker and queue slot is taken", note=BUSY)

        def call() -> ModelReply:
            try:
                return self.inner.answer(request, run_tool)
            finally:
                self._call_slots.release()

        try:
            future = self._calls.submit(call)
        except RuntimeError:  # shut down
            self._call_slots.release()
            raise ModelUnavailable("the Claude executor is closed", note=BUSY) from None
        try:
            return future.result(timeout=self.deadline)
        except FutureTimeout:
            future.cancel()
            self._failed("deadline", f"no answer within {self.deadline:g}s")
            raise ModelUnavailable(
                f"transient: no answer within the {self.deadline:g}s deadline",
                note=SLOW.format(seconds=self.deadline),
            ) from None

    def offload(self, job: Callable[[], None]) -> bool:
        """Run ``job`` (answer and post) on the answer threads; ``False`` when they are all
        taken (the caller runs it itself: the model is full too, so it answers offline at once)."""
        if not self._job_slots.acquire(blocking=False):
            return False

        def run() -> None:
            try:
                job()
            except Exception:
                log.exception("an answer job failed")
            finally:
                self._job_slots.release()

        try:
            self._jobs.submit(run)
        except RuntimeError:
            self._job_slots.release()
            return False
        return True

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until every offloaded job has finished; ``False`` on timeout."""
        return self._jobs.drain(timeout)

    def close(self) -> None:
        """Stop taking work; queued calls are dropped, running ones end with their timeout."""
        self._jobs.shutdown(wait=False, cancel_futures=True)
        self._calls.shutdown(wait=False, cancel_futures=True)

    def _failed(self, kind: str, detail: str) -> None:
        log.error("claude transient error %s: %s", kind, detail)
        if self._on_failure is not None:
            self._on_failure(kind, detail)


__all__ = ["GuardedModel"]
