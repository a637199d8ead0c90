"""Statements on the hot paths (a note saved at Enter, a caller looked up while the phone
rings, the rows of an export), compiled once for each kind of database and run straight on
the DB-API connection of a SQLAlchemy connection, in its transaction.

This leans on parts of SQLAlchemy that are not its public API: a compiled statement's
``positiontup`` (the order of positional parameters) and ``DBAPIError.instance`` (how it
wraps a driver's error); repository.loaded leans on the ORM's ``manager_of_class(...)
.new_instance()`` and on SQLModel keeping a row's values in the instance's ``__dict__``.
They are what makes a save take a fraction of a millisecond; pyproject.toml pins SQLAlchemy
and SQLModel below their next minor release for them, and the store's tests run every one
of these paths: check them again before widening those bounds.

SQLAlchemy's execution of a ready statement (its cache lookup, parameter processing, result
wrapping) costs several times what SQLite takes to run a one-row statement. Here a statement
is turned into the driver's SQL and parameter order once; values are converted by the
columns' own types (``types``: a parameter's name to its SQLAlchemy type, for times and JSON
lists), and a failure is raised as SQLAlchemy would raise it (``sqlalchemy.exc``, parameters
hidden: they are what customers said), so callers tell faults apart as they always have.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.types import TypeEngine


class Compiled:
    """One statement, given as SQL text with ``:name`` parameters or as a Core statement."""

    def __init__(self, statement: str | ClauseElement,
                 types: Mapping[str, TypeEngine] | None = None) -> None:
        self.statement = text(statement) if isinstance(statement, str) else statement
        self.types = dict(types or {})
        self._forms: dict[str, tuple[str, tuple[str, ...] | None,
                                     dict[str, Callable[[Any], Any]]]] = {}

    def _form(self, dialect: Dialect):
        form = self._forms.get(dialect.name)
        if form is None:
            compiled = self.statement.compile(dialect=dialect)
            converters = {name: converter for name, type_ in self.types.items()
                          if (converter := type_.dialect_impl(dialect).bind_processor(dialect))
                          is not None}
            form = self._forms[dialect.name] = (
                str(compiled), tuple(compiled.positiontup) if compiled.positional else None,
                converters)
        return form

    def _arguments(self, form, params: Mapping[str, Any]):
        _sql, order, converters = form
        if converters:
            params = {name: converters[name](value) if name in converters else value
                      for name, value in params.items()}
        return tuple(params[name] for name in order) if order is not None else params

    def rows(self, connection: Connection, params: Mapping[str, Any]) -> list[tuple]:
        """Run the statement; the rows it returns."""
        with self._executed(connection, params) as cursor:
            return cursor.fetchall()

    def batches(self, connection: Connection, params: Mapping[str, Any],
                size: int) -> Iterator[list[tuple]]:
        """Run the statement; the rows it returns, ``size`` at a time (a large result)."""
        with self._executed(connection, params) as cursor:
            while batch := cursor.fetchmany(size):
                yield batch

    def run(self, connection: Connection, params: Mapping[str, Any]) -> None:
        """Run a statement that returns no rows."""
        with self._executed(connection, params):
            pass

    def run_many(self, connection: Connection, rows: list[Mapping[str, Any]]) -> None:
        """Run a statement that returns no rows once for each set of parameters."""
        if rows:
            with self._executed(connection, rows, many=True):
                pass

    @contextlib.contextmanager
    def _executed(self, connection: Connection, params, many: bool = False):
        """The driver's cursor with the statement executed; a driver's failure, then or
        while the rows are read, is raised as SQLAlchemy raises it."""
        dialect = connection.dialect
        form = self._form(dialect)
        sql = form[0]
        arguments = [self._arguments(form, row) for row in params] if many else \
            self._arguments(form, params)
        driver_error = dialect.loaded_dbapi.Error
        cursor = connection.connection.cursor()
        try:
            if many:
                cursor.executemany(sql, arguments)
            else:
                cursor.execute(sql, arguments)
            yield cursor
        except driver_error as error:
            raise DBAPIError.instance(sql, arguments, error, driver_error, hide_parameters=True,
                                      dialect=dialect, ismulti=many) from error
        finally:
            cursor.close()
