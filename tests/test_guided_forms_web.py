"""Guided forms in the browser: start, steps, drafts, autosave, review, submit, snapshots.

Dates are computed by hand from RULES.md (see the comments); "today" is the clock."""
import datetime
import hashlib
import importlib
import json
import shutil

import pytest

from absolvent.documents import operations as documents_operations
from absolvent.documents.models import IssuedDocument
from absolvent.documents.render import DEFAULT_FORMS_DIR, DocumentError
from absolvent.guided_forms.models import FormRun, FormSnapshot
from absolvent.models import Agreement, AuditLog, FollowUp, JobcenterSettings, Note, Participation, PlacementProposal
from tests.helpers import pdf_text

D = datetime.date
TODAY = datetime.date.today()


def de(day):
    return day.strftime("%d.%m.%Y")


def days(n):
    return TODAY + datetime.timedelta(days=n)


def new_case(auth, world, make, type_code, start, end, rulebook="goslar-2016", number="962/GF1"):
    """A participation of c1 (team A, pap1) created through the form, planned by ``rulebook``."""
    JobcenterSettings.update(active_rulebook=rulebook).execute()
    measure = make.measure(type_code, start=start, end=end, measure_number=number, mb=world["mb1"])
    auth.login("pap1")
    response = auth.post("/teilnahmen/neu", {"customer": world["c1"].id, "measure": measure.id,
                                             "entry": de(start), "planned_end": de(end)})
    assert response.status_code == 302
    return Participation.get(Participation.measure == measure)


def start(auth, p, form_id, followup=None, htmx=False):
    data = {"followup": str(followup.id)} if followup else {}
    return auth.post(f"/teilnahmen/{p.id}/formulare/{form_id}", data, htmx=htmx)


def run_of(response):
    """The run id and first step from the start's redirect (302 Location or HX-Redirect)."""
    url = response.headers.get("HX-Redirect") or response.headers["Location"]
    parts = url.split("/formulare/")[1].split("/")
    return int(parts[0]), parts[2]


def step_url(run_id, step_id):
    return f"/formulare/{run_id}/schritt/{step_id}"


def fill(auth, run_id, step_id, data, aktion="weiter", htmx=False, **extra):
    return auth.post(step_url(run_id, step_id), {**data, "aktion": aktion, **extra}, htmx=htmx)


def fill_all(auth, run_id, steps):
    """Fill ``steps`` [(step_id, data)] in order with "weiter"; each must move on."""
    for step_id, data in steps:
        response = fill(auth, run_id, step_id, data)
        assert response.status_code == 302, (step_id, response.get_data(as_text=True)[-3000:])
    return response


def answers(run_id):
    return json.loads(FormRun.get_by_id(run_id).answers)


# ------------------------------------------------------------------ the EV / Kooperationsplan journey

EV_STEPS = [
    ("art", {"agreement_kind": "neu", "concluded_on": "31.08.2026", "review_date": ""}),
    ("ziel", {"goal": "Arbeitsaufnahme im Lager", "steps": "1. Bewerbungen\n2. Praktikum"}),
    ("pflichten", {"customer_duties": "Regelmäßige Teilnahme", "own_efforts_number": "4",
                   "own_efforts_period": "je Monat", "own_efforts_proof": "Liste"}),
    ("jobcenter", {"jobcenter_support": "Fahrkosten", "contacts_during_measure": "alle 8 Wochen"}),
]


@pytest.fixture
def ev_case(world, auth, make):
    """Goslar MAT starting in 10 days: the step "beginn-ev" (form EV) is open, due at the start."""
    p = new_case(auth, world, make, "MAT", days(10), days(200))
    f = FollowUp.get(FollowUp.participation == p.id, FollowUp.rule_id == "beginn-ev")
    assert f.form == "eingliederungsvereinbarung" and f.status == "open"
    return p, f


def test_ev_journey_from_followup(ev_case, auth):
    p, f = ev_case
    response = start(auth, p, "eingliederungsvereinbarung", f)
    run_id, first = run_of(response)
    assert first == "art" and response.headers["Location"].endswith(f"/formulare/{run_id}/schritt/art")
    assert run_of(start(auth, p, "eingliederungsvereinbarung", f, htmx=True)) == (run_id, "art")  # resumes
    full = auth.get(step_url(run_id, "art")).get_data(as_text=True)
    assert "<html" in full and "Schritt 1 von 5: Art und Zeitraum" in full
    # defaults: concluded today, review today + 6 months; "Gültig bis" is for an EV only (before 01.07.2023)
    assert f'value="{de(TODAY)}"' in full and 'name="valid_until"' not in full
    fragment = auth.get(step_url(run_id, "art"), htmx=True).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="form-run">') and "<html" not in fragment
    assert fill(auth, run_id, "art", EV_STEPS[0][1]).headers["Location"].endswith(step_url(run_id, "ziel"))
    moved = fill(auth, run_id, "ziel", EV_STEPS[1][1], htmx=True)  # htmx: the next step in place
    body = moved.get_data(as_text=True)
    assert moved.status_code == 200 and moved.headers["HX-Push-Url"] == step_url(run_id, "pflichten")
    assert "Schritt 3 von 5: Pflichten und Eigenbemühungen" in body and "<html" not in body
    assert fill_all(auth, run_id, EV_STEPS[2:]).headers["Location"].endswith(f"/formulare/{run_id}/pruefen")
    review = auth.get(f"/formulare/{run_id}/pruefen").get_data(as_text=True)
    # 31.08.2026 + 6 months = 28.02.2027 (clamped to the month's last day)
    for text in ("Neuabschluss", "31.08.2026", "28.02.2027", "Arbeitsaufnahme im Lager", "je Monat", "Liste",
                 "Fahrkosten", "alle 8 Wochen", "Schritt 5 von 5: Prüfen und absenden"):
        assert text in review
    for step_id, _ in EV_STEPS:
        assert f'href="{step_url(run_id, step_id)}?zurueck_zu=pruefen"' in review
    change = auth.get(step_url(run_id, "art") + "?zurueck_zu=pruefen").get_data(as_text=True)
    assert 'name="zurueck_zu" value="pruefen"' in change and "Zurück zur Prüfung" in change
    back = fill(auth, run_id, "art", {**EV_STEPS[0][1], "agreement_kind": "fortschreibung"}, zurueck_zu="pruefen")
    assert back.headers["Location"].endswith(f"/formulare/{run_id}/pruefen")
    assert "Fortschreibung" in auth.get(f"/formulare/{run_id}/pruefen").get_data(as_text=True)

    response = auth.post(f"/formulare/{run_id}/absenden")
    snap = FormSnapshot.get(FormSnapshot.run == run_id)
    assert response.headers["Location"].endswith(f"/formulare/ergebnisse/{snap.id}")
    assert snap.sha256 == hashlib.sha256(snap.answers.encode()).hexdigest()
    stored = json.loads(snap.answers)
    assert stored["answers"]["review_date"] == "2027-02-28" and stored["form"] == "eingliederungsvereinbarung"
    assert snap.followup_id == f.id and snap.submitted_by.username == "pap1"
    assert (FollowUp.get_by_id(f.id).status, FollowUp.get_by_id(f.id).done_by.username) == ("done", "pap1")
    note = Note.get(Note.participation == p.id)
    assert note.subject == "Eingliederungsvereinbarung / Kooperationsplan" and "Arbeitsaufnahme im Lager" in note.text
    a = Agreement.get(Agreement.participation == p.id)
    assert (a.kind, a.agreement_kind, a.concluded_on, a.review_date) == ("KP", "fortschreibung", D(2026, 8, 31),
                                                                         D(2027, 2, 28))
    assert a.valid_until is None and a.own_efforts_number == 4 and a.author.username == "pap1"
    doc = IssuedDocument.get(IssuedDocument.participation == p.id)
    assert doc.format == "pdf" and doc.agreement_id == a.id and doc.sha256 == hashlib.sha256(doc.data).hexdigest()
    text = pdf_text(doc.data)
    assert "Kooperationsplan" in text and "Arbeitsaufnahme im Lager" in text and p.customer.customer_number in text
    assert json.loads(snap.derived) == {"note": note.id, "agreement": a.id, "document": doc.id}
    assert FormRun.get_by_id(run_id).status == "submitted"  # and the audit trail:
    logged = {(row.action, row.entity) for row in AuditLog.select()}
    assert {("create", "form-run"), ("update", "form-run"), ("create", "form-snapshot"), ("create", "agreement"),
            ("create", "note"), ("create", "issued-document")} <= logged

    page = auth.get(response.headers["Location"]).get_data(as_text=True)
    assert ("abgeschickt: Vermerk angelegt, Vereinbarung gespeichert, Dokument archiviert, "
            "Wiedervorlage erledigt.") in page
    assert "28.02.2027" in page and "Fortschreibung" in page and snap.sha256 in page
    assert f'href="/dokumente/{doc.id}/datei"' in page and "Erledigte Wiedervorlage" in page
    case = auth.get(f"/teilnahmen/{p.id}").get_data(as_text=True)
    row = case[case.index(f'id="wv-{f.id}"'):].split("</tr>")[0]
    assert "erledigt</span>" in row and f'href="/formulare/ergebnisse/{snap.id}"' in row
    # a submitted run is no draft any more
    assert auth.get(step_url(run_id, "art")).status_code == 404
    again = auth.post(f"/formulare/{run_id}/absenden")  # a second submit leads to the snapshot, refused
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/formulare/ergebnisse/{snap.id}")
    assert "Dieses Formular wurde bereits abgeschickt." in auth.get(again.headers["Location"]).get_data(as_text=True)
    assert FormSnapshot.select().count() == 1


# ------------------------------------------------------------------ drafts

def test_draft_keeps_answers_and_bad_input(world, auth):
    auth.login("pap1")
    run_id, _ = run_of(start(auth, world["p1"], "kontakt"))
    day = days(-21)
    saved = fill(auth, run_id, "kontakt", {"contact_date": de(day), "channel": "telefonisch"}, aktion="speichern")
    assert saved.headers["Location"].endswith(step_url(run_id, "kontakt"))
    page = auth.get(step_url(run_id, "kontakt")).get_data(as_text=True)
    assert f'value="{de(day)}"' in page and 'value="telefonisch" checked' in page
    bad = fill(auth, run_id, "kontakt", {"contact_date": "31.02.2026", "channel": "telefonisch"})
    message = "Datum des Kontakts: Dieses Datum gibt es nicht."
    assert bad.status_code == 422 and message in bad.get_data(as_text=True)
    body = auth.get(step_url(run_id, "kontakt")).get_data(as_text=True)  # reload: typed text and message again
    assert 'value="31.02.2026"' in body and message in body and 'aria-invalid="true"' in body
    assert answers(run_id)["contact_date"] == day.isoformat()  # the last good answer is kept as well
    assert json.loads(FormRun.get_by_id(run_id).raw) == {"contact_date": ["31.02.2026"]}


@pytest.mark.parametrize("htmx", [False, True])
def test_422_shows_the_input_as_typed(world, auth, htmx):
    auth.login("pap1")
    run_id, _ = run_of(start(auth, world["p1"], "kontakt"))
    bad = fill(auth, run_id, "kontakt", {"contact_date": "31.02.2026", "channel": "telefonisch"}, htmx=htmx)
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Dieses Datum gibt es nicht." in body
    assert 'value="31.02.2026"' in body and 'value="telefonisch" checked' in body


def test_drafts_list_only_own_and_discard(world, auth):
    auth.login("pap2")
    other, _ = run_of(start(auth, world["p2"], "kontakt"))
    auth.logout()
    auth.login("pap1")
    assert "Keine offenen Entwürfe." in auth.get("/formulare/entwuerfe").get_data(as_text=True)
    run_id, _ = run_of(start(auth, world["p1"], "vermittlungsvorschlag"))
    page = auth.get("/formulare/entwuerfe").get_data(as_text=True)
    assert "Vermittlungsvorschlag" in page and "Albrecht" in page and step_url(run_id, "vorschlag") in page
    assert "Berger" not in page and f"/formulare/{other}/" not in page
    response = auth.post(f"/formulare/{run_id}/verwerfen")
    assert response.headers["Location"].endswith(f"/teilnahmen/{world['p1'].id}")
    assert "Der Entwurf wurde verworfen." in auth.get(response.headers["Location"]).get_data(as_text=True)
    assert "Keine offenen Entwürfe." in auth.get("/formulare/entwuerfe").get_data(as_text=True)
    assert FormRun.get_by_id(run_id).status == "discarded" and FormRun.get_by_id(other).status == "draft"
    assert auth.get(step_url(run_id, "vorschlag")).status_code == 404


def test_run_is_pinned_to_its_definition(world, auth, app, tmp_path):
    auth.login("pap1")
    run_id, _ = run_of(start(auth, world["p1"], "foerder-check"))
    forms = tmp_path / "forms"
    shutil.copytree(DEFAULT_FORMS_DIR, forms)
    toml = forms / "foerder-check" / "form.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('title = "Ziel(e) und Eignung"', 'title = "Ziele neu"')
                    .replace('version = "2026.1"', 'version = "2026.2"'), encoding="utf-8")
    app.config["FORMS_DIR"] = str(forms)
    old = auth.get(step_url(run_id, "ziel")).get_data(as_text=True)
    assert "Ziel(e) und Eignung" in old and "Ziele neu" not in old
    assert run_of(start(auth, world["p1"], "foerder-check"))[0] == run_id  # resuming keeps the pinned version
    auth.logout()
    auth.login("tl1")  # a new run starts on the new version
    new_id, _ = run_of(start(auth, world["p1"], "foerder-check"))
    new = auth.get(step_url(new_id, "ziel")).get_data(as_text=True)
    assert new_id != run_id and "Ziele neu" in new and "Ziel(e) und Eignung" not in new
    versions = {r.id: r.definition.version for r in FormRun.select()}
    assert versions == {run_id: "2026.1", new_id: "2026.2"}


# ------------------------------------------------------------------ navigation

BEDARF = {"talk_date": "", "talk_kind": "eg", "need": "Deutschkenntnisse"}


def test_back_keeps_input_without_validating(world, auth):
    auth.login("pap1")
    run_id, _ = run_of(start(auth, world["p1"], "foerder-check"))
    fill_all(auth, run_id, [("bedarf", BEDARF)])
    response = fill(auth, run_id, "ziel", {"goals": "Arbeit im Lager"}, aktion="zurueck")  # suitability missing
    assert response.status_code == 302 and response.headers["Location"].endswith(step_url(run_id, "bedarf"))
    assert answers(run_id)["goals"] == "Arbeit im Lager" and answers(run_id)["talk_date"] == TODAY.isoformat()
    page = auth.get(step_url(run_id, "ziel")).get_data(as_text=True)
    assert "Arbeit im Lager</textarea>" in page and 'role="alert"' not in page


@pytest.mark.parametrize("htmx", [False, True])
def test_missing_required_field(world, auth, htmx):
    auth.login("pap1")
    run_id, _ = run_of(start(auth, world["p1"], "foerder-check"))
    response = fill(auth, run_id, "bedarf", {**BEDARF, "need": " "}, htmx=htmx)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and ("<html" in body) is not htmx
    assert 'id="f-need" name="need"' in body and 'aria-invalid="true"' in body
    assert 'role="alert"' in body and '<a href="#f-need">Bitte Qualifizierungs- / Unterstützungsbedarf angeben.</a>' \
        in body
    assert "Schritt 1 von 4: Beratungsgespräch: Bedarf" in body
    assert FormRun.get_by_id(run_id).current_step == "bedarf" and answers(run_id).get("need") is None


@pytest.mark.parametrize("type_code,steps", [("AGH", 5), ("MAT", 4)])
def test_agh_step_only_for_agh(world, auth, make, type_code, steps):
    p = make.participation(world["c1"], make.measure(type_code))
    auth.login("pap1")
    run_id, _ = run_of(start(auth, p, "foerder-check"))
    page = auth.get(step_url(run_id, "bedarf")).get_data(as_text=True)
    assert f"Schritt 1 von {steps}: Beratungsgespräch: Bedarf" in page
    assert ("Arbeitsgelegenheit (AGH)" in page) is (type_code == "AGH")
    fill_all(auth, run_id, [("bedarf", BEDARF)])
    response = fill(auth, run_id, "ziel", {"goals": "Arbeit", "suitability": "geeignet"})
    assert response.headers["Location"].endswith(step_url(run_id, "agh" if type_code == "AGH" else "abschluss"))


# ------------------------------------------------------------------ autosave and inline validation

def autosave(auth, run_id, step_id, data, trigger):
    return auth.post(step_url(run_id, step_id) + "/entwurf", data, htmx=True, headers={"HX-Trigger-Name": trigger})


@pytest.mark.parametrize("value,message", [
    ("31.02.2026", "Datum des Gesprächs: Dieses Datum gibt es nicht."),
    ("morgen", "Datum des Gesprächs: Bitte ein Datum im Format TT.MM.JJJJ eingeben."),
    (de(days(1)), "Das Gespräch kann nicht in der Zukunft liegen."),
])
def test_autosave_shows_the_fields_message(world, auth, value, message):
    auth.login("pap1")
    run_id, _ = run_of(start(auth, world["p1"], "auswertungsgespraech"))
    data = {"talk_date": value, "talk_mode": "telefonisch"}
    response = autosave(auth, run_id, "gespraech", data, "talk_date")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Retarget" not in response.headers
    assert '<div id="messages" hx-swap-oob="innerHTML"><p class="muted">Entwurf gespeichert.</p></div>' in body
    assert f'<p id="e-talk_date" class="error" hx-swap-oob="outerHTML"><strong>Fehler:</strong> {message}</p>' in body
    stored = FormRun.get_by_id(run_id)
    assert json.loads(stored.raw) == {"talk_date": [value]} and answers(run_id)["talk_mode"] == "telefonisch"
    submitted = fill(auth, run_id, "gespraech", data)  # the same message on "weiter"
    assert submitted.status_code == 422 and message in submitted.get_data(as_text=True)
    fixed = autosave(auth, run_id, "gespraech", {**data, "talk_date": de(TODAY)}, "talk_date").get_data(as_text=True)
    assert '<p id="e-talk_date" class="error" hidden hx-swap-oob="outerHTML"></p>' in fixed
    assert answers(run_id)["talk_date"] == TODAY.isoformat() and FormRun.get_by_id(run_id).raw == "{}"


def test_autosave_of_a_condition_rerenders_the_step(world, auth):
    auth.login("pap1")
    run_id, _ = run_of(start(auth, world["p1"], "foerder-check"))
    response = autosave(auth, run_id, "ziel", {"goals": "Arbeit", "suitability": "bedingt"}, "suitability")
    body = response.get_data(as_text=True)
    assert response.headers["HX-Retarget"] == "#form-run" and response.headers["HX-Reswap"] == "outerHTML"
    assert body.lstrip().startswith('<div id="form-run">') and "Begründung der Eignung" in body
    assert answers(run_id)["suitability"] == "bedingt"


# ------------------------------------------------------------------ submit is one transaction

def raising(exc):
    def broken(*args, **kwargs):
        raise exc
    return broken


def ready_ev(auth, ev_case):
    p, f = ev_case
    run_id, _ = run_of(start(auth, p, "eingliederungsvereinbarung", f))
    fill_all(auth, run_id, EV_STEPS)
    return run_id


def assert_nothing_written(run_id, f):
    assert FormSnapshot.select().count() == 0 and Note.select().count() == 0 and Agreement.select().count() == 0
    assert IssuedDocument.select().count() == 0 and FollowUp.get_by_id(f.id).status == "open"
    assert FormRun.get_by_id(run_id).status == "draft"
    assert not AuditLog.select().where(AuditLog.entity.in_(["form-snapshot", "agreement", "note"])).exists()


@pytest.mark.parametrize("module,name", [("absolvent.caseload.planning", "mark_done"),
                                         ("absolvent.documents.operations", "archive")])
def test_failure_mid_submit_writes_nothing(ev_case, auth, app, monkeypatch, module, name):
    run_id = ready_ev(auth, ev_case)
    monkeypatch.setattr(importlib.import_module(module), name, raising(RuntimeError("kaputt")))
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = auth.post(f"/formulare/{run_id}/absenden")
    assert response.status_code == 500 and "Interner Fehler" in response.get_data(as_text=True)
    assert_nothing_written(run_id, ev_case[1])
    monkeypatch.undo()  # the draft is intact: submitting again works
    assert auth.post(f"/formulare/{run_id}/absenden").status_code == 302
    assert FollowUp.get_by_id(ev_case[1].id).status == "done" and Agreement.select().count() == 1


def test_document_error_is_a_message(ev_case, auth, monkeypatch):
    run_id = ready_ev(auth, ev_case)
    monkeypatch.setattr(documents_operations, "render", raising(DocumentError("Die Vorlage ist beschädigt.")))
    response = auth.post(f"/formulare/{run_id}/absenden", htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Die Vorlage ist beschädigt." in body and 'role="alert"' in body
    assert_nothing_written(run_id, ev_case[1])


# ------------------------------------------------------------------ each form's effect on the case

def submit(auth, run_id):
    response = auth.post(f"/formulare/{run_id}/absenden")
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    return FormSnapshot.get(FormSnapshot.run == run_id), response


def dues(p, step_prefix):
    return {f.step_id: f for f in FollowUp.select().where(FollowUp.participation == p.id,
                                                          FollowUp.step_id.startswith(step_prefix))}


@pytest.fixture
def dw_contacts(world, auth, make):
    """DW: MAT entered 70 days ago, ending in 200 days (> 6 months: a contact every 56 days).
    Contacts due entry + 56 = today − 14, today + 42, today + 98, today + 154 (today + 210 is after the end)."""
    p = new_case(auth, world, make, "MAT", days(-70), days(200), "deutsche-weinstrasse-2022")
    assert sorted(f.due for f in dues(p, "kontakt-8-wochen-").values()) == [days(n) for n in (-14, 42, 98, 154)]
    return p


def contact(auth, p, followup, analysed):
    run_id, _ = run_of(start(auth, p, "kontakt", followup))
    fill_all(auth, run_id, [("kontakt", {"contact_date": de(days(-7)), "channel": "persoenlich"}),
                            ("inhalt", {"status_analysed": analysed, "status": "Praktikum läuft",
                                        "process_structured": "ja", "impulses": "Bewerbungen schreiben"})])
    return run_id


def test_qualified_contact_closes_step_and_moves_rhythm(dw_contacts, auth):
    first = dues(dw_contacts, "kontakt-8-wochen-")["kontakt-8-wochen-1"]
    run_id = contact(auth, dw_contacts, first, "ja")
    review = auth.get(f"/formulare/{run_id}/pruefen").get_data(as_text=True)
    assert 'Qualifizierter Kontakt</dt><dd class="lines">ja' in review
    snap, _ = submit(auth, run_id)
    note = Note.get(Note.participation == dw_contacts.id)
    assert (note.kind, note.channel, note.qualified, note.date) == ("kontakt", "persoenlich", True, days(-7))
    assert note.subject == "Kontakt während der Maßnahme" and "Bewerbungen schreiben" in note.text
    rows = dues(dw_contacts, "kontakt-8-wochen-")
    assert rows["kontakt-8-wochen-1"].status == "done" and snap.followup_id == first.id
    # RULES §4.3: next contact = contact (today − 7) + 56 = today + 49, then + 105, + 161; + 217 is after the end
    assert [(rows[f"kontakt-8-wochen-{i}"].due, rows[f"kontakt-8-wochen-{i}"].status) for i in (2, 3, 4)] == [
        (days(49), "open"), (days(105), "open"), (days(161), "open")]
    assert "kontakt-8-wochen-5" not in rows


@pytest.mark.parametrize("from_step", [True, False])
def test_unqualified_contact_closes_nothing(dw_contacts, auth, from_step):
    before = {k: (f.due, f.status) for k, f in dues(dw_contacts, "kontakt-8-wochen-").items()}
    first = dues(dw_contacts, "kontakt-8-wochen-")["kontakt-8-wochen-1"]
    submit(auth, contact(auth, dw_contacts, first if from_step else None, "nein"))
    note = Note.get(Note.participation == dw_contacts.id)
    assert note.kind == "kontakt" and not note.qualified
    assert {k: (f.due, f.status) for k, f in dues(dw_contacts, "kontakt-8-wochen-").items()} == before


def abbruch(auth, p, unemployed):
    run_id, _ = run_of(start(auth, p, "massnahmeabbruch"))
    fill_all(auth, run_id, [
        ("mitteilung", {"reported_by": "traeger", "reported_on": "", "exit_date": "10.04.2026",
                        "dropout_reason": "Arbeitsaufnahme im Lager"}),
        ("bewertung", {"important_reason": "ja", "important_reason_note": "Arbeitsvertrag", "unemployed": unemployed,
                       "skills_gained": "Staplerschein"}),
        ("anpassung", {"strategy_adapted": "ja", "cosach_corrected": "ja"})])
    return submit(auth, run_id)[0]


@pytest.fixture
def dw_long(world, auth, make):
    """DW: MAT from 05.01.2026, ending in 300 days; contacts 02.03.2026, 27.04.2026, … (every 56 days)."""
    return new_case(auth, world, make, "MAT", D(2026, 1, 5), days(300), "deutsche-weinstrasse-2022", "962/GF2")


@pytest.mark.parametrize("unemployed", ["ja", "nein"])
def test_abbruch_records_exit_and_replans(dw_long, auth, unemployed):
    abbruch(auth, dw_long, unemployed)
    p = Participation.get_by_id(dw_long.id)
    assert (p.exit, p.exit_kind, p.important_reason) == (D(2026, 4, 10), "abbruch", True)
    assert p.dropout_reason == "Arbeitsaufnahme im Lager"
    assert Note.get(Note.participation == p.id).subject == "Maßnahmeabbruch"
    rows = {f.step_id: f for f in FollowUp.select().where(FollowUp.participation == p.id)}
    assert rows["kontakt-8-wochen-1"].status == "open" and rows["kontakt-8-wochen-1"].due == D(2026, 3, 2)
    later = [f for step, f in rows.items() if step.startswith("kontakt-8-wochen-") and f.due > D(2026, 4, 10)]
    assert later and all(f.status == "cancelled" and f.cancel_reason.startswith("entfällt nach Neuplanung")
                         for f in later)
    # from Fri 10.04.2026 (RP): 3 working days → Wed 15.04., 5 → Fri 17.04., 10 → Fri 24.04.2026
    assert {f.due for f in rows.values() if f.phase == "abbruch"} == {D(2026, 4, 15), D(2026, 4, 17), D(2026, 4, 24)}
    invitation = rows["abbruch-einladung"]  # due 17.04.2026; open only when the customer becomes unemployed
    assert (invitation.due, invitation.status) == (D(2026, 4, 17), "open" if unemployed == "ja" else "cancelled")
    assert ("nicht arbeitslos" in invitation.cancel_reason) is (unemployed == "nein")
    page = auth.get(f"/teilnahmen/{p.id}").get_data(as_text=True)
    assert "entfällt</span>" in page and "Arbeitsaufnahme im Lager" in page and "10.04.2026 (Abbruch)" in page


def test_missed_step_leaves_the_worklist(dw_long, auth):
    abbruch(auth, dw_long, "ja")
    missed = FollowUp.get(FollowUp.participation == dw_long.id, FollowUp.step_id == "kontakt-8-wochen-1")
    page = auth.get(f"/teilnahmen/{dw_long.id}").get_data(as_text=True)
    row = page[page.index(f'id="wv-{missed.id}"'):].split("</tr>")[0]
    assert "versäumt</span>" in row and "in dieser Phase nicht mehr möglich" in row
    active = auth.get("/wiedervorlagen/?zeitraum=alle").get_data(as_text=True)
    invitation = FollowUp.get(FollowUp.participation == dw_long.id, FollowUp.step_id == "abbruch-einladung")
    assert f"#wv-{missed.id}\"" not in active and f"#wv-{invitation.id}\"" in active
    listed = auth.get("/wiedervorlagen/?zeitraum=versaeumt").get_data(as_text=True)
    assert f"#wv-{missed.id}\"" in listed and ">1 versäumte Wiedervorlage" in listed


def placement(auth, p):
    run_id, _ = run_of(start(auth, p, "vermittlungsvorschlag"))
    fill_all(auth, run_id, [("vorschlag", {"proposal_date": "", "employer": "Lager GmbH", "job_title": "Lagerist",
                                           "job_kind": "arbeit", "sv_pflichtig": "ja"})])
    return run_id


def test_placement_proposal(world, auth):
    auth.login("pap1")
    run_id = placement(auth, world["p1"])
    review = auth.get(f"/formulare/{run_id}/pruefen").get_data(as_text=True)
    assert "Zählt für das Controlling (VV im engeren Sinne)</dt><dd class=\"lines\">ja" in review
    snap, _ = submit(auth, run_id)
    vv = PlacementProposal.get(PlacementProposal.participation == world["p1"].id)
    assert (vv.proposal_date, vv.employer, vv.job_title, vv.job_kind, vv.sv_pflichtig) == (TODAY, "Lager GmbH",
                                                                                           "Lagerist", "arbeit", True)
    assert json.loads(snap.derived) == {"placement_proposal": vv.id} and Note.select().count() == 0


def test_placement_proposal_flash_reads_well(world, auth):
    auth.login("pap1")
    _, response = submit(auth, placement(auth, world["p1"]))
    assert "abgeschickt: ." not in auth.get(response.headers["Location"]).get_data(as_text=True)


TALK = [("gespraech", {"talk_date": "", "talk_mode": "persoenlich", "participants": ["bov", "traeger"]}),
        ("auswertung", {"provider_report_evaluated": "ja", "absences": "keine", "skills_gained": "Lagerlogistik",
                        "goal_achieved": "teilweise"}),
        ("integration", {"profile_updated": "ja", "documents_current": "ja", "own_efforts_demanded": "ja",
                         "search_done": "nein"})]


def test_auswertungsgespraech_sets_followups_that_replans_keep(world, auth, make):
    """Goslar MAT ended 5 days ago: "nach-auswertung" is due end + 14 days."""
    p = new_case(auth, world, make, "MAT", days(-200), days(-5))
    f = FollowUp.get(FollowUp.participation == p.id, FollowUp.rule_id == "nach-auswertung")
    assert f.due == days(9)
    run_id, _ = run_of(start(auth, p, "auswertungsgespraech", f))
    nxt = days(40)
    fill_all(auth, run_id, [*TALK, ("weiteres", {"new_agreement_needed": "ja", "next_followup": de(nxt)})])
    snap, response = submit(auth, run_id)
    note = Note.get(Note.participation == p.id)
    assert note.subject == "Absolventenmanagement" and "Lagerlogistik" in note.text
    assert FollowUp.get_by_id(f.id).status == "done" and snap.followup_id == f.id
    manual = {m.title: m for m in FollowUp.select().where(FollowUp.participation == p.id, FollowUp.rule_id == "")}
    talk, ev = manual["Folgetermin nach Auswertungsgespräch"], manual["Kooperationsplan neu abschließen"]
    assert (talk.due, talk.status, talk.form) == (nxt, "open", "")
    assert (ev.due, ev.status, ev.form) == (days(14), "open", "eingliederungsvereinbarung")
    page = auth.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Folgetermin nach Auswertungsgespräch: fällig {de(nxt)}" in page and "Gesprächsvermerk (PDF" in page
    doc = IssuedDocument.get(IssuedDocument.participation == p.id)
    assert doc.document == "gespraechsvermerk" and p.customer.customer_number in pdf_text(doc.data)
    # a later re-plan (the planned end moves) keeps both follow-ups set by the form
    form = {"measure": str(p.measure_id), "entry": de(p.entry), "planned_end": de(days(-3)),
            "version": str(Participation.get_by_id(p.id).version)}
    assert auth.post(f"/teilnahmen/{p.id}/bearbeiten", form).status_code == 302
    assert FollowUp.get_by_id(f.id).rule_due == days(11)  # re-planned: end + 14
    assert [(m.status, m.due) for m in (FollowUp.get_by_id(talk.id), FollowUp.get_by_id(ev.id))] == [
        ("open", nxt), ("open", days(14))]
    case = auth.get(f"/teilnahmen/{p.id}").get_data(as_text=True)
    assert f'id="form-{ev.id}"' in case  # the new step opens the EV form


def test_foerder_check_note_and_pdf(ev_case, auth):
    p, _ = ev_case
    f = FollowUp.get(FollowUp.participation == p.id, FollowUp.rule_id == "vor-foerder-check")
    run_id, _ = run_of(start(auth, p, "foerder-check", f))
    fill_all(auth, run_id, [("bedarf", BEDARF), ("ziel", {"goals": "Sprachniveau B1", "suitability": "geeignet"})])
    page = auth.get(step_url(run_id, "abschluss")).get_data(as_text=True)
    assert "Checkliste des Regelwerks" in page and "Bei MAT Buchung in CoSach" in page  # the step's checklist
    fill_all(auth, run_id, [("abschluss", {"checklist": ["Bei MAT Buchung in CoSach"], "remarks": "Start klären"})])
    snap, _ = submit(auth, run_id)
    note = Note.get(Note.participation == p.id)
    assert note.subject == "Förder-Check" and "Sprachniveau B1" in note.text and "Buchung in CoSach" in note.text
    assert FollowUp.get_by_id(f.id).status == "done"
    doc = IssuedDocument.get_by_id(json.loads(snap.derived)["document"])
    text = pdf_text(doc.data)
    assert doc.format == "pdf" and p.customer.customer_number in text and "Sprachniveau B1" in text


def test_checkliste_am_note_and_pdf(world, auth):
    auth.login("pap1")
    run_id, _ = run_of(start(auth, world["p1"], "checkliste-am"))
    fill_all(auth, run_id, [("checkliste", {"checked_on": "", "am_checklist": ["Aktuelle Bewerbungsunterlagen "
                                                                               "liegen vor"]}),
                            ("ergebnis", {"search_done": "nein", "open_points": "Praktikum klären"})])
    snap, _ = submit(auth, run_id)
    note = Note.get(Note.participation == world["p1"].id)
    assert note.subject == "Absolventenmanagement" and "Praktikum klären" in note.text
    doc = IssuedDocument.get_by_id(json.loads(snap.derived)["document"])
    text = pdf_text(doc.data)
    assert doc.participation_id == world["p1"].id and world["c1"].customer_number in text
    assert "Praktikum klären" in text and "Checkliste Absolventenmanagement" in text


# ------------------------------------------------------------------ who may do what

@pytest.fixture
def owned(world, auth):
    """pap1's draft (Kontakt) and a submitted Vermittlungsvorschlag on p1."""
    auth.login("pap1")
    snap, _ = submit(auth, placement(auth, world["p1"]))
    run_id, _ = run_of(start(auth, world["p1"], "kontakt"))
    fill(auth, run_id, "kontakt", {"contact_date": de(TODAY), "channel": "telefonisch"}, aktion="speichern")
    auth.logout()
    return run_id, snap.id


ROUTES = [("get", "/formulare/{run}/schritt/kontakt"), ("post", "/formulare/{run}/schritt/kontakt"),
          ("post", "/formulare/{run}/schritt/kontakt/entwurf"), ("get", "/formulare/{run}/pruefen"),
          ("post", "/formulare/{run}/absenden"), ("post", "/formulare/{run}/verwerfen"),
          ("get", "/formulare/ergebnisse/{snap}")]


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("method,url", ROUTES)
@pytest.mark.parametrize("who", ["pap2", "tl1", "admin"])
def test_only_the_owner_works_on_a_run(owned, auth, who, method, url, htmx):
    run_id, snap_id = owned
    auth.login(who)
    url = url.format(run=run_id, snap=snap_id)
    data = {"contact_date": "01.01.2026", "channel": "persoenlich", "aktion": "weiter"}
    response = auth.get(url, htmx=htmx) if method == "get" else auth.post(url, data, htmx=htmx)
    body = response.get_data(as_text=True)
    if who == "tl1" and "ergebnisse" in url:  # the team lead may read what was submitted
        assert response.status_code == 200 and "Lager GmbH" in body and "Vermittlungsvorschlag" in body
    elif who == "pap2":
        assert response.status_code in (403, 404) and ("Keine Berechtigung" in body or "Nicht gefunden" in body)
    else:
        assert response.status_code == 403 and "Keine Berechtigung" in body
    run = FormRun.get_by_id(run_id)
    assert run.status == "draft" and json.loads(run.answers)["contact_date"] == TODAY.isoformat()


@pytest.mark.parametrize("who,form_id,allowed", [
    ("mb1", "eingliederungsvereinbarung", False),  # agreements are the pAp side
    ("bov1", "eingliederungsvereinbarung", False), ("admin", "eingliederungsvereinbarung", False),
    ("admin", "kontakt", False), ("pap2", "kontakt", False),
    ("mb1", "kontakt", True), ("tl1", "eingliederungsvereinbarung", True), ("pap1", "eingliederungsvereinbarung", True),
])
def test_who_may_start_a_form(world, auth, who, form_id, allowed):
    auth.login(who)
    response = start(auth, world["p1"], form_id)
    if allowed:
        assert response.status_code == 302 and FormRun.get().user.username == who
    else:
        assert response.status_code == 403 and "Keine Berechtigung" in response.get_data(as_text=True)
        assert FormRun.select().count() == 0


def test_unknown_things_are_404(world, auth):
    foreign = FollowUp.create(participation=world["p2"].id, step_id="x", title="Kontakt", role="pAp", due=TODAY,
                              form="kontakt")
    auth.login("pap1")
    p1 = world["p1"].id
    assert start(auth, world["p1"], "kontakt", foreign).status_code == 404
    assert auth.post(f"/teilnahmen/{p1}/formulare/kontakt", {"followup": "abc"}).status_code == 404
    assert auth.post(f"/teilnahmen/{p1}/formulare/quatsch").status_code == 404
    assert FormRun.select().count() == 0
    for url in ("/formulare/999/schritt/kontakt", "/formulare/999/pruefen", "/formulare/ergebnisse/999"):
        response = auth.get(url)
        assert response.status_code == 404 and "Nicht gefunden" in response.get_data(as_text=True)
    assert auth.post("/formulare/999/absenden").status_code == 404
    run_id, _ = run_of(start(auth, world["p1"], "kontakt"))
    assert fill(auth, run_id, "quatsch", {}).status_code == 404


# ------------------------------------------------------------------ more bugs

def test_pending_bad_input_is_linked_to_its_step(world, auth):
    auth.login("pap1")
    run_id, _ = run_of(start(auth, world["p1"], "kontakt"))
    assert fill(auth, run_id, "kontakt", {"contact_date": "31.02.2026", "channel": "persoenlich"}).status_code == 422
    fill_all(auth, run_id, [("inhalt", {"status_analysed": "nein", "process_structured": "nein"})])
    response = auth.post(f"/formulare/{run_id}/absenden")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and FormSnapshot.select().count() == 0
    assert f'href="{step_url(run_id, "kontakt")}?zurueck_zu=pruefen#f-contact_date"' in body


def test_a_form_does_not_close_another_forms_step(ev_case, auth):
    p, f = ev_case
    response = start(auth, p, "vermittlungsvorschlag", f)
    if response.status_code == 302:
        run_id, _ = run_of(response)
        fill_all(auth, run_id, [("vorschlag", {"employer": "Lager GmbH", "job_title": "Lagerist", "job_kind": "arbeit",
                                               "sv_pflichtig": "ja"})])
        submit(auth, run_id)
    assert FollowUp.get_by_id(f.id).status == "open" and Agreement.select().count() == 0
