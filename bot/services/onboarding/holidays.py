"""Holiday countries as people type them: ``DE-BY`` for ``de-by``, ``none`` for the default.

A person's check-ins skip their country's public holidays (``person.holiday_country``); a code
is accepted only if the ``holidays`` package — exactly what the check-in engine asks — knows it,
and a refusal says how to find a valid one.
"""

from __future__ import annotations

import re

import holidays as holidays_lib

from bot.domain.errors import InvalidInput
from bot.domain.schedule import public_holidays

#: Words that clear a person's holiday country, so the workspace default applies again.
DEFAULT_HOLIDAYS = frozenset({"none", "default"})
#: Where every country and subdivision code the ``holidays`` package knows is listed.
HOLIDAY_CODES_URL = "https://holidays.readthedocs.io/en/latest/#available-countries"
# ISO 3166-1 alpha-2/3, optionally "-" and an ISO 3166-2 subdivision: fits person.holiday_country.
_HOLIDAY_CODE = re.compile(r"^([A-Z]{2,3})(?:-([A-Z0-9]{1,3}))?$")
_SUBDIVISIONS_SHOWN = 60


def parse_holiday_country(text: str) -> str | None:
    """The stored form of a holiday country as typed: ``DE-BY`` for ``de-by``, ``None`` for
    ``none`` or ``default``. Raise :class:`InvalidInput` saying how to find a valid code."""
    word = text.strip()
    if word.lower() in DEFAULT_HOLIDAYS:
        return None
    code = word.upper()
    match = _HOLIDAY_CODE.match(code)
    if match is not None:
        try:
            public_holidays(code)  # exactly what the check-in engine will ask for
        except InvalidInput:
            pass
        else:
            return code
    raise InvalidInput(_unknown_holidays(word, match))


def _unknown_holidays(word: str, match: re.Match[str] | None) -> str:
    shown = re.sub(r"[^\w -]", "", word)[:20]  # spaces stay: "DE BY" reads as typed
    supported: dict[str, list[str]] = holidays_lib.list_supported_countries()
    if match is not None and match.group(2) and match.group(1) in supported:
        country, subdivision = match.groups()
        # Only ISO-style codes: the engine reads codes upper-cased, names would not match.
        codes = sorted(c for c in supported[country] if re.fullmatch(r"[A-Z0-9]{1,3}", c))
        listed = ", ".join(codes[:_SUBDIVISIONS_SHOWN])
        more = f", … (every code: {HOLIDAY_CODES_URL})" if len(codes) > _SUBDIVISIONS_SHOWN else ""
        hint = f"use one of {listed}{more}, or {country} alone" if codes else f"use {country}"
        return (
            f"Unknown holiday subdivision '{shown}': {country} has no subdivision "
            f"'{subdivision}' in the holiday calendars; {hint}."
        )
    return (
        f"Unknown holiday country '{shown}': use an ISO 3166 code such as US, GB, DE or DE-BY "
        f"(every code: {HOLIDAY_CODES_URL}), or 'none' for the workspace default."
    )
