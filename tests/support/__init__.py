"""Test helpers shared across test packages (fixtures stay in each package's conftest.py)."""
