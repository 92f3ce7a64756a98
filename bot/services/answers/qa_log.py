"""The ``qa_log`` table: every answer as it was given (redacted), and the asker's feedback on it.

Writing the log never costs the asker their answer: a failure is logged and the answer goes out
without a ``qa_id`` (so no feedback buttons).
"""

from __future__ import annotations

import logging

from bot.domain.plan import LoadedPlan
from bot.services.answers.port import Usage
from bot.services.answers.results import Answer
from bot.services.clock import Clock
from bot.services.onboarding import Actor
from storage import qa as qa_repo
from storage import repositories as repo
from storage.engine import Database
from storage.models import QaLog

log = logging.getLogger("onramp.answers")


def record_answer(
    db: Database,
    *,
    answer: Answer,
    question: str,
    asker: Actor | None,
    loaded: LoadedPlan,
    clock: Clock,
) -> int | None:
    """Write ``answer`` to ``qa_log``; its row id, or ``None`` when the write failed."""
    usage = answer.usage or Usage()
    try:
        with db.transaction() as session:
            asker_id = None
            if asker is not None and asker.user_id is not None:
                person = repo.get_person(session=session, user_id=asker.user_id)
                asker_id = person.id if person is not None else None
            return qa_repo.add_qa(
                session=session,
                entry=QaLog(
                    asker_id=asker_id,
                    plan_id=loaded.plan.id,
                    question=question[:4000],
                    answer=answer.text[:8000],
                    citations=[c.as_json() for c in answer.citations],
                    refused=answer.refused,
                    personal=answer.personal,
                    cached=answer.cached,
                    backend=answer.backend,
                    model=answer.model,
                    prompt_version=answer.prompt_version,
                    latency_ms=answer.latency_ms,
                    input_tokens=usage.input_tokens,
                    output_tokens=usage.output_tokens,
                    cache_read_tokens=usage.cache_read_tokens,
                    cache_write_tokens=usage.cache_write_tokens,
                    cost_usd=answer.cost_usd,
                    stop_reason=answer.stop_reason,
                    created_at=clock.now(),
                ),
            )
    except Exception:
        # Logging must never cost the asker their answer.
        log.exception("could not write qa_log")
        return None
