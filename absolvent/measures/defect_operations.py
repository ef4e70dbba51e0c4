"""Write operations of the defect register (Mängelregister, RULES.md §5.7): one business
action per function, each in one transaction, German messages instead of exceptions.

A defect is recorded (``offen``), the Mängelrüge goes to the Träger (``geruegt``,
Deeskalationsstufe 1), then it is remedied (``behoben``) or escalated (``eskaliert``):
procured measures (Vergabe) to the REZ (Deeskalationsstufe 2) after the Mängelrüge and
the remedy deadline (at once when schwerwiegend); voucher measures (FbW, AVGS) to the
Agentur's AG-/Trägerteam for a quality check under §183 SGB III at any time while the
defect is open, with or without a Mängelrüge (seed 000 2.2.2: "unbedingt einzuschalten").
Each deadline is a Wiedervorlage of the MB on the measure (``mangel-<id>-behebung``,
``-stellungnahme``, ``-eskalation``): set by hand (no rule), so re-plans leave it,
and without a phase, so it is never "versäumt"; closing the defect closes them.
"""
import datetime
import re
from dataclasses import dataclass, field

from .. import audit
from ..caseload import planning
from ..db import database
from ..documents import operations as documents
from ..documents.render import registry
from ..formats import de_date
from ..models import FollowUp, PlanEvent
from ..validation import CONFLICT_MESSAGE, Checker, Conflict, save_versioned
from ..vocabulary import DEFECT_CLAUSES, DEFECT_SEVERITIES, DEFECT_SOURCES
from . import letters
from .models import Defect, DefectEvent

TEXT_MAX = 5000
MAX_DEADLINE_DAYS = 366  # a deadline more than a year after the finding is a typing error
REPLY_DAYS = 14  # the REZ / the Agentur is asked to answer within two weeks
OPEN_STATES = ("offen", "geruegt")  # the facts can still change and a Mängelrüge can be (re)issued
DATED = re.compile(r"\b\d{1,2}\.\d{1,2}\.(\d{4}|\d{2})\b")
FOLLOWUP_TITLES = {"behebung": "Frist zur Behebung", "stellungnahme": "Frist zur Stellungnahme",
                   "eskalation-rez": "Rückmeldung des REZ nachhalten",
                   "eskalation-p183": "Ergebnis der Qualitätsprüfung §183 SGB III nachhalten"}
ACTION_CONFLICT = ("Der Mangel wurde inzwischen von einer anderen Person bearbeitet. "
                   "Bitte prüfen Sie den aktuellen Stand und wiederholen Sie den Schritt.")


@dataclass
class Outcome:
    """The result of a letter action: the new DefectEvent, or German ``errors`` / ``missing`` fields."""
    event: DefectEvent | None = None
    errors: dict = field(default_factory=dict)
    missing: list = field(default_factory=list)


def _today(today):
    return today or datetime.date.today()


# ------------------------------------------------------------------ checking

def check_defect(form, today=None, defect=None):
    """Check the defect form (create: ``defect`` None); returns the Checker.

    Deadlines: the remedy deadline after the day of the finding, at most a year later
    and not in the past when it is set or changed; the comment deadline optional, not
    before the finding, not after the remedy deadline, not in the past when set.
    """
    today = _today(today)
    c = Checker(form)
    found_on = c.date("found_on", "Festgestellt am")
    c.choice("found_how", "die Art der Feststellung", DEFECT_SOURCES)
    c.choice("clause_source", "die Grundlage (Leistungsbeschreibung, Vertrag oder Konzept)", DEFECT_CLAUSES)
    c.text("clause", "die verletzte Vorgabe", max_len=255)
    facts = c.text("facts", "den Sachverhalt", max_len=TEXT_MAX)
    c.text("evidence", "Belege", required=False, max_len=TEXT_MAX)
    c.text("obligation", "Aufforderung", required=False, max_len=TEXT_MAX)
    c.choice("severity", "die Einstufung", DEFECT_SEVERITIES)
    remedy = c.date("remedy_deadline", "Frist zur Behebung")
    comment = c.date("comment_deadline", "Frist zur Stellungnahme", required=False)
    if facts and not DATED.search(facts):
        c.fail("facts", "Bitte jede Tatsache mit Datum angeben, z. B. „12.03.2026: Sozialpädagogin nicht anwesend“.")
    if found_on and found_on > today:
        c.fail("found_on", f"Festgestellt am: darf nicht in der Zukunft liegen (spätestens {de_date(today)}).")

    def changed(name, value):
        return defect is None or getattr(defect, name) != value
    if remedy:
        if found_on and remedy <= found_on:
            c.fail("remedy_deadline", f"Frist zur Behebung: muss nach dem Tag der Feststellung "
                                      f"({de_date(found_on)}) liegen.")
        elif found_on and (remedy - found_on).days > MAX_DEADLINE_DAYS:
            c.fail("remedy_deadline", "Frist zur Behebung: höchstens ein Jahr nach der Feststellung.")
        elif remedy < today and changed("remedy_deadline", remedy):
            c.fail("remedy_deadline", f"Frist zur Behebung: darf nicht in der Vergangenheit liegen "
                                      f"(frühestens {de_date(today)}).")
    if comment:
        if found_on and comment < found_on:
            c.fail("comment_deadline", "Frist zur Stellungnahme: darf nicht vor dem Tag der Feststellung liegen.")
        elif remedy and comment > remedy:
            c.fail("comment_deadline", f"Frist zur Stellungnahme: darf nicht nach der Frist zur Behebung "
                                       f"({de_date(remedy)}) liegen.")
        elif comment < today and changed("comment_deadline", comment):
            c.fail("comment_deadline", f"Frist zur Stellungnahme: darf nicht in der Vergangenheit liegen "
                                       f"(frühestens {de_date(today)}).")
    return c


# ------------------------------------------------------------------ follow-ups and history

def step_id(defect, kind):
    return f"mangel-{defect.id}-{kind.split('-')[0]}"


def _set_followup(defect, measure, kind, due):
    """Create, re-date, reopen or (``due`` None) cancel the defect's follow-up ``kind``; returns a
    German line for the plan history or ""."""
    sid = step_id(defect, kind)
    title = f"Mangel Nr. {defect.id}: {FOLLOWUP_TITLES[kind]} ({measure.provider.name})"[:255]
    f = FollowUp.get_or_none(FollowUp.measure == measure.id, FollowUp.step_id == sid)
    if due is None:
        if f is not None and f.status == "open":
            FollowUp.update(status="cancelled", cancel_reason="Frist entfällt", version=f.version + 1).where(
                FollowUp.id == f.id).execute()
            return f"entfallen: {f.title}"
        return ""
    if f is None:
        FollowUp.create(measure=measure.id, participation=None, step_id=sid, rule_id="", title=title, role="MB",
                        phase="", due=due, rule_due=due, edited_by_hand=True)
        return f"neu: {title}, fällig {de_date(due)}"
    if (f.due, f.status, f.title) != (due, "open", title):
        FollowUp.update(due=due, rule_due=due, status="open", cancel_reason="", title=title,
                        version=f.version + 1).where(FollowUp.id == f.id).execute()
        return f"umterminiert: {title}: {de_date(f.due)} → {de_date(due)}"
    return ""


def _plan_deadlines(defect, measure, user, reason):
    lines = [line for line in (_set_followup(defect, measure, "behebung", defect.remedy_deadline),
                               _set_followup(defect, measure, "stellungnahme", defect.comment_deadline)) if line]
    if lines:
        PlanEvent.create(measure=measure.id, user=user, reason=reason, detail="\n".join(lines),
                         summary=f"Mangel Nr. {defect.id}: {len(lines)} Wiedervorlage(n) gesetzt oder geändert")


def _close_followups(defect, measure, kinds, user, outcome, reason):
    """Mark the open follow-ups of ``kinds`` done (planning.mark_done writes their history)."""
    ids = [step_id(defect, kind) for kind in kinds]
    for f in FollowUp.select().where(FollowUp.measure == measure.id, FollowUp.step_id.in_(ids),
                                     FollowUp.status == "open"):
        planning.mark_done(f, user, outcome=outcome, reason=reason)


def _transition(defect, states, **values):
    """Change the defect from one of ``states`` (and still at its loaded version); raises Conflict."""
    updated = (Defect.update(version=defect.version + 1, **values)
               .where(Defect.id == defect.id, Defect.version == defect.version, Defect.status.in_(states))
               .execute())
    if updated != 1:
        raise Conflict()


def _summary(defect):
    return (f"{DEFECT_CLAUSES.get(defect.clause_source, '')}: {defect.clause}; Frist zur Behebung "
            f"{de_date(defect.remedy_deadline)}"
            + (f", Stellungnahme bis {de_date(defect.comment_deadline)}" if defect.comment_deadline else ""))


# ------------------------------------------------------------------ record and change

def record_defect(measure, form, user, today=None):
    """Record a defect of ``measure`` with its follow-ups; returns (defect, errors)."""
    c = check_defect(form, today)
    if not c.ok:
        return None, c.errors
    with database.atomic():
        defect = Defect.create(measure=measure.id, created_by=user, **c.data)
        DefectEvent.create(defect=defect, user=user, kind="erfasst", text=_summary(defect))
        _plan_deadlines(defect, measure, user, "Mangel erfasst")
        audit.log("create", "defect", defect.id, f"Maßnahme {measure.id}", user=user)
    return defect, {}


def update_defect(defect, measure, form, user, today=None):
    """Change the facts and deadlines (optimistic locking with the form's ``version``);
    returns (defect, errors). A remedied or escalated defect stays as it was."""
    if defect.status not in OPEN_STATES:
        return None, {"_form": "Ein behobener oder eskalierter Mangel kann nicht mehr geändert werden."}
    c = check_defect(form, today, defect)
    if not c.ok:
        return None, c.errors
    changed = [name for name, value in c.data.items() if getattr(defect, name) != value]
    try:
        with database.atomic():
            save_versioned(Defect, defect, c.data, form.get("version"))
            saved = Defect.get_by_id(defect.id)
            DefectEvent.create(defect=defect.id, user=user, kind="geaendert",
                               text="Geändert: " + (", ".join(changed) or "nichts") + "\n" + _summary(saved))
            _plan_deadlines(saved, measure, user, "Mangel geändert")
            audit.log("update", "defect", defect.id, ", ".join(changed), user=user)
    except Conflict:
        return None, {"_form": CONFLICT_MESSAGE}
    return saved, {}


# ------------------------------------------------------------------ letters

def _issue(spec_name, context, user, measure, defect, name, write):
    """Pre-flight, render PDF and DOCX, then archive both and ``write(documents)`` in one
    transaction (documents.operations.issue); returns Outcome."""
    parts = (name, measure.measure_number, f"M{defect.id}")
    try:
        issued = documents.issue(spec_name, ("pdf", "docx"), context, user, parts, measure=measure,
                                 subject=lambda fmt: f"Mangel {defect.id} {fmt}", then=write)
    except Conflict:
        return Outcome(errors={"_letter": ACTION_CONFLICT})
    if issued.missing:
        return Outcome(missing=issued.missing)
    if issued.document is None:
        return Outcome(errors={"_letter": issued.error})
    return Outcome(event=issued.result)


def issue_notice(defect, measure, user, today=None):
    """The Mängelrüge to the Träger as DOCX and PDF, both archived; the defect becomes "gerügt"."""
    if defect.status not in OPEN_STATES:
        return Outcome(errors={"_letter": "Für einen behobenen oder eskalierten Mangel wird keine Mängelrüge "
                                          "mehr erstellt."})
    context = letters.notice_context(defect, measure, user, _today(today))

    def write(docs):
        _transition(defect, OPEN_STATES, status="geruegt")
        event = DefectEvent.create(defect=defect.id, user=user, kind="maengelruege", text=_summary(defect),
                                   document=docs["pdf"], document_docx=docs["docx"])
        PlanEvent.create(measure=measure.id, user=user, reason="Mängelrüge erstellt",
                         summary=f"Mangel Nr. {defect.id}: Mängelrüge an {measure.provider.name}"[:255])
        audit.log("create", "defect-letter", defect.id, f"Mängelrüge {docs['pdf'].id}, {docs['docx'].id}", user=user)
        return event
    return _issue(letters.NOTICE_DOCUMENT, context, user, measure, defect, "Maengelruege", write)


def _latest_event(defect, kind):
    return (DefectEvent.select().where(DefectEvent.defect == defect.id, DefectEvent.kind == kind)
            .order_by(DefectEvent.at.desc(), DefectEvent.id.desc()).first())


def escalation_refusal(defect, measure, today=None):
    """Why the defect cannot be escalated now (German), or "".

    Gutschein (§183): from "offen" or "gerügt", no deadline rule. Vergabe (REZ): the
    Mängelrüge first, then after the remedy deadline, or at once when schwerwiegend.
    """
    today = _today(today)
    if defect.status == "behoben":
        return f"Der Mangel ist seit {de_date(defect.remedied_on)} behoben; eine Eskalation ist nicht mehr möglich."
    if defect.status == "eskaliert":
        return f"Der Mangel wurde bereits am {de_date(defect.escalated_on)} eskaliert."
    if letters.escalation_path(measure) == "p183":
        return ""
    if defect.status == "offen":
        return ("Eine Eskalation setzt eine Mängelrüge voraus: Bitte senden Sie zuerst die Mängelrüge an den "
                "Träger (Deeskalationsstufe 1).")
    if defect.remedy_deadline >= today and defect.severity != "schwer":
        return (f"Die Frist zur Behebung läuft noch bis {de_date(defect.remedy_deadline)}. Eskalieren Sie nach "
                "Ablauf der Frist – vorher nur bei einem schwerwiegenden Mangel.")
    return ""


def escalate(defect, measure, form, user, today=None):
    """Escalate a defect: Vergabe → letter to the REZ (after the Mängelrüge), Gutschein → §183
    letter to the Agentur's AG-/Trägerteam (also straight from "offen"); DOCX and PDF, archived.
    Returns Outcome."""
    today = _today(today)
    refusal = escalation_refusal(defect, measure, today)
    c = Checker(form)
    reason = c.text("reason", "Ergänzung", required=False, max_len=2000)
    if refusal or not c.ok:
        return Outcome(errors={"_escalate": refusal, **c.errors} if refusal else c.errors)
    path = letters.escalation_path(measure)
    spec = registry.get(documents.forms_dir(), letters.ESCALATION_DOCUMENTS[path])  # its title for the history
    notice = _latest_event(defect, "maengelruege")
    comment = _latest_event(defect, "stellungnahme")
    reply_by = today + datetime.timedelta(days=REPLY_DAYS)
    context = letters.escalation_context(defect, measure, user, notice.at.date() if notice else None,
                                         (comment.at.date(), comment.text) if comment else None,
                                         reason=reason, reply_by=reply_by, issued_on=today)
    kind = "eskalation-rez" if path == "rez" else "eskalation-183"

    def write(docs):
        _transition(defect, OPEN_STATES if path == "p183" else ("geruegt",), status="eskaliert", escalation=path,
                    escalated_on=today)
        event = DefectEvent.create(defect=defect.id, user=user, kind=kind, text=reason,
                                   document=docs["pdf"], document_docx=docs["docx"])
        if defect.remedy_deadline < today:
            _close_followups(defect, measure, ["behebung"], user, "Frist abgelaufen, Mangel eskaliert",
                             "Mangel eskaliert")
        line = _set_followup(defect, measure, f"eskalation-{path}", reply_by)
        PlanEvent.create(measure=measure.id, user=user, reason="Mangel eskaliert", detail=line,
                         summary=f"Mangel Nr. {defect.id}: {spec.title}"[:255])
        audit.log("create", "defect-letter", defect.id, f"{spec.name} {docs['pdf'].id}, {docs['docx'].id}", user=user)
        return event
    return _issue(spec.name, context, user, measure, defect, "REZ" if path == "rez" else "Qualitaetspruefung", write)


# ------------------------------------------------------------------ comment and remedy

def record_comment(defect, measure, form, user):
    """The Träger's written comment (Stellungnahme); closes the comment follow-up. Returns errors."""
    c = Checker(form)
    text = c.text("comment", "die Stellungnahme des Trägers", max_len=TEXT_MAX)
    if not c.ok:
        return c.errors
    with database.atomic():
        DefectEvent.create(defect=defect.id, user=user, kind="stellungnahme", text=text)
        _close_followups(defect, measure, ["stellungnahme"], user, "Stellungnahme eingegangen",
                         "Stellungnahme des Trägers erfasst")
        audit.log("update", "defect", defect.id, "Stellungnahme erfasst", user=user)
    return {}


def mark_remedied(defect, measure, form, user, today=None):
    """The defect was remedied (date and how); closes all its follow-ups. Returns errors."""
    today = _today(today)
    if defect.status == "behoben":
        return {"_remedy": f"Der Mangel ist bereits seit {de_date(defect.remedied_on)} behoben."}
    c = Checker(form)
    day = c.date("remedied_on", "Behoben am")
    how = c.text("remedy_how", "wie der Mangel behoben wurde", max_len=TEXT_MAX)
    if day and day > today:
        c.fail("remedied_on", f"Behoben am: darf nicht in der Zukunft liegen (spätestens {de_date(today)}).")
    elif day and day < defect.found_on:
        c.fail("remedied_on", f"Behoben am: darf nicht vor der Feststellung ({de_date(defect.found_on)}) liegen.")
    if not c.ok:
        return c.errors
    try:
        with database.atomic():
            _transition(defect, ("offen", "geruegt", "eskaliert"), status="behoben", remedied_on=day, remedy_how=how)
            DefectEvent.create(defect=defect.id, user=user, kind="behoben", text=f"Behoben am {de_date(day)}: {how}")
            _close_followups(defect, measure, ["behebung", "stellungnahme", "eskalation"], user,
                             f"Mangel behoben am {de_date(day)}", "Mangel behoben")
            audit.log("update", "defect", defect.id, f"behoben am {de_date(day)}", user=user)
    except Conflict:
        return {"_remedy": ACTION_CONFLICT}
    return {}
