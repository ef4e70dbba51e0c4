"""Teilnahmen: list with active search, detail, create (from a customer), edit."""
import datetime

from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user, login_required

from . import access, audit, operations
from .customers import get_visible as get_visible_customer
from .customers import visible_customers
from .domain import EXIT_KINDS
from .models import Customer, Measure, Participation, Provider
from .web import redirect_to, render

bp = Blueprint("participations", __name__, url_prefix="/teilnahmen")
PAGE_SIZE = 50
STATES = {"laufend": "laufend", "kuenftig": "künftig", "beendet": "beendet", "": "alle"}


def visible():
    return (Participation.select(Participation, Customer, Measure).join(Customer)
            .switch(Participation).join(Measure)
            .where(access.participation_filter(current_user)))


def get_visible(participation_id):
    p = (Participation.select(Participation, Customer, Measure, Provider).join(Customer)
         .switch(Participation).join(Measure).join(Provider)
         .where(Participation.id == participation_id).first())
    if p is None:
        abort(404)
    access.require(access.can_view_participation(current_user, p))
    return p


def filtered(q, state):
    """Visible participations matching the search ``q`` and the state (laufend, kuenftig, beendet, '')."""
    today = datetime.date.today()
    query = visible()
    if q:
        like = f"%{q}%"
        query = query.where((Customer.customer_number ** like) | (Customer.last_name ** like)
                            | (Measure.measure_number ** like) | (Measure.title ** like))
    if state == "laufend":
        query = query.where(Participation.entry <= today, Participation.exit.is_null())
    elif state == "kuenftig":
        query = query.where(Participation.entry > today)
    elif state == "beendet":
        query = query.where(Participation.exit.is_null(False))
    return query


@bp.get("/")
@login_required
def index():
    q = request.args.get("q", "").strip()[:100]
    state = request.args.get("status", "laufend")
    state = state if state in STATES else "laufend"
    page = max(request.args.get("seite", 1, type=int), 1)
    query = filtered(q, state)
    total = query.count()
    rows = query.order_by(Participation.planned_end, Participation.id).paginate(page, PAGE_SIZE)
    audit.log("read", "participation-list", detail=f"Suche={q!r} Status={state} Seite={page}")
    return render("participations/list.html", "participation_results", push_url=True, participations=rows,
                  q=q, state=state, states=STATES, page=page, total=total,
                  pages=(total + PAGE_SIZE - 1) // PAGE_SIZE)


def _measure_options(current=None):
    since = datetime.date.today() - datetime.timedelta(days=365)
    query = Measure.select().where(Measure.end >= since).order_by(Measure.start.desc())
    options = [(m.id, f"{m.measure_number} · {m.type_code} · {m.title} "
                      f"({m.start:%d.%m.%Y} – {m.end:%d.%m.%Y})") for m in query]
    if current and current.id not in {o[0] for o in options}:
        options.insert(0, (current.id, f"{current.measure_number} · {current.type_code} · {current.title}"))
    return options


def _form_page(values, errors, customer, participation=None):
    return render("participations/form.html", "participation_form", values=values,
                  errors=errors, customer=customer, participation=participation,
                  measure_options=_measure_options(participation.measure if participation else None),
                  exit_kinds=list(EXIT_KINDS.items()), plan_dates=operations.PLAN_DATES,
                  status=422 if errors else 200)


@bp.route("/neu", methods=["GET", "POST"])
@login_required
def create():
    customer = get_visible_customer(request.values.get("customer", type=int) or 0)
    access.require(access.can_edit_participation(current_user, customer=customer))
    errors = {}
    if request.method == "POST":
        p, errors = operations.save_participation(
            request.form, visible_customers().where(Customer.id == customer.id), Measure.select())
        if p:
            flash("Die Teilnahme wurde erfasst.", "success")
            return redirect_to(url_for("participations.detail", participation_id=p.id))
    values = request.form if request.method == "POST" else {"customer": customer.id}
    return _form_page(values, errors, customer)


@bp.route("/<int:participation_id>/bearbeiten", methods=["GET", "POST"])
@login_required
def edit(participation_id):
    p = get_visible(participation_id)
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
    values = request.form if request.method == "POST" else {
        **p.__data__, "measure": p.measure_id, "customer": p.customer_id,
        "important_reason": {True: "ja", False: "nein"}.get(p.important_reason, "")}
    return _form_page(values, errors, p.customer, p)


@bp.get("/<int:participation_id>")
@login_required
def detail(participation_id):
    p = get_visible(participation_id)
    audit.log("read", "participation", p.id)
    from .followups_web import panel_context
    return render("participations/detail.html", **panel_context(p))
