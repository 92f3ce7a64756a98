"""Persistence: engine, SQLModel tables, repositories and migrations. SQL lives here only."""
