"""Controlling "Absolventenmanagement erfüllt" (RULES.md §6): the quota per month, team and pAp on a data set
computed by hand, the page (permissions, full page and fragments, drill-down, SVG trend), the exports and
``flask controlling report`` (same figures, same rule function as ``controlling evaluate``, exit codes)."""
import datetime
import io
import json
import logging

import pytest
from openpyxl import load_workbook

from absolvent.db import database
from absolvent.documents.models import IssuedDocument
from absolvent.models import Agreement, AuditLog, PlacementProposal
from absolvent.rules.cli import controlling_cli
from absolvent.supervision import controlling
from absolvent.supervision.controlling_cli import report_command
from tests.helpers import pdf_text

if "report" not in controlling_cli.commands:
    controlling_cli.add_command(report_command)

D = datetime.date
MAY = D(2026, 5, 1)
EXIT = D(2026, 5, 29)
# Teilnahmedauer (RULES.md §3) = (exit − entry) + 1: 29.11.2025 → 29.05.2026 is 181 days apart, so 182 days
ENTRY_182, ENTRY_181 = D(2025, 11, 29), D(2025, 11, 30)
LONG = D(2025, 6, 2)
# the window [exit − 90 days, exit]: 28.02.2026 is day 90 before 29.05.2026, 27.02.2026 day 91
DAY_90, DAY_91 = D(2026, 2, 28), D(2026, 2, 27)
GOOD_KP = [("KP", D(2026, 4, 1), D(2026, 10, 1))]
GOOD_VV = [(D(2026, 4, 15), "arbeit", True)]


def test_hand_computed_dates():
    assert (EXIT - ENTRY_182).days + 1 == 182 and (EXIT - ENTRY_181).days + 1 == 181
    assert (EXIT - DAY_90).days == 90 and (EXIT - DAY_91).days == 91


@pytest.fixture
def data(world, make):
    """Team A: pAp1 (6 exits in May), pAp3 (3), no pAp (1); Team B: pAp2 (2); plus exits outside May."""
    t1, t2 = world["t1"], world["t2"]
    world["pap3"] = make.user("pap3", "pAp", t1)
    world["tl2"] = make.user("tl2", "TL", t2)
    world["dqm2"] = make.user("dqm2", "DQM", t2)
    cases = {}

    def case(number, team, pap, type_code, entry=LONG, exit_=EXIT, kind="regulaer", agreements=(), proposals=()):
        customer = make.customer(team, pap, customer_number=number)
        measure = make.measure(type_code, start=entry, end=exit_)
        p = make.participation(customer, measure, entry=entry, planned_end=exit_, exit=exit_, exit_kind=kind)
        for agreement_kind, concluded, end in agreements:
            Agreement.create(participation=p, customer=customer, kind=agreement_kind, concluded_on=concluded,
                             valid_until=end if agreement_kind == "EV" else None,
                             review_date=end if agreement_kind == "KP" else None,
                             goal="Ziel", steps="Schritte", author=world["pap1"])
        for day, job_kind, sv in proposals:
            PlacementProposal.create(customer=customer, participation=p, proposal_date=day, employer="Firma",
                                     job_title="Lagerist", job_kind=job_kind, sv_pflichtig=sv, author=world["pap1"])
        cases[number] = p
        return p

    pap1, pap3, pap2 = world["pap1"], world["pap3"], world["pap2"]
    # pAp1: eligible OK-182, EXPIRED, DAY-91 → 1 of 3 fulfilled
    case("OK-182", t1, pap1, "FBW", entry=ENTRY_182, agreements=GOOD_KP, proposals=GOOD_VV)
    case("SHORT-181", t1, pap1, "FBW", entry=ENTRY_181, agreements=GOOD_KP, proposals=GOOD_VV)
    case("ABBRUCH", t1, pap1, "MAT", kind="abbruch", agreements=GOOD_KP, proposals=GOOD_VV)
    case("AGH", t1, pap1, "AGH", agreements=GOOD_KP, proposals=GOOD_VV)
    case("EXPIRED", t1, pap1, "MAT", agreements=[("EV", D(2026, 4, 1), D(2026, 5, 28))], proposals=GOOD_VV)
    case("DAY-91", t1, pap1, "FBW-ABS", agreements=[("EV", DAY_91, None)], proposals=GOOD_VV)
    # pAp3: eligible DAY-90, MINIJOB, NOT-SV → 1 of 3 fulfilled
    case("DAY-90", t1, pap3, "FBW-ABS", agreements=[("EV", DAY_90, D(2026, 8, 31))],
         proposals=[(DAY_90, "arbeit", True)])
    case("MINIJOB", t1, pap3, "MAT", agreements=GOOD_KP, proposals=[(D(2026, 4, 15), "minijob", True)])
    case("NOT-SV", t1, pap3, "AVGS", agreements=GOOD_KP, proposals=[(D(2026, 4, 15), "arbeit", False)])
    # no pAp: 1 of 1 (VV Künstler counts)
    case("NO-PAP", t1, None, "MAG", agreements=GOOD_KP, proposals=[(D(2026, 5, 29), "kuenstler", True)])
    # Team B, pAp2: 1 of 2
    case("B-OK", t2, pap2, "BAE", agreements=GOOD_KP, proposals=GOOD_VV)
    case("B-NONE", t2, pap2, "FBW")
    # outside May: April (fulfilled, counts in April's trend), June (not in May)
    case("APRIL", t1, pap1, "FBW", exit_=D(2026, 4, 30), agreements=[("KP", D(2026, 3, 2), None)],
         proposals=[(D(2026, 4, 1), "arbeit", True)])
    case("JUNE", t1, pap1, "FBW", exit_=D(2026, 6, 1), agreements=GOOD_KP, proposals=GOOD_VV)
    world["cases"] = cases
    return world


def by_number(report):
    return {c["customer_number"]: c for t in report["teams"] for p in t["paps"] for c in p["cases"]}


# ------------------------------------------------------------------ the quota, computed by hand

EXPECTED = {"OK-182": True, "SHORT-181": None, "ABBRUCH": None, "AGH": None, "EXPIRED": False, "DAY-91": False,
            "DAY-90": True, "MINIJOB": False, "NOT-SV": False, "NO-PAP": True, "B-OK": True, "B-NONE": False}


def test_each_case_as_computed_by_hand(data):
    cases = by_number(controlling.report(MAY))
    assert {number: c["fulfilled"] for number, c in cases.items()} == EXPECTED
    reasons = {number: " ".join(c["reasons"]) for number, c in cases.items()}
    assert "Teilnahmedauer 181 Tage" in reasons["SHORT-181"] and "unter 182 Tagen" in reasons["SHORT-181"]
    assert "Teilnahmedauer 182 Tage" in reasons["OK-182"]
    assert "Abbruch" in reasons["ABBRUCH"]
    assert "AGH gehört nicht zur Fördergruppe" in reasons["AGH"]
    assert "galt nur bis 28.05.2026" in reasons["EXPIRED"]
    assert "Keine Vereinbarung (EV/Kooperationsplan) im Zeitfenster 28.02.2026 bis 29.05.2026" in reasons["DAY-91"]
    assert "Vereinbarung vom 28.02.2026 im Zeitfenster" in reasons["DAY-90"]
    assert "Stellenart Minijob" in reasons["MINIJOB"]
    assert "nicht sozialversicherungspflichtig" in reasons["NOT-SV"]
    assert "Stellenart Künstler" in reasons["NO-PAP"]
    assert "APRIL" not in cases and "JUNE" not in cases


def test_sums_per_team_and_pap(data):
    report = controlling.report(MAY)
    assert report["month"] == "2026-05"
    figures = {(t["team"], p["pap"]): (p["eligible"], p["fulfilled"], len(p["cases"]))
               for t in report["teams"] for p in t["paps"]}
    assert figures == {("Team A", "Pap1"): (3, 1, 6), ("Team A", "Pap3"): (3, 1, 3),
                       ("Team A", "ohne pAp"): (1, 1, 1), ("Team B", "Pap2"): (2, 1, 2)}
    assert [(t["team"], t["eligible"], t["fulfilled"]) for t in report["teams"]] == [("Team A", 7, 3), ("Team B", 2, 1)]
    assert set(report["teams"][0]["paps"][0]["cases"][0]) == {"participation", "customer_number", "fulfilled",
                                                             "reasons"}
    only_b = controlling.report(MAY, data["t2"])
    assert [t["team"] for t in only_b["teams"]] == ["Team B"] and only_b["teams"][0]["eligible"] == 2


def test_trend_over_twelve_months(data):
    rows = controlling.trend(MAY, data["t1"])
    assert [r["month"] for r in rows][0] == D(2025, 6, 1) and rows[-1]["month"] == MAY and len(rows) == 12
    assert rows[-1] == {"month": MAY, "eligible": 7, "fulfilled": 3, "quota": 42.9}
    assert rows[-2] == {"month": D(2026, 4, 1), "eligible": 1, "fulfilled": 1, "quota": 100.0}
    assert all(r["eligible"] == 0 and r["quota"] is None for r in rows[:-2])


def test_few_queries_whatever_the_number_of_cases(data):
    """No N+1: teams, exits, agreements and proposals are read in one query each."""
    statements = []

    class Collect(logging.Handler):
        def emit(self, record):
            statements.append(record.getMessage())

    logger, handler = logging.getLogger("peewee"), Collect()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        controlling.summary(MAY)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert len(statements) == 4


# ------------------------------------------------------------------ the page

ALLOWED = [("tl1", 200), ("bl", 200), ("dqm1", 200), ("pap1", 403), ("mb1", 403), ("admin", 403), ("bov1", 403)]


@pytest.mark.parametrize("username,status", ALLOWED)
def test_page_permissions(data, auth, username, status):
    auth.login(username)
    assert auth.get("/controlling/?monat=2026-05").status_code == status
    assert auth.get(f"/controlling/export.xlsx?monat=2026-05&team={data['t1'].id}").status_code == status


@pytest.mark.parametrize("username", ["tl1", "dqm1"])
def test_team_roles_see_their_own_team_only(data, auth, username):
    auth.login(username)
    body = auth.get("/controlling/?monat=2026-05").get_data(as_text=True)
    assert "<strong>Team A</strong>, Mai 2026: 3 von 7 erfüllt, Quote 42,9 %" in body
    assert "Team B" not in body and 'id="f-team"' not in body
    assert auth.get(f"/controlling/?monat=2026-05&team={data['t1'].id}").status_code == 200
    assert auth.get(f"/controlling/?monat=2026-05&team={data['t2'].id}").status_code == 403
    assert auth.get(f"/controlling/faelle?monat=2026-05&team={data['t2'].id}&pap={data['pap2'].id}").status_code == 403
    assert auth.get(f"/controlling/export.pdf?monat=2026-05&team={data['t2'].id}").status_code == 403


def test_bl_sees_all_teams_or_one(data, auth):
    auth.login("bl")
    body = auth.get("/controlling/?monat=2026-05").get_data(as_text=True)
    assert "<strong>Team A</strong>, Mai 2026: 3 von 7 erfüllt, Quote 42,9 %" in body
    assert "<strong>Team B</strong>, Mai 2026: 1 von 2 erfüllt, Quote 50,0 %" in body
    assert '<option value="">Alle Teams</option>' in body
    one = auth.get(f"/controlling/?monat=2026-05&team={data['t2'].id}").get_data(as_text=True)
    assert "<strong>Team B</strong>" in one and "<strong>Team A</strong>" not in one
    assert auth.get("/controlling/?monat=2026-05&team=9999").status_code == 404


def test_page_full_and_fragment(data, auth):
    auth.login("tl1")
    full = auth.get("/controlling/?monat=2026-05")
    body = full.get_data(as_text=True)
    assert full.status_code == 200 and "<html" in body and 'id="f-monat"' in body
    assert '<th scope="row">Pap1</th><td>3</td><td>1</td><td>2</td><td>33,3 %</td>' in body
    assert '<th scope="row">ohne pAp</th><td>1</td><td>1</td><td>0</td><td>100,0 %</td>' in body
    frag = auth.get("/controlling/?monat=2026-05", htmx=True)
    text = frag.get_data(as_text=True)
    assert frag.status_code == 200 and "<html" not in text and text.lstrip().startswith('<div id="controlling-report"')
    assert "HX-Request" in frag.headers["Vary"] and "42,9 %" in text


def test_default_month_is_last_month_and_bad_month_is_refused(data, auth):
    auth.login("tl1")
    last = (datetime.date.today().replace(day=1) - datetime.timedelta(days=1))
    assert f'value="{last:%Y-%m}"' in auth.get("/controlling/").get_data(as_text=True)
    bad = auth.get("/controlling/?monat=2026-13")
    assert bad.status_code == 422 and "Bitte einen Monat im Format JJJJ-MM wählen." in bad.get_data(as_text=True)
    assert auth.get("/controlling/export.xlsx?monat=Mai").status_code == 400


def test_trend_chart_is_readable_without_colour(data, auth):
    auth.login("tl1")
    body = auth.get("/controlling/?monat=2026-05").get_data(as_text=True)
    svg = body[body.index("<svg"):body.index("</svg>")]
    assert 'role="img"' in svg and '<title id="trend-title">' in svg and "Juni 2025 bis Mai 2026" in svg
    assert "<desc id=\"trend-desc\">" in svg and "Mai 2026: 42,9 % (3 von 7 erfüllt)" in svg
    assert ">42,9 %</text>" in svg and ">3/7</text>" in svg and ">100,0 %</text>" in svg and ">keine</text>" in svg
    assert 'fill="url(#trend-hatch)"' in svg and ">Mai</text>" in svg
    assert '<th scope="row">Mai 2026</th><td>7</td><td>3</td><td>42,9 %</td>' in body  # the table next to it


def cases_url(data, pap, team="t1"):
    return f"/controlling/faelle?monat=2026-05&team={data[team].id}&pap={data[pap].id if pap else 0}"


def test_drill_down_full_page_and_fragment(data, auth):
    auth.login("tl1")
    full = auth.get(cases_url(data, "pap1"))
    body = full.get_data(as_text=True)
    assert full.status_code == 200 and "<html" in body and "42,9 %" in body  # the whole page around it
    assert "Einzelfälle: Pap1 (Team A), Austritte im Mai 2026" in body
    frag = auth.get(cases_url(data, "pap1"), htmx=True)
    text = frag.get_data(as_text=True)
    assert frag.status_code == 200 and text.lstrip().startswith('<section id="pap-cases"') and "<html" not in text
    for number in ("OK-182", "SHORT-181", "ABBRUCH", "AGH", "EXPIRED", "DAY-91"):
        assert f">{number}</a>" in text
    assert "MINIJOB" not in text and "APRIL" not in text
    assert "galt nur bis 28.05.2026" in text and "✗ nicht erfüllt" in text and "✓ erfüllt" in text
    assert "– nicht berücksichtigt" in text
    nopap = auth.get(cases_url(data, None), htmx=True).get_data(as_text=True)
    assert "Einzelfälle: ohne pAp" in nopap and ">NO-PAP</a>" in nopap
    assert auth.get(cases_url(data, "pap2")).status_code == 404  # no case of pAp2 in Team A


def test_drill_down_for_bl_in_other_team(data, auth):
    auth.login("bl")
    text = auth.get(cases_url(data, "pap2", "t2"), htmx=True).get_data(as_text=True)
    assert ">B-OK</a>" in text and ">B-NONE</a>" in text and "Keine Vereinbarung" in text
    assert auth.get("/controlling/faelle?monat=2026-05&pap=0").status_code == 404  # which team?


def test_tl_without_team_and_malformed_ids(data, auth, make):
    make.user("tl0", "TL")
    auth.login("tl0")
    assert auth.get("/controlling/?monat=2026-05").status_code == 403
    auth.logout()
    auth.login("tl1")
    assert auth.get("/controlling/?monat=2026-05&team=A").status_code == 404
    assert auth.get(f"/controlling/faelle?monat=2026-05&team={data['t1'].id}&pap=x").status_code == 404


def audit_rows(**where):
    with database.connection_context():
        query = AuditLog.select().order_by(AuditLog.id)
        for key, value in where.items():
            query = query.where(getattr(AuditLog, key) == value)
        return list(query)


def test_reads_and_exports_are_audited(data, auth):
    auth.login("tl1")
    auth.get("/controlling/?monat=2026-05")
    auth.get(cases_url(data, "pap1"), htmx=True)
    auth.get("/controlling/export.xlsx?monat=2026-05")
    read = audit_rows(entity="controlling", action="read")
    assert len(read) == 1 and read[0].user.username == "tl1" and "Monat 2026-05 Team Team A" in read[0].detail
    cases = audit_rows(entity="controlling-cases")
    assert len(cases) == 1 and str(data["cases"]["EXPIRED"].id) in cases[0].detail
    export = audit_rows(action="export")
    assert len(export) == 1 and export[0].detail.startswith("xlsx Monat 2026-05") and "sha256=" in export[0].detail


# ------------------------------------------------------------------ exports

def test_xlsx_export(data, auth):
    auth.login("bl")
    response = auth.get("/controlling/export.xlsx?monat=2026-05")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert "Controlling_2026-05_alle-Teams.xlsx" in response.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.data))
    assert wb.sheetnames == ["Übersicht", "Fälle", "Verlauf"]
    overview, cases, trend = wb["Übersicht"], wb["Fälle"], wb["Verlauf"]
    assert [c.value for c in overview[1]] == ["Berichtsmonat", "Team", "pAp", "Berücksichtigt", "Erfüllt", "Quote"]
    assert [c.value for c in cases[1]] == ["Team", "pAp", "Teilnahme", "Kundennummer", "Maßnahmeart", "Eintritt",
                                           "Austritt", "Ergebnis", "Gründe"]
    for ws in (overview, cases, trend):
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
    totals = [[c.value for c in row] for row in overview.iter_rows(min_row=2) if row[2].value == "Team gesamt"]
    assert [(r[1], r[3], r[4], round(r[5], 4)) for r in totals] == [("Team A", 7, 3, 0.4286), ("Team B", 2, 1, 0.5)]
    row = next(r for r in cases.iter_rows(min_row=2) if r[3].value == "EXPIRED")
    assert row[6].value.date() == EXIT and row[6].number_format == "DD.MM.YYYY"
    assert row[5].value.date() == LONG and row[5].number_format == "DD.MM.YYYY"
    assert row[7].value == "nicht erfüllt" and "galt nur bis 28.05.2026" in row[8].value
    assert overview["A2"].number_format == "DD.MM.YYYY" and overview["A2"].value.date() == MAY
    assert trend.max_row == 13 and trend["A13"].value.date() == MAY and trend["B13"].value == 9


def test_xlsx_keeps_formula_like_text_as_text(data, auth):
    with database.connection_context():
        data["pap3"].name = "=HYPERLINK(\"http://x\")"
        data["pap3"].save()
    auth.login("tl1")
    wb = load_workbook(io.BytesIO(auth.get("/controlling/export.xlsx?monat=2026-05").data))
    cell = next(r[2] for r in wb["Übersicht"].iter_rows(min_row=2) if str(r[2].value).startswith("="))
    assert cell.data_type == "s"


def test_pdf_export_is_rendered_and_not_archived(data, auth):
    auth.login("tl1")
    response = auth.get("/controlling/export.pdf?monat=2026-05")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Mai 2026" in text and "Team A" in text and "3 von 7" in text and "42,9 %" in text
    assert "EXPIRED" in text and "Team B" not in text
    with database.connection_context():
        assert IssuedDocument.select().count() == 0
    assert audit_rows(action="export")[0].detail.startswith("pdf Monat 2026-05 Team Team A")


def test_pdf_of_many_cases_keeps_the_figures_and_names_the_cases_left_out(data, auth, monkeypatch):
    """The whole Jobcenter's month has thousands of cases (hundreds of pages, beyond the
    renderer's time limit): above the limit the print keeps the figures per team and pAp and
    says where the cases are; a team's report within the limit still lists them."""
    monkeypatch.setattr(controlling, "PDF_CASE_LIMIT", 3)
    auth.login("bl")
    text = pdf_text(auth.get("/controlling/export.pdf?monat=2026-05").data)
    assert "Team A Team gesamt 7 3 4 42,9 %" in text and "Team B Team gesamt 2 1 1 50,0 %" in text
    assert "Die 12 Einzelfälle dieses Berichts sind für den Druck zu viele" in " ".join(text.split())
    assert "EXPIRED" not in text  # a reason printed only with a case
    monkeypatch.setattr(controlling, "PDF_CASE_LIMIT", 300)
    assert "EXPIRED" in pdf_text(auth.get("/controlling/export.pdf?monat=2026-05").data)
    pap = {"pap": "P", "eligible": 0, "fulfilled": 0, "quota_text": "–", "cases": [{}] * 1763}
    many = {"month": datetime.date(2026, 5, 1),
            "teams": [{"team": "T", "eligible": 0, "fulfilled": 0, "quota_text": "–", "paps": [pap]}]}
    context = controlling.pdf_context(many, [], {}, "alle Teams", datetime.date(2026, 6, 1))
    assert context["cases_omitted"] == "1.763" and context["teams"][0]["paps"][0]["cases"] == []

def test_pdf_failure_goes_back_to_the_page_with_a_message(data, auth, monkeypatch):
    from absolvent.documents.render import DocumentError
    from absolvent.supervision import controlling_views

    def refuse(*args, **kwargs):
        raise DocumentError("Zeitüberschreitung beim Erstellen.")

    monkeypatch.setattr(controlling_views.documents, "render", refuse)
    auth.login("tl1")
    response = auth.get("/controlling/export.pdf?monat=2026-05")
    assert response.status_code == 302 and "/controlling/?monat=2026-05" in response.headers["Location"]
    page = auth.get(response.headers["Location"]).get_data(as_text=True)
    assert "Der PDF-Bericht konnte nicht erstellt werden: Zeitüberschreitung beim Erstellen." in page
    assert audit_rows(action="export") == []


# ------------------------------------------------------------------ the command line

def test_cli_json_equals_the_page(data, runner, auth):
    result = runner.invoke(args=["controlling", "report", "--month", "2026-05"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload == controlling.report(MAY)
    auth.login("bl")
    body = auth.get("/controlling/?monat=2026-05").get_data(as_text=True)
    for team in payload["teams"]:
        assert f"<strong>{team['team']}</strong>, Mai 2026: {team['fulfilled']} von {team['eligible']} erfüllt" in body
        for pap in team["paps"]:
            open_cases = pap["eligible"] - pap["fulfilled"]
            cells = f"<td>{pap['eligible']}</td><td>{pap['fulfilled']}</td><td>{open_cases}</td>"
            assert f'<th scope="row">{pap["pap"]}</th>{cells}' in body
    assert audit_rows(action="export", address="cli")[0].detail.startswith("json Monat 2026-05 Team alle (CLI)")


def test_cli_uses_the_same_rule_as_controlling_evaluate(data, runner, tmp_path):
    with database.connection_context():
        inputs = controlling.rule_inputs(MAY)
    source = tmp_path / "input.json"
    source.write_text(json.dumps({"participations": inputs}, ensure_ascii=False), encoding="utf-8")
    evaluated = json.loads(runner.invoke(args=["controlling", "evaluate", str(source)]).stdout)["results"]
    reported = json.loads(runner.invoke(args=["controlling", "report", "--month", "2026-05"]).stdout)
    cases = {c["participation"]: c for t in reported["teams"] for p in t["paps"] for c in p["cases"]}
    assert len(evaluated) == len(cases) == 12
    for result in evaluated:
        assert (result["fulfilled"], result["reasons"]) == (cases[result["ref"]]["fulfilled"],
                                                             cases[result["ref"]]["reasons"])
    by_ref = {i["ref"]: i for i in inputs}
    expired = by_ref[data["cases"]["EXPIRED"].id]
    assert expired["agreements"] == [{"concluded": "2026-04-01", "valid_until": "2026-05-28"}]
    assert expired["proposals"] == [{"date": "2026-04-15", "job_kind": "Arbeit", "sv_pflichtig": True}]
    assert by_ref[data["cases"]["ABBRUCH"].id]["abbruch"] is True


def test_cli_team_and_files(data, runner, tmp_path):
    result = runner.invoke(args=["controlling", "report", "--month", "2026-05", "--team", "Team B"])
    assert [t["team"] for t in json.loads(result.stdout)["teams"]] == ["Team B"]
    out = tmp_path / "bericht.json"
    result = runner.invoke(args=["controlling", "report", "--month", "2026-05", "--output", str(out)])
    assert result.exit_code == 0 and json.loads(out.read_text(encoding="utf-8")) == controlling.report(MAY)
    book = tmp_path / "bericht.xlsx"
    result = runner.invoke(args=["controlling", "report", "--month", "2026-05", "--team", "Team A",
                                 "--format", "xlsx", "--output", str(book)])
    assert result.exit_code == 0 and str(book) in result.stdout
    assert load_workbook(book)["Übersicht"]["B2"].value == "Team A"


@pytest.mark.parametrize("args,message", [
    (["--month", "2026-13"], "ungültiger Monat „2026-13“"),
    (["--month", "Mai"], "ungültiger Monat"),
    ([], "ungültiger Monat"),
    (["--month", "2026-05", "--team", "Team Z"], "unbekanntes Team „Team Z“"),
    (["--month", "2026-05", "--format", "csv"], "unbekanntes Format „csv“"),
    (["--month", "2026-05", "--format", "xlsx"], "--format xlsx braucht --output"),
    (["--month", "2026-05", "--output", "{tmp}/fehlt/bericht.json"], "kann nicht geschrieben werden"),
])
def test_cli_bad_input_exits_2(data, runner, tmp_path, args, message):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = runner.invoke(args=["controlling", "report", *args])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Fehler: ") and message in lines[0]
    assert result.stdout == ""
