"""Controlling "Absolventenmanagement erfüllt" (RULES.md §6): quota per month, team and pAp.

Reads the participations that exited in the month and, in one query each, the
agreements and Vermittlungsvorschläge of their customers; builds the plain dict
per case that the pure rule takes and calls ``absolvent.rules.evaluate_all``
(the function behind ``flask controlling evaluate``); then sums per team and
pAp. Also the 12-month trend, the chart's geometry, the XLSX workbook and the
PDF context (plain values only).
"""
import datetime
from collections import defaultdict

from peewee import JOIN

from ..db import raw_date, raw_rows
from ..exports import Column, add_sheet, new_workbook, to_bytes
from ..formats import MONTHS, de_date, first_of_next_month, month_label
from ..models import Agreement, Customer, Measure, Participation, PlacementProposal, Team, User
from ..rules import evaluate_all
from ..rules.calendar import add_months
from ..rules.controlling import WINDOW_DAYS
from ..vocabulary import JOB_KINDS
from ..web import count_label

NO_PAP = "ohne pAp"


def last_day(month):
    """The last day of ``month``'s month."""
    return first_of_next_month(month) - datetime.timedelta(days=1)


def quota(eligible, fulfilled):
    """The quota in percent (one decimal), None without eligible cases."""
    return round(100 * fulfilled / eligible, 1) if eligible else None


def quota_text(eligible, fulfilled):
    """'60,0 %' or '–' (no eligible case)."""
    value = quota(eligible, fulfilled)
    return "–" if value is None else f"{value:.1f} %".replace(".", ",")


def result_text(case):
    return "nicht berücksichtigt" if case["fulfilled"] is None else "erfüllt" if case["fulfilled"] else "nicht erfüllt"


# ------------------------------------------------------------------ reading and evaluating

FACT_KEYS = ("participation", "entry", "exit", "exit_kind", "customer", "type_code")  # what the rule needs
NAME_KEYS = ("customer_number", "first_name", "last_name", "team_id", "team", "pap_id", "pap")  # what a report shows


def _exits(first, last, team, names=True):
    """The participations with an exit in [first, last], oldest exit first: plain dicts with
    ``FACT_KEYS`` and, with ``names``, ``NAME_KEYS``. Read raw: the trend reads a year of the
    Jobcenter's exits (24,000), without the names."""
    query = (Participation.select(Participation.id, Participation.entry, Participation.exit, Participation.exit_kind,
                                  Participation.customer, Measure.type_code)
             .join(Measure).where(Participation.exit.between(first, last)))
    if team is not None:
        query = query.where(Participation.team == team.id)  # the customer's team, kept on the participation
    keys = FACT_KEYS
    if names:
        keys += NAME_KEYS
        query = (query.select_extend(Customer.customer_number, Customer.first_name, Customer.last_name, Team.id,
                                     Team.name, User.id, User.name)
                 .switch(Participation).join(Customer).join(Team).switch(Customer)
                 .join(User, JOIN.LEFT_OUTER, on=(Customer.pap == User.id))
                 .order_by(Participation.exit, Customer.customer_number, Participation.id))
    rows = [dict(zip(keys, values, strict=True)) for values in raw_rows(query)]
    for row in rows:
        row["entry"], row["exit"] = raw_date(row["entry"]), raw_date(row["exit"])
    return rows


def _customers(first, last, team):
    """Subquery: the customers with an exit in [first, last]."""
    query = Participation.select(Participation.customer).where(Participation.exit.between(first, last))
    return query.where(Participation.team == team.id) if team is not None else query


def _iso(day):
    """ISO text of a date read raw (SQLite gives it as such, PostgreSQL a date)."""
    return (day if isinstance(day, str) else day.isoformat()) if day else None


def _agreements(first, last, team):
    """{customer id: [{"concluded", "valid_until"}]}: every agreement that can matter for an exit in
    [first, last]: concluded from (first − 90 days) to last. Older ones lie outside every window and cannot
    replace one inside it, later ones cannot replace one before the exit day, so ``evaluate`` decides as
    with all of the customer's agreements. ``valid_until`` is the EV's valid-until or the KP's review date."""
    found = defaultdict(list)
    query = (Agreement.select(Agreement.customer, Agreement.kind, Agreement.concluded_on, Agreement.valid_until,
                              Agreement.review_date)
             .where(Agreement.customer.in_(_customers(first, last, team)),
                    Agreement.concluded_on.between(first - datetime.timedelta(days=WINDOW_DAYS), last))
             .order_by(Agreement.concluded_on, Agreement.id))
    for customer, kind, concluded, valid_until, review_date in raw_rows(query):  # as Agreement.end_date:
        end = valid_until if kind == "EV" else review_date
        found[customer].append({"concluded": _iso(concluded), "valid_until": _iso(end)})
    return found


def _proposals(first, last, team):
    """{customer id: [{"date", "job_kind", "sv_pflichtig"}]}: the VV from (first − 90 days) to last,
    job kinds as the rule names them (arbeit → "Arbeit", kuenstler → "Künstler" …)."""
    found = defaultdict(list)
    query = (PlacementProposal.select(PlacementProposal.customer, PlacementProposal.proposal_date,
                                      PlacementProposal.job_kind, PlacementProposal.sv_pflichtig)
             .where(PlacementProposal.customer.in_(_customers(first, last, team)),
                    PlacementProposal.proposal_date.between(first - datetime.timedelta(days=WINDOW_DAYS), last))
             .order_by(PlacementProposal.proposal_date, PlacementProposal.id))
    for v in query:
        found[v.customer_id].append({"date": v.proposal_date.isoformat(),
                                     "job_kind": JOB_KINDS.get(v.job_kind, v.job_kind),
                                     "sv_pflichtig": bool(v.sv_pflichtig)})
    return found


def _evaluated(first, last, team, names=True):
    """[(exit row, rule input, rule result)] for the exits in [first, last] (``_exits``): three queries in all."""
    rows = _exits(first, last, team, names)
    if not rows:
        return []
    agreements, proposals = _agreements(first, last, team), _proposals(first, last, team)
    inputs = [{"ref": r["participation"], "measure": r["type_code"], "entry": r["entry"].isoformat(),
               "exit": r["exit"].isoformat(), "abbruch": r["exit_kind"] == "abbruch",
               "agreements": agreements.get(r["customer"], []), "proposals": proposals.get(r["customer"], [])}
              for r in rows]
    return list(zip(rows, inputs, evaluate_all(inputs), strict=True))


def rule_inputs(month, team=None):
    """The dicts handed to ``evaluate_all`` for ``month`` (the input of ``flask controlling evaluate``)."""
    return [data for _row, data, _result in _evaluated(month, last_day(month), team)]


# ------------------------------------------------------------------ report

def _counts(name, **extra):
    return {"eligible": 0, "fulfilled": 0, **extra, "name": name}


def summary(month, team=None):
    """The month's report for ``team`` (a Team) or all teams, with what the page needs besides the JSON:
    {"month": date, "teams": [{"team", "team_id", "eligible", "fulfilled", "quota_text", "paps": [{"pap",
    "pap_id" (0 = ohne pAp), …, "cases": [{"participation", "customer_number", "customer_name", "measure",
    "entry", "exit", "fulfilled" (None = not eligible), "result", "reasons"}]}]}]}; teams by name, pAps by
    name with "ohne pAp" last; every team appears when ``team`` is None, also without exits."""
    teams = {}
    for t in ([team] if team is not None else Team.select(Team.id, Team.name)):
        teams[t.id] = _counts(t.name, paps={})
    for row, _data, result in _evaluated(month, last_day(month), team):
        t = teams.setdefault(row["team_id"], _counts(row["team"], paps={}))
        pap_id = row["pap_id"] or 0
        p = t["paps"].setdefault(pap_id, _counts(row["pap"] or NO_PAP, pap_id=pap_id, cases=[]))
        case = {"participation": row["participation"], "customer_number": row["customer_number"],
                "customer_name": f"{row['last_name']}, {row['first_name']}", "measure": row["type_code"],
                "entry": row["entry"], "exit": row["exit"], "fulfilled": result["fulfilled"],
                "reasons": result["reasons"]}
        case["result"] = result_text(case)
        p["cases"].append(case)
        for counts in (t, p):
            counts["eligible"] += bool(result["eligible"])
            counts["fulfilled"] += bool(result["fulfilled"])
    out = []
    for team_id, t in sorted(teams.items(), key=lambda item: (item[1]["name"].casefold(), item[0])):
        paps = sorted(t["paps"].values(), key=lambda p: (p["pap_id"] == 0, p["name"].casefold(), p["pap_id"]))
        out.append({"team": t["name"], "team_id": team_id, "eligible": t["eligible"], "fulfilled": t["fulfilled"],
                    "quota_text": quota_text(t["eligible"], t["fulfilled"]),
                    "paps": [{"pap": p["name"], "pap_id": p["pap_id"], "eligible": p["eligible"],
                              "fulfilled": p["fulfilled"], "quota_text": quota_text(p["eligible"], p["fulfilled"]),
                              "cases": p["cases"]} for p in paps]})
    return {"month": month, "teams": out}


def as_json(data):
    """The JSON shape of ``flask controlling report`` from a ``summary``."""
    return {"month": f"{data['month']:%Y-%m}", "teams": [
        {"team": t["team"], "eligible": t["eligible"], "fulfilled": t["fulfilled"], "paps": [
            {"pap": p["pap"], "eligible": p["eligible"], "fulfilled": p["fulfilled"], "cases": [
                {"participation": c["participation"], "customer_number": c["customer_number"],
                 "fulfilled": c["fulfilled"], "reasons": c["reasons"]} for c in p["cases"]]}
            for p in t["paps"]]}
        for t in data["teams"]]}


def report(month, team=None):
    """{"month": "YYYY-MM", "teams": [{"team", "eligible", "fulfilled", "paps": [{"pap", "eligible",
    "fulfilled", "cases": [{"participation", "customer_number", "fulfilled", "reasons"}]}]}]};
    ``fulfilled`` of a case is null when it is not eligible (it does not count)."""
    return as_json(summary(month, team))


def trend(end_month, team=None, months=12):
    """[{"month": date (first day), "eligible", "fulfilled", "quota" (percent or None)}] for the
    ``months`` months ending with ``end_month``, oldest first; one evaluation over the whole range."""
    first = add_months(end_month, 1 - months)
    counts = {add_months(first, i): [0, 0] for i in range(months)}
    last = last_day(end_month)
    for row, _data, result in _evaluated(first, last, team, names=False):
        bucket = counts[row["exit"].replace(day=1)]
        bucket[0] += bool(result["eligible"])
        bucket[1] += bool(result["fulfilled"])
    return [{"month": m, "eligible": e, "fulfilled": f, "quota": quota(e, f)} for m, (e, f) in counts.items()]


# ------------------------------------------------------------------ chart

def chart(rows, width=720, height=270):
    """Geometry of the trend chart (plain numbers and texts): one bar per month, its height the quota,
    the value written above it; months without eligible cases get the text "keine" instead of a bar."""
    left, right, top, bottom = 46, 8, 34, 50
    plot_h, slot = height - top - bottom, (width - left - right) / max(len(rows), 1)
    bars = []
    for i, r in enumerate(rows):
        value = r["quota"] or 0
        h = round(plot_h * value / 100, 1)
        bars.append({"x": round(left + i * slot + slot * 0.2, 1), "w": round(slot * 0.6, 1),
                     "y": round(top + plot_h - h, 1), "h": h, "cx": round(left + i * slot + slot / 2, 1),
                     "has_value": r["quota"] is not None,
                     "value": quota_text(r["eligible"], r["fulfilled"]) if r["eligible"] else "keine",
                     "count": f"{r['fulfilled']}/{r['eligible']}" if r["eligible"] else "",
                     "month": MONTHS[r["month"].month - 1][:3], "year": str(r["month"].year)})
    described = "; ".join(
        f"{month_label(r['month'])}: " + (f"{quota_text(r['eligible'], r['fulfilled'])} ({r['fulfilled']} von "
                                          f"{r['eligible']} erfüllt)" if r["eligible"] else "keine berücksichtigten")
        for r in rows)
    return {"width": width, "height": height, "left": left, "right": width - right, "top": top,
            "base": top + plot_h, "label_y": top + plot_h + 18, "year_y": top + plot_h + 34,
            "grid": [{"y": round(top + plot_h * (1 - p / 100), 1), "label": f"{p} %"} for p in (0, 25, 50, 75, 100)],
            "bars": bars,
            "title": (f"Quote „Absolventenmanagement erfüllt“, {month_label(rows[0]['month'])} bis "
                      f"{month_label(rows[-1]['month'])}") if rows else "Quote",
            "desc": f"Säulendiagramm der monatlichen Quote in Prozent. {described}."}


def trend_table(rows):
    """The trend as German texts for the table next to the chart and the PDF."""
    return [{"month": month_label(r["month"]), "eligible": r["eligible"], "fulfilled": r["fulfilled"],
             "quota": quota_text(r["eligible"], r["fulfilled"])} for r in rows]


# ------------------------------------------------------------------ exports

def _sheet(wb, title, headers, rows, widths, percent_columns=()):
    """One sheet in the shared layout (``exports.add_sheet``): dates are date cells by their values,
    ``percent_columns`` (1-based) fractions shown 0,0 %, the last column wrapped."""
    kinds = {i: "percent" for i in percent_columns} | {len(headers): "wrap"}
    columns = [Column(h, kinds.get(i, "text"), w) for i, (h, w) in enumerate(zip(headers, widths, strict=True), 1)]
    return add_sheet(wb, title, columns, rows, landscape=False)


def _fraction(eligible, fulfilled):
    return fulfilled / eligible if eligible else None


def xlsx_bytes(data, trend_rows):
    """The report as a workbook: sheets Übersicht (team, pAp), Fälle (one row per case, reasons) and
    Verlauf (12 months); German headers, dates as date cells TT.MM.JJJJ, frozen header row, autofilter."""
    wb = new_workbook(f"Controlling {month_label(data['month'])}")
    month = data["month"]
    overview = []
    for t in data["teams"]:
        overview += [[month, t["team"], p["pap"], p["eligible"], p["fulfilled"],
                      _fraction(p["eligible"], p["fulfilled"])] for p in t["paps"]]
        overview.append([month, t["team"], "Team gesamt", t["eligible"], t["fulfilled"],
                         _fraction(t["eligible"], t["fulfilled"])])
    _sheet(wb, "Übersicht", ["Berichtsmonat", "Team", "pAp", "Berücksichtigt", "Erfüllt", "Quote"], overview,
           [14, 28, 24, 15, 10, 10], percent_columns=(6,))
    cases = [[t["team"], p["pap"], c["participation"], c["customer_number"], c["measure"], c["entry"], c["exit"],
              c["result"], "\n".join(c["reasons"])]
             for t in data["teams"] for p in t["paps"] for c in p["cases"]]
    _sheet(wb, "Fälle", ["Team", "pAp", "Teilnahme", "Kundennummer", "Maßnahmeart", "Eintritt", "Austritt",
                         "Ergebnis", "Gründe"], cases, [24, 22, 11, 15, 13, 12, 12, 20, 100])
    _sheet(wb, "Verlauf", ["Monat", "Berücksichtigt", "Erfüllt", "Quote"],
           [[r["month"], r["eligible"], r["fulfilled"], _fraction(r["eligible"], r["fulfilled"])] for r in trend_rows],
           [14, 15, 10, 10], percent_columns=(4,))
    return to_bytes(wb)


PDF_CASE_LIMIT = 300  # more individual cases than this are left to the Excel export and the team reports


def pdf_context(data, trend_rows, jobcenter, scope, generated_on, case_limit=None):
    """Context of the document 'controlling-bericht' (see its sample.json): strings and numbers only.

    The whole Jobcenter's month has thousands of individual cases (1,763 at full bench scale:
    hundreds of pages that the renderer's time limit stopped); above ``case_limit`` the report
    keeps the figures per team and pAp and names the number of cases it leaves out
    (``cases_omitted``, German digit grouping; "" when none is), which the Excel export and
    each team's report list."""
    total = sum(len(p["cases"]) for t in data["teams"] for p in t["paps"])
    omitted = total if total > (PDF_CASE_LIMIT if case_limit is None else case_limit) else 0
    return {
        "jobcenter": jobcenter, "scope": scope, "month_label": month_label(data["month"]),
        "generated_on": de_date(generated_on),
        "eligible": sum(t["eligible"] for t in data["teams"]),
        "fulfilled": sum(t["fulfilled"] for t in data["teams"]),
        "quota": quota_text(sum(t["eligible"] for t in data["teams"]), sum(t["fulfilled"] for t in data["teams"])),
        "teams": [{"team": t["team"], "eligible": t["eligible"], "fulfilled": t["fulfilled"], "quota": t["quota_text"],
                   "paps": [{"pap": p["pap"], "eligible": p["eligible"], "fulfilled": p["fulfilled"],
                             "quota": p["quota_text"],
                             "cases": [{"customer_number": c["customer_number"], "measure": c["measure"],
                                        "entry": de_date(c["entry"]), "exit": de_date(c["exit"]),
                                        "result": c["result"], "reasons": c["reasons"]}
                                       for c in ([] if omitted else p["cases"])]}
                            for p in t["paps"]]}
                  for t in data["teams"]],
        "trend": trend_table(trend_rows),
        "chart": chart(trend_rows),
        "cases_omitted": count_label(omitted) if omitted else "",  # "1.763"
    }
