"""Write operations for providers and measures; each returns ``(obj, errors)``."""
from ..caseload import planning, responsibility
from ..models import Measure, Provider, User
from ..validation import Checker, save_record
from ..vocabulary import MEASURE_TYPES, PROCUREMENT


def check_provider(form):
    c = Checker(form)
    c.text("name", "den Namen des Trägers", max_len=200)
    for name, label in (("street", "Straße"), ("city", "Ort"),
                        ("contact_person", "Ansprechperson"), ("phone", "Telefon")):
        c.text(name, label, required=False, max_len=200)
    c.postal_code("postal_code")
    email = c.text("email", "E-Mail", required=False)
    if email and ("@" not in email or " " in email):
        c.fail("email", "Bitte eine gültige E-Mail-Adresse eingeben.")
    return c


def save_provider(form, provider=None):
    c = check_provider(form)
    if not c.ok:
        return None, c.errors
    return save_record(Provider, provider, c.data, form, "provider", "name",
                       "Ein Träger mit diesem Namen ist bereits erfasst.")


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
    mbs = User.select().where(User.roles.contains("MB"), User.active == True)  # noqa: E712
    c.record("mb", "die Maßnahmebetreuung (MB)", User, required=False, query=mbs)
    c.data["capacity"] = c.data["capacity"] or 0
    return c


def _replan_measure(measure, before):
    if before is not None:
        planning.replan_measure(measure, "Maßnahme geändert")
        if before.mb_id != measure.mb_id:  # the steps carry their MB (worklists read it there)
            responsibility.for_measure(measure.id)


def save_measure(form, measure=None):
    """Create or update a measure; a change re-plans its MB steps in the same transaction."""
    c = check_measure(form)
    if not c.ok:
        return None, c.errors
    return save_record(Measure, measure, c.data, form, "measure", "measure_number",
                       "Diese Maßnahme-Nr. ist bereits vergeben.", after=_replan_measure)
