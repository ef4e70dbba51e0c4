"""Meine Maßnahmen: occupancy, the MB's duties (closable singly or several at once),
the occupancy report to TL/BL, the start page and worklist of an MB, access."""
import datetime
from datetime import date as D

import pytest

from absolvent.caseload import planning
from absolvent.measures.models import OccupancyReport
from absolvent.measures.queries import Occupancy, occupancies
from absolvent.models import AuditLog, FollowUp, PlanEvent

TODAY = datetime.date.today()


def group_measure(world, make, type_code="MAT", start=None, end=None, n=10, capacity=12, mb=None):
    """A group measure of ``n`` participants (10 or more get the MB's measure steps)."""
    start = start or TODAY + datetime.timedelta(days=20)  # the before-start steps are due (4 weeks before)
    end = end or start + datetime.timedelta(days=150)
    m = make.measure(type_code, start=start, end=end, mb=mb or world["mb1"], capacity=capacity)
    for _ in range(n):
        planning.replan_new(make.participation(make.customer(world["t1"], world["pap1"]), m))
    return m


def measure_steps(m):
    return {f.step_id: f for f in FollowUp.select().where(FollowUp.measure == m.id)}


# ------------------------------------------------------------------ occupancy

def occ(**kw):
    values = dict(capacity=12, active=0, booked=0, left=0, started=True, ended=False, starts_soon=True)
    values.update(kw)
    return Occupancy(**values)


def test_occupancy_counts_who_is_in_or_booked():
    o = occ(active=8, booked=1, left=1)
    assert (o.occupied, o.vacancies, o.share) == (9, 3, 75)  # 9 of 12 = 75 %
    assert o.critical and "3 von 12 Plätzen frei (75 % belegt)" in o.warning and "TL/BL" in o.warning


def test_occupancy_warning_levels():
    assert occ(active=10).warning == "2 von 12 Plätzen frei (83 % belegt)." and not occ(active=10).critical
    assert occ(active=12).warning == ""  # full
    # far from the start a low booking is a hint, not yet a warning
    early = occ(booked=3, started=False, starts_soon=False)
    assert early.warning and not early.critical
    assert occ(active=0, left=5, ended=True).warning == ""  # an ended measure needs no report
    assert occ(active=0, left=5, ended=True).occupied == 5  # who took part
    assert occ(capacity=0, active=3).warning == "" and occ(capacity=0).share is None


def test_occupancies_from_the_database(world, make):
    m = make.measure("MAT", start=TODAY - datetime.timedelta(days=30), end=TODAY + datetime.timedelta(days=90),
                     mb=world["mb1"], capacity=10)
    c = lambda: make.customer(world["t1"])  # noqa: E731
    for _ in range(4):
        make.participation(c(), m)  # in the measure
    make.participation(c(), m, entry=TODAY + datetime.timedelta(days=3))  # booked, enters later
    make.participation(c(), m, exit=TODAY - datetime.timedelta(days=2), exit_kind="abbruch")  # left early
    make.participation(c(), m, exit=TODAY, exit_kind="regulaer")  # leaves today: still in
    o = occupancies([m], TODAY)[m.id]
    assert (o.active, o.booked, o.left) == (5, 1, 1)
    assert (o.occupied, o.vacancies, o.share, o.critical) == (6, 4, 60, True)


# ------------------------------------------------------------------ before start: dated MB steps

def test_before_start_steps_have_dates(world, make):
    mat = group_measure(world, make, "MAT", start=D(2027, 3, 1), end=D(2027, 8, 31))
    steps = measure_steps(mat)
    # 4 weeks before 01.03.2027 = 01.02.2027; Einschaltung Dritter 2 weeks before = 15.02.2027
    for step_id in ("mb-vor-information", "mb-konzept", "mb-informationsblatt-f21"):
        assert steps[step_id].due == D(2027, 2, 1), step_id
    assert steps["mb-einschaltung-dritter"].due == D(2027, 2, 15)
    assert "mb-flyer-fbw" not in steps
    fbw = group_measure(world, make, "FBW", start=D(2027, 3, 1), end=D(2027, 8, 31))
    steps = measure_steps(fbw)
    assert steps["mb-flyer-fbw"].due == D(2027, 2, 1)
    assert "mb-einschaltung-dritter" not in steps and "mb-informationsblatt-f21" not in steps


# ------------------------------------------------------------------ the list and the measure page

def test_list_shows_only_own_measures(world, auth, make):
    group_measure(world, make, capacity=20)
    auth.login("mb1")
    body = auth.get("/meine-massnahmen/").get_data(as_text=True)
    assert "962/00001" in body and "962/00002" not in body  # world's m1 (mb1), not m2 (mb2)
    assert "Warnung: Plätze bleiben frei" in body  # 10 of 20 places
    fragment = auth.get("/meine-massnahmen/?zeitraum=alle", htmx=True)
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and text.lstrip().startswith('<div id="measure-table">')
    assert "<html" not in text


@pytest.mark.parametrize("user, status", [("mb1", 200), ("mb2", 403), ("pap1", 403), ("tl1", 403),
                                          ("bl", 403), ("admin", 403)])
def test_measure_page_only_for_its_mb(world, auth, user, status):
    auth.login(user)
    assert auth.get(f"/meine-massnahmen/{world['m1'].id}").status_code == status
    if user != "mb1":
        assert auth.post(f"/meine-massnahmen/{world['m1'].id}/belegung-melden",
                         {"report_text": "x"}).status_code == status
    assert auth.get("/meine-massnahmen/999999").status_code in (403, 404)


def test_list_is_for_mbs_only(world, auth):
    auth.login("pap1")
    assert auth.get("/meine-massnahmen/").status_code == 403


def test_measure_page_shows_occupancy_duties_participants(world, auth, make):
    m = group_measure(world, make, capacity=15)
    auth.login("mb1")
    body = auth.get(f"/meine-massnahmen/{m.id}").get_data(as_text=True)
    assert "5 von 15 Plätzen frei (67 % belegt)" in body
    assert "MB: Vermittlungskräfte über die Maßnahme informieren" in body
    assert "Teilnehmende (10)" in body and "Pap1" in body  # the pAp of each participant
    assert AuditLog.select().where(AuditLog.entity == "measure-workspace", AuditLog.entity_id == str(m.id)).exists()


# ------------------------------------------------------------------ closing duties

def test_close_one_duty_as_fragment(world, auth, make):
    m = group_measure(world, make)
    info = measure_steps(m)["mb-vor-information"]
    auth.login("mb1")
    r = auth.post(f"/meine-massnahmen/{m.id}/aufgaben/erledigen", {"only": info.id, "outcome": "per Mail"}, htmx=True)
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and text.lstrip().startswith('<section id="aufgaben"')
    assert "Erledigt: MB: Vermittlungskräfte über die Maßnahme informieren" in text
    f = FollowUp.get_by_id(info.id)
    assert f.status == "done" and f.outcome == "per Mail" and f.done_by_id == world["mb1"].id
    assert PlanEvent.select().where(PlanEvent.measure == m.id,
                                    PlanEvent.summary == info.title).exists()
    others = [f for f in measure_steps(m).values() if f.id != info.id]
    assert all(f.status == "open" for f in others)


def test_row_button_closes_only_its_row_even_with_ticked_boxes(world, auth, make):
    m = group_measure(world, make)
    steps = measure_steps(m)
    a, b = steps["mb-vor-information"], steps["mb-konzept"]
    auth.login("mb1")
    auth.post(f"/meine-massnahmen/{m.id}/aufgaben/erledigen", {"followup": [a.id, b.id], "only": b.id})
    assert FollowUp.get_by_id(b.id).status == "done" and FollowUp.get_by_id(a.id).status == "open"


def test_close_several_at_once_as_full_page(world, auth, make):
    m = group_measure(world, make)
    steps = measure_steps(m)
    chosen = [steps["mb-vor-information"].id, steps["mb-konzept"].id, steps["mb-einschaltung-dritter"].id]
    auth.login("mb1")
    r = auth.post(f"/meine-massnahmen/{m.id}/aufgaben/erledigen", {"followup": chosen, "outcome": "erledigt"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/meine-massnahmen/{m.id}#aufgaben")
    assert {FollowUp.get_by_id(i).status for i in chosen} == {"done"}


def test_foreign_or_closed_duty_closes_nothing(world, auth, make):
    m = group_measure(world, make)
    other = group_measure(world, make, mb=world["mb2"])
    mine = measure_steps(m)["mb-vor-information"]
    foreign = measure_steps(other)["mb-vor-information"]
    auth.login("mb1")
    r = auth.post(f"/meine-massnahmen/{m.id}/aufgaben/erledigen", {"followup": [mine.id, foreign.id]}, htmx=True)
    assert r.status_code == 422 and "gehört nicht zu dieser Maßnahme" in r.get_data(as_text=True)
    assert FollowUp.get_by_id(mine.id).status == "open" and FollowUp.get_by_id(foreign.id).status == "open"
    # the pAp's case step of a participant is no MB duty
    pap_step = FollowUp.get(FollowUp.participation.is_null(False), FollowUp.role == "pAp")
    r = auth.post(f"/meine-massnahmen/{m.id}/aufgaben/erledigen", {"followup": [pap_step.id]})
    assert r.status_code == 422 and FollowUp.get_by_id(pap_step.id).status == "open"


@pytest.mark.parametrize("data, message", [({}, "Bitte mindestens eine Aufgabe auswählen."),
                                           ({"followup": "abc"}, "Unbekannte Auswahl."),
                                           ({"followup": "9" * 30}, "Unbekannte Auswahl."),
                                           ({"followup": "1", "outcome": "x" * 2001}, "höchstens 2000 Zeichen")])
def test_close_refuses_bad_input(world, auth, make, data, message):
    m = group_measure(world, make)
    auth.login("mb1")
    r = auth.post(f"/meine-massnahmen/{m.id}/aufgaben/erledigen", data, htmx=True)
    assert r.status_code == 422 and message in r.get_data(as_text=True)


def test_page_lists_duties_due_within_30_days_unless_all_are_asked_for(world, auth, make):
    m = group_measure(world, make, start=TODAY + datetime.timedelta(days=10), end=TODAY + datetime.timedelta(days=300))
    steps = measure_steps(m)
    soon, later = steps["mb-vor-information"], steps["mb-begleitung"]  # due at the end, in 300 days
    auth.login("mb1")
    page = auth.get(f"/meine-massnahmen/{m.id}").get_data(as_text=True)
    assert f'id="aufgabe-{soon.id}"' in page and f'id="aufgabe-{later.id}"' not in page
    assert "weitere später fällig" in page
    r = auth.get(f"/meine-massnahmen/{m.id}?aufgaben=alle", htmx=True)
    text = r.get_data(as_text=True)
    assert text.lstrip().startswith('<section id="aufgaben"') and f'id="aufgabe-{later.id}"' in text
    # closing from the full list keeps the full list
    r = auth.post(f"/meine-massnahmen/{m.id}/aufgaben/erledigen", {"only": soon.id, "aufgaben": "alle"}, htmx=True)
    assert f'id="aufgabe-{later.id}"' in r.get_data(as_text=True)


def test_case_mb_steps_are_duties_of_the_measure(world, auth, make):
    """AGH: the MB's Maßnahmezuweisung is a step on each participation, listed with the measure's duties."""
    m = make.measure("AGH", start=TODAY + datetime.timedelta(days=10), end=TODAY + datetime.timedelta(days=200),
                     mb=world["mb1"])
    p = make.participation(make.customer(world["t1"], world["pap1"]), m)
    planning.replan_new(p)
    step = FollowUp.get(FollowUp.participation == p.id, FollowUp.step_id == "agh-vor-mb")
    auth.login("mb1")
    body = auth.get(f"/meine-massnahmen/{m.id}").get_data(as_text=True)
    assert step.title in body
    auth.post(f"/meine-massnahmen/{m.id}/aufgaben/erledigen", {"only": step.id})
    assert FollowUp.get_by_id(step.id).status == "done"
    r = auth.post(f"/meine-massnahmen/{m.id}/aufgaben/{step.id}/wieder-offen", htmx=True)
    assert r.status_code == 200 and "Wieder offen" in r.get_data(as_text=True)
    assert FollowUp.get_by_id(step.id).status == "open"
    assert auth.post(f"/meine-massnahmen/{m.id}/aufgaben/{step.id}/wieder-offen").status_code == 403  # not closed


# ------------------------------------------------------------------ occupancy report to TL/BL

def test_occupancy_report_reaches_tl_and_bl(world, auth, make):
    m = group_measure(world, make, capacity=16)
    auth.login("mb1")
    r = auth.post(f"/meine-massnahmen/{m.id}/belegung-melden", {"report_text": ""}, htmx=True)
    assert r.status_code == 422 and "Bitte eine Begründung und die geplanten Schritte angeben." in r.get_data(
        as_text=True)
    r = auth.post(f"/meine-massnahmen/{m.id}/belegung-melden",
                  {"report_text": "Infoveranstaltung am 12. mit den pAp geplant"}, htmx=True)
    assert r.status_code == 200 and "Meldung an Teamleitung und Bereichsleitung ist gespeichert" in r.get_data(
        as_text=True)
    report = OccupancyReport.get(OccupancyReport.measure == m.id)
    assert (report.capacity, report.occupied) == (16, 10)
    auth.logout()
    for user, url in (("tl1", "/dashboard/team"), ("bl", "/dashboard/bereich")):
        auth.login(user)
        body = auth.get(url).get_data(as_text=True)
        assert "Infoveranstaltung am 12. mit den pAp geplant" in body and "10 von 16" in body, user
        auth.logout()


# ------------------------------------------------------------------ start page and worklist

def test_mb_start_page_and_worklist_link_duties_to_the_workspace(world, auth, make):
    m = group_measure(world, make, start=TODAY + datetime.timedelta(days=20))
    info = measure_steps(m)["mb-vor-information"]  # due 4 weeks before the start: overdue
    auth.login("mb1")
    home = auth.get("/start").get_data(as_text=True)
    assert f'/meine-massnahmen/{m.id}#aufgabe-{info.id}' in home and "überfällig" in home
    assert "Meine Maßnahmen" in home
    worklist = auth.get("/wiedervorlagen/").get_data(as_text=True)
    assert f'/meine-massnahmen/{m.id}#aufgabe-{info.id}' in worklist


def test_mb_start_page_shows_ten_measures_those_with_empty_places_first(world, auth, make):
    """An MB with many measures: the start page lists 10 (one with too many empty places first,
    though it starts last), says how many there are and links "Meine Maßnahmen" for all."""
    mb = make.user("mbviele", "MB")
    started = TODAY - datetime.timedelta(days=60)
    full = [make.measure(mb=mb, start=started + datetime.timedelta(days=i), end=TODAY + datetime.timedelta(days=90),
                         capacity=0, title=f"Kurs {i:02d}") for i in range(11)]  # no capacity: no warning
    empty = make.measure(mb=mb, start=started + datetime.timedelta(days=20), end=TODAY + datetime.timedelta(days=90),
                         capacity=12, title="Leerer Kurs")  # running, 0 of 12 places: a warning
    auth.login("mbviele")
    home = auth.get("/start").get_data(as_text=True)
    assert "Leerer Kurs" in home and "Warnung: 12 Plätze frei" in home
    assert [m.title in home for m in full] == [True] * 9 + [False] * 2
    assert "10 von 12 laufenden und künftigen Maßnahmen" in home and 'href="/meine-massnahmen/"' in home
    assert empty.title in auth.get("/meine-massnahmen/").get_data(as_text=True)


def test_list_pages_fifty_measures_and_keeps_the_period(world, auth, make, monkeypatch):
    """An MB with more measures than a page holds: pages in start order, as full page and as
    fragment, the period kept in the pager; a page past the end says so and links the first."""
    from absolvent.measures import workspace
    monkeypatch.setattr(workspace, "PAGE_SIZE", 3)
    mb = make.user("mbviele", "MB")
    start = TODAY - datetime.timedelta(days=30)
    measures = [make.measure(mb=mb, start=start + datetime.timedelta(days=i), end=TODAY + datetime.timedelta(days=90),
                             title=f"Kurs {i:02d}") for i in range(7)]
    auth.login("mbviele")
    first = auth.get("/meine-massnahmen/?zeitraum=alle").get_data(as_text=True)
    assert "7 Maßnahmen" in first and "Seite 1 von 3" in first
    assert [m.title in first for m in measures] == [True] * 3 + [False] * 4
    assert 'href="/meine-massnahmen/?seite=2&amp;zeitraum=alle"' in first
    last = auth.get("/meine-massnahmen/?zeitraum=alle&seite=3", htmx=True).get_data(as_text=True)
    assert last.lstrip().startswith('<div id="measure-table">') and "Seite 3 von 3" in last
    assert [m.title in last for m in measures] == [False] * 6 + [True]
    beyond = auth.get("/meine-massnahmen/?zeitraum=alle&seite=9").get_data(as_text=True)
    assert "Diese Seite gibt es nicht mehr" in beyond and 'href="/meine-massnahmen/?zeitraum=alle"' in beyond


def test_duties_and_their_counts_equal_the_duties_condition(world, make):
    """The workspace reads a measure's duties in two halves (own steps, the MB steps of its
    participations) for speed: the same rows and counts as the one condition, open and closed."""
    from absolvent.measures import queries as mq
    m = group_measure(world, make)  # the measure's own MB steps, some overdue
    other = group_measure(world, make, start=TODAY - datetime.timedelta(days=10))
    p = make.participation(make.customer(world["t1"], world["pap1"]), m)
    case_mb = [FollowUp.create(participation=p, step_id=f"mb-{k}", title="MB-Schritt", role="MB",
                               due=TODAY + datetime.timedelta(days=k)) for k in (-3, 4)]
    FollowUp.create(participation=p, step_id="pap-1", title="pAp-Schritt", role="pAp", due=TODAY)  # no duty
    FollowUp.update(status="done", done_at=datetime.datetime(2026, 1, 2, 9, 0)).where(
        FollowUp.id == case_mb[1].id).execute()
    FollowUp.update(status="done", done_at=datetime.datetime(2026, 1, 3, 9, 0)).where(
        FollowUp.measure == m.id, FollowUp.due < TODAY).execute()
    for measure in (m, other):
        condition = mq.duties_condition([measure.id])
        expected_open = [f.id for f in FollowUp.select().where(condition, FollowUp.status == "open")
                         .order_by(FollowUp.due, FollowUp.id)]
        expected_closed = {f.id for f in FollowUp.select().where(condition, FollowUp.status != "open")}
        assert [f.id for f in mq.duties(measure)] == expected_open
        assert {f.id for f in mq.duties(measure, "closed")} == expected_closed
        overdue = FollowUp.select().where(condition, FollowUp.status == "open", FollowUp.due < TODAY).count()
        assert mq.open_duty_counts([m, other], TODAY)[measure.id] == (len(expected_open), overdue)
    assert case_mb[0].id in [f.id for f in mq.duties(m)] and mq.open_duty_counts([m], TODAY)[m.id][1] >= 1
    closed = mq.duties(m, "closed", limit=2)
    assert [f.id for f in closed] == [f.id for f in sorted(mq.duties(m, "closed"), key=lambda f: (f.done_at, f.id),
                                                           reverse=True)][:2]


# ------------------------------------------------------------------ the Träger's documents

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_concept_is_kept_and_closes_its_duty(world, auth, make):
    import io

    from absolvent.measures.models import MeasureFile
    m = group_measure(world, make)
    duty = measure_steps(m)["mb-konzept"]
    auth.login("mb1")
    r = auth.post(f"/meine-massnahmen/{m.id}/unterlagen", {"kind": "konzept", "title": "Konzept 2027",
                                                           "file": (io.BytesIO(PDF), "konzept.pdf")},
                  htmx=True, content_type="multipart/form-data")
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and text.lstrip().startswith('<section id="unterlagen"')
    assert "„Konzept 2027“ ist bei der Maßnahme abgelegt. Erledigt: " + duty.title in text
    row = MeasureFile.get(MeasureFile.measure == m.id)
    assert row.data == PDF and row.participation_id is None and row.kind == "konzept"
    done = FollowUp.get_by_id(duty.id)
    assert done.status == "done" and done.outcome == "Konzept des Trägers abgelegt: Konzept 2027"
    # every logged-in user reads the concept on the measure page and downloads it unchanged
    auth.logout()
    auth.login("pap2")
    page = auth.get(f"/massnahmen/{m.id}").get_data(as_text=True)
    assert "Konzept 2027" in page
    assert auth.get(f"/massnahmen/dateien/{row.id}").data == PDF


@pytest.mark.parametrize("data, field, message", [
    ({"kind": "zwischenbericht"}, "kind", "Bitte die Art der Unterlage auswählen."),
    ({"kind": "konzept"}, "file", "Die Datei heißt .pdf, ist aber keine PDF-Datei."),
])
def test_concept_upload_refuses_bad_input(world, auth, make, data, field, message):
    import io
    m = group_measure(world, make)
    auth.login("mb1")
    payload = {**data, "title": "behalten"}
    if field != "file":
        payload["file"] = (io.BytesIO(PDF), "k.pdf")
    else:
        payload["file"] = (io.BytesIO(b"MZ not a pdf"), "k.pdf")
    r = auth.post(f"/meine-massnahmen/{m.id}/unterlagen", payload, htmx=True, content_type="multipart/form-data")
    text = r.get_data(as_text=True)
    assert r.status_code == 422 and message in text and 'value="behalten"' in text


def test_concept_upload_only_by_the_measures_mb(world, auth, make):
    import io
    m = group_measure(world, make)
    auth.login("mb2")
    r = auth.post(f"/meine-massnahmen/{m.id}/unterlagen", {"kind": "konzept", "file": (io.BytesIO(PDF), "k.pdf")},
                  content_type="multipart/form-data")
    assert r.status_code == 403


def test_closing_a_duty_closed_in_another_tab_meanwhile_changes_nothing(world, auth, make):
    """Two tabs, one after the other: the second closes duties the first just closed; nothing is
    written twice. (The simultaneous case is guarded by the claim in ``close_duties``; it cannot be
    timed reliably in a test.)"""
    from absolvent.measures import workspace_operations
    from werkzeug.datastructures import MultiDict
    m = group_measure(world, make)
    info = measure_steps(m)["mb-vor-information"]
    form = MultiDict({"only": str(info.id)})
    closed, errors = workspace_operations.close_duties(m, form, world["mb1"])
    assert len(closed) == 1 and not errors
    events = PlanEvent.select().where(PlanEvent.measure == m.id, PlanEvent.summary == info.title).count()
    closed, errors = workspace_operations.close_duties(m, form, world["mb1"])
    assert closed == [] and "nicht mehr offen" in errors["followup"]
    assert PlanEvent.select().where(PlanEvent.measure == m.id, PlanEvent.summary == info.title).count() == events
