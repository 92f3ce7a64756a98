"""Personal questions answered offline, from the asker's own open plan.

"What should I focus on?", "what's left?", "how am I doing?" are read from the asker's enrollment
report; "I finished X" finds the milestone X names (:func:`~bot.domain.intents.match_milestones`)
and marks it, or asks which one is meant when two match about as well. The service checks first
that the asker has an open plan; with Claude the same happens through tools
(:mod:`bot.services.answers.claude`).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.errors import OnrampError
from bot.domain.intents import Intent, IntentKind, match_milestones
from bot.domain.progress import MilestoneStatus
from bot.services import answer_text as say
from bot.services.answers.results import Answer, personal_answer
from bot.services.onboarding import Actor, EnrollmentReport, Onboarding


def personal_reply(
    onboarding: Onboarding,
    *,
    asker: Actor,
    report: EnrollmentReport,
    intent: Intent,
    prompt_version: str,
) -> Answer:
    """The answer to a personal question: focus, what remains, progress, or a milestone update."""

    def reply(text: str) -> Answer:
        return personal_answer(text, prompt_version=prompt_version)

    if intent.kind is IntentKind.UPDATE:
        return _update(onboarding, asker, report, intent, reply)
    handler = {
        IntentKind.FOCUS: say.focus,
        IntentKind.REMAINING: say.remaining,
        IntentKind.PROGRESS: say.progress,
    }[intent.kind]
    return reply(handler(report, intent.phase_id))


def _update(
    onboarding: Onboarding,
    asker: Actor,
    report: EnrollmentReport,
    intent: Intent,
    reply: Callable[[str], Answer],
) -> Answer:
    """Mark the milestone "I finished X" names, or say which ones it could mean."""
    status = intent.status or MilestoneStatus.DONE
    summary = report.summary
    current = next(p for p in summary.phases if p.id == summary.current_phase)
    matches = match_milestones(
        intent.subject, report.plan.plan, prefer=[m.id for m in current.milestones]
    )
    word = say.STATUS_WORDS[status]
    if not matches or matches[0].score < 0.5:
        return reply(say.NO_MILESTONE.format(subject=intent.subject, status=word))
    best = matches[0]
    runner_up = matches[1].score if len(matches) > 1 else 0.0
    if best.score < 1.0 and best.score - runner_up < 0.2:
        close = [m for m in matches if best.score - m.score < 0.2]
        options = " ".join(f"“{m.title}” `{m.milestone_id}`" for m in close)
        return reply(
            say.WHICH_MILESTONE.format(options=options, example=best.milestone_id, status=word)
        )
    try:
        onboarding.mark(actor=asker, milestone_id=best.milestone_id, status=status, source="ask")
    except OnrampError as exc:
        return reply(str(exc))
    return reply(say.marked(best.title, best.milestone_id, status))
