import datetime

import pytest
from peewee import fn

from absolvent.auth_models import AuthSession, LoginAttempt
from absolvent.models import AuditLog, User
from tests.conftest import PASSWORD


@pytest.fixture
def user(make):
    return make.user("erika", "pAp", make.team())


def test_login_page_german(client):
    page = client.get("/anmelden").get_data(as_text=True)
    assert "Anmelden" in page and "Benutzername" in page and "Passwort" in page
    assert 'lang="de"' in page


def test_login_and_start_page(auth, user):
    response = auth.login("erika")
    assert response.status_code == 302 and response.headers["Location"].endswith("/start")
    page = auth.get("/start").get_data(as_text=True)
    assert "Guten Tag, Erika" in page
    assert AuditLog.select().where(AuditLog.action == "login").count() == 1


def test_password_is_argon2(user):
    assert user.password_hash.startswith("$argon2id$")


@pytest.mark.parametrize("username,password", [("erika", "falsch-123456"), ("niemand", PASSWORD)])
def test_wrong_credentials(auth, user, username, password):
    response = auth.login(username, password)
    assert response.status_code == 401
    assert "Benutzername oder Passwort ist falsch." in response.get_data(as_text=True)


def test_inactive_user_cannot_login(auth, user):
    User.update(active=False).where(User.id == user.id).execute()
    assert auth.login("erika").status_code == 401


def test_logout_invalidates_copied_cookie(app, auth, user):
    auth.login("erika")
    cookie = auth.client.get_cookie("absolvent_session").value
    assert auth.get("/start").status_code == 200
    assert auth.logout().status_code == 302
    other = app.test_client()
    other.set_cookie("absolvent_session", cookie)
    response = other.get("/start")
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]
    assert AuthSession.get().revoked_at is not None


def test_session_expires_when_idle(auth, user):
    auth.login("erika")
    AuthSession.update(last_seen=datetime.datetime.now() - datetime.timedelta(hours=2)).execute()
    assert auth.get("/start").status_code == 302


def test_deactivating_user_ends_sessions(auth, user):
    auth.login("erika")
    User.update(active=False).where(User.id == user.id).execute()
    assert auth.get("/start").status_code == 302


def test_session_cookie_flags(app, auth, user):
    response = auth.login("erika")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_flag_in_production_config(database_url):
    from absolvent import create_app
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": database_url, "DATABASE_POOLED": False})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_open_redirect_refused(auth, user, client):
    page = client.get("/anmelden")
    import re
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    response = client.post("/anmelden?next=//evil.example/x",
                           data={"username": "erika", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"].endswith("/start")


def test_rate_limit_per_account(auth, user):
    for _ in range(5):
        auth.login("erika", "falsch-123456")
    response = auth.login("erika")  # correct password, but locked for now
    assert response.status_code == 401
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in response.get_data(as_text=True)


def test_rate_limit_window_passes(auth, user):
    for _ in range(5):
        auth.login("erika", "falsch-123456")
    LoginAttempt.update(at=datetime.datetime.now() - datetime.timedelta(minutes=16)).execute()
    assert auth.login("erika").status_code == 302


def test_rate_limit_per_address(app, auth, make):
    app.config["LOGIN_MAX_FAILURES_ADDRESS"] = 3
    make.user("other", "pAp")
    for name in ("a", "b", "c"):
        auth.login(name, "falsch-123456")
    assert auth.login("other").status_code == 401
    assert LoginAttempt.select().where(LoginAttempt.success == True).count() == 0


def test_csrf_required_for_form_post(auth, user):
    auth.login("erika")
    response = auth.client.post("/abmelden")
    assert response.status_code == 400
    assert "Sicherheitsprüfung" in response.get_data(as_text=True)


def test_csrf_required_for_htmx_post(auth, user, make):
    auth.login("erika")
    response = auth.client.post("/kunden/neu", headers={"HX-Request": "true"}, data={})
    assert response.status_code == 400
    ok = auth.post("/kunden/neu", {"customer_number": ""}, htmx=True)
    assert ok.status_code == 422  # token in the X-CSRFToken header accepted, validation runs


def test_csrf_on_login(client, user):
    response = client.post("/anmelden", data={"username": "erika", "password": PASSWORD})
    assert response.status_code == 400


def test_pages_require_login(client):
    for url in ["/start", "/kunden/", "/teilnahmen/", "/massnahmen/", "/traeger/", "/verwaltung/benutzer"]:
        response = client.get(url)
        assert response.status_code == 302 and "/anmelden" in response.headers["Location"], url


def test_german_404(auth, user):
    auth.login("erika")
    response = auth.get("/kunden/999999")
    assert response.status_code == 404 and "Nicht gefunden" in response.get_data(as_text=True)


def test_a_session_ends_after_its_absolute_lifetime_even_in_use(world, auth):
    """Issue 10 finding 6: the README promises 10 hours at the latest."""
    import datetime

    from absolvent.db import database
    auth.login("pap1")
    assert auth.get("/start").status_code == 200
    with database.connection_context():
        AuthSession.update(created_at=datetime.datetime.now() - datetime.timedelta(hours=11),
                           last_seen=datetime.datetime.now()).execute()
    assert auth.get("/start").status_code == 302  # back to the login


@pytest.mark.parametrize("url", ["/start", "/wiedervorlagen/", "/anmelden"])
def test_security_headers_on_pages_and_fragments(world, auth, url):
    auth.login("pap1")
    for htmx in (False, True):
        response = auth.get(url, htmx=htmx)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Cache-Control"] == "no-store"
    static = auth.get("/static/app.css")
    assert static.headers["X-Content-Type-Options"] == "nosniff" and static.headers.get("Cache-Control") != "no-store"
    static.close()


def _fail(auth, times, address="127.0.0.1"):
    for _ in range(times):
        auth.client.environ_base["REMOTE_ADDR"] = address
        auth.login("erika", "falsch-123456")


def test_soft_lockout_ends_and_refused_attempts_do_not_count(auth, user):
    """Issue 10 finding 7 (OWASP ASVS 2.2.1): 5 failures wait 1 minute; knocking meanwhile does not extend it."""
    _fail(auth, 5)
    last = LoginAttempt.select(fn.MAX(LoginAttempt.at)).scalar()
    for _ in range(10):  # refused by the throttle: not recorded as failures
        assert auth.login("erika").status_code == 401
    assert LoginAttempt.select().count() == 5
    for attempt in LoginAttempt.select():  # a minute and a bit later
        earlier = attempt.at - datetime.timedelta(seconds=61)
        LoginAttempt.update(at=earlier).where(LoginAttempt.id == attempt.id).execute()
    assert last is not None and auth.login("erika").status_code == 302


def test_delay_grows_with_each_failure(app, auth, user):
    from absolvent.auth import throttle_seconds
    _fail(auth, 5)
    with app.test_request_context():
        assert 55 <= throttle_seconds("erika", "127.0.0.1") <= 60
        LoginAttempt.create(username="erika", address="127.0.0.1", success=False)  # a 6th real failure
        assert 115 <= throttle_seconds("erika", "127.0.0.1") <= 120
        for _ in range(10):
            LoginAttempt.create(username="erika", address="127.0.0.1", success=False)
        assert throttle_seconds("erika", "127.0.0.1") <= 15 * 60  # capped


def test_an_attacker_elsewhere_does_not_lock_out_the_user(auth, user):
    _fail(auth, 6, address="10.9.9.9")
    auth.client.environ_base["REMOTE_ADDR"] = "10.1.1.1"
    assert auth.login("erika").status_code == 302


@pytest.mark.parametrize("proxies,expected", [(0, "127.0.0.1"), (1, "203.0.113.7")])
def test_forwarded_address_only_from_configured_proxies(database_url, proxies, expected):
    from absolvent import create_app
    from absolvent.audit import client_address
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": database_url, "PROXY_COUNT": proxies})
    seen = {}

    @app.get("/_adresse")
    def _address():
        seen["address"] = client_address()
        return "ok"

    app.test_client().get("/_adresse", headers={"X-Forwarded-For": "203.0.113.7"})
    assert seen["address"] == expected
