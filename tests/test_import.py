"""Import of COSACH/VerBIS exports: the parser (CSV/XLSX, encodings, headers), every row error
with its line number, all or nothing, dry run, matching and updating, plans, the CLI, the
upload page (upload → preview → import) and who may use it."""
import datetime
import io
import re

import openpyxl
import pytest

from absolvent.db import database
from absolvent.imports import jobs, parse
from absolvent.imports.models import ImportJob
from absolvent.models import AuditLog, Customer, FollowUp, Measure, Participation, PlanEvent, Provider

HEADER = ["Kundennummer", "Nachname", "Vorname", "Geburtsdatum", "Team", "Maßnahme-Nr.", "Maßnahmeart",
          "Maßnahmetitel", "Träger", "Beginn", "Ende", "Eintritt", "geplantes Ende", "Austritt", "Austrittsart"]
TODAY = datetime.date(2026, 3, 1)


def good(n, **kw):
    row = {"Kundennummer": f"555K{n:06d}", "Nachname": f"Neumann{n}", "Vorname": "Jana", "Geburtsdatum": "17.05.1990",
           "Team": "Team A", "Maßnahme-Nr.": "962/77001", "Maßnahmeart": "MAT", "Maßnahmetitel": "Bewerbungstraining",
           "Träger": "Bildungswerk Harz", "Beginn": "05.01.2026", "Ende": "30.06.2026", "Eintritt": "12.01.2026",
           "geplantes Ende": "30.06.2026", "Austritt": "", "Austrittsart": ""}
    row.update(kw)
    return row


def csv_bytes(rows, sep=";", encoding="utf-8", header=HEADER):
    lines = [sep.join(header)] + [sep.join(str(r.get(h, "")) for h in header) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def table(data):
    problems, records = parse.read_table(data)
    assert not problems, problems
    return parse.check(records, {"team a": "Team A", "team b": "Team B"}, {}, TODAY)


def counts():
    with database.connection_context():
        return (Customer.select().count(), Measure.select().count(), Participation.select().count(),
                Provider.select().count())


# ------------------------------------------------------------------ parser

@pytest.mark.parametrize("sep", [";", ","])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_separators_and_encodings(sep, encoding):
    rows, problems = table(csv_bytes([good(1, Nachname="Müller", Träger="Träger Süd")], sep, encoding))
    assert problems == []
    assert rows[0].last_name == "Müller" and rows[0].provider == "Träger Süd"
    assert rows[0].customer_number == "555K000001" and rows[0].entry == datetime.date(2026, 1, 12)


def test_iso_dates_spellings_and_free_header_order():
    header = ["  maßnahme-nr ", "EXTRA", *reversed(HEADER[:5]), *HEADER[6:], "Notiz"]
    row = good(1, Geburtsdatum="1990-05-17", Austritt="2026-02-01", Austrittsart="abgebrochen", Maßnahmeart="fbw")
    row["  maßnahme-nr "] = row["Maßnahme-Nr."]
    rows, problems = table(csv_bytes([row], header=header))
    assert problems == []
    r = rows[0]
    assert (r.birth_date, r.exit, r.exit_kind, r.type_code, r.measure_number) == (
        datetime.date(1990, 5, 17), datetime.date(2026, 2, 1), "abbruch", "FBW", "962/77001")


def xlsx_bytes(rows, header=HEADER, blank_rows=0):
    wb = openpyxl.Workbook()
    ws = wb.active
    for _ in range(blank_rows):
        ws.append([])
    ws.append(header)
    for r in rows:
        ws.append([r.get(h) for h in header])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_xlsx_with_date_cells_and_header_below_blank_rows():
    row = good(1, Geburtsdatum=datetime.datetime(1990, 5, 17), Beginn=datetime.date(2026, 1, 5),
               Eintritt=datetime.datetime(2026, 1, 12), Kundennummer=4711.0)
    data = xlsx_bytes([row, good(2, Nachname="Zweite")], header=["Extra", *HEADER], blank_rows=2)
    problems, records = parse.read_table(data)
    assert problems == [] and [line for line, _ in records] == [4, 5]
    rows, problems = parse.check(records, {"team a": "Team A"}, {}, TODAY)
    assert problems == []
    assert rows[0].customer_number == "4711" and rows[0].birth_date == datetime.date(1990, 5, 17)
    assert rows[0].entry == datetime.date(2026, 1, 12) and rows[1].last_name == "Zweite"


def test_missing_columns_are_named_in_the_header_line():
    problems, _ = parse.read_table(csv_bytes([good(1)], header=[h for h in HEADER if h not in ("Team", "Beginn")]))
    assert [str(p) for p in problems] == ["Zeile 1: Kopfzeile: Pflichtspalte „Team“ fehlt.",
                                          "Zeile 1: Kopfzeile: Pflichtspalte „Beginn“ fehlt."]


@pytest.mark.parametrize("data, message", [
    (b"", "leer"), (b"\xd0\xcf\x11\xe0" + b"\x00" * 50, ".xls"), (b"PK\x03\x04kaputt", "XLSX"),
    (b"\x00\x01\x02binary", "Dateiformat"),
])
def test_unreadable_files(data, message):
    with pytest.raises(parse.ImportFileError, match=re.escape(message)):
        parse.read_table(data)


@pytest.mark.parametrize("change, expected", [
    ({"Maßnahmeart": "XYZ"}, "Maßnahmeart: Unbekannte Maßnahmeart „XYZ“"),
    ({"Team": "Team Z"}, "Team: Unbekanntes Team „Team Z“"),
    ({"Beginn": "31.02.2026"}, "Beginn: „31.02.2026“: Dieses Datum gibt es nicht."),
    ({"Eintritt": "morgen"}, "Eintritt: „morgen“ ist kein Datum"),
    ({"Ende": "01.01.2026"}, "Ende: Das Ende (01.01.2026) liegt vor dem Beginn (05.01.2026)."),
    ({"Eintritt": "02.01.2026"}, "Eintritt: Der Eintritt (02.01.2026) liegt vor dem Beginn"),
    ({"Eintritt": "01.07.2026", "geplantes Ende": "02.07.2026"},
     "Eintritt: Der Eintritt (01.07.2026) liegt nach dem Ende"),
    ({"geplantes Ende": "10.01.2026"}, "geplantes Ende: Das geplante Ende (10.01.2026) liegt vor dem Eintritt"),
    ({"Austritt": "11.01.2026", "Austrittsart": "regulär"},
     "Austritt: Der Austritt (11.01.2026) liegt vor dem Eintritt"),
    ({"Austritt": "01.02.2026", "Austrittsart": "weggezogen"}, "Austrittsart: „weggezogen“ ist keine Austrittsart"),
    ({"Austritt": "01.02.2026"}, "Austrittsart: Bitte angeben, ob die Teilnahme regulär endete"),
    ({"Austrittsart": "Abbruch"}, "Austritt: Bei einer Austrittsart bitte auch das Austrittsdatum angeben."),
    ({"Geburtsdatum": "02.03.2026"}, "Geburtsdatum: Liegt in der Zukunft (02.03.2026)."),
    ({"Geburtsdatum": "28.02.1926"}, "Geburtsdatum: Nicht plausibel: mehr als 100 Jahre zurück"),
    ({"Nachname": ""}, "Nachname: Angabe fehlt."),
    ({"Kundennummer": "12#4"}, "Kundennummer: Darf nur Buchstaben, Ziffern und Bindestriche enthalten."),
    ({"Maßnahmetitel": "x" * 201}, "Maßnahmetitel: Zu lang (höchstens 200 Zeichen)."),
])
def test_each_row_error_names_its_line(change, expected):
    rows, problems = table(csv_bytes([good(1), good(2), good(3, **change)]))
    assert len(rows) == 2
    assert any(str(p).startswith(f"Zeile 4: {expected}") for p in problems), problems


def test_birth_date_exactly_100_years_ago_is_plausible():
    _, problems = table(csv_bytes([good(1, Geburtsdatum="01.03.1926")]))
    assert problems == []


def test_conflicts_between_rows():
    rows = [good(1), good(2, **{"Maßnahme-Nr.": "962/77002"}),
            good(1, Nachname="Anders", **{"Maßnahme-Nr.": "962/77003"}),  # line 4: same customer, other name
            good(3, Maßnahmetitel="Anderer Titel"),  # line 5: same measure, other title
            good(2, **{"Maßnahme-Nr.": "962/77002", "Eintritt": "13.01.2026"})]  # line 6: same participation
    _, problems = table(csv_bytes(rows))
    texts = [str(p) for p in problems]
    assert texts == [
        "Zeile 4: Nachname: Widerspricht Zeile 2 (Kundennummer 555K000001: „Anders“ statt „Neumann1“).",
        "Zeile 5: Maßnahmetitel: Widerspricht Zeile 2 (Maßnahme-Nr. 962/77001: „Anderer Titel“ statt "
        "„Bewerbungstraining“).",
        "Zeile 6: Kundennummer: Die Teilnahme von 555K000002 an 962/77002 steht schon in Zeile 3."]


# ------------------------------------------------------------------ command line and writes

def write(tmp_path, data, name="export.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_bad_rows_import_nothing_and_are_all_listed(world, runner, tmp_path):
    before = counts()
    rows = [good(1), good(2, Maßnahmeart="XYZ"), good(3), good(4, Eintritt="99.99.2026"), good(5)]
    result = runner.invoke(args=["import", "participations", write(tmp_path, csv_bytes(rows))])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Zeile 3: Maßnahmeart: Unbekannte Maßnahmeart „XYZ“")
    assert lines[1].startswith("Zeile 5: Eintritt: „99.99.2026“")
    assert lines[2] == "Fehler: 2 Problem(e) – nichts importiert."
    assert counts() == before


def test_dry_run_writes_nothing_then_the_fixed_file_imports(world, runner, tmp_path):
    before = counts()
    path = write(tmp_path, csv_bytes([good(1), good(2), good(3, Austritt="01.03.2026", Austrittsart="Abbruch")]))
    dry = runner.invoke(args=["import", "participations", path, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Probelauf (3 Zeilen), nichts geschrieben" in dry.stdout
    assert "Kunden: 3 neu" in dry.stdout and "Teilnahmen: 3 neu" in dry.stdout
    assert counts() == before
    result = runner.invoke(args=["import", "participations", path])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Importiert (3 Zeilen): Kunden: 3 neu, 0 geändert")
    assert counts() == (before[0] + 3, before[1] + 1, before[2] + 3, before[3] + 1)
    with database.connection_context():
        c = Customer.get(Customer.customer_number == "555K000003")
        assert (c.team_id, c.pap_id, c.birth_date) == (world["t1"].id, None, datetime.date(1990, 5, 17))
        m = Measure.get(Measure.measure_number == "962/77001")
        assert (m.type_code, m.provider.name, m.start, m.procurement, m.mb_id) == (
            "MAT", "Bildungswerk Harz", datetime.date(2026, 1, 5), "vergabe", None)
        p = Participation.get(Participation.customer == c)
        assert (p.exit, p.exit_kind) == (datetime.date(2026, 3, 1), "abbruch")
        # plans: the same steps the planner gives a participation booked by hand
        for q in Participation.select().where(Participation.measure == m):
            assert FollowUp.select().where(FollowUp.participation == q).count() > 0
            assert PlanEvent.select().where(PlanEvent.participation == q).count() == 1
        assert AuditLog.select().where(AuditLog.entity == "import").count() == 1
        assert AuditLog.get(AuditLog.entity == "customer-import").detail.startswith("3: 555K000001")
    again = runner.invoke(args=["import", "participations", path])
    assert "Kunden: 0 neu, 0 geändert, 3 unverändert" in again.stdout and counts()[2] == before[2] + 3


def test_imported_plan_equals_a_hand_replan(world, runner, tmp_path):
    from absolvent.caseload import planning
    runner.invoke(args=["import", "participations", write(tmp_path, csv_bytes([good(1)]))])
    with database.connection_context():
        p = Participation.select().join(Customer).where(Customer.customer_number == "555K000001").get()
        steps = {(f.step_id, f.due, f.earliest, f.status, f.title) for f in p.followups}
        assert planning.replan(p, "Kontrolle") == {"created": [], "redated": [], "cancelled": [], "reopened": []}
        assert steps == {(f.step_id, f.due, f.earliest, f.status, f.title) for f in p.followups}


def test_imported_steps_carry_the_copies_sync_would_set(world, runner, tmp_path):
    """The import writes who is responsible with the new steps (no UPDATE afterwards): the same
    values as the one rule, FollowUp.sync (caseload/responsibility.py), and the team on the participation."""
    from absolvent.caseload import responsibility
    header = [*HEADER, "pAp"]
    rows = [good(1, pAp="pap1"), good(2, **{"Maßnahme-Nr.": world["m1"].measure_number}), good(3, Austritt="20.03.2026",
                                                                                        Austrittsart="regulär")]
    result = runner.invoke(args=["import", "participations", write(tmp_path, csv_bytes(rows, header=header))])
    assert result.exit_code == 0, result.output
    with database.connection_context():
        def copies():
            return ({(f.id, f.team_id, f.pap_id, f.mb_id, f.case_end) for f in FollowUp.select()},
                    {(q.id, q.team_id) for q in Participation.select()})
        imported = copies()
        assert {pap for _, _, pap, _, _ in imported[0]} >= {world["pap1"].id, None}
        assert {mb for _, _, _, mb, _ in imported[0]} >= {world["mb1"].id, None}
        assert {end for _, _, _, _, end in imported[0]} >= {datetime.date(2026, 3, 20), datetime.date(2026, 6, 30)}
        with database.atomic() as transaction:
            responsibility.for_participations([q.id for q in Participation.select(Participation.id)])
            assert copies() == imported
            transaction.rollback()


def test_existing_customers_measures_participations_are_matched_and_updated(world, runner, tmp_path):
    c1, m1, p1 = world["c1"], world["m1"], world["p1"]
    row = good(1, Kundennummer=c1.customer_number, Nachname="Albrecht-Neu", Vorname=c1.first_name,
               Geburtsdatum="17.05.1990", **{"Maßnahme-Nr.": m1.measure_number}, Maßnahmetitel="Neuer Titel",
               Träger=m1.provider.name, Beginn="05.01.2026", Ende="30.06.2026", Eintritt="05.01.2026",
               **{"geplantes Ende": "31.05.2026"})
    before = counts()
    result = runner.invoke(args=["import", "participations", write(tmp_path, csv_bytes([row]))])
    assert result.exit_code == 0, result.output
    assert "Kunden: 0 neu, 1 geändert" in result.stdout and "Maßnahmen: 0 neu, 1 geändert" in result.stdout
    assert "Teilnahmen: 0 neu, 1 geändert" in result.stdout
    assert counts() == before
    with database.connection_context():
        c, m, p = Customer.get_by_id(c1.id), Measure.get_by_id(m1.id), Participation.get_by_id(p1.id)
        assert (c.last_name, c.version, c.pap_id) == ("Albrecht-Neu", 2, world["pap1"].id)
        assert (m.title, m.version, m.mb_id) == ("Neuer Titel", 2, world["mb1"].id)
        assert (p.planned_end, p.version) == (datetime.date(2026, 5, 31), 2)
        event = PlanEvent.select().where(PlanEvent.participation == p1.id).order_by(PlanEvent.id.desc()).first()
        assert event.reason == "Import: Daten geändert: geplantes Ende"


def test_pap_column_matches_by_username_or_name(world, runner, tmp_path):
    header = [*HEADER, "pAp"]
    rows = [good(1, pAp="pap1"), good(2, pAp="PAP1"), good(3, pAp="pap2"), good(4, pAp="niemand")]
    result = runner.invoke(args=["import", "participations", write(tmp_path, csv_bytes(rows, header=header))])
    assert result.stderr.splitlines()[:2] == ["Zeile 4: pAp: „pap2“ gehört nicht zum Team „Team A“.",
                                              "Zeile 5: pAp: Unbekannte Ansprechperson „niemand“ (Benutzername oder "
                                              "Name eines pAp)."]
    result = runner.invoke(args=["import", "participations", write(tmp_path, csv_bytes(rows[:2], header=header))])
    assert result.exit_code == 0, result.output
    with database.connection_context():
        assert {c.pap_id for c in Customer.select().where(Customer.customer_number.startswith("555K"))} == {
            world["pap1"].id}


def test_cli_unreadable_and_unknown_format(world, runner, tmp_path):
    missing = runner.invoke(args=["import", "participations", str(tmp_path / "fehlt.csv")])
    assert missing.exit_code == 2 and missing.stderr.startswith("Fehler: Die Datei „") and "fehlt.csv" in missing.stderr
    xls = runner.invoke(args=["import", "participations", write(tmp_path, b"\xd0\xcf\x11\xe0" + b"\0" * 20, "a.xls")])
    assert xls.exit_code == 2 and "a.xls: Alte Excel-Dateien (.xls) werden nicht unterstützt" in xls.stderr
    assert len(xls.stderr.splitlines()) == 1


def test_cli_database_not_set_up(tmp_path):
    from absolvent import create_app
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'leer.sqlite3'}",
                      "SECRET_KEY": "x", "DATABASE_POOLED": False})
    result = app.test_cli_runner().invoke(args=["import", "participations", write(tmp_path, csv_bytes([good(1)]))])
    assert result.exit_code == 2 and "noch nicht eingerichtet" in result.stderr


def test_mb_imports_only_own_or_new_measures(world, make, tmp_path):
    from absolvent.imports import operations
    with database.connection_context():
        rows, problems = operations.load(csv_bytes([
            good(1), good(2, **{"Maßnahme-Nr.": world["m1"].measure_number}, Maßnahmetitel=world["m1"].title,
                          Träger=world["m1"].provider.name, Beginn="05.01.2026", Ende="30.06.2026"),
            good(3, **{"Maßnahme-Nr.": world["m2"].measure_number}, Maßnahmeart="FBW", Maßnahmetitel=world["m2"].title,
                 Träger=world["m2"].provider.name, Beginn="05.01.2026", Ende="30.06.2026")]))
        assert problems == []
        changes = operations.analyse(rows, world["mb1"])
        assert [str(p) for p in changes.problems] == [
            "Zeile 4: Maßnahme-Nr.: Die Maßnahme 962/00002 wird nicht von Ihnen betreut; nur ihre MB oder die "
            "Administration importiert sie."]
        assert operations.analyse(rows, world["admin"]).problems == []
        rows = [r for r in rows if r.line != 4]
        operations.apply(operations.analyse(rows, world["mb1"]), world["mb1"])
        assert Measure.get(Measure.measure_number == "962/77001").mb_id == world["mb1"].id


# ------------------------------------------------------------------ the upload page

@pytest.fixture
def sync(app):
    app.config["IMPORT_SYNC"] = True


def upload(auth, data, name="export.csv", htmx=False):
    return auth.post("/import", {"file": (io.BytesIO(data), name)}, htmx=htmx, content_type="multipart/form-data")


def last_job():
    with database.connection_context():
        return ImportJob.select().order_by(ImportJob.id.desc()).first()


@pytest.mark.parametrize("htmx", [False, True])
def test_page_flow_upload_preview_import(world, auth, sync, htmx):
    auth.login("admin")
    page = auth.get("/import")
    assert page.status_code == 200 and "Hochladen und prüfen" in page.get_data(as_text=True)
    assert 'href="/import"' in page.get_data(as_text=True)  # the navigation entry
    before = counts()
    response = upload(auth, xlsx_bytes([good(1), good(2)]), "export.xlsx", htmx=htmx)
    job = last_job()
    if htmx:
        assert response.status_code == 204 and response.headers["HX-Redirect"] == f"/import/{job.id}"
    else:
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/import/{job.id}")
    full = auth.get(f"/import/{job.id}")
    body = full.get_data(as_text=True)
    assert "<html" in body and "Vorschau (2 Zeilen, keine Fehler)" in body and "Jetzt importieren" in body
    assert "555K000001 Neumann1, Jana" in body and counts() == before
    fragment = auth.get(f"/import/{job.id}", htmx=True).get_data(as_text=True)
    assert "<html" not in fragment and 'id="import-progress"' in fragment
    done = auth.post(f"/import/{job.id}/importieren", {"sha256": job.sha256}, htmx=htmx)
    assert done.status_code in (204, 302)
    assert counts()[2] == before[2] + 2
    result = auth.get(f"/import/{job.id}").get_data(as_text=True)
    assert "Importiert</strong> (2 Zeilen)" in result and "Jetzt importieren" not in result
    assert last_job().status == "done" and last_job().data == b""  # the Sozialdaten are not kept
    again = auth.post(f"/import/{job.id}/importieren", {"sha256": job.sha256})
    assert again.status_code == 409 and counts()[2] == before[2] + 2


def test_page_lists_every_bad_row_and_offers_no_import(world, auth, sync):
    auth.login("mb1")
    before = counts()
    upload(auth, csv_bytes([good(1), good(2, Maßnahmeart="XYZ"), good(3, Team="Team Z")]))
    job = last_job()
    body = auth.get(f"/import/{job.id}").get_data(as_text=True)
    assert "2 Probleme – es wird nichts importiert" in body and "Jetzt importieren" not in body
    assert "Zeile 3: Maßnahmeart: Unbekannte Maßnahmeart „XYZ“" in body and "Zeile 4: Team: Unbekanntes Team" in body
    assert auth.post(f"/import/{job.id}/importieren", {"sha256": job.sha256}).status_code == 409
    assert counts() == before and last_job().data == b""  # a bad file is not kept


def test_import_needs_the_previewed_files_hash(world, auth, sync):
    auth.login("admin")
    upload(auth, csv_bytes([good(1)]))
    job = last_job()
    assert auth.post(f"/import/{job.id}/importieren", {"sha256": "0" * 64}).status_code == 409
    assert last_job().status == "checked" and counts()[0] == 2


def test_upload_errors_next_to_the_field(world, auth, app):
    auth.login("admin")
    app.config["MAX_CONTENT_LENGTH"] = 1024
    too_big = upload(auth, b"x" * 1500)
    assert too_big.status_code == 422 and "Die Datei ist zu groß" in too_big.get_data(as_text=True)
    assert upload(auth, b"abc", "bild.png").status_code == 422
    assert auth.post("/import", {}).status_code == 422


@pytest.mark.parametrize("user, status", [("pap1", 403), ("tl1", 403), ("bl", 403), ("mb1", 200), ("admin", 200)])
def test_permissions(world, auth, sync, user, status):
    auth.login(user)
    assert auth.get("/import").status_code == status
    assert upload(auth, csv_bytes([good(1)])).status_code == (status if status == 403 else 302)


def test_another_users_job_is_refused(world, auth, sync):
    auth.login("admin")
    upload(auth, csv_bytes([good(1)]))
    job = last_job()
    auth.logout()
    auth.login("mb1")
    assert auth.get(f"/import/{job.id}").status_code == 403
    assert auth.post(f"/import/{job.id}/importieren", {"sha256": job.sha256}).status_code == 403
    assert auth.get("/import/999999").status_code == 404


def test_background_thread_imports(world, auth, app):
    """Without IMPORT_SYNC the request returns at once; the thread with its own connection does the work."""
    import time
    app.config["IMPORT_SYNC"] = False
    auth.login("admin")
    upload(auth, csv_bytes([good(1), good(2)]))
    job = last_job()
    for _ in range(100):
        if last_job().status == "checked":
            break
        time.sleep(0.05)
    assert auth.post(f"/import/{job.id}/importieren", {"sha256": job.sha256}).status_code == 302
    for _ in range(200):
        if last_job().status == "done":
            break
        time.sleep(0.05)
    assert last_job().status == "done" and counts()[2] == 4
    assert not jobs.LIVE


def test_the_import_leaves_its_steps_counted_in_one_row_per_pap(world, runner, tmp_path):
    """The kept counts of the TL's dashboard (caseload/tallies.py) include the imported steps,
    folded at the end of the import into one row per team and pAp (not a row per step)."""
    from absolvent.caseload.tallies import StepTally
    from tests.test_caseload_kept import kept, live
    header = [*HEADER, "pAp"]
    rows = [good(1, pAp="pap1"), good(2), good(3, Austritt="20.03.2026", Austrittsart="regulär")]
    result = runner.invoke(args=["import", "participations", write(tmp_path, csv_bytes(rows, header=header))])
    assert result.exit_code == 0, result.output
    with database.connection_context():
        assert kept() == live() and StepTally.select().count() == len(live())
        assert (world["t1"].id, world["pap1"].id) in live()
