"""The answer service: :class:`Answers`, the flow of :meth:`Answers.ask` from question to log.

It redacts and classifies the question, serves it from the cache when it may, applies the
guardrails (small talk, noise, someone else's progress, injections, actions, off-topic rules),
then answers: personal questions from the asker's own plan (:mod:`~bot.services.answers.personal`),
the rest with Claude (:mod:`~bot.services.answers.claude`) or by quoting the blueprint
(:mod:`~bot.services.answers.extractive`). Every answer is logged
(:mod:`~bot.services.answers.qa_log`).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.domain.chunks import chunk_blueprint, terms
from bot.domain.errors import InvalidInput
from bot.domain.guardrails import (
    ACTION_MARKERS,
    REFUSING_MARKERS,
    drop_broadcasts,
    injection_markers,
    redact,
    strip_broadcasts,
    strip_controls,
)
from bot.domain.intents import Intent, IntentKind, classify, looks_like_noise
from bot.domain.plan import LoadedPlan
from bot.services import answer_text as say
from bot.services.answers.cache import AnswerCache
from bot.services.answers.career import CareerQuestion, career_question, career_reply, own_readiness
from bot.services.answers.claude import CareerContext, claude_answer
from bot.services.answers.extractive import extractive_answer
from bot.services.answers.personal import personal_reply
from bot.services.answers.port import AnswerModel, ModelUnavailable, Usage
from bot.services.answers.qa_log import record_answer
from bot.services.answers.results import (
    ANTHROPIC,
    EXTRACTIVE,
    FALLBACK,
    GUARDRAIL,
    QUESTION_LIMIT,
    Answer,
    AnswerPolicy,
    local_answer,
    refusal,
)
from bot.services.catalog import PlanCatalog
from bot.services.clock import Clock
from bot.services.growth import GrowthService
from bot.services.onboarding import Actor, EnrollmentReport, Onboarding
from bot.services.prompts import PromptLibrary
from bot.services.retrieval import Retriever, zipf
from bot.services.semantic import Encoder, scorer_for
from storage import qa as qa_repo
from storage.engine import Database

log = logging.getLogger("onramp.answers")

#: The friendly line for small talk, by intent.
SOCIAL = {IntentKind.GREETING: say.GREETING, IntentKind.THANKS: say.THANKS}
#: A capitalised word inside a line, not opening it, a sentence or a cell ("(Docker)", ", Pytest").
_INNER_CAPITAL = re.compile(r"(?:(?<=[a-z0-9,;/)] )|(?<=\())[A-Z][a-zA-Z]+\b")


@dataclass(kw_only=True, eq=False)
class Answers:
    """Grounded answers about a plan's role, with guardrails, a cache and a log. ``model``
    ``None``: no Claude (extractive answers only); ``encoder`` ``None``: lexical retrieval."""

    db: Database
    catalog: PlanCatalog
    onboarding: Onboarding
    prompts: PromptLibrary
    clock: Clock
    model: AnswerModel | None = None
    policy: AnswerPolicy = field(default_factory=AnswerPolicy)
    encoder: Encoder | None = None
    _retrievers: dict[str, Retriever] = field(init=False, default_factory=dict)
    _vocabulary: dict[str, tuple[frozenset[str], ...]] = field(init=False, default_factory=dict)
    _names: dict[str, frozenset[str]] = field(init=False, default_factory=dict)
    _loaded_at: dict[str, datetime] = field(init=False, default_factory=dict)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)
    _cache: AnswerCache = field(init=False)

    def __post_init__(self) -> None:
        self._cache = AnswerCache(self.policy.cache_size)

    def rebind(self, *, db: Database, onboarding: Onboarding, clock: Clock) -> Answers:
        """A copy over another database (evaluation personas); indexes are shared."""
        other = replace(self, db=db, onboarding=onboarding, clock=clock)
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
        impersonated: bool = False,
    ) -> Answer:
        """Answer ``question`` for ``asker`` (``None``: anonymous, blueprint questions only).
        ``impersonated``: an operator asks as ``asker`` (``onramp ask --as``), so a career
        answer counts no private evidence of theirs."""
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
        career = self._career(clean, intent, loaded)
        if career is not None and impersonated:
            career = replace(career, impersonated=True)
        # Personal answers depend on who asks: never from the cache, never into it.
        cacheable = not intent.personal and (career is None or not career.about_me)
        key = AnswerCache.key(clean, loaded, self.policy.prompt, chosen)
        answer = self._cache.get(key) if cacheable else None
        if answer is None:
            answer = self._answer(clean, intent, asker, report, loaded, chosen, career)
            if cacheable and not answer.personal and answer.complete and answer.backend == chosen:
                self._cache.put(key, answer)
        final = replace(
            answer,
            text=strip_broadcasts(redact(answer.text).text),
            prompt_version=prompt_ref,
            latency_ms=(time.perf_counter() - started) * 1000,
        )
        if redacted.changed:
            log.info("redacted %s from a question", ",".join(redacted.kinds))
        if log_answer:
            qa_id = record_answer(
                self.db, answer=final, question=clean, asker=asker, loaded=loaded, clock=self.clock
            )
            final = replace(final, qa_id=qa_id)
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
        career: CareerQuestion | None = None,
    ) -> Answer:
        role = loaded.plan.title
        if intent.kind in SOCIAL:
            # Small talk gets a friendly line and what to ask, never "not in the blueprint".
            return local_answer(
                SOCIAL[intent.kind].format(role=role),
                GUARDRAIL,
                prompt_version=self.policy.prompt,
                reason=intent.kind,
            )
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
        if career is None and intent.personal and (asker is None or open_report is None):
            # Never a nearest passage for "what should I focus on?": there is no plan to read.
            return self._refusal(say.not_enrolled(report, role), "not_enrolled")
        if backend == ANTHROPIC and self.model is not None:
            try:
                return claude_answer(
                    self.model,
                    question=question,
                    asker=asker,
                    report=open_report,
                    loaded=loaded,
                    intent=intent,
                    retriever=self.retriever(loaded.plan.id),
                    prompts=self.prompts,
                    onboarding=self.onboarding,
                    policy=self.policy,
                    career=None if career is None else CareerContext(career, self._growth()),
                )
            except ModelUnavailable as exc:
                log.warning("model unavailable, answering extractively: %s", exc)
                fallback = self._after_tools(exc) or self._offline(
                    question, asker, open_report, loaded, intent, career
                )
                if exc.usage is not None and exc.usage != Usage():  # earlier rounds were paid
                    cost = self.policy.prices.cost(exc.usage)
                    fallback = replace(fallback, usage=exc.usage, cost_usd=cost)
                if fallback.personal or fallback.refused:
                    return replace(fallback, backend=FALLBACK)
                note = say.fallback_note(exc.note) if exc.note else say.FALLBACK_NOTE
                return replace(fallback, backend=FALLBACK, text=f"{fallback.text}\n{note}")
        return self._offline(question, asker, open_report, loaded, intent, career)

    def _after_tools(self, failure: ModelUnavailable) -> Answer | None:
        """When Claude failed after its tools ran, what they returned (a milestone already
        updated is reported, never applied again by the offline path); else ``None``."""
        said = [out for _, out in failure.tool_results if not out.startswith("error:")]
        if not said:
            return None
        return local_answer(
            "\n\n".join(said), FALLBACK, prompt_version=self.policy.prompt, personal=True
        )

    def _offline(
        self,
        question: str,
        asker: Actor | None,
        report: EnrollmentReport | None,
        loaded: LoadedPlan,
        intent: Intent,
        career: CareerQuestion | None = None,
    ) -> Answer:
        role = loaded.plan.title
        if career is not None:
            mine = (
                own_readiness(
                    self._growth(), asker, loaded.plan.id, impersonated=career.impersonated
                )
                if career.about_me
                else None
            )
            return career_reply(
                career,
                loaded=loaded,
                chunks=self.retriever(loaded.plan.id).chunks,
                mine=mine,
                asker=asker,
                prompt_version=self.policy.prompt,
            )
        if intent.personal:
            if asker is None or report is None:
                return self._refusal(say.not_enrolled(report, role), "not_enrolled")
            return personal_reply(
                self.onboarding,
                asker=asker,
                report=report,
                intent=intent,
                prompt_version=self.policy.prompt,
            )
        return extractive_answer(
            question, loaded, retriever=self.retriever(loaded.plan.id), policy=self.policy
        )

    def _career(self, question: str, intent: Intent, loaded: LoadedPlan) -> CareerQuestion | None:
        """The career question ``question`` asks (promotion, a rubric dimension or skill, next
        roles), unless the guardrails or a milestone update own it."""
        if intent.kind not in (
            IntentKind.BLUEPRINT,
            IntentKind.PROGRESS,
            IntentKind.FOCUS,
            IntentKind.REMAINING,
        ):
            return None
        return career_question(question, loaded.plan.growth)

    def _growth(self) -> GrowthService:
        """The growth service over this database: career answers read the asker's own record
        through it (built per question; it holds nothing but its collaborators)."""
        return GrowthService(
            db=self.db, catalog=self.catalog, clock=self.clock, admins=self.onboarding.admins
        )

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

    def _refusal(self, text: str, reason: str) -> Answer:
        return refusal(text, reason, prompt_version=self.policy.prompt)
