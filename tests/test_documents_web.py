"""Documents on the case page: agreements, pre-flight, generation, archive,
downloads, template management, bulk print and the Fachaufsicht list."""
import datetime
import hashlib
import io
import zipfile

import pytest
from playhouse.schema_diff import diff_models
from pypdf import PdfReader

from absolvent.db import database
from absolvent.documents.models import DOCUMENT_MODELS, BulkJob, IssuedDocument, TemplateVersion
from absolvent.models import Agreement
from absolvent.models import AuditLog
from tests.helpers import docx_text, pdf_text, tiny_docx

SPECIAL = "A & B <c> \"d\" 'e' äöüß €"
TODAY = datetime.date.today()


def relogin(auth, username):
    auth.logout()
    auth.login(username)


def panel_url(p):
    return f"/teilnahmen/{p.id}/dokumente"


def make_agreement(p, author, **kw):
    data = dict(participation=p, customer=p.customer_id, kind="KP", agreement_kind="neu",
                concluded_on=TODAY, review_date=TODAY + datetime.timedelta(days=180),
                goal="Ziel", steps="Schritte", author=author)
    data.update(kw)
    with database.connection_context():
        return Agreement.create(**data)


def issued(**where):
    with database.connection_context():
        query = IssuedDocument.select().order_by(IssuedDocument.id)
        for key, value in where.items():
            query = query.where(getattr(IssuedDocument, key) == value)
        return list(query)


def test_migrated_document_schema_equals_models(db):
    diff = diff_models(db.obj, DOCUMENT_MODELS)
    assert not diff, str(diff)


# ------------------------------------------------------------------ panel and agreements

def test_panel_full_page_and_fragment(world, auth):
    auth.login("pap1")
    full = auth.get(panel_url(world["p1"]))
    assert full.status_code == 200 and "<html" in full.get_data(as_text=True)
    frag = auth.get(panel_url(world["p1"]), htmx=True)
    body = frag.get_data(as_text=True)
    assert frag.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<section id="documents-panel"')
    assert "Kooperationsplan" in body and "Kooperationsplan abschließen (geführtes Formular)" in body
    assert "HX-Request" in frag.headers["Vary"]
    with database.connection_context():
        assert AuditLog.select().where(AuditLog.entity == "documents", AuditLog.action == "read").count() == 2


# ------------------------------------------------------------------ generation, archive, download

def generate(auth, p, a, fmt, htmx=False, **extra):
    return auth.post(f"/teilnahmen/{p.id}/vereinbarungen/{a.id}/dokument", {"format": fmt, **extra}, htmx=htmx)


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_generate_archive_and_download_byte_identical(world, auth, fmt):
    p = world["p1"]
    a = make_agreement(p, world["pap1"], goal=SPECIAL, steps="Schritt " + SPECIAL)
    auth.login("pap1")
    response = generate(auth, p, a, fmt)
    assert response.status_code == 302
    [doc] = issued(participation=p.id)
    data = doc.data
    assert doc.format == fmt and doc.number == 1 and doc.author_id == world["pap1"].id
    assert doc.sha256 == hashlib.sha256(data).hexdigest() and doc.size == len(data)
    assert doc.agreement_id == a.id and doc.customer_id == world["c1"].id
    assert doc.template_version.startswith("builtin-")
    text = docx_text(data) if fmt == "docx" else pdf_text(data)
    assert "Albrecht" in text and SPECIAL in text and "Kooperationsplan" in text
    download = auth.get(f"/dokumente/{doc.id}/datei")
    assert download.status_code == 200 and download.data == data
    assert download.mimetype == doc.mime_type
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"_v1.{fmt}" in disposition and "/" not in disposition
    with database.connection_context():
        assert AuditLog.select().where(AuditLog.action == "download", AuditLog.entity_id == str(doc.id)).exists()


def test_generate_from_panel_htmx_returns_panel(world, auth):
    p = world["p1"]
    a = make_agreement(p, world["pap1"])
    auth.login("pap1")
    response = generate(auth, p, a, "pdf", htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and 'id="documents-panel"' in body
    assert "Version 1" in body and "Herunterladen" in body


def test_regenerating_creates_new_version_and_keeps_old(world, auth):
    p = world["p1"]
    a = make_agreement(p, world["pap1"], goal="Erstes Ziel")
    auth.login("pap1")
    generate(auth, p, a, "docx")
    with database.connection_context():
        Agreement.update(goal="Zweites Ziel").where(Agreement.id == a.id).execute()
    generate(auth, p, a, "docx")
    first, second = issued(participation=p.id)
    assert (first.number, second.number) == (1, 2)
    assert "Erstes Ziel" in docx_text(first.data) and "Zweites Ziel" in docx_text(second.data)
    assert first.sha256 != second.sha256
    assert auth.get(f"/dokumente/{first.id}/datei").data == first.data
    panel = auth.get(panel_url(p), htmx=True).get_data(as_text=True)
    assert panel.count("Herunterladen") == 2


@pytest.mark.parametrize("htmx", [False, True])
def test_preflight_lists_missing_fields(world, auth, htmx):
    p = world["p1"]
    a = make_agreement(p, world["pap1"], steps="", review_date=None)
    url = f"/teilnahmen/{p.id}/vereinbarungen/{a.id}/dokument"
    auth.login("pap1")
    page = auth.get(url, htmx=htmx)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and ("<html" in body) is not htmx
    assert "Wesentliche Schritte" in body and "Überprüfung am" in body and "Trotzdem erstellen" in body
    assert f"/teilnahmen/{p.id}/formulare/eingliederungsvereinbarung" in body  # fill them in: Fortschreibung
    refused = auth.post(url, {"format": "pdf"})
    assert refused.status_code == 422 and "Wesentliche Schritte" in refused.get_data(as_text=True)
    assert issued() == []
    forced = auth.post(url, {"format": "pdf", "force": "1"})
    assert forced.status_code == 302 and len(issued()) == 1


def test_complete_agreement_offers_erstellen(world, auth):
    p = world["p1"]
    a = make_agreement(p, world["pap1"])
    auth.login("pap1")
    body = auth.get(f"/teilnahmen/{p.id}/vereinbarungen/{a.id}/dokument").get_data(as_text=True)
    assert "Alle nötigen Angaben sind vorhanden." in body and ">Erstellen<" in body


def test_unknown_format_is_refused(world, auth):
    p = world["p1"]
    a = make_agreement(p, world["pap1"])
    auth.login("pap1")
    response = generate(auth, p, a, "exe")
    assert response.status_code == 422 and "Bitte ein Format" in response.get_data(as_text=True)
    assert issued() == []


# ------------------------------------------------------------------ permissions

@pytest.mark.parametrize("user, panel, edit", [
    ("pap1", 200, True), ("tl1", 200, True), ("mb1", 200, False), ("bl", 200, False),
    ("bov1", 200, False), ("dqm1", 200, False), ("pap2", 403, False), ("mb2", 403, False),
    ("admin", 403, False),
])
def test_permission_matrix_case_documents(world, auth, user, panel, edit):
    p = world["p1"]
    a = make_agreement(p, world["pap1"])
    auth.login("pap1")
    generate(auth, p, a, "pdf")
    [doc] = issued()
    relogin(auth, user)
    assert auth.get(panel_url(p)).status_code == panel
    assert auth.get(f"/dokumente/{doc.id}/datei").status_code == panel
    expected = 302 if edit else 403
    start = auth.post(f"/teilnahmen/{p.id}/formulare/eingliederungsvereinbarung", {})
    assert start.status_code == expected  # agreements are concluded with the guided form
    assert generate(auth, p, a, "pdf").status_code == expected
    assert auth.get(f"/teilnahmen/{p.id}/vereinbarungen/{a.id}/dokument").status_code == (200 if edit else 403)


def test_anonymous_is_sent_to_login(world, client):
    assert client.get(panel_url(world["p1"])).status_code == 302


# ------------------------------------------------------------------ template management

@pytest.mark.parametrize("user, status", [("admin", 200), ("pap1", 403), ("tl1", 403), ("bl", 403)])
def test_template_admin_permissions(world, auth, user, status):
    auth.login(user)
    assert auth.get("/verwaltung/vorlagen").status_code == status
    upload = {"template": (io.BytesIO(tiny_docx("x")), "template.docx")}
    assert auth.post("/verwaltung/vorlagen/eingliederungsvereinbarung", upload).status_code == (
        302 if status == 200 else 403)


def upload(auth, data, name="template.docx", document="eingliederungsvereinbarung"):
    return auth.post(f"/verwaltung/vorlagen/{document}",
                     {"template": (io.BytesIO(data), name), "note": "Test"}, content_type="multipart/form-data")


def active_versions():
    with database.connection_context():
        return [t.version for t in TemplateVersion.select().where(TemplateVersion.active == True)]  # noqa: E712


def test_upload_valid_template_activates_it_and_is_used(world, auth):
    auth.login("admin")
    response = upload(auth, tiny_docx("Neue Vorlage für {{ customer.last_name }}: {{ agreement.goal }}"))
    assert response.status_code == 302 and active_versions() == [1]
    page = auth.get("/verwaltung/vorlagen").get_data(as_text=True)
    assert "upload-1" in page and "aktiv" in page
    p = world["p1"]
    a = make_agreement(p, world["pap1"], goal=SPECIAL)
    relogin(auth, "pap1")
    generate(auth, p, a, "docx")
    [doc] = issued()
    assert doc.template_version == "upload-1"
    assert docx_text(doc.data) == f"Neue Vorlage für Albrecht: {SPECIAL}"


@pytest.mark.parametrize("data, name, message", [
    (tiny_docx("{{ ''.__class__.__mro__ }}"), "template.docx", "Vorlage wurde nicht aktiviert"),
    (b"Hallo, ich bin kein Word", "template.docx", "keine Word-Datei"),
    (b"%PDF-1.4", "vorlage.pdf", "Bitte eine Word-Datei (.docx) hochladen."),
    (tiny_docx("{% for x in %}"), "template.docx", "Vorlage wurde nicht aktiviert"),
])
def test_bad_template_is_refused_and_not_activated(world, auth, data, name, message):
    auth.login("admin")
    upload(auth, tiny_docx("Version eins"))
    response = upload(auth, data, name)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and message in body and 'role="alert"' in body
    assert active_versions() == [1]
    with database.connection_context():
        assert TemplateVersion.select().count() == 1


def test_unsafe_template_reason_is_german(world, auth):
    auth.login("admin")
    body = upload(auth, tiny_docx("{{ ''.__class__.__mro__ }}")).get_data(as_text=True)
    assert "__class__" not in body or "nicht" in body
    assert "Traceback" not in body


def test_restore_older_version_and_builtin(world, auth):
    auth.login("admin")
    upload(auth, tiny_docx("Version eins"))
    upload(auth, tiny_docx("Version zwei"))
    assert active_versions() == [2]
    assert auth.post("/verwaltung/vorlagen/eingliederungsvereinbarung/wiederherstellen",
                     {"version": "1"}).status_code == 302
    assert active_versions() == [1]
    assert auth.post("/verwaltung/vorlagen/eingliederungsvereinbarung/wiederherstellen",
                     {"version": "0"}).status_code == 302
    assert active_versions() == []
    missing = auth.post("/verwaltung/vorlagen/eingliederungsvereinbarung/wiederherstellen", {"version": "9"})
    assert missing.status_code == 422 and "gibt es nicht" in missing.get_data(as_text=True)
    with database.connection_context():
        assert TemplateVersion.select().count() == 2


def test_pdf_only_document_has_no_upload(world, auth):
    auth.login("admin")
    response = upload(auth, tiny_docx("x"), document="fachaufsicht-liste")
    assert response.status_code == 422 and "keine Word-Vorlage" in response.get_data(as_text=True)


# ------------------------------------------------------------------ bulk

@pytest.fixture
def bulk_world(world, app, make):
    app.config["BULK_SYNC"] = True
    c3 = make.customer(world["t1"], world["pap1"], last_name="Özdemir")
    p3 = make.participation(c3, world["m2"])
    make_agreement(world["p1"], world["pap1"], goal="Ziel Albrecht")
    make_agreement(p3, world["pap1"], goal="Ziel " + SPECIAL)
    world["p3"] = p3
    return world


def start_bulk(auth, ids, fmt, htmx=False):
    return auth.post("/dokumente/sammeldruck", {"teilnahme": [str(i) for i in ids], "format": fmt,
                                                "status": ""}, htmx=htmx)


@pytest.mark.parametrize("htmx", [False, True])
def test_bulk_list_full_and_fragment(bulk_world, auth, htmx):
    auth.login("pap1")
    response = auth.get("/dokumente/sammeldruck?status=", htmx=htmx)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and ("<html" in body) is not htmx
    assert "Albrecht" in body and "Özdemir" in body and "Berger" not in body


def test_bulk_zip_of_docx(bulk_world, auth):
    w = bulk_world
    auth.login("pap1")
    response = start_bulk(auth, [w["p1"].id, w["p3"].id], "docx")
    assert response.status_code == 302
    with database.connection_context():
        job = BulkJob.get()
    assert job.status == "done" and job.done == job.total == 2
    page = auth.get(f"/dokumente/sammeldruck/{job.id}", htmx=True)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" not in body and "every 1s" not in body
    assert "herunterladen" in body and 'role="status"' in body
    download = auth.get(f"/dokumente/sammeldruck/{job.id}/datei")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        names = archive.namelist()
        texts = [docx_text(archive.read(n)) for n in names]
    assert len(names) == 2 and "Ziel Albrecht" in texts[0] and SPECIAL in texts[1]
    docs = issued()
    assert len(docs) == 2 and {d.participation_id for d in docs} == {w["p1"].id, w["p3"].id}
    assert sorted(names) == sorted(d.file_name for d in docs)


def test_bulk_merged_pdf(bulk_world, auth):
    w = bulk_world
    auth.login("pap1")
    start_bulk(auth, [w["p1"].id, w["p3"].id], "pdf", htmx=True)
    with database.connection_context():
        job = BulkJob.get()
    data = auth.get(f"/dokumente/sammeldruck/{job.id}/datei").data
    singles = issued()
    assert len(PdfReader(io.BytesIO(data)).pages) == sum(len(PdfReader(io.BytesIO(d.data)).pages) for d in singles)
    text = pdf_text(data)
    assert text.index("Albrecht") < text.index("Özdemir") and SPECIAL in text


def test_an_interrupted_job_ends_with_a_message_and_jobs_are_limited(bulk_world, auth):
    """Issue 10 finding 10: a job whose worker died (restart) does not show "läuft" forever,
    and a user cannot start any number of jobs."""
    auth.login("pap1")
    stale = datetime.datetime.now() - datetime.timedelta(minutes=2)
    with database.connection_context():
        dead = BulkJob.create(user=bulk_world["pap1"], document="eingliederungsvereinbarung", format="pdf",
                              participation_ids="1", total=1, status="running", created_at=stale, heartbeat_at=stale)
        alive = [BulkJob.create(user=bulk_world["pap1"], document="eingliederungsvereinbarung", format="pdf",
                                participation_ids="1", total=1, status="running",
                                heartbeat_at=datetime.datetime.now()) for _ in range(2)]
    body = auth.get(f"/dokumente/sammeldruck/{dead.id}", htmx=True).get_data(as_text=True)
    assert "unterbrochen" in body and "every 1s" not in body  # no more polling
    with database.connection_context():
        assert BulkJob.get_by_id(dead.id).status == "failed"
        assert all(BulkJob.get_by_id(j.id).status == "running" for j in alive)
    refused = start_bulk(auth, [bulk_world["p1"].id], "pdf")
    assert refused.status_code == 422 and "bereits 2 Druckaufträge" in refused.get_data(as_text=True)
    with database.connection_context():
        BulkJob.update(status="done").where(BulkJob.id == alive[0].id).execute()
    assert start_bulk(auth, [bulk_world["p1"].id], "pdf").status_code == 302


def test_bulk_progress_polls_while_running(bulk_world, auth):
    auth.login("pap1")
    with database.connection_context():
        job = BulkJob.create(user=bulk_world["pap1"], document="eingliederungsvereinbarung", format="pdf",
                             participation_ids="1,2", total=2, done=1, status="running")
    full = auth.get(f"/dokumente/sammeldruck/{job.id}")
    assert full.status_code == 200 and "<html" in full.get_data(as_text=True)
    body = auth.get(f"/dokumente/sammeldruck/{job.id}", htmx=True).get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in body and 'hx-target="this"' in body and 'hx-swap="outerHTML"' in body
    assert "1 von 2" in body
    assert auth.get(f"/dokumente/sammeldruck/{job.id}/datei").status_code == 404
    relogin(auth, "tl1")
    assert auth.get(f"/dokumente/sammeldruck/{job.id}").status_code == 403


@pytest.mark.parametrize("user", ["pap1", "bov1"])
def test_bulk_refuses_cases_user_may_not_use(bulk_world, auth, user):
    w = bulk_world
    auth.login(user)
    response = start_bulk(auth, [w["p1"].id, w["p2"].id], "docx")
    assert response.status_code == 403
    with database.connection_context():
        assert BulkJob.select().count() == 0
    assert issued() == []


def test_bulk_requires_selection_and_agreement(bulk_world, auth, make):
    w = bulk_world
    p4 = make.participation(w["c1"], w["m2"])
    auth.login("pap1")
    empty = start_bulk(auth, [], "pdf")
    assert empty.status_code == 422 and "mindestens einen Fall" in empty.get_data(as_text=True)
    without = start_bulk(auth, [w["p1"].id, p4.id], "pdf")
    assert without.status_code == 422 and "Ohne Vereinbarung" in without.get_data(as_text=True)
    with database.connection_context():
        assert BulkJob.select().count() == 0


def test_navigation_entries(world, auth):
    auth.login("tl1")
    body = auth.get("/start").get_data(as_text=True)
    assert "Sammeldruck" in body and "Fachaufsicht" in body and "Vorlagen" not in body
    relogin(auth, "admin")
    body = auth.get("/start").get_data(as_text=True)
    assert "Vorlagen" in body and "Sammeldruck" not in body


def test_bulk_runs_in_background_thread(bulk_world, auth, app):
    """Without BULK_SYNC the request returns at once and a thread with its own connection works."""
    import time
    app.config["BULK_SYNC"] = False
    w = bulk_world
    auth.login("pap1")
    response = start_bulk(auth, [w["p1"].id, w["p3"].id], "pdf", htmx=True)
    assert response.status_code == 204 and "/dokumente/sammeldruck/" in response.headers["HX-Redirect"]
    url = response.headers["HX-Redirect"]
    for _ in range(240):
        body = auth.get(url, htmx=True).get_data(as_text=True)
        if "every 1s" not in body:
            break
        time.sleep(0.5)
    assert "Fertig." in body, body
    assert len(issued()) == 2


def test_participation_page_loads_documents_panel(world, auth):
    auth.login("pap1")
    body = auth.get(f"/teilnahmen/{world['p1'].id}").get_data(as_text=True)
    assert f'hx-get="/teilnahmen/{world["p1"].id}/dokumente"' in body and 'hx-trigger="load"' in body


def test_archive_numbers_are_unique_for_documents_without_a_case(app, world):
    """Issue 10 finding 2: the unique index must also apply when the participation is NULL,
    and concurrent archives of the same list get consecutive numbers, never a 500."""
    import threading

    from peewee import IntegrityError

    from absolvent.documents import operations
    from absolvent.documents.render import registry
    with app.app_context():
        spec = registry.get(operations.forms_dir(), "fachaufsicht-liste")
    numbers, errors = [], []

    def issue():
        with app.app_context(), database.connection_context():
            try:
                doc = operations.archive(spec, "pdf", b"%PDF-1.4 test", "builtin", world["tl1"],
                                         ("Fachaufsicht", "Team A"), team=world["t1"], subject="Team 1 2026-12")
                numbers.append(doc.number)
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

    threads = [threading.Thread(target=issue) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and sorted(numbers) == list(range(1, 9))
    with database.connection_context(), pytest.raises(IntegrityError), database.atomic():
        first = IssuedDocument.get(IssuedDocument.number == 1)
        IssuedDocument.create(**{k: v for k, v in first.__data__.items() if k != "id"})
