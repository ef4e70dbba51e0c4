"""Protokoll: the audit log for the data protection role (DS) — filter, page, export as CSV.

DS sees who read or changed which record, and which attempts were refused; no other
role sees the log (403), and DS sees no Sozialdaten themselves.
"""
import csv
import datetime
import hashlib
import io

from flask import Blueprint, request

from . import audit
from .auth import roles_required
from .models import User
from .validation import Checker
from .web import db_int, render

bp = Blueprint("audit", __name__, url_prefix="/protokoll")
PAGE_SIZE = 50
EXPORT_LIMIT = 100_000  # rows of one CSV export; a larger one asks for a narrower filter
FILTERS = ("benutzer", "bereich", "datensatz", "aktion", "von", "bis")
CSV_HEADER = ("Zeitpunkt", "Benutzername", "Name", "Aktion", "Bereich", "Datensatz", "Details", "Adresse")


def _filters():
    """The filter form checked: (query arguments for ``audit.entries``, raw values, errors).
    A filter with an error narrows nothing; its message is shown."""
    c = Checker(request.args)
    c.record("benutzer", "die Person", User, required=False)
    c.text("bereich", "Bereich", required=False, max_len=100)
    c.text("datensatz", "Datensatz", required=False, max_len=100)
    c.choice("aktion", "die Aktion", audit.ACTIONS, required=False)
    c.date("von", "Von", required=False)
    c.date("bis", "Bis", required=False)
    c.order("von", "bis", "Das Ende des Zeitraums liegt vor seinem Anfang.")
    keys = dict(zip(FILTERS, ("user", "entity", "entity_id", "action", "start", "end"), strict=True))
    args = {keys[name]: value for name, value in c.data.items() if name not in c.errors}
    raw = {name: request.args.get(name, "").strip() for name in FILTERS}
    return args, raw, c.errors


def _describe(raw):
    return " ".join(f"{name}={value!r}" for name, value in raw.items() if value) or "ohne Filter"


def _page(raw, errors, rows=(), newer=False, older=False, paged=False, status=200):
    users = User.select().order_by(User.name, User.username)
    return render("audit/index.html", "audit_results", status=status, push_url=True, rows=rows, newer=newer,
                  older=older, paged=paged, raw=raw, errors=errors, actions=audit.ACTIONS,
                  user_options=[(u.id, f"{u.name} ({u.username})") for u in users],
                  filters={name: value for name, value in raw.items() if value})


@bp.get("/")
@roles_required("DS")
def index():
    """The filtered log, newest first, 50 rows a page (``vor``/``nach``: the id the page starts from)."""
    args, raw, errors = _filters()
    before, after = (request.args.get(name, None, type=db_int) for name in ("vor", "nach"))
    rows, newer, older = audit.window(audit.entries(**args), before, after, PAGE_SIZE)
    audit.log("read", "audit-log", detail=f"{_describe(raw)} {len(rows)} Einträge"
                                         + (f" ab Nr. {rows[0].id}" if rows else ""))
    return _page(raw, errors, rows, newer, older, paged=before is not None or after is not None)


def _cell(value):
    """A CSV cell German Excel shows as text: a leading = + - @ would start a formula."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_bytes(rows):
    """The rows as CSV for German Excel: UTF-8 with BOM, semicolons, CRLF."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        user = row.user if row.user_id else None
        writer.writerow([_cell(v) for v in (
            row.at.strftime("%d.%m.%Y %H:%M:%S"), user.username if user else "", user.name if user else "",
            row.action, row.entity, row.entity_id, row.detail, row.address)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@bp.get("/export.csv")
@roles_required("DS")
def export():
    args, raw, errors = _filters()
    rows = list(audit.entries(**args).limit(EXPORT_LIMIT + 1))
    if len(rows) > EXPORT_LIMIT:
        errors = {"_form": f"Mehr als {EXPORT_LIMIT:,} Einträge: bitte den Filter eingrenzen.".replace(",", ".")}
    if errors:
        return _page(raw, errors, status=422)
    body = csv_bytes(rows)
    audit.log("export", "audit-log", detail=f"CSV {_describe(raw)}, {len(rows)} Einträge, "
                                            f"sha256={hashlib.sha256(body).hexdigest()}")
    name = f"Protokoll_{datetime.date.today():%Y-%m-%d}.csv"
    return body, 200, {"Content-Type": "text/csv; charset=utf-8",
                       "Content-Disposition": f'attachment; filename="{name}"'}

