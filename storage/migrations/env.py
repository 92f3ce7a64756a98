"""Alembic environment: runs online against the engine handed over by ``storage.migrate``."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import storage.models  # noqa: F401  - registers the tables on SQLModel.metadata

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        # SQLite cannot ALTER most things in place; batch mode rebuilds tables when needed.
        # Rebuilding person or enrollment must drop and recreate the triggers of 0004.
        render_as_batch=True,
        compare_type=True,
    )
    context.run_migrations()
