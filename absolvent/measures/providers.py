"""Träger: list with active search, detail with their measures, create, edit."""
from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user, login_required

from .. import access
from ..models import Measure, Provider
from ..web import redirect_to, render
from . import operations

bp = Blueprint("providers", __name__, url_prefix="/traeger")


def get_or_404(provider_id):
    provider = Provider.get_or_none(Provider.id == provider_id)
    if provider is None:
        abort(404)
    return provider


@bp.get("/")
@login_required
def index():
    q = request.args.get("q", "").strip()[:100]
    query = Provider.select().order_by(Provider.name)
    if q:
        query = query.where((Provider.name ** f"%{q}%") | (Provider.city ** f"%{q}%"))
    return render("measures/provider_list.html", "provider_results", push_url=True, providers=query.limit(200), q=q,
                  can_create=access.can_edit_measure(current_user))


@bp.route("/neu", methods=["GET", "POST"])
@login_required
def create():
    access.require(access.can_edit_measure(current_user))
    errors = {}
    if request.method == "POST":
        provider, errors = operations.save_provider(request.form)
        if provider:
            flash(f"Träger „{provider.name}“ wurde angelegt.", "success")
            return redirect_to(url_for("providers.detail", provider_id=provider.id))
    return render("measures/provider_form.html", "provider_form", values=request.form, errors=errors,
                  provider=None, status=422 if errors else 200)


@bp.route("/<int:provider_id>/bearbeiten", methods=["GET", "POST"])
@login_required
def edit(provider_id):
    provider = get_or_404(provider_id)
    access.require(access.can_edit_measure(current_user))
    errors = {}
    if request.method == "POST":
        saved, errors = operations.save_provider(request.form, provider)
        if saved:
            flash("Die Änderungen wurden gespeichert.", "success")
            return redirect_to(url_for("providers.detail", provider_id=provider.id))
    values = request.form if request.method == "POST" else provider.__data__
    return render("measures/provider_form.html", "provider_form", values=values, errors=errors,
                  provider=provider, status=422 if errors else 200)


@bp.get("/<int:provider_id>")
@login_required
def detail(provider_id):
    provider = get_or_404(provider_id)
    measures = Measure.select().where(Measure.provider == provider).order_by(Measure.start.desc())
    return render("measures/provider_detail.html", provider=provider, measures=measures,
                  can_edit=access.can_edit_measure(current_user))
