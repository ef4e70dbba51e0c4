"""The BAE Vormerkliste: the Excel file (headers, date cells, frozen header, autofilter), the change
marks between two issued lists, the cover letter, the archive, refusal for other measure types,
and who may use it."""
import datetime
import io

import pytest
from openpyxl import load_workbook

from absolvent.db import database
from absolvent.documents.models import IssuedDocument
from absolvent.measures.models import ProviderList
from absolvent.models import AuditLog, Customer, Participation
from tests.helpers import docx_text, pdf_text

START = datetime.date(2026, 9, 1)
END = datetime.date(2029, 8, 31)


@pytest.fixture
def bae(world, make):
    """A BAE measure of mb1 with three pre-registered participants (Team A, pAp with phone)."""
    with database.connection_context():
        world["pap1"].phone = "05321 5570-111"
        world["pap1"].save()
        provider = make.provider(name="Ausbildungsverbund Harz", street="Am Berg 7", postal_code="38644",
                                 contact_person="Frau Brückner")
        m = make.measure("BAE", start=START, end=END, mb=world["mb1"], provider=provider,
                         measure_number="962/BAE/01", title="BaE Fachkraft für Lagerlogistik")
        people = {}
        for last, first, street in (("Adler", "Anna", "Lindenweg 1"), ("Becker", "Ben", "Bahnhofstr. 2"),
                                    ("Christ", "Cem", "Marktplatz 3")):
            c = make.customer(world["t1"], world["pap1"], last_name=last, first_name=first, street=street,
                              postal_code="38640", city="Goslar")
            people[last] = make.participation(c, m, entry=START, planned_end=END)
    return {"m": m, **people}


def url(measure):
    return f"/massnahmen/{measure.id}/vormerkliste"


def issue(auth, measure, fmt="pdf"):
    return auth.post(url(measure), {"format": fmt})


def sheet_of(provider_list):
    with database.connection_context():
        doc = IssuedDocument.get_by_id(ProviderList.get_by_id(provider_list.id).document_id)
        return load_workbook(io.BytesIO(doc.data))["Vormerkliste"], doc


def lists():
    with database.connection_context():
        return list(ProviderList.select().order_by(ProviderList.id))


def test_first_list_xlsx(world, bae, auth):
    auth.login("mb1")
    response = issue(auth, bae["m"])
    assert response.status_code == 302
    [first] = lists()
    ws, doc = sheet_of(first)
    assert doc.format == "xlsx" and doc.mime_type.endswith("spreadsheetml.sheet") and doc.measure_id == bae["m"].id
    assert doc.document == "bae-vormerkliste" and doc.subject == "Vormerkliste" and doc.participation_id is None
    assert "962/BAE/01" in ws["A1"].value and "BaE Fachkraft für Lagerlogistik" in ws["A1"].value
    assert "Träger: Ausbildungsverbund Harz" in ws["A1"].value
    assert f"Stand: {datetime.date.today():%d.%m.%Y} · 3 vorgemerkte Teilnehmende" in ws["A2"].value
    headers = [c.value for c in ws[3]]
    assert headers == ["Name", "Vorname", "Geburtsdatum", "Straße", "PLZ", "Ort", "Kundennummer",
                       "Geplanter Eintritt", "Geplantes Ende", "Ausbildungsberuf / Maßnahme",
                       "Ansprechpartner/in Jobcenter", "Telefon Ansprechpartner/in", "Änderung seit letzter Liste"]
    assert ws.freeze_panes == "A4" and ws.auto_filter.ref == "A3:M6"
    assert ws.column_dimensions["A"].width == 22 and ws.column_dimensions["M"].width == 30
    adler = [c.value for c in ws[4]]
    assert adler[:2] == ["Adler", "Anna"] and adler[3:6] == ["Lindenweg 1", "38640", "Goslar"]
    assert adler[9] == "BaE Fachkraft für Lagerlogistik" and adler[10] == "Pap1" and adler[11] == "05321 5570-111"
    assert adler[12] in ("", None)  # the first list marks nothing
    for col in ("C", "H", "I"):
        cell = ws[f"{col}4"]
        assert isinstance(cell.value, datetime.datetime) and cell.number_format == "DD.MM.YYYY"
    assert ws["C4"].value.date() == datetime.date(1990, 5, 17) and ws["H4"].value.date() == START
    assert ws["I4"].value.date() == END
    with database.connection_context():
        letter = IssuedDocument.get_by_id(first.letter_id)
        assert letter.format == "pdf" and letter.measure_id == bae["m"].id
        assert AuditLog.select().where(AuditLog.entity == "provider-list", AuditLog.action == "create").count() == 1
    text = pdf_text(letter.data)
    assert "Dies ist die erste Vormerkliste" in text and "3 Teilnehmende" in text


def test_changes_between_two_lists(world, bae, auth, make):
    auth.login("mb1")
    assert issue(auth, bae["m"]).status_code == 302
    with database.connection_context():  # one new, one moved house, one left
        c = make.customer(world["t1"], world["pap1"], last_name="Dietz", first_name="Dana", street="Neue Str. 4",
                          postal_code="38640", city="Goslar")
        make.participation(c, bae["m"], entry=START, planned_end=END)
        Customer.update(street="Rosenweg 9").where(Customer.id == bae["Becker"].customer_id).execute()
        Participation.update(exit=datetime.date(2026, 8, 15), exit_kind="abbruch").where(
            Participation.id == bae["Christ"].id).execute()
    page = auth.get(url(bae["m"])).get_data(as_text=True)
    assert ">neu</span>" in page and ">geändert: Adresse</span>" in page and ">entfällt</span>" in page
    assert issue(auth, bae["m"], fmt="docx").status_code == 302
    first, second = lists()
    ws, _ = sheet_of(second)
    marks = {row[0].value: row[12].value for row in ws.iter_rows(min_row=4)}
    assert marks == {"Adler": "", "Becker": "geändert: Adresse", "Dietz": "neu", "Christ": "entfällt"} or \
        marks == {"Adler": None, "Becker": "geändert: Adresse", "Dietz": "neu", "Christ": "entfällt"}
    assert [row[0].value for row in ws.iter_rows(min_row=4)] == ["Adler", "Becker", "Dietz", "Christ"]
    assert "3 vorgemerkte Teilnehmende" in ws["A2"].value
    with database.connection_context():
        letter = IssuedDocument.get_by_id(second.letter_id)
    text = docx_text(letter.data)
    assert letter.format == "docx"
    assert ("Vormerkliste für die Berufsausbildung in außerbetrieblichen Einrichtungen (BaE) – "
            "Maßnahme-Nr. 962/BAE/01") in text
    assert "Vorgemerkt sind derzeit 3 Teilnehmende" in text
    assert f"Gegenüber der Liste vom {first.issued_at:%d.%m.%Y} hat sich Folgendes geändert" in text
    assert "neu: Dietz, Dana" in text and "geändert: Becker, Ben" in text and "– Adresse" in text
    assert "entfällt: Christ, Cem" in text
    assert "50 %" in text and "betriebliche Berufsausbildung" in text and "sozialversicherungspflichtige" in text
    assert "zeitnah mit" in text and "Anlage: Vormerkliste (Excel)" in text and "Frau Brückner" in text
    # a third list right away: nothing changed since the second; the one who left is gone for good
    assert issue(auth, bae["m"]).status_code == 302
    ws, _ = sheet_of(lists()[2])
    assert {row[0].value: row[12].value or "" for row in ws.iter_rows(min_row=4)} == {
        "Adler": "", "Becker": "", "Dietz": ""}


def test_page_lists_past_lists_with_downloads(world, bae, auth):
    auth.login("mb1")
    issue(auth, bae["m"])
    [first] = lists()
    body = auth.get(url(bae["m"])).get_data(as_text=True)
    assert f"/dokumente/{first.document_id}/datei" in body and f"/dokumente/{first.letter_id}/datei" in body
    response = auth.get(f"/dokumente/{first.document_id}/datei")
    with database.connection_context():
        assert response.status_code == 200 and response.data == IssuedDocument.get_by_id(first.document_id).data


@pytest.mark.parametrize("user, status", [("mb1", 200), ("bl", 200), ("tl1", 403), ("mb2", 403), ("pap1", 403)])
def test_issued_list_downloads_only_for_the_mb_and_the_bl(world, bae, auth, user, status):
    """The Vormerkliste and its letter name participants of every team: not for every TL."""
    auth.login("mb1")
    issue(auth, bae["m"])
    [first] = lists()
    auth.logout()
    auth.login(user)
    for document_id in (first.document_id, first.letter_id):
        assert auth.get(f"/dokumente/{document_id}/datei").status_code == status


def test_page_full_and_fragment(world, bae, auth):
    auth.login("mb1")
    full = auth.get(url(bae["m"]))
    body = full.get_data(as_text=True)
    assert full.status_code == 200 and "<html" in body and "Vorgemerkte Teilnehmende (3)" in body
    assert "Vormerkliste erstellen (Excel) mit Anschreiben" in body and "Adler, Anna" in body
    frag = auth.get(url(bae["m"]), htmx=True)
    text = frag.get_data(as_text=True)
    assert frag.status_code == 200 and "<html" not in text and text.lstrip().startswith('<section id="bae-panel"')
    with database.connection_context():
        assert AuditLog.select().where(AuditLog.entity == "bae-list", AuditLog.action == "read").count() == 2


def test_non_bae_measure_is_refused(world, auth):
    auth.login("mb1")
    for response in (auth.get(url(world["m1"])), issue(auth, world["m1"])):
        body = response.get_data(as_text=True)
        assert response.status_code == 404 and "Keine BAE-Maßnahme" in body and "MAT-Maßnahme" in body
    assert lists() == []


def test_bad_format_and_empty_list(world, bae, auth, make):
    auth.login("mb1")
    response = issue(auth, bae["m"], fmt="exe")
    assert response.status_code == 422 and "Format für das Anschreiben" in response.get_data(as_text=True)
    with database.connection_context():
        empty = make.measure("BAE", mb=world["mb1"])
    response = issue(auth, empty)
    assert response.status_code == 422 and "niemand vorgemerkt" in response.get_data(as_text=True)
    assert lists() == []


def test_text_that_looks_like_a_formula_stays_text(world, bae, auth):
    with database.connection_context():
        Customer.update(last_name="=HYPERLINK(\"http://x\")").where(Customer.id == bae["Adler"].customer_id).execute()
    auth.login("mb1")
    issue(auth, bae["m"])
    ws, _ = sheet_of(lists()[0])
    cell = ws["A4"]
    assert cell.value == "=HYPERLINK(\"http://x\")" and cell.data_type == "s"


@pytest.mark.parametrize("who, status", [("mb1", 200), ("mb2", 403), ("pap1", 403), ("tl1", 403), ("bl", 403),
                                         ("admin", 403)])
def test_permissions(world, bae, auth, who, status):
    auth.login(who)
    assert auth.get(url(bae["m"])).status_code == status
    response = issue(auth, bae["m"])
    assert response.status_code == (302 if status == 200 else status)
    assert len(lists()) == (1 if status == 200 else 0)
