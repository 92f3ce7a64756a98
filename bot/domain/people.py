"""How people are named in commands: Slack mentions, user ids and @names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.errors import InvalidInput
from bot.domain.guardrails import strip_broadcasts

_MENTION = re.compile(r"^<@([UW][A-Z0-9]{2,30})(?:\|([^>]*))?>$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,30}$")
_NAME = re.compile(r"^@?([\w.\-]{1,80})$", re.UNICODE)


@dataclass(frozen=True)
class UserRef:
    """A reference to a person as typed: a Slack user id, or a name to look up."""

    user_id: str | None
    name: str | None

    @property
    def text(self) -> str:
        """How to show the reference back to the person who typed it."""
        return f"<@{self.user_id}>" if self.user_id else f"@{self.name}"


def parse_user_ref(text: str) -> UserRef:
    """Parse ``<@U123|ana>``, ``<@U123>``, ``U123`` or ``@ana``; raise with the accepted forms."""
    token = text.strip()
    mention = _MENTION.match(token)
    if mention:
        return UserRef(user_id=mention.group(1), name=mention.group(2) or None)
    if _USER_ID.match(token):
        return UserRef(user_id=token, name=None)
    name = _NAME.match(token)
    if name:
        return UserRef(user_id=None, name=name.group(1))
    raise InvalidInput(
        f"'{strip_broadcasts(token[:80])}' is not a person; mention them like @ana "
        "or give a Slack user id like U0123ABC"
    )
