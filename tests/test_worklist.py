"""Wiedervorlagen worklist and the start page's due list."""
import datetime

import pytest

from absolvent.models import FollowUp

TODAY = datetime.date.today()


@pytest.fixture
def due(world, make):
    def add(p, days, role="pAp", title=None, **kw):
        return FollowUp.create(participation=p, step_id=f"s{days}{role}{p.id}", title=title or f"Aufgabe {days}",
                               role=role, due=TODAY + datetime.timedelta(days=days), **kw)
    other = make.customer(world["t1"], world["dqm1"], last_name="Anders")  # team A, another pAp
    p_other = make.participation(other, world["m2"])
    add(world["p1"], -3, title="Überfällig A")
    add(world["p1"], 10, title="Bald A")
    add(world["p1"], 60, title="Später A")
    add(p_other, 2, title="Fremder pAp")
    add(world["p2"], 1, title="Team B")
    FollowUp.create(measure=world["m1"], step_id="mb-sprechstunde", title="Sprechstunde beim Träger", role="MB",
                    due=TODAY + datetime.timedelta(days=5))
    return add


def titles(body):
    return {t for t in ("Überfällig A", "Bald A", "Später A", "Fremder pAp", "Team B") if t in body}


def test_worklist_full_and_fragment(due, auth):
    auth.login("pap1")
    full = auth.get("/wiedervorlagen/").get_data(as_text=True)
    assert "<html" in full and titles(full) == {"Überfällig A", "Bald A"}
    assert "überfällig" in full and "2 offene Wiedervorlagen" in full
    frag = auth.get("/wiedervorlagen/?zeitraum=alle&bereich=team", htmx=True)
    body = frag.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="worklist-results"') and "<html" not in body
    assert titles(body) == {"Überfällig A", "Bald A", "Später A", "Fremder pAp"}
    assert frag.headers["HX-Push-Url"] == "/wiedervorlagen/?zeitraum=alle&bereich=team"


def test_worklist_overdue_only(due, auth):
    auth.login("pap1")
    assert titles(auth.get("/wiedervorlagen/?zeitraum=0").get_data(as_text=True)) == {"Überfällig A"}


def test_worklist_scoped_for_other_roles(due, auth):
    auth.login("pap2")
    assert titles(auth.get("/wiedervorlagen/?zeitraum=alle").get_data(as_text=True)) == {"Team B"}
    auth.logout()
    auth.login("mb1")
    body = auth.get("/wiedervorlagen/?zeitraum=alle").get_data(as_text=True)
    assert titles(body) == set() and "Sprechstunde beim Träger" in body  # an MB sees MB steps by default
    body = auth.get("/wiedervorlagen/?zeitraum=alle&rolle=alle").get_data(as_text=True)
    assert titles(body) == {"Überfällig A", "Bald A", "Später A"} and "Sprechstunde beim Träger" in body
    auth.logout()
    auth.login("admin")
    assert titles(auth.get("/wiedervorlagen/?zeitraum=alle").get_data(as_text=True)) == set()


def test_start_page_counts(due, auth):
    auth.login("pap1")
    body = auth.get("/start").get_data(as_text=True)
    assert "2 offen, davon 1 überfällig." in body and "Überfällig A" in body and "Später A" not in body
    auth.logout()
    auth.login("mb1")
    assert "Sprechstunde beim Träger" in auth.get("/start").get_data(as_text=True)


def test_start_page_for_team_lead_counts_next_months_ends(world, make, auth):
    first = (TODAY.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    measure = make.measure("FBW", start=first - datetime.timedelta(days=90), end=first + datetime.timedelta(days=9))
    make.participation(world["c1"], measure)                                   # team A, ends next month
    make.participation(world["c2"], measure)                                   # team B: not tl1's
    auth.login("tl1")
    body = auth.get("/start").get_data(as_text=True)
    from absolvent.formats import month_label
    assert f"Im {month_label(first)} endet 1 Teilnahme in Ihrem Bereich." in body


def test_a_step_with_a_form_opens_it_from_the_worklist(due, world, auth):
    f = due(world["p1"], 2, title="Vereinbarung abschließen", form="eingliederungsvereinbarung")
    auth.login("pap1")
    body = auth.get("/wiedervorlagen/").get_data(as_text=True)
    action = f'action="/teilnahmen/{world["p1"].id}/formulare/eingliederungsvereinbarung"'
    assert action in body and f'name="followup" value="{f.id}"' in body
    started = auth.post(f"/teilnahmen/{world['p1'].id}/formulare/eingliederungsvereinbarung", {"followup": f.id})
    assert started.status_code == 302 and "/schritt/" in started.headers["Location"]


def test_long_lists_count_up_to_a_limit_and_page_on(due, world, auth, monkeypatch):
    """A list counts its rows only up to web.COUNT_LIMIT ("mehr als …"): beyond it the pager
    says "Seite N" and asks whether a next page exists (here: limit 3, 2 rows per page)."""
    from absolvent import web
    from absolvent.caseload import worklist
    monkeypatch.setattr(web, "COUNT_LIMIT", 3)
    monkeypatch.setattr(worklist, "PAGE_SIZE", 2)
    for days in range(20, 23):
        due(world["p1"], days)  # 6 open steps of pAp1's customers in all
    auth.login("pap1")
    first = auth.get("/wiedervorlagen/?zeitraum=alle").get_data(as_text=True)
    assert "mehr als 3 offene Wiedervorlagen" in first and "Seite 1 von mehr als 2" in first
    assert "seite=2" in first and "Zurück" not in first
    third = auth.get("/wiedervorlagen/?zeitraum=alle&seite=3", htmx=True).get_data(as_text=True)
    assert "Seite 3<" in third and "seite=2" in third and "seite=4" not in third  # rows 5 and 6: the last page
    assert "Aufgabe 22" in third and "Später A" in third and "Aufgabe 21" not in third
    monkeypatch.setattr(web, "COUNT_LIMIT", 1000)
    exact = auth.get("/wiedervorlagen/?zeitraum=alle").get_data(as_text=True)
    assert "6 offene Wiedervorlagen" in exact and "Seite 1 von 3" in exact
