"""Teilnahmen: list with active search, detail (with its plan), create (from a customer), edit."""
from flask import Blueprint, flash, request, url_for
from flask_login import current_user, login_required

from .. import access, audit, list_exports
from ..models import Customer, Measure
from ..vocabulary import EXIT_KINDS, PLAN_DATES
from ..measures.files import reports_of
from ..web import Pages, db_int, page_number, redirect_to, render
from . import operations, queries
from .followups import panel_context

bp = Blueprint("participations", __name__, url_prefix="/teilnahmen")
PAGE_SIZE = 50


def _search():
    """(q, state, the ordered query) of the list's search."""
    q = request.args.get("q", "").strip()[:100]
    state = request.args.get("status", "laufend")
    state = state if state in queries.PARTICIPATION_STATES else "laufend"
    return q, state, queries.search_participations(current_user, q, state).order_by(
        *queries.participation_order(state))


@bp.get("/")
@login_required
def index():
    q, state, query = _search()
    page = page_number()
    pages = Pages(query, page, PAGE_SIZE, queries.search_participations(current_user, q, state, counting=True))
    audit.log("read", "participation-list", detail=f"Suche={q!r} Status={state} Seite={page}")
    return render("caseload/participation_list.html", "participation_results", push_url=True,
                  participations=pages.rows, q=q, state=state, states=queries.PARTICIPATION_STATES, pages=pages)


@bp.get("/export.xlsx")
@login_required
def export():
    """The participations found by the page's search and state as an Excel file (all, only the visible ones)."""
    q, state, query = _search()
    filters = " · ".join([f"Status: {queries.PARTICIPATION_STATES[state]}", *([f"Suche „{q}“"] if q else [])])
    return list_exports.answer(query, url_for("participations.index", q=q, status=state), "participation-list",
                               "Teilnahmen", list_exports.participations_sheet, filters)


def _form(values, errors, customer, participation=None):
    return render("caseload/participation_form.html", "participation_form", values=values,
                  errors=errors, customer=customer, participation=participation,
                  measure_options=queries.measure_options(participation.measure if participation else None),
                  exit_kinds=list(EXIT_KINDS.items()), plan_dates=PLAN_DATES,
                  status=422 if errors else 200)


@bp.route("/neu", methods=["GET", "POST"])
@login_required
def create():
    customer = queries.get_visible_customer(request.values.get("customer", type=db_int) or 0, current_user)
    access.require(access.can_edit_participation(current_user, customer=customer))
    errors = {}
    if request.method == "POST":
        p, errors = operations.save_participation(
            request.form, queries.visible_customers(current_user).where(Customer.id == customer.id),
            Measure.select())
        if p:
            flash("Die Teilnahme wurde erfasst.", "success")
            return redirect_to(url_for("participations.detail", participation_id=p.id))
    return _form(request.form if request.method == "POST" else {"customer": customer.id}, errors, customer)


@bp.route("/<int:participation_id>/bearbeiten", methods=["GET", "POST"])
@login_required
def edit(participation_id):
    p = queries.get_visible_participation(participation_id, current_user)
    access.require(access.can_edit_participation(current_user, p))
    errors = {}
    if request.method == "POST":
        form = request.form.copy()
        form["customer"], form["id"] = str(p.customer_id), str(p.id)
        saved, errors = operations.save_participation(
            form, Customer.select().where(Customer.id == p.customer_id), Measure.select(), p)
        if saved:
            flash("Die Änderungen wurden gespeichert.", "success")
            return redirect_to(url_for("participations.detail", participation_id=p.id))
    audit.log("read", "participation", p.id, "Bearbeiten")
    values = request.form if request.method == "POST" else {
        **p.__data__, "measure": p.measure_id, "customer": p.customer_id,
        "important_reason": {True: "ja", False: "nein"}.get(p.important_reason, "")}
    return _form(values, errors, p.customer, p)


@bp.get("/<int:participation_id>")
@login_required
def detail(participation_id):
    p = queries.get_visible_participation(participation_id, current_user)
    audit.log("read", "participation", p.id)
    return render("caseload/participation_detail.html", provider_reports=reports_of(p), **panel_context(p))
