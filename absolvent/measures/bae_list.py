"""The BAE Vormerkliste (seed 000 1.3.3): the pre-registered participants of a BAE measure with
the data the Träger needs, as an Excel file with a cover letter, changes since the last
issued list marked ("neu", "geändert: Adresse", "entfällt").

Pre-registered are the measure's participations without exit: booked (vorgemerkt) before the
start and still in the training; one that left (Abbruch, Nichtantritt recorded as exit) is
marked "entfällt" on the next list. Each issued list keeps its rows as JSON (ProviderList.rows)
for the next comparison.
"""
import datetime
import json

from peewee import JOIN

from .. import audit
from ..documents import context as document_context
from ..exports import HEADER_FILL, Column, add_sheet, new_workbook, to_bytes
from ..documents import operations as documents
from ..documents.render import registry
from ..formats import de_date
from ..models import Customer, Participation, User
from .models import ProviderList

DOCUMENT = "bae-vormerkliste"
SUBJECT = "Vormerkliste"
LETTER_SUBJECT = "Vormerkliste Anschreiben"
REMOVED = "entfällt"
# what is compared between two lists: label -> row keys
COMPARED = (("Name", ("last_name",)), ("Vorname", ("first_name",)), ("Geburtsdatum", ("birth_date",)),
            ("Adresse", ("street", "postal_code", "city")), ("Kundennummer", ("customer_number",)),
            ("Eintritt", ("entry",)), ("Ende", ("planned_end",)), ("Ausbildungsberuf", ("occupation",)),
            ("Ansprechpartner/in", ("pap", "pap_phone")))
# the columns of the Excel list: (header, row key, width, is a date)
COLUMNS = (("Name", "last_name", 22, False), ("Vorname", "first_name", 18, False),
           ("Geburtsdatum", "birth_date", 13, True), ("Straße", "street", 26, False), ("PLZ", "postal_code", 8, False),
           ("Ort", "city", 18, False), ("Kundennummer", "customer_number", 15, False),
           ("Geplanter Eintritt", "entry", 14, True), ("Geplantes Ende", "planned_end", 14, True),
           ("Ausbildungsberuf / Maßnahme", "occupation", 34, False), ("Ansprechpartner/in Jobcenter", "pap", 24, False),
           ("Telefon Ansprechpartner/in", "pap_phone", 18, False), ("Änderung seit letzter Liste", "change", 30, False))


def is_bae(measure):
    return measure.type_code == "BAE"


def current_rows(measure):
    """The pre-registered participants now: [{participation, last_name, …, change: ""}], by name."""
    query = (Participation.select(Participation, Customer, User).join(Customer)
             .join(User, JOIN.LEFT_OUTER, on=(Customer.pap == User.id))
             .where(Participation.measure == measure.id, Participation.exit.is_null())
             .order_by(Customer.last_name, Customer.first_name, Participation.id))
    rows = []
    for p in query:
        c = p.customer
        pap = c.pap if c.pap_id else None
        rows.append({"participation": p.id, "last_name": c.last_name, "first_name": c.first_name,
                     "birth_date": c.birth_date.isoformat(), "street": c.street, "postal_code": c.postal_code,
                     "city": c.city, "customer_number": c.customer_number, "entry": p.entry.isoformat(),
                     "planned_end": p.planned_end.isoformat(), "occupation": measure.title,
                     "pap": pap.name if pap else "", "pap_phone": pap.phone if pap else "", "change": ""})
    return rows


def last_list(measure):
    return (ProviderList.select().where(ProviderList.measure == measure.id)
            .order_by(ProviderList.issued_at.desc(), ProviderList.id.desc()).first())


def _all_rows(provider_list):
    try:
        rows = json.loads(provider_list.rows or "[]")
    except ValueError:
        return []
    return [r for r in rows if isinstance(r, dict) and "participation" in r] if isinstance(rows, list) else []


def stored_rows(provider_list):
    """The rows of an issued list that were on it (without those marked "entfällt")."""
    return [r for r in _all_rows(provider_list) if r.get("change") != REMOVED]


def mark(rows, previous_rows):
    """Mark ``rows`` against the previous list: "neu", "geändert: Feld, Feld" or "";
    returns (rows, removed rows marked "entfällt")."""
    before = {r["participation"]: r for r in previous_rows}
    now = {r["participation"] for r in rows}
    for row in rows:
        old = before.get(row["participation"])
        if old is None:
            row["change"] = "neu"
            continue
        changed = [label for label, keys in COMPARED if any(row.get(k, "") != old.get(k, "") for k in keys)]
        row["change"] = f"geändert: {', '.join(changed)}" if changed else ""
    removed = [{**r, "change": REMOVED} for r in previous_rows if r["participation"] not in now]
    return rows, removed


def marked_list(measure):
    """What the next list would be: (rows, removed, the last issued list or None).
    The first list marks nothing (there is nothing to compare with)."""
    previous = last_list(measure)
    rows = current_rows(measure)
    if previous is None:
        return rows, [], None
    rows, removed = mark(rows, stored_rows(previous))
    return rows, removed, previous


def _date(value):
    try:
        return datetime.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def for_display(rows):
    """Copies of ``rows`` with the dates as dates (the stored rows keep ISO strings)."""
    keys = [key for _, key, _, is_date in COLUMNS if is_date]
    return [{**row, **{key: _date(row.get(key)) for key in keys}} for row in rows]


def xlsx_bytes(measure, rows, issued_on, jobcenter_name=""):
    """The list as a workbook in the shared layout (``exports.add_sheet``): a title row (measure number,
    title, Träger), the date and count, German headers, date cells TT.MM.JJJJ, frozen header row,
    autofilter, column widths."""
    title = (f"Vormerkliste BaE – Maßnahme-Nr. {measure.measure_number} – {measure.title} – "
             f"Träger: {measure.provider.name}")
    stand = (f"Stand: {de_date(issued_on)} · {sum(1 for r in rows if r['change'] != REMOVED)} vorgemerkte "
             f"Teilnehmende · {jobcenter_name}".rstrip(" ·"))
    wb = new_workbook(title)
    add_sheet(wb, "Vormerkliste", [Column(header, width=width) for header, _, width, _ in COLUMNS],
              [[_date(row.get(key)) if is_date else str(row.get(key) or "") for _, key, _, is_date in COLUMNS]
               for row in rows], title_lines=(title, stand), header_fill=HEADER_FILL)
    return to_bytes(wb)


def _name(row):
    return f"{row['last_name']}, {row['first_name']} ({row['customer_number']})"


def change_lines(rows, removed):
    """German lines for the letter: "neu: …", "geändert: … – Adresse", "entfällt: …"."""
    lines = [f"neu: {_name(r)}" for r in rows if r["change"] == "neu"]
    lines += [f"geändert: {_name(r)} – {r['change'].split(': ', 1)[1]}" for r in rows
              if r["change"].startswith("geändert")]
    return lines + [f"entfällt: {_name(r)}" for r in removed]


def letter_context(measure, rows, removed, previous, user, issued_on, number):
    return {
        "jobcenter": document_context.jobcenter(),
        "provider": document_context.provider(measure.provider),
        "measure": document_context.measure(measure),
        "count": str(len(rows)),
        "first_list": previous is None,
        "previous_date": de_date(previous.issued_at.date()) if previous else "",
        "change_lines": change_lines(rows, removed),
        "author": document_context.person(user),
        "issued_on": de_date(issued_on),
        "reference": f"MB-{measure.measure_number}-V{number}",
    }


def issue(measure, user, fmt, day=None):
    """Build the XLSX and the cover letter (``fmt`` docx or pdf), archive both with the measure and
    keep the rows for the next comparison. Returns (ProviderList, None) or (None, German message)."""
    day = day or datetime.date.today()
    spec = registry.get(documents.forms_dir(), DOCUMENT)
    if fmt not in spec.formats:
        return None, "Bitte ein Format für das Anschreiben wählen (PDF oder Word)."
    rows, removed, previous = marked_list(measure)
    if not rows and not removed:
        return None, "Für diese Maßnahme ist niemand vorgemerkt: es gibt keine Liste zu versenden."
    number = ProviderList.select().where(ProviderList.measure == measure.id).count() + 1
    context = letter_context(measure, rows, removed, previous, user, day, number)
    listed = rows + removed
    data = xlsx_bytes(measure, listed, day, context["jobcenter"]["name"])
    parts = ("Vormerkliste-BaE", measure.measure_number, day.isoformat())

    def write(docs):  # in the transaction that archives the letter
        sheet = documents.archive(spec, "xlsx", data, f"builtin-{spec.version}", user, parts, measure=measure,
                                  subject=SUBJECT)
        row = ProviderList.create(measure=measure.id, issued_by=user, rows=json.dumps(listed, ensure_ascii=False),
                                  document=sheet, letter=docs[fmt])
        audit.log("create", "provider-list", row.id,
                  f"Vormerkliste Maßnahme {measure.id}: {len(rows)} vorgemerkt, {len(removed)} entfallen, "
                  f"Teilnahmen {', '.join(str(r['participation']) for r in listed)}", user=user)
        return row
    issued = documents.issue(DOCUMENT, fmt, context, user, ("Anschreiben", *parts), measure=measure,
                             subject=LETTER_SUBJECT, then=write)
    if issued.document is None:
        return None, issued.reason("das Anschreiben")
    return issued.result, None


def past_lists(measure):
    """The issued lists, newest first: [{id, issued_at, by, count, removed, document_id, letter_id}]."""
    query = (ProviderList.select(ProviderList.id, ProviderList.issued_at, ProviderList.rows,
                                 ProviderList.document, ProviderList.letter, User.id, User.name)
             .join(User, on=(ProviderList.issued_by == User.id))
             .where(ProviderList.measure == measure.id)
             .order_by(ProviderList.issued_at.desc(), ProviderList.id.desc()))
    result = []
    for row in query:
        listed = _all_rows(row)
        on_list = [r for r in listed if r.get("change") != REMOVED]
        result.append({"id": row.id, "issued_at": row.issued_at, "by": row.issued_by.name, "count": len(on_list),
                       "removed": len(listed) - len(on_list), "document_id": row.document_id,
                       "letter_id": row.letter_id})
    return result
