"""The people of the service tests, called by what they are to the hire (the ``onboarding``
fixture makes U0ADMIN its only admin); the services run on the shared ``onboarding`` fixture."""

from __future__ import annotations

PLAN = "junior-llm-engineer"
HIRE = "UHIRE"
BOSS = "UBOSS"
MENTOR = "UMENTOR"
#: Manages someone else.
OTHER_BOSS = "UBOSS2"
ADMIN = "U0ADMIN"
#: Known to Onramp, related to nobody.
STRANGER = "USTRANGE"
NEWBIE = "UNEWBIE"
