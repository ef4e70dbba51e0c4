"""Verwaltung (Admin): users, teams and the Jobcenter settings."""
from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user
from peewee import JOIN

from ..auth import roles_required
from ..jobcenter import rulebook_choices
from ..models import JobcenterSettings, Team, User
from ..vocabulary import BUNDESLAENDER, ROLES
from ..web import redirect_to, render
from . import operations

bp = Blueprint("admin", __name__, url_prefix="/verwaltung")


@bp.get("/benutzer")
@roles_required("Admin")
def users():
    rows = User.select(User, Team).join(Team, join_type=JOIN.LEFT_OUTER).order_by(User.name)
    return render("admin/users.html", users=rows, roles=ROLES)


def _user_form(values, errors, user):
    """The account form; on one's own account username, roles, team and status are shown locked."""
    teams = [(t.id, t.name) for t in Team.select().order_by(Team.name)]
    return render("admin/user_form.html", "user_form", values=values, errors=errors, user=user,
                  own_account=user is not None and user.id == current_user.id,
                  roles=ROLES, team_options=teams, status=422 if errors else 200)


@bp.route("/benutzer/neu", methods=["GET", "POST"])
@roles_required("Admin")
def user_create():
    errors = {}
    if request.method == "POST":
        user, errors = operations.save_user(request.form)
        if user:
            flash(f"Benutzerkonto {user.username} wurde angelegt.", "success")
            return redirect_to(url_for("admin.users"))
    return _user_form(request.form if request.method == "POST" else {"active": "on"}, errors, None)


@bp.route("/benutzer/<int:user_id>", methods=["GET", "POST"])
@roles_required("Admin")
def user_edit(user_id):
    user = User.get_or_none(User.id == user_id) or abort(404)
    errors = {}
    if request.method == "POST":
        saved, errors = operations.save_user(request.form, user, actor=current_user)
        if saved:
            flash("Die Änderungen wurden gespeichert.", "success")
            return redirect_to(url_for("admin.users"))
    values = request.form if request.method == "POST" else {
        **user.__data__, "team": user.team_id or "", "active": "on" if user.active else ""}
    return _user_form(values, errors, user)


@bp.route("/teams", methods=["GET", "POST"])
@roles_required("Admin")
def teams():
    errors = {}
    if request.method == "POST":
        team, errors = operations.create_team(request.form)
        if team:
            flash(f"Team „{team.name}“ wurde angelegt.", "success")
            return redirect_to(url_for("admin.teams"))
    return render("admin/teams.html", "team_form", teams=Team.select().order_by(Team.name),
                  errors=errors, values=request.form, status=422 if errors else 200)


@bp.route("/einstellungen", methods=["GET", "POST"])
@roles_required("Admin")
def settings():
    errors = {}
    if request.method == "POST":
        saved, errors = operations.save_settings(request.form)
        if saved:
            flash("Die Einstellungen wurden gespeichert.", "success")
            return redirect_to(url_for("admin.settings"))
    current = JobcenterSettings.current() or JobcenterSettings(name="Jobcenter")
    values = request.form if request.method == "POST" else current.__data__
    return render("admin/settings.html", "settings_form", values=values, errors=errors,
                  bundeslaender=list(BUNDESLAENDER.items()), rulebooks=rulebook_choices(),
                  status=422 if errors else 200)
