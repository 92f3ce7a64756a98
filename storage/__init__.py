"""Persistence: engine, SQLModel tables, repositories and Alembic migrations. SQL lives here only."""
