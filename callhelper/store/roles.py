"""Team mode's permissions on a PostgreSQL server: group roles, grants and row rules.

Three kinds of login share a team's database (docs/team-mode.md):

- the **owner** of the database and of every table (the role the migrations run as). It is
  the administrator: it upgrades the schema, runs ``callhelper team setup``, adds logins,
  purges old cases. As the tables' owner it is not bound by the row rules below.
- **agents**, members of ``callhelper_agent``: they read everything (a caller's history is
  shared by every agent who picks up) and add calls, notes, cases, customers, decisions on
  flags and audit entries. They may change or delete only their own notes (``note.agent``
  is the login's name), add notes, calls, decisions on flags and audit entries only under
  their own name, and never change or remove a decision (a later one replaces it) or an
  audit entry. They may update cases, calls and customers, which several agents
  work on in turn.
- **supervisors**, members of ``callhelper_supervisor``: they read everything (the review,
  ``callhelper verify``, exports) and change nothing.

A login may be in both groups (a supervisor who also takes calls).

How the rules are enforced:

- table privileges: every table is readable by both groups; agents may also insert into
  every table, and update or delete only where ``AGENT_MAY`` says; the schema's version table
  is read-only. Tables added by later migrations get the same default (read, and insert for
  agents) through ``ALTER DEFAULT PRIVILEGES``; running ``set_up`` again after an upgrade
  applies the full list again.
- row-level security on ``note``, ``contact``, ``flag_review`` and ``audit_entry``: a new
  row must carry the login's own name (``agent``, or ``actor`` for a decision on a flag and
  for the trail).
- a trigger on ``note`` that refuses, with a message naming the note and its author, an
  update or deletion of another agent's note (row rules alone would silently skip such a
  row, and the app would then record a change that did not happen). The one change allowed
  on another agent's note is marking a promise kept (``done_at``, ``done_by``, by oneself),
  as the history window offers for every promise of a caller.
- the audit trail's own triggers (migration 0007) refuse updates and deletions for everyone,
  the owner included, except the purge's removal of deleted records' words.

Everything here is idempotent: ``set_up`` and ``add_member`` may run any number of times.
The owner needs the ``CREATEROLE`` attribute to make the group roles and logins (or a
superuser makes them first).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.engine import Connection

AGENT = "callhelper_agent"
SUPERVISOR = "callhelper_supervisor"
GROUPS = (AGENT, SUPERVISOR)

#: What agents may do besides reading and inserting; tables not named here: nothing more.
#: ``note``: only their own notes (the trigger below); ``customer_phone``: a customer's
#: numbers are replaced as a set.
AGENT_MAY = {
    "customer": ("UPDATE",),
    "customer_phone": ("UPDATE", "DELETE"),
    "support_case": ("UPDATE",),
    "contact": ("UPDATE",),
    "note": ("UPDATE", "DELETE"),
    "raised_hand": ("UPDATE",),
    "live_call": ("UPDATE",),
}
#: The live layer (store/live.py): an agent changes only their own hand and calls.
OWN_ROWS_ONLY = ("raised_hand", "live_call")
#: What supervisors may change: the answer to a raised hand, under their own name.
SUPERVISOR_MAY = {"raised_hand": ("answered_at", "answered_by", "answer")}
#: What supervisors may add, and the row rule it must pass: the board records in the audit
#: trail that a supervisor opened a call's notes (store/live.py ``open_call``), and nothing
#: else — a supervisor cannot write a change of a record into the trail.
SUPERVISOR_ADDS = {"audit_entry": "action = 'view' AND entity = 'access'"}
#: Tables agents only read.
READ_ONLY = ("alembic_version",)

#: Row rules: for each table, the column that must hold the login's name in a new row.
OWN_NAME_COLUMN = {"note": "agent", "contact": "agent", "flag_review": "actor",
                   "audit_entry": "actor", "raised_hand": "agent", "live_call": "agent"}
#: The names of the row rules begin so. Where agents may update or delete (AGENT_MAY), the
#: rules let every row through: the privileges and the note trigger decide, and the trigger
#: says why it refuses (a rule would skip the row without a word).
POLICY_PREFIX = "callhelper_"

NOTE_GUARD = "callhelper_note_author_only"
#: The columns of another agent's promise that an agent may set: marking it kept.
PROMISE_COLUMNS = ("done_at", "done_by")

NOTE_GUARD_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {NOTE_GUARD}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The tables' owner (and a superuser) is the administrator: a purge deletes any note.
    IF pg_has_role(session_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID),
                   'MEMBER') THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.agent IS DISTINCT FROM OLD.agent THEN
        RAISE EXCEPTION 'note % was written by %: its author cannot be changed',
            OLD.uid, OLD.agent USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.agent = session_user::text THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.kind = 'promise' AND OLD.done_at IS NULL
            AND NEW.done_by = session_user::text
            AND to_jsonb(NEW) - '{PROMISE_COLUMNS[0]}' - '{PROMISE_COLUMNS[1]}'
                = to_jsonb(OLD) - '{PROMISE_COLUMNS[0]}' - '{PROMISE_COLUMNS[1]}' THEN
        RETURN NEW;  -- marking another agent's promise kept
    END IF;
    RAISE EXCEPTION 'note % was written by %: only its author may change or delete it',
        OLD.uid, OLD.agent USING ERRCODE = 'insufficient_privilege';
END $$
"""


class SetupError(Exception):
    """Team mode cannot be set up (or a login added) as asked; the message says why."""


@dataclass
class SetupReport:
    """What ``set_up`` did."""

    owner: str
    database: str
    groups_made: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def quoted(name: str) -> str:
    """A role, table or database name as an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def role_exists(connection: Connection, name: str) -> bool:
    return connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :name"),
                              {"name": name}).first() is not None


def _check_owner(connection: Connection) -> tuple[str, str]:
    """The login and the database, if the login is the database's owner."""
    user, database, owner = connection.execute(text(
        "SELECT current_user, current_database(), pg_get_userbyid(datdba) "
        "FROM pg_database WHERE datname = current_database()")).one()
    if user != owner:
        raise SetupError(f"connect as the database's owner ({owner}), not as {user}: the "
                         "owner runs the migrations and owns the tables")
    return user, database


def _can_create_roles(connection: Connection) -> bool:
    return bool(connection.execute(text(
        "SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user")).scalar())


def _tables(connection: Connection) -> list[str]:
    return list(connection.execute(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
        "ORDER BY tablename")).scalars())


def set_up(connection: Connection) -> SetupReport:
    """Create the group roles if missing and (re)apply every grant, row rule and the note
    trigger, in the caller's transaction. The schema must be at the head already (the
    caller upgrades it first), so that every table is covered."""
    owner, database = _check_owner(connection)
    report = SetupReport(owner, database)
    missing = [group for group in GROUPS if not role_exists(connection, group)]
    if missing and not _can_create_roles(connection):
        raise SetupError(f"the roles {', '.join(missing)} do not exist and {owner} may not "
                         f"create roles: a superuser runs ALTER ROLE {quoted(owner)} "
                         "CREATEROLE (or creates them, NOLOGIN)")
    for group in missing:
        connection.execute(text(f"CREATE ROLE {quoted(group)} NOLOGIN"))
        report.groups_made.append(group)
    _grant_database(connection, owner, database, report)
    for table in _tables(connection):
        _grant_table(connection, table)
        report.tables.append(table)
    _protect_rows(connection)
    return report


def _grant_database(connection: Connection, owner: str, database: str,
                    report: SetupReport) -> None:
    groups = ", ".join(quoted(group) for group in GROUPS)
    # Other roles of the cluster have no business in the team's database.
    connection.execute(text(f"REVOKE CONNECT, TEMPORARY ON DATABASE {quoted(database)} "
                            "FROM PUBLIC"))
    connection.execute(text(f"GRANT CONNECT ON DATABASE {quoted(database)} TO {groups}"))
    schema = quoted(_schema(connection))
    schema_owned = connection.execute(text(
        "SELECT pg_has_role(current_user, nspowner, 'MEMBER') FROM pg_namespace "
        "WHERE nspname = current_schema()")).scalar()
    if schema_owned:  # only the owner makes tables (PostgreSQL 15 and later: already so)
        connection.execute(text(f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC"))
    elif connection.execute(text("SELECT has_schema_privilege('public', current_schema(), "
                                 "'CREATE')")).scalar():
        report.warnings.append(
            "every role may create tables in the schema: a superuser should run "
            f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC")
    connection.execute(text(f"GRANT USAGE ON SCHEMA {schema} TO {groups}"))
    connection.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} "
                            f"TO {quoted(AGENT)}"))
    # Tables and sequences the owner makes later (new migrations): readable by both,
    # and agents may add rows; `team setup` after an upgrade gives the rest of the list.
    defaults = f"ALTER DEFAULT PRIVILEGES FOR ROLE {quoted(owner)} IN SCHEMA {schema}"
    connection.execute(text(f"{defaults} GRANT SELECT ON TABLES TO {groups}"))
    connection.execute(text(f"{defaults} GRANT INSERT ON TABLES TO {quoted(AGENT)}"))
    connection.execute(text(f"{defaults} GRANT USAGE, SELECT ON SEQUENCES TO {quoted(AGENT)}"))


def _schema(connection: Connection) -> str:
    return connection.execute(text("SELECT current_schema()")).scalar()


def _grant_table(connection: Connection, table: str) -> None:
    """Exactly the privileges of the design, whatever the table had before."""
    name = quoted(table)
    connection.execute(text(f"REVOKE ALL ON TABLE {name} FROM {quoted(AGENT)}, "
                            f"{quoted(SUPERVISOR)}"))
    connection.execute(text(f"GRANT SELECT ON TABLE {name} TO {quoted(AGENT)}, "
                            f"{quoted(SUPERVISOR)}"))
    if table in READ_ONLY:
        return
    privileges = ", ".join(("INSERT", *AGENT_MAY.get(table, ())))
    connection.execute(text(f"GRANT {privileges} ON TABLE {name} TO {quoted(AGENT)}"))
    if table in SUPERVISOR_MAY:
        columns = ", ".join(quoted(column) for column in SUPERVISOR_MAY[table])
        connection.execute(text(f"GRANT UPDATE ({columns}) ON TABLE {name} "
                                f"TO {quoted(SUPERVISOR)}"))
    if table in SUPERVISOR_ADDS:
        connection.execute(text(f"GRANT INSERT ON TABLE {name} TO {quoted(SUPERVISOR)}"))
        sequence = connection.execute(text("SELECT pg_get_serial_sequence(:table, 'id')"),
                                      {"table": table}).scalar()
        if sequence:
            connection.execute(text(f"GRANT USAGE ON SEQUENCE {sequence} "
                                    f"TO {quoted(SUPERVISOR)}"))


def _protect_rows(connection: Connection) -> None:
    tables = set(_tables(connection))
    readers = f"{quoted(AGENT)}, {quoted(SUPERVISOR)}"
    for table, column in OWN_NAME_COLUMN.items():
        if table not in tables:
            continue
        name = quoted(table)
        connection.execute(text(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY"))
        policies = {
            "read": f"FOR SELECT TO {readers} USING (true)",
            "add_own": f"FOR INSERT TO {quoted(AGENT)} "
                       f"WITH CHECK ({quoted(column)} = session_user::text)",
        }
        if table in OWN_ROWS_ONLY:
            own = f"{quoted(column)} = session_user::text"
            policies["change"] = f"FOR UPDATE TO {quoted(AGENT)} USING ({own}) WITH CHECK ({own})"
        elif table in AGENT_MAY:
            policies["change"] = f"FOR UPDATE TO {quoted(AGENT)} USING (true) WITH CHECK (true)"
        if "DELETE" in AGENT_MAY.get(table, ()):
            policies["remove"] = f"FOR DELETE TO {quoted(AGENT)} USING (true)"
        if table in SUPERVISOR_ADDS:
            policies["supervisor_adds"] = (
                f"FOR INSERT TO {quoted(SUPERVISOR)} WITH CHECK "
                f"({quoted(column)} = session_user::text AND {SUPERVISOR_ADDS[table]})")
        if table in SUPERVISOR_MAY:
            policies["answer"] = (f"FOR UPDATE TO {quoted(SUPERVISOR)} USING (true) "
                                  "WITH CHECK (answered_by = session_user::text)")
        for suffix, rule in policies.items():
            policy = quoted(POLICY_PREFIX + suffix)
            connection.execute(text(f"DROP POLICY IF EXISTS {policy} ON {name}"))
            connection.execute(text(f"CREATE POLICY {policy} ON {name} {rule}"))
    if "note" in tables:
        connection.execute(text(NOTE_GUARD_FUNCTION))
        connection.execute(text(f"DROP TRIGGER IF EXISTS {NOTE_GUARD} ON note"))
        connection.execute(text(f"CREATE TRIGGER {NOTE_GUARD} BEFORE UPDATE OR DELETE ON note "
                                f"FOR EACH ROW EXECUTE FUNCTION {NOTE_GUARD}()"))


#: Characters a login name may not have: they would need quoting in URLs and statements.
NOT_IN_NAMES = frozenset('"\'`:%\\/@')


def check_login_name(name: str) -> str:
    """A login's name as PostgreSQL keeps it (at most 63 bytes, not reserved)."""
    name = name.strip()
    if not name:
        raise SetupError("a login needs a name")
    if len(name.encode("utf-8")) > 63:
        raise SetupError(f"{name!r} is longer than PostgreSQL's 63 bytes for a name")
    if name.lower().startswith("pg_") or name in GROUPS or name.lower() == "public":
        raise SetupError(f"{name!r} is reserved: choose another login name")
    if any(character in NOT_IN_NAMES or not character.isprintable() or character.isspace()
           for character in name):
        raise SetupError(f"{name!r}: a login name has no spaces, quotes, colons, percent signs, "
                         "slashes, @ or backslashes")
    return name


@dataclass(frozen=True)
class Membership:
    """What ``add_member`` did."""

    name: str
    group: str
    created: bool
    password_set: bool


def add_member(connection: Connection, name: str, group: str,
               password: str | None) -> Membership:
    """Make ``name`` a login in ``group``: created with ``password`` if it does not exist,
    otherwise added to the group (its password changed only if ``password`` is given).

    The password never travels in plain text: libpq turns it into a SCRAM verifier here,
    and only that is sent (the server's log may show statements)."""
    name = check_login_name(name)
    if group not in GROUPS:
        raise SetupError(f"no such group: {group}")
    if not role_exists(connection, group):
        raise SetupError(f"the role {group} does not exist: run `callhelper team setup` as "
                         "the database's owner first")
    created = not role_exists(connection, name)
    if created and not password:
        raise SetupError(f"a new login ({name}) needs a password")
    verifier = _verifier(connection, name, password) if password else None
    if created:
        connection.exec_driver_sql(f"CREATE ROLE {quoted(name)} LOGIN PASSWORD "
                                   f"{_literal(verifier)}")
    elif verifier:
        connection.exec_driver_sql(f"ALTER ROLE {quoted(name)} PASSWORD {_literal(verifier)}")
    if not is_member(connection, group, name):
        connection.execute(text(f"GRANT {quoted(group)} TO {quoted(name)}"))
    return Membership(name, group, created, verifier is not None)


def is_member(connection: Connection, group: str, name: str | None = None) -> bool:
    """Whether the login ``name`` (default: this connection's) is in ``group``: a supervisor
    opening the board, say. False when the group does not exist (team mode not set up)."""
    if not role_exists(connection, group):
        return False
    return bool(connection.execute(text(
        "SELECT pg_has_role(CAST(COALESCE(:name, session_user::text) AS name), :group, "
        "'MEMBER')"),
        {"name": name, "group": group}).scalar())


def _verifier(connection: Connection, name: str, password: str) -> str:
    raw = connection.connection.dbapi_connection
    return raw.pgconn.encrypt_password(password.encode("utf-8"), name.encode("utf-8"),
                                       b"scram-sha-256").decode("ascii")


def members(connection: Connection) -> list[tuple[str, list[str]]]:
    """Every login in a team group, with its groups, by name."""
    rows = connection.execute(text(
        "SELECT m.rolname, g.rolname FROM pg_auth_members a "
        "JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles m ON m.oid = a.member "
        "WHERE g.rolname IN :groups ORDER BY m.rolname, g.rolname").bindparams(
        _expanding("groups")), {"groups": list(GROUPS)})
    found: dict[str, list[str]] = {}
    for member, group in rows:
        found.setdefault(member, []).append(group)
    return list(found.items())


def _expanding(name: str):
    from sqlalchemy import bindparam

    return bindparam(name, expanding=True)
