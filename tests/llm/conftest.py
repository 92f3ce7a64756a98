"""Fixtures for the model backends: the loopback fake Messages API."""

from tests.support.claude import fake_api  # noqa: F401 - the fixture, offered to this folder
