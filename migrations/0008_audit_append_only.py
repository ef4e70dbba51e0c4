"""0008 the audit log is append-only: triggers refuse UPDATE and DELETE on audit_log
(SQLite: RAISE(ABORT); PostgreSQL: a plpgsql function raising restrict_violation).

Deleting a user with audit rows is refused as well (the foreign key's SET NULL would
update audit rows): users are deactivated, never deleted. The statements live in
``absolvent.audit.append_only_sql``, shared with the tests that empty the tables."""
from absolvent.audit import append_only_sql, drop_append_only_sql


def up(migrator, db):
    for statement in append_only_sql(db):
        db.execute_sql(statement)


def down(migrator, db):
    for statement in drop_append_only_sql(db):
        db.execute_sql(statement)
