"""Excel exports of the lists (issue 12): the shared writer (absolvent/exports.py) and each list's
export route — German headers, date cells TT.MM.JJJJ, frozen header, autofilter, text never a
formula, the rows the page shows (all pages, never more than the user may see), the audit row,
the 50,000-row cap and who may export what (the same as the page)."""
import datetime
import io

import pytest
from openpyxl import load_workbook

from absolvent import exports
from absolvent.models import AuditLog, Customer, FollowUp
from absolvent.supervision.models import SupervisionCase
from absolvent.supervision.review_criteria import CRITERION_KEYS, RATINGS, load_ratings, summary
from tests.test_measures_surveys import FOUR, add_answers, add_round, answer
from tests.test_supervision_review import DECEMBER, draw_sample, supervision_world  # noqa: F401 (fixture)

TODAY = datetime.date.today()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def book(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == XLSX and "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    return load_workbook(io.BytesIO(response.data))


def table(ws, headers):
    """Check the shared layout of a list sheet (title rows 1–2, header row 3) and return its rows."""
    assert [c.value for c in ws[3]] == headers
    assert all(c.font.b for c in ws[3]) and ws["A1"].font.b
    assert ws.freeze_panes == "A4"
    assert ws.auto_filter.ref == f"A3:{ws[3][-1].column_letter}{3 + max(ws.max_row - 3, 1)}"
    assert ws.column_dimensions["A"].width >= 8
    return [[c.value for c in row] for row in ws.iter_rows(min_row=4)]


def assert_date(cell, day):
    assert isinstance(cell.value, datetime.date) and cell.value.date() == day
    assert cell.number_format == "DD.MM.YYYY"


def exports_logged(entity):
    return list(AuditLog.select().where(AuditLog.action == "export", AuditLog.entity == entity)
                .order_by(AuditLog.id))


# ------------------------------------------------------------------ the writer (pure)

def test_writer_types_layout_and_properties():
    now = datetime.datetime(2026, 5, 4, 13, 7)
    rows = [[datetime.date(2026, 5, 4), now, 3, 0.25, True, '=HYPERLINK("http://x","klick")', "+49 5321", None],
            [None, None, 1.5, None, False, "-1\x01\x1f-", "@SUMME(A1)", "Text"]]
    body, name = exports.export("Wiedervorlagen", [("Wiedervorlagen", [
        "Datum", "Zeit", "Zahl", exports.Column("Quote", "percent"), "Pflicht", "Name", "Telefon", "Notiz"], rows)],
        filters="Zeitraum: fällig in 14 Tagen", now=now, name_parts=("Team A",))
    assert name == "Wiedervorlagen_Team-A_2026-05-04.xlsx"
    wb = load_workbook(io.BytesIO(body))
    assert wb.properties.title == "Wiedervorlagen" and wb.properties.creator == "Absolvent"
    ws = wb["Wiedervorlagen"]
    assert ws["A1"].value == "Wiedervorlagen"
    assert ws["A2"].value == "Filter: Zeitraum: fällig in 14 Tagen · exportiert am 04.05.2026 13:07 · 2 Zeilen"
    data = table(ws, ["Datum", "Zeit", "Zahl", "Quote", "Pflicht", "Name", "Telefon", "Notiz"])
    assert_date(ws["A4"], datetime.date(2026, 5, 4))
    assert ws["B4"].value == now and ws["B4"].number_format == "DD.MM.YYYY HH:MM"
    assert ws["C4"].value == 3 and ws["C4"].data_type == "n" and ws["C5"].value == 1.5
    assert ws["D4"].value == 0.25 and ws["D4"].number_format == "0.0%"
    assert data[0][4] == "ja" and data[1][4] == "nein"
    for ref in ("F4", "G4", "F5", "G5"):  # never a formula, Excel keeps them text when edited
        assert ws[ref].data_type == "s" and ws[ref].quotePrefix
    assert ws["F4"].value == '=HYPERLINK("http://x","klick")' and ws["F5"].value == "-1-"  # control characters gone
    assert ws["H4"].value is None and ws["H5"].quotePrefix is False
    assert ws.print_title_rows == "$3:$3"


def test_writer_without_rows_and_long_sheet_names():
    body, name = exports.export("Teilnehmende 962/00001", [("Teilnehmende: [alle]/?*" * 3, ["Name"], [])],
                                now=datetime.datetime(2026, 1, 2, 8, 0))
    assert name == "Teilnehmende-962-00001_2026-01-02.xlsx"
    ws = load_workbook(io.BytesIO(body)).worksheets[0]
    assert len(ws.title) <= 31 and not set("[]:*?/\\") & set(ws.title)
    assert table(ws, ["Name"]) == [] and ws.auto_filter.ref == "A3:A4"


def test_column_widths_follow_the_content():
    assert exports.widths([exports.Column("Nr."), exports.Column("Aussage"), exports.Column("Fix", width=40)],
                          [[1, "x" * 100, ""], [2, "kurz", ""]]) == [8, 60, 40]
    assert exports.widths([exports.Column("Geplantes Ende")], [[datetime.date(2026, 1, 1)]]) == [12]


# ------------------------------------------------------------------ worklist

@pytest.fixture
def steps(world):
    """55 open pAp steps of p1 (team A; more than one page) and one of p2 (team B)."""
    for i in range(55):
        FollowUp.create(participation=world["p1"], step_id=f"s{i}", title=f"Aufgabe {i:02d}", role="pAp",
                        due=TODAY + datetime.timedelta(days=i % 10), mandatory=i == 0, mode="persönlich")
    FollowUp.create(participation=world["p2"], step_id="b", title="Aufgabe Team B", role="pAp", due=TODAY)
    return world


WORKLIST_HEADERS = ["Fällig", "Frühestens ab", "Aufgabe", "Pflicht", "Rolle", "Kontaktart", "Kunde/Kundin",
                    "Kundennummer", "Maßnahmeart", "Maßnahme-Nr.", "Status"]


def test_worklist_export_all_pages_of_the_filter(steps, auth):
    auth.login("pap1")
    page = auth.get("/wiedervorlagen/?zeitraum=alle").get_data(as_text=True)
    assert "55 offene Wiedervorlagen" in page
    assert 'href="/wiedervorlagen/export.xlsx?zeitraum=alle&amp;bereich=meine&amp;rolle="' in page
    ws = book(auth.get("/wiedervorlagen/export.xlsx?zeitraum=alle&bereich=meine&rolle=")).active
    assert ws.title == "Wiedervorlagen"
    rows = table(ws, WORKLIST_HEADERS)
    assert len(rows) == 55 and {r[6] for r in rows} == {steps["c1"].full_name}
    assert rows[0][2] == "Aufgabe 00" and rows[0][3] == "ja" and rows[0][5] == "persönlich"
    assert rows[0][10] == "heute" and rows[0][7] == steps["c1"].customer_number and rows[0][9] == "962/00001"
    assert_date(ws["A4"], TODAY)
    assert ws["A2"].value.startswith("Filter: alle offenen · meine Kundinnen und Kunden · Rolle: meine Rollen")
    [row] = exports_logged("followup-list")
    assert "55 Zeilen" in row.detail and "alle offenen" in row.detail and row.user.username == "pap1"
    # the same filter as the page: steps due within 0 days
    rows = table(book(auth.get("/wiedervorlagen/export.xlsx?zeitraum=0")).active, WORKLIST_HEADERS)
    assert len(rows) == 6 and all(r[0].date() <= TODAY for r in rows)


def test_worklist_export_of_the_team_lead_and_an_mb(steps, auth, make):
    FollowUp.create(measure=steps["m1"], step_id="mb-sprechstunde", title="Sprechstunde beim Träger", role="MB",
                    due=TODAY + datetime.timedelta(days=3))
    FollowUp.create(participation=steps["p1"], step_id="mb", title="MB-Schritt", role="MB", due=TODAY)
    auth.login("tl1")
    assert table(book(auth.get("/wiedervorlagen/export.xlsx?rolle=alle")).active, WORKLIST_HEADERS)[0][6] == \
        steps["c1"].full_name
    auth.logout()
    auth.login("mb1")
    wb = book(auth.get("/wiedervorlagen/export.xlsx"))
    assert wb.sheetnames == ["Wiedervorlagen", "Aufgaben Gruppenmaßnahmen"]
    assert [r[2] for r in table(wb["Wiedervorlagen"], WORKLIST_HEADERS)] == ["MB-Schritt"]
    tasks = table(wb["Aufgaben Gruppenmaßnahmen"], ["Fällig", "Aufgabe", "Maßnahme-Nr.", "Maßnahme", "Status"])
    assert tasks == [[datetime.datetime.combine(TODAY + datetime.timedelta(days=3), datetime.time()),
                      "Sprechstunde beim Träger", "962/00001", steps["m1"].title, None]]


# ------------------------------------------------------------------ customers and participations

def test_customers_export_only_the_team_and_formulas_stay_text(world, auth, make):
    make.customer(world["t1"], world["pap1"], last_name='=HYPERLINK("http://böse.example","Klick")',
                  first_name="+Eva", birth_date=datetime.date(1985, 2, 28))
    auth.login("pap1")
    ws = book(auth.get("/kunden/export.xlsx")).active
    rows = table(ws, ["Kundennummer", "Name", "Geburtsdatum", "pAp"])
    assert [r[1] for r in rows] == ['=HYPERLINK("http://böse.example","Klick"), +Eva', world["c1"].full_name]
    assert "Berger" not in str(rows)  # team B's customer
    assert ws["B4"].data_type == "s" and ws["B4"].quotePrefix and rows[0][3] == "Pap1"
    assert_date(ws["C4"], datetime.date(1985, 2, 28))
    assert_date(ws["C5"], datetime.date(1990, 5, 17))
    rows = table(book(auth.get("/kunden/export.xlsx?q=Albre")).active, ["Kundennummer", "Name", "Geburtsdatum", "pAp"])
    assert [r[1] for r in rows] == [world["c1"].full_name]
    assert [r.detail.split(";")[1:3] for r in exports_logged("customer-list")] == [
        [" Filter: keiner", " 2 Zeilen"], [" Filter: Suche „Albre“", " 1 Zeile"]]
    page = auth.get("/kunden/?q=Albre").get_data(as_text=True)
    assert 'href="/kunden/export.xlsx?q=Albre"' in page


def test_export_beyond_the_cap_is_refused_with_a_message(world, auth, make, monkeypatch):
    make.customer(world["t1"], world["pap1"])
    monkeypatch.setattr(exports, "MAX_ROWS", 1)
    auth.login("pap1")
    response = auth.get("/kunden/export.xlsx?q=123D")
    assert response.status_code == 302 and response.headers["Location"].endswith("/kunden/?q=123D")
    assert "mehr als 50.000 Zeilen" in auth.get(response.headers["Location"]).get_data(as_text=True)
    assert exports_logged("customer-list") == []


PARTICIPATION_HEADERS = ["Kunde/Kundin", "Kundennummer", "Maßnahme-Nr.", "Maßnahme", "Art", "Eintritt",
                         "Geplantes Ende", "Austritt", "Austrittsart"]


def test_participations_export_with_state_and_access(world, auth, make):
    ended = make.participation(world["c1"], make.measure("FBW", measure_number="962/00009"),
                               exit=datetime.date(2026, 3, 13), exit_kind="abbruch")
    auth.login("pap1")
    rows = table(book(auth.get("/teilnahmen/export.xlsx?status=")).active, PARTICIPATION_HEADERS)
    assert sorted(r[2] for r in rows) == ["962/00001", "962/00009"]  # not team B's 962/00002
    ws = book(auth.get("/teilnahmen/export.xlsx?status=beendet")).active
    rows = table(ws, PARTICIPATION_HEADERS)
    assert rows == [[world["c1"].full_name, world["c1"].customer_number, "962/00009", ended.measure.title, "FBW",
                     datetime.datetime(2026, 1, 5), datetime.datetime(2026, 6, 30), datetime.datetime(2026, 3, 13),
                     "Abbruch"]]
    for ref in ("F4", "G4", "H4"):
        assert ws[ref].number_format == "DD.MM.YYYY"
    assert "Status: beendet" in ws["A2"].value
    auth.logout()
    auth.login("mb1")  # an MB: only their measure's participations
    assert [r[2] for r in table(book(auth.get("/teilnahmen/export.xlsx?status=")).active,
                                PARTICIPATION_HEADERS)] == ["962/00001"]
    auth.logout()
    auth.login("admin")  # no Sozialdaten by the Admin role alone
    assert table(book(auth.get("/teilnahmen/export.xlsx?status=")).active, PARTICIPATION_HEADERS) == []


# ------------------------------------------------------------------ measures and their participants

def test_measures_export_with_search_and_type(world, auth):
    auth.login("pap1")
    ws = book(auth.get("/massnahmen/export.xlsx?art=FBW")).active
    rows = table(ws, ["Maßnahme-Nr.", "Art", "Bezeichnung", "Träger", "Beginn", "Ende", "Plätze"])
    assert rows == [["962/00002", "FBW", world["m2"].title, world["m2"].provider.name, datetime.datetime(2026, 1, 5),
                     datetime.datetime(2026, 6, 30), 12]]
    assert_date(ws["E4"], datetime.date(2026, 1, 5))
    assert ws["G4"].data_type == "n"
    assert len(table(book(auth.get("/massnahmen/export.xlsx")).active, [c.value for c in ws[3]])) == 2
    assert 'href="/massnahmen/export.xlsx?q=&amp;art=FBW"' in auth.get("/massnahmen/?art=FBW").get_data(as_text=True)
    assert [r.detail.split(";")[1] for r in exports_logged("measure-list")] == [" Filter: Art: FBW", " Filter: keiner"]


DETAIL_HEADERS = ["Kunde/Kundin", "Kundennummer", "Eintritt", "Geplantes Ende", "Austritt", "Austrittsart"]


@pytest.fixture
def mixed(world, make):
    """m1 with a second participant from team B."""
    world["c3"] = make.customer(world["t2"], world["pap2"], last_name="Cordes")
    make.participation(world["c3"], world["m1"], exit=datetime.date(2026, 2, 2), exit_kind="regulaer")
    return world


@pytest.mark.parametrize("username, names", [
    ("mb1", ["Albrecht", "Cordes"]), ("mb2", []), ("pap1", ["Albrecht"]), ("pap2", ["Cordes"]), ("tl1", ["Albrecht"]),
    ("bl", ["Albrecht", "Cordes"]), ("admin", [])])
def test_measure_participants_export_as_the_page(mixed, auth, username, names):
    auth.login(username)
    url = f"/massnahmen/{mixed['m1'].id}/teilnehmende.xlsx"
    page = auth.get(f"/massnahmen/{mixed['m1'].id}").get_data(as_text=True)
    assert (f'href="{url}"' in page) == bool(names)
    ws = book(auth.get(url)).active
    rows = table(ws, DETAIL_HEADERS)
    assert [r[0].split(",")[0] for r in rows] == names
    if "Cordes" in names:
        row = rows[names.index("Cordes")]
        assert row[4] == datetime.datetime(2026, 2, 2) and row[5] == "reguläres Ende"
    [logged] = exports_logged("measure-participants")
    assert logged.entity_id == str(mixed["m1"].id) and f"; {len(names)} Zeile" in logged.detail


def test_measure_participants_export_of_an_unknown_measure(world, auth):
    auth.login("bl")
    assert auth.get("/massnahmen/999999/teilnehmende.xlsx").status_code == 404


@pytest.mark.parametrize("username, status", [("mb1", 200), ("mb2", 403), ("pap1", 403), ("tl1", 403), ("bl", 403),
                                              ("admin", 403)])
def test_workspace_participants_export_only_for_the_measures_mb(mixed, auth, username, status):
    auth.login(username)
    url = f"/meine-massnahmen/{mixed['m1'].id}/teilnehmende.xlsx"
    response = auth.get(url)
    assert response.status_code == status
    if status == 200:
        assert f'href="{url}"' in auth.get(f"/meine-massnahmen/{mixed['m1'].id}").get_data(as_text=True)
        ws = book(response).active
        rows = table(ws, ["Kunde/Kundin", "Kundennummer", "pAp", "Eintritt", "Geplantes Ende", "Austritt",
                          "Austrittsart"])
        assert [(r[0].split(",")[0], r[2]) for r in rows] == [("Albrecht", "Pap1"), ("Cordes", "Pap2")]
        assert_date(ws["D4"], datetime.date(2026, 1, 5))
    assert len(exports_logged("measure-participants")) == (status == 200)


# ------------------------------------------------------------------ Fachaufsicht

@pytest.fixture
def december(request):
    """Team A's December list (``supervision_world`` of the Fachaufsicht tests)."""
    return request.getfixturevalue("supervision_world")


SUPERVISION_HEADERS = ["Nr.", "Kunde/Kundin", "Kundennummer", "pAp", "Maßnahmeart", "Maßnahme-Nr.", "Geplantes Ende",
                       "Austritt", "AM eingeleitet", "Stichprobe", "Ergebnis", "AM rechtzeitig eingeleitet",
                       "Vereinbarung zum Ende aktuell", "Kontakt während der Maßnahme",
                       "Auswertungsgespräch fristgerecht", "Bericht/LuV ausgewertet", "Wiedervorlage gesetzt",
                       "VV unterbreitet"]


def test_team_lead_exports_the_months_list_with_german_dates(december, auth):
    w = december
    auth.login("tl1")
    page = auth.get(f"/fachaufsicht/liste?monat={DECEMBER}&team={w['t1'].id}").get_data(as_text=True)
    url = f"/fachaufsicht/liste/export.xlsx?monat={DECEMBER}&amp;team={w['t1'].id}"
    assert f'href="{url}"' in page and "Als Excel-Datei herunterladen" in page
    response = auth.get(url.replace("&amp;", "&"))
    assert f"Fachaufsicht-Team-A-Dezember-2026_{TODAY}.xlsx" in response.headers["Content-Disposition"]
    ws = book(response).active
    assert ws["A1"].value == "Fachaufsicht Team A Dezember 2026"
    rows = table(ws, SUPERVISION_HEADERS)
    assert [r[1].split(",")[0] for r in rows] == ["Fischer", "Graf", "Jäger"]  # by planned end, then name
    fischer = next(r for r in rows if r[1].startswith("Fischer"))
    assert fischer[8] == "ja" and fischer[9] == "nein" and fischer[10] is None and fischer[3] == "Pap1"
    for i, row in enumerate(ws.iter_rows(min_row=4), start=1):
        assert row[0].value == i
        assert_date(row[6], datetime.date(2026, 12, 15))
    jaeger = next(r for r in rows if r[1].startswith("Jäger"))
    assert jaeger[7] == datetime.datetime(2026, 12, 3)
    [logged] = exports_logged("supervision-list")
    assert logged.entity_id == str(w["t1"].id) and "Dezember 2026" in logged.detail and "3 Zeilen" in logged.detail


def test_supervision_export_shows_the_sample_and_ratings(december, auth):
    w = december
    auth.login("tl1")
    assert draw_sample(auth, w).status_code == 302
    rows = table(book(auth.get(f"/fachaufsicht/liste/export.xlsx?monat={DECEMBER}&team={w['t1'].id}")).active,
                 SUPERVISION_HEADERS)
    page = auth.get(f"/fachaufsicht/liste?monat={DECEMBER}&team={w['t1'].id}").get_data(as_text=True)
    cases = {c.participation.customer.customer_number: c for c in SupervisionCase.select()}
    assert len(rows) == len(cases) == 3 and {r[9] for r in rows} == {"ja"}
    for row in rows:  # the result and each criterion's rating as stored (pre-filled when drawn)
        ratings = load_ratings(cases[row[2]].ratings)
        assert row[10] == summary(ratings) and row[10] in page
        assert row[11:] == [RATINGS.get(ratings.get(key)) for key in CRITERION_KEYS]
    assert any(row[11:] != [None] * 7 for row in rows)


@pytest.mark.parametrize("username, team, status", [
    ("tl1", "t1", 200), ("dqm1", "t1", 200), ("bl", "t1", 200), ("bl", "t2", 200), ("tl1", "t2", 403),
    ("pap1", "t1", 403), ("mb1", "t1", 403), ("admin", "t1", 403), ("bov1", "t1", 403)])
def test_supervision_export_permission_matrix(december, auth, username, team, status):
    auth.login(username)
    url = f"/fachaufsicht/liste/export.xlsx?monat={DECEMBER}&team={december[team].id}"
    assert auth.get(url).status_code == status
    assert auth.get(f"/fachaufsicht/liste?monat={DECEMBER}&team={december[team].id}").status_code == status
    assert len(exports_logged("supervision-list")) == (status == 200)


@pytest.mark.parametrize("query", ["monat=Mai&team=1", "monat=2026-12", "monat=2026-13&team=x"])
def test_supervision_export_without_month_or_team_leads_back(december, auth, query):
    auth.login("bl")
    response = auth.get(f"/fachaufsicht/liste/export.xlsx?{query}")
    assert response.status_code == 302 and "/fachaufsicht/liste" in response.headers["Location"]
    assert exports_logged("supervision-list") == []


# ------------------------------------------------------------------ survey results

@pytest.fixture
def survey(world):
    m = world["m1"]
    r1, r2 = add_round(m), add_round(m, datetime.date(2026, 5, 4), "mb-teilnehmerbefragung-2")
    add_answers(m, world["mb1"], r1, *FOUR)
    add_answers(m, world["mb1"], r2, answer("4444", 6, "direkt", "=Runde zwei"))
    return {**world, "r1": r1, "r2": r2}


def test_survey_results_export_as_the_page(survey, auth):
    auth.login("mb1")
    url = f"/massnahmen/{survey['m1'].id}/befragung/ergebnis.xlsx?runde={survey['r1'].id}"
    page = auth.get(f"/massnahmen/{survey['m1'].id}/befragung?runde={survey['r1'].id}").get_data(as_text=True)
    assert f'href="{url}"' in page
    wb = book(auth.get(url))
    assert wb.sheetnames == ["Übersicht", "Aussagen", "Gesamtnote", "Anmerkungen"]
    assert "Befragungsrunde, fällig am 19.03.2026" in wb["Aussagen"]["A2"].value
    statements = wb["Aussagen"]
    rows = table(statements, ["Nr.", "Aussage", "1 trifft voll zu", "2 trifft eher zu", "3 trifft eher nicht zu",
                              "4 trifft gar nicht zu", "1 trifft voll zu (Anteil)", "2 trifft eher zu (Anteil)",
                              "3 trifft eher nicht zu (Anteil)", "4 trifft gar nicht zu (Anteil)", "keine Angabe",
                              "Ø (1 = beste)", "Zustimmung (1 + 2)"])
    # statement 1 by hand: answers 1, 2, 1, 2 -> 2× "1", 2× "2", mean 1.5, agreement 100 %
    assert rows[0][:6] == [1, "Ziel und Ablauf der Maßnahme wurden mir zu Beginn verständlich erklärt.", 2, 2, 0, 0]
    assert rows[0][6:10] == [0.5, 0.5, 0, 0] and rows[0][10:] == [0, 1.5, 1]
    # statement 2: 2, 2, 1, 4 -> mean 2.25 -> 2.3 (half up), agreement 75 %
    assert rows[1][2:6] == [1, 2, 0, 1] and rows[1][11:] == [2.3, 0.75]
    assert statements["L5"].number_format == "0.0" and statements["M5"].number_format == "0.0%"
    assert len(rows) == 9 and rows[3][10] == 4  # statement 4: nobody answered ("0")
    grades = table(wb["Gesamtnote"], ["Note", "Bezeichnung", "Anzahl", "Anteil"])
    assert [r[2] for r in grades] == [1, 2, 1, 0, 0, 0] and grades[1][3] == 0.5
    overview = dict(table(wb["Übersicht"], ["Angabe", "Wert"]))
    assert overview["Antworten"] == 4 and overview["Durchschnitt der Gesamtnote"] == 2
    comments = [r[0] for r in table(wb["Anmerkungen"], ["Anmerkung (alphabetisch)"])]
    assert comments == ["<script>alert(1)</script>", "Bus fährt selten", "Mehr Praxis bitte"]
    [logged] = exports_logged("survey-results")
    assert logged.entity_id == str(survey["m1"].id) and "Befragungsrunde" in logged.detail


def test_survey_export_below_the_threshold_gives_only_the_count(survey, auth):
    auth.login("tl1")
    wb = book(auth.get(f"/massnahmen/{survey['m1'].id}/befragung/ergebnis.xlsx?runde={survey['r2'].id}"))
    assert wb.sheetnames == ["Ergebnis"]
    rows = table(wb["Ergebnis"], ["Antworten", "Hinweis"])
    assert rows == [[1, "Ergebnisse werden erst ab 3 Antworten angezeigt, damit keine Rückschlüsse auf "
                        "einzelne Teilnehmende möglich sind."]]
    assert "Runde zwei" not in str([[c.value for c in r] for ws in wb for r in ws.iter_rows()])


@pytest.mark.parametrize("username, status", [("mb1", 200), ("mb2", 403), ("pap1", 403), ("tl1", 200), ("bl", 200),
                                              ("admin", 403)])
def test_survey_export_permission_matrix(survey, auth, username, status):
    auth.login(username)
    url = f"/massnahmen/{survey['m1'].id}/befragung"
    assert auth.get(url + "/ergebnis.xlsx").status_code == status == auth.get(url).status_code
    assert len(exports_logged("survey-results")) == (status == 200)


# ------------------------------------------------------------------ every export: login and 404

EXPORTS = ["/wiedervorlagen/export.xlsx", "/kunden/export.xlsx", "/teilnahmen/export.xlsx", "/massnahmen/export.xlsx",
           "/massnahmen/{m}/teilnehmende.xlsx", "/meine-massnahmen/{m}/teilnehmende.xlsx",
           "/fachaufsicht/liste/export.xlsx?monat=2026-12&team={t}", "/massnahmen/{m}/befragung/ergebnis.xlsx"]


@pytest.mark.parametrize("url", EXPORTS)
def test_anonymous_is_sent_to_the_login(world, client, url):
    response = client.get(url.format(m=world["m1"].id, t=world["t1"].id))
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]
    assert AuditLog.select().where(AuditLog.action == "export").count() == 0


@pytest.mark.parametrize("url", [u for u in EXPORTS if "{m}" in u])
def test_unknown_measure_is_404(world, auth, url):
    auth.login("mb1")
    assert auth.get(url.format(m=999999, t=world["t1"].id)).status_code == 404


def test_customer_with_control_characters_exports(world, auth):
    Customer.update(first_name="Eva\x07\x1b").where(Customer.id == world["c1"].id).execute()
    auth.login("pap1")
    rows = table(book(auth.get("/kunden/export.xlsx?q=%01")).active, ["Kundennummer", "Name", "Geburtsdatum", "pAp"])
    assert rows == []
    rows = table(book(auth.get("/kunden/export.xlsx")).active, ["Kundennummer", "Name", "Geburtsdatum", "pAp"])
    assert rows[0][1] == "Albrecht, Eva"
