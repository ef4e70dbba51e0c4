"""Form checking with German messages next to the field.

``Checker`` reads a submitted form field by field, collects clean values in
``data`` and messages in ``errors`` (field name -> message). Nothing is lost:
templates re-render the raw input from ``request.form``.
"""
import datetime
import re

from peewee import IntegrityError

from . import audit
from .db import database
from .formats import DateFormatError, parse_date


GERMAN_POSTAL_CODE = re.compile(r"[0-9]{5}")


def _years_before(day, years):
    """The same calendar day ``years`` earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def starts_sentence(label):
    """True when ``label`` can open a German message ("Plätze", "Geburtsdatum"); labels made for
    "Bitte … angeben" ("den Vornamen", "wie der Mangel behoben wurde") cannot."""
    return label[:1].isupper()


class Checker:
    """Messages start with a capital letter: a label that is a noun ("Plätze") opens the
    sentence; one written for "Bitte … angeben" ("den Vornamen") goes inside a sentence."""

    def __init__(self, form):
        self.form = form
        self.data = {}
        self.errors = {}

    def _raw(self, name):
        return (self.form.get(name) or "").strip()

    def fail(self, name, message):
        self.errors.setdefault(name, message)

    def text(self, name, label, required=True, max_len=255):
        value = self._raw(name)
        if required and not value:
            self.fail(name, f"Bitte {label} angeben.")
        elif len(value) > max_len:
            self.fail(name, f"{label} darf höchstens {max_len} Zeichen lang sein." if starts_sentence(label)
                      else f"Bitte {label} mit höchstens {max_len} Zeichen angeben.")
        self.data[name] = value
        return value

    def date(self, name, label, required=True):
        try:
            value = parse_date(self._raw(name))
        except DateFormatError as exc:
            self.fail(name, f"{label}: {exc}" if starts_sentence(label) else str(exc))
            value = None
        else:
            if value is None and required:
                self.fail(name, f"Bitte {label} angeben (TT.MM.JJJJ).")
        self.data[name] = value
        return value

    def birth_date(self, name, label="Geburtsdatum", required=True, today=None):
        """A date of birth: not in the future and not more than 100 years ago."""
        value = self.date(name, label, required)
        today = today or datetime.date.today()
        if value and value > today:
            self.fail(name, "Das Geburtsdatum darf nicht in der Zukunft liegen.")
        elif value and value < _years_before(today, 100):
            self.fail(name, "Das Geburtsdatum liegt mehr als 100 Jahre zurück; bitte prüfen.")
        return value

    def postal_code(self, name, label="PLZ", required=False):
        """A German postcode: five digits."""
        value = self.text(name, label, required)
        if value and not GERMAN_POSTAL_CODE.fullmatch(value):
            self.fail(name, "Die Postleitzahl muss aus 5 Ziffern bestehen (z. B. 38640).")
        return value

    def integer(self, name, label, required=True, minimum=None, maximum=None):
        raw = self._raw(name)
        value = None
        if not raw:
            if required:
                self.fail(name, f"Bitte {label} angeben.")
        elif not (raw.isascii() and raw.isdigit()):
            self.fail(name, f"{label} muss eine ganze Zahl sein." if starts_sentence(label)
                      else f"Bitte für {label} eine ganze Zahl angeben.")
        elif len(raw) > 12:
            self.fail(name, f"{label}: die Zahl ist zu groß." if starts_sentence(label) else "Die Zahl ist zu groß.")
        else:
            value = int(raw)
            if minimum is not None and value < minimum:
                self.fail(name, f"{label} muss mindestens {minimum} sein." if starts_sentence(label)
                          else f"Bitte mindestens {minimum} angeben.")
            if maximum is not None and value > maximum:
                self.fail(name, f"{label} darf höchstens {maximum} sein." if starts_sentence(label)
                          else f"Bitte höchstens {maximum} angeben.")
        self.data[name] = value
        return value

    def choice(self, name, label, choices, required=True):
        value = self._raw(name)
        if not value:
            if required:
                self.fail(name, f"Bitte {label} auswählen.")
            value = None
        elif value not in choices:
            self.fail(name, f"Unbekannter Wert für {label}: „{value}“.")
        self.data[name] = value
        return value

    def record(self, name, label, model, required=True, query=None):
        """A foreign key chosen by id; ``query`` limits what may be chosen."""
        raw = self._raw(name)
        obj = None
        if not raw:
            if required:
                self.fail(name, f"Bitte {label} auswählen.")
        elif not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
            self.fail(name, f"Unbekannte Auswahl für {label}.")
        else:
            base = query if query is not None else model.select()
            obj = base.where(model.id == int(raw)).first()
            if obj is None:
                self.fail(name, f"Unbekannte Auswahl für {label}.")
        self.data[name] = obj
        return obj

    def order(self, first, second, message):
        """Require data[first] <= data[second] when both are set."""
        a, b = self.data.get(first), self.data.get(second)
        if a and b and b < a:
            self.fail(second, message)

    @property
    def ok(self):
        return not self.errors


class Conflict(Exception):
    """The record changed since the form was loaded (optimistic locking)."""


CONFLICT_MESSAGE = ("Dieser Datensatz wurde inzwischen von einer anderen Person geändert. "
                    "Ihre Eingaben sind unten erhalten; bitte prüfen Sie die aktuellen Daten "
                    "und speichern Sie erneut.")


def save_versioned(model_cls, obj, data, form_version):
    """Update ``obj`` with ``data`` only if its version is still ``form_version``.

    Returns the new version; raises Conflict when someone else saved first, and
    lets IntegrityError through for the caller to turn into a field message.
    """
    raw = str(form_version or "")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise Conflict()
    expected = int(raw)
    fields = {getattr(model_cls, k): v for k, v in data.items()}
    fields[model_cls.version] = expected + 1
    updated = (model_cls.update(fields)
               .where(model_cls.id == obj.id, model_cls.version == expected).execute())
    if updated != 1:
        raise Conflict()
    return expected + 1


def save_record(model_cls, obj, data, form, entity, unique_field="_form",
                unique_message="Der Datensatz konnte nicht gespeichert werden (Datenbankkonflikt).",
                after=None, audit_detail=None, **create_extra):
    """Create (``obj`` None) or update a record with audit and conflict handling.

    The one save helper of the app: inside ``db.atomic()`` it creates the row
    (with ``create_extra``) or updates it — with optimistic locking when the
    model has a ``version`` column (the form's hidden ``version``) — writes the
    audit row, and calls ``after(saved, before)`` in the same transaction
    (``before`` is None on create). Returns ``(obj, {})`` or ``(None, errors)``:
    a concurrent edit becomes the form message, a unique violation the
    message on ``unique_field``; nothing is half-written.
    """
    try:
        with database.atomic():
            before = obj
            if obj is None:
                obj = model_cls.create(**data, **create_extra)
                audit.log("create", entity, obj.id, audit_detail or "")
            else:
                if "version" in model_cls._meta.fields:
                    save_versioned(model_cls, obj, data, form.get("version"))
                else:
                    fields = {getattr(model_cls, k): v for k, v in data.items()}
                    model_cls.update(fields).where(model_cls.id == obj.id).execute()
                audit.log("update", entity, obj.id, audit_detail or ", ".join(sorted(data)))
                obj = model_cls.get_by_id(obj.id)
            if after:
                after(obj, before)
    except Conflict:
        return None, {"_form": CONFLICT_MESSAGE}
    except IntegrityError:
        return None, {unique_field: unique_message}
    return obj, {}


__all__ = ["CONFLICT_MESSAGE", "Checker", "Conflict", "IntegrityError", "save_record", "save_versioned"]
