"""The Träger's reports: what the MB has to request, filing a report and forwarding it to the pAp
(a Wiedervorlage on the pAp's worklist, due 5 working days later), bad input, oversized uploads,
who may do it, full page and fragment."""
import datetime
import io

import pytest

from absolvent import vocabulary
from absolvent.caseload import planning
from absolvent.caseload import queries as case_queries
from absolvent.db import database
from absolvent.measures import files
from absolvent.measures.models import MeasureFile
from absolvent.models import AuditLog, FollowUp, PlanEvent
from tests.helpers import tiny_docx

PDF = b"%PDF-1.4\n% Bericht\n%%EOF\n"
# Thursday 30.04.2026; 01.05. is a holiday (Friday), 02./03.05. the weekend:
# working days 04., 05., 06., 07., 08.05. -> the 5th working day is Friday 08.05.2026
DAY = datetime.date(2026, 4, 30)
DUE = datetime.date(2026, 5, 8)


@pytest.fixture
def fixed_day(monkeypatch):
    monkeypatch.setattr(files, "today", lambda: DAY)


def url(measure):
    return f"/massnahmen/{measure.id}/berichte"


def form(world, **kw):
    data = {"participation": str(world["p1"].id), "kind": "teilnehmerbericht", "received_on": "29.04.2026",
            "title": "Bericht April", "forward": "1", "file": (io.BytesIO(PDF), "bericht.pdf")}
    data.update(kw)
    return data


def post(auth, world, htmx=False, **kw):
    return auth.post(url(world["m1"]), form(world, **kw), htmx=htmx, content_type="multipart/form-data")


def test_operation_forwards_with_hand_computed_due_date(world):
    from werkzeug.datastructures import FileStorage
    with database.connection_context():
        row, errors = files.file_report(world["m1"], {"participation": str(world["p1"].id), "kind": "zwischenbericht",
                                                      "received_on": "30.04.2026", "forward": "1"},
                                        FileStorage(io.BytesIO(PDF), "zb.pdf"), world["mb1"], day=DAY)
        assert errors == {}
        f = FollowUp.get_by_id(row.followup_id)
        assert f.due == DUE and f.role == "pAp" and f.participation_id == world["p1"].id
        assert f.title == "Zwischenbericht des Trägers auswerten" and f.phase == "waehrend" and f.status == "open"
        assert PlanEvent.get(PlanEvent.participation == world["p1"].id).reason == "Bericht des Trägers eingegangen"
        # on the pAp's worklist (own customers, pAp steps), not on another team's
        mine = list(case_queries.case_followups(world["pap1"], "14", today=datetime.date(2026, 5, 1)))
        assert [x.id for x in mine] == [f.id]
        assert list(case_queries.case_followups(world["pap2"], "alle", today=datetime.date(2026, 5, 1))) == []


def test_upload_via_page_forwards_to_pap_and_shows_on_participation_page(world, auth, fixed_day):
    auth.login("mb1")
    response = post(auth, world)
    assert response.status_code == 302
    page = auth.get(url(world["m1"])).get_data(as_text=True)
    assert "wurde abgelegt und an den pAp weitergeleitet (Wiedervorlage fällig am 08.05.2026)" in page
    assert "Teilnehmerbezogener Bericht (MAT): Bericht April" in page and "WV fällig 08.05.2026" in page
    with database.connection_context():
        row = MeasureFile.get()
        assert row.data == PDF and row.received_on == datetime.date(2026, 4, 29) and row.followup.due == DUE
        assert row.followup.title == "Teilnehmerbezogener Bericht (MAT) des Trägers auswerten"
    auth.logout()
    auth.login("pap1")
    case_page = auth.get(f"/teilnahmen/{world['p1'].id}").get_data(as_text=True)
    assert "Berichte des Trägers" in case_page and f"/massnahmen/dateien/{row.id}" in case_page
    assert "Teilnehmerbezogener Bericht (MAT) des Trägers auswerten" in case_page
    assert auth.get(f"/massnahmen/dateien/{row.id}").data == PDF


def test_without_forwarding_no_followup(world, auth, fixed_day):
    auth.login("mb1")
    data = form(world)
    del data["forward"]
    response = auth.post(url(world["m1"]), data, content_type="multipart/form-data")
    assert response.status_code == 302
    with database.connection_context():
        assert MeasureFile.get().followup_id is None
        assert FollowUp.select().count() == 0


def test_fragment_after_upload(world, auth, fixed_day):
    auth.login("mb1")
    response = post(auth, world, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<section id="reports-panel"')
    assert "an den pAp weitergeleitet (Wiedervorlage fällig am 08.05.2026)" in body and "Bericht April</a>" in body


def test_tampered_participation_is_a_field_error_and_values_stay(world, auth, fixed_day):
    auth.login("mb1")
    response = post(auth, world, participation=str(world["p2"].id), title="Mein Titel")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="e-participation"' in body and "Unbekannte Auswahl für die Teilnahme." in body
    assert 'value="Mein Titel"' in body and 'value="29.04.2026"' in body
    assert '<option value="teilnehmerbericht" selected>' in body
    assert "Bitte wählen Sie die Datei erneut aus" in body
    with database.connection_context():
        assert MeasureFile.select().count() == 0 and FollowUp.select().count() == 0


@pytest.mark.parametrize("field, value, message", [
    ("kind", "konzept", "Unbekannter Wert für die Art des Berichts"),
    ("received_on", "31.02.2026", "Eingegangen am"),
    ("received_on", "01.05.2026", "liegt in der Zukunft"),
    ("participation", "99999999999999999999", "Unbekannte Auswahl"),
    ("file", (io.BytesIO(b"GIF89a"), "bild.pdf"), "keine PDF-Datei"),
    ("file", (io.BytesIO(b""), ""), "Bitte eine Datei auswählen."),
])
def test_bad_input(world, auth, fixed_day, field, value, message):
    auth.login("mb1")
    response = post(auth, world, **{field: value})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    with database.connection_context():
        assert MeasureFile.select().count() == 0


def test_unchecked_forward_box_stays_unchecked_after_an_error(world, auth, fixed_day):
    auth.login("mb1")
    data = form(world, kind="")
    del data["forward"]
    body = auth.post(url(world["m1"]), data, content_type="multipart/form-data").get_data(as_text=True)
    assert 'name="forward" value="1">' in body  # not checked
    fresh = auth.get(url(world["m1"])).get_data(as_text=True)
    assert 'name="forward" value="1" checked>' in fresh


def test_oversized_upload_message_next_to_field_values_kept(app, world, auth, fixed_day, monkeypatch):
    monkeypatch.setattr(vocabulary, "MAX_MEASURE_FILE_MB", 0.01)
    app.config["MAX_CONTENT_LENGTH"] = 5000  # the whole request is larger than the app's upload limit
    auth.login("mb1")
    big = PDF + b"0" * 20_000
    response = post(auth, world, file=(io.BytesIO(big), "gross.pdf"), title="Großer Bericht")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Die Datei ist zu groß: erlaubt sind höchstens 10 KB." in body and 'value="Großer Bericht"' in body
    # far beyond twice the limit: the app's German 413 page (htmx keeps the form on the page)
    huge = b"0" * (2 * files.limit_bytes() + 64 * 1024 + 10)
    response = post(auth, world, file=(io.BytesIO(huge), "riesig.pdf"))
    assert response.status_code == 413 and "Datei zu groß" in response.get_data(as_text=True)
    with database.connection_context():
        assert MeasureFile.select().count() == 0


def test_docx_report_is_accepted(world, auth, fixed_day):
    auth.login("mb1")
    data = tiny_docx("Abschlussbericht")
    assert post(auth, world, kind="abschlussbericht", file=(io.BytesIO(data), "ab.docx")).status_code == 302
    with database.connection_context():
        assert MeasureFile.get().data == data


# ------------------------------------------------------------------ the page and who may use it

def test_page_full_and_fragment_lists_duties(world, auth, make):
    with database.connection_context():
        for _ in range(10):  # a group measure: the rulebook plans the MB's report steps
            make.participation(make.customer(world["t1"], world["pap1"]), world["m1"])
        planning.replan_measure(world["m1"], "Test")
    auth.login("mb1")
    full = auth.get(url(world["m1"]))
    body = full.get_data(as_text=True)
    assert full.status_code == 200 and "<html" in body and "Anzufordernde Berichte" in body
    assert "Teilnehmerbezogenen Bericht des Trägers nachhalten" in body and "30.06.2026" in body
    assert "Albrecht" in body and "Bericht des Trägers ablegen" in body
    frag = auth.get(url(world["m1"]), htmx=True)
    text = frag.get_data(as_text=True)
    assert frag.status_code == 200 and "<html" not in text and text.lstrip().startswith('<section id="reports-panel"')
    assert "HX-Request" in frag.headers["Vary"]
    with database.connection_context():
        assert AuditLog.select().where(AuditLog.entity == "measure-reports", AuditLog.action == "read").count() == 2


def test_fbw_duty(world, auth, make):
    with database.connection_context():
        for _ in range(9):
            make.participation(make.customer(world["t2"], world["pap2"]), world["m2"])
        planning.replan_measure(world["m2"], "Test")
    auth.login("mb2")
    body = auth.get(url(world["m2"])).get_data(as_text=True)
    assert "Zwischen- und Abschlussberichte anfordern" in body and "Teilnehmerbericht fällig bis" not in body


@pytest.mark.parametrize("who, status", [("mb1", 200), ("mb2", 403), ("pap1", 403), ("tl1", 403), ("bl", 403),
                                         ("admin", 403)])
def test_permissions(world, auth, fixed_day, who, status):
    auth.login(who)
    assert auth.get(url(world["m1"])).status_code == status
    response = post(auth, world)
    assert response.status_code == (302 if status == 200 else status)
    with database.connection_context():
        assert MeasureFile.select().count() == (1 if status == 200 else 0)


def test_unknown_measure(world, auth):
    auth.login("mb1")
    assert auth.get("/massnahmen/999999/berichte").status_code == 404
