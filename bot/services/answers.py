"""Answer questions about a role, grounded in its blueprint, and log every answer.

The flow of :meth:`Answers.ask`:

1. Redact the question (e-mails, phone and card numbers, tokens, keys) and strip broadcast
   mentions from it — nothing unredacted goes further, not to a model, a log line or ``qa_log``.
2. Classify its intent (:func:`bot.domain.intents.classify`) *before* the cache: personal
   questions are never served from the cache nor stored in it.
3. Guardrails before any backend: questions about someone else's progress, instructions aimed at
   the bot and off-topic requests (pay, leave, office logistics, coding help, this company's own
   links and names) get a polite, fixed refusal. A topic rule whose cue words the blueprint itself
   uses is only a hint: it refuses only when the blueprint does not cover the question either.
4. Personal questions ("what should I focus on this week?", "I finished X") are answered from the
   asker's own enrollment through :class:`~bot.services.onboarding.Onboarding` — by intent rules
   offline, by tools (read_my_progress, update_my_milestone) with Claude. The tools never take a
   user id: their scope is the asker. Without an open enrollment the answer says so.
5. Everything else is retrieved from the blueprint (:mod:`bot.services.retrieval`) and answered
   by the chosen backend: ``extractive`` quotes the best passages, or refuses below the calibrated
   coverage threshold; ``anthropic`` sends them as ``search_result`` blocks with citations. When
   Claude fails (error, timeout, overload) the extractive answer is given instead and says so.
6. Broadcast mentions are stripped from the answer, and the answer is logged in ``qa_log``.

Backends reach Anthropic only through the :class:`AnswerModel` port; the adapter lives in
:mod:`bot.llm.anthropic_backend`.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.domain.chunks import chunk_blueprint, sentences, terms, words
from bot.domain.errors import InvalidInput, NotFound, OnrampError
from bot.domain.guardrails import (
    ACTION_MARKERS,
    REFUSING_MARKERS,
    drop_broadcasts,
    injection_markers,
    redact,
    strip_broadcasts,
    strip_controls,
)
from bot.domain.intents import Intent, IntentKind, classify, looks_like_noise, match_milestones
from bot.domain.plan import LoadedPlan
from bot.domain.progress import MilestoneStatus
from bot.services import answer_text as say
from bot.services.catalog import PlanCatalog
from bot.services.clock import Clock
from bot.services.onboarding import Actor, EnrollmentReport, Onboarding
from bot.services.prompts import PromptLibrary
from bot.services.retrieval import (
    Passage,
    RetrievalTuning,
    Retriever,
    definition_term,
    key_of,
    zipf,
)
from bot.services.semantic import Encoder, scorer_for
from storage import qa as qa_repo
from storage import repositories as repo
from storage.engine import Database
from storage.models import QaLog

log = logging.getLogger("onramp.answers")

QUESTION_LIMIT = 2000
BackendName = Literal["auto", "extractive", "anthropic"]
EXTRACTIVE = "extractive"
ANTHROPIC = "anthropic"
FALLBACK = "extractive (fallback)"
GUARDRAIL = "guardrail"
PERSONAL = "personal"

#: An extra passage must score at least this share of the best one (measured, docs/answers.md).
EXTRA_SCORE = 0.5
#: The friendly line for small talk, by intent.
SOCIAL = {IntentKind.GREETING: say.GREETING, IntentKind.THANKS: say.THANKS}
#: A capitalised word inside a line, not opening it, a sentence or a cell ("(Docker)", ", Pytest").
_INNER_CAPITAL = re.compile(r"(?:(?<=[a-z0-9,;/)] )|(?<=\())[A-Z][a-zA-Z]+\b")
#: Scores closer than this are a tie (then a section not cited yet goes first).
_TIE = 1e-6

# --- the model port --------------------------------------------------------------------------


@dataclass(frozen=True)
class SourcePassage:
    """A retrieved passage as handed to a model: its section id, heading path and text."""

    source: str
    title: str
    text: str


@dataclass(frozen=True)
class ToolSpec:
    """A tool the model may call (JSON Schema input)."""

    name: str
    description: str
    input_schema: dict[str, Any]


@dataclass(frozen=True)
class ModelCitation:
    """The model cited ``passages[passage_index]`` with ``cited_text``."""

    passage_index: int
    cited_text: str


@dataclass(frozen=True)
class Usage:
    """Tokens a model call used (summed over tool rounds)."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cache_read_tokens + other.cache_read_tokens,
            self.cache_write_tokens + other.cache_write_tokens,
        )


@dataclass(frozen=True)
class ModelRequest:
    """What the answer service asks of a model."""

    system: str
    question: str
    passages: tuple[SourcePassage, ...]
    tools: tuple[ToolSpec, ...] = ()


@dataclass(frozen=True)
class ModelReply:
    """What a model answered."""

    text: str
    citations: tuple[ModelCitation, ...]
    model: str
    usage: Usage
    tool_calls: tuple[str, ...] = ()


class ModelUnavailable(Exception):
    """The model could not answer (error, timeout, overload); the reason is safe to log."""


#: Runs one tool call for the asker; returns the text handed back to the model.
ToolRunner = Callable[[str, Mapping[str, Any]], str]


class AnswerModel(Protocol):
    """Port: a chat model that answers from passages and may call tools."""

    model: str

    def answer(self, request: ModelRequest, run_tool: ToolRunner) -> ModelReply:
        """Answer ``request``; raise :class:`ModelUnavailable` on any failure."""
        ...


# --- tool inputs (validated with pydantic; no user id anywhere: the scope is the asker) ---------


class ReadMyProgress(BaseModel):
    """Input of ``read_my_progress``."""

    model_config = ConfigDict(extra="forbid")
    phase: str | None = Field(
        default=None, description="Optional phase id (day-30, day-60, …) to focus on."
    )


class UpdateMyMilestone(BaseModel):
    """Input of ``update_my_milestone``."""

    model_config = ConfigDict(extra="forbid")
    milestone_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)
    status: Literal["not_started", "in_progress", "done", "blocked", "skipped"]
    note: str | None = Field(default=None, max_length=500)


TOOLS = (
    ToolSpec(
        "read_my_progress",
        "Read the asker's own onboarding plan: day number, current phase, every milestone with "
        "its id and status, overdue and blocked ones. Takes no user id: it is always the asker.",
        ReadMyProgress.model_json_schema(),
    ),
    ToolSpec(
        "update_my_milestone",
        "Set the status of one of the asker's own milestones (by milestone id from "
        "read_my_progress) when they clearly say they finished, started, are blocked on or want "
        "to skip it.",
        UpdateMyMilestone.model_json_schema(),
    ),
)

# --- results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Citation:
    """A blueprint passage an answer rests on."""

    section: int
    id: str
    heading: str
    quote: str

    def as_json(self) -> dict[str, Any]:
        """The ``onramp ask --json`` citation shape."""
        return {
            "section": self.section,
            "id": self.id,
            "heading": self.heading,
            "quote": self.quote,
        }


@dataclass(frozen=True)
class Answer:
    """An answer, as returned to adapters and printed by ``onramp ask --json``."""

    text: str
    refused: bool
    citations: tuple[Citation, ...]
    backend: str
    model: str | None
    prompt_version: str
    latency_ms: float
    usage: Usage | None = None
    cost_usd: float = 0.0
    personal: bool = False
    cached: bool = False
    qa_id: int | None = None
    reason: str = ""

    def as_json(self) -> dict[str, Any]:
        """The stable shape of design.md §8."""
        usage = None
        if self.usage is not None:
            usage = {
                "input_tokens": self.usage.input_tokens,
                "output_tokens": self.usage.output_tokens,
                "cache_read_input_tokens": self.usage.cache_read_tokens,
                "cache_creation_input_tokens": self.usage.cache_write_tokens,
                "cost_usd": round(self.cost_usd, 6),
            }
        return {
            "answer": self.text,
            "refused": self.refused,
            "citations": [c.as_json() for c in self.citations],
            "backend": self.backend,
            "model": self.model,
            "prompt_version": self.prompt_version,
            "latency_ms": round(self.latency_ms, 2),
            "usage": usage,
        }


@dataclass(frozen=True)
class Prices:
    """USD per million tokens, for the cost estimate in ``qa_log``."""

    input: float = 3.0
    output: float = 15.0
    cache_read: float = 0.3
    cache_write: float = 3.75

    def cost(self, usage: Usage) -> float:
        """The estimated cost of ``usage``."""
        return (
            usage.input_tokens * self.input
            + usage.output_tokens * self.output
            + usage.cache_read_tokens * self.cache_read
            + usage.cache_write_tokens * self.cache_write
        ) / 1_000_000


@dataclass(frozen=True)
class AnswerPolicy:
    """Knobs of the answer service (from ``app.yaml``; thresholds calibrated on the golden set)."""

    backend: BackendName = "auto"
    prompt: str = "answer@v1"
    app_name: str = "Onramp"
    min_coverage: float = 0.45
    max_passages: int = 3
    model_passages: int = 6
    cache_size: int = 256
    retention_days: int = 180
    prices: Prices = field(default_factory=Prices)
    tuning: RetrievalTuning = field(default_factory=RetrievalTuning)


def normalize_question(text: str) -> str:
    """The cache key form of a question: lower-case words, single spaces, no end punctuation."""
    return " ".join(words(text))


# --- the service -------------------------------------------------------------------------------


class Answers:
    """Grounded answers about a plan's role, with guardrails, a cache and a log."""

    def __init__(
        self,
        *,
        db: Database,
        catalog: PlanCatalog,
        onboarding: Onboarding,
        prompts: PromptLibrary,
        clock: Clock,
        model: AnswerModel | None = None,
        policy: AnswerPolicy | None = None,
        encoder: Encoder | None = None,
    ) -> None:
        self.db = db
        self.encoder = encoder
        self.catalog = catalog
        self.onboarding = onboarding
        self.prompts = prompts
        self.clock = clock
        self.model = model
        self.policy = policy or AnswerPolicy()
        self._retrievers: dict[str, Retriever] = {}
        self._vocabulary: dict[str, tuple[frozenset[str], ...]] = {}
        self._names: dict[str, frozenset[str]] = {}
        self._loaded_at: dict[str, datetime] = {}
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[str, ...], Answer] = OrderedDict()

    def rebind(self, *, db: Database, onboarding: Onboarding, clock: Clock) -> Answers:
        """A copy over another database (evaluation personas); indexes are shared."""
        other = Answers(
            db=db,
            catalog=self.catalog,
            onboarding=onboarding,
            prompts=self.prompts,
            clock=clock,
            model=self.model,
            policy=self.policy,
            encoder=self.encoder,
        )
        other._retrievers = self._retrievers  # same class; the indexes are immutable
        other._vocabulary = self._vocabulary
        other._names = self._names
        return other

    # --- public API --------------------------------------------------------------------------

    def backend_for(self, requested: str | None = None) -> str:
        """The concrete backend for a request: ``extractive`` or ``anthropic``."""
        choice = requested or self.policy.backend
        if choice not in ("auto", EXTRACTIVE, ANTHROPIC):
            raise InvalidInput(f"'{choice}' is not a backend; use auto, extractive or anthropic")
        if choice == "auto":
            return ANTHROPIC if self.model is not None else EXTRACTIVE
        if choice == ANTHROPIC and self.model is None:
            raise InvalidInput(
                "The anthropic backend needs an API key: set ANTHROPIC_API_KEY, or use "
                "--backend extractive."
            )
        return choice

    def retriever(self, plan_id: str) -> Retriever:
        """The (cached) search index of a plan's blueprint."""
        with self._lock:
            found = self._retrievers.get(plan_id)
            if found is None:
                loaded = self.catalog.get(plan_id)
                chunks = chunk_blueprint(loaded.blueprint)
                semantic = scorer_for(loaded, chunks, self.encoder)
                found = Retriever(chunks, tuning=self.policy.tuning, semantic=semantic)
                self._retrievers[plan_id] = found
                self._loaded_at[plan_id] = self.clock.now()
            return found

    def warm(self, plan_id: str | None = None) -> None:
        """Build the search index of a plan (default: the only plan) before the first question."""
        plan = plan_id or self.catalog.default_id()
        if plan is not None:
            self.retriever(plan)

    def ask(
        self,
        *,
        question: str,
        asker: Actor | None = None,
        plan_id: str | None = None,
        backend: str | None = None,
        log_answer: bool = True,
    ) -> Answer:
        """Answer ``question`` for ``asker`` (``None``: anonymous, blueprint questions only)."""
        started = time.perf_counter()
        raw = " ".join(question.split())
        if not raw:
            raise InvalidInput(say.EMPTY_QUESTION)
        if len(raw) > QUESTION_LIMIT:
            raise InvalidInput(
                f"Questions are limited to {QUESTION_LIMIT} characters; shorten it and ask again."
            )
        chosen = self.backend_for(backend)
        # Escape sequences and control characters are no part of a question (a pasted key press
        # is noise, answered as such below); they never reach a log line either.
        text = " ".join(strip_controls(raw).split())
        redacted = redact(text)
        # A broadcast in a question is never acted on; the rest of the question is answered.
        clean = drop_broadcasts(redacted.text)
        if text and not clean:
            raise InvalidInput(say.EMPTY_QUESTION)
        report = self._own_report(asker)
        loaded = self._plan(plan_id, report)
        prompt_ref = self.policy.prompt
        intent = classify(clean, loaded.plan, things=self._things(loaded))
        # Personal answers depend on who asks: never from the cache, never into it.
        cacheable = not intent.personal
        answer = self._cached(clean, loaded, chosen) if cacheable else None
        if answer is None:
            answer = self._answer(clean, intent, asker, report, loaded, chosen)
            if (
                cacheable
                and not answer.personal
                and not answer.refused
                and answer.backend == chosen
            ):
                self._remember(clean, loaded, chosen, answer)
        final = replace(
            answer,
            text=strip_broadcasts(redact(answer.text).text),
            prompt_version=prompt_ref,
            latency_ms=(time.perf_counter() - started) * 1000,
        )
        if redacted.changed:
            log.info("redacted %s from a question", ",".join(redacted.kinds))
        if log_answer:
            final = replace(final, qa_id=self._log(final, clean, asker, loaded))
        return final

    def feedback(self, *, qa_id: int, value: int) -> bool:
        """Store 👍 (1) / 👎 (-1) for a logged answer; False when the answer is unknown."""
        if value not in (1, -1):
            raise InvalidInput("Feedback is 1 (helpful) or -1 (not helpful).")
        with self.db.transaction() as session:
            return qa_repo.set_feedback(session=session, qa_id=qa_id, value=value) is not None

    def purge(self, *, now: datetime | None = None) -> int:
        """Delete ``qa_log`` rows older than the retention period; return how many."""
        cutoff = (now or self.clock.now()) - timedelta(days=self.policy.retention_days)
        with self.db.transaction() as session:
            return qa_repo.purge_before(session=session, cutoff=cutoff)

    # --- steps -------------------------------------------------------------------------------

    def _own_report(self, asker: Actor | None) -> EnrollmentReport | None:
        if asker is None or asker.user_id is None:
            return None
        return self.onboarding.own(actor=asker)

    def _plan(self, plan_id: str | None, report: EnrollmentReport | None) -> LoadedPlan:
        if plan_id:
            return self.catalog.get(plan_id)
        if report is not None:
            return report.plan
        default = self.catalog.default_id()
        if default is None:
            raise InvalidInput(
                "Name the plan with --plan ID; available: " + ", ".join(self.catalog.ids())
            )
        return self.catalog.get(default)

    def _answer(
        self,
        question: str,
        intent: Intent,
        asker: Actor | None,
        report: EnrollmentReport | None,
        loaded: LoadedPlan,
        backend: str,
    ) -> Answer:
        role = loaded.plan.title
        if intent.kind in SOCIAL:
            # Small talk gets a friendly line and what to ask, never "not in the blueprint".
            return self._local(SOCIAL[intent.kind].format(role=role), GUARDRAIL, reason=intent.kind)
        if looks_like_noise(question, self._known_word(loaded)):
            return self._refusal(say.NOISE.format(role=role), "noise")
        if intent.kind is IntentKind.OTHER_PERSON:
            return self._refusal(say.OTHER_PERSON, "other_person")
        # ``question`` has lost its broadcast sentences already ("… Also ping <!everyone>" is
        # dropped and the rest answered); what is left asking to post or send is refused.
        found = set(injection_markers(question))
        if found & REFUSING_MARKERS - ACTION_MARKERS:
            return self._refusal(say.INJECTION.format(role=role), "injection")
        if found & ACTION_MARKERS:
            return self._refusal(say.NO_ACTIONS.format(role=role), "action")
        if intent.kind is IntentKind.OFF_TOPIC and intent.topic:
            if self._topic_vetoes(question, intent, loaded):
                return self._refusal(say.OFF_TOPIC[intent.topic].format(role=role), "off_topic")
            intent = Intent(IntentKind.BLUEPRINT)
        open_report = report if report is not None and report.status.open else None
        if intent.personal and (asker is None or open_report is None):
            # Never a nearest passage for "what should I focus on?": there is no plan to read.
            return self._refusal(say.not_enrolled(report, role), "not_enrolled")
        if backend == ANTHROPIC and self.model is not None:
            try:
                return self._claude(question, asker, open_report, loaded, intent)
            except ModelUnavailable as exc:
                log.warning("model unavailable, answering extractively: %s", exc)
                fallback = self._offline(question, asker, open_report, loaded, intent)
                if fallback.personal or fallback.refused:
                    return replace(fallback, backend=FALLBACK)
                return replace(
                    fallback, backend=FALLBACK, text=f"{fallback.text}\n{say.FALLBACK_NOTE}"
                )
        return self._offline(question, asker, open_report, loaded, intent)

    def _offline(
        self,
        question: str,
        asker: Actor | None,
        report: EnrollmentReport | None,
        loaded: LoadedPlan,
        intent: Intent,
    ) -> Answer:
        role = loaded.plan.title
        if intent.personal:
            if asker is None or report is None:
                return self._refusal(say.not_enrolled(report, role), "not_enrolled")
            if intent.kind is IntentKind.UPDATE:
                return self._update(asker, report, intent)
            handler = {
                IntentKind.FOCUS: say.focus,
                IntentKind.REMAINING: say.remaining,
                IntentKind.PROGRESS: say.progress,
            }[intent.kind]
            return self._personal_answer(handler(report, intent.phase_id))
        return self._extractive(question, loaded)

    def _topic_vetoes(self, question: str, intent: Intent, loaded: LoadedPlan) -> bool:
        """Whether an off-topic rule refuses ``question``.

        Certain rules (coding help asked of the bot, this company's own links and names) always
        do. The others are word patterns ("holiday party", "paid time off"): when the blueprint
        itself uses the cue words together on one line ("hybrid search" for "hybrid"), the rule
        is only a hint and refuses only if the blueprint does not cover the question either.
        """
        if intent.certain:
            return True
        cue = frozenset(terms(intent.cue))
        if not cue or not any(cue <= line for line in self._blueprint_lines(loaded)):
            return True  # clearly about the topic: the blueprint never speaks of it
        passages = self.retriever(loaded.plan.id).search(question, limit=1)
        return not passages or passages[0].coverage < self.policy.min_coverage

    def _blueprint_lines(self, loaded: LoadedPlan) -> tuple[frozenset[str], ...]:
        """The stemmed content words of each heading and line of a plan's blueprint."""
        with self._lock:
            found = self._vocabulary.get(loaded.content_hash)
            if found is None:
                found = tuple(
                    frozenset(terms(line))
                    for section in loaded.blueprint.sections
                    for line in (section.title, *section.text.splitlines())
                    if line.strip()
                )
                self._vocabulary[loaded.content_hash] = found
            return found

    def _things(self, loaded: LoadedPlan) -> frozenset[str]:
        """Lower-case words the blueprint writes capitalised inside a line (Docker, Jupyter,
        Python): tools and topics, never a person someone asks about."""
        with self._lock:
            found = self._names.get(loaded.content_hash)
            if found is None:
                text = "\n".join(s.text for s in loaded.blueprint.sections)
                found = frozenset(m.group(0).lower() for m in _INNER_CAPITAL.finditer(text))
                self._names[loaded.content_hash] = found
            return found

    def _known_word(self, loaded: LoadedPlan) -> Callable[[str], bool]:
        """Whether a word is one people ask with: common English, or any word of the blueprint."""
        retriever = self.retriever(loaded.plan.id)
        return lambda word: zipf(word) is not None or retriever.knows(word)

    def _update(self, asker: Actor, report: EnrollmentReport, intent: Intent) -> Answer:
        status = intent.status or MilestoneStatus.DONE
        summary = report.summary
        current = next(p for p in summary.phases if p.id == summary.current_phase)
        matches = match_milestones(
            intent.subject, report.plan.plan, prefer=[m.id for m in current.milestones]
        )
        word = say.STATUS_WORDS[status]
        if not matches or matches[0].score < 0.5:
            return self._personal_answer(
                say.NO_MILESTONE.format(subject=intent.subject, status=word)
            )
        best = matches[0]
        runner_up = matches[1].score if len(matches) > 1 else 0.0
        if best.score < 1.0 and best.score - runner_up < 0.2:
            close = [m for m in matches if best.score - m.score < 0.2]
            options = " ".join(f"“{m.title}” `{m.milestone_id}`" for m in close)
            return self._personal_answer(
                say.WHICH_MILESTONE.format(options=options, example=best.milestone_id, status=word)
            )
        try:
            self.onboarding.mark(
                actor=asker, milestone_id=best.milestone_id, status=status, source="ask"
            )
        except OnrampError as exc:
            return self._personal_answer(str(exc))
        return self._personal_answer(say.marked(best.title, best.milestone_id, status))

    def _extractive(self, question: str, loaded: LoadedPlan) -> Answer:
        retriever = self.retriever(loaded.plan.id)
        query = retriever.prepare(question)
        passages = retriever.search(query, limit=8)
        role = loaded.plan.title
        intro = say.INTRO.format(role=role)
        term = definition_term(question)
        if term is not None and not retriever.defines(term):
            # "What is RAG?": quoting where the blueprint uses a term would read as a definition.
            using = {retriever.chunks[i].id for i in retriever.mentions(term)}
            if not using:
                return self._refusal(
                    say.UNMENTIONED_TERM.format(role=role, term=term), "not_mentioned"
                )
            found = retriever.search(query, limit=retriever.tuning.candidates)
            passages = [p for p in found if p.chunk.id in using]
            intro = say.UNDEFINED_TERM.format(role=role, term=term)
        if not passages or passages[0].confidence < self.policy.min_coverage:
            return self._refusal(say.NOT_IN_BLUEPRINT.format(role=role), "below_threshold")
        wanted = query_stems(retriever, question)
        lines = [intro]
        citations = []
        picked = select_passages(
            passages,
            min_coverage=self.policy.min_coverage,
            limit=self.policy.max_passages,
            excerpt=lambda p: _excerpt(p, wanted),
        )
        for passage, text, quote in picked:
            chunk = passage.chunk
            lines.append(say.cite_line(text, chunk.number, _section_title(chunk.heading)))
            citations.append(Citation(chunk.number, chunk.section_id, chunk.heading, quote))
        return self._local("\n".join(lines), EXTRACTIVE, citations=tuple(citations))

    def _claude(
        self,
        question: str,
        asker: Actor | None,
        report: EnrollmentReport | None,
        loaded: LoadedPlan,
        intent: Intent,
    ) -> Answer:
        assert self.model is not None  # noqa: S101 - checked by the caller
        retriever = self.retriever(loaded.plan.id)
        passages = retriever.search(question, limit=self.policy.model_passages)
        usable = [p for p in passages if p.confidence >= self.policy.min_coverage / 2]
        tools = TOOLS if (asker is not None and report is not None) else ()
        if not usable and not tools:
            return self._refusal(
                say.NOT_IN_BLUEPRINT.format(role=loaded.plan.title), "below_threshold"
            )
        prompt = self.prompts.get(self.policy.prompt)
        system = prompt.render(
            app_name=self.policy.app_name,
            role_title=loaded.blueprint.title or loaded.plan.title,
            plan_title=loaded.plan.title,
        )
        request = ModelRequest(
            system=system,
            question=question,
            passages=tuple(
                SourcePassage(p.chunk.section_id, p.chunk.heading, p.chunk.text) for p in usable
            ),
            tools=tools,
        )
        run_tool = self._tool_runner(asker, report)
        reply = self.model.answer(request, run_tool)
        citations: list[Citation] = []
        for cited in reply.citations:
            if 0 <= cited.passage_index < len(usable):
                chunk = usable[cited.passage_index].chunk
                citation = Citation(chunk.number, chunk.section_id, chunk.heading, chunk.quote)
                if citation not in citations:
                    citations.append(citation)
        used_tools = bool(reply.tool_calls)
        return Answer(
            text=reply.text.strip(),
            refused=not citations and not used_tools,
            citations=tuple(citations),
            backend=ANTHROPIC,
            model=reply.model,
            prompt_version=prompt.ref,
            latency_ms=0.0,
            usage=reply.usage,
            cost_usd=self.policy.prices.cost(reply.usage),
            personal=used_tools or intent.personal,
        )

    def _tool_runner(self, asker: Actor | None, report: EnrollmentReport | None) -> ToolRunner:
        def run(name: str, arguments: Mapping[str, Any]) -> str:
            if asker is None or report is None:
                return "error: the asker has no onboarding plan"
            try:
                if name == "read_my_progress":
                    args = ReadMyProgress.model_validate(dict(arguments))
                    fresh = self.onboarding.own(actor=asker) or report
                    return say.progress(fresh) + "\n\n" + say.remaining(fresh, args.phase)
                if name == "update_my_milestone":
                    upd = UpdateMyMilestone.model_validate(dict(arguments))
                    updated = self.onboarding.mark(
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

        return run

    def _refusal(self, text: str, reason: str) -> Answer:
        backend = GUARDRAIL if reason != "below_threshold" else EXTRACTIVE
        return self._local(text, backend, refused=True, reason=reason)

    def _personal_answer(self, text: str) -> Answer:
        return self._local(text, PERSONAL, personal=True)

    def _local(
        self,
        text: str,
        backend: str,
        *,
        citations: tuple[Citation, ...] = (),
        refused: bool = False,
        personal: bool = False,
        reason: str = "",
    ) -> Answer:
        """An answer made here, without a model (latency is measured by :meth:`ask`)."""
        return Answer(
            text=text,
            refused=refused,
            citations=citations,
            backend=backend,
            model=None,
            prompt_version=self.policy.prompt,
            latency_ms=0.0,
            personal=personal,
            reason=reason,
        )

    # --- cache and log -------------------------------------------------------------------------

    def _key(self, question: str, loaded: LoadedPlan, backend: str) -> tuple[str, ...]:
        return (
            normalize_question(question),
            loaded.plan.id,
            str(loaded.plan.version),
            loaded.content_hash,
            self.policy.prompt,
            backend,
        )

    def _cached(self, question: str, loaded: LoadedPlan, backend: str) -> Answer | None:
        key = self._key(question, loaded, backend)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return replace(hit, cached=True, usage=Usage() if hit.usage else None, cost_usd=0)
        return None

    def _remember(self, question: str, loaded: LoadedPlan, backend: str, answer: Answer) -> None:
        key = self._key(question, loaded, backend)
        with self._lock:
            self._cache[key] = answer
            self._cache.move_to_end(key)
            while len(self._cache) > self.policy.cache_size:
                self._cache.popitem(last=False)

    def _log(
        self, answer: Answer, question: str, asker: Actor | None, loaded: LoadedPlan
    ) -> int | None:
        usage = answer.usage or Usage()
        try:
            with self.db.transaction() as session:
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
                        created_at=self.clock.now(),
                    ),
                )
        except Exception:
            # Logging must never cost the asker their answer.
            log.exception("could not write qa_log")
            return None


# --- extractive helpers -----------------------------------------------------------------------


def query_stems(retriever: Retriever, question: str) -> frozenset[str]:
    """Every stem a question's concepts accept (for picking sentences inside a paragraph)."""
    query = retriever.prepare(question)
    return frozenset(s for c in query.concepts for s in c.stems)


def _keys(text: str) -> set[str]:
    return {key_of(w) for w in words(text)}


def _excerpt(passage: Passage, wanted: frozenset[str]) -> tuple[str, str]:
    """What to show and quote: rows and items whole; the best sentences of a long paragraph."""
    chunk = passage.chunk
    # Rows, items, short paragraphs and labelled run-in lists ("Typical teams …: – A – B") whole.
    if chunk.kind != "paragraph" or len(chunk.text) <= 360 or (chunk.key and len(chunk.text) < 800):
        return chunk.text, chunk.quote
    parts = sentences(chunk.text)
    scored = sorted(
        range(len(parts)),
        key=lambda i: -len(wanted & _keys(parts[i])),
    )
    keep = sorted(scored[:3])
    text = " ".join(parts[i] for i in keep)
    return text, "\n".join(parts[i] for i in keep)


def select_passages(
    passages: Sequence[Passage],
    *,
    min_coverage: float,
    limit: int,
    excerpt: Callable[[Passage], tuple[str, str]],
) -> list[tuple[Passage, str, str]]:
    """The passages an extractive answer quotes (best first), each with its shown text and quote.

    The best passage, then others only when they are relevant on their own: they clear
    ``min_coverage`` and score at least half as well as the best one (a passage far behind
    that shares a loose word with the question is noise). Never the same section and quote
    twice; among equally scored passages, one from a section not cited yet goes first.
    """
    if not passages:
        return []
    best = passages[0]
    pool = [best] + [
        p
        for p in passages[1:]
        if p.score >= EXTRA_SCORE * best.score and p.confidence >= min_coverage
    ]
    picked: list[tuple[Passage, str, str]] = []
    seen: set[tuple[str, str]] = set()
    while pool and len(picked) < limit:
        top = max(p.score for p in pool)
        cited = {p.chunk.section_id for p, _, _ in picked}
        tied = [p for p in pool if top - p.score <= _TIE]
        passage = next((p for p in tied if p.chunk.section_id not in cited), tied[0])
        pool.remove(passage)
        text, quote = excerpt(passage)
        key = (passage.chunk.section_id, " ".join(quote.split()))
        if key not in seen:
            seen.add(key)
            picked.append((passage, text, quote))
    return picked


def _section_title(heading: str) -> str:
    """``6) Goals, … › 30-day goals (…)`` → ``Goals, … › 30-day goals (…)``."""
    return re.sub(r"^\d+\)\s*", "", heading)


def cited_sections(answers: Sequence[Answer]) -> list[str]:
    """Section ids cited by ``answers`` (helper for reports)."""
    return [c.id for a in answers for c in a.citations]


__all__ = [
    "ANTHROPIC",
    "EXTRACTIVE",
    "FALLBACK",
    "TOOLS",
    "Answer",
    "AnswerModel",
    "AnswerPolicy",
    "Answers",
    "Citation",
    "ModelCitation",
    "ModelReply",
    "ModelRequest",
    "ModelUnavailable",
    "Prices",
    "ReadMyProgress",
    "SourcePassage",
    "ToolRunner",
    "ToolSpec",
    "UpdateMyMilestone",
    "Usage",
    "normalize_question",
    "select_passages",
]
