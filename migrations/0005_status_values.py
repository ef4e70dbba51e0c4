"""0005 one language for status values: bulk jobs say queued | running | done |
failed (like follow-ups' open | done | cancelled) instead of German words."""
from peewee import *

RENAMES = [("wartend", "queued"), ("laeuft", "running"), ("fertig", "done"), ("fehler", "failed")]


def _rename(db, pairs):
    job = Table("bulk_job", ("id", "status")).bind(db)
    for old, new in pairs:
        job.update(status=new).where(job.status == old).execute()


def up(migrator, db):
    _rename(db, RENAMES)


def down(migrator, db):
    _rename(db, [(new, old) for old, new in RENAMES])
