"""Files kept with a measure: what store_file accepts (PDF, DOCX) and refuses (fake PDF, macros,
other ZIPs, empty, too big), the names kept, and who may download what."""
import hashlib
import io
import zipfile

import pytest
from werkzeug.datastructures import FileStorage

from absolvent import vocabulary
from absolvent.db import database
from absolvent.measures import files
from absolvent.measures.models import MeasureFile
from absolvent.models import AuditLog
from tests.helpers import tiny_docx

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def upload(data, name):
    return FileStorage(stream=io.BytesIO(data), filename=name)


def zip_bytes(entries):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, text in entries.items():
            zf.writestr(name, text)
    return out.getvalue()


def store(world, data, name, kind="konzept", **kw):
    with database.connection_context():
        return files.store_file(world["m1"], kind, upload(data, name), world["mb1"], **kw)


def test_pdf_is_kept_unchanged_with_checksum(world):
    row, errors = store(world, PDF, "Konzept Träger.pdf", title="Konzept 2026")
    assert errors == {}
    with database.connection_context():
        row = MeasureFile.get_by_id(row.id)
        assert row.data == PDF and row.sha256 == hashlib.sha256(PDF).hexdigest() and row.size == len(PDF)
        assert row.mime_type == "application/pdf" and row.title == "Konzept 2026"
        assert row.file_name == "Konzept-Träger.pdf" and row.participation_id is None
        assert AuditLog.select().where(AuditLog.entity == "measure-file", AuditLog.action == "create").count() == 1


def test_docx_is_accepted_and_title_defaults_to_original_name(world):
    data = tiny_docx("Leistungsbeschreibung")
    row, errors = store(world, data, "LB B.2 (final).docx", kind="leistungsbeschreibung")
    assert errors == {}
    assert row.title == "LB B.2 (final).docx" and row.file_name == "LB-B-2-final.docx"
    assert row.mime_type.endswith("wordprocessingml.document")


@pytest.mark.parametrize("data, name, message", [
    (b"MZ\x90\x00 not a pdf", "konzept.pdf", "ist aber keine PDF-Datei"),
    (b"<html>%PDF-1.4</html>", "konzept.pdf", "ist aber keine PDF-Datei"),
    (PDF, "konzept.exe", "PDF- oder Word-Datei"),
    (PDF, "konzept", "PDF- oder Word-Datei"),
    (b"", "leer.pdf", "Die Datei ist leer."),
    (zip_bytes({"a.txt": "hallo"}), "archiv.docx", "keine Word-Datei"),
    (zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>",
                "word/vbaProject.bin": "x"}), "makro.docx", "Makros"),
    (zip_bytes({"[Content_Types].xml": '<Override ContentType="application/vnd.ms-word.document.macroEnabled.main"/>',
                "word/document.xml": "<w/>"}), "makro.docx", "Makros"),
    (tiny_docx("x"), "makro.docm", "PDF- oder Word-Datei"),
    (PDF, "konzept.docx", "keine Word-Datei"),
])
def test_refused_files(world, data, name, message):
    row, errors = store(world, data, name)
    assert row is None and message in errors["file"]
    with database.connection_context():
        assert MeasureFile.select().count() == 0


def test_no_file_chosen(world):
    with database.connection_context():
        row, errors = files.store_file(world["m1"], "konzept", None, world["mb1"])
    assert row is None and errors == {"file": "Bitte eine Datei auswählen."}


def test_too_big_reads_only_limit_plus_one(world, monkeypatch):
    monkeypatch.setattr(vocabulary, "MAX_MEASURE_FILE_MB", 0.01)  # 10 485 bytes
    limit = files.limit_bytes()
    assert limit == 10485
    stream = io.BytesIO(PDF + b"0" * (limit + 5000))
    row, errors = None, None
    with database.connection_context():
        row, errors = files.store_file(world["m1"], "konzept", FileStorage(stream=stream, filename="gross.pdf"),
                                       world["mb1"])
    assert row is None and errors["file"] == "Die Datei ist zu groß: erlaubt sind höchstens 10 KB."
    assert stream.tell() == limit + 1  # nothing beyond the limit was read
    exact = PDF + b"0" * (limit - len(PDF))
    row, errors = store(world, exact, "genau.pdf")
    assert errors == {} and row.size == limit


@pytest.mark.parametrize("raw, shown, stored", [
    ("../../etc/passwd.pdf", "passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\mb\\Konzept Ä&Ö.pdf", "Konzept Ä&Ö.pdf", "Konzept-Ä-Ö.pdf"),
    ("Bericht\x00\r\n.pdf", "Bericht.pdf", "Bericht.pdf"),
    ("<script>.pdf", "<script>.pdf", "script.pdf"),
    ("<>.pdf", "<>.pdf", "Konzept-des-Trägers.pdf"),
    ("x" * 300 + ".pdf", "x" * 251 + ".pdf", "x" * 60 + ".pdf"),
])
def test_file_names_are_sanitized(world, raw, shown, stored):
    row, errors = store(world, PDF, raw)
    assert errors == {}
    assert row.title == shown and row.file_name == stored


def test_report_kinds_need_a_participation_of_this_measure(world):
    row, errors = store(world, PDF, "bericht.pdf", kind="zwischenbericht")
    assert row is None and "Teilnahme" in errors["participation"]
    row, errors = store(world, PDF, "bericht.pdf", kind="zwischenbericht", participation=world["p2"])
    assert row is None and errors["participation"] == "Diese Teilnahme gehört nicht zu dieser Maßnahme."
    row, errors = store(world, PDF, "konzept.pdf", kind="konzept", participation=world["p1"])
    assert row is None and "ganzen Maßnahme" in errors["participation"]
    row, errors = store(world, PDF, "x.pdf", kind="unbekannt")
    assert row is None and "kind" in errors


# ------------------------------------------------------------------ download

@pytest.fixture
def kept(world, make):
    """A concept of m1 (no participation) and a report on p1 (team A)."""
    with database.connection_context():
        make.user("pap3", "pAp", world["t1"])  # another pAp of team A (not the customer's own)
        concept, _ = files.store_file(world["m1"], "konzept", upload(PDF, "konzept.pdf"), world["mb1"])
        report, _ = files.store_file(world["m1"], "teilnehmerbericht", upload(tiny_docx("Bericht"), "tn.docx"),
                                     world["mb1"], participation=world["p1"])
    return {"concept": concept, "report": report}


@pytest.mark.parametrize("who", ["mb1", "mb2", "pap1", "pap2", "tl1", "bl", "admin", "dqm1", "bov1"])
def test_concept_is_readable_by_every_logged_in_user(world, kept, auth, who):
    auth.login(who)
    response = auth.get(f"/massnahmen/dateien/{kept['concept'].id}")
    assert response.status_code == 200
    assert response.data == PDF and hashlib.sha256(response.data).hexdigest() == kept["concept"].sha256
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment") and "konzept.pdf" in \
        response.headers["Content-Disposition"]
    with database.connection_context():
        assert AuditLog.select().where(AuditLog.action == "download", AuditLog.entity == "measure-file",
                                       AuditLog.entity_id == str(kept["concept"].id)).count() == 1


def test_download_is_sent_like_every_archived_document(world, kept, auth, monkeypatch):
    from absolvent.documents import views
    sent, real = [], views._send

    def spy(data, mimetype, name):
        sent.append(name)
        return real(data, mimetype, name)
    monkeypatch.setattr(views, "_send", spy)
    auth.login("mb1")
    assert auth.get(f"/massnahmen/dateien/{kept['concept'].id}").data == PDF and sent == ["konzept.pdf"]


def test_download_needs_login(world, kept, client):
    response = client.get(f"/massnahmen/dateien/{kept['concept'].id}")
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]


@pytest.mark.parametrize("who, status", [
    ("mb1", 200),  # the measure's MB
    ("pap1", 200),  # the customer's pAp
    ("pap3", 200),  # a pAp of the customer's team
    ("tl1", 200), ("bov1", 200), ("bl", 200),
    ("pap2", 403),  # a pAp of another team
    ("mb2", 403),  # another MB
    ("admin", 403),
])
def test_report_download_follows_the_participation(world, kept, auth, who, status):
    auth.login(who)
    response = auth.get(f"/massnahmen/dateien/{kept['report'].id}")
    assert response.status_code == status
    if status == 200:
        assert response.data == kept["report"].data
        assert response.headers["Content-Disposition"].startswith("attachment")
    else:
        with database.connection_context():
            assert AuditLog.select().where(AuditLog.action == "denied").count() == 1
            assert AuditLog.select().where(AuditLog.action == "download").count() == 0


def test_unknown_file_is_404(world, auth):
    auth.login("mb1")
    assert auth.get("/massnahmen/dateien/999999").status_code == 404
