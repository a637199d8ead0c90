"""Persistence: SQLModel tables, the engine and its pragmas, migrations, repository functions."""
