"""Kalender-Abo: the page where a user creates, regenerates or revokes their private
feed URL, and the feed itself (``/kalender/<token>.ics``), which needs no login:
Outlook and Thunderbird subscribe without cookies. The token is the only key, so the
feed answers 404 for anything but an active token of an active user.

The page's panel is the block ``calendar_panel``: htmx requests get the block, others
the whole page.
"""
import datetime

from flask import Blueprint, abort, make_response, url_for
from flask_login import current_user, login_required

from .. import access, audit
from ..formats import de_date
from ..web import after_post, render
from . import feed, operations, queries

bp = Blueprint("calendar_feed", __name__, url_prefix="/kalender")
PAGE = "ical/subscription.html"
BLOCK = "calendar_panel"


def _context(user, new_url=None, revoked=False):
    return {"token": operations.active_token(user), "can_subscribe": queries.can_subscribe(user),
            "new_url": new_url, "revoked": revoked, "horizon_days": queries.HORIZON_DAYS}


@bp.get("")
@login_required
def index():
    return render(PAGE, BLOCK, **_context(current_user))


@bp.post("/neu")
@login_required
def create():
    """Create the feed URL, or regenerate it (the old one stops working). The URL is in
    this one answer only: a plain form post gets the page itself, not a redirect."""
    user = current_user._get_current_object()
    access.require(queries.can_subscribe(user))
    token, row, revoked = operations.create_token(user)
    audit.log("create", "calendar-token", row.id,
              "Kalender-Abo-Adresse erzeugt" + ("; bisherige Adresse widerrufen" if revoked else ""))
    return render(PAGE, BLOCK, **_context(user, new_url=url_for(".feed_file", token=token, _external=True)))


@bp.post("/widerrufen")
@login_required
def revoke():
    user = current_user._get_current_object()
    row = operations.active_token(user)
    if row is not None and operations.revoke(user):
        audit.log("delete", "calendar-token", row.id, "Kalender-Abo beendet")
    return after_post(url_for(".index"), PAGE, BLOCK, **_context(user, revoked=row is not None))


def _event(kind, f, today):
    """One step as a plain event: the step's title with the customer number (case) or the
    measure number (a measure's task) and a link into the app; no names, no addresses."""
    if kind == "case":
        p = f.participation
        number = f"Kundennummer {p.customer.customer_number}"
        where = f"Maßnahme {p.measure.type_code} {p.measure.measure_number}"
        url = url_for("participations.detail", participation_id=p.id, _external=True) + "#wiedervorlagen"
    else:
        number = f"Maßnahme {f.measure.type_code} {f.measure.measure_number}"
        where = "Aufgabe der Maßnahme"
        url = url_for("workspace.measure", measure_id=f.measure_id, _external=True) + f"#aufgabe-{f.id}"
    due = f"fällig am {de_date(f.due)}" + (" (überfällig)" if f.due < today else "")
    return {"uid": f"followup-{f.id}@absolvent", "date": f.due, "url": url,
            "summary": f"{f.title} – {number}",
            "description": f"Wiedervorlage ({f.role}), {due}\n{number}\n{where}\nIn Absolvent öffnen: {url}"}


@bp.get("/<token>.ics")
def feed_file(token):
    row = operations.find_active(token)
    if row is None or not queries.can_subscribe(row.user):
        abort(404)
    owner = row.user
    today = datetime.date.today()
    events = [_event(kind, f, today) for kind, f in queries.feed_steps(owner, today)]
    body = feed.calendar(f"Absolvent – Wiedervorlagen {owner.username}", events)
    operations.touch(row)
    audit.log("read", "calendar-feed", row.id, f"{len(events)} Wiedervorlagen", user=owner)
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Cache-Control"] = "no-store"
    return response
