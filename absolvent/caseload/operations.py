"""Write operations of the caseload: customers, participations, contacts.

Each function checks a submitted form, writes inside one transaction
(``validation.save_record`` or ``db.atomic()``) and returns ``(obj, errors)``:
the saved object, or None with German messages per field. Duplicate numbers and
concurrent edits become field/form messages, never a 500.
"""
import datetime

from .. import audit
from ..db import database
from ..models import Customer, Measure, Note, Participation, PlanEvent, User
from ..search_keys import customer_keys
from ..validation import Checker, save_record
from ..vocabulary import CONTACT_CHANNELS, EXIT_KINDS, PLAN_DATES
from . import planning, responsibility


# ------------------------------------------------------------------ customers

def check_customer(form, team):
    c = Checker(form)
    number = c.text("customer_number", "die Kundennummer", max_len=20)
    if number and not number.replace("-", "").replace(" ", "").isalnum():
        c.fail("customer_number", "Die Kundennummer darf nur Buchstaben, Ziffern und Bindestriche enthalten.")
    c.choice("salutation", "die Anrede", {"Frau", "Herr", "divers"}, required=False)
    c.text("first_name", "den Vornamen", max_len=100)
    c.text("last_name", "den Nachnamen", max_len=100)
    c.birth_date("birth_date")
    c.text("street", "Straße", required=False)
    c.postal_code("postal_code")
    c.text("city", "Ort", required=False, max_len=100)
    paps = User.select().where(User.team == team, User.roles.contains("pAp"), User.active == True)  # noqa: E712
    c.record("pap", "die zuständige Ansprechperson (pAp)", User, required=False, query=paps)
    c.data["salutation"] = c.data["salutation"] or ""
    c.data["team"] = team
    return c


def save_customer(form, team, customer=None):
    c = check_customer(form, team)
    if not c.ok:
        return None, c.errors
    if customer is not None:
        c.data.pop("team")
    fields = ", ".join(sorted(c.data))
    c.data.update(customer_keys(c.data["last_name"], c.data["first_name"], c.data["customer_number"]))
    return save_record(Customer, customer, c.data, form, "customer", "customer_number",
                       "Diese Kundennummer ist bereits vergeben.", after=_sync_steps,
                       audit_detail=fields if customer is not None else "")


def _sync_steps(customer, before):
    """Another pAp (or team): the customer's steps follow in the same transaction."""
    if before is not None and (before.pap_id, before.team_id) != (customer.pap_id, customer.team_id):
        responsibility.for_customers([customer.id])


# ------------------------------------------------------------------ participations

def _replan_participation(p, before):
    if before is None:
        planning.replan_new(p)
        return
    planning.replan(p, planning.reason_for_change(before, p))
    if before.measure_id != p.measure_id:
        planning.replan_measure(before.measure, "Teilnahme in andere Maßnahme verschoben")
        planning.replan_measure(p.measure, "Teilnahme aus anderer Maßnahme übernommen")


def check_participation(form, customer_query, measure_query):
    c = Checker(form)
    customer = c.record("customer", "die Kundin / den Kunden", Customer, query=customer_query)
    measure = c.record("measure", "die Maßnahme", Measure, query=measure_query)
    entry = c.date("entry", "Eintritt")
    c.date("planned_end", "Geplantes Ende")
    c.order("entry", "planned_end", "Das geplante Ende darf nicht vor dem Eintritt liegen.")
    exit_ = c.date("exit", "Austritt", required=False)
    c.order("entry", "exit", "Der Austritt darf nicht vor dem Eintritt liegen.")
    kind = c.choice("exit_kind", "die Art des Austritts", EXIT_KINDS, required=False)
    if exit_ and not kind:
        c.fail("exit_kind", "Bitte angeben, ob die Teilnahme regulär endete oder abgebrochen wurde.")
    if kind and not exit_:
        c.fail("exit", "Bitte das Austrittsdatum angeben.")
    reason = c.text("dropout_reason", "Abbruchgrund", required=False, max_len=2000)
    if kind == "abbruch" and not reason:
        c.fail("dropout_reason", "Bei einem Abbruch bitte den Grund angeben.")
    important = (form.get("important_reason") or "").strip()
    c.data["important_reason"] = {"ja": True, "nein": False}.get(important) if kind == "abbruch" else None
    if kind != "abbruch":
        c.data["dropout_reason"] = ""
    for name, label in PLAN_DATES:
        c.date(name, label, required=False)
    if measure and entry and not c.errors.get("entry") and not measure.start <= entry <= measure.end:
        c.fail("entry", f"Der Eintritt muss im Maßnahmezeitraum liegen "
                        f"({measure.start:%d.%m.%Y} – {measure.end:%d.%m.%Y}).")
    if customer and measure and not c.errors:
        clash = (Participation.select().where(
            Participation.customer == customer, Participation.measure == measure,
            Participation.entry == entry))
        own_id = str(form.get("id") or "")
        if own_id.isascii() and own_id.isdigit():
            clash = clash.where(Participation.id != int(own_id))
        if clash.exists():
            c.fail("entry", "Für diese Person ist in dieser Maßnahme bereits eine Teilnahme "
                            "mit diesem Eintritt erfasst.")
    return c


def save_participation(form, customer_query, measure_query, participation=None):
    """Create or update a participation and re-plan it in the same transaction."""
    c = check_participation(form, customer_query, measure_query)
    if not c.ok:
        return None, c.errors
    return save_record(Participation, participation, c.data, form, "participation", "entry",
                       "Diese Teilnahme ist bereits erfasst.", after=_replan_participation)


# ------------------------------------------------------------------ contacts

def record_contact(p, form, user, today=None):
    """Record a contact during the measure (a Note of kind 'kontakt').

    A qualified contact (seed 001 §5) fulfils the open contact follow-up it
    answers and moves the 8-week rhythm (re-plan). Returns (note, errors).
    """
    today = today or datetime.date.today()
    c = Checker(form)
    day = c.date("contact_date", "Datum des Kontakts")
    c.choice("channel", "die Kontaktart", CONTACT_CHANNELS)
    c.text("subject", "den Betreff", max_len=200)
    c.text("text", "den Inhalt", required=False, max_len=20000)
    if day and day > today:
        c.fail("contact_date", "Datum des Kontakts: ein Kontakt kann nicht in der Zukunft liegen.")
    if not c.ok:
        return None, c.errors
    with database.atomic():
        note, _ = add_contact(p, day, c.data["channel"], c.data["subject"], c.data["text"],
                              form.get("qualified") == "on", user)
    return note, {}


def add_contact(p, day, channel, subject, text, qualified, user, complete=True):
    """Write a contact note; a qualified one fulfils the open contact step it
    answers (unless ``complete`` is false: the caller closes a step itself) and
    re-plans the 8-week rhythm. Call inside a transaction; returns (note, the fulfilled
    FollowUp or None)."""
    note = Note.create(customer=p.customer_id, participation=p.id, subject=subject, text=text, author=user.id,
                       date=day, kind="kontakt", channel=channel, qualified=qualified)
    audit.log("create", "note", note.id, "Kontakt")
    done = None
    if qualified and complete:
        done = planning.complete_by_contact(p, day, user)
        if done is not None:
            PlanEvent.create(participation=p.id, user=user.id, reason="Wiedervorlage durch Kontakt erfüllt",
                             summary=f"{done.title} (fällig {done.due:%d.%m.%Y}), Kontakt am {day:%d.%m.%Y}")
    if qualified:
        planning.replan(p, f"Qualifizierter Kontakt am {day:%d.%m.%Y} erfasst", user)
    return note, done
