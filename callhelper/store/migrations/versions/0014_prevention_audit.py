"""A prevention item marked done is recorded in the audit trail, as an entity of its own
(``prevention``, the case's uid): the items marked done before get one baseline entry each,
as they are now, so that ``callhelper verify`` finds them in order.

The entries are written with this file's own copy of the trail's rules (core/audit.py): a
migration keeps writing what it wrote, whatever the app's code becomes. A downgrade leaves
them: the trail is append-only. Like 0007, it tells the app the trail's new end through the
``audit_appended`` attribute of the Alembic configuration (store/anchor.py).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-09
"""

import hashlib
import json
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
SEPARATOR = "\x1f"
#: PostgreSQL's advisory lock that writers of the trail hold while they extend the chain.
AUDIT_CHAIN_LOCK = 0x43_48_41_55_44_49_54
ENTRY_FIELDS = ("at", "actor", "action", "entity", "uid", "before", "after", "before_digest",
                "after_digest", "prev_hash", "hash")


def timestamp(moment: datetime | str | None) -> str | None:
    """UTC, ISO 8601, microseconds; a time stored without a zone is UTC."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_CHAIN_LOCK})
    done = bind.execute(sa.text(
        "SELECT uid, prevention_done_at, prevention_done_by FROM support_case "
        "WHERE prevention_done_at IS NOT NULL AND uid NOT IN "
        "(SELECT uid FROM audit_entry WHERE entity = 'prevention') ORDER BY id")).all()
    if not done:
        return
    previous = bind.execute(sa.text(
        "SELECT hash FROM audit_entry ORDER BY id DESC LIMIT 1")).scalar() or GENESIS
    moment, rows = timestamp(datetime.now(timezone.utc)), []
    for uid, done_at, done_by in done:
        after = json.dumps({"done_at": timestamp(done_at), "done_by": done_by},
                           sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        after_digest = hashlib.sha256(after.encode("utf-8")).hexdigest()
        link = hashlib.sha256(SEPARATOR.join(
            (previous, moment, "", "baseline", "prevention", uid, "", after_digest)
        ).encode("utf-8")).hexdigest()
        rows.append({"at": moment, "actor": "", "action": "baseline", "entity": "prevention",
                     "uid": uid, "before": "", "after": after, "before_digest": "",
                     "after_digest": after_digest, "prev_hash": previous, "hash": link})
        previous = link
    bind.execute(sa.text(f"INSERT INTO audit_entry ({', '.join(ENTRY_FIELDS)}) "
                         f"VALUES ({', '.join(f':{name}' for name in ENTRY_FIELDS)})"), rows)
    appended = op.get_context().config.attributes.get("audit_appended")
    if appended is not None:  # the app notes the trail's new end beside the file
        appended(bind, previous)


def downgrade() -> None:
    pass
