"""Maintenance scripts: run each with ``uv run python -m scripts.NAME``."""
