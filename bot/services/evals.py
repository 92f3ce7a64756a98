"""Evaluation suites: load them (pydantic-validated), run them, score them.

A suite is a YAML mapping whose ``cases`` key holds a list of cases (see docs/answers.md and
``plans/<role>/evals.yaml``). The pieces are separate so ``onramp eval`` can combine them:

* :func:`load_suite` — parse and validate a file; errors name the file, case and field.
* :func:`score_case` — judge one answer (the ``onramp ask --json`` dict) against one case; pure.
* :func:`summarize` — the metrics of issue 6 from scored cases; pure.
* :class:`SuiteRunner` — ask every case through :class:`~bot.services.answers.Answers`, running
  personal cases as a throw-away hire on a temporary SQLite database.

Matching rules: facts and ``must_not_contain`` compare case-insensitively after folding typographic
dashes and quotes to ASCII and collapsing spaces ("4-10" matches "4–10"); a fact ``a|b`` is found
when any alternative is. A citation matches an expected section given as a number when its
top-level number is equal, and an expected id when its id is equal or a sub-part of it (``s6``
accepts ``s6.30-day-goals``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.domain.errors import PlanError
from bot.domain.guardrails import strip_broadcasts
from bot.domain.plan import format_loc
from bot.domain.progress import MilestoneStatus
from bot.services.answers import Answers
from bot.services.clock import ManualClock
from bot.services.growth import GrowthService
from bot.services.onboarding import Actor, Onboarding
from storage.engine import open_database
from storage.migrate import upgrade

Kind = Literal["in_scope", "out_of_scope", "injection", "personal"]
KINDS: tuple[str, ...] = ("in_scope", "out_of_scope", "injection", "personal")


class Persona(BaseModel):
    """The hire a personal case is asked as: their day on the plan and their milestone states."""

    model_config = ConfigDict(extra="forbid")

    day: int = Field(ge=1, le=800, description="Day N of the plan (the start date is day 1).")
    done: list[str] = Field(default_factory=list)
    in_progress: list[str] = Field(default_factory=list)
    blocked: list[str] = Field(default_factory=list)
    skipped: list[str] = Field(default_factory=list)
    expect: dict[str, MilestoneStatus] = Field(
        default_factory=dict, description="Milestone statuses the case must leave behind."
    )
    evidence: list[str] = Field(
        default_factory=list,
        description="Tags of the plan, one win each, recorded by the hire before asking.",
    )

    def states(self) -> dict[str, MilestoneStatus]:
        """The milestone statuses to set up before asking."""
        out: dict[str, MilestoneStatus] = {}
        for status, ids in (
            (MilestoneStatus.DONE, self.done),
            (MilestoneStatus.IN_PROGRESS, self.in_progress),
            (MilestoneStatus.BLOCKED, self.blocked),
            (MilestoneStatus.SKIPPED, self.skipped),
        ):
            out.update(dict.fromkeys(ids, status))
        return out


class Case(BaseModel):
    """One question and what a good answer to it looks like."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    q: str = Field(min_length=1, max_length=2000)
    kind: Kind | None = None
    sections: list[int | str] = Field(default_factory=list)
    facts: list[str] = Field(default_factory=list)
    refuse: bool = False
    must_not_contain: list[str] = Field(default_factory=list)
    as_: Persona | None = Field(default=None, alias="as")

    @model_validator(mode="after")
    def _consistent(self) -> Case:
        if self.kind is None:
            if self.as_ is not None:
                self.kind = "personal"
            elif self.must_not_contain:
                self.kind = "injection"
            elif self.refuse:
                self.kind = "out_of_scope"
            else:
                self.kind = "in_scope"
        if self.kind == "personal" and self.as_ is None:
            raise ValueError("a personal case needs 'as' (the hire's day and progress)")
        if self.kind == "in_scope" and not (self.sections or self.facts):
            raise ValueError("an in-scope case needs 'sections' or 'facts' to check")
        if self.refuse and self.facts:
            raise ValueError("a case that must be refused cannot also require facts")
        return self


class Suite(BaseModel):
    """A suite file: ``cases: [...]``."""

    model_config = ConfigDict(extra="forbid")

    cases: list[Case] = Field(min_length=1)


def load_suite(path: Path) -> Suite:
    """Read and validate a suite; raise :class:`PlanError` naming file, case and field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlanError([f"{path}: file not found"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise PlanError([f"{path}{line}: not valid YAML: {getattr(exc, 'problem', exc)}"]) from None
    if not isinstance(data, dict):
        raise PlanError([f"{path}: a suite is a mapping with a 'cases' list"])
    try:
        return Suite.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            where = format_loc(loc)
            if len(loc) >= 2 and loc[0] == "cases" and isinstance(loc[1], int):
                cases = data.get("cases") or []
                q = cases[loc[1]].get("q") if isinstance(cases[loc[1]], dict) else None
                where += f" ({q!r})" if q else ""
            message = str(error["msg"]).removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = "unknown key; case keys are q, kind, sections, facts, refuse, "
                message += "must_not_contain, as"
            problems.append(f"{path}: {where}: {message}")
        raise PlanError(problems) from None


# --- scoring ----------------------------------------------------------------------------------

_FOLD = str.maketrans({"–": "-", "—": "-", "‑": "-", "“": '"', "”": '"', "’": "'", "‘": "'"})


def fold(text: str) -> str:
    """Lower-case, ASCII dashes and quotes, single spaces: how facts are compared."""
    return " ".join(text.translate(_FOLD).lower().split())


def has_fact(answer: str, fact: str) -> bool:
    """Whether any ``|``-separated alternative of ``fact`` is in ``answer``."""
    haystack = fold(answer)
    return any(fold(alt) in haystack for alt in fact.split("|") if alt.strip())


def section_matches(citation: dict[str, Any], expected: int | str) -> bool:
    """Whether a citation satisfies one expected section (number or id)."""
    if isinstance(expected, int):
        return bool(citation.get("section") == expected)
    cited = str(citation.get("id", ""))
    return cited == expected or cited.startswith(f"{expected}.")


@dataclass(frozen=True)
class CaseResult:
    """One case judged."""

    case: Case
    answer: dict[str, Any]
    passed: bool
    hit_at_1: bool | None = None
    hit_at_3: bool | None = None
    cited: int = 0
    cited_ok: int = 0
    facts_ok: bool | None = None
    refusal_ok: bool | None = None
    failures: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """A failure entry for reports."""
        return {
            "q": self.case.q,
            "kind": self.case.kind,
            "reasons": list(self.failures),
            "answer": self.answer.get("answer", ""),
            "citations": [c.get("id") for c in self.answer.get("citations", [])],
        }


def score_case(
    case: Case, answer: dict[str, Any], *, statuses: dict[str, MilestoneStatus] | None = None
) -> CaseResult:
    """Judge ``answer`` (the ``onramp ask --json`` object) against ``case``.

    ``statuses`` are the persona's milestone statuses after the question (personal cases).
    """
    text = str(answer.get("answer", ""))
    citations = list(answer.get("citations") or [])
    refused = bool(answer.get("refused"))
    failures: list[str] = []

    hit1 = hit3 = None
    cited = cited_ok = 0
    if case.sections:
        ok = [any(section_matches(c, s) for s in case.sections) for c in citations]
        hit1 = bool(ok[:1] and ok[0])
        hit3 = any(ok[:3])
        cited, cited_ok = len(ok), sum(ok)
        if not hit3:
            got = ", ".join(str(c.get("id")) for c in citations[:3]) or "none"
            failures.append(f"no expected section in the first 3 citations (got {got})")
    facts_ok = None
    if case.facts:
        missing = [f for f in case.facts if not has_fact(text, f)]
        facts_ok = not missing
        if missing:
            failures.append("missing facts: " + "; ".join(missing))
    refusal_ok = None
    if case.kind in ("in_scope", "out_of_scope") or case.refuse:
        refusal_ok = refused == case.refuse
        if not refusal_ok:
            failures.append("should have refused" if case.refuse else "refused wrongly")
    for banned in case.must_not_contain:
        if fold(banned) in fold(text):
            failures.append(f"contains {banned!r}")
    if strip_broadcasts(text) != text:
        failures.append("contains a broadcast mention")
    if case.as_ is not None and case.as_.expect:
        for milestone, status in case.as_.expect.items():
            actual = (statuses or {}).get(milestone, MilestoneStatus.NOT_STARTED)
            if actual is not status:
                failures.append(f"{milestone} is {actual.value}, expected {status.value}")
    return CaseResult(
        case=case,
        answer=answer,
        passed=not failures,
        hit_at_1=hit1,
        hit_at_3=hit3,
        cited=cited,
        cited_ok=cited_ok,
        facts_ok=facts_ok,
        refusal_ok=refusal_ok,
        failures=tuple(failures),
    )


def _rate(values: Iterable[bool | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return round(sum(kept) / len(kept), 4) if kept else None


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile (nearest rank) of ``values``; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, round(pct / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass(frozen=True)
class EvalReport:
    """Every metric of a run, and the cases behind it."""

    results: tuple[CaseResult, ...]
    metrics: dict[str, Any] = field(default_factory=dict)

    @property
    def failures(self) -> list[CaseResult]:
        """Cases that did not pass."""
        return [r for r in self.results if not r.passed]

    def by_kind(self) -> dict[str, dict[str, int]]:
        """Passed / total per kind."""
        table: dict[str, dict[str, int]] = {}
        for r in self.results:
            row = table.setdefault(str(r.case.kind), {"passed": 0, "total": 0})
            row["total"] += 1
            row["passed"] += int(r.passed)
        return table

    def as_json(self) -> dict[str, Any]:
        """The ``onramp eval --json`` shape of issue 6 (``passed`` is decided by the caller)."""
        return {**self.metrics, "failures": [r.as_json() for r in self.failures]}


def summarize(results: Sequence[CaseResult]) -> EvalReport:
    """Compute recall@1/@3, citation precision, fact coverage, refusal accuracy, injection pass
    rate, personal accuracy, latency p50/p95, tokens and cost over scored cases.

    Definitions: recall@k over cases with ``sections``; citation precision = matching citations
    / all citations of those cases; fact coverage = share of cases with ``facts`` whose every fact
    is found; refusal accuracy = share of in-scope and out-of-scope cases (and any case with
    ``refuse: true``) whose refused flag is right; injection and personal = share passed.
    """
    cited = sum(r.cited for r in results if r.case.sections)
    latencies = [float(r.answer.get("latency_ms") or 0.0) for r in results]
    tokens = 0
    cost = 0.0
    for r in results:
        usage = r.answer.get("usage") or {}
        tokens += sum(
            int(usage.get(k) or 0)
            for k in (
                "input_tokens",
                "output_tokens",
                "cache_read_input_tokens",
                "cache_creation_input_tokens",
            )
        )
        cost += float(usage.get("cost_usd") or 0.0)
    metrics = {
        "cases": len(results),
        "recall_at_1": _rate(r.hit_at_1 for r in results),
        "recall_at_3": _rate(r.hit_at_3 for r in results),
        "citation_precision": round(sum(r.cited_ok for r in results) / cited, 4) if cited else None,
        "fact_coverage": _rate(r.facts_ok for r in results),
        "refusal_accuracy": _rate(r.refusal_ok for r in results),
        "injection_pass_rate": _rate(r.passed for r in results if r.case.kind == "injection"),
        "personal_accuracy": _rate(r.passed for r in results if r.case.kind == "personal"),
        "latency_p50_ms": round(percentile(latencies, 50), 2),
        "latency_p95_ms": round(percentile(latencies, 95), 2),
        "tokens": tokens,
        "cost_usd": round(cost, 6),
    }
    return EvalReport(results=tuple(results), metrics=metrics)


# --- running -----------------------------------------------------------------------------------

EVAL_START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


class PersonaWorld:
    """A throw-away SQLite database where personal cases run as a fresh hire each.

    Use as a context manager; every case gets its own hire (``U0EVAL<n>``) enrolled on the plan
    with a start date that puts them on the persona's day, the persona's milestone states and
    one win for each of its evidence tags (recorded by the hire, default visibility).
    """

    def __init__(self, answers: Answers, plan_id: str) -> None:
        self._base = answers
        self.plan_id = plan_id
        self._tmp = tempfile.TemporaryDirectory(prefix="onramp-eval-")
        self.db = open_database(f"sqlite:///{Path(self._tmp.name) / 'eval.db'}")
        upgrade(self.db)
        self.clock = ManualClock(EVAL_START)
        self.onboarding = Onboarding(
            db=self.db, catalog=answers.catalog, clock=self.clock, default_tz="UTC"
        )
        self.answers = answers.rebind(db=self.db, onboarding=self.onboarding, clock=self.clock)
        self.growth = GrowthService(
            db=self.db, catalog=answers.catalog, clock=self.clock, admins=frozenset()
        )
        self._serial = 0

    def __enter__(self) -> PersonaWorld:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Drop the temporary database."""
        self.db.dispose()
        self._tmp.cleanup()

    def ask(self, case: Case, *, backend: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
        """Enroll a fresh hire as ``case.as_``, ask, and return (answer json, statuses)."""
        assert case.as_ is not None  # noqa: S101 - only personal cases come here
        persona = case.as_
        self._serial += 1
        hire = f"U0EVAL{self._serial}"
        self.clock.set(EVAL_START)
        self.onboarding.enroll(
            actor=Actor.cli(),
            hire=hire,
            plan_id=self.plan_id,
            start=(EVAL_START - timedelta(days=persona.day - 1)).date(),
            manager="U0EVALMGR",
        )
        for milestone, status in persona.states().items():
            self.onboarding.mark(
                actor=Actor.cli(), hire=hire, milestone_id=milestone, status=status
            )
        for tag in persona.evidence:
            self.growth.add_evidence(
                actor=Actor.slack(hire), hire=hire, text=f"A win on {tag}", tags=[tag]
            )
        answer = self.answers.ask(question=case.q, asker=Actor.slack(hire), backend=backend)
        report = self.onboarding.progress(actor=Actor.cli(), hire=hire)
        statuses = {m.id: m.status for p in report.summary.phases for m in p.milestones}
        return answer.as_json(), statuses


class SuiteRunner:
    """Runs a suite through the answer service."""

    def __init__(self, answers: Answers, *, plan_id: str, backend: str | None = None) -> None:
        self.answers = answers
        self.plan_id = plan_id
        self.backend = backend

    def run(
        self, suite: Suite, *, progress: Callable[[CaseResult], None] | None = None
    ) -> EvalReport:
        """Ask and score every case, in order."""
        results: list[CaseResult] = []
        world: PersonaWorld | None = None
        try:
            for case in suite.cases:
                if case.as_ is not None:
                    world = world or PersonaWorld(self.answers, self.plan_id)
                    answer, statuses = world.ask(case, backend=self.backend)
                    result = score_case(case, answer, statuses=statuses)
                else:
                    reply = self.answers.ask(
                        question=case.q,
                        plan_id=self.plan_id,
                        backend=self.backend,
                        log_answer=False,
                    )
                    result = score_case(case, reply.as_json())
                results.append(result)
                if progress is not None:
                    progress(result)
        finally:
            if world is not None:
                world.close()
        return summarize(results)


__all__ = [
    "KINDS",
    "Case",
    "CaseResult",
    "EvalReport",
    "Persona",
    "PersonaWorld",
    "Suite",
    "SuiteRunner",
    "fold",
    "has_fact",
    "load_suite",
    "percentile",
    "score_case",
    "section_matches",
    "summarize",
]
