"""The model port: what the answer service hands a chat model, what it gets back, and the tools.

Backends reach Anthropic only through :class:`AnswerModel`; the adapter lives in
:mod:`bot.llm.anthropic_backend`. The tools (:data:`TOOLS`) never take a user id: their scope is
the asker.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field


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
    #: Why the model stopped: ``end_turn`` / ``stop_sequence`` (a complete answer),
    #: ``max_tokens`` (cut off), ``refusal`` (declined), ``tool_use`` (tools still wanted).
    stop_reason: str | None = None


class ModelUnavailable(Exception):
    """The model could not answer (error, timeout, overload); the reason is safe to log.

    ``note``, when given, is the sentence shown with the offline answer (it names what went
    wrong: a setting an admin should fix, or a busy Claude); ``kind`` is ``configuration`` or
    ``transient``."""

    def __init__(self, reason: str, *, note: str | None = None, kind: str = "transient") -> None:
        super().__init__(reason)
        self.note = note
        self.kind = kind

    #: Set by the backend when the failure came after earlier rounds: the tokens they spent and
    #: each tool that already ran with what it returned. The fallback keeps the one (cost) and
    #: never repeats the other (a milestone update is not applied twice).
    usage: Usage | None = None
    tool_results: tuple[tuple[str, str], ...] = ()


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


class ReadMyGrowth(BaseModel):
    """Input of ``read_my_growth`` (none: the subject is always the asker)."""

    model_config = ConfigDict(extra="forbid")


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

#: Offered with career questions the asker puts about themselves (bot.services.answers.career).
READ_MY_GROWTH = ToolSpec(
    "read_my_growth",
    "Read the asker's own growth record: their latest self and manager ratings per rubric "
    "dimension and their evidence counts per dimension and promotion criterion. Takes no user "
    "id: it is always the asker; nobody else's record can be read.",
    ReadMyGrowth.model_json_schema(),
)
