"""Case history: phone keys for lookup, the customer's profile, promises with due times,
and Japanese substring search over notes and cases: SQLite keeps FTS5 tables with the
trigram tokenizer (and triggers that keep them in step); PostgreSQL keeps pg_trgm's GIN
indexes on the columns themselves, which serve LIKE and ILIKE patterns.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import re
import unicodedata

import phonenumbers
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

NOTE_FTS_TRIGGERS = """
CREATE TRIGGER note_fts_insert AFTER INSERT ON note BEGIN
    INSERT INTO note_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER note_fts_delete AFTER DELETE ON note BEGIN
    INSERT INTO note_fts (note_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER note_fts_update AFTER UPDATE OF text ON note BEGIN
    INSERT INTO note_fts (note_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO note_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER case_fts_insert AFTER INSERT ON support_case BEGIN
    INSERT INTO case_fts (rowid, subject, fix, prevention)
    VALUES (new.id, new.subject, new.fix, new.prevention);
END;
CREATE TRIGGER case_fts_delete AFTER DELETE ON support_case BEGIN
    INSERT INTO case_fts (case_fts, rowid, subject, fix, prevention)
    VALUES ('delete', old.id, old.subject, old.fix, old.prevention);
END;
CREATE TRIGGER case_fts_update AFTER UPDATE OF subject, fix, prevention ON support_case BEGIN
    INSERT INTO case_fts (case_fts, rowid, subject, fix, prevention)
    VALUES ('delete', old.id, old.subject, old.fix, old.prevention);
    INSERT INTO case_fts (rowid, subject, fix, prevention)
    VALUES (new.id, new.subject, new.fix, new.prevention);
END;
"""

_SCHEMES = re.compile(r"^\s*(tel|callto|sip)\s*:\s*", re.IGNORECASE)
_EXTENSION_WORDS = re.compile(r"\s*(内線|ないせん|ext\.?|x)\s*(?=\d)", re.IGNORECASE)


def phone_key(text: str) -> str:
    """A stored number's key (E.164 with ``;ext=N``; '' for fewer than three digits; the
    trimmed text for a number that does not parse): core/phones.py's key, copied here so
    that this revision keeps writing the keys it wrote whatever the app's code becomes."""
    typed = text.strip()
    if sum(char.isdigit() for char in typed) < 3:
        return ""
    candidate = unicodedata.normalize("NFKC", typed)
    if candidate.lower().startswith(("callto:", "sip:")):
        candidate = _SCHEMES.sub("", candidate)
    candidate = _EXTENSION_WORDS.sub(" ext. ", candidate)
    try:
        number = phonenumbers.parse(candidate, "JP")
    except phonenumbers.NumberParseException:
        return typed
    if not phonenumbers.is_possible_number(number):
        return typed
    key = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return key + f";ext={number.extension}" if number.extension else key


#: PostgreSQL's trigram indexes: (index, table, column).
TRIGRAM_INDEXES = (
    ("ix_note_text_trgm", "note", "text"),
    ("ix_support_case_subject_trgm", "support_case", "subject"),
    ("ix_support_case_fix_trgm", "support_case", "fix"),
    ("ix_support_case_prevention_trgm", "support_case", "prevention"),
)


def upgrade() -> None:
    with op.batch_alter_table("customer") as customer:
        customer.add_column(sa.Column("phone_key", sa.String, nullable=False, server_default=""))
        customer.add_column(sa.Column("preferred_channel", sa.String, nullable=False,
                                      server_default=""))
        customer.add_column(sa.Column("unavailable", sa.String, nullable=False,
                                      server_default=""))
        customer.create_index("ix_customer_phone_key", ["phone_key"])
    with op.batch_alter_table("contact") as contact:
        contact.add_column(sa.Column("phone_key", sa.String, nullable=False, server_default=""))
        contact.create_index("ix_contact_phone_key_started_at", ["phone_key", "started_at"])
    with op.batch_alter_table("note") as note:
        note.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
        note.add_column(sa.Column("done_at", sa.DateTime(timezone=True), nullable=True))
        note.add_column(sa.Column("done_by", sa.String, nullable=False, server_default=""))
    bind = op.get_bind()
    for table in ("customer", "contact"):
        rows = bind.execute(sa.text(f"SELECT id, phone FROM {table} WHERE phone != ''")).all()
        for row_id, phone in rows:
            bind.execute(sa.text(f"UPDATE {table} SET phone_key = :key WHERE id = :id"),
                         {"key": phone_key(phone), "id": row_id})
    if bind.dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE note_fts USING fts5(text, content='note', "
                   "content_rowid='id', tokenize='trigram')")
        op.execute("CREATE VIRTUAL TABLE case_fts USING fts5(subject, fix, prevention, "
                   "content='support_case', content_rowid='id', tokenize='trigram')")
        for statement in NOTE_FTS_TRIGGERS.split("END;"):
            if statement.strip():
                op.execute(statement + "END;")
        op.execute("INSERT INTO note_fts (note_fts) VALUES ('rebuild')")
        op.execute("INSERT INTO case_fts (case_fts) VALUES ('rebuild')")
    elif bind.dialect.name == "postgresql":
        # pg_trgm is a trusted extension: the database's owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for index, table, column in TRIGRAM_INDEXES:
            op.create_index(index, table, [column], postgresql_using="gin",
                            postgresql_ops={column: "gin_trgm_ops"})


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for trigger in ("note_fts_insert", "note_fts_delete", "note_fts_update",
                        "case_fts_insert", "case_fts_delete", "case_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS note_fts")
        op.execute("DROP TABLE IF EXISTS case_fts")
    elif bind.dialect.name == "postgresql":
        # The extension stays: the server's administrator may have created it, and other
        # objects of the database may use it.
        for index, table, _column in TRIGRAM_INDEXES:
            op.drop_index(index, table)
    with op.batch_alter_table("note") as note:
        for column in ("done_by", "done_at", "due_at"):
            note.drop_column(column)
    with op.batch_alter_table("contact") as contact:
        contact.drop_index("ix_contact_phone_key_started_at")
        contact.drop_column("phone_key")
    with op.batch_alter_table("customer") as customer:
        customer.drop_index("ix_customer_phone_key")
        for column in ("unavailable", "preferred_channel", "phone_key"):
            customer.drop_column(column)
