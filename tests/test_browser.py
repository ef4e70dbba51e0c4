"""End-to-end in a real browser: Playwright driving Debian's chromium (headless).

Skipped when /usr/bin/chromium is not installed (`apt-get install chromium`);
.ci/run installs it when it can. No browser is ever downloaded.
"""
import os
import re
import threading

import pytest
from werkzeug.serving import make_server

from absolvent.db import database
from absolvent.models import FollowUp

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium not installed")


@pytest.fixture
def live_server(app, world):
    from absolvent.caseload import planning as followups
    with database.connection_context():
        followups.replan(world["p1"], "Teilnahme angelegt")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def page(live_server):
    """A page under the app's Content-Security-Policy (no eval: waits use locators, not JS strings)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        context = browser.new_context(locale="de-DE")
        pg = context.new_page()
        outside = []
        pg.on("request", lambda r: None if r.url.startswith(live_server) else outside.append(r.url))
        pg.base = live_server
        pg.outside = outside
        pg.csp_violations = []
        pg.on("console", lambda m: pg.csp_violations.append(m.text) if "Content Security Policy" in m.text else None)
        yield pg
        browser.close()


def expect(locator):
    from playwright.sync_api import expect as playwright_expect
    return playwright_expect(locator)


def login(page, username):
    page.goto(page.base + "/anmelden")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill("Test-Passwort-123")
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url("**/start")


def test_login_active_search_and_follow_up(page, world):
    login(page, "pap1")
    assert page.evaluate("typeof htmx") == "object"
    page.get_by_role("link", name="Kunden").click()
    page.get_by_label("Suche nach Kundennummer oder Name").press_sequentially("Albr", delay=30)
    page.wait_for_url("**q=Albr")  # HX-Push-Url keeps the search in the address bar
    expect(page.locator("#customer-results")).to_contain_text("für „Albr“")
    page.get_by_label("Suche nach Kundennummer oder Name").fill("Zzz")
    expect(page.locator("#customer-results")).to_contain_text("Keine Kund")
    page.get_by_label("Suche nach Kundennummer oder Name").fill("")
    expect(page.locator("#customer-results")).to_contain_text("1 Treffer")
    page.get_by_role("link", name=world["c1"].customer_number).click()
    page.get_by_role("link", name=f"{world['m1'].measure_number} {world['m1'].title}", exact=True).click()
    panel = page.locator("#followups-panel")
    panel.locator("summary", has_text="rledigen").first.click()  # closing a step records an optional outcome
    first_open = panel.locator("button", has_text="Als erledigt speichern").first
    first_open.click()
    expect(page.locator("#followups-panel")).to_contain_text("wieder öffnen")
    with database.connection_context():
        assert FollowUp.select().where(FollowUp.status == "done").count() == 1
    page.wait_for_selector("#documents-panel h2")  # lazily loaded documents panel
    assert page.outside == []  # nothing fetched from anywhere but the app itself
    assert page.csp_violations == []


def test_validation_error_focus_after_swap(page, world):
    login(page, "pap1")
    page.goto(page.base + "/kunden/neu")
    page.get_by_label("Kundennummer").fill("999D000001")
    page.get_by_label("Vorname").fill("Erika")
    page.get_by_label("Nachname").fill("Musterfrau")
    page.get_by_label("Geburtsdatum").fill("31.02.1990")
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_selector("#e-birth_date:not([hidden])")
    assert "Dieses Datum gibt es nicht." in page.locator("#e-birth_date").inner_text()
    assert page.evaluate("document.activeElement.id") == "f-birth_date"
    assert page.get_by_label("Nachname").input_value() == "Musterfrau"  # nothing typed is lost
    page.get_by_label("Geburtsdatum").fill("28.02.1990")
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_url(re.compile(r".*/kunden/\d+$"))
    assert "Musterfrau, Erika" in page.locator("h1").inner_text()


def test_guided_form_end_to_end_by_keyboard(page, world):
    """A pAp concludes a Kooperationsplan with the guided form, keyboard only; the draft survives a reload."""
    from absolvent.guided_forms.models import FormSnapshot
    from absolvent.models import Agreement
    from absolvent.documents.models import IssuedDocument
    login(page, "pap1")
    page.goto(page.base + f"/teilnahmen/{world['p1'].id}")
    page.get_by_role("button", name="Eingliederungsvereinbarung / Kooperationsplan", exact=True).focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/schritt/art")
    assert "Schritt 1 von 5: Art und Zeitraum" in page.locator("h2#step-heading").inner_text()
    page.get_by_role("button", name="Weiter").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/schritt/ziel")  # each step its own URL, pushed
    expect(page.locator("#step-heading")).to_be_focused()
    page.get_by_role("button", name="Weiter").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("[role=alert] a[href='#f-goal']")  # error summary linking to the field
    assert page.evaluate("document.activeElement.getAttribute('role')") == "alert"
    assert page.get_by_label("Eingliederungsziel").get_attribute("aria-invalid") == "true"
    page.get_by_label("Eingliederungsziel").focus()
    page.keyboard.type("Arbeit im Lager")
    page.keyboard.press("Tab")  # leaving the field saves the draft
    expect(page.locator("#messages")).to_contain_text("Entwurf gespeichert")
    page.reload()
    assert page.get_by_label("Eingliederungsziel").input_value() == "Arbeit im Lager"
    page.get_by_label("Wesentliche Schritte").focus()
    page.keyboard.type("1. Bewerbungen schreiben")
    for _ in range(3):  # Ziel und Schritte, Pflichten, Unterstützung
        page.get_by_role("button", name="Weiter").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#step-heading")).to_be_focused()
    assert "Prüfen und absenden" in page.locator("h2#step-heading").inner_text()
    assert "Arbeit im Lager" in page.locator("#form-run").inner_text()
    page.get_by_role("button", name="absenden").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/formulare/ergebnisse/**")
    assert "herunterladen" in page.get_by_role("link", name=re.compile("PDF")).inner_text()
    with database.connection_context():
        snapshot = FormSnapshot.get()
        assert Agreement.get().goal == "Arbeit im Lager" and IssuedDocument.select().count() == 1
        assert snapshot.participation_id == world["p1"].id
    assert page.outside == [] and page.csp_violations == []


def test_mb_issues_a_maengelruege_from_the_defect_record(page, world):
    """An MB goes from Meine Maßnahmen to the defect register, records a defect and issues the
    Mängelrüge (Word and PDF) with one button — the form by keyboard, in well under a minute."""
    import datetime
    import time

    from absolvent.documents.models import IssuedDocument
    from absolvent.measures.models import Defect, DefectEvent
    from absolvent.models import JobcenterSettings, Measure
    today = datetime.date.today()
    with database.connection_context():
        JobcenterSettings.update(rez_name="Regionales Einkaufszentrum Nord",
                                 rez_address="Beispielstraße 10\n30159 Hannover").execute()
        measure = Measure.create(type_code="MAT", measure_number="962/77777", title="Aktivierung Lager",
                                 provider=world["m1"].provider_id, start=today - datetime.timedelta(days=30),
                                 end=today + datetime.timedelta(days=60), capacity=12, mb=world["mb1"])
    login(page, "mb1")
    started = time.monotonic()
    page.get_by_role("link", name="Meine Maßnahmen", exact=True).click()
    page.get_by_role("link", name="962/77777 Aktivierung Lager").click()
    page.get_by_role("link", name="Mängel und Mängelrügen").click()
    def type_into(label, text):  # replaces what the field holds (the date found is prefilled with today)
        page.get_by_label(label).focus()
        page.keyboard.press("Control+A")
        page.keyboard.type(text)

    def choose(label, letters):  # a select by keyboard: its first letters pick the option
        page.get_by_label(label).focus()
        page.keyboard.type(letters)

    type_into("Festgestellt am", f"{today:%d.%m.%Y}")
    choose("Festgestellt durch", "Bes")
    choose("Einstufung", "erh")
    choose("Grundlage der verletzten Vorgabe", "Lei")
    type_into("Verletzte Vorgabe (Abschnitt, Klausel)", "B.2.3 Personal: Betreuungsschlüssel 1:12")
    type_into("Sachverhalt mit Datum", f"{today:%d.%m.%Y}: Sozialpädagogin nicht anwesend")
    type_into("Frist zur Behebung", f"{today + datetime.timedelta(days=14):%d.%m.%Y}")
    page.get_by_role("button", name="Mangel erfassen").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/maengel/\d+$"))
    page.get_by_role("button", name="Mängelrüge erstellen (Word und PDF)").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="PDF herunterladen").first).to_be_visible(timeout=30_000)
    assert time.monotonic() - started < 60
    with database.connection_context():
        defect = Defect.get(Defect.measure == measure.id)
        assert defect.status == "geruegt" and (defect.found_how, defect.severity) == ("besuch", "erheblich")
        assert defect.clause_source == "leistungsbeschreibung"
        event = DefectEvent.get(DefectEvent.defect == defect.id, DefectEvent.kind == "maengelruege")
        letters = {d.format: d for d in IssuedDocument.select().where(IssuedDocument.measure == measure.id)}
        assert set(letters) == {"pdf", "docx"} and event.document_id == letters["pdf"].id
    assert page.outside == [] and page.csp_violations == []


def test_tl_checks_the_sample_and_signs_off_by_keyboard(page, world):
    """The TL draws the sample of next month's list, rates the case and signs the list off — keyboard only."""
    import datetime

    from absolvent.formats import first_of_next_month
    from absolvent.models import Measure, Participation
    from absolvent.supervision.models import SupervisionReview
    today = datetime.date.today()
    month = first_of_next_month(today)
    with database.connection_context():
        fbw = Measure.create(type_code="FBW", measure_number="962/88888", title="Lagerlogistik",
                             provider=world["m1"].provider_id, start=today - datetime.timedelta(days=90),
                             end=month + datetime.timedelta(days=9), capacity=12)
        Participation.create(customer=world["c1"], measure=fbw, entry=fbw.start, planned_end=fbw.end)
    login(page, "tl1")
    page.goto(page.base + f"/fachaufsicht/liste?monat={month:%Y-%m}&team={world['t1'].id}")
    page.locator("#f-art-anteil").focus()
    page.keyboard.press("Space")
    page.get_by_label("Anzahl Fälle bzw. Prozent").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("100")
    page.get_by_role("button", name="Stichprobe ziehen").focus()
    page.keyboard.press("Enter")
    # focus follows the swap to its message (after htmx settles): only then is the link's focus kept
    expect(page.locator("#supervision-rows .flash[role=status]")).to_be_focused()
    link = page.get_by_role("link", name=re.compile("Prüfen"))
    expect(link).to_be_visible()
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/fachaufsicht/fall/*")
    for select in page.locator("select[name^='k_']").all():
        select.focus()
        page.keyboard.press("i")  # i.O.
    page.get_by_role("button", name="Prüfung speichern").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#case-check [role=status]")).to_be_focused()  # focus follows the swap
    page.get_by_role("link", name=re.compile("Zurück zur Fachaufsicht-Liste")).focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/fachaufsicht/liste?*")
    page.locator("#f-bestaetigt").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Digital abzeichnen").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Digital abgezeichnet von")).to_be_visible()
    with database.connection_context():
        review = SupervisionReview.get(SupervisionReview.team == world["t1"].id)
        assert review.signed_by_id == world["tl1"].id and len(review.signed_sha256) == 64
    assert page.outside == [] and page.csp_violations == []
