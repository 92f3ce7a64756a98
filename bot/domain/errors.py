"""Domain errors: one small class per kind, each message saying what was wrong and how to fix it.

They are turned into friendly text once, at the edge (CLI, Slack); users never see a stack trace.
"""

from __future__ import annotations


class OnrampError(Exception):
    """Base class: the message is safe to show to the person who caused it."""

    exit_code = 1


class InvalidInput(OnrampError):
    """The request itself is malformed: a bad date, an unknown status, a missing argument."""

    exit_code = 2


class NotFound(OnrampError):
    """A person, plan, enrollment or milestone that does not exist."""


class Conflict(OnrampError):
    """The request clashes with the current state (a second active enrollment, a paused plan)."""


class PermissionDenied(OnrampError):
    """The actor may not do this; the message never reveals anything about the subject."""


class PlanError(OnrampError):
    """A plan or blueprint file is invalid; each problem names file, line, field and a fix."""

    exit_code = 2

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class ConfigError(OnrampError):
    """A setting is missing or malformed; the message names it and where to set it."""

    exit_code = 2
