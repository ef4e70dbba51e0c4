"""The AGH Maßnahmezuweisung (seed 000 1.2.1): the measure's MB writes the assignment (kind and
scope of the work), issues it as DOCX and PDF with the full Rechtsfolgenbelehrung (archived
with the participation), and records the outcome — Einstellung, Nichtvorstellung or Ablehnung —
which the pAp gets as a Wiedervorlage. Recording it closes the MB's step "agh-vor-mb"; an
Einstellung carries the actual start and the assignment's end into the participation and
re-plans it (the pAp's "3 Wochen vor Ablauf der AGH" hangs on that end).
"""
import datetime
import re

from .. import audit
from ..caseload import planning
from ..db import database
from ..documents import context as document_context
from ..documents import operations as documents
from ..documents.models import IssuedDocument
from ..formats import de_date
from ..models import FollowUp, Participation
from ..validation import Checker, save_record
from ..vocabulary import AGH_FIELDS, AGH_OUTCOMES
from .models import AghAssignment
from .participant_operations import due_date

DOCUMENT = "agh-zuweisung"
STEP_RULE = "agh-vor-mb"
MAX_HOURS = 30  # AGH are additional, part-time work: at most 30 hours a week (Fachliche Weisungen §16d)
MAX_CENTS = 1000  # more than 10,00 € an hour is no Mehraufwandsentschädigung but a typo
_EURO = re.compile(r"^(\d{1,4})(?:[,.](\d{1,2}))?$")
FIELDS = ("activity", "field_of_work", "hours_per_week", "compensation", "place", "start", "end",
          "report_on", "report_to")


def euro(cents):
    """1234 -> "12,34 €"."""
    return f"{cents // 100},{cents % 100:02d} €"


def euro_input(cents):
    return "" if cents is None else f"{cents // 100},{cents % 100:02d}"


def parse_cents(raw):
    """German money input ("2,00", "2", "1,5", "2,00 €") -> cents, or None when not a plain amount."""
    text = (raw or "").strip().removesuffix("€").strip()
    m = _EURO.match(text)
    if not m:
        return None
    return int(m.group(1)) * 100 + int((m.group(2) or "0").ljust(2, "0"))


def latest(p):
    return (AghAssignment.select().where(AghAssignment.participation == p.id)
            .order_by(AghAssignment.id.desc()).first())


def documents_of(a):
    """The archived letters of an assignment (no bytes), newest first."""
    if a is None:
        return []
    return list(IssuedDocument.select(*documents.DOCUMENT_FIELDS)
                .where(IssuedDocument.participation == a.participation_id,
                       IssuedDocument.subject == f"AGH-Zuweisung {a.id}")
                .order_by(IssuedDocument.id.desc()))


def check(form, measure):
    c = Checker(form)
    c.text("activity", "die Art der Tätigkeit", max_len=2000)
    c.choice("field_of_work", "das Arbeitsfeld", AGH_FIELDS)
    hours = c.integer("hours_per_week", "Stunden pro Woche", minimum=1)
    if hours and hours > MAX_HOURS:
        c.fail("hours_per_week", f"Stunden pro Woche: Arbeitsgelegenheiten umfassen höchstens {MAX_HOURS} Stunden "
                                 f"wöchentlich; bitte höchstens {MAX_HOURS} eintragen.")
    raw = (form.get("compensation") or "").strip()
    cents = parse_cents(raw)
    if not raw:
        c.fail("compensation", "Bitte die Mehraufwandsentschädigung je Stunde angeben (z. B. 2,00).")
    elif raw.lstrip().startswith("-"):
        c.fail("compensation", "Die Mehraufwandsentschädigung darf nicht negativ sein.")
    elif cents is None:
        c.fail("compensation", "Bitte einen Betrag in Euro eingeben, z. B. 2,00.")
    elif cents == 0:
        c.fail("compensation", "Die Mehraufwandsentschädigung muss größer als 0,00 € sein.")
    elif cents > MAX_CENTS:
        c.fail("compensation", f"Die Mehraufwandsentschädigung darf höchstens {euro(MAX_CENTS)} je Stunde betragen.")
    c.data.pop("compensation", None)
    c.data["compensation_cents"] = cents
    c.text("place", "die Einsatzstelle", max_len=255)
    start = c.date("start", "Beginn")
    end = c.date("end", "Ende")
    c.order("start", "end", "Das Ende darf nicht vor dem Beginn liegen.")
    period = f"{de_date(measure.start)} – {de_date(measure.end)}"
    if start and not measure.start <= start <= measure.end:
        c.fail("start", f"Beginn: liegt außerhalb der Maßnahme ({period}).")
    if end and not measure.start <= end <= measure.end:
        c.fail("end", f"Ende: liegt außerhalb der Maßnahme ({period}).")
    report_on = c.date("report_on", "Vorstellungstermin", required=False)
    if report_on and start and report_on > start:
        c.fail("report_on", "Vorstellungstermin: darf nicht nach dem Beginn der Tätigkeit liegen.")
    c.text("report_to", "Die Ansprechperson beim Träger", required=False, max_len=255)
    return c


def save(p, form, user, today=None):
    """Write the assignment: the open one is changed (optimistic locking), else a new one is created
    (also after a Nichtvorstellung or Ablehnung). Returns ``(assignment, errors)``."""
    a = latest(p)
    if a is not None and a.outcome == "einstellung":
        return None, {"_form": "Die Einstellung ist erfasst; diese Zuweisung kann nicht mehr geändert werden."}
    c = check(form, p.measure)
    if not c.ok:
        return None, c.errors
    target = a if a is not None and not a.outcome else None
    extra = {} if target else {"participation": p.id, "created_by": user,
                               "issued_on": today or datetime.date.today()}
    return save_record(AghAssignment, target, c.data, form, "agh-assignment",
                       audit_detail=f"Teilnahme {p.id}", **extra)


def context(a, p, user, today=None):
    """The plain dict of the document 'agh-zuweisung' (see forms/agh-zuweisung/sample.json)."""
    m = p.measure
    return {
        "jobcenter": document_context.jobcenter(), "customer": document_context.customer(p.customer),
        "measure": document_context.measure(m), "provider": document_context.provider(m.provider),
        "assignment": {"activity": a.activity, "field_of_work": AGH_FIELDS.get(a.field_of_work, ""),
                       "hours_per_week": str(a.hours_per_week), "compensation": euro(a.compensation_cents),
                       "place": a.place, "start": de_date(a.start), "end": de_date(a.end),
                       "report_on": de_date(a.report_on), "report_to": a.report_to},
        "author": document_context.person(user), "issued_on": de_date(today or datetime.date.today()),
        "reference": f"{p.customer.customer_number}-TN{p.id}-AGH{a.id}",
    }


def issue(a, p, user):
    """Pre-flight, render and archive the letter as DOCX and PDF with the participation.
    Returns ``(documents, German error)``; nothing is archived when a format fails or a
    required field is empty."""
    issued = documents.issue(DOCUMENT, ("docx", "pdf"), context(a, p, user), user,
                             ("AGH-Zuweisung", p.customer.customer_number, a.start), participation=p,
                             subject=f"AGH-Zuweisung {a.id}")
    return list(issued.documents.values()), issued.reason("das Zuweisungsschreiben")


def outcome_title(a, outcome, day, measure):
    if outcome == "einstellung":
        weeks = ((a.end - day).days + 1 + 6) // 7
        return (f"AGH-Einstellung: Beginn {de_date(day)}, Dauer bis {de_date(a.end)} (ca. {weeks} Wochen, "
                f"{a.hours_per_week} Std./Woche), Maßnahme-Nr. {measure.measure_number}")
    if outcome == "nichtvorstellung":
        return (f"AGH: Nichtvorstellung beim Träger am {de_date(day)} (Maßnahme-Nr. {measure.measure_number}) – "
                "Gründe klären, Rechtsfolgen prüfen (Anhörung)")
    return (f"AGH: Ablehnung am {de_date(day)} (Maßnahme-Nr. {measure.measure_number}) – "
            "Gründe klären, Rechtsfolgen prüfen (Anhörung)")


def _carry_dates(p, start, end, user):
    """On Einstellung the participation runs from the actual start to the assignment's end:
    write both (the version goes up, so a stale participation form conflicts), re-plan, audit."""
    before = Participation.get_by_id(p.id)
    if (before.entry, before.planned_end) == (start, end):
        return
    Participation.update(entry=start, planned_end=end, version=Participation.version + 1).where(
        Participation.id == p.id).execute()
    after = Participation.get_by_id(p.id)
    planning.replan(after, planning.reason_for_change(before, after), user)
    audit.log("update", "participation", p.id,
              f"AGH-Einstellung: Eintritt {de_date(before.entry)} → {de_date(start)}, "
              f"geplantes Ende {de_date(before.planned_end)} → {de_date(end)}", user=user)


def record_outcome(a, p, form, user, today=None):
    """Record Einstellung (with the actual start), Nichtvorstellung or Ablehnung (not in the future)
    once; the pAp gets a Wiedervorlage and the MB's step "agh-vor-mb" is closed. An Einstellung sets
    the participation's entry and planned end to the actual start and the assignment's end and
    re-plans it. Returns errors."""
    if a.outcome:
        return {"_form": f"Das Ergebnis „{AGH_OUTCOMES[a.outcome]}“ ist bereits erfasst."}
    c = Checker(form)
    outcome = c.choice("outcome", "das Ergebnis", AGH_OUTCOMES)
    label = "Tatsächlicher Beginn" if outcome == "einstellung" else "Datum"
    day = c.date("outcome_on", label)
    remark = c.text("outcome_remark", "Die Bemerkung", required=False, max_len=2000)
    m = p.measure
    if day and outcome == "einstellung" and not m.start <= day <= a.end:
        c.fail("outcome_on", f"{label}: muss zwischen dem Maßnahmebeginn ({de_date(m.start)}) und dem Ende "
                             f"der Zuweisung ({de_date(a.end)}) liegen.")
    today = today or datetime.date.today()
    if day and outcome in ("nichtvorstellung", "ablehnung") and day > today:
        c.fail("outcome_on", f"{label}: darf nicht in der Zukunft liegen (spätestens {de_date(today)}).")
    if not c.ok:
        return c.errors
    title = outcome_title(a, outcome, day, m)
    with database.atomic():
        updated = (AghAssignment.update(outcome=outcome, outcome_on=day, outcome_remark=remark,
                                        version=AghAssignment.version + 1)
                   .where(AghAssignment.id == a.id, AghAssignment.outcome == "").execute())
        if updated != 1:
            return {"_form": "Das Ergebnis wurde inzwischen von anderer Stelle erfasst."}
        if outcome == "einstellung":
            _carry_dates(p, day, a.end, user)
        f = planning.add_manual_followup(p, title, due_date(today), user, role="pAp",
                                         phase="waehrend" if outcome == "einstellung" else "abbruch",
                                         reason="AGH-Maßnahmezuweisung: Ergebnis")
        AghAssignment.update(followup=f).where(AghAssignment.id == a.id).execute()
        audit.log("update", "agh-assignment", a.id, f"Ergebnis {AGH_OUTCOMES[outcome]} {de_date(day)}", user=user)
        for step in FollowUp.select().where(FollowUp.participation == p.id, FollowUp.rule_id == STEP_RULE,
                                            FollowUp.status == "open"):
            planning.mark_done(step, user, outcome=f"{AGH_OUTCOMES[outcome]}: {title}",
                               reason="AGH-Maßnahmezuweisung")
            audit.log("update", "followup", step.id, "erledigt (AGH-Ergebnis)", user=user)
    return {}
