"""Write operations of the administration: users, teams, Jobcenter settings.

Each returns ``(obj, errors)`` with German messages per field.
"""
from ..jobcenter import rulebook_choices
from ..auth_models import AuthSession
from ..models import JobcenterSettings, Team, User, now
from ..passwords import hash_password, password_problem
from ..validation import Checker, save_record
from ..vocabulary import BUNDESLAENDER, ROLES


# what the holder of an account may not change on it: only another Admin does (no roles, and so no
# Sozialdaten, through the back door); the holder changes name, e-mail, phone and password only
OWN_ACCOUNT_LOCKED = {
    "username": "Ihren Benutzernamen ändert eine andere Person mit der Rolle Admin.",
    "roles": "Ihre eigenen Rollen kann nur eine andere Person mit der Rolle Admin ändern.",
    "team": "Ihr eigenes Team kann nur eine andere Person mit der Rolle Admin ändern.",
    "active": "Ihr eigenes Konto können Sie nicht sperren.",
}


def _own_account_form(form, user):
    """The form with the locked fields the page left out (shown disabled) filled in from ``user``."""
    form = form.copy()
    defaults = {"username": [user.username], "roles": sorted(user.role_set), "team": [user.team_id or ""],
                "active": ["on"] if user.active else []}
    for name, values in defaults.items():
        if name not in form:
            form.setlist(name, values)
    return form


def _check_own_account(c, user):
    current = {"username": user.username, "roles": user.role_set, "team": user.team_id, "active": user.active}
    given = {"username": c.data.get("username"), "roles": {r for r in c.data["roles"].split(",") if r},
             "team": getattr(c.data.get("team"), "id", None), "active": c.data["active"]}
    for name, message in OWN_ACCOUNT_LOCKED.items():
        if given[name] != current[name]:
            c.errors[name] = message


def check_user(form, user=None, actor=None):
    """Check the user form; ``actor`` (the Admin saving it) may not change the locked
    fields of their own account (``OWN_ACCOUNT_LOCKED``). Returns the Checker."""
    own = user is not None and actor is not None and user.id == actor.id
    if own:
        form = _own_account_form(form, user)
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
    if own:
        _check_own_account(c, user)
    return c


def _end_sessions(user, before):
    """Deactivating a user or changing the password ends their sessions."""
    if before is not None and (not user.active or user.password_hash != before.password_hash):
        AuthSession.update(revoked_at=now()).where(
            AuthSession.user == user, AuthSession.revoked_at.is_null()).execute()


def _roles_text(roles):
    return ", ".join(r for r in ROLES if r in roles) or "–"


def _account_facts(data):
    """Roles, team and active flag of a user row or checked form data, as German text."""
    team = data.get("team")
    return {"Rollen": _roles_text(set(data["roles"].split(","))),
            "Team": (team.name if team else "–"), "aktiv": "ja" if data["active"] else "nein"}


def _stored(user):
    return {**user.__data__, "team": user.team}


def change_detail(data, user=None):
    """The audit detail of saving ``data``: on create the new account's roles, team and flag;
    on update every change, the access-relevant ones as old → new, e.g.
    "Rollen: pAp → pAp, TL; Team: Team A → Team B; aktiv: ja → nein"."""
    new = _account_facts(data)
    if user is None:
        return "; ".join(f"{label}: {value}" for label, value in new.items())
    old = _account_facts(_stored(user))
    parts = [f"{label}: {old[label]} → {new[label]}" for label in new if old[label] != new[label]]
    for key, label in (("username", "Benutzername"), ("name", "Name"), ("email", "E-Mail"), ("phone", "Telefon")):
        if data[key] != getattr(user, key):
            parts.append(f"{label}: {getattr(user, key) or '–'} → {data[key] or '–'}")
    if "password_hash" in data:
        parts.append("Passwort geändert")
    return "; ".join(parts) or "keine Änderung"


def save_user(form, user=None, actor=None):
    """Create or update an account (``actor``: the Admin saving it, see ``check_user``)."""
    c = check_user(form, user, actor)
    if not c.ok:
        return None, c.errors
    return save_record(User, user, c.data, form, "user", "username", "Dieser Benutzername ist bereits vergeben.",
                       after=_end_sessions, audit_detail=change_detail(c.data, user))


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
    for key, label in (("street", "Straße"), ("city", "Ort"), ("phone", "Telefon"), ("email", "E-Mail")):
        c.text(key, label, required=False)
    c.postal_code("postal_code")
    c.text("letterhead", "Briefkopf", required=False, max_len=2000)
    for key, label in (("rez_name", "Name des REZ"), ("agentur_name", "Name der Agentur / des AG-/Trägerteams")):
        c.text(key, label, required=False, max_len=200)
    for key, label in (("rez_address", "Anschrift des REZ"), ("agentur_address", "Anschrift der Agentur")):
        c.text(key, label, required=False, max_len=500)
    c.choice("bundesland", "das Bundesland", BUNDESLAENDER)
    c.choice("active_rulebook", "das Regelwerk", dict(rulebook_choices()))
    if not c.ok:
        return None, c.errors
    saved = save_record(JobcenterSettings, JobcenterSettings.current(), c.data, form, "settings")
    JobcenterSettings.forget_current()  # the page answering this request shows the new values
    return saved
