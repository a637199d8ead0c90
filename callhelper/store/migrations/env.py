"""Alembic environment: runs on the connection the app hands over.

Migrations are written by hand (no autogenerate at run time), so this file
needs no metadata; ``render_as_batch`` lets later revisions alter SQLite tables.
"""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
