"""Find the blueprint passages that answer a question: expansion, BM25, then a coverage re-rank.

1. **Expansion.** Common paraphrases are rewritten to the blueprint's own words ("half a year" →
   "6-month", "how fast" → "latency", "boss" → "manager"), and acronyms the blueprint defines
   ("large language model (LLM)") are linked both ways.
2. **BM25.** Every expanded word is quoted and OR-ed into one FTS5 query over heading path, passage
   label and body (:mod:`storage.search`), giving up to 40 candidates.
3. **Coverage re-rank.** A question is a handful of *concepts* (its content words, each with its
   expansions). A passage's *coverage* is the IDF-weighted share of those concepts it contains
   (heading included); the final score is BM25 × (0.25 + coverage). Coverage is also what the
   extractive backend's refusal threshold is calibrated on: a nearest paragraph that shares only
   "engineer" with "what's the salary for an engineer?" covers little of the question.

4. **Semantic (optional).** With a :class:`~bot.services.semantic.SemanticScorer` (MiniLM vectors
   of every passage), the 20 passages nearest in meaning join BM25's candidates, the score adds
   3 × cosine, and the refusal confidence is coverage + 3 × cosine, rescaled so the answer
   policy's one threshold applies in both modes. Without it (package missing, vectors stale),
   the lexical score and coverage are used as they are.

All tuning numbers live in :class:`RetrievalTuning`; they were set on the golden, held-out and
reviewer's sets together (docs/answers.md has the figures and says which sets were tuned on).
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from array import array
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources

import Stemmer  # type: ignore[import-not-found]  # PyStemmer ships no type information

from bot.domain.blueprint import Blueprint
from bot.domain.chunks import STOP_WORDS, Chunk, chunk_blueprint, word_set, words
from bot.services.semantic import SemanticScorer
from storage.search import SearchIndex

#: Paraphrases rewritten before tokenizing, as (pattern, replacement). The replacement is in the
#: blueprint's own vocabulary; the original words stay in the question too.
PHRASES: tuple[tuple[str, str], ...] = (
    (r"\bhalf (a|of the) year\b|\bsix[- ]months?\b|\b6[- ]months?\b|\bmonth (6|six)\b", "6-month"),
    (
        r"\b(twelve|12) months?\b|\b(first|one|a full|whole|1st) year\b|\bannual(ly)?\b|"
        r"\bmonth (12|twelve)\b|\bend of (the|my) year\b|\byear one\b",
        "12-month year",
    ),
    (
        r"\b(first|one|1st) month\b|\bfirst (4|four) weeks\b|\bfirst (30|thirty)[- ]days?\b",
        "30-day",
    ),
    (r"\bthirty[- ]days?\b|\b30[- ]days?\b|\bday[- ](30|thirty)\b|\bmonth one\b", "30-day"),
    (
        r"\b(two|2)[- ]months?\b|\bsecond month\b|\bsixty[- ]days?\b|\b60[- ]days?\b|"
        r"\bday[- ](60|sixty)\b",
        "60-day",
    ),
    (
        r"\b(three|3)[- ]months?\b|\bthird month\b|\bninety[- ]days?\b|\b90[- ]days?\b|"
        r"\bday[- ](90|ninety)\b|"
        r"\bfirst quarter\b",
        "90-day",
    ),
    (r"\b95(th)? percentile\b|\bninety[- ]fifth percentile\b|\btail latency\b", "p95"),
    (r"\b(50th percentile|median)\b", "p50"),
    (r"\bpull requests?\b|\bmerge requests?\b", "PR PRs"),
    (r"\breport(s)? to\b|\bline manager\b|\bwho manages\b", "manager reports"),
    (
        r"\bmake(s)? (things|stuff|facts) up\b|\bmade[- ]up\b|\bmaking (things|stuff) up\b",
        "hallucination",
    ),
    (r"\bpersonal (data|information|info)\b|\bpersonally identifiable\b", "PII sensitive data"),
    (r"\btake[- ]home\b|\bcoding (test|exercise|challenge)\b", "exercise case studies"),
    (r"\bday[- ]to[- ]day\b|\bevery ?day\b|\beach day\b", "daily"),
    (r"\bevery week\b|\beach week\b|\bonce a week\b", "weekly"),
    (r"\bevery (two|2) weeks\b|\bfortnight(ly)?\b|\bbi-?weekly\b", "biweekly"),
    (r"\bevery month\b|\bonce a month\b|\beach month\b", "monthly"),
    (r"\bsoft skills?\b|\bpeople skills?\b|\binterpersonal\b", "behavioral soft skills"),
    (r"\bhard skills?\b|\btechnical abilities\b", "technical skills"),
    (
        r"\bcareer (path|ladder|growth)\b|\bmove (up|on|into)\b|\bnext (job|role|step)s?\b|"
        r"\bafter this (one|job|role|position)\b|\blead to\b",
        "career progression next likely roles",
    ),
    (
        r"\bin (one|a) (line|sentence)\b|\btl;?dr\b|\bsummar(y|ise|ize)\b|\boverview\b|"
        r"\bin short\b|\bwhat is (this|the) (job|role|position) about\b|\bin a nutshell\b",
        "role summary purpose",
    ),
    (
        r"\bwhy (do|does|would|should) (we|a company|companies|the company|they|anyone)\b"
        r"[^.?!]{0,30}\b(need|have|hire|bother|want)\b|\bwhy (does|do) (this|the) (role|job|"
        r"position) exist\b",
        "role exists business value",
    ),
    (r"\bfunction calls?\b|\bfunction calling\b", "tool calling"),
    (r"\bvector (store|database|db)s?\b", "vector db databases"),
    (r"\bhand(ed)? (over|in|off)\b|\bturn in\b", "deliverables outputs"),
    (r"\bwarning signs?\b|\bdeal[- ]?breakers?\b", "red flags"),
    (r"\bbad habits?\b|\bthings to avoid\b|\bmistakes to avoid\b", "anti-patterns"),
    (r"\bbig compan(y|ies)\b|\blarge compan(y|ies)\b|\bcorporates?\b", "enterprise"),
    (r"\bsmall compan(y|ies)\b", "startup"),
    (r"\bwho (do|should) i (ask|go to|call|contact|escalate to)\b", "escalation"),
    (r"\bon[- ]?call\b|\bpager\b|\boutages?\b", "incident on-call"),
    (r"\bslow(s|ing)? (\w+ ){0,2}down\b|\bholds? (\w+ )?back\b", "bottlenecks"),
    (
        r"\bwithout (asking|approval|permission|checking)\b|\bon my own\b|\bby myself\b|"
        r"\bmy own call\b",
        "decide independently",
    ),
    (r"\bup[- ]to[- ]date\b|\bkept current\b", "freshness updated"),
    (r"\b(goes|went|is|are) down\b|\bstops? working\b|\bbreaks?\b", "degradation incident"),
    (r"\b(normal|typical|average|regular|ordinary) (working |work )?day\b", "daily activities"),
    (
        r"\bcome(s)? from\b|\bbefore (this|the) (job|role)\b|\bprevious (jobs?|roles?)\b",
        "prior backgrounds feeder",
    ),
    (
        r"\bwork(s|ing)? (with|alongside)\b|\bdeal(ing)? with\b|\binteract(s|ing)? with\b",
        "interacts collaboration stakeholders",
    ),
    (r"\bsign[- ]?off\b|\bgreen[- ]?light\b", "approval"),
)

#: Single words and the blueprint words they stand for (stems are matched, so "slower" and
#: "slowest" need no entries of their own as long as they stem like "slow").
SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "fast": ("latency",),
    "faster": ("latency",),
    "slow": ("latency",),
    "slower": ("latency",),
    "quick": ("latency",),
    "quickly": ("latency", "time"),
    "speed": ("latency",),
    "speedy": ("latency",),
    "responsive": ("latency",),
    "lag": ("latency",),
    "delay": ("latency",),
    "money": ("cost",),
    "spend": ("cost",),
    "spending": ("cost",),
    "expensive": ("cost",),
    "cheap": ("cost",),
    "cheaper": ("cost",),
    "price": ("cost",),
    "pricing": ("cost",),
    "dollars": ("cost",),
    "savings": ("cost",),
    "boss": ("manager",),
    "supervisor": ("manager",),
    "supervises": ("manager",),
    "lead": ("lead", "tech"),
    "promotion": ("promotion", "progression"),
    "promoted": ("promotion", "progression"),
    "advance": ("progression",),
    "advancement": ("progression",),
    "career": ("career", "progression"),
    "hallucinate": ("hallucination",),
    "hallucinating": ("hallucination",),
    "fabricate": ("hallucination", "fabricated"),
    "fabricated": ("hallucination",),
    "percentile": ("p95", "p50"),
    "meetings": ("meetings", "rituals", "standup", "ceremonies"),
    "meeting": ("meetings", "rituals"),
    "rituals": ("meetings",),
    "ceremonies": ("sprint",),
    "degree": ("education", "bs"),
    "diploma": ("education",),
    "university": ("education",),
    "college": ("education",),
    "certificate": ("certifications",),
    "certified": ("certifications",),
    "experience": ("experience", "years"),
    "interview": ("interviews", "hiring", "candidate"),
    "interviewing": ("interviews", "candidate"),
    "candidates": ("candidate",),
    "hiring": ("hiring", "interviews"),
    "authority": ("decision", "authority"),
    "decide": ("decide", "decision"),
    "approve": ("approval",),
    "allowed": ("decide", "independently", "approval"),
    "permission": ("approval",),
    "permitted": ("decide", "approval"),
    "vendor": ("vendor", "provider"),
    "provider": ("vendor", "provider"),
    "supplier": ("vendor",),
    "duties": ("responsibilities",),
    "tasks": ("responsibilities", "activities"),
    "job": ("role",),
    "position": ("role",),
    "purpose": ("purpose", "mission"),
    "mission": ("mission", "purpose"),
    "goal": ("goals", "objectives", "target"),
    "resist": ("resilience",),
    "resisting": ("resilience",),
    "robust": ("resilience", "robustness"),
    "robustness": ("resilience", "robustness"),
    "attacks": ("injection", "jailbreak"),
    "attack": ("injection", "jailbreak"),
    "goals": ("goals", "objectives", "milestones"),
    "expectations": ("goals", "expectations"),
    "deliverables": ("deliverables", "outputs"),
    "outputs": ("outputs", "deliverables"),
    "produce": ("deliverables", "outputs"),
    "artifacts": ("artifacts", "deliverables"),
    "metrics": ("kpis", "metric"),
    "measured": ("kpis", "metric"),
    "kpi": ("kpis", "metric"),
    "target": ("target", "benchmark"),
    "benchmark": ("target", "benchmark"),
    "risks": ("risks", "challenges"),
    "challenges": ("challenges", "risks"),
    "pitfalls": ("anti-patterns", "failure"),
    "struggle": ("underperformance", "challenges"),
    "underperform": ("underperformance",),
    "fail": ("failure", "underperformance"),
    "refreshed": ("freshness", "updated"),
    "refresh": ("freshness", "refresh"),
    "outdated": ("freshness", "stale"),
    "stale": ("stale", "freshness"),
    "departments": ("teams", "functions", "stakeholders"),
    "department": ("teams", "functions"),
    "mature": ("emerging", "horizon", "maturity"),
    "established": ("emerging", "horizon"),
    "past": ("prior",),
    "previous": ("prior",),
    "difficulties": ("challenges",),
    "difficulty": ("challenges",),
    "hardest": ("challenges",),
    "obstacles": ("bottlenecks", "challenges"),
    "blockers": ("bottlenecks",),
    "startup": ("startup",),
    "enterprise": ("enterprise",),
    "regulated": ("regulated",),
    "bank": ("finance", "regulated"),
    "banking": ("finance", "regulated"),
    "healthcare": ("health", "regulated"),
    "automate": ("automated", "automation"),
    "automated": ("automated", "automation"),
    "replace": ("automated",),
    "privacy": ("privacy", "pii"),
    "pii": ("pii", "privacy"),
    "docker": ("docker", "containerization"),
    "containers": ("containerization", "docker"),
    "kubernetes": ("kubernetes", "orchestration"),
    "k8s": ("kubernetes",),
    "flags": ("flags", "feature"),
    "toggles": ("flags",),
    "logs": ("logging", "logs"),
    "secrets": ("secrets", "vault"),
    "credentials": ("secrets",),
    "docs": ("documentation",),
    "documenting": ("documentation", "document"),
    "dashboards": ("dashboards", "monitor"),
    "monitoring": ("monitoring", "dashboards"),
    "alerts": ("alerts", "alerting"),
    "paging": ("alerts",),
    "evals": ("eval", "evaluation"),
    "eval": ("eval", "evaluation"),
    "evaluation": ("eval", "evaluation"),
    "testing": ("tests", "testing"),
    "rag": ("rag", "retrieval"),
    "retrieval": ("retrieval", "rag"),
    "jailbreak": ("jailbreak", "injection"),
    "injection": ("injection",),
    "guardrails": ("guardrails", "safety"),
    "safety": ("safety", "guardrails"),
    "team": ("team", "squad"),
    "squad": ("squad", "team"),
    "colleagues": ("stakeholders", "collaboration"),
    "collaborate": ("collaboration", "stakeholders"),
    "stakeholders": ("stakeholders", "collaboration"),
    "escalate": ("escalation", "escalate"),
    "incident": ("incident", "incidents"),
    "incidents": ("incident",),
    "postmortem": ("postmortems",),
    "standup": ("standup",),
    "learn": ("learning",),
    "learning": ("learning", "learn"),
    "courses": ("learning", "courses"),
    "training": ("training", "learning"),
    "onboarding": ("onboarding", "30-day"),
    "first": ("first",),
    "background": ("backgrounds", "prior"),
    "backgrounds": ("backgrounds", "prior"),
    "stack": ("stack", "environment"),
    "tools": ("tools", "platforms"),
    "software": ("software", "tools"),
    "emerging": ("emerging", "future"),
    "future": ("future", "emerging"),
    "satisfaction": ("satisfaction",),
    "happy": ("satisfaction",),
    "users": ("user",),
    "customers": ("customer", "user"),
    "fine-tune": ("fine-tuning",),
    "finetuning": ("fine-tuning",),
    "tokens": ("token",),
    "cache": ("caching", "cache"),
    "caching": ("caching", "cache"),
    "exercise": ("exercises", "case"),
    "exercises": ("exercises",),
    "scorecard": ("scorecard",),
    "summary": ("summary",),
}

#: Words that say nothing about *which* passage is meant.
EXTRA_STOP_WORDS = word_set(
    """
    junior llm engineer engineers role blueprint describe described explain list main key
    important mention mentioned according listed document doc part section bother actually
    basically nutshell hoping hope happens happen come comes dealing deal exist exists stay
    staying count counts mean means matter matters besides stand look looks like normal
    usually write concrete someone somebody people person things stuff overall general
    generally specific specifically example examples regarding related relate expected
    supposed am ought ultimately briefly roughly approximately quite truly simply
    """
)

#: Everyday words that carry little meaning in a question about a role, whatever their rarity in
#: the blueprint ("help", "work", "first"): they still count, at a low weight.
GENERIC_WORDS = word_set(
    """
    help helps work works working part parts share go goes going went wrong badly good bad
    better best worse worst later soon hold handle differ different difference worry tiny big
    huge little lot lots much many several new old make makes made take takes took put find
    found think thought feel keep kept start started begin try tries need needs want wants ask
    asked asks call called give gives gave first last next time times way ways place
    thing area areas kind type types day days week weeks month months year years level levels
    able allowed required require requires expected happen become becomes get gets getting
    set sets run runs long short high low fast right left line lines end ends point points
    achieve achieved accomplish accomplished reach reached complete completed deliver done
    """
)
GENERIC_WEIGHT = 1.0

#: What a "which/what X …" question asks for: the words between the wh-word and the verb or
#: pronoun after them ("Which *tools* will I use", "What *KPIs* am I measured on"). A passage whose
#: label or heading names X is a list of X; one that mentions X in passing is not.
_FOCUS = re.compile(
    r"\b(?:which|what)\s+(?:(?:kinds?|sorts?|types?)\s+of\s+)?"
    r"(?P<focus>(?:(?!(?:is|are|was|were|do|does|did|will|would|should|can|could|must|might|"
    r"shall|am|i|we|you|they|it|my|the|a|an|of|to|in|on|for|and|or|happens|if|else|kind|sort|"
    r"type)\b)[a-z0-9][\w'-]*\s+){1,3}?)"
    r"(?=(?:is|are|was|were|do|does|did|will|would|should|can|could|must|might|shall|am|i|we|"
    r"you|they|it|my|the|a|an|of|to|in|on|for|matter|matters|count|counts|go|come|get|make|"
    r"need|show|help)\b)",
    re.IGNORECASE,
)
#: "What is X?", "what does X mean?", "define X": a request for the meaning of a short term. X
#: opening with "the", "my", "your" … ("what are the 60-day goals?") asks about the role instead.
_DEFINITION = re.compile(
    r"^\s*(?:(?:so|ok|and|but|hi|hey),?\s+)?(?:"
    r"what\s+is\s+meant\s+by\s+(?:an?\s+)?(?P<e>[^?.!,;:]{1,40}?)|"
    r"what(?:'s|’s|\s+is|\s+are)\s+(?:an?\s+)?(?P<a>[^?.!,;:]{1,40}?)|"
    r"what\s+(?:does|do)\s+(?:an?\s+)?(?P<b>[^?.!,;:]{1,40}?)\s+(?:mean|stand\s+for)|"
    r"(?:please\s+)?define\s+(?:an?\s+)?(?P<c>[^?.!,;:]{1,40}?)|"
    r"(?:what\s+is\s+)?(?:the\s+)?(?:meaning|definition)\s+of\s+(?:an?\s+)?"
    r"(?P<d>[^?.!,;:]{1,40}?))"
    r"(?:\s+(?:exactly|actually|again|here|in this role|in the blueprint))?\s*[?.!]*\s*$",
    re.IGNORECASE,
)
_NOT_A_TERM = word_set(
    """the my your our their this that these those it its he she they i you we who what which
    how why when where there here left next new"""
)


def definition_term(question: str) -> str | None:
    """The term a "what is X?" question asks to define ("RAG", "an eval harness"), or None."""
    match = _DEFINITION.match(question)
    if match is None:
        return None
    term = next(g for g in match.groups() if g).strip()
    found = words(term)
    if not found or len(found) > 4 or found[0] in _NOT_A_TERM:
        return None
    return term


#: Words a label may add to X and still be the list of X ("Top 10 KPIs", "Main deliverables").
_LIST_WORDS = word_set("top main key core common primary typical 5 10 summary list")
#: Marks of a section's optional sub-list: a heading "Good-to-have …", "(not required …)",
#: "(generally optional)", an item "(Optional; context-specific)", a table cell "Optional".
_OPTIONAL_HEADING = re.compile(
    r"\b(optional|context-specific|context-dependent|good-to-have|nice-to-have|not required)\b",
    re.IGNORECASE,
)
_OPTIONAL_TEXT = re.compile(
    r"\((?:generally\s+)?(?:optional|context-specific|context-dependent)\b|"
    r":\s*(?:Optional|Context-specific)\b",
)
#: Words by which a question asks for the optional part itself ("nice to have", "bonus").
_WANTS_OPTIONAL = word_set(
    """optional nice good-to-have nice-to-have bonus plus extra extras advanced context
    context-specific depends depend depending sometimes situational beyond"""
)


_SECTION_NUMBER = re.compile(r"(^|› )\d+\)\s*")


def heading_text(heading: str) -> str:
    """A heading path without its section numbers ("18) AI …" must not match "18 months")."""
    return _SECTION_NUMBER.sub(r"\1", heading)


@functools.cache
def _LIST_STEMS() -> frozenset[str]:  # noqa: N802 - a constant, computed once
    return frozenset(key_of(w) for w in _LIST_WORDS)


@functools.cache
def _porter() -> Callable[[str], str]:
    # The same Porter algorithm as FTS5's ``porter`` tokenizer, so the index and the coverage
    # re-rank agree on what a word's stem is.
    stem_word: Callable[[str], str] = Stemmer.Stemmer("porter").stemWord
    return stem_word


@functools.lru_cache(maxsize=8192)
def key_of(word: str) -> str:
    """The matching key of a word: its Porter stem ("performer" and "performance" → "perform",
    "interviewers" and "interviews" → "interview")."""
    w = word.lower()
    return w if w.isdigit() else _porter()(w)


#: The word-rarity table shipped beside this module: ``word zipf`` lines (``#`` comments), every
#: word a question can contain whose Zipf frequency in English (wordfreq) is above ZIPF_FLOOR.
#: Regenerate it with ``uv run python -m scripts.english_zipf``.
ZIPF_FILE = "english_zipf.txt"
#: Rarer words than this weigh the cap whatever their frequency (``rarity_top − ZIPF_FLOOR`` ≥
#: ``unknown_word_idf``), so the table leaves them out.
ZIPF_FLOOR = 3.0


class ZipfTable:
    """The word-rarity table, kept as the file's text and searched in place.

    Held as a dict it took 5 MB of a server's memory; as text (0.4 MB) plus where each line
    starts, a lookup is a binary search over the lines, which the file keeps in word order.
    """

    def __init__(self, text: str) -> None:
        first = 0
        while text.startswith("#", first):  # the comment lines at the top
            first = text.index("\n", first) + 1
        self._text = text[first:]
        self._starts = array("I", [0])
        self._starts.extend(m.end() for m in re.finditer("\n", self._text))
        self._starts.pop()  # where the line after the last one would start

    def _word_at(self, start: int) -> str:
        return self._text[start : self._text.index(" ", start)]

    def __len__(self) -> int:
        return len(self._starts)

    def get(self, word: str) -> float | None:
        """The Zipf frequency of ``word``, or None when it is not listed."""
        i = bisect.bisect_left(self._starts, word, key=self._word_at)
        if i == len(self._starts) or self._word_at(self._starts[i]) != word:
            return None
        value = self._starts[i] + len(word) + 1
        return float(self._text[value : self._text.index("\n", value)])


@functools.cache
def _zipf_table() -> ZipfTable:
    return ZipfTable(resources.files(__package__).joinpath(ZIPF_FILE).read_text(encoding="utf-8"))


def zipf(word: str) -> float | None:
    """How common ``word`` is in general English (Zipf scale: 7 "the" … 1 very rare), when
    above :data:`ZIPF_FLOOR`; ``None`` for rarer and unknown words."""
    return _zipf_table().get(word)


NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "twelve": "12",
    "eighteen": "18",
    "twenty": "20",
    "thirty": "30",
    "sixty": "60",
    "ninety": "90",
}
_NUMBER_WORD = re.compile(
    r"\b(" + "|".join(k for k in NUMBER_WORDS if k != "one") + r")\b", re.IGNORECASE
)

_ACRONYM = re.compile(r"([A-Za-z][A-Za-z\- ]{3,60}?)\s+\(([A-Z][A-Za-z]{1,6})\)")


@dataclass(frozen=True)
class RetrievalTuning:
    """Numbers measured on the golden set (see docs/answers.md)."""

    candidates: int = 40
    #: Weight of a word the blueprint never uses: ``rarity_top − zipf`` (its general-English
    #: rarity) clamped to [min_unknown_weight, unknown_word_idf]. "kubernetes" (Zipf 2.3) weighs
    #: the maximum, "ultimately" (4.6) little, "can't" (5.8) the minimum.
    unknown_word_idf: float = 3.0
    min_unknown_weight: float = 0.3
    rarity_top: float = 6.0
    max_word_idf: float = 4.0
    weights: tuple[float, float, float] = (2.0, 3.0, 1.0)
    #: Hybrid with the semantic scorer: passages among the top ``semantic_candidates`` by cosine
    #: join BM25's candidates; score = lexical/1.25 + semantic_weight × cosine. The refusal
    #: confidence is coverage + confidence_cosine × cosine, calibrated at ``hybrid_threshold``
    #: and rescaled so that the answer policy's one threshold (``lexical_threshold``, the
    #: coverage calibration of BM25 alone) applies whichever mode is on.
    semantic_candidates: int = 20
    semantic_weight: float = 3.0
    confidence_cosine: float = 3.0
    hybrid_threshold: float = 0.95
    lexical_threshold: float = 0.45
    #: "Which X …?": a passage whose label names X scores × (1 + focus_label), one whose heading
    #: does × (1 + focus_heading), by the share of X's words they name.
    focus_label: float = 0.2
    focus_heading: float = 0.2
    #: A label that is nothing but X (with "top", "main", "key" …: "Top KPIs", "Main
    #: deliverables") is the blueprint's own list of X: × focus_list instead.
    focus_list: float = 2.2
    #: For a "which X" question, a passage of a section's optional sub-list (Optional,
    #: Context-specific, Good-to-have) scores × optional_factor unless the question asks about
    #: optional things: the core list comes first.
    optional_factor: float = 0.85

    def __post_init__(self) -> None:
        if self.rarity_top - ZIPF_FLOOR < self.unknown_word_idf:
            # Words at or below the floor would weigh less than the cap, but the table has none.
            raise ValueError(
                f"rarity_top − unknown_word_idf must be at least {ZIPF_FLOOR}, the word-rarity "
                "table's floor; lower ZIPF_FLOOR and run `uv run python -m scripts.english_zipf`"
            )


@dataclass(frozen=True)
class Concept:
    """One content word of a question with its alternatives (stems) and IDF weight."""

    word: str
    stems: frozenset[str]
    weight: float
    #: Multi-word alternatives ("60-day" → ("60", "day")): they count only when the whole phrase
    #: appears, in order.
    phrases: frozenset[tuple[str, ...]] = frozenset()


@dataclass(frozen=True)
class Query:
    """A question prepared for search: the words sent to BM25 and the concepts to cover."""

    text: str
    search_words: tuple[str, ...]
    concepts: tuple[Concept, ...]
    search_phrases: tuple[str, ...] = ()
    #: The concepts a "which/what X" question asks for (X), by word.
    focus: tuple[Concept, ...] = ()
    #: The question asks about optional things ("nice to have", "bonus").
    wants_optional: bool = False


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its scores."""

    chunk: Chunk
    score: float
    bm25: float
    coverage: float
    matched: frozenset[str] = field(default_factory=frozenset)
    #: Cosine similarity to the question (0 without a semantic scorer).
    similarity: float = 0.0
    #: What the refusal threshold is compared with: coverage, plus the weighted similarity when
    #: a semantic scorer is on.
    confidence: float = 0.0


def _acronyms(chunks: Sequence[Chunk]) -> dict[str, tuple[str, ...]]:
    """``large language model (LLM)`` → {"llm": (large, language, model), and the reverse}."""
    found: dict[str, tuple[str, ...]] = {}
    for chunk in chunks:
        for long, short in _ACRONYM.findall(f"{chunk.key}\n{chunk.body}"):
            long_words = [w for w in words(long) if w not in STOP_WORDS]
            initials = "".join(w[0] for w in long_words[-len(short) :])
            if initials.lower() == short.lower():
                key = short.lower()
                found[key] = tuple(long_words[-len(short) :])
    return found


class Retriever:
    """Search one blueprint's passages. Build once per plan; thread-safe."""

    def __init__(
        self,
        chunks: Sequence[Chunk],
        *,
        tuning: RetrievalTuning | None = None,
        semantic: SemanticScorer | None = None,
    ) -> None:
        self.tuning = tuning or RetrievalTuning()
        self.chunks = list(chunks)
        self.semantic = semantic
        self.index = SearchIndex(self.chunks, weights=self.tuning.weights)
        sequences = [
            [key_of(w) for w in words(f"{heading_text(c.heading)} {c.key} {c.body}")]
            for c in self.chunks
        ]
        self._stems = [frozenset(seq) for seq in sequences]
        self._label_stems = [frozenset(key_of(w) for w in words(c.key)) for c in self.chunks]
        self._heading_stems = [
            frozenset(key_of(w) for w in words(heading_text(c.heading))) for c in self.chunks
        ]
        self._optional = [
            bool(_OPTIONAL_HEADING.search(c.heading) or _OPTIONAL_TEXT.search(f"{c.key} {c.text}"))
            for c in self.chunks
        ]
        self._sequences = [f" {' '.join(seq)} " for seq in sequences]
        df: Counter[str] = Counter()
        for stems in self._stems:
            df.update(stems)
        n = len(self.chunks)
        self._idf = {s: math.log((n + 1) / (count + 0.5)) for s, count in df.items()}
        # Synonyms are keyed by stem, so "toggle" finds the entry for "toggles".
        self._synonyms: dict[str, tuple[str, ...]] = {}
        for word, alternatives in SYNONYMS.items():
            key = key_of(word)
            self._synonyms[key] = tuple(
                dict.fromkeys((*self._synonyms.get(key, ()), *alternatives))
            )
        acronyms = _acronyms(self.chunks)
        self._acronym_keys = frozenset(key_of(short) for short in acronyms)
        for short, long in acronyms.items():
            key = key_of(short)
            self._synonyms[key] = (*self._synonyms.get(key, ()), *long)
        self._phrases = [(re.compile(p, re.I), r) for p, r in PHRASES]
        _zipf_table()  # read now (~10 ms), not on the first question
        if self.semantic is not None:
            self.semantic.warm()

    @classmethod
    def for_blueprint(
        cls,
        blueprint: Blueprint,
        *,
        tuning: RetrievalTuning | None = None,
        semantic: SemanticScorer | None = None,
    ) -> Retriever:
        """A retriever over every passage of ``blueprint``."""
        return cls(chunk_blueprint(blueprint), tuning=tuning, semantic=semantic)

    def idf(self, stem_: str) -> float:
        """Inverse document frequency of a stem among the passages, capped (unknown: the tuning
        value). The cap keeps one rare word from outweighing the rest of the question."""
        if stem_ not in self._idf:
            return self.tuning.unknown_word_idf
        return min(self._idf[stem_], self.tuning.max_word_idf)

    def mentions(self, term: str) -> list[int]:
        """The passages that use ``term`` (every word, in order, any form of each)."""
        sequence = " ".join(key_of(w) for w in words(term))
        return [i for i, seq in enumerate(self._sequences) if f" {sequence} " in seq]

    def defines(self, term: str) -> bool:
        """Whether the blueprint says what ``term`` is: spells it out as an acronym ("large
        language model (LLM)"), has a passage, heading or table cell named for it ("Story cycle
        time", "pgvector"), or a sentence "TERM is/means/refers to …"."""
        keys = tuple(key_of(w) for w in words(term))
        if len(keys) == 1 and keys[0] in self._acronym_keys:
            return True
        for chunk in self.chunks:
            names = [chunk.key, chunk.heading.rsplit("›", 1)[-1]]
            if chunk.kind == "row":  # a tool named in a cell: its row says what it is for
                names += re.split(r"[|;/\n]|: ", chunk.body)
            for name in names:
                bare = re.sub(r"\([^)]*\)", " ", name)
                if tuple(key_of(w) for w in words(bare)) == keys:
                    return True
            pattern = re.escape(term) + r"\s+(is|are|means|refers to|stands for)\b"
            if re.search(pattern, chunk.text, re.IGNORECASE):
                return True
        return False

    def knows(self, word: str) -> bool:
        """Whether the blueprint uses ``word`` (any form of it: "pipelines" for "pipeline")."""
        return key_of(word) in self._idf

    def unknown_weight(self, word: str) -> float:
        """The weight of a word the blueprint never uses: high when it is rare in English too
        (probably what the question is about), low when it is everyday filler."""
        t = self.tuning
        frequency = zipf(word)
        if frequency is None:
            return t.unknown_word_idf
        return min(t.unknown_word_idf, max(t.min_unknown_weight, t.rarity_top - frequency))

    def prepare(self, question: str) -> Query:
        """Expand ``question`` into search words and weighted concepts."""
        text = _NUMBER_WORD.sub(lambda m: NUMBER_WORDS[m.group(0).lower()], question)
        stop = STOP_WORDS | EXTRA_STOP_WORDS
        additions: list[tuple[str, list[str]]] = []
        for pattern, replacement in self._phrases:
            found = [m.group(0) for m in pattern.finditer(text)]
            if found:
                # The phrase is one concept: the blueprint's words for it plus its own
                # meaningful words ("take-home" keeps "home"), not several loose words.
                own = [
                    w for f in found for w in words(f) if w not in stop and w not in GENERIC_WORDS
                ]
                additions.append((replacement, own))
                text = pattern.sub(" ", text)
        concepts: list[Concept] = []
        search: list[str] = []
        search_phrases: list[str] = []
        seen: set[str] = set()
        for replacement, own in additions:
            singles = list(own)
            phrases: set[tuple[str, ...]] = set()
            for token in replacement.split():
                token_words = words(token)
                if len(token_words) > 1:
                    # "60-day" is one phrase: "day" alone must not count (nor be searched).
                    phrases.add(tuple(key_of(w) for w in token_words))
                    search_phrases.append(" ".join(token_words))
                elif token_words and token_words[0] not in stop:
                    singles.append(token_words[0])
            stems = frozenset(key_of(w) for w in singles)
            search.extend(singles)
            phrase_stems = {s for p in phrases for s in p}
            if (stems or phrases) and not (stems | phrase_stems) <= seen:
                seen |= stems | phrase_stems
                weights = [self.idf(s) for s in stems] + [
                    max(self.idf(s) for s in p) for p in phrases
                ]
                concepts.append(Concept(replacement, stems, max(weights), frozenset(phrases)))
        for word in words(text):
            if word in stop:
                continue
            base = key_of(word)
            if base in seen:
                continue
            alternatives = self._synonyms.get(base, ())
            stems = frozenset({base, *(key_of(a) for w in alternatives for a in words(w))})
            seen |= stems
            if word not in GENERIC_WORDS:
                # Everyday words only add noise to BM25; they still count in coverage.
                search.append(word)
            search.extend(w for a in alternatives for w in words(a))
            known = [self.idf(s) for s in stems if s in self._idf]
            # A word the blueprint never uses counts against coverage by its rarity in English:
            # "kubernetes" is probably what the question is about, "ultimately" is not.
            weight = max(known) if known else self.unknown_weight(word)
            if word in GENERIC_WORDS:
                weight = min(weight, GENERIC_WEIGHT)
            concepts.append(Concept(word, stems, weight))
        focus_match = _FOCUS.search(question)
        focus_words = set(words(focus_match.group("focus"))) if focus_match else set()
        question_words = set(words(question))
        return Query(
            text=question,
            search_words=tuple(search),
            concepts=tuple(concepts),
            search_phrases=tuple(dict.fromkeys(search_phrases)),
            focus=tuple(c for c in concepts if c.word in focus_words),
            wants_optional=bool(question_words & _WANTS_OPTIONAL),
        )

    def _contains(self, concept: Concept, index: int) -> bool:
        if concept.stems & self._stems[index]:
            return True
        sequence = self._sequences[index]
        return any(f" {' '.join(p)} " in sequence for p in concept.phrases)

    def coverage(self, query: Query, index: int) -> tuple[float, frozenset[str]]:
        """IDF-weighted share of the question's concepts that passage ``index`` contains."""
        total = sum(c.weight for c in query.concepts)
        if total <= 0:
            return 0.0, frozenset()
        matched = [c for c in query.concepts if self._contains(c, index)]
        return sum(c.weight for c in matched) / total, frozenset(c.word for c in matched)

    def _prior(self, query: Query, index: int) -> float:
        """How much the passage's place in the blueprint suits the question (the ranking only;
        refusal confidence is left alone): for a "which X" question, a list named for X goes
        up and an optional sub-list goes down unless optional things are asked about."""
        t = self.tuning
        factor = 1.0
        if query.focus:
            total = sum(c.weight for c in query.focus)
            label = sum(c.weight for c in query.focus if c.stems & self._label_stems[index])
            heading = sum(c.weight for c in query.focus if c.stems & self._heading_stems[index])
            factor += (t.focus_label * label + t.focus_heading * heading) / total
            named = self._label_stems[index] - _LIST_STEMS()
            focus_stems = frozenset().union(*(c.stems for c in query.focus))
            if label == total and named and named <= focus_stems:
                factor = t.focus_list
        if query.focus and self._optional[index] and not query.wants_optional:
            factor *= t.optional_factor
        return factor

    def search(self, question: str | Query, *, limit: int = 5) -> list[Passage]:
        """The best passages for ``question``, best first (empty when nothing matches)."""
        query = question if isinstance(question, Query) else self.prepare(question)
        t = self.tuning
        hits = self.index.search(
            query.search_words, phrases=query.search_phrases, limit=t.candidates
        )
        bm25 = {h.index: h.score for h in hits}
        similarity: list[float] | None = None
        if self.semantic is not None:
            scores = self.semantic.scores(query.text)
            similarity = [float(x) for x in scores]
            ranked = sorted(range(len(similarity)), key=lambda i: -similarity[i])
            for i in ranked[: t.semantic_candidates]:
                bm25.setdefault(i, 0.0)
        if not bm25:
            return []
        top = max(bm25.values()) or 1.0
        passages = []
        for index, raw in bm25.items():
            cover, matched = self.coverage(query, index)
            lexical = (raw / top) * (0.25 + cover)
            if similarity is None:
                score, cosine, confidence = lexical, 0.0, cover
            else:
                cosine = similarity[index]
                score = lexical / 1.25 + t.semantic_weight * cosine
                raw_confidence = cover + t.confidence_cosine * cosine
                confidence = raw_confidence * t.lexical_threshold / t.hybrid_threshold
            score *= self._prior(query, index)
            passages.append(
                Passage(self.chunks[index], score, raw, cover, matched, cosine, confidence)
            )
        passages.sort(key=lambda p: -p.score)
        return passages[:limit]


__all__ = ["Concept", "Passage", "Query", "RetrievalTuning", "Retriever", "definition_term"]
