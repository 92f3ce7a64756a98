"""Growth tests drive the real Slack stack as the Slack tests do: their fixtures, shared."""

from tests.slack.conftest import (  # noqa: F401 - the Slack stack's fixtures
    container,
    credentials,
    enrolled,
    events_url,
    home,
    runtime,
    sandbox,
    settings,
    slack,
)
