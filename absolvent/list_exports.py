"""The Excel exports of the lists: what each sheet holds (the columns the page shows,
with German headers; dates as dates) and the one way to answer an export.

Each list's export route lives next to its page in the owning views module, runs the
page's own query with the same filters and access, and calls ``fetch`` (at most
``exports.MAX_ROWS`` rows, else ``refuse``) and ``send`` (the workbook, one audit row
"export" with the filter and row count — the lists carry Sozialdaten); ``answer`` does
all three for a list of one sheet.
"""
import hashlib
import io

from flask import flash, redirect, send_file

from . import audit, exports
from .exports import Column, Sheet
from .measures.survey_results import GRADE_LABELS, SCALE
from .vocabulary import EXIT_KINDS

# ------------------------------------------------------------------ answering an export


def fetch(query):
    """The rows of ``query`` (a peewee select or a list), None when there are more than MAX_ROWS."""
    limit = exports.MAX_ROWS + 1
    rows = list(query[:limit]) if isinstance(query, list) else list(query.limit(limit))
    return None if len(rows) > exports.MAX_ROWS else rows


def refuse(back_url):
    """The list is too long to export: back to the page with a German message."""
    flash(exports.TOO_MANY_ROWS, "error")
    return redirect(back_url)


def send(entity, title, sheets, filters="", entity_id="", name_parts=()):
    """The workbook of ``sheets`` as a download; one audit row with filter, row count and SHA-256."""
    body, name = exports.export(title, sheets, filters, name_parts=name_parts)
    count = sum(len(s.rows) for s in sheets)
    lines = f"{count} Zeile" if count == 1 else f"{count} Zeilen"
    audit.log("export", entity, entity_id,
              f"xlsx {title}; Filter: {filters or 'keiner'}; {lines}; sha256={hashlib.sha256(body).hexdigest()}")
    response = send_file(io.BytesIO(body), mimetype=exports.XLSX_MIME, as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response


def answer(query, back_url, entity, title, sheet, filters="", entity_id=""):
    """A one-sheet export: ``send`` the workbook of ``sheet(rows)`` for the rows of ``query``,
    or ``refuse`` (back to ``back_url``) when there are more than MAX_ROWS."""
    rows = fetch(query)
    if rows is None:
        return refuse(back_url)
    return send(entity, title, [sheet(rows)], filters, entity_id=entity_id)


def _exit_kind(p):
    return EXIT_KINDS.get(p.exit_kind, p.exit_kind or "") if p.exit else ""


def _pap(customer):
    return customer.pap.name if customer.pap_id else ""


# ------------------------------------------------------------------ caseload

def worklist_sheet(rows, today):
    """The Wiedervorlagen as the worklist shows them (one row per step)."""
    def state(f):
        return "überfällig" if f.due < today else "heute" if f.due == today else ""
    return Sheet("Wiedervorlagen", [
        "Fällig", "Frühestens ab", "Aufgabe", "Pflicht", "Rolle", "Kontaktart", "Kunde/Kundin", "Kundennummer",
        "Maßnahmeart", "Maßnahme-Nr.", "Status"],
        [[f.due, f.earliest if f.earliest and f.earliest != f.due else None, f.title, f.mandatory, f.role, f.mode,
          f.participation.customer.full_name, f.participation.customer.customer_number,
          f.participation.measure.type_code, f.participation.measure.measure_number, state(f)] for f in rows])


def measure_tasks_sheet(tasks, today):
    """The MB's tasks of their group measures (the worklist's second table)."""
    return Sheet("Aufgaben Gruppenmaßnahmen", ["Fällig", "Aufgabe", "Maßnahme-Nr.", "Maßnahme", "Status"],
                 [[f.due, f.title, f.measure.measure_number, f.measure.title,
                   "überfällig" if f.due < today else ""] for f in tasks])


def customers_sheet(rows):
    return Sheet("Kundinnen und Kunden", ["Kundennummer", "Name", "Geburtsdatum", "pAp"],
                 [[c.customer_number, c.full_name, c.birth_date, _pap(c)] for c in rows])


def participations_sheet(rows):
    return Sheet("Teilnahmen", ["Kunde/Kundin", "Kundennummer", "Maßnahme-Nr.", "Maßnahme", "Art", "Eintritt",
                                "Geplantes Ende", "Austritt", "Austrittsart"],
                 [[p.customer.full_name, p.customer.customer_number, p.measure.measure_number, p.measure.title,
                   p.measure.type_code, p.entry, p.planned_end, p.exit, _exit_kind(p)] for p in rows])


# ------------------------------------------------------------------ measures

def measures_sheet(rows):
    return Sheet("Maßnahmen", ["Maßnahme-Nr.", "Art", "Bezeichnung", "Träger", "Beginn", "Ende", "Plätze"],
                 [[m.measure_number, m.type_code, m.title, m.provider.name, m.start, m.end, m.capacity]
                  for m in rows])


def participants_sheet(rows, with_pap=False):
    """A measure's participants: the MB's workspace (with pAp) or the measure page (those the user may see)."""
    headers = ["Kunde/Kundin", "Kundennummer", *(["pAp"] if with_pap else []), "Eintritt", "Geplantes Ende",
               "Austritt", "Austrittsart"]
    return Sheet("Teilnehmende", headers,
                 [[p.customer.full_name, p.customer.customer_number, *([_pap(p.customer)] if with_pap else []),
                   p.entry, p.planned_end, p.exit, _exit_kind(p)] for p in rows])


def survey_sheets(results):
    """The survey's results as the page shows them; below the threshold only the number of answers
    and the reason (no figures: anonymity)."""
    if not results["shown"]:
        return [Sheet("Ergebnis", ["Antworten", "Hinweis"], [[results["total"], results["note"]]])]
    scale = [f"{code} {label}" for code, label in SCALE]
    statements = Sheet("Aussagen", [
        "Nr.", Column("Aussage", "wrap", 60), *scale, *(Column(f"{h} (Anteil)", "percent") for h in scale),
        "keine Angabe", Column("Ø (1 = beste)", "decimal"), Column("Zustimmung (1 + 2)", "percent")],
        [[i, s["label"], *s["counts"], *(None if p is None else p / 100 for p in s["percents"]), s["no_answer"],
          s["mean"], None if s["agree_percent"] is None else s["agree_percent"] / 100]
         for i, s in enumerate(results["statements"], start=1)])
    grades = results["grades"]
    grade_sheet = Sheet("Gesamtnote", ["Note", "Bezeichnung", "Anzahl", Column("Anteil", "percent")],
                        [[g["grade"], GRADE_LABELS[g["grade"]], g["count"],
                          None if g["percent"] is None else g["percent"] / 100] for g in grades["rows"]])
    overview = Sheet("Übersicht", ["Angabe", "Wert"], [
        ["Antworten", results["total"]], ["davon ausgewertet", results.get("evaluated", results["total"])],
        *([["Hinweis", results["excluded_note"]]] if results.get("excluded") else []),
        *([f"davon {s['label']}", s["count"]] for s in results["sources"]),
        ["Gesamtnoten", grades["count"]], ["ohne Gesamtnote", grades["no_answer"]],
        ["Durchschnitt der Gesamtnote", grades["mean"]]])
    comments = Sheet("Anmerkungen", [Column("Anmerkung (alphabetisch)", "wrap", 90)],
                     [[c] for c in results["comments"]])
    return [overview, statements, grade_sheet, comments]


# ------------------------------------------------------------------ supervision

def supervision_sheet(rows, criteria, ratings, load_ratings):
    """The Fachaufsicht list as the page shows it (Nr., customer, pAp, measure, planned end, AM eingeleitet,
    sample, result), with each criterion's rating for the sampled cases."""
    headers = ["Nr.", "Kunde/Kundin", "Kundennummer", "pAp", "Maßnahmeart", "Maßnahme-Nr.", "Geplantes Ende",
               "Austritt", "AM eingeleitet", "Stichprobe", "Ergebnis", *(label for _, label in criteria)]
    out = []
    for i, row in enumerate(rows, start=1):
        p = row["p"]
        stored = load_ratings(row["case"].ratings) if row["sampled"] else {}
        out.append([i, p.customer.full_name, p.customer.customer_number, _pap(p.customer), p.measure.type_code,
                    p.measure.measure_number, p.planned_end, p.exit, row["am"], "ja" if row["sampled"] else "nein",
                    row["result"], *(ratings.get(stored.get(key), "") for key, _ in criteria)])
    return Sheet("Fachaufsicht", headers, out)
