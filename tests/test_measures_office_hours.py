"""Sprechstunden beim Träger (RULES.md §5.7, seed 000 2.2.2): the rule's dates by hand, the
guided form "sprechstunde" from the MB's step to the notes and the pAp's Wiedervorlagen,
the page with its permission matrix.

Rule (goslar-2016 "mb-sprechstunde*", group measures of 10+ only): duration over 1 up to
(under) 6 months: 1 at half; 6 up to 12 months: 2 at 1/3 and 2/3; over 12 months: 3 at
1/4, 1/2, 3/4. A fraction's date is start + floor(days × fraction), days = end − start + 1.
"""
import datetime
import json

import pytest

from absolvent.caseload import planning
from absolvent.guided_forms.models import FormRun, FormSnapshot
from absolvent.measures.models import OfficeHour, OfficeHourFinding
from absolvent.models import AuditLog, FollowUp, Note

D = datetime.date
TODAY = datetime.date.today()


def group_measure(world, make, start, end, n=10, number="962/SP"):
    """A MAT of mb1 with ``n`` participations (c1 of pap1 first), MB steps planned."""
    measure = make.measure("MAT", start=start, end=end, mb=world["mb1"], measure_number=number, capacity=12)
    participations = [make.participation(world["c1"], measure)]
    for i in range(n - 1):
        participations.append(make.participation(make.customer(world["t1"], world["pap1"], last_name=f"Zett{i}"),
                                                 measure))
    planning.replan_measure(measure, "Test")
    return measure, participations


def office_hour_steps(measure):
    return {f.step_id: f.due for f in FollowUp.select().where(FollowUp.measure == measure.id,
                                                                FollowUp.form == "sprechstunde")}


# ------------------------------------------------------------------ the rule, dates by hand

def test_three_months_one_office_hour_at_half(world, make):
    # 05.01.–04.04.2026: 3 months; 27 + 28 + 31 + 4 = 90 days, half = 45 → 05.01. + 45 = 19.02.2026
    measure, _ = group_measure(world, make, D(2026, 1, 5), D(2026, 4, 4))
    assert office_hour_steps(measure) == {"mb-sprechstunde": D(2026, 2, 19)}


def test_exactly_six_months_two_office_hours(world, make):
    # 01.01.–30.06.2026: exactly 6 months, 181 days; 1/3: floor(181 × 0.3333) = 60 → 02.03.2026;
    # 2/3: floor(181 × 0.6667) = 120 → 01.05.2026
    measure, _ = group_measure(world, make, D(2026, 1, 1), D(2026, 6, 30))
    assert office_hour_steps(measure) == {"mb-sprechstunde-1-von-2": D(2026, 3, 2),
                                          "mb-sprechstunde-2-von-2": D(2026, 5, 1)}


def test_fourteen_months_three_office_hours(world, make):
    # 01.02.2026–31.03.2027: 14 months, 365 + 59 = 424 days; 1/4 = 106 → 18.05.2026;
    # 1/2 = 212 → 01.09.2026; 3/4 = 318 → 16.12.2026
    measure, _ = group_measure(world, make, D(2026, 2, 1), D(2027, 3, 31))
    assert office_hour_steps(measure) == {"mb-sprechstunde-1-von-3": D(2026, 5, 18),
                                          "mb-sprechstunde-2-von-3": D(2026, 9, 1),
                                          "mb-sprechstunde-3-von-3": D(2026, 12, 16)}


def test_no_office_hours_below_ten_participants(world, make):
    measure, _ = group_measure(world, make, D(2026, 1, 5), D(2026, 4, 4), n=9)
    assert office_hour_steps(measure) == {}


# ------------------------------------------------------------------ the journey

START, HELD = D(2026, 9, 1), D(2026, 11, 20)  # 20.11.2026 is a Friday


@pytest.fixture
def running(world, make):
    """A group measure that started 01.09.2026 and is still running (so the pAp's step is not missed)."""
    return group_measure(world, make, START, max(D(2027, 2, 28), TODAY + datetime.timedelta(days=60)))


def start_from(auth, measure, followup=None, htmx=False):
    data = {"followup": str(followup.id)} if followup else {}
    return auth.post(f"/massnahmen/{measure.id}/formulare/sprechstunde", data, htmx=htmx)


def run_id_of(response):
    url = response.headers.get("HX-Redirect") or response.headers["Location"]
    return int(url.split("/formulare/")[1].split("/")[0])


def fill(auth, run_id, step_id, data, aktion="weiter", htmx=False):
    return auth.post(f"/formulare/{run_id}/schritt/{step_id}", {**data, "aktion": aktion}, htmx=htmx)


def fill_office_hour(auth, run_id, findings):
    assert fill(auth, run_id, "termin", {"held_on": "20.11.2026", "place": "Schulungsraum Goslar",
                                         "attendance": "8"}).status_code == 302
    assert fill(auth, run_id, "traeger", {"goals": "Zielerreichung überwiegend gut",
                                          "particulars": "Praktika ab Januar",
                                          "findings": "Konzept wird umgesetzt"}).status_code == 302
    return fill(auth, run_id, "teilnehmende", findings)


def test_office_hour_journey(running, world, auth):
    measure, ps = running
    step = FollowUp.select().where(FollowUp.measure == measure.id, FollowUp.form == "sprechstunde") \
        .order_by(FollowUp.due).first()
    auth.login("mb1")
    page = auth.get(f"/massnahmen/{measure.id}/sprechstunden").get_data(as_text=True)
    assert f'id="erfassen-{step.id}"' in page and "Noch keine Sprechstunde erfasst." in page
    response = start_from(auth, measure, step)
    run_id = run_id_of(response)
    assert response.headers["Location"].endswith(f"/formulare/{run_id}/schritt/termin")
    assert run_id_of(start_from(auth, measure, step, htmx=True)) == run_id  # the draft resumes
    run = FormRun.get_by_id(run_id)
    assert (run.customer_id, run.participation_id, run.measure_id, run.followup_id) == (None, None, measure.id,
                                                                                        step.id)
    # the drafts list shows the measure draft
    drafts = auth.get("/formulare/entwuerfe").get_data(as_text=True)
    assert "Sprechstunde beim Träger" in drafts and "962/SP" in drafts
    # a held-on date before the measure's start is refused next to the field, nothing lost
    bad = fill(auth, run_id, "termin", {"held_on": "31.08.2026", "place": "X", "attendance": "3"})
    assert bad.status_code == 422 and "nicht vor dem Maßnahmebeginn (01.09.2026)" in bad.get_data(as_text=True)
    third = auth.get(f"/formulare/{run_id}/schritt/teilnehmende").get_data(as_text=True)
    c1 = ps[0].customer
    assert f'<option value="{ps[0].id}">{c1.last_name}, {c1.first_name} ({c1.customer_number})</option>' in third
    response = fill_office_hour(auth, run_id, {
        "participant_findings-0-participant": str(ps[0].id), "participant_findings-0-finding": "Staplerschein erworben",
        "participant_findings-0-inform_pap": "ja",
        "participant_findings-1-participant": str(ps[1].id), "participant_findings-1-finding": "Häufige Fehlzeiten",
        "participant_findings-1-inform_pap": "nein"})
    assert response.headers["Location"].endswith(f"/formulare/{run_id}/pruefen")
    review = auth.get(f"/formulare/{run_id}/pruefen").get_data(as_text=True)
    assert "Staplerschein erworben" in review and "20.11.2026" in review and "Schulungsraum Goslar" in review

    response = auth.post(f"/formulare/{run_id}/absenden")
    snap = FormSnapshot.get(FormSnapshot.run == run_id)
    assert response.headers["Location"].endswith(f"/formulare/ergebnisse/{snap.id}")
    assert (snap.customer_id, snap.participation_id, snap.measure_id, snap.followup_id) == (None, None, measure.id,
                                                                                            step.id)
    assert json.loads(snap.answers)["answers"]["attendance"] == 8
    hour = OfficeHour.get(OfficeHour.measure == measure.id)
    assert (hour.held_on, hour.attendance, hour.findings, hour.snapshot_id, hour.followup_id,
            hour.created_by.username) == (HELD, 8, "Konzept wird umgesetzt", snap.id, step.id, "mb1")
    # the MB's step is closed by the form
    closed = FollowUp.get_by_id(step.id)
    assert (closed.status, closed.done_by.username) == ("done", "mb1")
    # each finding: a Vermerk for that customer; the pAp gets a Wiedervorlage only where chosen
    notes = {n.customer_id: n for n in Note.select().where(Note.subject == "Sprechstunde beim Träger")}
    assert set(notes) == {ps[0].customer_id, ps[1].customer_id}
    note = notes[ps[0].customer_id]
    assert (note.participation_id, note.kind, note.author.username, note.date) == (ps[0].id, "vermerk", "mb1", HELD)
    assert "Staplerschein erworben" in note.text
    findings = {f.participation_id: f for f in OfficeHourFinding.select()}
    assert findings[ps[1].id].followup_id is None and findings[ps[1].id].note_id == notes[ps[1].customer_id].id
    pap_step = FollowUp.get_by_id(findings[ps[0].id].followup_id)
    # 20.11.2026 (Fri) + 5 working days: 23., 24., 25., 26., 27.11. → 27.11.2026, not before today
    assert (pap_step.participation_id, pap_step.role, pap_step.phase, pap_step.due) == (
        ps[0].id, "pAp", "waehrend", max(D(2026, 11, 27), TODAY))
    assert pap_step.title == "Information aus der Sprechstunde: Staplerschein erworben"
    assert ("create", "office-hour") in {(r.action, r.entity) for r in AuditLog.select()}
    snapshot_page = auth.get(response.headers["Location"]).get_data(as_text=True)
    assert "Zu den Sprechstunden" in snapshot_page and "Sprechstunde gespeichert" in snapshot_page

    page = auth.get(f"/massnahmen/{measure.id}/sprechstunden").get_data(as_text=True)
    assert "Sprechstunde am 20.11.2026" in page and "Staplerschein erworben" in page and c1.full_name in page
    assert f'id="erfassen-{step.id}"' not in page and "erledigt" in page
    # the pAp sees the Wiedervorlage on the worklist
    auth.logout()
    auth.login("pap1")
    worklist = auth.get("/wiedervorlagen/").get_data(as_text=True)
    assert "Information aus der Sprechstunde: Staplerschein erworben" in worklist


def test_tampered_participant_is_a_field_error(running, world, make, auth):
    measure, ps = running
    other = make.participation(world["c2"], world["m2"])  # a participation of another measure
    auth.login("mb1")
    run_id = run_id_of(start_from(auth, measure))
    response = fill_office_hour(auth, run_id, {"participant_findings-0-participant": str(other.id),
                                               "participant_findings-0-finding": "x",
                                               "participant_findings-0-inform_pap": "ja"})
    assert response.status_code == 422 and "Unbekannter Wert für Teilnehmer/in" in response.get_data(as_text=True)
    for value in ("abc", "99999999999999999999999", str(ps[0].id) + "0"):
        fill(auth, run_id, "teilnehmende", {"participant_findings-0-participant": value,
                                            "participant_findings-0-finding": "x",
                                            "participant_findings-0-inform_pap": "ja"})
        submitted = auth.post(f"/formulare/{run_id}/absenden")
        assert submitted.status_code == 422 and "Unbekannter Wert" in submitted.get_data(as_text=True)
    assert OfficeHour.select().count() == 0 and Note.select().count() == 0 and FormSnapshot.select().count() == 0


def test_participant_moved_away_before_submit_is_refused(running, world, auth):
    """The re-check on submit: a participation that left the measure after it was chosen."""
    from absolvent.guided_forms import measure_operations, operations
    measure, ps = running
    auth.login("mb1")
    run_id = run_id_of(start_from(auth, measure))
    fill_office_hour(auth, run_id, {"participant_findings-0-participant": str(ps[0].id),
                                    "participant_findings-0-finding": "x", "participant_findings-0-inform_pap": "ja"})
    with pytest.raises(operations.SubmitRefused) as refused:
        measure_operations._participations(world["m2"], [{"participant": str(ps[0].id)}])
    assert refused.value.errors == {"teilnehmende": {"participant_findings-0-participant":
                                                     "Diese Person nimmt nicht an dieser Maßnahme teil – bitte "
                                                     "neu auswählen."}}


# ------------------------------------------------------------------ access

@pytest.mark.parametrize("username, page, start", [
    ("mb1", 200, 302), ("mb2", 403, 403), ("pap1", 403, 403), ("tl1", 200, 403), ("bl", 200, 403),
    ("admin", 403, 403),
])
def test_permission_matrix(running, world, auth, username, page, start):
    measure, ps = running
    auth.login("mb1")
    run_id = run_id_of(start_from(auth, measure))
    fill_office_hour(auth, run_id, {"participant_findings-0-participant": str(ps[0].id),
                                    "participant_findings-0-finding": "Staplerschein erworben",
                                    "participant_findings-0-inform_pap": "nein"})
    auth.post(f"/formulare/{run_id}/absenden")
    snap = FormSnapshot.get(FormSnapshot.run == run_id)
    auth.logout()
    auth.login(username)
    response = auth.get(f"/massnahmen/{measure.id}/sprechstunden")
    assert response.status_code == page
    if page == 200:
        body = response.get_data(as_text=True)
        assert "Sprechstunde am 20.11.2026" in body and "Konzept wird umgesetzt" in body
        shows = username == "mb1"
        assert ("Staplerschein erworben" in body) is shows and (ps[0].customer.full_name in body) is shows
        assert ("Sprechstunde erfassen" in body) is shows
    assert start_from(auth, measure).status_code == start
    if username != "mb1":
        assert auth.get(f"/formulare/{run_id}/schritt/termin").status_code in (403, 404)
        assert auth.get(f"/formulare/ergebnisse/{snap.id}").status_code == 403


def test_page_full_and_fragment(running, auth):
    measure, _ = running
    auth.login("mb1")
    full = auth.get(f"/massnahmen/{measure.id}/sprechstunden").get_data(as_text=True)
    assert "<html" in full and "<h1>Sprechstunden beim Träger</h1>" in full
    fragment = auth.get(f"/massnahmen/{measure.id}/sprechstunden", htmx=True).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="office-hours">') and "<html" not in fragment
    assert auth.get("/massnahmen/999999/sprechstunden").status_code == 404


def test_wrong_context_and_foreign_followup(running, world, make, auth):
    measure, ps = running
    auth.login("mb1")
    assert auth.post(f"/massnahmen/{measure.id}/formulare/kontakt").status_code == 404  # a case form
    assert auth.post(f"/massnahmen/{measure.id}/formulare/unbekannt").status_code == 404
    other, _ = group_measure(world, make, START, D(2027, 2, 28), number="962/SP2")
    foreign = FollowUp.get(FollowUp.measure == other.id, FollowUp.form == "sprechstunde")
    assert start_from(auth, measure, foreign).status_code == 404
    survey = FollowUp.get_or_none(FollowUp.measure == measure.id, FollowUp.form == "teilnehmerbefragung")
    if survey is not None:  # a step is answered by its own form only
        assert start_from(auth, measure, survey).status_code == 404
    assert auth.post(f"/massnahmen/{measure.id}/formulare/sprechstunde", {"followup": "x"}).status_code == 404
    auth.logout()
    auth.login("pap1")  # a measure form is not started from a case
    assert auth.post(f"/teilnahmen/{ps[0].id}/formulare/sprechstunde").status_code == 404


# ------------------------------------------------------------------ "Weitere Sprechstunde erfassen"

# 01.09.2026–28.02.2027: 181 days; 1/3: floor(181 × 0.3333) = 60 → 31.10.2026; 2/3: floor(181 × 0.6667) = 120
# → 30.12.2026. Without a step the form closes the planned one nearest to the held-on date, at most 31 days away.
@pytest.mark.parametrize("held_on, closed", [
    (D(2026, 12, 5), "mb-sprechstunde-2-von-2"),   # 31.10. is 35 days before, 30.12. 25 days after
    (D(2026, 11, 30), "mb-sprechstunde-1-von-2"),  # 30 days either way: the earlier one
    (D(2026, 9, 30), "mb-sprechstunde-1-von-2"),   # 31.10. is exactly 31 days after
    (D(2026, 9, 29), None),                        # 32 days: none
    (D(2026, 9, 10), None),                        # the first is 51 days later: stays open
])
def test_office_hour_without_step_closes_only_a_near_one(world, make, auth, held_on, closed):
    measure, ps = group_measure(world, make, D(2026, 9, 1), D(2027, 2, 28))
    steps = {f.step_id: f for f in FollowUp.select().where(FollowUp.measure == measure.id,
                                                             FollowUp.form == "sprechstunde")}
    assert {k: f.due for k, f in steps.items()} == {"mb-sprechstunde-1-von-2": D(2026, 10, 31),
                                                    "mb-sprechstunde-2-von-2": D(2026, 12, 30)}
    auth.login("mb1")
    run_id = run_id_of(auth.post(f"/massnahmen/{measure.id}/formulare/sprechstunde"))  # "Weitere Sprechstunde"
    assert fill(auth, run_id, "termin", {"held_on": held_on.strftime("%d.%m.%Y"), "place": "Goslar",
                                         "attendance": "9"}).status_code == 302
    assert fill(auth, run_id, "traeger", {"goals": "gut", "particulars": "keine",
                                          "findings": "Konzept wird umgesetzt"}).status_code == 302
    assert fill(auth, run_id, "teilnehmende", {}).status_code == 302
    assert auth.post(f"/formulare/{run_id}/absenden").status_code == 302
    hour = OfficeHour.get(OfficeHour.measure == measure.id)
    assert hour.held_on == held_on
    states = {k: FollowUp.get_by_id(f.id).status for k, f in steps.items()}
    assert states == {k: "done" if k == closed else "open" for k in steps}
    assert hour.followup_id == (steps[closed].id if closed else None)
    assert FormSnapshot.get(FormSnapshot.run == run_id).followup_id == hour.followup_id


# ------------------------------------------------------------------ the page's queries do not grow with the hours

def add_hours(measure, ps, count, mb, first=0):
    """``count`` Sprechstunden made by hand: each with its snapshot (place, topics) and two findings,
    the first with a Wiedervorlage for the pAp."""
    from absolvent.guided_forms.models import FormDefinitionVersion
    definition, _ = FormDefinitionVersion.get_or_create(
        sha256="b" * 64, defaults={"form_id": "sprechstunde", "version": "2026.1", "source": "# test"})
    for i in range(first, first + count):
        run = FormRun.create(definition=definition, form_id="sprechstunde", measure=measure, user=mb,
                             status="submitted")
        answers = {"place": f"Raum {i}", "goals": f"Ziele {i}", "particulars": f"Besonderes {i}"}
        snap = FormSnapshot.create(run=run, form_id="sprechstunde", title="Sprechstunde", definition=definition,
                                   measure=measure, answers=json.dumps({"answers": answers}), sha256="c" * 64,
                                   submitted_by=mb)
        hour = OfficeHour.create(measure=measure, held_on=D(2026, 10, 1) + datetime.timedelta(days=i),
                                 attendance=8, findings=f"Allgemein {i}", snapshot_id=snap.id, created_by=mb)
        pap_step = planning.add_manual_followup(ps[0], f"Information {i}", D(2026, 12, 1), mb, role="pAp",
                                                phase="waehrend", reason="Test")
        OfficeHourFinding.create(office_hour=hour, participation=ps[0], text=f"Staplerschein {i}",
                                 followup=pap_step.id)
        OfficeHourFinding.create(office_hour=hour, participation=ps[1], text=f"Fehlzeiten {i}")


class Counter:
    """Counts the SQL statements the database runs (peewee sends every one through execute_sql)."""

    def __init__(self, monkeypatch):
        from absolvent.db import database
        self.statements = []
        db = database.obj
        original = db.execute_sql

        def counting(sql, *args, **kwargs):
            self.statements.append(sql)
            return original(sql, *args, **kwargs)
        monkeypatch.setattr(db, "execute_sql", counting)

    def run(self, work):
        self.statements.clear()
        result = work()
        return result, list(self.statements)


@pytest.mark.parametrize("with_participants, expected", [(True, 3), (False, 2)])
def test_held_runs_a_fixed_number_of_queries(world, make, monkeypatch, with_participants, expected):
    from absolvent.measures.office_hour_queries import held
    measure, ps = group_measure(world, make, D(2026, 9, 1), D(2027, 2, 28))
    counter = Counter(monkeypatch)
    add_hours(measure, ps, 1, world["mb1"])
    one, few = counter.run(lambda: held(measure, with_participants))
    add_hours(measure, ps, 4, world["mb1"], first=1)
    five, many = counter.run(lambda: held(measure, with_participants))
    assert len(few) == len(many) == expected  # hours, snapshots (the place), findings only for the MB
    assert len(one) == 1 and [h["place"] for h in five] == [f"Raum {i}" for i in (4, 3, 2, 1, 0)]
    assert any("office_hour_finding" in sql for sql in many) is with_participants
    if with_participants:
        assert five[0]["goals"] == "Ziele 4" and [row["text"] for row in five[0]["participants"]] == [
            "Staplerschein 4", "Fehlzeiten 4"]
        first = five[0]["participants"]
        assert (first[0]["name"], first[0]["customer_number"], first[0]["pap_due"], first[1]["pap_due"]) == (
            ps[0].customer.full_name, ps[0].customer.customer_number, D(2026, 12, 1), None)
    else:
        assert all(h["participants"] == [] and "goals" not in h for h in five)


@pytest.mark.parametrize("username", ["mb1", "tl1"])
def test_page_queries_do_not_grow_with_the_office_hours(world, make, auth, monkeypatch, username):
    measure, ps = group_measure(world, make, D(2026, 9, 1), D(2027, 2, 28))
    add_hours(measure, ps, 1, world["mb1"])
    auth.login(username)
    auth.get(f"/massnahmen/{measure.id}/sprechstunden")  # warm: the session, the rulebook
    counter = Counter(monkeypatch)
    page, few = counter.run(lambda: auth.get(f"/massnahmen/{measure.id}/sprechstunden"))
    add_hours(measure, ps, 5, world["mb1"], first=1)
    page, many = counter.run(lambda: auth.get(f"/massnahmen/{measure.id}/sprechstunden"))
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Raum 5" in body and "Allgemein 5" in body
    assert ("Staplerschein 5" in body) is (username == "mb1")
    assert len(many) == len(few)
