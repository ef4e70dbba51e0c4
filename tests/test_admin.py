"""Verwaltung: users, teams, settings (Admin only; see test_access for the matrix)."""
import pytest

from absolvent.auth_models import AuthSession
from absolvent.models import AuditLog, JobcenterSettings, Team, User

NEW = {"username": "neu.nutzer", "name": "Nina Neu", "email": "nina@jc.invalid", "roles": ["pAp", "boV"],
       "password": "Gutes-Passwort-77", "active": "on"}


def test_users_list_and_form(world, auth):
    auth.login("admin")
    assert "pap1" in auth.get("/verwaltung/benutzer").get_data(as_text=True)
    assert "<html" in auth.get("/verwaltung/benutzer/neu").get_data(as_text=True)
    frag = auth.get("/verwaltung/benutzer/neu", htmx=True).get_data(as_text=True)
    assert "<html" not in frag and frag.lstrip().startswith('<form id="user-form"')


def test_create_user(world, auth):
    auth.login("admin")
    response = auth.post("/verwaltung/benutzer/neu", {**NEW, "team": world["t1"].id})
    assert response.status_code == 302
    user = User.get(User.username == "neu.nutzer")
    assert user.role_set == {"pAp", "boV"} and user.team_id == world["t1"].id and user.active
    assert user.password_hash.startswith("$argon2id$") and "Gutes-Passwort" not in user.password_hash


@pytest.mark.parametrize("changes,field,message", [
    ({"username": "pap1"}, "username", "Dieser Benutzername ist bereits vergeben."),
    ({"username": "mit leerzeichen"}, "username", "nur Buchstaben, Ziffern"),
    ({"roles": []}, "roles", "Bitte mindestens eine Rolle auswählen."),
    ({"roles": ["Chef"]}, "roles", "Unbekannte Rolle: Chef."),
    ({"password": "kurz"}, "password", "mindestens 10 Zeichen"),
    ({"password": "nurbuchstabenlang"}, "password", "Buchstaben und Ziffern"),
    ({"team": "99999"}, "team", "Unbekannte Auswahl für das Team."),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_user_validation(world, auth, changes, field, message, htmx):
    auth.login("admin")
    response = auth.post("/verwaltung/benutzer/neu", {**NEW, **changes}, htmx=htmx)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and ("<html" in body) != htmx
    assert message in body.split(f'id="e-{field}"')[1].split("</p>")[0]


def test_deactivating_user_revokes_sessions(world, auth, app):
    other = app.test_client()
    from tests.conftest import Auth
    pap = Auth(other)
    pap.login("pap1")
    assert pap.get("/start").status_code == 200
    auth.login("admin")
    u = world["pap1"]
    response = auth.post(f"/verwaltung/benutzer/{u.id}", {"username": "pap1", "name": u.name, "roles": ["pAp"],
                                                         "team": world["t1"].id})
    assert response.status_code == 302
    assert not User.get_by_id(u.id).active
    assert AuthSession.select().where(AuthSession.user == u, AuthSession.revoked_at.is_null()).count() == 0
    assert pap.get("/start").status_code == 302


def test_edit_user_keeps_password_when_empty(world, auth):
    auth.login("admin")
    u = world["bov1"]
    before = u.password_hash
    auth.post(f"/verwaltung/benutzer/{u.id}", {"username": "bov1", "name": "Boris Neu", "roles": ["boV", "AG-S"],
                                               "team": world["t1"].id, "active": "on", "password": ""})
    u = User.get_by_id(u.id)
    assert u.name == "Boris Neu" and u.role_set == {"boV", "AG-S"} and u.password_hash == before


def test_teams(world, auth):
    auth.login("admin")
    assert auth.post("/verwaltung/teams", {"name": "Team 630"}).status_code == 302
    assert Team.select().where(Team.name == "Team 630").exists()
    dup = auth.post("/verwaltung/teams", {"name": "Team A"}, htmx=True)
    assert dup.status_code == 422 and "gibt es schon" in dup.get_data(as_text=True)


def test_settings(world, auth):
    auth.login("admin")
    page = auth.get("/verwaltung/einstellungen").get_data(as_text=True)
    assert "goslar-2016" in page and "deutsche-weinstrasse-2022" in page
    data = {"name": "Jobcenter Deutsche Weinstraße", "street": "Weinstr. 1", "postal_code": "67433",
            "city": "Neustadt", "bundesland": "RP", "active_rulebook": "deutsche-weinstrasse-2022",
            "letterhead": "Jobcenter Deutsche Weinstraße\nWeinstr. 1"}
    assert auth.post("/verwaltung/einstellungen", data).status_code == 302
    s = JobcenterSettings.current()
    assert s.active_rulebook == "deutsche-weinstrasse-2022" and s.bundesland == "RP"
    bad = auth.post("/verwaltung/einstellungen", {**data, "active_rulebook": "gibtsnicht", "bundesland": "XX"},
                    htmx=True)
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Unbekannter Wert für das Regelwerk" in body
    assert "Unbekannter Wert für das Bundesland" in body


# ------------------------------------------------------------------ audit of account changes, own account


def _form(user, **changes):
    data = {"username": user.username, "name": user.name, "email": user.email, "phone": user.phone,
            "roles": sorted(user.role_set), "team": user.team_id or "", "active": "on" if user.active else ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _audit(action, user):
    return [r.detail for r in AuditLog.select().where(AuditLog.action == action, AuditLog.entity == "user",
                                                       AuditLog.entity_id == str(user.id)).order_by(AuditLog.id)]


def test_role_change_is_logged_old_to_new(world, auth):
    auth.login("admin")
    u = world["pap1"]
    response = auth.post(f"/verwaltung/benutzer/{u.id}", _form(u, roles=["pAp", "TL"], team=world["t2"].id,
                                                               active=None))
    assert response.status_code == 302
    assert _audit("update", u) == ["Rollen: pAp → pAp, TL; Team: Team A → Team B; aktiv: ja → nein"]
    auth.post(f"/verwaltung/benutzer/{u.id}", _form(User.get_by_id(u.id), name="Paula Neu", password="Neues-Pass-99"))
    assert _audit("update", u)[-1] == "Name: Pap1 → Paula Neu; Passwort geändert"


def test_account_creation_is_logged_with_roles(world, auth):
    auth.login("admin")
    auth.post("/verwaltung/benutzer/neu", {**NEW, "team": world["t1"].id})
    user = User.get(User.username == "neu.nutzer")
    assert _audit("create", user) == ["Rollen: pAp, boV; Team: Team A; aktiv: ja"]


def test_ds_role_can_be_given(world, auth):
    auth.login("admin")
    assert "DS – Datenschutz" in auth.get("/verwaltung/benutzer/neu").get_data(as_text=True)
    assert auth.post("/verwaltung/benutzer/neu", {**NEW, "roles": ["DS"]}).status_code == 302
    assert User.get(User.username == "neu.nutzer").role_set == {"DS"}


def test_admin_may_give_others_bl(world, auth):
    auth.login("admin")
    u = world["tl1"]
    assert auth.post(f"/verwaltung/benutzer/{u.id}", _form(u, roles=["TL", "BL"])).status_code == 302
    assert User.get_by_id(u.id).role_set == {"TL", "BL"}


@pytest.mark.parametrize("changes,field,message", [
    ({"roles": ["Admin", "BL"]}, "roles", "Ihre eigenen Rollen kann nur eine andere Person mit der Rolle Admin"),
    ({"roles": ["Admin", "pAp"]}, "roles", "Ihre eigenen Rollen"),
    ({"roles": ["DS"]}, "roles", "Ihre eigenen Rollen"),
    ({"roles": [""]}, "roles", "Ihre eigenen Rollen"),  # present but empty (left out: kept, see below)
    ({"team": "T1"}, "team", "Ihr eigenes Team kann nur eine andere Person mit der Rolle Admin ändern."),
    ({"active": ""}, "active", "Ihr eigenes Konto können Sie nicht sperren."),
    ({"username": "chefin"}, "username", "Ihren Benutzernamen ändert eine andere Person"),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_own_account_is_locked(world, auth, changes, field, message, htmx):
    """An Admin changes name, e-mail, phone and password of their own account only: no
    roles (no Sozialdaten through the back door), no team, no deactivation."""
    auth.login("admin")
    me = world["admin"]
    if changes.get("team") == "T1":
        changes = {"team": world["t1"].id}
    response = auth.post(f"/verwaltung/benutzer/{me.id}", _form(me, **changes), htmx=htmx)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and ("<html" in body) != htmx
    assert message in body.split(f'id="e-{field}"')[1].split("</p>")[0]
    after = User.get_by_id(me.id)
    assert (after.username, after.role_set, after.team_id, after.active) == ("admin", {"Admin"}, None, True)
    assert not _audit("update", me)


def test_own_account_form_keeps_locked_fields(world, auth):
    """The page shows username, roles, team and status disabled (not sent): saving keeps them."""
    auth.login("admin")
    me = world["admin"]
    page = auth.get(f"/verwaltung/benutzer/{me.id}").get_data(as_text=True)
    assert "Dies ist Ihr eigenes Konto" in page
    assert '<fieldset class="field" aria-describedby="e-roles" disabled>' in page
    assert 'name="active" aria-describedby="e-active" checked disabled' in page
    other = auth.get(f"/verwaltung/benutzer/{world['pap1'].id}").get_data(as_text=True)
    assert "Dies ist Ihr eigenes Konto" not in other and " disabled" not in other
    response = auth.post(f"/verwaltung/benutzer/{me.id}", {"name": "Ada Admin", "email": "ada@jc.invalid",
                                                          "phone": "0531 1", "password": ""})
    assert response.status_code == 302
    after = User.get_by_id(me.id)
    assert (after.name, after.email, after.role_set, after.active, after.username) == (
        "Ada Admin", "ada@jc.invalid", {"Admin"}, True, "admin")
    assert _audit("update", me) == ["Name: Admin → Ada Admin; E-Mail: – → ada@jc.invalid; Telefon: – → 0531 1"]
