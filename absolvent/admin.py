"""Verwaltung (Admin): users, teams and the Jobcenter settings."""
from flask import Blueprint, abort, flash, request, url_for
from peewee import JOIN

from . import audit
from .auth import roles_required
from .db import database
from .domain import BUNDESLAENDER, ROLES
from .models import AuthSession, JobcenterSettings, Team, User, now
from .passwords import hash_password, password_problem
from .validation import Checker, IntegrityError
from .web import redirect_to, render

bp = Blueprint("admin", __name__, url_prefix="/verwaltung")


def check_user(form, user=None):
    c = Checker(form)
    username = c.text("username", "den Benutzernamen", max_len=60)
    if username and not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
        c.fail("username", "Der Benutzername darf nur Buchstaben, Ziffern, Punkt, Binde- und Unterstrich enthalten.")
    c.text("name", "den Namen", max_len=120)
    email = c.text("email", "E-Mail", required=False)
    if email and "@" not in email:
        c.fail("email", "Bitte eine gültige E-Mail-Adresse eingeben.")
    c.text("phone", "Telefon", required=False, max_len=40)
    c.record("team", "das Team", Team, required=False)
    roles = [r for r in form.getlist("roles") if r]
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        c.fail("roles", f"Unbekannte Rolle: {', '.join(unknown)}.")
    elif not roles:
        c.fail("roles", "Bitte mindestens eine Rolle auswählen.")
    c.data["roles"] = ",".join(r for r in ROLES if r in roles)
    c.data["active"] = form.get("active") == "on"
    password = form.get("password") or ""
    if user is None or password:
        problem = password_problem(password)
        if problem:
            c.fail("password", problem)
        else:
            c.data["password_hash"] = hash_password(password)
    return c


def save_user(form, user=None):
    c = check_user(form, user)
    if not c.ok:
        return None, c.errors
    try:
        with database.atomic():
            if user is None:
                user = User.create(**c.data)
                audit.log("create", "user", user.id)
            else:
                for key, value in c.data.items():
                    setattr(user, key, value)
                user.save()
                if not user.active or "password_hash" in c.data:
                    AuthSession.update(revoked_at=now()).where(
                        AuthSession.user == user, AuthSession.revoked_at.is_null()).execute()
                audit.log("update", "user", user.id, ", ".join(k for k in c.data if k != "password_hash"))
    except IntegrityError:
        return None, {"username": "Dieser Benutzername ist bereits vergeben."}
    return user, {}


@bp.get("/benutzer")
@roles_required("Admin")
def users():
    rows = User.select(User, Team).join(Team, join_type=JOIN.LEFT_OUTER).order_by(User.name)
    return render("admin/users.html", users=rows, roles=ROLES)


def _user_form(values, errors, user):
    teams = [(t.id, t.name) for t in Team.select().order_by(Team.name)]
    return render("admin/user_form.html", "user_form", values=values, errors=errors, user=user,
                  roles=ROLES, team_options=teams, status=422 if errors else 200)


@bp.route("/benutzer/neu", methods=["GET", "POST"])
@roles_required("Admin")
def user_create():
    errors = {}
    if request.method == "POST":
        user, errors = save_user(request.form)
        if user:
            flash(f"Benutzerkonto {user.username} wurde angelegt.", "success")
            return redirect_to(url_for("admin.users"))
    values = request.form if request.method == "POST" else {"active": "on"}
    return _user_form(values, errors, None)


@bp.route("/benutzer/<int:user_id>", methods=["GET", "POST"])
@roles_required("Admin")
def user_edit(user_id):
    user = User.get_or_none(User.id == user_id) or abort(404)
    errors = {}
    if request.method == "POST":
        saved, errors = save_user(request.form, user)
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
        c = Checker(request.form)
        name = c.text("name", "den Namen des Teams", max_len=100)
        if c.ok:
            try:
                with database.atomic():
                    Team.create(name=name)
                flash(f"Team „{name}“ wurde angelegt.", "success")
                return redirect_to(url_for("admin.teams"))
            except IntegrityError:
                c.fail("name", "Ein Team mit diesem Namen gibt es schon.")
        errors = c.errors
    return render("admin/teams.html", "team_form", teams=Team.select().order_by(Team.name),
                  errors=errors, values=request.form, status=422 if errors else 200)


@bp.route("/einstellungen", methods=["GET", "POST"])
@roles_required("Admin")
def settings():
    from .rulebooks_registry import rulebook_choices
    current = JobcenterSettings.current() or JobcenterSettings(name="Jobcenter")
    errors = {}
    choices = rulebook_choices()
    if request.method == "POST":
        c = Checker(request.form)
        c.text("name", "den Namen des Jobcenters", max_len=200)
        for key, label in (("street", "Straße"), ("postal_code", "PLZ"), ("city", "Ort"),
                           ("phone", "Telefon"), ("email", "E-Mail")):
            c.text(key, label, required=False)
        c.text("letterhead", "Briefkopf", required=False, max_len=2000)
        c.choice("bundesland", "das Bundesland", BUNDESLAENDER)
        c.choice("active_rulebook", "das Regelwerk", dict(choices))
        if c.ok:
            with database.atomic():
                for key, value in c.data.items():
                    setattr(current, key, value)
                current.save()
                audit.log("update", "settings", current.id, ", ".join(sorted(c.data)))
            flash("Die Einstellungen wurden gespeichert.", "success")
            return redirect_to(url_for("admin.settings"))
        errors = c.errors
    values = request.form if request.method == "POST" else current.__data__
    return render("admin/settings.html", "settings_form", values=values, errors=errors,
                  bundeslaender=list(BUNDESLAENDER.items()), rulebooks=choices,
                  status=422 if errors else 200)

