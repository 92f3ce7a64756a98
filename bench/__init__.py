"""Benchmarks of design §10: ``uv run python bench/run.py [--quick] [--json]``."""
