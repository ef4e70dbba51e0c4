"""Agreements (EV/Kooperationsplan) and the document archive of a participation:
the panel, pre-flight and issuing the letter. Agreements are concluded (new or
Fortschreibung) with the guided form "eingliederungsvereinbarung"."""
from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user, login_required

from .. import access, audit
from ..documents import operations as documents
from ..documents.render import preflight
from ..jobcenter import agreement_term, term_name
from ..models import Agreement
from ..web import redirect_to, render, wants_fragment
from . import queries

bp = Blueprint("agreements", __name__)
PANEL = "caseload/agreements.html"


def _panel(p, status=200, message="", error=""):
    agreements = queries.agreements_of(p)
    spec = documents.agreement_spec()
    missing = {a.id: preflight.missing_fields(spec, documents.agreement_context(p, a, current_user))
               for a in agreements}
    return render(PANEL, "documents_panel", status=status, p=p, agreements=agreements, missing=missing,
                  issued=documents.issued_for(p), term=agreement_term(), spec=spec,
                  can_edit=access.can_write_agreement(current_user, p), message=message, error=error,
                  term_name=term_name)


def _editable(participation_id, agreement_id=None):
    p = queries.get_visible_participation(participation_id, current_user)
    access.require(access.can_write_agreement(current_user, p))
    if agreement_id is None:
        return p, None
    a = Agreement.get_or_none(Agreement.id == agreement_id, Agreement.participation == p.id)
    if a is None:
        abort(404)
    return p, a


@bp.get("/teilnahmen/<int:participation_id>/dokumente")
@login_required
def panel(participation_id):
    p = queries.get_visible_participation(participation_id, current_user)
    audit.log("read", "documents", p.id, "Vereinbarungen und Dokumentenarchiv")
    return _panel(p)


def _fix_links(p):
    """Where a missing field is filled in; an agreement is completed by a Fortschreibung (guided form)."""
    return {"customer": url_for("customers.edit", customer_id=p.customer_id),
            "measure": url_for("measures.edit", measure_id=p.measure_id)}


@bp.route("/teilnahmen/<int:participation_id>/vereinbarungen/<int:agreement_id>/dokument",
          methods=["GET", "POST"])
@login_required
def generate(participation_id, agreement_id):
    p, a = _editable(participation_id, agreement_id)
    spec, error = documents.agreement_spec(), ""
    if request.method == "POST":
        result = documents.issue_agreement(p, a, request.form.get("format", ""), current_user._get_current_object(),
                                           force=request.form.get("force") == "1")
        doc = result.document
        if doc and wants_fragment():
            return _panel(p, message=f"{doc.title} ({doc.format.upper()}, Version {doc.number}) erstellt.")
        if doc:
            flash(f"Das Dokument wurde erstellt und archiviert (Version {doc.number}).", "success")
            return redirect_to(url_for("participations.detail", participation_id=p.id))
        missing, error = result.missing, result.error or "Es fehlen Angaben; bitte ergänzen oder trotzdem erstellen."
        if wants_fragment():
            return _panel(p, 422, error=error)
    else:
        missing = preflight.missing_fields(spec, documents.agreement_context(p, a, current_user))
        audit.log("read", "agreement", a.id, "Vorabprüfung Dokument")
    return render("caseload/agreement_generate.html", "preflight", status=422 if error else 200, p=p,
                  agreement=a, spec=spec, missing=missing, error=error, links=_fix_links(p),
                  term_name=term_name(a), format_labels=documents.FORMAT_LABELS)
