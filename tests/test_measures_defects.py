"""Mängelregister (RULES.md §5.7): recording with validation, access, the Mängelrüge and its
archive, the follow-ups at each deadline, remedy, escalation (REZ or §183 SGB III) and the CLI."""
import datetime
import hashlib
import io

import docx
import pytest
from pypdf import PdfReader

from absolvent.db import database
from absolvent.documents.models import IssuedDocument
from absolvent.measures import defect_operations as ops
from absolvent.measures.models import Defect, DefectEvent
from absolvent.models import AuditLog, FollowUp, JobcenterSettings, PlanEvent, Provider
from tests.helpers import docx_text, pdf_text

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)


def de(day):
    return f"{day:%d.%m.%Y}"


def form(**kw):
    data = {"found_on": de(TODAY - 2 * DAY), "found_how": "besuch", "clause_source": "leistungsbeschreibung",
            "clause": "B.2.3 Personal: Betreuungsschlüssel 1:12", "severity": "erheblich",
            "facts": f"{de(TODAY - 2 * DAY)}: 19 Teilnehmende mit einer Lehrkraft; Sozialpädagogin nicht anwesend.",
            "evidence": "Vermerk über die Sprechstunde", "obligation": "",
            "remedy_deadline": de(TODAY + 14 * DAY), "comment_deadline": de(TODAY + 7 * DAY)}
    data.update(kw)
    return data


@pytest.fixture
def settings(db):
    JobcenterSettings.update(rez_name="Regionales Einkaufszentrum Nord",
                             rez_address="Postfach 10 12 34\n30001 Hannover",
                             agentur_name="Agentur für Arbeit Goslar, AG-/Trägerteam",
                             agentur_address="Robert-Koch-Straße 11\n38642 Goslar").execute()
    Provider.update(street="Bäckerstraße 12", postal_code="38640").execute()


@pytest.fixture
def voucher(world, make):
    """An FbW measure (Gutschein) supervised by mb1."""
    return make.measure("FBW", mb=world["mb1"], measure_number="FbW-2026-0142", procurement="gutschein",
                        title="Qualifizierung Lagerlogistik")


@pytest.fixture
def ctx(app):
    with app.app_context(), database.connection_context():
        yield


def create(auth, measure, htmx=False, **kw):
    return auth.post(f"/massnahmen/{measure.id}/maengel", form(**kw), htmx=htmx)


def make_defect(measure, user, today=TODAY, **kw):
    with database.connection_context():
        defect, errors = ops.record_defect(measure, form(**kw), user, today=today)
    assert errors == {}
    return defect


def reload(defect):
    with database.connection_context():
        return Defect.get_by_id(defect.id)


def followups(measure):
    with database.connection_context():
        return {f.step_id: f for f in FollowUp.select().where(FollowUp.measure == measure.id)}


def events(defect):
    with database.connection_context():
        return list(DefectEvent.select().where(DefectEvent.defect == defect.id).order_by(DefectEvent.id))


# ------------------------------------------------------------------ recording

@pytest.mark.parametrize("field, value, message", [
    ("found_on", de(TODAY + DAY), "darf nicht in der Zukunft liegen"),
    ("found_on", "31.02.2026", "Festgestellt am"),
    ("found_how", "telepathie", "Unbekannter Wert"),
    ("clause_source", "", "Bitte die Grundlage"),
    ("severity", "katastrophal", "Unbekannter Wert"),
    ("clause", "", "Bitte die verletzte Vorgabe angeben"),
    ("facts", "", "Bitte den Sachverhalt angeben"),
    ("facts", "Sozialpädagogin fehlt", "mit Datum"),
    ("remedy_deadline", "", "Bitte Frist zur Behebung angeben"),
    ("remedy_deadline", de(TODAY - 2 * DAY), "muss nach dem Tag der Feststellung"),
    ("remedy_deadline", de(TODAY - DAY), "darf nicht in der Vergangenheit liegen"),
    ("remedy_deadline", de(TODAY + 400 * DAY), "höchstens ein Jahr"),
    ("comment_deadline", de(TODAY + 20 * DAY), "darf nicht nach der Frist zur Behebung"),
    ("comment_deadline", de(TODAY - 3 * DAY), "darf nicht vor dem Tag der Feststellung"),
])
def test_create_refuses_bad_input_next_to_field_and_keeps_input(world, auth, field, value, message):
    auth.login("mb1")
    response = create(auth, world["m1"], **{field: value, "evidence": "Anwesenheitsliste <KW 11> & Co."})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    error_at = body.index(f'id="e-{field}"')
    assert message in body[error_at:error_at + 400]
    assert "Anwesenheitsliste &lt;KW 11&gt; &amp; Co." in body  # nothing lost, escaped
    with database.connection_context():
        assert Defect.select().count() == 0


def test_create_as_fragment_returns_only_the_form(world, auth):
    auth.login("mb1")
    response = create(auth, world["m1"], htmx=True, clause="")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in body
    assert body.lstrip().startswith('<form id="defect-form"') and "Bitte die verletzte Vorgabe angeben" in body


def test_create_plans_follow_ups_at_each_deadline(world, auth):
    auth.login("mb1")
    response = create(auth, world["m1"])
    with database.connection_context():
        defect = Defect.get()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/maengel/{defect.id}")
    assert defect.status == "offen" and defect.created_by_id == world["mb1"].id
    steps = followups(world["m1"])
    remedy, comment = steps[f"mangel-{defect.id}-behebung"], steps[f"mangel-{defect.id}-stellungnahme"]
    assert remedy.due == TODAY + 14 * DAY and comment.due == TODAY + 7 * DAY
    provider = world["m1"].provider.name
    assert remedy.title == f"Mangel Nr. {defect.id}: Frist zur Behebung ({provider})"
    for f in (remedy, comment):
        assert (f.role, f.phase, f.rule_id, f.participation_id, f.status) == ("MB", "", "", None, "open")
        assert f.is_manual and f.state_on(TODAY + 400 * DAY, measure=world["m1"]) == "open"  # never "versäumt"
    with database.connection_context():
        assert PlanEvent.select().where(PlanEvent.measure == world["m1"].id,
                                        PlanEvent.reason == "Mangel erfasst").exists()
    assert [e.kind for e in events(defect)] == ["erfasst"]


def test_follow_up_dates_by_hand_and_comment_deadline_optional(world, ctx):
    day = datetime.date(2026, 3, 17)  # a Tuesday; the finding on Thursday 12.03.2026
    defect = make_defect(world["m1"], world["mb1"], today=day, found_on="12.03.2026",
                         facts="12.03.2026: keine Sozialpädagogin", remedy_deadline="31.03.2026", comment_deadline="")
    steps = followups(world["m1"])
    assert steps[f"mangel-{defect.id}-behebung"].due == datetime.date(2026, 3, 31)
    assert f"mangel-{defect.id}-stellungnahme" not in steps


# ------------------------------------------------------------------ access

ROLES = ["mb1", "mb2", "pap1", "tl1", "bl", "admin"]
READERS = {"mb1", "tl1", "bl"}


@pytest.mark.parametrize("who", ROLES)
def test_permission_matrix(world, auth, settings, who):
    defect = make_defect(world["m1"], world["mb1"])
    auth.login(who)
    assert auth.get(f"/massnahmen/{world['m1'].id}/maengel").status_code == (200 if who in READERS else 403)
    assert auth.get(f"/maengel/{defect.id}").status_code == (200 if who in READERS else 403)
    writes = [auth.post(f"/massnahmen/{world['m1'].id}/maengel", form()),
              auth.post(f"/maengel/{defect.id}/maengelruege"),
              auth.get(f"/maengel/{defect.id}/bearbeiten"),
              auth.post(f"/maengel/{defect.id}/behoben", {"remedied_on": de(TODAY), "remedy_how": "x"})]
    expected = [302, 302, 200, 302] if who == "mb1" else [403] * 4
    assert [r.status_code for r in writes] == expected
    with database.connection_context():
        assert Defect.select().count() == (2 if who == "mb1" else 1)
        assert IssuedDocument.select().count() == (2 if who == "mb1" else 0)
        if who not in READERS:
            assert AuditLog.select().where(AuditLog.action == "denied").count() >= 6


def test_reader_sees_no_actions_and_unknown_ids_are_404(world, auth):
    defect = make_defect(world["m1"], world["mb1"])
    auth.login("tl1")
    body = auth.get(f"/maengel/{defect.id}").get_data(as_text=True)
    assert "Mängelrüge erstellen" not in body and "Als behoben erfassen" not in body
    assert "Mangel erfassen" not in auth.get(f"/massnahmen/{world['m1'].id}/maengel").get_data(as_text=True)
    assert auth.get("/maengel/999999").status_code == 404
    assert auth.get("/massnahmen/999999/maengel").status_code == 404


# ------------------------------------------------------------------ pages and fragments

def test_list_and_detail_full_page_and_fragment(world, auth):
    defect = make_defect(world["m1"], world["mb1"])
    auth.login("mb1")
    for url, block in ((f"/massnahmen/{world['m1'].id}/maengel", '<section id="defect-list"'),
                       (f"/maengel/{defect.id}", '<section id="defect-panel"'),
                       (f"/maengel/{defect.id}/bearbeiten", '<form id="defect-form"')):
        full = auth.get(url)
        assert full.status_code == 200 and "<html" in full.get_data(as_text=True)
        frag = auth.get(url, htmx=True)
        body = frag.get_data(as_text=True)
        assert frag.status_code == 200 and "<html" not in body and body.lstrip().startswith(block)
        assert "HX-Request" in frag.headers["Vary"]
    page = auth.get(f"/massnahmen/{world['m1'].id}/maengel").get_data(as_text=True)
    assert f"Mangel Nr. {defect.id}" in page and "erfasst" in page and de(TODAY + 14 * DAY) in page
    assert "Mangel erfassen" in page
    detail = auth.get(f"/maengel/{defect.id}").get_data(as_text=True)
    assert "Mängelrüge erstellen (Word und PDF)" in detail
    with database.connection_context():
        reads = AuditLog.select().where(AuditLog.action == "read", AuditLog.entity.in_(["defect", "defects"]))
        assert reads.count() == 8  # 3 pages × (full, fragment) + list + detail


# ------------------------------------------------------------------ the Mängelrüge

def test_maengelruege_in_one_click_docx_and_pdf_archived_and_linked(world, auth, settings):
    defect = make_defect(world["m1"], world["mb1"])
    auth.login("mb1")
    response = auth.post(f"/maengel/{defect.id}/maengelruege", htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<section id="defect-panel"')
    assert "Die Mängelrüge wurde als Word- und PDF-Datei erstellt" in body and "Stand: gerügt" in body
    assert reload(defect).status == "geruegt"
    event = events(defect)[-1]
    assert event.kind == "maengelruege"
    with database.connection_context():
        pdf, word = IssuedDocument.get_by_id(event.document_id), IssuedDocument.get_by_id(event.document_docx_id)
    assert (pdf.format, word.format) == ("pdf", "docx") and pdf.measure_id == word.measure_id == world["m1"].id
    for doc in (pdf, word):
        assert doc.sha256 == hashlib.sha256(doc.data).hexdigest() and doc.document == "maengelruege"
        assert f"/dokumente/{doc.id}/datei" in body
        download = auth.get(f"/dokumente/{doc.id}/datei")
        assert download.status_code == 200 and download.data == doc.data
    facts_day = de(TODAY - 2 * DAY)
    for text in (docx_text(word.data), pdf_text(pdf.data)):
        flat = " ".join(text.split())
        assert world["m1"].measure_number in flat
        assert "B.2.3 Personal: Betreuungsschlüssel 1:12" in flat
        assert f"{facts_day}: 19 Teilnehmende mit einer Lehrkraft" in flat
        assert f"bis spätestens {de(TODAY + 14 * DAY)}" in flat and f"bis zum {de(TODAY + 7 * DAY)}" in flat
        assert "Nachrichtlich: Regionales Einkaufszentrum Nord" in flat
        assert "Deeskalationsstufe 2" in flat and "Wir fordern Sie auf" in flat
        assert f"MB-{world['m1'].measure_number}-M{defect.id}" in flat and "Bäckerstraße 12" in flat
    tl_download = (auth.logout(), auth.login("tl1"), auth.get(f"/dokumente/{pdf.id}/datei"))[-1]
    assert tl_download.status_code == 200


def test_maengelruege_for_voucher_measure_names_the_agentur_not_the_rez(world, ctx, settings, voucher):
    defect = make_defect(voucher, world["mb1"])
    outcome = ops.issue_notice(defect, voucher, world["mb1"])
    assert outcome.event is not None, outcome
    text = " ".join(docx_text(IssuedDocument.get_by_id(outcome.event.document_docx_id).data).split())
    assert "§183 SGB III" in text and "AG-/Trägerteam" in text and "Nachrichtlich" not in text


def test_maengelruege_preflight_names_missing_rez(world, auth):
    defect = make_defect(world["m1"], world["mb1"])  # the test Jobcenter has no REZ yet
    auth.login("mb1")
    response = auth.post(f"/maengel/{defect.id}/maengelruege")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Es fehlen" in body and "Name des Regionalen Einkaufszentrums" in body
    assert reload(defect).status == "offen"
    with database.connection_context():
        assert IssuedDocument.select().count() == 0


# ------------------------------------------------------------------ comment, remedy, escalation

def test_comment_and_remedy_close_the_follow_ups(world, auth):
    defect = make_defect(world["m1"], world["mb1"])
    auth.login("mb1")
    assert auth.post(f"/maengel/{defect.id}/stellungnahme", {"comment": ""}).status_code == 422
    assert auth.post(f"/maengel/{defect.id}/stellungnahme", {"comment": "Fachkraft erkrankt."}).status_code == 302
    steps = followups(world["m1"])
    assert steps[f"mangel-{defect.id}-stellungnahme"].status == "done"
    assert steps[f"mangel-{defect.id}-behebung"].status == "open"
    bad = auth.post(f"/maengel/{defect.id}/behoben", {"remedied_on": de(TODAY + DAY), "remedy_how": ""}, htmx=True)
    bad_body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "darf nicht in der Zukunft liegen" in bad_body
    assert "Bitte wie der Mangel behoben wurde angeben" in bad_body
    done = auth.post(f"/maengel/{defect.id}/behoben", {"remedied_on": de(TODAY), "remedy_how": "Vertretung seit heute"})
    assert done.status_code == 302
    saved = reload(defect)
    assert (saved.status, saved.remedied_on, saved.remedy_how) == ("behoben", TODAY, "Vertretung seit heute")
    remedy = followups(world["m1"])[f"mangel-{defect.id}-behebung"]
    assert remedy.status == "done" and remedy.outcome == f"Mangel behoben am {de(TODAY)}"
    assert [e.kind for e in events(defect)] == ["erfasst", "stellungnahme", "behoben"]
    refused = auth.post(f"/maengel/{defect.id}/eskalation", {})
    assert refused.status_code == 422 and "ist seit" in refused.get_data(as_text=True)


def test_escalation_refused_before_maengelruege_and_before_deadline(world, ctx, settings):
    defect = make_defect(world["m1"], world["mb1"])
    outcome = ops.escalate(defect, world["m1"], {}, world["mb1"])
    assert "setzt eine Mängelrüge voraus" in outcome.errors["_escalate"] and outcome.event is None
    ops.issue_notice(defect, world["m1"], world["mb1"])
    defect = Defect.get_by_id(defect.id)
    outcome = ops.escalate(defect, world["m1"], {}, world["mb1"])
    assert f"läuft noch bis {de(TODAY + 14 * DAY)}" in outcome.errors["_escalate"]
    assert Defect.get_by_id(defect.id).status == "geruegt"
    assert IssuedDocument.select().where(IssuedDocument.document == "rez-schreiben").count() == 0


def _noticed_and_overdue(measure, user, comment=None):
    """A defect found 12.03.2026, gerügt, with an optional Stellungnahme; seen on 06.04.2026."""
    defect = make_defect(measure, user, today=datetime.date(2026, 3, 17), found_on="12.03.2026",
                         facts="12.03.2026: keine Sozialpädagogin anwesend", remedy_deadline="31.03.2026",
                         comment_deadline="26.03.2026")
    assert ops.issue_notice(defect, measure, user, today=datetime.date(2026, 3, 17)).event is not None
    if comment:
        assert ops.record_comment(Defect.get_by_id(defect.id), measure, {"comment": comment}, user) == {}
    return Defect.get_by_id(defect.id)


def test_escalation_vergabe_writes_the_rez_letter(world, ctx, settings):
    m, mb = world["m1"], world["mb1"]
    defect = _noticed_and_overdue(m, mb, comment="Die Fachkraft ist erkrankt.")
    day = datetime.date(2026, 4, 6)
    outcome = ops.escalate(defect, m, {"reason": "Am 02.04.2026 weiterhin keine Fachkraft."}, mb, today=day)
    assert outcome.event is not None, outcome
    saved = Defect.get_by_id(defect.id)
    assert (saved.status, saved.escalation, saved.escalated_on) == ("eskaliert", "rez", day)
    assert outcome.event.kind == "eskalation-rez"
    letter = IssuedDocument.get_by_id(outcome.event.document_docx_id)
    assert letter.document == "rez-schreiben" and IssuedDocument.get_by_id(outcome.event.document_id).format == "pdf"
    for text in (docx_text(letter.data), pdf_text(IssuedDocument.get_by_id(outcome.event.document_id).data)):
        flat = " ".join(text.split())
        assert "Einschaltung des REZ (Deeskalationsstufe 2)" in flat and "Regionales Einkaufszentrum Nord" in flat
        assert m.measure_number in flat and "keine Sozialpädagogin anwesend" in flat
        assert f"Mängelrüge vom {de(TODAY)}" in flat  # the day it was archived
        assert "Die Frist ist am 31.03.2026 abgelaufen; der Mangel ist nicht behoben." in flat
        assert "Die Fachkraft ist erkrankt." in flat and "Am 02.04.2026 weiterhin keine Fachkraft." in flat
        assert "bis zum 20.04.2026" in flat  # 06.04.2026 + 14 days
    steps = followups(m)
    assert steps[f"mangel-{defect.id}-eskalation"].due == datetime.date(2026, 4, 20)
    assert steps[f"mangel-{defect.id}-behebung"].status == "done"
    assert "REZ" in steps[f"mangel-{defect.id}-eskalation"].title
    again = ops.escalate(saved, m, {}, mb, today=day)
    assert "bereits am 06.04.2026 eskaliert" in again.errors["_escalate"]
    # remedied after all: the escalation follow-up closes too
    assert ops.mark_remedied(saved, m, {"remedied_on": "06.04.2026", "remedy_how": "Vertretung"}, mb, today=day) == {}
    assert followups(m)[f"mangel-{defect.id}-eskalation"].status == "done"


def test_escalation_gutschein_writes_the_183_letter(world, ctx, settings, voucher):
    mb = world["mb1"]
    defect = _noticed_and_overdue(voucher, mb)
    outcome = ops.escalate(defect, voucher, {}, mb, today=datetime.date(2026, 4, 6))
    assert outcome.event is not None and outcome.event.kind == "eskalation-183"
    assert Defect.get_by_id(defect.id).escalation == "p183"
    letter = IssuedDocument.get_by_id(outcome.event.document_docx_id)
    flat = " ".join(docx_text(letter.data).split())
    assert letter.document == "qualitaetspruefung-183"
    assert "Qualitätsprüfung nach §183 SGB III" in flat and "Agentur für Arbeit Goslar, AG-/Trägerteam" in flat
    assert "Förderung mit Bildungsgutschein" in flat and "FbW-2026-0142" in flat
    assert "Eine Stellungnahme des Trägers liegt nicht vor." in flat and "REZ" not in flat
    assert "Qualitätsprüfung" in followups(voucher)[f"mangel-{defect.id}-eskalation"].title


def test_escalation_letter_preflight_names_missing_agentur(world, ctx, voucher):
    JobcenterSettings.update(rez_name="REZ Nord").execute()
    defect = _noticed_and_overdue(voucher, world["mb1"])
    outcome = ops.escalate(defect, voucher, {}, world["mb1"], today=datetime.date(2026, 4, 6))
    assert outcome.event is None
    assert [label for _, label in outcome.missing][0].startswith("Name der Agentur für Arbeit")
    assert Defect.get_by_id(defect.id).status == "geruegt"


def test_escalation_over_the_web_for_a_severe_defect(world, auth, settings):
    defect = make_defect(world["m1"], world["mb1"], severity="schwer")
    auth.login("mb1")
    auth.post(f"/maengel/{defect.id}/maengelruege")
    page = auth.get(f"/maengel/{defect.id}").get_data(as_text=True)
    assert "REZ einschalten (Schreiben erstellen)" in page
    response = auth.post(f"/maengel/{defect.id}/eskalation", {"reason": "Gefahr für Teilnehmende"}, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Stand: eskaliert" in body and "REZ eingeschaltet" in body
    assert body.count("/dokumente/") == 4  # Mängelrüge and REZ letter, each PDF and Word


@pytest.mark.parametrize("path, status, severity, overdue, expected", [
    # Vergabe (REZ): the Mängelrüge first, then after the deadline or at once when schwerwiegend
    ("rez", "offen", "erheblich", True, "setzt eine Mängelrüge voraus"),
    ("rez", "offen", "schwer", True, "setzt eine Mängelrüge voraus"),
    ("rez", "geruegt", "erheblich", False, "läuft noch bis"),
    ("rez", "geruegt", "schwer", False, ""),
    ("rez", "geruegt", "erheblich", True, ""),
    # Gutschein (§183): the AG-/Trägerteam at once, from "offen" as from "gerügt", no deadline rule
    ("p183", "offen", "erheblich", False, ""),
    ("p183", "offen", "gering", True, ""),
    ("p183", "geruegt", "erheblich", False, ""),
    ("p183", "behoben", "erheblich", False, "behoben"),
    ("p183", "eskaliert", "erheblich", False, "bereits am"),
])
def test_escalation_rule_per_path(world, ctx, voucher, path, status, severity, overdue, expected):
    measure = voucher if path == "p183" else world["m1"]
    defect = make_defect(measure, world["mb1"], severity=severity)
    Defect.update(status=status, remedied_on=TODAY, escalated_on=TODAY).where(Defect.id == defect.id).execute()
    day = TODAY + 15 * DAY if overdue else TODAY  # the remedy deadline is TODAY + 14 days
    refusal = ops.escalation_refusal(Defect.get_by_id(defect.id), measure, day)
    assert (expected in refusal) if expected else refusal == ""


def test_escalation_gutschein_straight_from_offen_before_the_deadline(world, auth, settings, voucher):
    defect = make_defect(voucher, world["mb1"])  # offen, erheblich, deadline in 14 days, no Mängelrüge
    auth.login("mb1")
    page = auth.get(f"/maengel/{defect.id}").get_data(as_text=True)
    assert "Qualitätsprüfung nach §183 SGB III anregen (Schreiben erstellen)" in page
    assert "unbedingt einzuschalten" in page and "setzt eine Mängelrüge voraus" not in page
    response = auth.post(f"/maengel/{defect.id}/eskalation", {"reason": "Kein Übungsgerät vorhanden."}, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Stand: eskaliert" in body
    saved = reload(defect)
    assert (saved.status, saved.escalation, saved.escalated_on) == ("eskaliert", "p183", TODAY)
    assert [e.kind for e in events(defect)] == ["erfasst", "eskalation-183"]
    steps = followups(voucher)
    assert steps[f"mangel-{defect.id}-eskalation"].due == TODAY + 14 * DAY
    assert steps[f"mangel-{defect.id}-behebung"].status == "open"  # the deadline still runs
    with database.connection_context():
        letter = IssuedDocument.get_by_id(events(defect)[-1].document_docx_id)
        pdf = IssuedDocument.get_by_id(events(defect)[-1].document_id)
    assert letter.document == "qualitaetspruefung-183"
    for text in (docx_text(letter.data), pdf_text(pdf.data)):
        flat = " ".join(text.split())
        assert "Eine Mängelrüge haben wir dem Träger nicht erteilt" in flat and "Mängelrüge vom" not in flat
        assert f"eine Frist bis zum {de(TODAY + 14 * DAY)} angemessen" in flat
        assert "Kein Übungsgerät vorhanden." in flat and "Anlagen" not in flat


def test_escalation_gutschein_after_the_maengelruege_before_the_deadline(world, ctx, settings, voucher):
    mb = world["mb1"]
    defect = make_defect(voucher, mb)
    assert ops.issue_notice(defect, voucher, mb).event is not None
    outcome = ops.escalate(Defect.get_by_id(defect.id), voucher, {}, mb)
    assert outcome.event is not None, outcome
    flat = " ".join(docx_text(IssuedDocument.get_by_id(outcome.event.document_docx_id).data).split())
    assert f"Mängelrüge vom {de(TODAY)}" in flat
    assert (f"Die Frist läuft noch bis zum {de(TODAY + 14 * DAY)}; bei einer Gutscheinmaßnahme schalten wir Sie "
            "als AG-/Trägerteam bereits jetzt ein.") in flat


def test_escalation_vergabe_offen_shows_no_escalation_form(world, auth, settings):
    defect = make_defect(world["m1"], world["mb1"], severity="schwer")
    auth.login("mb1")
    page = auth.get(f"/maengel/{defect.id}").get_data(as_text=True)
    assert "REZ einschalten" not in page and "setzt eine Mängelrüge voraus" in page
    assert auth.post(f"/maengel/{defect.id}/eskalation", {}).status_code == 422
    assert reload(defect).status == "offen"


# ------------------------------------------------------------------ editing

def test_edit_moves_follow_ups_and_concurrent_edit_conflicts(world, auth):
    defect = make_defect(world["m1"], world["mb1"])
    auth.login("mb1")
    first = form(remedy_deadline=de(TODAY + 21 * DAY), comment_deadline="", version="1")
    assert auth.post(f"/maengel/{defect.id}/bearbeiten", first).status_code == 302
    steps = followups(world["m1"])
    assert steps[f"mangel-{defect.id}-behebung"].due == TODAY + 21 * DAY
    assert steps[f"mangel-{defect.id}-stellungnahme"].status == "cancelled"
    stale = auth.post(f"/maengel/{defect.id}/bearbeiten", form(clause="Vertrag § 4 (ältere Fassung)", version="1"))
    body = stale.get_data(as_text=True)
    assert stale.status_code == 422 and "inzwischen von einer anderen Person geändert" in body
    assert "Vertrag § 4 (ältere Fassung)" in body  # the typed input is kept
    assert 'name="version" value="2"' in body  # saving again after checking overwrites
    assert reload(defect).clause == "B.2.3 Personal: Betreuungsschlüssel 1:12"
    assert [e.kind for e in events(defect)] == ["erfasst", "geaendert"]


def test_concurrent_actions_on_a_stale_defect_conflict(world, ctx, settings):
    defect = make_defect(world["m1"], world["mb1"])
    stale = Defect.get_by_id(defect.id)
    assert ops.mark_remedied(defect, world["m1"], {"remedied_on": de(TODAY), "remedy_how": "ok"}, world["mb1"]) == {}
    outcome = ops.issue_notice(stale, world["m1"], world["mb1"])
    assert "von einer anderen Person bearbeitet" in outcome.errors["_letter"]
    assert IssuedDocument.select().count() == 0


# ------------------------------------------------------------------ CLI

def test_documents_list_includes_the_three_letters(runner):
    result = runner.invoke(args=["documents", "list"])
    lines = dict(line.split("\t", 1) for line in result.stdout.splitlines())
    assert lines["maengelruege"] == ("Mängelrüge – Aufforderung zur vertragsgerechten Leistungserbringung"
                                     "\tdocx,pdf")
    assert lines["rez-schreiben"] == "Einschaltung des REZ (Deeskalationsstufe 2)\tdocx,pdf"
    assert lines["qualitaetspruefung-183"] == "Qualitätsprüfung nach §183 SGB III\tdocx,pdf"


@pytest.mark.parametrize("name, phrase", [("maengelruege", "Wir fordern Sie auf"),
                                          ("rez-schreiben", "Deeskalationsstufe 2"),
                                          ("qualitaetspruefung-183", "§183 SGB III")])
@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_sample_renders(runner, tmp_path, name, phrase, fmt):
    out = tmp_path / f"out.{fmt}"
    result = runner.invoke(args=["documents", "sample", name, "--format", fmt, "--output", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    text = docx_text(data) if fmt == "docx" else "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    flat = " ".join(text.split())
    assert phrase in flat and "Jobcenter Landkreis Goslar" in flat and "Mängelrüge" in flat
    if fmt == "docx":
        assert docx.Document(io.BytesIO(data)).sections[0].page_width is not None


HOSTILE = ["99999999999999999999999", "²", "-1", "", "<script>", "A" * 6000, "31.02.2026", "01.01.0001", "１２.03.2026"]
FIELDS = ["found_on", "found_how", "clause_source", "clause", "facts", "evidence", "obligation", "severity",
          "remedy_deadline", "comment_deadline", "version", "comment", "remedied_on", "remedy_how", "reason"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_on_an_existing_defect_never_5xx(world, auth, settings, value):
    defect = make_defect(world["m1"], world["mb1"])
    auth.login("mb1")
    data = {name: value for name in FIELDS}
    for url in (f"/massnahmen/{world['m1'].id}/maengel", f"/maengel/{defect.id}/bearbeiten",
                f"/maengel/{defect.id}/stellungnahme", f"/maengel/{defect.id}/behoben",
                f"/maengel/{defect.id}/eskalation", f"/maengel/{defect.id}/maengelruege"):
        for htmx in (False, True):
            response = auth.post(url, data, htmx=htmx)
            assert response.status_code < 500, (url, value, response.status_code)


def test_admin_keeps_the_addressees_of_the_escalation_letters(world, auth):
    auth.login("admin")
    page = auth.get("/verwaltung/einstellungen").get_data(as_text=True)
    assert "Regionales Einkaufszentrum (REZ), Name" in page and "Agentur für Arbeit, AG-/Trägerteam" in page
    data = {"name": "Jobcenter Test", "bundesland": "NI", "active_rulebook": "goslar-2016", "rez_name": "REZ Nord",
            "rez_address": "Postfach 1\n30001 Hannover", "agentur_name": "AA Goslar, AG-/Trägerteam",
            "agentur_address": "Robert-Koch-Straße 11\n38642 Goslar"}
    assert auth.post("/verwaltung/einstellungen", data).status_code == 302
    with database.connection_context():
        s = JobcenterSettings.current()
    assert (s.rez_name, s.rez_address, s.agentur_name) == ("REZ Nord", "Postfach 1\n30001 Hannover",
                                                           "AA Goslar, AG-/Trägerteam")
    too_long = auth.post("/verwaltung/einstellungen", {**data, "rez_address": "x" * 501})
    assert too_long.status_code == 422
    assert "Anschrift des REZ darf höchstens 500 Zeichen" in too_long.get_data(as_text=True)
