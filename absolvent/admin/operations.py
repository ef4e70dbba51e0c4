"""Write operations of the administration: users, teams, Jobcenter settings.

Each returns ``(obj, errors)`` with German messages per field.
"""
from ..jobcenter import rulebook_choices
from ..models import AuthSession, JobcenterSettings, Team, User, now
from ..passwords import hash_password, password_problem
from ..validation import Checker, save_record
from ..vocabulary import BUNDESLAENDER, ROLES


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


def _end_sessions(user, before):
    """Deactivating a user or changing the password ends their sessions."""
    if before is not None and (not user.active or user.password_hash != before.password_hash):
        AuthSession.update(revoked_at=now()).where(
            AuthSession.user == user, AuthSession.revoked_at.is_null()).execute()


def save_user(form, user=None):
    c = check_user(form, user)
    if not c.ok:
        return None, c.errors
    return save_record(User, user, c.data, form, "user", "username", "Dieser Benutzername ist bereits vergeben.",
                       after=_end_sessions, audit_detail=", ".join(k for k in c.data if k != "password_hash"))


def create_team(form):
    c = Checker(form)
    c.text("name", "den Namen des Teams", max_len=100)
    if not c.ok:
        return None, c.errors
    return save_record(Team, None, c.data, form, "team", "name", "Ein Team mit diesem Namen gibt es schon.")


def save_settings(form):
    """Create or update the one JobcenterSettings row; returns (settings, errors)."""
    c = Checker(form)
    c.text("name", "den Namen des Jobcenters", max_len=200)
    for key, label in (("street", "Straße"), ("postal_code", "PLZ"), ("city", "Ort"),
                       ("phone", "Telefon"), ("email", "E-Mail")):
        c.text(key, label, required=False)
    c.text("letterhead", "Briefkopf", required=False, max_len=2000)
    c.choice("bundesland", "das Bundesland", BUNDESLAENDER)
    c.choice("active_rulebook", "das Regelwerk", dict(rulebook_choices()))
    if not c.ok:
        return None, c.errors
    return save_record(JobcenterSettings, JobcenterSettings.current(), c.data, form, "settings")
