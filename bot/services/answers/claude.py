"""The anthropic backend: Claude answers from the retrieved passages and may call tools.

:func:`claude_answer` sends the passages that clear half the coverage threshold as sources, with
the asker's tools when they have an open plan (:data:`~bot.services.answers.port.TOOLS`), and keeps
the citations that point at a passage it sent. :func:`tool_runner` runs those tools, scoped to the
asker. Errors reach the service as :class:`~bot.services.answers.port.ModelUnavailable`, and it
answers extractively instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from bot.domain.errors import NotFound, OnrampError
from bot.domain.guardrails import redact_text
from bot.domain.intents import Intent
from bot.domain.plan import LoadedPlan
from bot.domain.progress import MilestoneStatus
from bot.services import answer_text as say
from bot.services.answers.career import (
    CareerQuestion,
    career_passages,
    own_readiness,
    standing_text,
)
from bot.services.answers.port import (
    READ_MY_GROWTH,
    TOOLS,
    AnswerModel,
    ModelRequest,
    ReadMyGrowth,
    ReadMyProgress,
    SourcePassage,
    ToolRunner,
    UpdateMyMilestone,
)
from bot.services.answers.results import ANTHROPIC, Answer, AnswerPolicy, Citation, refusal
from bot.services.growth import GrowthService
from bot.services.onboarding import Actor, EnrollmentReport, Onboarding
from bot.services.prompts import PromptLibrary
from bot.services.retrieval import Retriever


@dataclass(frozen=True)
class CareerContext:
    """A career question put to Claude: its passages go first, and the asker's own growth is
    offered through ``read_my_growth`` when they asked about themselves."""

    question: CareerQuestion
    growth: GrowthService


def claude_answer(
    model: AnswerModel,
    *,
    question: str,
    asker: Actor | None,
    report: EnrollmentReport | None,
    loaded: LoadedPlan,
    intent: Intent,
    retriever: Retriever,
    prompts: PromptLibrary,
    onboarding: Onboarding,
    policy: AnswerPolicy,
    career: CareerContext | None = None,
) -> Answer:
    """Claude's answer to ``question``; raises :class:`ModelUnavailable` when it cannot give one."""
    passages = retriever.search(question, limit=policy.model_passages)
    usable = [p.chunk for p in passages if p.confidence >= policy.min_coverage / 2]
    tools = TOOLS if (asker is not None and report is not None) else ()
    if career is not None:
        # The blueprint's words for the question come first (every promotion criterion, the
        # dimension's anchors), then what retrieval found besides.
        first = career_passages(career.question, loaded.plan.growth, retriever.chunks)
        usable = first + [c for c in usable if c not in first]
        if career.question.about_me and asker is not None and asker.user_id is not None:
            tools = (*tools, READ_MY_GROWTH)
    if not usable and not tools:
        return refusal(
            say.NOT_IN_BLUEPRINT.format(role=loaded.plan.title),
            "below_threshold",
            prompt_version=policy.prompt,
        )
    prompt = prompts.get(policy.prompt)
    system = prompt.render(
        app_name=policy.app_name,
        role_title=loaded.blueprint.title or loaded.plan.title,
        plan_title=loaded.plan.title,
    )
    request = ModelRequest(
        system=system,
        question=question,
        passages=tuple(SourcePassage(c.section_id, c.heading, c.text) for c in usable),
        tools=tools,
    )
    run_tool = tool_runner(onboarding, asker, report, career=career, loaded=loaded)
    reply = model.answer(request, run_tool)
    citations: list[Citation] = []
    for cited in reply.citations:
        if 0 <= cited.passage_index < len(usable):
            chunk = usable[cited.passage_index]
            citation = Citation.of(chunk)
            if citation not in citations:
                citations.append(citation)
    used_tools = bool(reply.tool_calls)
    # "Refused" is Claude declining (stop_reason refusal), never an answer without citations:
    # that one is given and logged as it is (and not cached, see Answer.complete).
    declined = reply.stop_reason == "refusal"
    text = reply.text.strip()
    if declined:
        text = say.DECLINED
    elif reply.stop_reason in ("max_tokens", "model_context_window_exceeded"):
        text = f"{text}\n{say.CUT_OFF}" if text else say.CUT_OFF
    return Answer(
        text=text,
        refused=declined,
        citations=tuple(citations),
        backend=ANTHROPIC,
        model=reply.model,
        prompt_version=prompt.ref,
        latency_ms=0.0,
        usage=reply.usage,
        cost_usd=policy.prices.cost(reply.usage),
        personal=used_tools or intent.personal,
        stop_reason=reply.stop_reason,
    )


def tool_runner(
    onboarding: Onboarding,
    asker: Actor | None,
    report: EnrollmentReport | None,
    *,
    career: CareerContext | None = None,
    loaded: LoadedPlan | None = None,
) -> ToolRunner:
    """Run the model's tool calls for ``asker``, on their own plan only (``report``); with a
    career question, ``read_my_growth`` reads the asker's own growth on ``loaded``."""

    def run(name: str, arguments: Mapping[str, Any]) -> str:
        try:
            if name == READ_MY_GROWTH.name and career is not None and loaded is not None:
                ReadMyGrowth.model_validate(dict(arguments))
                mine = own_readiness(
                    career.growth,
                    asker,
                    loaded.plan.id,
                    impersonated=career.question.impersonated,
                )
                if mine is None:
                    return "error: the asker has no growth record on this plan (not enrolled)"
                return standing_text(mine, career.question)
            if asker is None or report is None:
                return "error: the asker has no onboarding plan"
            if name == "read_my_progress":
                args = ReadMyProgress.model_validate(dict(arguments))
                fresh = onboarding.own(actor=asker) or report
                return say.progress(fresh) + "\n\n" + say.remaining(fresh, args.phase)
            if name == "update_my_milestone":
                upd = UpdateMyMilestone.model_validate(dict(arguments))
                updated = onboarding.mark(
                    actor=asker,
                    milestone_id=upd.milestone_id,
                    status=upd.status,
                    note=upd.note,
                    source="ask",
                )
                found = updated.plan.plan.milestone(upd.milestone_id)
                title = found[1].title if found else upd.milestone_id
                return say.marked(title, upd.milestone_id, MilestoneStatus(upd.status))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            return f"error: invalid input: {problems}"
        except (NotFound, OnrampError) as exc:
            return f"error: {exc}"
        return f"error: unknown tool {name!r}"

    def redacted(name: str, arguments: Mapping[str, Any]) -> str:
        # A tool result reaches the model like a question does: without e-mail addresses,
        # phone numbers, tokens or keys (a milestone note may hold any of them).
        return redact_text(run(name, arguments))

    return redacted
