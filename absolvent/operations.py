"""Write operations for customers, providers, measures and participations.

Each function checks a submitted form, writes inside ``db.atomic()`` and returns
``(obj, errors)``: the saved object, or None with German messages per field.
Duplicate numbers and concurrent edits become field/form messages, never a 500.
"""
from . import audit, followups
from .db import database
from .domain import EXIT_KINDS, MEASURE_TYPES, PROCUREMENT
from .models import Customer, Measure, Participation, Provider, User
from .validation import CONFLICT_MESSAGE, Checker, Conflict, IntegrityError, save_versioned


def _save(model_cls, obj, data, form, unique_field, unique_message, entity, after=None):
    """Create (obj None) or update with optimistic locking; returns (obj, errors).

    ``after(saved, before)`` runs inside the same transaction (before is None on create).
    """
    try:
        with database.atomic():
            before = obj
            if obj is None:
                obj = model_cls.create(**data)
                audit.log("create", entity, obj.id)
            else:
                save_versioned(model_cls, obj, data, form.get("version"))
                audit.log("update", entity, obj.id, ", ".join(sorted(data)))
                obj = model_cls.get_by_id(obj.id)
            if after:
                after(obj, before)
    except Conflict:
        return None, {"_form": CONFLICT_MESSAGE}
    except IntegrityError:
        return None, {unique_field: unique_message}
    return obj, {}


def check_customer(form, team):
    c = Checker(form)
    number = c.text("customer_number", "die Kundennummer", max_len=20)
    if number and not number.replace("-", "").replace(" ", "").isalnum():
        c.fail("customer_number", "Die Kundennummer darf nur Buchstaben, Ziffern und Bindestriche enthalten.")
    c.choice("salutation", "die Anrede", {"Frau", "Herr", "divers"}, required=False)
    c.text("first_name", "den Vornamen", max_len=100)
    c.text("last_name", "den Nachnamen", max_len=100)
    birth = c.date("birth_date", "Geburtsdatum")
    if birth and birth.year < 1900:
        c.fail("birth_date", "Geburtsdatum: bitte ein plausibles Datum eingeben.")
    c.text("street", "Straße", required=False)
    c.text("postal_code", "PLZ", required=False, max_len=10)
    c.text("city", "Ort", required=False, max_len=100)
    paps = User.select().where(User.team == team, User.roles.contains("pAp"), User.active == True)
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
    return _save(Customer, customer, c.data, form, "customer_number",
                 "Diese Kundennummer ist bereits vergeben.", "customer")


def check_provider(form):
    c = Checker(form)
    c.text("name", "den Namen des Trägers", max_len=200)
    for name, label in (("street", "Straße"), ("postal_code", "PLZ"), ("city", "Ort"),
                        ("contact_person", "Ansprechperson"), ("phone", "Telefon")):
        c.text(name, label, required=False, max_len=200)
    email = c.text("email", "E-Mail", required=False)
    if email and ("@" not in email or " " in email):
        c.fail("email", "Bitte eine gültige E-Mail-Adresse eingeben.")
    return c


def save_provider(form, provider=None):
    c = check_provider(form)
    if not c.ok:
        return None, c.errors
    return _save(Provider, provider, c.data, form, "name",
                 "Ein Träger mit diesem Namen ist bereits erfasst.", "provider")


def check_measure(form):
    c = Checker(form)
    c.choice("type_code", "die Maßnahmeart", MEASURE_TYPES)
    c.text("measure_number", "die Maßnahme-Nr.", max_len=40)
    c.text("title", "die Bezeichnung", max_len=200)
    c.record("provider", "den Träger", Provider)
    c.date("start", "Beginn")
    c.date("end", "Ende")
    c.order("start", "end", "Das Ende darf nicht vor dem Beginn liegen.")
    c.integer("capacity", "Plätze", required=False, minimum=0, maximum=10000)
    c.text("location", "Ort", required=False)
    c.choice("procurement", "die Beschaffungsart", PROCUREMENT)
    mbs = User.select().where(User.roles.contains("MB"), User.active == True)
    c.record("mb", "die Maßnahmebetreuung (MB)", User, required=False, query=mbs)
    c.data["capacity"] = c.data["capacity"] or 0
    return c


def save_measure(form, measure=None):
    c = check_measure(form)
    if not c.ok:
        return None, c.errors
    return _save(Measure, measure, c.data, form, "measure_number",
                 "Diese Maßnahme-Nr. ist bereits vergeben.", "measure", after=_replan_measure)


def _replan_measure(measure, before):
    if before is not None:
        followups.replan_measure(measure, "Maßnahme geändert")


def _replan_participation(p, before):
    if before is None:
        followups.replan_new(p)
        return
    followups.replan(p, followups.reason_for_change(before, p))
    if before.measure_id != p.measure_id:
        followups.replan_measure(before.measure, "Teilnahme in andere Maßnahme verschoben")
        followups.replan_measure(p.measure, "Teilnahme aus anderer Maßnahme übernommen")


PLAN_DATES = [("probation_end", "Ende der Probezeit"), ("intermediate_exam", "Zwischenprüfung"),
              ("exam_date", "Prüfungstermin"), ("training_year_1_end", "Ende 1. Ausbildungsjahr"),
              ("training_year_2_end", "Ende 2. Ausbildungsjahr")]


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
        if form.get("id"):
            clash = clash.where(Participation.id != int(form["id"]))
        if clash.exists():
            c.fail("entry", "Für diese Person ist in dieser Maßnahme bereits eine Teilnahme "
                            "mit diesem Eintritt erfasst.")
    return c


def save_participation(form, customer_query, measure_query, participation=None):
    c = check_participation(form, customer_query, measure_query)
    if not c.ok:
        return None, c.errors
    return _save(Participation, participation, c.data, form, "entry",
                 "Diese Teilnahme ist bereits erfasst.", "participation", after=_replan_participation)
