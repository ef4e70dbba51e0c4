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
from peewee import fn

from . import audit
from .db import database
from .auth_models import AuthSession, LoginAttempt
from .models import User, now
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


def _wait(failures, threshold, last, current):
    """Seconds still to wait: none below ``threshold`` failures, then 1, 2, 4 … minutes
    after the last failure, doubling per further failure, at most LOGIN_MAX_DELAY_MINUTES."""
    if failures < threshold or last is None:
        return 0
    cap = current_app.config["LOGIN_MAX_DELAY_MINUTES"] * 60
    delay = min(60 * 2 ** (failures - threshold), cap)
    return max(0, int((last + datetime.timedelta(seconds=delay) - current).total_seconds()))


def throttle_seconds(username, address, current=None):
    """How long this login must wait (soft lockout, OWASP ASVS 2.2.1).

    Failures count per account *and* address (the right user elsewhere is not
    locked out by an attacker), per address (password spraying) and, with a
    higher threshold, per account from everywhere (distributed guessing slows
    down). Attempts refused by the throttle are not counted, so waiting always
    ends; the delay grows with each real failure up to LOGIN_MAX_DELAY_MINUTES.
    """
    cfg = current_app.config
    current = current or now()
    since = current - datetime.timedelta(minutes=cfg["LOGIN_WINDOW_MINUTES"])
    failed = LoginAttempt.select(fn.COUNT(LoginAttempt.id), fn.MAX(LoginAttempt.at)).where(
        LoginAttempt.at >= since, LoginAttempt.success == False)  # noqa: E712
    pair = failed.where(LoginAttempt.username == username, LoginAttempt.address == address).tuples().get()
    by_address = failed.where(LoginAttempt.address == address).tuples().get()
    by_account = failed.where(LoginAttempt.username == username).tuples().get()
    return max(_wait(pair[0], cfg["LOGIN_MAX_FAILURES_ACCOUNT"], pair[1], current),
               _wait(by_address[0], cfg["LOGIN_MAX_FAILURES_ADDRESS"], by_address[1], current),
               _wait(by_account[0], cfg["LOGIN_MAX_FAILURES_ADDRESS"], by_account[1], current))


def authenticate(username, password, address):
    """Return (user, None) on success or (None, German error message)."""
    wait = throttle_seconds(username, address)
    if wait:
        audit.log("login-throttled", "user", "", f"Benutzername {username[:60]}, noch {wait} s")
        minutes = max(1, -(-wait // 60))
        return None, ("Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie "
                      f"{minutes} {'Minute' if minutes == 1 else 'Minuten'} und versuchen Sie es dann erneut.")
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
