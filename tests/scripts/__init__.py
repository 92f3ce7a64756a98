"""Tests of the maintenance scripts under scripts/."""
