"""The one issuing sequence (pre-flight → render → archive, documents.operations.issue) and the
Träger as addressee (documents.context.provider), shared by the MB's letters and prints."""
import datetime

import pytest

from absolvent.db import database
from absolvent.documents import context as document_context
from absolvent.documents import operations
from absolvent.documents.models import IssuedDocument
from absolvent.documents.render import DocumentError
from absolvent.measures import agh_operations, bae_list, letters
from absolvent.measures import defect_operations
from absolvent.measures.models import AghAssignment, Defect
from absolvent.models import JobcenterSettings, Measure, Participation, Provider
from absolvent.validation import Conflict

LETTER = "maengelruege"


@pytest.fixture
def ctx(app):
    with app.app_context(), database.connection_context():
        yield


@pytest.fixture
def letter_context(world, ctx):
    """A complete Mängelrüge context for a defect of m1 (nothing stored)."""
    JobcenterSettings.update(rez_name="Regionales Einkaufszentrum Nord", rez_address="Postfach 1\n30001 Hannover"
                             ).execute()
    form = {"found_on": "12.03.2026", "found_how": "besuch", "clause_source": "vertrag", "clause": "§ 4 Personal",
            "facts": "12.03.2026: keine Lehrkraft", "severity": "erheblich", "remedy_deadline": "31.03.2026"}
    defect, errors = defect_operations.record_defect(world["m1"], form, world["mb1"], today=datetime.date(2026, 3, 17))
    assert errors == {}
    return letters.notice_context(defect, world["m1"], world["mb1"])


def count():
    return IssuedDocument.select().count()


# ------------------------------------------------------------------ the Träger as addressee

@pytest.mark.parametrize("street, postal_code, city, lines", [
    ("Bäckerstraße 12", "38640", "Goslar", ["Bäckerstraße 12", "38640 Goslar"]),
    ("Bäckerstraße 12", "", "Goslar", ["Bäckerstraße 12", "Goslar"]),
    ("", "38640", "", ["38640"]),
    ("", "", "", []),
])
def test_provider_address_lines(make, street, postal_code, city, lines):
    p = make.provider(name="Bildungswerk Harz", street=street, postal_code=postal_code, contact_person="Frau Önal",
                      email="info@bw.de", phone="05321 1")
    Provider.update(city=city).where(Provider.id == p.id).execute()
    assert document_context.provider(Provider.get_by_id(p.id)) == {
        "name": "Bildungswerk Harz", "contact_person": "Frau Önal", "address_lines": lines, "email": "info@bw.de",
        "phone": "05321 1"}


def test_every_letter_to_the_traeger_uses_the_same_addressee(world, make, letter_context):
    m = world["m1"]
    Provider.update(street="Bäckerstraße 12", postal_code="38640", email="info@bw.de").where(
        Provider.id == m.provider_id).execute()
    expected = document_context.provider(Provider.get_by_id(m.provider_id))
    assert expected["address_lines"] == ["Bäckerstraße 12", "38640 Goslar"]
    m = Measure.get_by_id(m.id)
    bae = bae_list.letter_context(m, [], [], None, world["mb1"], datetime.date(2026, 3, 17), 1)
    agh_measure = make.measure("AGH", mb=world["mb1"], provider=m.provider)
    p = make.participation(world["c1"], agh_measure)
    a = AghAssignment.create(participation=p.id, created_by=world["mb1"], issued_on=datetime.date(2026, 1, 5),
                             activity="Grünpflege", field_of_work="gala", hours_per_week=20, compensation_cents=200,
                             place="Bauhof", start=datetime.date(2026, 1, 12), end=datetime.date(2026, 6, 30))
    agh = agh_operations.context(a, Participation.get_by_id(p.id), world["mb1"])
    notice = letters.notice_context(Defect.get(), m, world["mb1"])
    assert bae["provider"] == agh["provider"] == notice["provider"] == expected


# ------------------------------------------------------------------ issue

def test_issue_one_format_archives_it(world, letter_context):
    issued = operations.issue(LETTER, "pdf", letter_context, world["mb1"], ("Test", "1"), measure=world["m1"],
                              subject="Test")
    assert issued.missing == [] and issued.error == "" and issued.reason() == ""
    doc = issued.document
    assert (doc.document, doc.format, doc.measure_id, doc.subject, doc.number) == (LETTER, "pdf", world["m1"].id,
                                                                                  "Test", 1)
    assert issued.documents == {"pdf": doc} and count() == 1


def test_issue_several_formats_and_the_callers_writes_in_one_transaction(world, letter_context):
    seen = []

    def then(docs):
        seen.append({fmt: doc.id for fmt, doc in docs.items()})
        return "geschrieben"
    issued = operations.issue(LETTER, ("pdf", "docx"), letter_context, world["mb1"], ("Test",), measure=world["m1"],
                              subject=lambda fmt: f"Test {fmt}", then=then)
    assert issued.result == "geschrieben" and list(issued.documents) == ["pdf", "docx"]
    assert seen == [{"pdf": issued.documents["pdf"].id, "docx": issued.documents["docx"].id}]
    assert [d.subject for d in issued.documents.values()] == ["Test pdf", "Test docx"]
    assert issued.document == issued.documents["pdf"] and count() == 2


def test_a_failing_write_rolls_the_archive_back(world, letter_context):
    def then(docs):
        raise Conflict()
    with pytest.raises(Conflict):
        operations.issue(LETTER, ("pdf", "docx"), letter_context, world["mb1"], ("Test",), measure=world["m1"],
                         then=then)
    assert count() == 0


def test_missing_fields_stop_it_unless_forced(world, letter_context):
    letter_context["provider"]["name"] = ""
    issued = operations.issue(LETTER, "pdf", letter_context, world["mb1"], ("Test",), measure=world["m1"])
    assert issued.document is None and ("provider.name", "Name des Trägers") in issued.missing
    assert "Für das Schreiben fehlen: " in issued.reason("das Schreiben") and "Name des Trägers" in issued.reason()
    assert count() == 0
    forced = operations.issue(LETTER, "pdf", letter_context, world["mb1"], ("Test",), measure=world["m1"], force=True)
    assert forced.document is not None and forced.missing == issued.missing


def test_unknown_format_and_render_error_archive_nothing(world, letter_context, monkeypatch):
    bad = operations.issue(LETTER, "exe", letter_context, world["mb1"], ("Test",), measure=world["m1"])
    assert bad.error == "Bitte ein Format (Word oder PDF) wählen." and bad.reason() == bad.error

    def broken(spec, fmt, context):
        if fmt == "docx":
            raise DocumentError("Die Vorlage ist beschädigt.")
        return b"%PDF-1.4", "builtin"
    monkeypatch.setattr(operations, "render", broken)
    failed = operations.issue(LETTER, ("pdf", "docx"), letter_context, world["mb1"], ("Test",), measure=world["m1"])
    assert failed.document is None and failed.error == "Die Vorlage ist beschädigt." and count() == 0
