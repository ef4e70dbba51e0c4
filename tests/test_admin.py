"""Verwaltung: users, teams, settings (Admin only; see test_access for the matrix)."""
import pytest

from absolvent.models import AuthSession, JobcenterSettings, Team, User

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
