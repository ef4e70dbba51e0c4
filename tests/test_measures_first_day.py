"""Teilnehmerliste am 1. Maßnahmetag: the MB confirms starts and no-shows; the pAps get their
Wiedervorlagen; the MB's steps close when the list is complete; access is the measure's MB only."""
import datetime

import pytest

from absolvent.caseload import planning
from absolvent.db import database
from absolvent.measures import participant_operations as ops
from absolvent.measures.models import StartConfirmation
from absolvent.models import AuditLog, FollowUp

TODAY = datetime.date.today()
START = TODAY - datetime.timedelta(days=2)
END = TODAY + datetime.timedelta(days=180)


def url(m, p=None):
    return f"/massnahmen/{m.id}/erster-tag" + (f"/{p.id}" if p else "")


@pytest.fixture
def course(world, make):
    """A running measure of mb1 with customers of two pAps in two teams."""
    m = make.measure("MAT", start=START, end=END, mb=world["mb1"], measure_number="962/10001")
    c3 = make.customer(world["t2"], world["pap2"], last_name="Cramer")
    world.update(m=m, pa=make.participation(world["c1"], m), pb=make.participation(c3, m))
    return world


def confirmation(p):
    with database.connection_context():
        return StartConfirmation.get_or_none(StartConfirmation.participation == p.id)


def followups(p):
    with database.connection_context():
        return list(FollowUp.select().where(FollowUp.participation == p.id).order_by(FollowUp.id))


def test_due_date_is_three_working_days(app):
    with app.app_context(), database.connection_context():
        assert ops.due_date(datetime.date(2026, 12, 4)) == datetime.date(2026, 12, 9)  # Fri → Wed
        assert ops.due_date(datetime.date(2026, 4, 1)) == datetime.date(2026, 4, 8)  # Good Fri, Easter Mon skipped


def test_page_full_and_fragment_with_audit(course, auth):
    auth.login("mb1")
    full = auth.get(url(course["m"]))
    body = full.get_data(as_text=True)
    assert full.status_code == 200 and "<html" in body
    assert "Albrecht" in body and "Cramer" in body and course["pa"].customer.customer_number in body
    assert "Pap1" in body and "Pap2" in body  # the pAp of each row
    frag = auth.get(url(course["m"]), htmx=True)
    assert frag.status_code == 200 and "<html" not in frag.get_data(as_text=True)
    assert 'id="first-day-list"' in frag.get_data(as_text=True)
    with database.connection_context():
        assert AuditLog.select().where(AuditLog.entity == "first-day-list",
                                       AuditLog.entity_id == str(course["m"].id)).exists()


def test_start_and_no_show_reach_exactly_their_pap(course, auth):
    pa, pb = course["pa"], course["pb"]
    auth.login("mb1")
    r = auth.post(url(course["m"], pa), {f"status-{pa.id}": "1", f"remark-{pa.id}": "pünktlich"}, htmx=True)
    assert r.status_code == 200 and f'id="tn-{pa.id}"' in r.get_data(as_text=True)
    assert r.headers.get("HX-Trigger") == "first-day-changed"
    r = auth.post(url(course["m"], pb), {f"status-{pb.id}": "0"})
    assert r.status_code == 302
    assert confirmation(pa).started is True and confirmation(pa).remark == "pünktlich"
    assert confirmation(pb).started is False
    (fa,), (fb,) = followups(pa), followups(pb)
    assert fa.title == ops.START_TITLE and fa.role == "pAp" and fa.phase == "waehrend"
    assert fb.title == ops.NO_SHOW_TITLE and fb.role == "pAp" and fb.phase == "abbruch"
    assert confirmation(pa).followup_id == fa.id
    with database.connection_context():
        assert fa.due == fb.due == ops.due_date(TODAY) > TODAY
        assert pb.__class__.get_by_id(pb.id).exit is None  # the MB does not end the participation
    for pap, own, other in (("pap1", ops.START_TITLE, ops.NO_SHOW_TITLE), ("pap2", ops.NO_SHOW_TITLE,
                                                                           ops.START_TITLE)):
        auth.logout()
        auth.login(pap)
        page = auth.get("/wiedervorlagen/").get_data(as_text=True)
        assert own in page and other not in page, pap


def test_confirm_twice_is_refused_and_needs_a_change(course, auth):
    pa = course["pa"]
    auth.login("mb1")
    auth.post(url(course["m"], pa), {f"status-{pa.id}": "1"})
    with database.connection_context():
        assert ops.confirm(course["m"], pa, {f"status-{pa.id}": "0"}, course["mb1"]) == {"_form": ops.ALREADY}
    assert confirmation(pa).started is True and len(followups(pa)) == 1


def test_bad_row_input_keeps_everything(course, auth):
    pa = course["pa"]
    auth.login("mb1")
    r = auth.post(url(course["m"], pa), {f"status-{pa.id}": "2", f"remark-{pa.id}": "kam später"}, htmx=True)
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and "Bitte „angetreten“ oder „nicht angetreten“ wählen." in body
    assert 'value="kam später"' in body and confirmation(pa) is None and followups(pa) == []
    r = auth.post(url(course["m"], pa), {f"status-{pa.id}": "1", f"remark-{pa.id}": "x" * 2001})
    assert r.status_code == 422 and "höchstens 2000 Zeichen" in r.get_data(as_text=True)


def test_bulk_confirmation(course, auth, make):
    pa, pb = course["pa"], course["pb"]
    pc = make.participation(make.customer(course["t1"], course["pap1"], last_name="Dietrich"), course["m"])
    auth.login("mb1")
    r = auth.post(url(course["m"]), {})
    assert r.status_code == 422 and "mindestens eine Person" in r.get_data(as_text=True)
    r = auth.post(url(course["m"]), {f"status-{pa.id}": "1", f"status-{pb.id}": "x", f"remark-{pb.id}": "krank"},
                  htmx=True)
    assert r.status_code == 422 and 'value="krank"' in r.get_data(as_text=True)
    assert confirmation(pa) is None  # all or nothing
    r = auth.post(url(course["m"]), {f"status-{pa.id}": "1", f"status-{pb.id}": "0"})
    assert r.status_code == 302
    assert confirmation(pa).started and not confirmation(pb).started and confirmation(pc) is None
    page = auth.get(url(course["m"])).get_data(as_text=True)
    assert "1 angetreten" in page and "1 nicht angetreten" in page and "1 noch nicht bestätigt" in page
    assert "Liste bestätigen" in page


def test_change_with_reason_updates_or_adds_the_pap_followup(course, auth):
    pb = course["pb"]
    auth.login("mb1")
    auth.post(url(course["m"], pb), {f"status-{pb.id}": "0"})
    r = auth.post(url(course["m"], pb), {f"status-{pb.id}": "1", f"version-{pb.id}": "1"}, htmx=True)
    assert r.status_code == 422 and "Bitte einen Grund für die Änderung angeben." in r.get_data(as_text=True)
    assert confirmation(pb).started is False
    r = auth.post(url(course["m"], pb), {f"status-{pb.id}": "1", f"version-{pb.id}": "1",
                                         f"reason-{pb.id}": "am 2. Tag erschienen"}, htmx=True)
    assert r.status_code == 200
    c = confirmation(pb)
    assert c.started is True and c.version == 2
    (f,) = followups(pb)  # the open one was re-titled, nothing deleted
    assert f.title.endswith(ops.START_TITLE) and f.title.startswith("Berichtigung") and f.phase == "waehrend"
    # a stale form (version 1) is refused, the typed values stay
    r = auth.post(url(course["m"], pb), {f"status-{pb.id}": "0", f"version-{pb.id}": "1",
                                         f"reason-{pb.id}": "doch nicht"}, htmx=True)
    assert r.status_code == 422 and "inzwischen von einer anderen Person geändert" in r.get_data(as_text=True)
    assert 'value="doch nicht"' in r.get_data(as_text=True) and confirmation(pb).started is True
    # the pAp closed the follow-up: a change adds a new one
    with database.connection_context():
        planning.mark_done(f, course["pap2"], outcome="Buchung berichtigt")
    auth.post(url(course["m"], pb), {f"status-{pb.id}": "0", f"version-{pb.id}": "2", f"reason-{pb.id}": "Irrtum"})
    first, second = followups(pb)
    assert first.status == "done" and second.status == "open" and second.title.endswith(ops.NO_SHOW_TITLE)
    assert confirmation(pb).followup_id == second.id and confirmation(pb).version == 3


def test_complete_list_closes_mb_eroeffnung(world, make, auth):
    m = make.measure("MAT", start=START, end=END, mb=world["mb1"], measure_number="962/10002")
    ps = [make.participation(make.customer(world["t1"], world["pap1"]), m) for _ in range(10)]
    late = make.participation(make.customer(world["t1"], world["pap1"]), m, entry=START + datetime.timedelta(days=7))
    with database.connection_context():
        planning.replan_measure(m, "Test")
        step = FollowUp.get(FollowUp.measure == m.id, FollowUp.rule_id == ops.OPENING_RULE)
    assert step.status == "open"
    auth.login("mb1")
    auth.post(url(m), {f"status-{p.id}": "1" for p in ps[:9]})
    with database.connection_context():
        assert FollowUp.get_by_id(step.id).status == "open"
    r = auth.post(url(m, ps[9]), {f"status-{ps[9].id}": "0"}, htmx=True)
    assert r.status_code == 200
    with database.connection_context():
        step = FollowUp.get_by_id(step.id)
    assert step.status == "done" and step.outcome == "Teilnehmerliste bestätigt: 9 angetreten, 1 nicht angetreten"
    assert confirmation(late) is None  # a later entry is not part of the first day's list
    page = auth.get(url(m)).get_data(as_text=True)
    assert "Liste vollständig" in page and "später eingetreten" in page


def test_bae_step_of_each_participation_closes(world, make, auth):
    m = make.measure("BAE", start=START, end=END + datetime.timedelta(days=700), mb=world["mb1"])
    p = make.participation(world["c1"], m)
    with database.connection_context():
        planning.replan(p, "Test")
        step = FollowUp.get(FollowUp.participation == p.id, FollowUp.rule_id == ops.BAE_RULE)
    assert step.status == "open"
    auth.login("mb1")
    auth.post(url(m, p), {f"status-{p.id}": "1", f"remark-{p.id}": "Ausbildungsvertrag liegt vor"})
    with database.connection_context():
        step = FollowUp.get_by_id(step.id)
    assert step.status == "done" and step.outcome == "Teilnehmerliste bestätigt: 1 angetreten, 0 nicht angetreten"


@pytest.mark.parametrize("who, status", [("mb1", 200), ("mb2", 403), ("pap1", 403), ("tl1", 403), ("bl", 403),
                                         ("admin", 403)])
def test_permission_matrix(course, auth, who, status):
    pa = course["pa"]
    auth.login(who)
    assert auth.get(url(course["m"])).status_code == status
    assert auth.get(url(course["m"]), htmx=True).status_code == status
    r = auth.post(url(course["m"], pa), {f"status-{pa.id}": "1"})
    assert r.status_code == (302 if status == 200 else status)
    assert (confirmation(pa) is not None) == (status == 200)
    assert auth.post(url(course["m"]), {f"status-{course['pb'].id}": "1"}).status_code == (
        302 if status == 200 else status)
    if status == 403:
        with database.connection_context():
            assert AuditLog.select().where(AuditLog.action == "denied").exists()


def test_hostile_ids(course, auth):
    auth.login("mb1")
    other = course["p2"]  # a participation in mb2's measure
    assert auth.post(url(course["m"], other), {f"status-{other.id}": "1"}).status_code == 404
    assert auth.get("/massnahmen/999999/erster-tag").status_code == 404
    assert auth.get(f"/massnahmen/{2**63}/erster-tag").status_code == 404
    assert auth.post(f"/massnahmen/{course['m'].id}/erster-tag/{2**64}", {}).status_code == 404
    assert confirmation(other) is None


def test_no_confirmation_before_the_first_day(world, make, auth):
    start = TODAY + datetime.timedelta(days=3)
    m = make.measure("MAT", start=start, end=END, mb=world["mb1"], measure_number="962/10003")
    p = make.participation(world["c1"], m)
    message = (f"Die Maßnahme beginnt erst am {start:%d.%m.%Y}: Antritt oder Nichtantritt können Sie ab dem ersten "
               "Maßnahmetag bestätigen.")
    auth.login("mb1")
    assert message in auth.get(url(m)).get_data(as_text=True)  # said before anybody tries
    r = auth.post(url(m, p), {f"status-{p.id}": "1"}, htmx=True)
    assert r.status_code == 422 and message in r.get_data(as_text=True)
    r = auth.post(url(m), {f"status-{p.id}": "1"}, htmx=True)
    assert r.status_code == 422 and message in r.get_data(as_text=True)
    assert confirmation(p) is None and followups(p) == []  # the pAp got no "Maßnahmebeginn bestätigt"
    with database.connection_context():
        assert ops.confirm(m, p, {f"status-{p.id}": "1"}, world["mb1"], today=start) == {}  # from day 1 on
    assert confirmation(p).started is True


def test_change_refused_when_a_concurrent_followup_takes_the_step_id(course, auth, monkeypatch):
    pb = course["pb"]
    auth.login("mb1")
    auth.post(url(course["m"], pb), {f"status-{pb.id}": "0"})
    with database.connection_context():
        planning.mark_done(followups(pb)[0], course["pap2"], outcome="erledigt")  # a change now adds a new one

    def taken(*args, **kwargs):  # what a concurrent add_manual_followup with the same "manuell-<n>" raises
        raise ops.IntegrityError("UNIQUE constraint failed: followup.participation_id, followup.step_id")
    monkeypatch.setattr(ops.planning, "add_manual_followup", taken)
    r = auth.post(url(course["m"], pb), {f"status-{pb.id}": "1", f"version-{pb.id}": "1",
                                         f"reason-{pb.id}": "am 2. Tag erschienen"}, htmx=True)
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and ops.ROW_CONFLICT in body and 'value="am 2. Tag erschienen"' in body
    c = confirmation(pb)
    assert c.started is False and c.version == 1 and len(followups(pb)) == 1
