"""Maßnahmen: list with active search and type filter, detail, create, edit."""
from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user, login_required
from peewee import fn

from .. import access, audit, list_exports
from ..models import Customer, Measure, Participation, Provider, User
from ..vocabulary import MEASURE_FILE_KINDS, MEASURE_TYPES, PROCUREMENT
from ..web import redirect_to, render
from . import operations
from .workspace_operations import measure_documents

bp = Blueprint("measures", __name__, url_prefix="/massnahmen")


def get_or_404(measure_id):
    measure = Measure.get_or_none(Measure.id == measure_id)
    if measure is None:
        abort(404)
    return measure


def _search():
    """(q, type code, the query) of the list's search and type filter."""
    q = request.args.get("q", "").strip()[:100]
    type_code = request.args.get("art", "")
    query = (Measure.select(Measure, Provider).join(Provider)
             .order_by(Measure.start.desc(), Measure.measure_number))
    if q:
        query = query.where((Measure.measure_number ** f"%{q}%") | (Measure.title ** f"%{q}%")
                            | (Provider.name ** f"%{q}%"))
    if type_code in MEASURE_TYPES:
        query = query.where(Measure.type_code == type_code)
    return q, type_code, query


@bp.get("/")
@login_required
def index():
    q, type_code, query = _search()
    return render("measures/measure_list.html", "measure_results", push_url=True, measures=query.limit(200), q=q,
                  type_code=type_code, types=MEASURE_TYPES,
                  can_create=access.can_edit_measure(current_user))


def _options():
    providers = [(p.id, p.name) for p in Provider.select().order_by(Provider.name)]
    mbs = [(u.id, u.name) for u in User.select().where(User.roles.contains("MB"),
                                                       User.active == True).order_by(User.name)]
    return dict(provider_options=providers, mb_options=mbs,
                type_options=[(k, f"{k} – {v[0]}") for k, v in MEASURE_TYPES.items()],
                procurement_options=list(PROCUREMENT.items()))


@bp.route("/neu", methods=["GET", "POST"])
@login_required
def create():
    access.require(access.can_edit_measure(current_user))
    errors = {}
    if request.method == "POST":
        measure, errors = operations.save_measure(request.form)
        if measure:
            flash(f"Maßnahme {measure.measure_number} wurde angelegt.", "success")
            return redirect_to(url_for("measures.detail", measure_id=measure.id))
    values = request.form if request.method == "POST" else {"procurement": "vergabe"}
    return render("measures/measure_form.html", "measure_form", values=values, errors=errors,
                  measure=None, status=422 if errors else 200, **_options())


@bp.route("/<int:measure_id>/bearbeiten", methods=["GET", "POST"])
@login_required
def edit(measure_id):
    measure = get_or_404(measure_id)
    access.require(access.can_edit_measure(current_user, measure))
    errors = {}
    if request.method == "POST":
        saved, errors = operations.save_measure(request.form, measure)
        if saved:
            flash("Die Änderungen wurden gespeichert.", "success")
            return redirect_to(url_for("measures.detail", measure_id=measure.id))
    values = request.form if request.method == "POST" else {
        **measure.__data__, "provider": measure.provider_id, "mb": measure.mb_id or ""}
    return render("measures/measure_form.html", "measure_form", values=values, errors=errors,
                  measure=measure, status=422 if errors else 200, **_options())


@bp.get("/export.xlsx")
@login_required
def export():
    """The measures found by the page's search and type as an Excel file (all of them, not only the first 200)."""
    q, type_code, query = _search()
    filters = " · ".join([*([f"Art: {type_code}"] if type_code in MEASURE_TYPES else []),
                          *([f"Suche „{q}“"] if q else [])])
    return list_exports.answer(query, url_for("measures.index", q=q, art=type_code), "measure-list", "Maßnahmen",
                               list_exports.measures_sheet, filters)


def visible_participants(measure):
    """The measure's participations the user may see (the page's table "Teilnehmende, die Sie sehen dürfen")."""
    return (Participation.select(Participation, Customer, Measure).join(Customer)
            .switch(Participation).join(Measure)
            .where(Participation.measure == measure, access.participation_filter(current_user))
            .order_by(Customer.last_name, Customer.first_name, Participation.id))


@bp.get("/<int:measure_id>/teilnehmende.xlsx")
@login_required
def export_participants(measure_id):
    measure = get_or_404(measure_id)
    return list_exports.answer(visible_participants(measure), url_for("measures.detail", measure_id=measure.id),
                               "measure-participants", f"Teilnehmende {measure.measure_number}",
                               list_exports.participants_sheet, "die Teilnehmenden, die Sie sehen dürfen",
                               entity_id=measure.id)


@bp.get("/<int:measure_id>")
@login_required
def detail(measure_id):
    measure = get_or_404(measure_id)
    base = Participation.select().where(Participation.measure == measure)
    total = base.count()
    visible = visible_participants(measure)
    active = base.where(Participation.exit.is_null()).count()
    if visible:
        audit.log("read", "measure-participants", measure.id)
    return render("measures/measure_detail.html", measure=measure, participations=visible, total=total,
                  active=active, can_edit=access.can_edit_measure(current_user, measure),
                  is_mb=access.is_mb_of_measure(current_user, measure),
                  documents=measure_documents(measure), kind_labels=MEASURE_FILE_KINDS,
                  duration_days=(measure.end - measure.start).days + 1,
                  last_exit=base.select(fn.MAX(Participation.exit)).scalar())
