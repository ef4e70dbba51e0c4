"""Audit trail: every read and write of personal data (Sozialdaten) is logged.

The log is append-only: migration 0008 adds database triggers that refuse UPDATE
and DELETE on ``audit_log`` (``append_only_sql``). Users are therefore never
deleted, only deactivated: deleting a user with audit rows would set
``audit_log.user_id`` to NULL, which the triggers refuse.
"""
import datetime

from flask import has_request_context, request
from flask_login import current_user
from peewee import JOIN

from .db import is_postgres
from .models import AuditLog, User, now

# blueprints whose routes read personal data: a 403 or 404 answered there is logged as "denied"
# (the Sozialdaten areas, the Verwaltung with the staff's accounts, and the audit log itself)
PERSONAL_DATA_BLUEPRINTS = frozenset({
    "customers", "participations", "followups", "worklist", "agreements", "guided_forms", "documents",
    "supervision", "controlling", "monitoring", "admin", "audit",
    # the MB's workspace (measures area): participants, findings, letters to the Träger
    "workspace", "first_day", "agh", "provider_reports", "bae", "office_hours", "surveys", "defects",
    "calendar_feed",  # the calendar feed: customer numbers and steps of one user
    "imports",  # the import of COSACH/VerBIS exports (previews list customers)
})

# action code -> German label (the audit view's filter); add new actions here
ACTIONS = {
    "read": "gelesen", "create": "angelegt", "update": "geändert", "delete": "gelöscht",
    "denied": "verweigert", "export": "exportiert", "download": "heruntergeladen", "sign": "abgezeichnet",
    "login": "Anmeldung", "logout": "Abmeldung",
}

MESSAGE = "audit_log ist unveränderlich"
_TRIGGERS = {"audit_log_no_update": "UPDATE", "audit_log_no_delete": "DELETE"}  # name -> refused statement


def client_address():
    if not has_request_context():
        return "cli"
    return request.remote_addr or ""


def log(action, entity, entity_id="", detail="", user=None):
    """Append one audit row. ``user`` defaults to the logged-in user (None for the CLI)."""
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user._get_current_object()
    AuditLog.insert(  # one INSERT, no model object built and thrown away
        at=now(),
        user=user,
        action=action,
        entity=entity,
        entity_id=str(entity_id)[:255],
        detail=detail[:2000],
        address=client_address(),
    ).execute()


def log_refusal(status):
    """Log a 403/404 answered for a personal-data route as "denied": the endpoint as
    entity, the URL's ids as entity_id. Nothing for other routes (an unknown URL has no
    endpoint) and nothing for anonymous requests (they are sent to the login)."""
    if request.blueprint not in PERSONAL_DATA_BLUEPRINTS or not current_user.is_authenticated:
        return
    ids = ", ".join(str(value) for value in (request.view_args or {}).values())
    log("denied", request.endpoint, ids, f"{status} {request.method} {request.full_path.rstrip('?')}")


def entries(user=None, entity="", entity_id="", action="", start=None, end=None):
    """Audit rows with their user (LEFT JOIN), newest first, narrowed by the given filters:
    ``entity`` matches from its start ("customer" finds customer, customer-list and the
    refused customers.detail), ``start``/``end`` are dates (both days included)."""
    query = (AuditLog.select(AuditLog, User).join(User, JOIN.LEFT_OUTER)
             .order_by(AuditLog.id.desc()))  # append-only: the id order is the time order
    if user is not None:
        query = query.where(AuditLog.user == user)
    if entity:
        query = query.where(AuditLog.entity.startswith(entity))
    if entity_id:
        query = query.where(AuditLog.entity_id == entity_id)
    if action:
        query = query.where(AuditLog.action == action)
    if start:
        query = query.where(AuditLog.at >= datetime.datetime.combine(start, datetime.time()))
    if end:
        query = query.where(AuditLog.at < datetime.datetime.combine(end + datetime.timedelta(days=1),
                                                                    datetime.time()))
    return query


def window(query, before=None, after=None, size=50):
    """One page of ``entries`` (newest first), paged by id so that rows arriving meanwhile do
    not shift the pages: the ``size`` rows older than id ``before``, or newer than id ``after``,
    else the newest. Returns (rows, has_newer, has_older); reads ``size`` + 1 rows and at
    most one more to learn whether there are newer (or older) ones."""
    if after is not None:
        rows = list(query.where(AuditLog.id > after).order_by(AuditLog.id.asc()).limit(size + 1))
        newer, rows = len(rows) > size, rows[:size][::-1]
        older = bool(rows) and query.where(AuditLog.id < rows[-1].id).exists()
    else:
        rows = list((query if before is None else query.where(AuditLog.id < before)).limit(size + 1))
        older, rows = len(rows) > size, rows[:size]
        newer = before is not None and bool(rows) and query.where(AuditLog.id > rows[0].id).exists()
    return rows, newer, older


def append_only_sql(db):
    """The statements that make ``audit_log`` append-only on ``db`` (SQLite or PostgreSQL):
    triggers refusing every UPDATE and DELETE. Migration 0008 runs them; tests that empty
    the tables drop (``drop_append_only_sql``) and re-create them around that."""
    if is_postgres(db):  # a DatabaseProxy or the database
        return [
            "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation'; END; $$",
            *(f'CREATE TRIGGER {name} BEFORE {op} ON "audit_log" FOR EACH ROW '
              "EXECUTE FUNCTION audit_log_append_only()" for name, op in _TRIGGERS.items()),
        ]
    return [f'CREATE TRIGGER {name} BEFORE {op} ON "audit_log" BEGIN SELECT RAISE(ABORT, \'{MESSAGE}\'); END'
            for name, op in _TRIGGERS.items()]


def drop_append_only_sql(db):
    """The statements that undo ``append_only_sql`` (migration 0008's down)."""
    if is_postgres(db):
        return [*(f'DROP TRIGGER IF EXISTS {name} ON "audit_log"' for name in _TRIGGERS),
                "DROP FUNCTION IF EXISTS audit_log_append_only()"]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in _TRIGGERS]
