"""The access matrix: who sees and changes which records (access.py)."""
import datetime

import pytest

from absolvent.models import AuditLog, Note

ALL = ["pap1", "pap2", "mb1", "mb2", "tl1", "bl", "admin", "dqm1", "bov1"]

CUSTOMER_VIEW = {"pap1", "mb1", "tl1", "bl", "dqm1", "bov1"}            # c1: team A, in m1 (mb1)
CUSTOMER_EDIT = {"pap1", "tl1"}
PARTICIPATION_VIEW = {"pap1", "mb1", "tl1", "bl", "dqm1", "bov1"}
PARTICIPATION_EDIT = {"pap1", "mb1", "tl1"}
MEASURE_EDIT = {"mb1", "tl1", "bl", "admin"}                              # m1 is mb1's
ADMIN = {"admin"}


def _status(auth, url):
    return auth.get(url).status_code


@pytest.mark.parametrize("who", ALL)
def test_customer_detail(world, auth, who):
    auth.login(who)
    expected = 200 if who in CUSTOMER_VIEW else 403
    assert _status(auth, f"/kunden/{world['c1'].id}") == expected


@pytest.mark.parametrize("who", ALL)
def test_customer_edit(world, auth, who):
    auth.login(who)
    url = f"/kunden/{world['c1'].id}/bearbeiten"
    assert _status(auth, url) == (200 if who in CUSTOMER_EDIT else 403)


@pytest.mark.parametrize("who", ALL)
def test_participation_detail(world, auth, who):
    auth.login(who)
    assert _status(auth, f"/teilnahmen/{world['p1'].id}") == (200 if who in PARTICIPATION_VIEW else 403)


@pytest.mark.parametrize("who", ALL)
def test_participation_edit(world, auth, who):
    auth.login(who)
    url = f"/teilnahmen/{world['p1'].id}/bearbeiten"
    assert _status(auth, url) == (200 if who in PARTICIPATION_EDIT else 403)


@pytest.mark.parametrize("who", ALL)
def test_measure_edit(world, auth, who):
    auth.login(who)
    assert _status(auth, f"/massnahmen/{world['m1'].id}/bearbeiten") == (200 if who in MEASURE_EDIT else 403)


@pytest.mark.parametrize("who", ALL)
@pytest.mark.parametrize("url", ["/verwaltung/benutzer", "/verwaltung/teams", "/verwaltung/einstellungen",
                                 "/verwaltung/benutzer/neu"])
def test_admin_pages(world, auth, who, url):
    auth.login(who)
    assert _status(auth, url) == (200 if who in ADMIN else 403)


@pytest.mark.parametrize("who,visible", [
    ("pap1", {"Albrecht"}), ("pap2", {"Berger"}), ("mb1", {"Albrecht"}), ("mb2", {"Berger"}),
    ("tl1", {"Albrecht"}), ("bl", {"Albrecht", "Berger"}), ("admin", set()),
])
def test_customer_list_scoped(world, auth, who, visible):
    auth.login(who)
    page = auth.get("/kunden/").get_data(as_text=True)
    assert {n for n in ("Albrecht", "Berger") if n in page} == visible


@pytest.mark.parametrize("who,visible", [
    ("pap1", {"Albrecht"}), ("mb2", {"Berger"}), ("bl", {"Albrecht", "Berger"}), ("admin", set()),
])
def test_participation_list_scoped(world, auth, who, visible):
    auth.login(who)
    page = auth.get("/teilnahmen/?status=").get_data(as_text=True)
    assert {n for n in ("Albrecht", "Berger") if n in page} == visible


def test_measure_page_shows_only_visible_participants(world, auth, make):
    other = make.customer(world["t2"], world["pap2"], last_name="Zander")
    make.participation(other, world["m1"])
    auth.login("pap1")
    page = auth.get(f"/massnahmen/{world['m1'].id}").get_data(as_text=True)
    assert "Albrecht" in page and "Zander" not in page and "2 Teilnahmen" in page
    auth.logout()
    auth.login("mb1")
    page = auth.get(f"/massnahmen/{world['m1'].id}").get_data(as_text=True)
    assert "Albrecht" in page and "Zander" in page


@pytest.mark.parametrize("who,labels", [
    ("pap1", {"Kunden", "Teilnahmen", "Maßnahmen"}), ("admin", {"Verwaltung", "Maßnahmen"}),
])
def test_navigation_per_role(world, auth, who, labels):
    auth.login(who)
    page = auth.get("/start").get_data(as_text=True)
    nav = page.split('aria-label="Hauptnavigation"')[1].split("</nav>")[0]
    for label in labels:
        assert f">{label}<" in nav
    assert (">Verwaltung<" in nav) == (who == "admin")
    assert (">Kunden<" in nav) == (who != "admin")


def test_reads_are_audited(world, auth):
    auth.login("pap1")
    auth.get(f"/kunden/{world['c1'].id}")
    auth.get(f"/teilnahmen/{world['p1'].id}")
    rows = {(a.action, a.entity, a.entity_id) for a in AuditLog.select()}
    assert ("read", "customer", str(world["c1"].id)) in rows
    assert ("read", "participation", str(world["p1"].id)) in rows


@pytest.fixture
def shared_customer(world, make):
    """c1 takes part in mb1's measure m1 (p1) and in mb2's measure m2 (p3); each with a pAp and an MB step."""
    import datetime

    from absolvent.models import FollowUp
    p3 = make.participation(world["c1"], world["m2"])
    steps = {}
    for p in (world["p1"], p3):
        for role in ("pAp", "MB"):
            steps[(p.id, role)] = FollowUp.create(participation=p, step_id=f"x-{role}", title=f"Schritt {role}",
                                                  role=role, due=datetime.date.today())
    return p3, steps


@pytest.mark.parametrize("htmx", [False, True])
def test_an_mb_reaches_only_the_participations_of_own_measures(world, auth, shared_customer, htmx):
    """Issue 10 finding 1: mb2 must not open, re-date or complete c1's steps in mb1's measure."""
    p3, steps = shared_customer
    p1 = world["p1"]
    auth.login("mb2")
    assert auth.get(f"/teilnahmen/{p1.id}", htmx=htmx).status_code == 403
    assert auth.get(f"/teilnahmen/{p1.id}/wiedervorlagen", htmx=htmx).status_code == 403
    assert auth.get(f"/teilnahmen/{p1.id}/dokumente", htmx=htmx).status_code == 403
    for role in ("pAp", "MB"):
        f = steps[(p1.id, role)]
        assert auth.post(f"/wiedervorlagen/{f.id}/erledigt", {"done": "1"}, htmx=htmx).status_code == 403
        assert auth.post(f"/wiedervorlagen/{f.id}/termin", {"due": "01.01.2099", "reason": "x"},
                         htmx=htmx).status_code == 403
    assert auth.get(f"/teilnahmen/{p3.id}", htmx=htmx).status_code == 200
    for subject, participation in (("Vermerk zum Fall", None), ("Vermerk in m1", p1), ("Vermerk in m2", p3)):
        Note.create(customer=world["c1"], participation=participation, subject=subject, text="",
                    author=world["pap1"], date=datetime.date.today())
    body = auth.get(f"/kunden/{world['c1'].id}").get_data(as_text=True)
    assert world["m2"].measure_number in body and world["m1"].measure_number not in body
    assert "Vermerk in m2" in body and "Vermerk in m1" not in body and "Vermerk zum Fall" not in body
    auth.logout()
    auth.login("pap1")  # the customer's team sees the whole case
    body = auth.get(f"/kunden/{world['c1'].id}").get_data(as_text=True)
    assert all(text in body for text in ("Vermerk zum Fall", "Vermerk in m1", "Vermerk in m2",
                                         world["m1"].measure_number, world["m2"].measure_number))


def test_an_mb_completes_mb_steps_not_the_paps(world, auth, shared_customer):
    _, steps = shared_customer
    p1 = world["p1"]
    auth.login("mb1")
    assert auth.post(f"/wiedervorlagen/{steps[(p1.id, 'pAp')].id}/erledigt", {"done": "1"}).status_code == 403
    assert auth.post(f"/wiedervorlagen/{steps[(p1.id, 'MB')].id}/erledigt", {"done": "1"}).status_code == 302
    auth.logout()
    auth.login("pap1")
    assert auth.post(f"/wiedervorlagen/{steps[(p1.id, 'pAp')].id}/erledigt", {"done": "1"}).status_code == 302


@pytest.mark.parametrize("htmx", [False, True])
def test_the_panel_offers_closing_only_where_the_post_is_allowed(world, auth, shared_customer, htmx):
    """The participation page asks once per role whether a step may be closed: mb1 gets the
    buttons on the MB step of p1 and not on the pAp step, the customer's pAp on both."""
    _, steps = shared_customer
    p1 = world["p1"]
    url = f"/teilnahmen/{p1.id}" + ("/wiedervorlagen" if htmx else "")
    for user, allowed in (("mb1", {"MB"}), ("pap1", {"pAp", "MB"})):
        auth.login(user)
        body = auth.get(url, htmx=htmx).get_data(as_text=True)
        for role in ("pAp", "MB"):
            assert (f'id="done-{steps[(p1.id, role)].id}"' in body) == (role in allowed), (user, role)
        auth.logout()
