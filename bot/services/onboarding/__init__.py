"""Onboarding: enrolling hires and tracking their milestones, the use cases behind `/onramp`
and the CLI. Everything is imported from here, as it was before the package; read in order:

1. :mod:`.service` — :class:`Onboarding`: people, enrollment, milestone marks, lifecycle
   changes and the reads (progress, team, mentees, overview, export), each one unit of work
   with a permission check and an audit row for every change.
2. :mod:`.views` — what it takes and gives: :class:`Actor`, :class:`Profile`,
   :class:`EnrollmentReport`, :class:`Overview`, :class:`ProgressChange` and the
   :class:`ProgressObserver` port.
3. :mod:`.reports` — :class:`Reports`: enrollments placed on their hires' calendars.
4. :mod:`.holidays` — :func:`parse_holiday_country`: holiday codes as people type them.
"""

from bot.services.onboarding.holidays import (
    DEFAULT_HOLIDAYS,
    HOLIDAY_CODES_URL,
    parse_holiday_country,
)
from bot.services.onboarding.reports import Reports
from bot.services.onboarding.service import NOTE_LIMIT, Onboarding
from bot.services.onboarding.views import (
    Actor,
    EnrollmentReport,
    HolidayCountry,
    LastCheckin,
    Overview,
    PersonView,
    Profile,
    ProgressChange,
    ProgressObserver,
)

__all__ = [
    "DEFAULT_HOLIDAYS",
    "HOLIDAY_CODES_URL",
    "NOTE_LIMIT",
    "Actor",
    "EnrollmentReport",
    "HolidayCountry",
    "LastCheckin",
    "Onboarding",
    "Overview",
    "PersonView",
    "Profile",
    "ProgressChange",
    "ProgressObserver",
    "Reports",
    "parse_holiday_country",
]
