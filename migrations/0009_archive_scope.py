"""0009 the archive's version numbers are unique per (document, scope, subject):
``scope`` is never NULL ("teilnahme:<id>" or "-"), so the unique index also
applies to documents without a case (a NULL participation made the old index
let duplicates through)."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('issued_document', 'scope', CharField(default='-')))
    db.execute_sql("UPDATE issued_document SET scope = 'teilnahme:' || participation_id "
                   "WHERE participation_id IS NOT NULL")
    migrator.migrate(
        migrator.drop_index('issued_document', 'issueddocument_document_participation_id_subject_number'),
        migrator.add_index('issued_document', ('document', 'scope', 'subject', 'number'), True))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('issued_document', 'issued_document_document_scope_subject_number'))
    # the index under the name 0003 gave it, so up() can drop it again
    db.execute_sql('CREATE UNIQUE INDEX "issueddocument_document_participation_id_subject_number" '
                   'ON "issued_document" ("document", "participation_id", "subject", "number")')
    migrator.migrate(migrator.drop_column('issued_document', 'scope'))
