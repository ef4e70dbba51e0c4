"""The "nicht eingeleitet" list (DORA 204) and the TL/BL dashboards."""
import datetime
import re

import pytest

from absolvent.db import database
from absolvent.formats import first_of_next_month
from absolvent.models import AuditLog, FollowUp, Note
from absolvent.rules.calendar import add_months
from absolvent.supervision import monitoring
from absolvent.supervision.models import NotInitiatedMark, SpotCheck, SupervisionReview

TODAY = datetime.date.today()
THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = add_months(THIS_MONTH, -1)
D = datetime.date
LIST = "/fachaufsicht/nicht-eingeleitet"


def days(n):
    return TODAY + datetime.timedelta(days=n)


def step(p, step_id, due, phase="ende", status="open", role="pAp", rule_id="r", done_at=None, title=None):
    return FollowUp.create(participation=p, step_id=step_id, rule_id=rule_id, title=title or step_id, role=role,
                           phase=phase, due=due, status=status, done_at=done_at)


def note(customer, day, author, subject="Absolventenmanagement", kind="vermerk", qualified=False, p=None):
    return Note.create(customer=customer, participation=p, subject=subject, author=author, date=day, kind=kind,
                       qualified=qualified, channel="persoenlich" if kind == "kontakt" else "")


@pytest.fixture
def case(world, make):
    """A factory for participations of team A (or ``team``) with their own customer."""
    def add(type_code, entry, planned_end, team=None, pap="pap1", last_name=None, **kw):
        team = team or world["t1"]
        customer = make.customer(team, world[pap] if pap else None, **({"last_name": last_name} if last_name else {}))
        measure = make.measure(type_code, start=entry, end=planned_end)
        return make.participation(customer, measure, entry=entry, planned_end=planned_end, **kw)
    return add


def listed(team, month, today):
    return {r.participation.id: r for r in monitoring.not_initiated_rows(team.id, month, today)}


# ------------------------------------------------------------------ which cases are on the list

def test_window_is_stichtag_to_two_months_ahead(world, case):
    # list of March 2026: Stichtag 01.03.2026, exits up to 01.05.2026; FBW-ABS: AM starts 4 months before the end
    march, today = D(2026, 3, 1), D(2026, 3, 2)
    entry = D(2025, 1, 5)
    on_stichtag = case("FBW-ABS", entry, D(2026, 3, 1))
    two_months = case("FBW-ABS", entry, D(2026, 5, 1))
    one_day_more = case("FBW-ABS", entry, D(2026, 5, 2))
    day_before = case("FBW-ABS", entry, D(2026, 2, 28))
    early_exit = case("FBW-ABS", entry, D(2026, 8, 31), exit=D(2026, 3, 15), exit_kind="regulaer")
    other_team = case("FBW-ABS", entry, D(2026, 4, 1), team=world["t2"], pap="pap2")
    rows = listed(world["t1"], march, today)
    assert set(rows) == {on_stichtag.id, two_months.id, early_exit.id}
    assert one_day_more.id not in rows and day_before.id not in rows and other_team.id not in rows
    assert rows[two_months.id].am_start == D(2026, 1, 1) and rows[two_months.id].not_started
    assert rows[early_exit.id].exit_date == D(2026, 3, 15) and rows[early_exit.id].am_start == D(2025, 11, 15)


def test_window_across_the_year(world, case):
    december, entry = D(2025, 12, 1), D(2025, 1, 5)
    inside = case("FBW-ABS", entry, D(2026, 2, 1))
    outside = case("FBW-ABS", entry, D(2026, 2, 2))
    assert set(listed(world["t1"], december, D(2025, 12, 3))) == {inside.id} != {outside.id}


def test_am_start_must_have_passed(world, case):
    march, today = D(2026, 3, 1), D(2026, 3, 2)
    fbw_passed = case("FBW", D(2025, 9, 1), D(2026, 3, 20))       # AM start 20.02.2026: before the Stichtag
    fbw_not_yet = case("FBW", D(2025, 9, 1), D(2026, 4, 1))       # AM start 01.03.2026: the Stichtag itself
    mat = case("MAT", D(2025, 9, 1), D(2026, 3, 20))              # AM starts at the end
    bvb = case("BVB", D(2025, 9, 1), D(2026, 3, 20))              # no AM in the Goslar rulebook
    rows = listed(world["t1"], march, today)
    assert fbw_passed.id in rows and rows[fbw_passed.id].am_start == D(2026, 2, 20)
    assert {fbw_not_yet.id, mat.id, bvb.id}.isdisjoint(rows)


def test_recorded_am_start_before_the_stichtag_takes_a_case_off(world, case):
    march, today = D(2026, 3, 1), D(2026, 3, 4)
    entry, end = D(2025, 1, 5), D(2026, 4, 15)
    step_done = case("FBW-ABS", entry, end)
    step(step_done, "boV", D(2026, 1, 15), status="done", done_at=datetime.datetime(2026, 2, 27, 9, 0))
    noted = case("FBW-ABS", entry, end)
    note(noted.customer, D(2026, 2, 10), world["pap1"], p=noted)
    noted_late = case("FBW-ABS", entry, end)
    note(noted_late.customer, D(2026, 3, 3), world["pap1"], p=noted_late)
    done_late = case("FBW-ABS", entry, end)
    step(done_late, "boV", D(2026, 1, 15), status="done", done_at=datetime.datetime(2026, 3, 1, 0, 0))
    rows = listed(world["t1"], march, today)
    assert step_done.id not in rows and noted.id not in rows
    assert rows[noted_late.id].started_since and rows[noted_late.id].not_started
    assert not rows[noted_late.id].overdue_steps
    # done on the Stichtag: overdue then, fixed since
    assert rows[done_late.id].started_since
    assert rows[done_late.id].overdue_steps == [("boV", D(2026, 1, 15), datetime.datetime(2026, 3, 1, 0, 0))]


def test_overdue_end_steps_of_the_rulebook(world, case):
    march, today = D(2026, 3, 1), D(2026, 3, 2)
    overdue = case("MAT", D(2025, 9, 1), D(2026, 3, 20))   # MAT alone would not be listed (AM starts at the end)
    step(overdue, "ende-1", D(2026, 2, 28))
    step(overdue, "nach-1", D(2026, 3, 1), phase="nach")    # due on the Stichtag: not yet overdue
    due_today = case("MAT", D(2025, 9, 1), D(2026, 3, 20))
    step(due_today, "ende-1", D(2026, 3, 1))
    manual = case("MAT", D(2025, 9, 1), D(2026, 3, 20))
    step(manual, "manuell-1", D(2026, 2, 1), phase="nach", rule_id="")
    cancelled = case("MAT", D(2025, 9, 1), D(2026, 3, 20))
    step(cancelled, "ende-1", D(2026, 2, 1), status="cancelled")
    during = case("MAT", D(2025, 9, 1), D(2026, 3, 20))
    step(during, "waehrend-1", D(2026, 2, 1), phase="waehrend")
    rows = listed(world["t1"], march, today)
    assert set(rows) == {overdue.id}
    assert rows[overdue.id].overdue_steps == [("ende-1", D(2026, 2, 28), None)] and not rows[overdue.id].not_started


@pytest.fixture
def count_queries(monkeypatch):
    """count_queries(fn) -> the number of SQL statements ``fn()`` runs."""
    counted = []
    original = database.obj.execute_sql
    monkeypatch.setattr(database.obj, "execute_sql", lambda *a, **k: counted.append(a[0]) or original(*a, **k))

    def run(fn):
        counted.clear()
        fn()
        return len(counted)
    return run


def test_list_and_dashboards_read_a_fixed_number_of_queries(world, case, count_queries):
    def reads():
        return (count_queries(lambda: monitoring.not_initiated_rows(world["t1"].id, D(2026, 3, 1), D(2026, 3, 2))),
                count_queries(lambda: monitoring.pap_step_counts(world["t1"].id, D(2026, 3, 2))),
                count_queries(lambda: monitoring.long_without_contact(world["t1"].id, D(2026, 3, 2))))

    def add_case():
        p = case("FBW-ABS", D(2025, 1, 5), D(2026, 4, 1))
        step(p, "ende-1", D(2026, 2, 1))
        note(p.customer, D(2025, 6, 1), world["pap1"], kind="kontakt", qualified=True)

    add_case()
    one = reads()
    for _ in range(4):
        add_case()
    assert len(monitoring.not_initiated_rows(world["t1"].id, D(2026, 3, 1), D(2026, 3, 2))) == 5
    assert monitoring.long_without_contact(world["t1"].id, D(2026, 3, 2))[1] == 5
    assert reads() == one


# ------------------------------------------------------------------ due date and marks

@pytest.mark.parametrize("today, marked, overdue", [
    (D(2026, 3, 5), False, False),      # due on the 5th
    (D(2026, 3, 6), False, True),       # the 6th with unmarked cases
    (D(2026, 3, 6), True, False),       # everything marked
    (D(2026, 4, 2), False, True),       # a past month's list
])
def test_overdue_after_the_fifth(today, marked, overdue):
    row = monitoring.ListRow(participation=None, exit_date=D(2026, 3, 20), am_start=None, not_started=True,
                             mark=object() if marked else None)
    status = monitoring.list_status(D(2026, 3, 1), [row], today)
    assert status.due == D(2026, 3, 5) and status.overdue is overdue
    assert status.editable is (today.month == 3)


@pytest.fixture
def current(world, case, make):
    """A case on this month's list and the last month's of team A, and one of team B."""
    world["dqm2"] = make.user("dqm2", "DQM", world["t2"])
    world["tl2"] = make.user("tl2", "TL", world["t2"])
    end = THIS_MONTH + datetime.timedelta(days=20)
    world["case"] = case("FBW-ABS", add_months(end, -10), end, last_name="Zander")
    world["case_b"] = case("FBW-ABS", add_months(end, -10), end, team=world["t2"], pap="pap2", last_name="Yilmaz")
    return world


def mark_url(p):
    return f"{LIST}/{p.id}"


def test_dqm_sees_the_list_full_page_and_fragment(current, auth):
    auth.login("dqm1")
    full = auth.get(LIST)
    body = full.get_data(as_text=True)
    assert full.status_code == 200 and "<html" in body and "Zander" in body and "Yilmaz" not in body
    assert "noch nicht bearbeitet" in body and "Speichern" in body and "durch Dqm1" in body
    assert 'hx-trigger="not-initiated-marked from:body" hx-select="#not-initiated-status"' in body
    assert f"Stichtag {THIS_MONTH:%d.%m.%Y}, zu bearbeiten bis {THIS_MONTH.replace(day=5):%d.%m.%Y}" in body
    frag = auth.get(f"{LIST}?monat={THIS_MONTH:%Y-%m}", htmx=True)
    text = frag.get_data(as_text=True)
    assert text.lstrip().startswith('<div id="not-initiated-list"') and "<html" not in text and "Zander" in text
    assert "HX-Request" in frag.headers["Vary"]
    read = AuditLog.select().where(AuditLog.entity == "not-initiated-list").order_by(AuditLog.id)
    assert [(a.action, a.entity_id, a.user.username) for a in read] == [("read", str(current["t1"].id), "dqm1")] * 2


def test_dqm_marks_fixed_by_htmx(current, auth):
    auth.login("dqm1")
    p = current["case"]
    response = auth.post(mark_url(p), {"monat": f"{THIS_MONTH:%Y-%m}", "status": "behoben"}, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith(f'<tr id="not-initiated-row-{p.id}"')
    assert "<strong>behoben</strong>" in body and "von Dqm1" in body and 'id="mark-' in body
    assert 'tabindex="-1" data-focus-after-swap><strong>behoben' in body    # focus stays on the row
    assert response.headers["HX-Trigger"] == "not-initiated-marked"
    mark = NotInitiatedMark.get(NotInitiatedMark.participation == p.id)
    assert (mark.month, mark.status, mark.user.username) == (THIS_MONTH, "behoben", "dqm1")
    audit = AuditLog.get(AuditLog.entity == "not-initiated-mark")
    assert audit.action == "create" and audit.detail.endswith("– → behoben")
    listing = auth.get(LIST).get_data(as_text=True)
    assert "davon 0 noch nicht bearbeitet" in listing and "Alle Fälle sind bearbeitet." in listing


def test_explained_needs_a_note_and_can_change_the_mark(current, auth):
    auth.login("dqm1")
    p, month = current["case"], f"{THIS_MONTH:%Y-%m}"
    auth.post(mark_url(p), {"monat": month, "status": "behoben"}, htmx=True)
    missing = auth.post(mark_url(p), {"monat": month, "status": "erklaert", "note": "  "}, htmx=True)
    body = missing.get_data(as_text=True)
    assert missing.status_code == 422 and "Bitte eine Erklärung eingeben: Bei „erklärt“ ist sie Pflicht." in body
    assert 'aria-invalid="true"' in body and "HX-Trigger" not in missing.headers
    assert NotInitiatedMark.get(NotInitiatedMark.participation == p.id).status == "behoben"
    ok = auth.post(mark_url(p), {"monat": month, "status": "erklaert", "note": "Maßnahme verlängert"}, htmx=True)
    assert ok.status_code == 200 and "Erklärung: Maßnahme verlängert" in ok.get_data(as_text=True)
    mark = NotInitiatedMark.get(NotInitiatedMark.participation == p.id)
    assert (mark.status, mark.note) == ("erklaert", "Maßnahme verlängert")
    assert AuditLog.select().where(AuditLog.entity == "not-initiated-mark", AuditLog.action == "update",
                                   AuditLog.detail.endswith("behoben → erklärt")).count() == 1
    bad = auth.post(mark_url(p), {"monat": month, "status": "egal"}, htmx=True)
    assert bad.status_code == 422 and "Unbekannter Wert" in bad.get_data(as_text=True)


def test_mark_without_javascript(current, auth):
    auth.login("dqm1")
    p, month = current["case"], f"{THIS_MONTH:%Y-%m}"
    invalid = auth.post(mark_url(p), {"monat": month, "status": "erklaert"})
    body = invalid.get_data(as_text=True)
    assert invalid.status_code == 422 and "<html" in body and "ist sie Pflicht" in body
    done = auth.post(mark_url(p), {"monat": month, "status": "erklaert", "note": "Urlaub des pAp"})
    assert done.status_code == 302 and done.headers["Location"].startswith(LIST)
    assert "als „erklärt“ markiert" in auth.get(done.headers["Location"]).get_data(as_text=True)


def test_marks_only_on_the_current_months_list(current, auth):
    auth.login("dqm1")
    p = current["case"]
    response = auth.post(mark_url(p), {"monat": f"{LAST_MONTH:%Y-%m}", "status": "behoben"}, htmx=True)
    assert response.status_code == 422 and "abgeschlossen" in response.get_data(as_text=True)
    assert NotInitiatedMark.select().count() == 0
    not_listed = auth.post(mark_url(current["p1"]), {"monat": f"{THIS_MONTH:%Y-%m}", "status": "behoben"})
    assert not_listed.status_code == 404
    assert auth.post(mark_url(p), {"status": "behoben"}).status_code == 400
    assert auth.post(f"{LIST}/999999", {"monat": f"{THIS_MONTH:%Y-%m}", "status": "behoben"}).status_code == 404


def test_a_past_list_is_read_only_and_overdue(current, auth):
    auth.login("dqm1")
    body = auth.get(f"{LIST}?monat={LAST_MONTH:%Y-%m}").get_data(as_text=True)
    assert "Zander" in body and "Abgeschlossen:" in body and "Speichern" not in body
    assert f"<strong>Überfällig:</strong> Die Frist ({LAST_MONTH.replace(day=5):%d.%m.%Y}) ist abgelaufen" in body
    future = auth.get(f"{LIST}?monat={first_of_next_month(TODAY):%Y-%m}").get_data(as_text=True)
    assert "Die Liste für einen künftigen Monat gibt es noch nicht." in future and "Zander" not in future


@pytest.mark.parametrize("who, status", [("dqm2", 403), ("tl1", 403), ("bl", 403), ("pap1", 403)])
def test_only_the_teams_dqm_marks(current, auth, who, status):
    auth.login(who)
    response = auth.post(mark_url(current["case"]), {"monat": f"{THIS_MONTH:%Y-%m}", "status": "behoben"},
                         htmx=True)
    assert response.status_code == status and NotInitiatedMark.select().count() == 0


def test_team_lead_reads_without_marking(current, auth):
    auth.login("tl1")
    body = auth.get(LIST).get_data(as_text=True)
    assert "Zander" in body and "Speichern" not in body and "hx-post" not in body


# ------------------------------------------------------------------ access matrix

@pytest.mark.parametrize("who, query, status", [
    ("dqm1", "", 200), ("dqm1", "t1", 200), ("dqm1", "t2", 403),
    ("tl1", "", 200), ("tl1", "t2", 403), ("bl", "t1", 200), ("bl", "t2", 200),
    ("pap1", "", 403), ("mb1", "", 403), ("admin", "", 403), ("bov1", "", 403),
])
def test_list_access(current, auth, who, query, status):
    auth.login(who)
    url = f"{LIST}?team={current[query].id}" if query else LIST
    assert auth.get(url).status_code == status


@pytest.mark.parametrize("who, query, status", [
    ("tl1", "", 200), ("tl1", "t1", 200), ("tl1", "t2", 403), ("bl", "t2", 200),
    ("dqm1", "", 403), ("pap1", "", 403), ("mb1", "", 403), ("admin", "", 403),
])
def test_team_dashboard_access(world, auth, who, query, status):
    auth.login(who)
    url = f"/dashboard/team?team={world[query].id}" if query else "/dashboard/team"
    assert auth.get(url).status_code == status


@pytest.mark.parametrize("who, status", [("bl", 200), ("tl1", 403), ("dqm1", 403), ("pap1", 403), ("mb1", 403),
                                         ("admin", 403)])
def test_area_dashboard_access(world, auth, who, status):
    auth.login(who)
    assert auth.get("/dashboard/bereich").status_code == status


def test_bl_chooses_a_team(current, auth):
    auth.login("bl")
    assert "Bitte ein Team auswählen." in auth.get(LIST).get_data(as_text=True)
    body = auth.get(f"{LIST}?team={current['t2'].id}").get_data(as_text=True)
    assert "Yilmaz" in body and "Zander" not in body and "Speichern" not in body
    assert "Bitte ein Team auswählen." in auth.get("/dashboard/team").get_data(as_text=True)
    assert auth.get(f"{LIST}?team=abc").status_code == 404


# ------------------------------------------------------------------ dashboards

@pytest.fixture
def steps(world, case, make):
    """Open, overdue and missed pAp steps in team A (pap1, pap3, no pAp) and team B."""
    world["pap3"] = make.user("pap3", "pAp", world["t1"])
    running = case("MAT", days(-100), days(100))
    step(running, "a", days(5), phase="waehrend")                       # open
    step(running, "b", days(-3), phase="waehrend")                      # overdue
    step(running, "c", days(-3), phase="waehrend", status="done")       # done: not counted
    step(running, "d", days(-3), phase="waehrend", status="cancelled")  # cancelled: not counted
    step(running, "e", days(-3), phase="waehrend", role="boV")          # not a pAp step
    ended = case("MAT", days(-200), days(-30))
    step(ended, "a", days(-40), phase="waehrend")                       # missed: the measure is over
    step(ended, "b", days(10), phase="nach")                            # open: aftercare runs
    step(ended, "c", days(-1), phase="nach")                            # overdue
    old = case("MAT", days(-400), days(-200), pap="pap3")
    step(old, "a", days(-190), phase="nach")                            # missed: aftercare over
    step(old, "b", days(-300), phase="vor")                             # missed
    orphan = case("MAT", days(-100), days(100), pap=None)
    step(orphan, "a", days(-1), phase="waehrend")                       # overdue, no pAp
    other = case("MAT", days(-100), days(100), team=world["t2"], pap="pap2")
    step(other, "a", days(-1), phase="waehrend")
    return world


def test_step_counts_per_pap(steps):
    rows = monitoring.pap_step_counts(steps["t1"].id, TODAY)
    assert [(r["name"], r["open"], r["overdue"], r["missed"]) for r in rows] == [
        ("Pap1", 4, 2, 1), ("Pap3", 0, 0, 2), ("ohne zuständige/n pAp", 1, 1, 0)]
    teams = monitoring.team_step_counts(TODAY)
    assert teams == {steps["t1"].id: {"open": 5, "overdue": 3, "missed": 3},
                     steps["t2"].id: {"open": 1, "overdue": 1, "missed": 0}}


def test_team_dashboard_full_page_and_fragment(steps, auth, make):
    month = first_of_next_month(TODAY)
    SupervisionReview.create(team=steps["t1"], month=month, created_by=steps["tl1"], signed_by=steps["tl1"],
                             signed_at=datetime.datetime(TODAY.year, TODAY.month, TODAY.day, 9, 30))
    auth.login("tl1")
    full = auth.get("/dashboard/team").get_data(as_text=True)
    assert "<html" in full and re.search(r'<th scope="row">Pap1</th><td>4</td><td>2</td><td>1</td>', full)
    assert re.search(r'<th scope="row">Team gesamt</th><td>5</td><td>3</td><td>3</td>', full)
    assert f"unterschrieben am {TODAY:%d.%m.%Y} 09:30 von Tl1" in full
    assert AuditLog.select().where(AuditLog.entity == "team-dashboard", AuditLog.action == "read").count() == 1
    auth.logout()
    auth.login("bl")
    frag = auth.get(f"/dashboard/team?team={steps['t2'].id}", htmx=True).get_data(as_text=True)
    assert frag.lstrip().startswith('<div id="team-dashboard"') and "<html" not in frag
    assert re.search(r"Unterschrift:\s*<strong>offen</strong>", frag)
    assert re.search(r'<th scope="row">Pap2</th><td>1</td><td>1</td><td>0</td>', frag)


def test_long_measures_without_contact(world, case, auth):
    author = world["pap1"]
    silent = case("FBW", days(-100), days(150), last_name="Still")
    contacted = case("FBW", days(-100), days(150))
    note(contacted.customer, days(-20), author, "Kontakt", kind="kontakt", qualified=True)
    unqualified = case("FBW", days(-100), days(150), last_name="Ungeprueft")
    note(unqualified.customer, days(-20), author, "Kontakt", kind="kontakt")
    note(unqualified.customer, days(-70), author, "Kontakt", kind="kontakt", qualified=True)
    on_the_day = case("FBW", days(-100), days(150))
    note(on_the_day.customer, days(-56), author, "Kontakt", kind="kontakt", qualified=True)
    a_day_late = case("FBW", days(-100), days(150), last_name="Spaet")
    note(a_day_late.customer, days(-57), author, "Kontakt", kind="kontakt", qualified=True)
    short = case("FBW", days(-100), add_months(days(-100), 6) - datetime.timedelta(days=1))  # exactly 6 months
    fresh = case("FBW", days(-56), days(300))                                 # a contact is due only today
    ended = case("FBW", days(-300), days(100), exit=days(-5), exit_kind="abbruch")
    other_team = case("FBW", days(-100), days(150), team=world["t2"], pap="pap2")
    rows, total = monitoring.long_without_contact(world["t1"].id, TODAY)
    assert {p.id for p in rows} == {silent.id, unqualified.id, a_day_late.id} and total == 3
    assert {short.id, fresh.id, ended.id, contacted.id, on_the_day.id}.isdisjoint(p.id for p in rows)
    assert {p.id: p.last_contact for p in rows}[unqualified.id] == days(-70)
    assert monitoring.long_without_contact_counts(TODAY) == {world["t1"].id: 3, world["t2"].id: 1}
    assert other_team.id not in {p.id for p in rows}
    auth.login("tl1")
    body = auth.get("/dashboard/team").get_data(as_text=True)
    assert f'<a href="/teilnahmen/{silent.id}">{silent.customer.full_name}</a>' in body
    assert "3 Teilnahmen ohne Kontakt seit 8 Wochen" in body and days(-70).strftime("%d.%m.%Y") in body


def test_long_is_decided_by_the_database_as_by_the_month_arithmetic(world, case):
    """The database decides "mehr als 6 Monate" (SQLite ``date()`` clamped to the month end,
    PostgreSQL's interval) exactly as ``duration_more_than(months=6)``: entries around month
    ends, in a leap year and not, each with every span from 160 to 194 days."""
    from absolvent.rules.calendar import duration_more_than
    entries = (D(2027, 8, 29), D(2027, 8, 31), D(2027, 9, 1), D(2027, 11, 30), D(2027, 12, 31),
               D(2028, 1, 31), D(2028, 2, 28), D(2028, 2, 29), D(2028, 3, 31))
    ends = [(entry, entry + datetime.timedelta(days=span)) for entry in entries for span in range(160, 195)]
    spans = {case("FBW", entry, end).id: (entry, end) for entry, end in ends}
    team = world["t1"].id
    for entry in entries:   # a day on which every span of this entry runs and is past 8 weeks
        today = entry + datetime.timedelta(days=60)
        expected = {pid for pid, (start, end) in spans.items()
                    if start < today - datetime.timedelta(days=56) and end >= today
                    and duration_more_than(start, end, months=6)}
        mine = {pid for pid in expected if spans[pid][0] == entry}
        assert 0 < len(mine) < 35, entry
        assert {p.id for p in monitoring._long_ids(team, today)} == expected, entry
        assert monitoring.long_without_contact_counts(today, [team]) == {team: len(expected)}
        assert monitoring.long_without_contact(team, today)[1] == len(expected)


def test_long_measures_without_contact_page_by_50(world, case, auth, monkeypatch):
    """A large team has thousands: the dashboard reads and shows one page of them (here 2 per
    page), in entry order, with the total and a pager that keeps the team."""
    monkeypatch.setattr(monitoring, "LONG_PAGE_SIZE", 2)
    silent = [case("FBW", days(-200 + i), days(150), last_name=f"Still{i}") for i in range(5)]
    rows, total = monitoring.long_without_contact(world["t1"].id, TODAY, 3, 2)
    assert [p.id for p in rows] == [silent[4].id] and total == 5
    assert monitoring.long_without_contact(world["t1"].id, TODAY, 4, 2) == ([], 5)  # past the last page
    assert monitoring.long_without_contact(world["t2"].id, TODAY, 1, 2) == ([], 0)
    assert [p.id for p in monitoring.long_without_contact(world["t1"].id, TODAY, 1, 2)[0]] == [p.id for p in silent[:2]]
    auth.login("tl1")
    body = auth.get("/dashboard/team?seite=2").get_data(as_text=True)
    assert "5 Teilnahmen ohne Kontakt seit 8 Wochen – Seite 2 von 3" in body
    assert "Still2" in body and "Still3" in body and "Still1" not in body and "Still4" not in body
    team = world["t1"].id
    for page in (1, 3):
        assert f'href="/dashboard/team?seite={page}&amp;team={team}"' in body
    gone = auth.get("/dashboard/team?seite=9").get_data(as_text=True)
    assert "diese Seite gibt es nicht mehr" in gone and "5 Teilnahmen ohne Kontakt" in gone

def test_area_dashboard_full_page_and_fragment(steps, auth, make):
    t1, t2, tl1 = steps["t1"], steps["t2"], steps["tl1"]
    month = first_of_next_month(TODAY)
    signed = datetime.datetime(2026, 3, 2, 10, 0)
    unchecked = SupervisionReview.create(team=t1, month=D(2026, 4, 1), created_by=tl1, signed_by=tl1, signed_at=signed)
    checked = SupervisionReview.create(team=t2, month=D(2026, 4, 1), created_by=tl1, signed_by=tl1, signed_at=signed)
    SpotCheck.create(review=checked, user=steps["bl"], ok=True)
    SupervisionReview.create(team=t2, month=month, created_by=tl1)                      # not signed yet
    auth.login("bl")
    full = auth.get("/dashboard/bereich").get_data(as_text=True)
    assert "<html" in full
    assert re.search(r'Team A</a></th>\s*<td>5</td><td>3</td><td>3</td>\s*<td>offen</td>', full)
    assert re.search(r'Team B</a></th>\s*<td>1</td><td>1</td><td>0</td>\s*<td>offen</td>', full)
    assert "1 unterschriebene Fachaufsicht noch nicht stichprobenartig geprüft" in full
    assert "am 02.03.2026 10:00 von Tl1" in full and [r.id for r in monitoring.unchecked_reviews()] == [unchecked.id]
    assert "Zander" not in full and "Muster" not in full      # counts only, no customer data
    frag = auth.get("/dashboard/bereich", htmx=True).get_data(as_text=True)
    assert frag.lstrip().startswith('<div id="area-dashboard"') and "<html" not in frag


def test_controlling_link_when_the_page_exists(app, world, auth):
    if "controlling.index" not in app.view_functions:
        app.add_url_rule("/controlling-test", "controlling.index", lambda: "Controlling")
    auth.login("tl1")
    assert "Controlling „Absolventenmanagement erfüllt“" in auth.get("/dashboard/team").get_data(as_text=True)


def test_a_team_without_customers_gets_an_empty_dashboard(make, auth):
    make.user("tl9", "TL", make.team("Team leer"))
    auth.login("tl9")
    body = auth.get("/dashboard/team").get_data(as_text=True)
    assert "Keine pAp im Team." in body and "Keine: Alle langen Maßnahmen" in body
    assert "<strong>offen</strong>" in body
