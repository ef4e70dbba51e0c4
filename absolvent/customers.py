"""Kunden: list with active search, detail, create, edit (team-scoped)."""
from flask import Blueprint, abort, request, url_for
from flask_login import current_user, login_required
from peewee import JOIN

from . import access, audit, operations
from .models import Customer, Measure, Note, Participation, User
from .web import redirect_to, render

bp = Blueprint("customers", __name__, url_prefix="/kunden")
PAGE_SIZE = 50


def visible_customers():
    return Customer.select().where(access.customer_filter(current_user))


def get_visible(customer_id):
    customer = Customer.get_or_none(Customer.id == customer_id)
    if customer is None:
        abort(404)
    access.require(access.can_view_customer(current_user, customer))
    return customer


def search(query, q):
    if q:
        like = f"%{q}%"
        query = query.where((Customer.customer_number ** like) | (Customer.last_name ** like)
                            | (Customer.first_name ** like))
    return query


@bp.get("/")
@login_required
def index():
    q = request.args.get("q", "").strip()[:100]
    page = max(request.args.get("seite", 1, type=int), 1)
    query = search(visible_customers(), q)
    total = query.count()
    rows = (query.select(Customer, User).join(User, on=(Customer.pap == User.id), join_type=JOIN.LEFT_OUTER)
            .order_by(Customer.last_name, Customer.first_name, Customer.id).paginate(page, PAGE_SIZE))
    audit.log("read", "customer-list", detail=f"Suche={q!r} Seite={page}")
    return render("customers/list.html", "customer_results", push_url=True, customers=rows, q=q, page=page,
                  total=total, pages=(total + PAGE_SIZE - 1) // PAGE_SIZE,
                  can_create=access.can_edit_customer(current_user))


def _pap_options():
    paps = User.select().where(User.team == current_user.team_id, User.roles.contains("pAp"),
                               User.active == True).order_by(User.name)
    return [(u.id, u.name) for u in paps]


@bp.route("/neu", methods=["GET", "POST"])
@login_required
def create():
    access.require(access.can_edit_customer(current_user))
    errors = {}
    if request.method == "POST":
        customer, errors = operations.save_customer(request.form, current_user.team_id)
        if customer:
            return redirect_to(url_for("customers.detail", customer_id=customer.id))
    values = request.form if request.method == "POST" else {"pap": current_user.id}
    return render("customers/form.html", "customer_form", values=values, errors=errors,
                  customer=None, pap_options=_pap_options(), status=422 if errors else 200)


@bp.route("/<int:customer_id>/bearbeiten", methods=["GET", "POST"])
@login_required
def edit(customer_id):
    customer = get_visible(customer_id)
    access.require(access.can_edit_customer(current_user, customer))
    errors = {}
    if request.method == "POST":
        saved, errors = operations.save_customer(request.form, customer.team_id, customer)
        if saved:
            return redirect_to(url_for("customers.detail", customer_id=customer.id))
    values = request.form if request.method == "POST" else {
        **customer.__data__, "pap": customer.pap_id or ""}
    audit.log("read", "customer", customer.id, "Bearbeiten")
    return render("customers/form.html", "customer_form", values=values, errors=errors,
                  customer=customer, pap_options=_pap_options(), status=422 if errors else 200)


@bp.get("/<int:customer_id>")
@login_required
def detail(customer_id):
    customer = get_visible(customer_id)
    participations = (Participation.select(Participation, Measure).join(Measure)
                      .where(Participation.customer == customer)
                      .order_by(Participation.entry.desc()))
    notes = Note.select().where(Note.customer == customer).order_by(Note.date.desc()).limit(20)
    audit.log("read", "customer", customer.id)
    return render("customers/detail.html", customer=customer, participations=participations,
                  notes=notes, can_edit=access.can_edit_customer(current_user, customer))
