"""Onramp: a Slack bot that carries a new hire from day 1 to month 12."""

__version__ = "0.1.0"
