"""The calendar feed (Kalender-Abo): a private iCal URL per user with nothing but their own
open steps, customer numbers but no names; revocable; every access audited."""
import datetime
import hashlib
import re

import pytest
from icalendar import Calendar
from peewee import IntegrityError

from absolvent.db import database
from absolvent.ical import operations
from absolvent.ical.models import CalendarToken
from absolvent.models import AuditLog, FollowUp, User

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
URL_RE = re.compile(r'value="(http://localhost/kalender/([A-Za-z0-9_-]{43})\.ics)"')


def step(title, due, role="pAp", participation=None, measure=None, status="open", phase="waehrend"):
    n = FollowUp.select().count() + 1
    return FollowUp.create(participation=participation, measure=measure, step_id=f"s-{n}", title=title, role=role,
                           phase=phase, due=due, status=status)


@pytest.fixture
def feed_world(world, make):
    """pap1 with two own customers and a colleague's (pap3) customer in team A, in a measure of
    mb1 that runs now; open, overdue, far, done, cancelled and missed steps."""
    w = dict(world)
    t1 = w["t1"]
    w["pap3"] = make.user("pap3", "pAp", t1)
    w["ds"] = make.user("ds", "DS")
    w["c3"] = make.customer(t1, w["pap1"], first_name="Dorothea", last_name="Dombrowski", street="Lindenweg 7",
                            postal_code="38640", city="Goslar")
    w["c4"] = make.customer(t1, w["pap3"], first_name="Egon", last_name="Ehrlich", street="Hauptstraße 5")
    m3 = w["m3"] = make.measure("MAT", start=TODAY - 30 * DAY, end=TODAY + 150 * DAY, mb=w["mb1"],
                                measure_number="962/00033")
    old = make.measure("MAT", start=TODAY - 200 * DAY, end=TODAY - 30 * DAY, mb=w["mb1"])
    pa = make.participation(w["c1"], m3)
    pb = make.participation(w["c3"], m3)
    pc = make.participation(w["c4"], m3)
    pd = make.participation(w["c3"], old)
    w["pa"], w["pb"], w["pc"] = pa, pb, pc
    s = w["steps"] = {
        "own_soon": step("Zwischengespräch", TODAY + 10 * DAY, participation=pa),
        "own_overdue": step("Kontakt während der Maßnahme", TODAY - 5 * DAY, participation=pa),
        "own_other": step("Gespräch zum Ende", TODAY + 20 * DAY, participation=pb),
        "own_far": step("Nachbetreuung", TODAY + 400 * DAY, participation=pb, phase="nach"),
        "own_done": step("Erledigtes", TODAY + 2 * DAY, participation=pa, status="done"),
        "own_cancelled": step("Entfallenes", TODAY + 3 * DAY, participation=pa, status="cancelled"),
        "own_missed": step("Versäumtes", TODAY - 40 * DAY, participation=pd),
        "colleague": step("Kollegenschritt", TODAY + 4 * DAY, participation=pc),
        "mb_case": step("Erster Tag", TODAY + 3 * DAY, role="MB", participation=pa),
        "tl_case": step("Fachaufsicht", TODAY + 6 * DAY, role="TL", participation=pc),
        "mb_task": step("Sprechstunde", TODAY + 7 * DAY, role="MB", measure=m3),
        "mb2_task": step("Sprechstunde", TODAY + 8 * DAY, role="MB", measure=w["m2"]),
    }
    w["expected"] = {"pap1": {"own_soon", "own_overdue", "own_other"}, "pap3": {"colleague"},
                     "mb1": {"mb_case", "mb_task"}, "tl1": {"tl_case"}}
    w["uid"] = {key: f"followup-{f.id}@absolvent" for key, f in s.items()}
    return w


def subscribe(auth, who):
    """Log in as ``who``, create the feed URL, log out; returns (url, token)."""
    auth.login(who)
    response = auth.post("/kalender/neu")
    assert response.status_code == 200
    url, token = URL_RE.search(response.get_data(as_text=True)).groups()
    auth.logout()
    return url, token


def fetch(app, url):
    """The feed, fetched without any login (a calendar program has no cookies)."""
    return app.test_client().get(url.removeprefix("http://localhost"))


def events(response):
    cal = Calendar.from_ical(response.data)
    return cal, {str(e["UID"]): e for e in cal.walk("VEVENT")}


def unfolded(response):
    return response.get_data(as_text=True).replace("\r\n ", "")


# ------------------------------------------------------------------ the page

def test_creating_shows_the_url_once_and_stores_only_its_hash(app, feed_world, auth):
    auth.login("pap1")
    response = auth.post("/kalender/neu")
    assert "Sie wird nur jetzt angezeigt" in response.get_data(as_text=True)
    url, token = URL_RE.search(response.get_data(as_text=True)).groups()
    page = auth.get("/kalender").get_data(as_text=True)
    assert token not in page and "Sie haben eine Abo-Adresse, erzeugt am" in page
    with database.connection_context():
        rows = list(CalendarToken.select())
        assert [r.token_sha256 for r in rows] == [hashlib.sha256(token.encode()).hexdigest()]
        assert rows[0].user_id == feed_world["pap1"].id and rows[0].revoked_at is None
        assert token not in str(list(CalendarToken.select().tuples()))
        created = AuditLog.get(AuditLog.entity == "calendar-token")
        assert (created.action, created.user_id, created.entity_id) == ("create", feed_world["pap1"].id,
                                                                        str(rows[0].id))


@pytest.mark.parametrize("htmx", [False, True])
def test_page_as_full_page_and_fragment(feed_world, auth, htmx):
    auth.login("pap1")
    page = auth.get("/kalender", htmx=htmx).get_data(as_text=True)
    assert 'id="kalender-abo"' in page and "Abo-Adresse erzeugen" in page
    assert ("<html" in page) is not htmx
    assert ("Wer die Adresse kennt, sieht Ihre Wiedervorlagen" in page) is not htmx
    created = auth.post("/kalender/neu", htmx=htmx)
    body = created.get_data(as_text=True)
    assert URL_RE.search(body) and ("<html" in body) is not htmx
    assert "Neue Adresse erzeugen (die bisherige wird ungültig)" in body and "Abo beenden" in body
    revoked = auth.post("/kalender/widerrufen", htmx=htmx)
    if htmx:
        text = revoked.get_data(as_text=True)
        assert revoked.status_code == 200 and "<html" not in text
        assert "Das Abo ist beendet" in text and "Abo beenden" not in text
    else:
        assert revoked.status_code == 302 and revoked.headers["Location"].endswith("/kalender")
    assert "Sie haben zurzeit keine Abo-Adresse" in auth.get("/kalender").get_data(as_text=True)


def test_start_page_and_user_menu_link_the_page(feed_world, auth):
    auth.login("pap1")
    assert auth.get("/start").get_data(as_text=True).count('href="/kalender"') == 2


@pytest.mark.parametrize("who, allowed", [("pap1", True), ("mb1", True), ("tl1", True), ("bl", True),
                                          ("dqm1", True), ("bov1", True), ("admin", False), ("ds", False)])
def test_who_may_subscribe(feed_world, auth, who, allowed):
    """Case roles have steps to subscribe to; Admin and DS get a page that says there are none."""
    auth.login(who)
    page = auth.get("/kalender").get_data(as_text=True)
    assert ("Für Ihre Rollen gibt es keine Wiedervorlagen" in page) is not allowed
    assert ("Abo-Adresse erzeugen" in page) is allowed
    assert auth.post("/kalender/neu").status_code == (200 if allowed else 403)
    assert auth.post("/kalender/widerrufen").status_code == 302  # revoking is always allowed


def test_page_needs_login_and_posts_need_the_csrf_token(feed_world, client, auth):
    assert client.get("/kalender").status_code == 302
    auth.login("pap1")
    assert client.post("/kalender/neu").status_code == 400
    with database.connection_context():
        assert CalendarToken.select().count() == 0


# ------------------------------------------------------------------ the feed's content

@pytest.mark.parametrize("who", ["pap1", "pap3", "mb1", "tl1"])
def test_feed_holds_exactly_the_users_own_open_steps(app, feed_world, auth, who):
    url, _ = subscribe(auth, who)
    response = fetch(app, url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    cal, found = events(response)
    assert set(found) == {feed_world["uid"][key] for key in feed_world["expected"][who]}
    assert str(cal["X-WR-CALNAME"]) == f"Absolvent – Wiedervorlagen {who}"
    for key in feed_world["expected"][who]:
        f, event = feed_world["steps"][key], found[feed_world["uid"][key]]
        assert event["DTSTART"].dt == f.due and event["DTEND"].dt == f.due + DAY
        assert f.title in str(event["SUMMARY"]) and "DTSTAMP" in event


def test_event_text_of_a_case_step(app, feed_world, auth):
    url, _ = subscribe(auth, "pap1")
    text = unfolded(fetch(app, url))
    overdue = feed_world["steps"]["own_overdue"]
    assert "DTSTART;VALUE=DATE:" + overdue.due.strftime("%Y%m%d") in text
    _, found = events(fetch(app, url))
    event = found[feed_world["uid"]["own_overdue"]]
    number = feed_world["c1"].customer_number
    assert str(event["SUMMARY"]) == f"Kontakt während der Maßnahme – Kundennummer {number}"
    link = f"http://localhost/teilnahmen/{feed_world['pa'].id}#wiedervorlagen"
    assert str(event["DESCRIPTION"]) == (
        f"Wiedervorlage (pAp), fällig am {overdue.due:%d.%m.%Y} (überfällig)\nKundennummer {number}\n"
        f"Maßnahme MAT 962/00033\nIn Absolvent öffnen: {link}")
    assert str(event["URL"]) == link


def test_event_text_of_a_measure_task(app, feed_world, auth):
    url, _ = subscribe(auth, "mb1")
    _, found = events(fetch(app, url))
    task = feed_world["steps"]["mb_task"]
    event = found[feed_world["uid"]["mb_task"]]
    assert str(event["SUMMARY"]) == "Sprechstunde – Maßnahme MAT 962/00033"
    assert str(event["URL"]) == f"http://localhost/meine-massnahmen/{feed_world['m3'].id}#aufgabe-{task.id}"
    assert f"fällig am {task.due:%d.%m.%Y}\n" in str(event["DESCRIPTION"])


@pytest.mark.parametrize("who", ["pap1", "pap3", "mb1", "tl1"])
def test_feed_names_no_customer_and_no_address(app, feed_world, auth, who):
    url, _ = subscribe(auth, who)
    text = unfolded(fetch(app, url))
    with database.connection_context():
        customers = [feed_world[k] for k in ("c1", "c3", "c4")]
    assert "VEVENT" in text
    for c in customers:
        for value in (c.first_name, c.last_name, c.street, c.birth_date.strftime("%d.%m.%Y"),
                      c.birth_date.strftime("%Y%m%d")):
            if value:
                assert value not in text, value
    assert "Goslar" not in text and "38640" not in text


# ------------------------------------------------------------------ the token

def test_another_users_token_gives_only_that_users_steps(app, feed_world, auth):
    url1, _ = subscribe(auth, "pap1")
    url3, _ = subscribe(auth, "pap3")
    auth.login("pap1")  # a logged-in pap1 opening pap3's URL still sees pap3's feed, not their own
    _, found = events(auth.client.get(url3.removeprefix("http://localhost")))
    assert set(found) == {feed_world["uid"]["colleague"]}
    _, found = events(fetch(app, url1))
    assert feed_world["uid"]["colleague"] not in found


def test_revoked_token_gives_404(app, feed_world, auth):
    url, _ = subscribe(auth, "pap1")
    assert fetch(app, url).status_code == 200
    auth.login("pap1")
    auth.post("/kalender/widerrufen")
    assert fetch(app, url).status_code == 404
    with database.connection_context():
        revoked = AuditLog.get(AuditLog.entity == "calendar-token", AuditLog.action == "delete")
        assert revoked.user_id == feed_world["pap1"].id


def test_regenerating_revokes_the_old_url(app, feed_world, auth):
    old, _ = subscribe(auth, "pap1")
    new, _ = subscribe(auth, "pap1")
    assert old != new
    assert fetch(app, old).status_code == 404 and fetch(app, new).status_code == 200
    with database.connection_context():
        assert CalendarToken.select().where(CalendarToken.revoked_at.is_null()).count() == 1
        assert CalendarToken.select().count() == 2
        assert "bisherige Adresse widerrufen" in AuditLog.select().where(
            AuditLog.entity == "calendar-token").order_by(AuditLog.id.desc()).first().detail


def test_one_active_token_per_user_is_enforced_by_the_database(feed_world, db):
    CalendarToken.create(user=feed_world["pap1"], token_sha256="a" * 64)
    with pytest.raises(IntegrityError), db.atomic():
        CalendarToken.create(user=feed_world["pap1"], token_sha256="b" * 64)
    CalendarToken.create(user=feed_world["pap3"], token_sha256="c" * 64)


def test_deactivated_user_gets_404(app, feed_world, auth):
    url, _ = subscribe(auth, "pap1")
    with database.connection_context():
        User.update(active=False).where(User.id == feed_world["pap1"].id).execute()
    assert fetch(app, url).status_code == 404


def test_user_without_case_roles_any_more_gets_404(app, feed_world, auth):
    url, _ = subscribe(auth, "pap1")
    with database.connection_context():
        User.update(roles="Admin").where(User.id == feed_world["pap1"].id).execute()
    assert fetch(app, url).status_code == 404


@pytest.mark.parametrize("token", ["x", "²", "A" * 43, "A" * 42, "A" * 44, "A" * 5000, "..%2F..%2Fetc%2Fpasswd",
                                   "%00" * 43, "<script>", "99999999999999999999999", "ä" * 43])
def test_malformed_or_unknown_token_gives_404(app, feed_world, auth, token):
    subscribe(auth, "pap1")
    response = app.test_client().get(f"/kalender/{token}.ics")
    assert response.status_code == 404
    with database.connection_context():
        assert not AuditLog.select().where(AuditLog.entity == "calendar-feed").exists()


# ------------------------------------------------------------------ audit and last use

def test_every_access_is_audited_with_the_owner_and_address(app, feed_world, auth):
    url, _ = subscribe(auth, "pap1")
    for _ in range(3):
        fetch(app, url)
    with database.connection_context():
        rows = list(AuditLog.select().where(AuditLog.entity == "calendar-feed").order_by(AuditLog.id))
        token = CalendarToken.get()
    assert len(rows) == 3
    assert {(r.action, r.user_id, r.address, r.entity_id, r.detail) for r in rows} == {
        ("read", feed_world["pap1"].id, "127.0.0.1", str(token.id), "3 Wiedervorlagen")}
    assert token.last_used_at is not None


def test_last_use_is_written_at_most_once_a_minute(feed_world, db):
    row = CalendarToken.create(user=feed_world["pap1"], token_sha256="d" * 64)
    at = datetime.datetime(2026, 3, 2, 9, 0, 0)
    assert operations.touch(row, at) == 1
    assert operations.touch(row, at + datetime.timedelta(seconds=59)) == 0
    assert CalendarToken.get_by_id(row.id).last_used_at == at
    assert operations.touch(row, at + datetime.timedelta(seconds=60)) == 1
    assert CalendarToken.get_by_id(row.id).last_used_at == at + datetime.timedelta(seconds=60)


def test_page_shows_the_last_use(app, feed_world, auth):
    url, _ = subscribe(auth, "pap1")
    auth.login("pap1")
    assert "bisher nicht abgerufen" in auth.get("/kalender").get_data(as_text=True)
    fetch(app, url)
    assert "zuletzt abgerufen am" in auth.get("/kalender").get_data(as_text=True)
