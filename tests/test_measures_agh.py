"""AGH Maßnahmezuweisung: validation, the letter (DOCX and PDF, archived), the outcome as the
pAp's Wiedervorlage, closing "agh-vor-mb", and who may write and read."""
import datetime

import pytest

from absolvent.caseload import planning
from absolvent.db import database
from absolvent.documents.models import IssuedDocument
from absolvent.measures import agh_operations as ops
from absolvent.measures.models import AghAssignment
from absolvent.models import AuditLog, FollowUp, Participation, PlanEvent
from tests.helpers import docx_text, pdf_text

TODAY = datetime.date.today()
START = TODAY - datetime.timedelta(days=10)
END = TODAY + datetime.timedelta(days=200)
A_START = TODAY + datetime.timedelta(days=7)
A_END = TODAY + datetime.timedelta(days=7 + 181)


def url(p, tail=""):
    return f"/teilnahmen/{p.id}/agh-zuweisung{tail}"


def form(**kw):
    data = {"activity": "Pflege öffentlicher Grünanlagen", "field_of_work": "gala", "hours_per_week": "25",
            "compensation": "2,00", "place": "Bauhof Goslar", "start": f"{A_START:%d.%m.%Y}",
            "end": f"{A_END:%d.%m.%Y}", "report_on": f"{A_START - datetime.timedelta(days=3):%d.%m.%Y}",
            "report_to": "Frau Wedekind"}
    data.update(kw)
    return data


@pytest.fixture
def agh(world, make):
    m = make.measure("AGH", start=START, end=END, mb=world["mb1"], measure_number="962/AGH/0412")
    world.update(m=m, p=make.participation(world["c1"], m))
    return world


def assignments(p):
    with database.connection_context():
        return list(AghAssignment.select().where(AghAssignment.participation == p.id))


def test_money_input():
    assert ops.parse_cents("2,00") == 200 and ops.parse_cents("1,5") == 150 and ops.parse_cents("2") == 200
    assert ops.parse_cents("2,00 €") == 200 and ops.parse_cents("2.50") == 250
    assert ops.parse_cents("-1") is None and ops.parse_cents("1,234") is None and ops.parse_cents("abc") is None
    assert ops.euro(200) == "2,00 €" and ops.euro(1005) == "10,05 €"


@pytest.mark.parametrize("field, value, message", [
    ("hours_per_week", "31", "höchstens 30 Stunden"),
    ("hours_per_week", "0", "mindestens 1"),
    ("hours_per_week", "zehn", "ganze Zahl"),
    ("compensation", "-2,00", "nicht negativ"),
    ("compensation", "99999999", "Betrag in Euro"),
    ("compensation", "10,01", "höchstens 10,00 €"),
    ("compensation", "0,00", "größer als 0,00 €"),
    ("field_of_work", "raumfahrt", "Unbekannter Wert"),
    ("start", "31.02.2027", "Dieses Datum gibt es nicht"),
    ("end", f"{START - datetime.timedelta(days=30):%d.%m.%Y}", "nicht vor dem Beginn"),
    ("end", f"{END + datetime.timedelta(days=1):%d.%m.%Y}", "außerhalb der Maßnahme"),
    ("report_on", f"{A_START + datetime.timedelta(days=1):%d.%m.%Y}", "nicht nach dem Beginn"),
    ("activity", "", "Bitte die Art der Tätigkeit angeben."),
])
def test_validation_errors_next_to_the_field_nothing_lost(agh, auth, field, value, message):
    auth.login("mb1")
    r = auth.post(url(agh["p"]), form(**{field: value}), htmx=True)
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and message in body
    assert f'id="e-{field}" class="error" >' in body or f'id="e-{field}" class="error" ><strong>' in body
    assert 'value="Bauhof Goslar"' in body and 'value="Frau Wedekind"' in body
    assert ("Pflege öffentlicher Grünanlagen" in body) == (field != "activity")
    if field != "activity":
        assert f'value="{value}"' in body or f">{value}<" in body or field == "field_of_work"
    assert assignments(agh["p"]) == []


def test_write_issue_and_letter_content(agh, auth):
    p = agh["p"]
    auth.login("mb1")
    r = auth.post(url(p), form())
    assert r.status_code == 302
    (a,) = assignments(p)
    assert a.compensation_cents == 200 and a.hours_per_week == 25 and a.start == A_START
    page = auth.get(url(p)).get_data(as_text=True)
    assert "2,00 € je Stunde" in page and 'value="2,00"' in page  # the edit form shows German money
    r = auth.post(url(p, "/dokumente"), {}, htmx=True)
    assert r.status_code == 200 and "Word (DOCX)" in r.get_data(as_text=True)
    with database.connection_context():
        docs = list(IssuedDocument.select().where(IssuedDocument.participation == p.id,
                                                  IssuedDocument.subject == f"AGH-Zuweisung {a.id}"))
    assert sorted(d.format for d in docs) == ["docx", "pdf"]
    for d in docs:
        text = docx_text(d.data) if d.format == "docx" else pdf_text(d.data)
        flat = " ".join(text.split())
        assert "Zuweisung in eine Arbeitsgelegenheit mit Mehraufwandsentschädigung nach § 16d SGB II" in flat
        assert "Rechtsfolgenbelehrung" in flat and "§ 31 Abs. 1 Satz 1 Nr. 2 SGB II" in flat
        assert "§ 31a Abs. 1 SGB II" in flat and "wichtigen Grund" in flat and "Anhörung" in flat
        assert "Rechtsbehelfsbelehrung" in flat and "innerhalb eines Monats" in flat and "Widerspruch" in flat
        assert "25 Stunden wöchentlich" in flat and "2,00 € je tatsächlich geleisteter Stunde" in flat
        assert f"{A_START:%d.%m.%Y} bis {A_END:%d.%m.%Y}" in flat and "962/AGH/0412" in flat
        assert "Bauhof Goslar" in flat and "Mb1" in flat  # the MB as contact
    # the pAp of the team reads the assignment and downloads its letter
    auth.logout()
    auth.login("pap1")
    page = auth.get(url(p)).get_data(as_text=True)
    assert "Pflege öffentlicher Grünanlagen" in page and "Zuweisung speichern" not in page
    assert auth.get(f"/dokumente/{docs[0].id}/datei").status_code == 200


def test_outcome_einstellung_goes_to_the_pap_and_closes_agh_vor_mb(agh, auth):
    p = agh["p"]
    with database.connection_context():
        planning.replan(p, "Test")
        step = FollowUp.get(FollowUp.participation == p.id, FollowUp.rule_id == ops.STEP_RULE)
    assert step.status == "open"
    auth.login("mb1")
    auth.post(url(p), form())
    r = auth.post(url(p, "/ergebnis"), {"outcome": "einstellung", "outcome_on": "31.02.2026"}, htmx=True)
    assert r.status_code == 422 and "Dieses Datum gibt es nicht" in r.get_data(as_text=True)
    begin = A_START + datetime.timedelta(days=1)
    r = auth.post(url(p, "/ergebnis"), {"outcome": "einstellung", "outcome_on": f"{begin:%d.%m.%Y}"}, htmx=True)
    assert r.status_code == 200
    (a,) = assignments(p)
    assert a.outcome == "einstellung" and a.outcome_on == begin
    with database.connection_context():
        f = FollowUp.get_by_id(a.followup_id)
        assert FollowUp.get_by_id(step.id).status == "done"
    weeks = ((A_END - begin).days + 1 + 6) // 7
    assert f.role == "pAp" and f.title == (f"AGH-Einstellung: Beginn {begin:%d.%m.%Y}, Dauer bis {A_END:%d.%m.%Y} "
                                           f"(ca. {weeks} Wochen, 25 Std./Woche), Maßnahme-Nr. 962/AGH/0412")
    # recorded once; the assignment can no longer be changed
    again = {"outcome": "ablehnung", "outcome_on": f"{TODAY:%d.%m.%Y}"}
    assert auth.post(url(p, "/ergebnis"), again).status_code == 422
    assert auth.post(url(p), form(hours_per_week="10")).status_code == 422
    auth.logout()
    auth.login("pap1")
    assert "AGH-Einstellung: Beginn" in auth.get("/wiedervorlagen/?zeitraum=alle").get_data(as_text=True)


@pytest.mark.parametrize("outcome, words", [("nichtvorstellung", "Nichtvorstellung"), ("ablehnung", "Ablehnung")])
def test_nichtvorstellung_and_ablehnung_to_the_pap(agh, auth, outcome, words):
    p = agh["p"]
    auth.login("mb1")
    auth.post(url(p), form())
    r = auth.post(url(p, "/ergebnis"), {"outcome": outcome, "outcome_on": f"{TODAY:%d.%m.%Y}"})
    assert r.status_code == 302
    (a,) = assignments(p)
    with database.connection_context():
        f = FollowUp.get_by_id(a.followup_id)
    assert f.role == "pAp" and words in f.title and "Rechtsfolgen prüfen" in f.title and "962/AGH/0412" in f.title
    # a new assignment may follow
    assert auth.post(url(p), form(place="Kita Sonnenschein", field_of_work="kinderbetreuung")).status_code == 302
    assert len(assignments(p)) == 2


def test_concurrent_edit_is_refused(agh, auth):
    p = agh["p"]
    auth.login("mb1")
    auth.post(url(p), form())
    assert auth.post(url(p), form(hours_per_week="20", version="1")).status_code == 302
    r = auth.post(url(p), form(hours_per_week="15", version="1"), htmx=True)
    assert r.status_code == 422 and "inzwischen von einer anderen Person geändert" in r.get_data(as_text=True)
    assert 'value="15"' in r.get_data(as_text=True) and assignments(p)[0].hours_per_week == 20


@pytest.mark.parametrize("who, read, write", [
    ("mb1", 200, 302), ("mb2", 403, 403), ("pap1", 200, 403), ("pap2", 403, 403), ("tl1", 200, 403),
    ("bl", 200, 403), ("admin", 403, 403), ("bov1", 403, 403)])
def test_permission_matrix(agh, auth, who, read, write):
    p = agh["p"]
    auth.login(who)
    assert auth.get(url(p)).status_code == read
    frag = auth.get(url(p), htmx=True)
    assert frag.status_code == read
    if read == 200:
        assert "<html" not in frag.get_data(as_text=True) and 'id="agh-panel"' in frag.get_data(as_text=True)
        assert "<html" in auth.get(url(p)).get_data(as_text=True)
    assert auth.post(url(p), form()).status_code == write
    assert auth.post(url(p, "/dokumente"), {}).status_code == (302 if write == 302 else write)
    assert auth.post(url(p, "/ergebnis"), {"outcome": "ablehnung",
                                           "outcome_on": f"{TODAY:%d.%m.%Y}"}).status_code == write
    assert len(assignments(p)) == (1 if write == 302 else 0)
    if read == 200:
        with database.connection_context():
            assert AuditLog.select().where(AuditLog.entity == "agh-assignment", AuditLog.action == "read").exists()


def test_hostile_ids_and_non_agh(agh, auth):
    auth.login("mb1")
    assert auth.get("/teilnahmen/999999/agh-zuweisung").status_code == 404
    assert auth.get(f"/teilnahmen/{2**63}/agh-zuweisung").status_code == 404
    assert auth.post(f"/teilnahmen/{2**64}/agh-zuweisung", form()).status_code in (404, 405)  # no route
    assert auth.post(url(agh["p"], "/dokumente"), {}).status_code == 404  # nothing to issue yet
    assert auth.post(url(agh["p"], "/ergebnis"), {"outcome": "einstellung"}).status_code == 404
    assert auth.get(url(agh["p1"])).status_code == 404  # mb1's MAT participation: no AGH


# ------------------------------------------------------------------ the outcome's dates

@pytest.fixture
def ctx(app):
    with app.app_context(), database.connection_context():
        yield


def test_einstellung_carries_the_actual_dates_into_the_participation_and_replans(world, make, ctx):
    m = make.measure("AGH", start=datetime.date(2026, 5, 4), end=datetime.date(2026, 12, 31), mb=world["mb1"],
                     measure_number="962/AGH/0500")
    p = make.participation(world["c1"], m)  # entry 04.05.2026, planned end 31.12.2026
    planning.replan(p, "Test")
    pap_end = FollowUp.get(FollowUp.participation == p.id, FollowUp.rule_id == "agh-ende-pap")
    assert pap_end.due == datetime.date(2026, 12, 10)  # 31.12.2026 − 3 weeks
    a, errors = ops.save(p, form(start="01.06.2026", end="30.11.2026", report_on="28.05.2026"), world["mb1"],
                         today=datetime.date(2026, 5, 20))
    assert errors == {}
    version = Participation.get_by_id(p.id).version
    assert ops.record_outcome(a, p, {"outcome": "einstellung", "outcome_on": "03.06.2026"}, world["mb1"],
                              today=datetime.date(2026, 6, 3)) == {}
    saved = Participation.get_by_id(p.id)
    assert (saved.entry, saved.planned_end) == (datetime.date(2026, 6, 3), datetime.date(2026, 11, 30))
    assert saved.version == version + 1  # a participation form opened before now conflicts
    assert FollowUp.get_by_id(pap_end.id).due == datetime.date(2026, 11, 9)  # 30.11.2026 − 21 days
    assert PlanEvent.select().where(PlanEvent.participation == p.id,
                                    PlanEvent.reason == "Daten geändert: Eintritt, geplantes Ende").exists()
    assert AuditLog.select().where(AuditLog.entity == "participation", AuditLog.entity_id == str(p.id),
                                   AuditLog.detail.contains("AGH-Einstellung")).exists()


@pytest.mark.parametrize("outcome", ["nichtvorstellung", "ablehnung"])
def test_nichtvorstellung_and_ablehnung_not_in_the_future(agh, ctx, outcome):
    p = agh["p"]
    a, errors = ops.save(p, form(), agh["mb1"])
    assert errors == {}
    tomorrow = TODAY + datetime.timedelta(days=1)
    errors = ops.record_outcome(a, p, {"outcome": outcome, "outcome_on": f"{tomorrow:%d.%m.%Y}"}, agh["mb1"])
    assert errors["outcome_on"] == f"Datum: darf nicht in der Zukunft liegen (spätestens {TODAY:%d.%m.%Y})."
    assert AghAssignment.get_by_id(a.id).outcome == ""
    assert ops.record_outcome(a, p, {"outcome": outcome, "outcome_on": f"{TODAY:%d.%m.%Y}"}, agh["mb1"]) == {}
    before = (p.entry, p.planned_end)
    saved = Participation.get_by_id(p.id)
    assert (saved.entry, saved.planned_end) == before  # only an Einstellung moves the dates


def test_issue_reports_missing_required_fields_and_archives_nothing(agh, auth):
    p = agh["p"]
    auth.login("mb1")
    auth.post(url(p), form())
    with database.connection_context():
        AghAssignment.update(place="").execute()  # e.g. an older record without an Einsatzstelle
    r = auth.post(url(p, "/dokumente"), {}, htmx=True)
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and "Für das Zuweisungsschreiben fehlen: Einsatzstelle." in body
    with database.connection_context():
        assert IssuedDocument.select().count() == 0
