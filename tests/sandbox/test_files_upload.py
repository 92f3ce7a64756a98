"""The sandbox's file uploads, as `files_upload_v2` makes them: the bytes are kept for a test."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sandbox import SlackSandbox


def test_an_upload_is_kept_byte_for_byte_and_a_file_never_uploaded_is_refused() -> None:
    """files_upload_v2 to a user id lands in their DM with its bytes; completing a file id whose
    bytes never came is `file_not_found`, as on Slack."""
    with SlackSandbox() as slack:
        slack.add_user("U0ANA", "ana")
        client = WebClient(token=slack.bot_token, base_url=slack.api_url)
        body = "<p>é &amp; ü</p>".encode()
        client.files_upload_v2(channel="U0ANA", content=body, filename="p.html", title="P")
        [uploaded] = slack.files("U0ANA")
        assert (uploaded.content, uploaded.title, uploaded.channel) == (body, "P", "D0ANA")
        begun = client.files_getUploadURLExternal(filename="x.html", length=3)
        with pytest.raises(SlackApiError, match="file_not_found"):
            client.files_completeUploadExternal(files=[{"id": begun["file_id"], "title": "x"}])
