"""The customer's last qualified contact, kept on each of their participations (issue 11 "Flat").

The TL's list "lange Maßnahmen ohne Kontakt" (seed 001 §3) asked, for each of a team's long
running participations, whether the customer had a qualified contact in the last 8 weeks: a
probe of the note index per participation (2,300 a team at full bench scale, 13 ms on
PostgreSQL). ``Participation.last_contact`` holds the date of the customer's latest qualified
contact note (``kind`` "kontakt", ``qualified``), so the question is a comparison inside the
participation index (migration 0026). Triggers keep it, in the transaction of the change:

- a contact note added, changed (date, kind, qualified, customer) or deleted: every
  participation of its customer (and of the former customer) gets the latest date again;
- a participation added, or saved with its customer (peewee saves every column, a stale date
  in memory included): its date is read again from the notes.
"""
from ..db import is_postgres

NOTE_TRIGGERS = ("note_contact_insert", "note_contact_update", "note_contact_delete")
PARTICIPATION_TRIGGERS = ("participation_contact_insert", "participation_contact_update")


def _latest(customer, true):
    return (f"(SELECT MAX(n.date) FROM note AS n WHERE n.customer_id = {customer} "
            f"AND n.kind = 'kontakt' AND n.qualified = {true})")


def trigger_sql(db):
    """The statements that create the triggers keeping ``last_contact`` on ``db`` (migration 0026)."""
    if is_postgres(db):
        contact = "{r}.kind = 'kontakt' AND {r}.qualified"
        refresh = "UPDATE participation SET last_contact = " + _latest("{c}", "true") + " WHERE customer_id = {c};"
        return [
            "CREATE OR REPLACE FUNCTION note_contact() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP <> 'INSERT' AND {contact.format(r='OLD')} THEN {refresh.format(c='OLD.customer_id')} END IF; "
            f"IF TG_OP <> 'DELETE' AND {contact.format(r='NEW')} THEN {refresh.format(c='NEW.customer_id')} END IF; "
            "RETURN NULL; END; $$",
            "CREATE OR REPLACE FUNCTION participation_contact() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"NEW.last_contact := {_latest('NEW.customer_id', 'true')}; RETURN NEW; END; $$",
            'CREATE TRIGGER note_contact_insert AFTER INSERT ON "note" FOR EACH ROW EXECUTE FUNCTION note_contact()',
            'CREATE TRIGGER note_contact_update AFTER UPDATE OF customer_id, kind, qualified, date ON "note" '
            "FOR EACH ROW EXECUTE FUNCTION note_contact()",
            'CREATE TRIGGER note_contact_delete AFTER DELETE ON "note" FOR EACH ROW EXECUTE FUNCTION note_contact()',
            'CREATE TRIGGER participation_contact_insert BEFORE INSERT ON "participation" '
            "FOR EACH ROW EXECUTE FUNCTION participation_contact()",
            'CREATE TRIGGER participation_contact_update BEFORE UPDATE OF customer_id ON "participation" '
            "FOR EACH ROW EXECUTE FUNCTION participation_contact()",
        ]
    contact = "{r}.kind = 'kontakt' AND {r}.qualified = 1"
    new, old = contact.format(r="NEW"), contact.format(r="OLD")
    refresh = "UPDATE participation SET last_contact = " + _latest("{c}", "1") + " WHERE customer_id = {c};"
    own = "UPDATE participation SET last_contact = " + _latest("NEW.customer_id", "1") + " WHERE id = NEW.id;"
    return [
        f'CREATE TRIGGER note_contact_insert AFTER INSERT ON "note" WHEN {new} BEGIN '
        "UPDATE participation SET last_contact = NEW.date WHERE customer_id = NEW.customer_id "
        "AND (last_contact IS NULL OR last_contact < NEW.date); END",
        f'CREATE TRIGGER note_contact_update AFTER UPDATE OF customer_id, kind, qualified, date ON "note" '
        f"WHEN ({old}) OR ({new}) BEGIN "
        f"{refresh.format(c='OLD.customer_id')} {refresh.format(c='NEW.customer_id')} END",
        f'CREATE TRIGGER note_contact_delete AFTER DELETE ON "note" WHEN {old} BEGIN '
        f"{refresh.format(c='OLD.customer_id')} END",
        f'CREATE TRIGGER participation_contact_insert AFTER INSERT ON "participation" BEGIN {own} END',
        f'CREATE TRIGGER participation_contact_update AFTER UPDATE OF customer_id ON "participation" BEGIN {own} END',
    ]


def drop_trigger_sql(db):
    """The statements that undo ``trigger_sql`` (migration 0026's down)."""
    if is_postgres(db):
        return [*(f'DROP TRIGGER IF EXISTS {name} ON "note"' for name in NOTE_TRIGGERS),
                *(f'DROP TRIGGER IF EXISTS {name} ON "participation"' for name in PARTICIPATION_TRIGGERS),
                "DROP FUNCTION IF EXISTS note_contact()", "DROP FUNCTION IF EXISTS participation_contact()"]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in NOTE_TRIGGERS + PARTICIPATION_TRIGGERS]


def backfill_sql(db):
    """Sets every participation's ``last_contact`` from the notes (migration 0026, bulk loads)."""
    return ("UPDATE participation SET last_contact = "
            + _latest("participation.customer_id", "true" if is_postgres(db) else "1"))
