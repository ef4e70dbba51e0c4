"""Login, logout and server-side sessions.

The Flask session holds only the token of an ``AuthSession`` row. Logout revokes
that row, so a copied cookie stops working. Failed logins are counted in the
database (shared by all workers) per account and per address.
"""
import datetime
import functools
import secrets

from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask_login import LoginManager, current_user, login_required, login_user, logout_user

from . import audit
from .db import database
from .models import AuthSession, LoginAttempt, User, now
from .passwords import hash_password, needs_rehash, verify_password
from .web import render

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Bitte melden Sie sich an."
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"
_DUMMY_HASH = hash_password("kein-echtes-passwort-1")


@login_manager.user_loader
def load_user(token):
    row = (AuthSession.select(AuthSession, User).join(User)
           .where(AuthSession.token == token, AuthSession.revoked_at.is_null())
           .first())
    if row is None or not row.user.active:
        return None
    idle = datetime.timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    current = now()
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]  # at the latest after 10 hours, even in use
    if current - row.last_seen > idle or current - row.created_at > lifetime:
        row.revoked_at = current
        row.save()
        return None
    if current - row.last_seen > datetime.timedelta(minutes=1):
        AuthSession.update(last_seen=current).where(AuthSession.id == row.id).execute()
    user = row.user
    user.auth_token = token
    return user


def roles_required(*codes):
    """View decorator: 403 unless the user holds one of ``codes``."""
    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*codes):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def _too_many_failures(username, address):
    cfg = current_app.config
    since = now() - datetime.timedelta(minutes=cfg["LOGIN_WINDOW_MINUTES"])
    failed = LoginAttempt.select().where(LoginAttempt.at >= since, LoginAttempt.success == False)
    by_account = failed.where(LoginAttempt.username == username).count()
    by_address = failed.where(LoginAttempt.address == address).count()
    return by_account >= cfg["LOGIN_MAX_FAILURES_ACCOUNT"] or by_address >= cfg["LOGIN_MAX_FAILURES_ADDRESS"]


def authenticate(username, password, address):
    """Return (user, None) on success or (None, German error message)."""
    if _too_many_failures(username, address):
        LoginAttempt.create(username=username, address=address, success=False)
        return None, ("Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie "
                      f"{current_app.config['LOGIN_WINDOW_MINUTES']} Minuten.")
    user = User.get_or_none(User.username == username)
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if not ok or user is None or not user.active:
        LoginAttempt.create(username=username, address=address, success=False)
        return None, "Benutzername oder Passwort ist falsch."
    with database.atomic():
        LoginAttempt.create(username=username, address=address, success=True)
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
            user.save()
    return user, None


@bp.route("/anmelden", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    error = None
    username = request.form.get("username", "").strip()
    if request.method == "POST":
        user, error = authenticate(username, request.form.get("password", ""), audit.client_address())
        if user:
            token = secrets.token_urlsafe(32)
            AuthSession.create(token=token, user=user, address=audit.client_address())
            user.auth_token = token
            session.clear()
            session.permanent = True
            login_user(user)
            audit.log("login", "user", user.id, user=user)
            target = request.args.get("next", "")
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("home.index")
            return redirect(target)
    return render("auth/login.html", error=error, username=username), (401 if error else 200)


@bp.route("/abmelden", methods=["POST"])
@login_required
def logout():
    AuthSession.update(revoked_at=now()).where(AuthSession.token == current_user.auth_token).execute()
    audit.log("logout", "user", current_user.id)
    logout_user()
    session.clear()
    flash("Sie wurden abgemeldet.", "info")
    return redirect(url_for("auth.login"))
