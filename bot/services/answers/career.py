"""Career questions: promotion, the rubric's dimensions and skills, next and adjacent roles.

:func:`career_question` recognises them offline ("what do I need for a promotion?", "how am I
doing on eval mindset?", "where can this role lead?") against the plan's ``growth:`` half, with a
dimension or skill named loosely (an abbreviation, one word of its title or id).
:func:`career_reply` answers in the blueprint's words — every promotion criterion with its
sub-bullets, a dimension's level anchors, the career paths — each line cited to its passage, then
the asker's own standing: their latest self and manager ratings and their evidence counts, read
through :class:`~bot.services.growth.GrowthService` as the asker. The subject is always the asker:
nobody else's ratings or evidence are ever read here. With Claude, :func:`career_passages` are the
sources and the ``read_my_growth`` tool hands over :func:`standing_text`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.chunks import Chunk, words
from bot.domain.errors import OnrampError
from bot.domain.plan import CareerPath, Growth, LoadedPlan, RubricDimension, Skill
from bot.services import answer_text as say
from bot.services.answers.extractive import cite_chunk
from bot.services.answers.results import EXTRACTIVE, PERSONAL, Answer, Citation, local_answer
from bot.services.growth import GrowthService, Item, Readiness
from bot.services.growth_rounds import Side, round_label
from bot.services.onboarding import Actor


class CareerTopic(StrEnum):
    """What a career question asks about."""

    PROMOTION = "promotion"  # what the next level asks for (and where the asker stands on it)
    DIMENSION = "dimension"  # one rubric dimension or skill: its anchors, the asker's standing
    STANDING = "standing"  # "how am I doing on my growth?": every dimension, the asker's standing
    PATHS = "paths"  # next and adjacent roles


@dataclass(frozen=True)
class CareerQuestion:
    """A recognised career question (``dimension`` or ``skill`` for a dimension question)."""

    topic: CareerTopic
    dimension: RubricDimension | None = None
    skill: Skill | None = None
    #: First person ("I", "my"): the asker's own standing is part of the answer.
    about_me: bool = False
    #: Asked by an operator looking as the asker (``onramp ask --as``): their private evidence is
    #: not counted, as ``onramp growth --as`` never shows it.
    impersonated: bool = False


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


_FIRST_PERSON = _rx(r"\b(i|me|my|mine|i'm|im|i've|myself)\b")
_PROMOTION = _rx(
    r"\b(promot\w*|promo|next level|level(l?ing)? up|career ladder|"
    r"(get|getting|reach|reaching|become|becoming|make it|move|moving|step|stepping|go|going)"
    r"\s+(up\s+)?(to\s+)?(a\s+|the\s+)?(mid|mid-level|mid level|senior|next level)|"
    r"junior\s*(to|→|->)\s*mid)\b"
)
_PATHS = _rx(
    r"\b(career (paths?|options?|moves?|progression|trajectory|growth)|"
    r"next (roles?|jobs?|positions?|career steps?)|adjacent (roles?|paths?|careers?)|"
    r"next (steps?|moves?) (in|for) (my|the|a|one's) career|"
    r"career[- ]wise|where do (people|juniors|engineers|folks|most)\b[^?.]{0,40}\bgo|"
    r"(roles?|jobs?|positions?)( \w+)? (after|beyond) (this|my)|after this (role|job|position)|"
    r"(where|what) (can|could|does|do|might|will) (i|this role|the role|this job|it|a junior)"
    r"( \w+)? (go|lead|head)|lead to in terms of career|terms of career|"
    r"(can|could|might) i (become|grow into|move into|move on to|switch to|transition)|"
    r"grow into|move into|move on to|progress to)\b"
)
_STANDING = _rx(
    r"\bmy (growth|career( progress)?|ratings?|rubric|scorecard|evidence|readiness|wins)\b|"
    r"\b(am i ready|how ready am i|readiness|rubric|scorecard|rates? me|rated on|"
    r"assessed (on|against)|evaluated (on|against)|judged (on|against))\b"
)
#: The asker asking how they stand on a dimension or skill: it may be named loosely ("eval").
_MY_STANDING = _rx(
    r"\b(how am i|how'?m i|how'?s my|how is my|how good am i|how well am i|how strong am i|"
    r"where do i stand|where am i|am i (good|strong|weak|ok|okay|doing)|"
    r"my (rating|ratings|level|score|scores)|rates? (me|my)|good at|better at|"
    r"(improve|improving|grow|growing) (my|at|on|in)|"
    r"get better)\b"
)
#: Asking what a level looks like, or how it is rated: the dimension must be named outright,
#: since "what does a safe rollout look like?" is a role question, not the safety dimension.
_ANCHORS = _rx(
    r"\b(rated|rating|ratings|scored|(what|which) levels?|levels? (on|in|for|of)|looks? like|"
    r"excellent|acceptable|below (the )?bar|anchors?|rubric|scorecard|dimension|assessed|"
    r"evaluated on|judged on|measured on|bar for)\b"
)
#: Words of a dimension's or skill's title too general to name it on their own.
_GENERIC = frozenset(
    words(
        "and for the of with a an to in on basics fundamentals mindset software development "
        "skills skill discipline thinking attention detail handling clear strong product users"
    )
)
#: "Which skills could I grow into?" asks about skills, not roles.
_SKILLS = _rx(r"\bskills?\b")
#: A question about a milestone or a phase is about the onboarding plan, not the rubric.
_PLAN_WORDS = _rx(r"\b(milestones?|tasks?|day[- ]?\d+|phase|checklist|onboarding)\b")


def career_question(question: str, growth: Growth) -> CareerQuestion | None:
    """The career question ``question`` asks, or ``None`` (a plan without growth has none)."""
    if not (growth.rubric or growth.promotion or growth.paths):
        return None
    about_me = bool(_FIRST_PERSON.search(question))
    if growth.promotion and _PROMOTION.search(question):
        return CareerQuestion(CareerTopic.PROMOTION, about_me=about_me)
    if growth.paths and _PATHS.search(question) and not _SKILLS.search(question):
        return CareerQuestion(CareerTopic.PATHS, about_me=about_me)
    if _PLAN_WORDS.search(question):
        return None
    loose = bool(_MY_STANDING.search(question))
    named = _named(question, growth, loose=loose) if loose or _ANCHORS.search(question) else None
    if named is not None:
        dimension = named if isinstance(named, RubricDimension) else None
        skill = named if isinstance(named, Skill) else None
        return CareerQuestion(
            CareerTopic.DIMENSION, dimension=dimension, skill=skill, about_me=about_me
        )
    if about_me and growth.rubric and _STANDING.search(question):
        return CareerQuestion(CareerTopic.STANDING, about_me=True)
    return None


def _keys(*texts: str) -> frozenset[str]:
    found = {w for text in texts for w in words(text.replace("-", " ").replace("/", " "))}
    return frozenset(w for w in found if w not in _GENERIC and len(w) > 1)


def _names(asked: str, key: str, *, loose: bool) -> bool:
    """Whether a word of the question names ``key``: the word itself, its plural, or an
    abbreviation of at least four letters ("eval" for evaluation, "debug" for debugging)."""
    return asked in (key, key + "s") or (loose and len(asked) >= 4 and key.startswith(asked))


def _named(question: str, growth: Growth, *, loose: bool) -> RubricDimension | Skill | None:
    """The rubric dimension (or, failing one, the skill) the question names best."""
    asked = set(words(question.replace("-", " ").replace("/", " ")))
    for entries in (growth.rubric, growth.skills):
        best: RubricDimension | Skill | None = None
        best_hits = 0
        for entry in entries:
            hits = sum(
                1
                for key in _keys(entry.title, entry.id)
                if any(_names(a, key, loose=loose) for a in asked)
            )
            if hits > best_hits:
                best, best_hits = entry, hits
        if best is not None:
            return best
    return None


# --- the blueprint's passages -------------------------------------------------------------------


def _chunk_for(chunks: Sequence[Chunk], section_id: str, *texts: str) -> Chunk | None:
    """The passage of ``section_id`` that quotes ``texts`` (or whose label opens the first)."""
    inside = [c for c in chunks if c.section_id == section_id]
    folded = [" ".join(t.split()).lower() for t in texts if t]
    for chunk in inside:
        body = " ".join(chunk.text.split()).lower()
        if folded and all(t in body for t in folded):
            return chunk
    for chunk in inside:
        if chunk.key and folded and folded[0].startswith(chunk.key.lower()):
            return chunk
    return inside[0] if inside else None


def _dimension_chunk(chunks: Sequence[Chunk], d: RubricDimension) -> Chunk | None:
    return _chunk_for(chunks, d.source, d.title, *(level.anchor for level in d.levels))


def _path_chunk(chunks: Sequence[Chunk], p: CareerPath) -> Chunk | None:
    return _chunk_for(chunks, p.source, p.title, p.detail or "")


def career_passages(career: CareerQuestion, growth: Growth, chunks: Sequence[Chunk]) -> list[Chunk]:
    """The blueprint passages a career answer rests on, in plan order, each once."""
    found: list[Chunk | None]
    if career.topic is CareerTopic.PROMOTION:
        found = [_chunk_for(chunks, c.source, c.detail, *c.includes) for c in growth.promotion]
    elif career.topic is CareerTopic.PATHS:
        found = [_path_chunk(chunks, p) for p in growth.paths]
    elif career.dimension is not None:
        found = [_dimension_chunk(chunks, career.dimension)]
    elif career.skill is not None:
        s = career.skill
        found = [_chunk_for(chunks, s.source, s.detail or s.title)]
    else:
        found = [_dimension_chunk(chunks, d) for d in growth.rubric]
    unique: list[Chunk] = []
    for chunk in found:
        if chunk is not None and chunk not in unique:
            unique.append(chunk)
    return unique


def _line(text: str, chunk: Chunk | None) -> str:
    return f"• {text}" if chunk is None else cite_chunk(text, chunk)


# --- the asker's own standing -------------------------------------------------------------------


def own_readiness(
    growth: GrowthService, asker: Actor | None, plan_id: str, *, impersonated: bool = False
) -> Readiness | None:
    """The asker's own readiness on ``plan_id`` as they see it (all of their evidence, their
    ratings; without private evidence when ``impersonated``), or ``None`` when they have none
    there. Never anyone else's: the hire read is the asker's own user id."""
    if asker is None or asker.user_id is None or asker.operator:
        return None
    try:
        mine = growth.readiness(actor=asker, hire=asker.user_id, impersonated=impersonated)
    except OnrampError:
        return None
    return mine if mine.plan == plan_id else None


def _ratings(item: Item) -> str:
    """The latest revealed self and manager levels, by the blueprint's labels (and their round)."""

    def side(rated: tuple[str, Side] | None) -> str:
        return "not yet" if rated is None else f"{rated[1].label} ({round_label(rated[0])})"

    mine, boss = item.ratings.self_side, item.ratings.manager_side
    if mine is None and boss is None:
        return "ratings: none yet"
    return f"your rating: {side(mine)}, your manager's: {side(boss)}"


def _evidence(count: int, corroborated: int) -> str:
    noun = "piece" if count == 1 else "pieces"
    extra = f", {corroborated} corroborated" if corroborated else ""
    return f"evidence: {count} {noun}{extra}"


def standing_text(mine: Readiness, career: CareerQuestion) -> str:
    """The asker's own standing for a career question: ratings and evidence counts, no verdict."""
    lines = [STANDING_HEAD]
    if career.topic is CareerTopic.PROMOTION:
        lines += [
            f"• {c.title} — {_evidence(c.evidence.count, c.evidence.corroborated)}"
            for c in mine.promotion
        ]
    wanted = None if career.dimension is None else career.dimension.id
    if career.topic is not CareerTopic.PATHS and career.skill is None:
        for item in mine.dimensions:
            if wanted is None or item.id == wanted:
                count = item.evidence
                lines.append(
                    f"• {item.title} — {_ratings(item)}; "
                    f"{_evidence(count.count, count.corroborated)}"
                )
    lines.append(
        MILESTONES.format(done=mine.milestones_done, total=mine.milestones_total)
        if career.topic is not CareerTopic.DIMENSION
        else NO_VERDICT
    )
    return "\n".join(lines)


STANDING_HEAD = "Where you stand (your own record only):"
MILESTONES = (
    "Milestones done: {done} of {total}. No verdict here: readiness is a conversation with your "
    "manager — `/onramp growth` shows the whole view, `/onramp win` records evidence."
)
NO_VERDICT = (
    "No verdict here: `/onramp growth` shows the whole view, `/onramp win` records evidence."
)
NOT_ON_PLAN = (
    "You're not on an Onramp plan, so there are no ratings or evidence of yours to show; "
    "ask your manager to enroll you."
)


# --- the answer -----------------------------------------------------------------------------


def career_reply(
    career: CareerQuestion,
    *,
    loaded: LoadedPlan,
    chunks: Sequence[Chunk],
    mine: Readiness | None,
    asker: Actor | None,
    prompt_version: str,
) -> Answer:
    """The offline answer: the blueprint's words for the question, cited, then the asker's own
    standing when they asked about themselves (``mine``: their readiness, if any)."""
    growth = loaded.plan.growth
    role = loaded.plan.title
    passages = career_passages(career, growth, chunks)
    lines = [_blueprint_lines(career, growth, chunks, role)]
    if career.topic is not CareerTopic.PATHS:
        if mine is not None and career.about_me:
            lines.append(standing_text(mine, career))
        elif career.about_me and asker is not None and asker.user_id and not asker.operator:
            lines.append(NOT_ON_PLAN)
    personal = mine is not None and career.about_me and career.topic is not CareerTopic.PATHS
    return local_answer(
        "\n".join(lines),
        PERSONAL if personal else EXTRACTIVE,
        prompt_version=prompt_version,
        citations=tuple(Citation.of(c) for c in passages),
        personal=personal,
    )


def _blueprint_lines(
    career: CareerQuestion, growth: Growth, chunks: Sequence[Chunk], role: str
) -> str:
    lines = [say.INTRO.format(role=role)]
    if career.topic is CareerTopic.PROMOTION:
        for c in growth.promotion:
            text = " ".join([c.detail, *c.includes])
            lines.append(_line(text, _chunk_for(chunks, c.source, c.detail, *c.includes)))
    elif career.topic is CareerTopic.PATHS:
        for kind, head in (("next", "Next roles"), ("adjacent", "Adjacent paths")):
            chosen = [p for p in growth.paths if p.kind == kind]
            if chosen:
                lines.append(f"{head}:")
            lines += [
                _line(f"{p.title}: {p.detail}" if p.detail else p.title, _path_chunk(chunks, p))
                for p in chosen
            ]
    elif career.skill is not None:
        s = career.skill
        label = f" ({s.importance})" if s.importance else ""
        detail = f": {s.detail}" if s.detail else ""
        lines.append(
            _line(f"{s.title}{label}{detail}", _chunk_for(chunks, s.source, s.detail or s.title))
        )
    else:
        chosen_dims = [career.dimension] if career.dimension is not None else growth.rubric
        for d in chosen_dims:
            if d is None:
                continue
            anchors = " · ".join(f"{level.label}: {level.anchor}" for level in reversed(d.levels))
            lines.append(_line(f"{d.title} — {anchors}", _dimension_chunk(chunks, d)))
    return "\n".join(lines)
