"""Follow-ups in the app (issue 3): created, re-dated, cancelled through the UI routes.

Expected dates are computed by hand from RULES.md (see the comments)."""
import datetime

import pytest

from absolvent.models import FollowUp, JobcenterSettings, Note, Participation, PlanEvent

D = datetime.date
TODAY = datetime.date.today()
LATER = TODAY + datetime.timedelta(days=40)  # a date by hand may not lie in the past


def use_rulebook(rulebook_id):
    JobcenterSettings.update(active_rulebook=rulebook_id).execute()


def due_dates(p, status=None):
    query = FollowUp.select().where(FollowUp.participation == p.id)
    if status:
        query = query.where(FollowUp.status == status)
    return {f.step_id: f.due for f in query}


def edit_form(p, **changes):
    data = {"measure": str(p.measure_id), "entry": p.entry.strftime("%d.%m.%Y"),
            "planned_end": p.planned_end.strftime("%d.%m.%Y"), "version": str(p.version)}
    data.update(changes)
    return data


@pytest.fixture
def fbw_case(world, auth, make):
    """Goslar: an FBW participation 05.01.2026–30.06.2026 created through the form."""
    use_rulebook("goslar-2016")
    measure = make.measure("FBW", start=D(2026, 1, 5), end=D(2026, 6, 30), measure_number="962/FBW1")
    auth.login("pap1")
    response = auth.post("/teilnahmen/neu", {"customer": world["c1"].id, "measure": measure.id,
                                             "entry": "05.01.2026", "planned_end": "30.06.2026"})
    assert response.status_code == 302
    return Participation.get(Participation.measure == measure)


def test_creating_participation_creates_followups(fbw_case):
    dues = due_dates(fbw_case)
    # Goslar 5.5: 1 month to 1 day before end: earliest 30.06. − 1 month = 30.05., due 29.06.2026
    fbw = FollowUp.get(FollowUp.participation == fbw_case.id, FollowUp.due == D(2026, 6, 29))
    assert fbw.earliest == D(2026, 5, 30) and fbw.mandatory and fbw.role == "pAp"
    # immediately after end: due 30.06. + 14 days = 14.07.2026; next talk 2 months after end: 30.08.2026
    assert D(2026, 7, 14) in dues.values() and D(2026, 8, 30) in dues.values()
    # 6 months after end: 30.12.2026
    assert D(2026, 12, 30) in dues.values()
    assert PlanEvent.get(PlanEvent.participation == fbw_case.id).reason == "Teilnahme angelegt"


def test_participation_page_shows_plan(fbw_case, auth):
    body = auth.get(f"/teilnahmen/{fbw_case.id}").get_data(as_text=True)
    assert "29.06.2026" in body and "30.05.2026" in body and "Verlauf der Planung" in body
    assert "AM-Beginn" in body and "30.12.2026" in body


def test_panel_full_page_and_fragment(fbw_case, auth):
    full = auth.get(f"/teilnahmen/{fbw_case.id}/wiedervorlagen").get_data(as_text=True)
    assert "<html" in full and 'id="followups-panel"' in full
    frag = auth.get(f"/teilnahmen/{fbw_case.id}/wiedervorlagen", htmx=True).get_data(as_text=True)
    assert "<html" not in frag and frag.lstrip().startswith('<section id="followups-panel"')


def test_changing_end_redates_open_keeps_done_and_hand_edited(fbw_case, auth):
    fs = {f.due: f for f in FollowUp.select().where(FollowUp.participation == fbw_case.id)}
    six_months, two_months = fs[D(2026, 12, 30)], fs[D(2026, 8, 30)]
    after_end = fs[D(2026, 7, 14)]
    # done: the 2-month follow-up; by hand: the one after the end moved to a later day, with a reason
    assert auth.post(f"/wiedervorlagen/{two_months.id}/erledigt", {"done": "1"}).status_code == 302
    assert auth.post(f"/wiedervorlagen/{after_end.id}/termin",
                     {"due": f"{LATER:%d.%m.%Y}", "reason": "Kunde im Urlaub"}).status_code == 302
    # the planned end moves to 31.07.2026
    response = auth.post(f"/teilnahmen/{fbw_case.id}/bearbeiten", edit_form(fbw_case, planned_end="31.07.2026"))
    assert response.status_code == 302
    # open and untouched: 31.07. + 6 months = 31.01.2027 (re-dated)
    assert FollowUp.get_by_id(six_months.id).due == D(2027, 1, 31)
    # done stays, but knows the new rule date 31.07. + 2 months = 30.09.2026
    done = FollowUp.get_by_id(two_months.id)
    assert done.status == "done" and done.due == D(2026, 8, 30) and done.rule_due == D(2026, 9, 30)
    # hand-edited keeps its day; the rule now says 31.07. + 14 = 14.08.2026 (shown as difference)
    hand = FollowUp.get_by_id(after_end.id)
    assert hand.due == LATER and hand.edited_by_hand and hand.rule_due == D(2026, 8, 14)
    body = auth.get(f"/teilnahmen/{fbw_case.id}").get_data(as_text=True)
    assert "von Hand geändert" in body and "Regeltermin: 14.08.2026" in body
    event = PlanEvent.select().where(PlanEvent.participation == fbw_case.id).order_by(PlanEvent.id.desc()).first()
    assert event.reason == "Daten geändert: geplantes Ende" and "umterminiert" in event.summary
    assert "30.12.2026 → 31.01.2027" in event.detail


def test_reset_to_rule_date(fbw_case, auth):
    f = FollowUp.get(FollowUp.participation == fbw_case.id, FollowUp.due == D(2026, 7, 14))
    auth.post(f"/wiedervorlagen/{f.id}/termin", {"due": f"{LATER:%d.%m.%Y}", "reason": "Krankheit"})
    assert FollowUp.get_by_id(f.id).due == LATER
    response = auth.post(f"/wiedervorlagen/{f.id}/regeltermin", {}, htmx=True)
    assert response.status_code == 200 and 'id="followups-panel"' in response.get_data(as_text=True)
    f = FollowUp.get_by_id(f.id)
    assert f.due == D(2026, 7, 14) and not f.edited_by_hand


@pytest.mark.parametrize("value,message", [
    ("31.13.2026", "Dieses Datum gibt es nicht."), ("morgen", "Format TT.MM.JJJJ"),
    ("", "Bitte Neuer Termin angeben"),
    ("01.05.2026", f"darf nicht in der Vergangenheit liegen (frühestens {TODAY:%d.%m.%Y})"),
])
def test_move_date_validation(fbw_case, auth, value, message):
    f = FollowUp.get(FollowUp.participation == fbw_case.id, FollowUp.due == D(2026, 6, 29))
    response = auth.post(f"/wiedervorlagen/{f.id}/termin", {"due": value, "reason": "Urlaub"}, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and message in body and 'aria-invalid="true"' in body
    assert FollowUp.get_by_id(f.id).due == D(2026, 6, 29)


def test_move_needs_a_reason_and_a_day_after_entry_and_earliest(world, auth, make):
    """A future FBW case: 1 month to 1 day before the end is the window of the EV step."""
    use_rulebook("goslar-2016")
    start, end = TODAY + datetime.timedelta(days=30), TODAY + datetime.timedelta(days=200)
    measure = make.measure("FBW", start=start, end=end, measure_number="962/FBW2")
    auth.login("pap1")
    auth.post("/teilnahmen/neu", {"customer": world["c1"].id, "measure": measure.id,
                                  "entry": f"{start:%d.%m.%Y}", "planned_end": f"{end:%d.%m.%Y}"})
    p = Participation.get(Participation.measure == measure)
    windowed = FollowUp.select().where(FollowUp.participation == p.id, FollowUp.earliest.is_null(False),
                                       FollowUp.earliest > start).first()
    body = auth.post(f"/wiedervorlagen/{windowed.id}/termin", {"due": f"{start:%d.%m.%Y}"},
                     htmx=True).get_data(as_text=True)
    assert "Bitte einen Grund für die Änderung angeben." in body
    before_entry = start - datetime.timedelta(days=1)
    body = auth.post(f"/wiedervorlagen/{windowed.id}/termin", {"due": f"{before_entry:%d.%m.%Y}", "reason": "x"},
                     htmx=True).get_data(as_text=True)
    assert f"liegt vor dem Eintritt ({start:%d.%m.%Y})" in body
    body = auth.post(f"/wiedervorlagen/{windowed.id}/termin", {"due": f"{start:%d.%m.%Y}", "reason": "x"},
                     htmx=True).get_data(as_text=True)
    assert f"liegt vor dem frühestmöglichen Tag ({windowed.earliest:%d.%m.%Y})" in body
    assert FollowUp.get_by_id(windowed.id).due == windowed.due
    ok = auth.post(f"/wiedervorlagen/{windowed.id}/termin",
                   {"due": f"{windowed.earliest:%d.%m.%Y}", "reason": "Termin mit Träger"}, htmx=True)
    assert ok.status_code == 200 and FollowUp.get_by_id(windowed.id).due == windowed.earliest
    event = PlanEvent.select().where(PlanEvent.participation == p.id).order_by(PlanEvent.id.desc()).first()
    assert event.reason == "Termin von Hand geändert" and "Termin mit Träger" in event.summary


def test_done_and_reopen_fragment(fbw_case, auth):
    f = FollowUp.select().where(FollowUp.participation == fbw_case.id).first()
    body = auth.post(f"/wiedervorlagen/{f.id}/erledigt", {"done": "1"}, htmx=True).get_data(as_text=True)
    assert "erledigt</span>" in body and FollowUp.get_by_id(f.id).done_by_id is not None
    auth.post(f"/wiedervorlagen/{f.id}/erledigt", {"done": "0"}, htmx=True)
    assert FollowUp.get_by_id(f.id).status == "open"


@pytest.mark.parametrize("who,allowed", [("pap1", True), ("tl1", True), ("pap2", False), ("bl", False),
                                         ("admin", False)])
def test_followup_permissions(fbw_case, auth, who, allowed):
    f = FollowUp.select().where(FollowUp.participation == fbw_case.id).first()
    auth.logout()
    auth.login(who)
    assert auth.post(f"/wiedervorlagen/{f.id}/erledigt", {"done": "1"}).status_code == (302 if allowed else 403)


@pytest.fixture
def dw_mat(world, auth, make):
    """Deutsche Weinstraße: MAT 05.01.2026–30.09.2026 (more than 6 months: 8-week contacts)."""
    use_rulebook("deutsche-weinstrasse-2022")
    measure = make.measure("MAT", start=D(2026, 1, 5), end=D(2026, 9, 30), measure_number="962/MAT9")
    auth.login("pap1")
    auth.post("/teilnahmen/neu", {"customer": world["c1"].id, "measure": measure.id,
                                  "entry": "05.01.2026", "planned_end": "30.09.2026"})
    return Participation.get(Participation.measure == measure)


def test_eight_week_contacts_planned(dw_mat):
    dues = due_dates(dw_mat)
    # 05.01. + 56 = 02.03., + 56 = 27.04., + 56 = 22.06., + 56 = 17.08.; + 56 = 12.10. is after the end
    assert [dues[f"kontakt-8-wochen-{i}"] for i in range(1, 5)] == [D(2026, 3, 2), D(2026, 4, 27),
                                                                    D(2026, 6, 22), D(2026, 8, 17)]
    assert "kontakt-8-wochen-5" not in dues
    # AM starts 3 months before the end (duration > 6 months): 30.06.2026
    assert FollowUp.get(FollowUp.participation == dw_mat.id, FollowUp.due == D(2026, 6, 30)).phase == "ende"


def test_qualified_contact_moves_next_contact(dw_mat, auth):
    response = auth.post(f"/teilnahmen/{dw_mat.id}/kontakte", {
        "contact_date": "20.02.2026", "channel": "telefonisch", "subject": "Absolventenmanagement",
        "text": "Stand besprochen", "qualified": "on"}, htmx=True)
    assert response.status_code == 200
    first = FollowUp.get(FollowUp.participation == dw_mat.id, FollowUp.step_id == "kontakt-8-wochen-1")
    assert first.status == "done"
    dues = due_dates(dw_mat)
    # the next contact is due 20.02. + 56 = 17.04.2026, then 12.06. and 07.08.
    assert dues["kontakt-8-wochen-2"] == D(2026, 4, 17)
    assert dues["kontakt-8-wochen-3"] == D(2026, 6, 12) and dues["kontakt-8-wochen-4"] == D(2026, 8, 7)
    note = Note.get(Note.customer == dw_mat.customer_id)
    assert note.qualified and note.kind == "kontakt" and note.channel == "telefonisch"
    reasons = [e.reason for e in PlanEvent.select().where(PlanEvent.participation == dw_mat.id)]
    assert "Qualifizierter Kontakt am 20.02.2026 erfasst" in reasons


def test_unqualified_contact_changes_nothing(dw_mat, auth):
    before = due_dates(dw_mat)
    auth.post(f"/teilnahmen/{dw_mat.id}/kontakte", {"contact_date": "20.02.2026", "channel": "persoenlich",
                                                    "subject": "Kurzinfo"})
    assert due_dates(dw_mat) == before


@pytest.mark.parametrize("changes,message", [
    ({"contact_date": "30.02.2026"}, "Dieses Datum gibt es nicht."),
    ({"channel": "brieftaube"}, "Unbekannter Wert für die Kontaktart"),
    ({"subject": ""}, "Bitte den Betreff angeben."),
    ({"contact_date": "01.01.2099"}, "nicht in der Zukunft"),
])
def test_contact_validation(dw_mat, auth, changes, message):
    data = {"contact_date": "20.02.2026", "channel": "persoenlich", "subject": "AM", "qualified": "on", **changes}
    response = auth.post(f"/teilnahmen/{dw_mat.id}/kontakte", data, htmx=True)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert Note.select().count() == 0


def test_dropout_cancels_future_steps_and_adds_abbruch_steps(dw_mat, auth):
    response = auth.post(f"/teilnahmen/{dw_mat.id}/bearbeiten", edit_form(
        dw_mat, exit="10.04.2026", exit_kind="abbruch", dropout_reason="Arbeitsaufnahme", important_reason="ja"))
    assert response.status_code == 302
    rows = {f.step_id: f for f in FollowUp.select().where(FollowUp.participation == dw_mat.id)}
    # due before the exit: stays open; later contacts and the end steps are cancelled, never deleted
    assert rows["kontakt-8-wochen-1"].status == "open"
    for step in ("kontakt-8-wochen-2", "kontakt-8-wochen-3", "kontakt-8-wochen-4"):
        assert rows[step].status == "cancelled" and rows[step].cancel_reason.startswith("entfällt nach Neuplanung")
    assert FollowUp.get(FollowUp.participation == dw_mat.id, FollowUp.due == D(2026, 6, 30)).status == "cancelled"
    # Abbruch steps from the exit (Fri 10.04.2026, RP): 3 working days → 15.04., 5 → 17.04., 10 → 24.04.
    abbruch = {f.due for f in rows.values() if f.phase == "abbruch"}
    assert abbruch == {D(2026, 4, 15), D(2026, 4, 17), D(2026, 4, 24)}
    event = PlanEvent.select().where(PlanEvent.participation == dw_mat.id).order_by(PlanEvent.id.desc()).first()
    assert event.reason == "Abbruch erfasst (Austritt 10.04.2026)" and "entfallen" in event.summary
    # correcting the exit back reopens what was cancelled by the re-plan
    p = Participation.get_by_id(dw_mat.id)
    auth.post(f"/teilnahmen/{p.id}/bearbeiten", edit_form(p, exit="", exit_kind=""))
    assert FollowUp.get_by_id(rows["kontakt-8-wochen-3"].id).status == "open"


def test_group_measure_gets_mb_steps(world, make):
    from absolvent.caseload import planning as followups
    use_rulebook("goslar-2016")
    measure = make.measure("MAT", start=D(2026, 1, 5), end=D(2026, 6, 30), mb=world["mb1"], measure_number="962/G")
    for _ in range(9):
        followups.replan_new(make.participation(make.customer(world["t1"]), measure))
    assert FollowUp.select().where(FollowUp.measure == measure.id).count() == 0  # 9 are no group measure
    followups.replan_new(make.participation(make.customer(world["t1"]), measure))
    mb_steps = {f.step_id: f for f in FollowUp.select().where(FollowUp.measure == measure.id)}
    assert mb_steps and all(f.role == "MB" for f in mb_steps.values())
    # duration 05.01.–30.06.2026 is under 6 months: one Sprechstunde at half the duration
    assert "mb-sprechstunde" in mb_steps
    # MAT information sheet F.2.1 at the latest 4 weeks before start: 05.01. − 28 = 08.12.2025
    assert mb_steps["mb-informationsblatt-f21"].due == D(2025, 12, 8)


def test_missing_dates_are_grouped(world, auth, make):
    use_rulebook("goslar-2016")
    measure = make.measure("BAE", start=D(2026, 9, 1), end=D(2029, 8, 31), measure_number="962/BAE1")
    auth.login("pap1")
    auth.post("/teilnahmen/neu", {"customer": world["c1"].id, "measure": measure.id,
                                  "entry": "01.09.2026", "planned_end": "31.08.2029"})
    p = Participation.get(Participation.measure == measure)
    body = auth.get(f"/teilnahmen/{p.id}").get_data(as_text=True)
    assert "Für die Planung fehlen noch:" in body and body.count("Prüfungstermin") >= 1
    assert "Daten in der Teilnahme eintragen" in body
    # entering the exam date plans the steps anchored on it
    auth.post(f"/teilnahmen/{p.id}/bearbeiten", edit_form(p, exam_date="15.06.2029"))
    titles = [f.title for f in FollowUp.select().where(FollowUp.participation == p.id)]
    assert any("Abschlussprüfung" in t for t in titles)


def test_missing_date_hints_disappear_when_their_phase_is_over(world, auth, make):
    """FBW-ABS without probation and intermediate-exam dates (Goslar 1.3.1, phase "während"):
    the hints show while the measure runs and go once it has ended (RULES.md §3.1)."""
    use_rulebook("goslar-2016")
    running = make.measure("FBW-ABS", start=TODAY - datetime.timedelta(days=100),
                           end=TODAY + datetime.timedelta(days=600), measure_number="962/ABS1")
    ended = make.measure("FBW-ABS", start=TODAY - datetime.timedelta(days=800),
                         end=TODAY - datetime.timedelta(days=30), measure_number="962/ABS2")
    auth.login("pap1")
    pages = {}
    for m in (running, ended):
        auth.post("/teilnahmen/neu", {"customer": world["c1"].id, "measure": m.id, "entry": f"{m.start:%d.%m.%Y}",
                                      "planned_end": f"{m.end:%d.%m.%Y}"})
        p = Participation.get(Participation.measure == m)
        pages[m.measure_number] = auth.get(f"/teilnahmen/{p.id}").get_data(as_text=True)
    assert "Für die Planung fehlen noch:" in pages["962/ABS1"] and "Ende der Probezeit" in pages["962/ABS1"]
    assert "Für die Planung fehlen noch:" not in pages["962/ABS2"]
