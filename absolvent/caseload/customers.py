"""Kunden: list with active search, detail, create, edit (team-scoped)."""
from flask import Blueprint, request, url_for
from flask_login import current_user, login_required

from .. import access, audit, list_exports
from ..web import Pages, page_number, redirect_to, render
from . import operations, queries

bp = Blueprint("customers", __name__, url_prefix="/kunden")
PAGE_SIZE = 50


@bp.get("/")
@login_required
def index():
    q = request.args.get("q", "").strip()[:100]
    page = page_number()
    pages = Pages(queries.with_pap(queries.search_customers(current_user, q)), page, PAGE_SIZE)
    audit.log("read", "customer-list", detail=f"Suche={q!r} Seite={page}")
    return render("caseload/customer_list.html", "customer_results", push_url=True, customers=pages.rows, q=q,
                  pages=pages,
                  can_create=access.can_edit_customer(current_user))


def _form(values, errors, customer):
    paps = [(u.id, u.name) for u in queries.team_paps(current_user.team_id)]
    return render("caseload/customer_form.html", "customer_form", values=values, errors=errors,
                  customer=customer, pap_options=paps, status=422 if errors else 200)


@bp.route("/neu", methods=["GET", "POST"])
@login_required
def create():
    access.require(access.can_edit_customer(current_user))
    errors = {}
    if request.method == "POST":
        customer, errors = operations.save_customer(request.form, current_user.team_id)
        if customer:
            return redirect_to(url_for("customers.detail", customer_id=customer.id))
    return _form(request.form if request.method == "POST" else {"pap": current_user.id}, errors, None)


@bp.route("/<int:customer_id>/bearbeiten", methods=["GET", "POST"])
@login_required
def edit(customer_id):
    customer = queries.get_visible_customer(customer_id, current_user)
    access.require(access.can_edit_customer(current_user, customer))
    errors = {}
    if request.method == "POST":
        saved, errors = operations.save_customer(request.form, customer.team_id, customer)
        if saved:
            return redirect_to(url_for("customers.detail", customer_id=customer.id))
    audit.log("read", "customer", customer.id, "Bearbeiten")
    values = request.form if request.method == "POST" else {**customer.__data__, "pap": customer.pap_id or ""}
    return _form(values, errors, customer)


@bp.get("/<int:customer_id>")
@login_required
def detail(customer_id):
    customer = queries.get_visible_customer(customer_id, current_user)
    audit.log("read", "customer", customer.id)
    participations, all_visible = queries.visible_customer_participations(current_user, customer)
    return render("caseload/customer_detail.html", customer=customer, participations=participations,
                  timeline=queries.customer_timeline(customer, participations, all_visible),
                  can_edit=access.can_edit_customer(current_user, customer))


@bp.get("/export.xlsx")
@login_required
def export():
    """The customers found by the page's search as an Excel file (all of them, only the visible ones)."""
    q = request.args.get("q", "").strip()[:100]
    return list_exports.answer(queries.with_pap(queries.search_customers(current_user, q)),
                               url_for("customers.index", q=q), "customer-list", "Kundinnen und Kunden",
                               list_exports.customers_sheet, f"Suche „{q}“" if q else "")
