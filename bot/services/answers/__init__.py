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

The modules, in reading order:

- :mod:`~bot.services.answers.service` — :class:`Answers`: steps 1–3 and 6, and the choice of
  who answers;
- :mod:`~bot.services.answers.personal` — step 4 offline: focus, what remains, progress, and
  "I finished X";
- :mod:`~bot.services.answers.extractive` — step 5 offline: the passages quoted, or a refusal;
- :mod:`~bot.services.answers.claude` — step 5 (and 4) with Claude: the request, its tools, the
  citations kept;
- :mod:`~bot.services.answers.cache` and :mod:`~bot.services.answers.qa_log` — what is served
  again, and what is logged;
- :mod:`~bot.services.answers.results` and :mod:`~bot.services.answers.port` — the values passed
  around: an answer, its citations and cost, the policy; what a model is asked and answers.
"""

from bot.services.answers.extractive import EXTRA_SCORE, query_stems, select_passages
from bot.services.answers.port import (
    TOOLS,
    AnswerModel,
    ModelCitation,
    ModelReply,
    ModelRequest,
    ModelUnavailable,
    ReadMyProgress,
    SourcePassage,
    ToolRunner,
    ToolSpec,
    UpdateMyMilestone,
    Usage,
)
from bot.services.answers.results import (
    ANTHROPIC,
    EXTRACTIVE,
    FALLBACK,
    GUARDRAIL,
    PERSONAL,
    QUESTION_LIMIT,
    Answer,
    AnswerPolicy,
    BackendName,
    Citation,
    Prices,
    cited_sections,
    normalize_question,
)
from bot.services.answers.service import SOCIAL, Answers

__all__ = [
    "ANTHROPIC",
    "EXTRACTIVE",
    "EXTRA_SCORE",
    "FALLBACK",
    "GUARDRAIL",
    "PERSONAL",
    "QUESTION_LIMIT",
    "SOCIAL",
    "TOOLS",
    "Answer",
    "AnswerModel",
    "AnswerPolicy",
    "Answers",
    "BackendName",
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
    "cited_sections",
    "normalize_question",
    "query_stems",
    "select_passages",
]
