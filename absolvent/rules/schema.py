"""Hand-written schema check for rulebook TOML data.

``check(data, filename)`` returns every error as one German line of the form
``<datei>: <schlüsselpfad>: <problem>``; an empty list means valid.
"""

from __future__ import annotations

import datetime as dt
import re

from .vocabulary import BUNDESLAENDER
from .vocabulary import ANCHORS, FORMS, MEASURE_TYPES, MODES, PHASES, ROLES

TOP_KEYS = {
    "id", "title", "jobcenter", "bundesland", "source", "valid_from",
    "closure_days", "agreement_terms", "aftercare", "steps",
}
REQUIRED_TOP = ("id", "title", "jobcenter", "bundesland", "agreement_terms",
                "aftercare", "steps")
STEP_KEYS = {
    "id", "title", "phase", "role", "mode", "types", "min_duration",
    "max_duration", "anchor", "due", "earliest", "earliest_anchor", "mandatory",
    "checklist", "form", "repeat", "group_only", "source",
}
REQUIRED_STEP = ("id", "title", "phase", "role", "types", "anchor", "mandatory")
OFFSET_UNITS = ("days", "weeks", "months", "working_days", "fraction", "month_day")
DURATION_UNITS = ("days", "weeks", "months")
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MONTH_DAY_RE = re.compile(r"^(\d\d)-(\d\d)$")


def parse_month_day(text: str) -> tuple[int, int] | None:
    """Return (month, day) for "MM-DD" (29.02. rejected), or None when malformed."""
    match = MONTH_DAY_RE.match(text) if isinstance(text, str) else None
    if not match:
        return None
    month, day = int(match.group(1)), int(match.group(2))
    try:
        dt.date(2023, month, day)
    except ValueError:
        return None
    return month, day


class _Checker:
    def __init__(self, filename: str):
        self.filename = filename
        self.errors: list[str] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{self.filename}: {path}: {message}")

    # -- primitives -------------------------------------------------------
    def unknown_keys(self, table: dict, allowed: set, path: str) -> None:
        for key in table:
            if key not in allowed:
                self.error(f"{path}.{key}" if path else key, "unbekannter Schlüssel")

    def string(self, table: dict, key: str, path: str, required: bool = True) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                self.error(path, "Pflichtangabe fehlt")
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            self.error(path, "muss ein nicht leerer Text sein")
            return None
        return value

    def boolean(self, table: dict, key: str, path: str, required: bool) -> None:
        if key not in table:
            if required:
                self.error(path, "Pflichtangabe fehlt")
            return
        if not isinstance(table[key], bool):
            self.error(path, "muss true oder false sein")

    def types_list(self, value, path: str) -> None:
        if not isinstance(value, list) or not value:
            self.error(path, "muss eine nicht leere Liste von Maßnahmearten sein")
            return
        for i, code in enumerate(value):
            if code not in MEASURE_TYPES:
                self.error(f"{path}[{i}]", f"unbekannte Maßnahmeart \"{code}\"")
        if len(set(map(str, value))) != len(value):
            self.error(path, "Maßnahmeart doppelt angegeben")

    def single_unit(self, value, path: str, units: tuple, extra: tuple = ()) -> str | None:
        """Check a table with exactly one unit key; return the unit or None."""
        if not isinstance(value, dict):
            self.error(path, "muss eine Tabelle sein, z. B. {months = -3}")
            return None
        for key in value:
            if key not in units and key not in extra:
                self.error(f"{path}.{key}", "unbekannte Einheit")
        present = [u for u in units if u in value]
        if len(present) != 1:
            self.error(path, f"genau eine Einheit angeben ({', '.join(units)})")
            return None
        return present[0]

    def offset(self, value, path: str, anchor: str | None) -> None:
        unit = self.single_unit(value, path, OFFSET_UNITS)
        if unit is None:
            return
        amount = value[unit]
        where = f"{path}.{unit}"
        if unit == "fraction":
            if not isinstance(amount, float | int) or isinstance(amount, bool) \
                    or not 0 < amount < 1:
                self.error(where, "Anteil muss zwischen 0 und 1 liegen")
            if anchor not in (None, "start"):
                self.error(where, "Anteil der Dauer nur mit Anker \"start\" möglich")
        elif unit == "month_day":
            if parse_month_day(amount) is None:
                self.error(where, f"ungültiger Kalendertag \"{amount}\" (MM-TT erwartet)")
        elif not isinstance(amount, int) or isinstance(amount, bool):
            self.error(where, "muss eine ganze Zahl sein")
        elif unit == "working_days" and amount < 1:
            self.error(where, "Arbeitstage werden ab dem Folgetag gezählt, mindestens 1")

    def duration(self, value, path: str) -> None:
        unit = self.single_unit(value, path, DURATION_UNITS, extra=("strict",))
        if unit is None:
            return
        amount = value[unit]
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 1:
            self.error(f"{path}.{unit}", "muss eine positive ganze Zahl sein")
        if "strict" in value and not isinstance(value["strict"], bool):
            self.error(f"{path}.strict", "muss true oder false sein")

    def anchor(self, value, path: str) -> str | None:
        if value not in ANCHORS:
            self.error(path, f"unbekannter Anker \"{value}\"")
            return None
        return value

    # -- sections ---------------------------------------------------------
    def top(self, data: dict, stem: str | None) -> None:
        self.unknown_keys(data, TOP_KEYS, "")
        for key in REQUIRED_TOP:
            if key not in data:
                self.error(key, "Pflichtangabe fehlt")
        rulebook_id = self.string(data, "id", "id") if "id" in data else None
        if rulebook_id is not None:
            if not ID_RE.match(rulebook_id):
                self.error("id", "nur Kleinbuchstaben, Ziffern und Bindestriche")
            elif stem is not None and rulebook_id != stem:
                self.error("id", f"muss dem Dateinamen entsprechen (\"{stem}\")")
        for key in ("title", "jobcenter", "source"):
            if key in data:
                self.string(data, key, key)
        if "bundesland" in data and data["bundesland"] not in BUNDESLAENDER:
            self.error("bundesland", f"unbekanntes Bundesland \"{data['bundesland']}\"")
        if "valid_from" in data and not isinstance(data["valid_from"], dt.date):
            self.error("valid_from", "muss ein Datum sein (JJJJ-MM-TT)")
        closure = data.get("closure_days", [])
        if not isinstance(closure, list):
            self.error("closure_days", "muss eine Liste von \"MM-TT\" sein")
        else:
            for i, item in enumerate(closure):
                if parse_month_day(item) is None:
                    self.error(f"closure_days[{i}]", f"ungültiger Kalendertag \"{item}\"")

    def agreement_terms(self, terms) -> None:
        if not isinstance(terms, list) or not terms:
            self.error("agreement_terms", "muss eine nicht leere Liste sein")
            return
        previous = None
        for i, term in enumerate(terms):
            path = f"agreement_terms[{i}]"
            if not isinstance(term, dict):
                self.error(path, "muss eine Tabelle sein")
                continue
            self.unknown_keys(term, {"code", "name", "from"}, path)
            if term.get("code") not in ("EV", "KP"):
                self.error(f"{path}.code", f"unbekannte Vereinbarungsart \"{term.get('code')}\"")
            self.string(term, "name", f"{path}.name")
            since = term.get("from")
            if since is not None:
                if not isinstance(since, dt.date):
                    self.error(f"{path}.from", "muss ein Datum sein (JJJJ-MM-TT)")
                elif previous is not None and since <= previous:
                    self.error(f"{path}.from", "Daten müssen aufsteigend sein")
                else:
                    previous = since
            elif i > 0:
                self.error(f"{path}.from", "Pflichtangabe fehlt")

    def aftercare(self, aftercare) -> None:
        if not isinstance(aftercare, dict):
            self.error("aftercare", "muss eine Tabelle sein")
            return
        self.unknown_keys(aftercare, {"start", "end"}, "aftercare")
        end = aftercare.get("end")
        if not isinstance(end, dict):
            self.error("aftercare.end", "Pflichtangabe fehlt")
        else:
            self.unknown_keys(end, {"anchor", "offset"}, "aftercare.end")
            anchor = self.anchor(end.get("anchor"), "aftercare.end.anchor")
            if anchor == "am_start":
                self.error("aftercare.end.anchor", "Anker \"am_start\" hier nicht erlaubt")
            self.offset(end.get("offset"), "aftercare.end.offset", anchor)
        rules = aftercare.get("start")
        if not isinstance(rules, list) or not rules:
            self.error("aftercare.start", "muss eine nicht leere Liste von Regeln sein")
            return
        allowed = {"types", "min_duration", "max_duration", "anchor", "offset", "first_step_of"}
        for i, rule in enumerate(rules):
            path = f"aftercare.start[{i}]"
            if not isinstance(rule, dict):
                self.error(path, "muss eine Tabelle sein")
                continue
            self.unknown_keys(rule, allowed, path)
            self.types_list(rule.get("types"), f"{path}.types")
            for key in ("min_duration", "max_duration"):
                if key in rule:
                    self.duration(rule[key], f"{path}.{key}")
            if "first_step_of" in rule:
                phases = rule["first_step_of"]
                if "anchor" in rule or "offset" in rule:
                    self.error(path, "entweder first_step_of oder anchor/offset angeben")
                if not isinstance(phases, list) or not phases:
                    self.error(f"{path}.first_step_of", "muss eine Liste von Phasen sein")
                else:
                    for j, phase in enumerate(phases):
                        if phase not in PHASES:
                            self.error(f"{path}.first_step_of[{j}]",
                                       f"unbekannte Phase \"{phase}\"")
            else:
                anchor = self.anchor(rule.get("anchor"), f"{path}.anchor")
                if anchor == "am_start":
                    self.error(f"{path}.anchor", "Anker \"am_start\" hier nicht erlaubt")
                self.offset(rule.get("offset"), f"{path}.offset", anchor)

    def step(self, step, i: int, seen: dict) -> None:
        path = f"steps[{i}]"
        if not isinstance(step, dict):
            self.error(path, "muss eine Tabelle sein")
            return
        self.unknown_keys(step, STEP_KEYS, path)
        for key in REQUIRED_STEP:
            if key not in step:
                self.error(f"{path}.{key}", "Pflichtangabe fehlt")
        step_id = step.get("id")
        if step_id is not None:
            if not isinstance(step_id, str) or not ID_RE.match(step_id):
                self.error(f"{path}.id", f"ungültige Kennung \"{step_id}\" "
                           "(Kleinbuchstaben, Ziffern, Bindestriche)")
            elif step_id in seen:
                self.error(f"{path}.id", f"Kennung \"{step_id}\" doppelt "
                           f"(schon in steps[{seen[step_id]}])")
            else:
                seen[step_id] = i
        if "title" in step:
            self.string(step, "title", f"{path}.title")
        if "phase" in step and step["phase"] not in PHASES:
            self.error(f"{path}.phase", f"unbekannte Phase \"{step['phase']}\"")
        if "role" in step and step["role"] not in ROLES:
            self.error(f"{path}.role", f"unbekannte Rolle \"{step['role']}\"")
        if "mode" in step and step["mode"] not in MODES:
            self.error(f"{path}.mode", f"unbekannte Gesprächsform \"{step['mode']}\"")
        if "types" in step:
            self.types_list(step["types"], f"{path}.types")
        for key in ("min_duration", "max_duration"):
            if key in step:
                self.duration(step[key], f"{path}.{key}")
        anchor = self.anchor(step["anchor"], f"{path}.anchor") if "anchor" in step else None
        if "earliest_anchor" in step:
            early_anchor = self.anchor(step["earliest_anchor"], f"{path}.earliest_anchor")
            if "earliest" not in step:
                self.error(f"{path}.earliest", "Pflichtangabe fehlt (earliest_anchor gesetzt)")
        else:
            early_anchor = anchor
        if "repeat" in step:
            self.repeat(step, path, anchor)
        elif "due" not in step:
            self.error(f"{path}.due", "Pflichtangabe fehlt")
        else:
            self.offset(step["due"], f"{path}.due", anchor)
        if "earliest" in step:
            self.offset(step["earliest"], f"{path}.earliest", early_anchor)
        self.boolean(step, "mandatory", f"{path}.mandatory", required=False)
        self.boolean(step, "group_only", f"{path}.group_only", required=False)
        checklist = step.get("checklist", [])
        if not isinstance(checklist, list) or not all(
                isinstance(item, str) and item.strip() for item in checklist):
            self.error(f"{path}.checklist", "muss eine Liste nicht leerer Texte sein")
        if "form" in step and step["form"] not in FORMS:
            self.error(f"{path}.form", f"unbekanntes Formular \"{step['form']}\"")
        if "source" in step:
            self.string(step, "source", f"{path}.source")

    def repeat(self, step: dict, path: str, anchor: str | None) -> None:
        repeat = step["repeat"]
        where = f"{path}.repeat"
        if not isinstance(repeat, dict):
            self.error(where, "muss eine Tabelle sein")
            return
        self.unknown_keys(repeat, {"every", "reset_on_contact"}, where)
        unit = self.single_unit(repeat.get("every"), f"{where}.every", DURATION_UNITS)
        if unit is not None:
            amount = repeat["every"][unit]
            if not isinstance(amount, int) or isinstance(amount, bool) or amount < 1:
                self.error(f"{where}.every.{unit}", "muss eine positive ganze Zahl sein")
        self.boolean(repeat, "reset_on_contact", f"{where}.reset_on_contact", required=False)
        if anchor not in (None, "start"):
            self.error(f"{path}.anchor", "wiederkehrende Schritte brauchen Anker \"start\"")
        if "due" in step:
            self.error(f"{path}.due", "bei wiederkehrenden Schritten nicht erlaubt")


def check(data: dict, filename: str, stem: str | None = None) -> list[str]:
    """Return all schema errors of parsed rulebook ``data`` (empty when valid)."""
    checker = _Checker(filename)
    if not isinstance(data, dict):
        checker.error("(Datei)", "muss eine TOML-Tabelle sein")
        return checker.errors
    checker.top(data, stem)
    if "agreement_terms" in data:
        checker.agreement_terms(data["agreement_terms"])
    if "aftercare" in data:
        checker.aftercare(data["aftercare"])
    steps = data.get("steps")
    if "steps" in data and (not isinstance(steps, list) or not steps):
        checker.error("steps", "muss eine nicht leere Liste von Schritten sein")
    elif isinstance(steps, list):
        seen: dict[str, int] = {}
        for i, step in enumerate(steps):
            checker.step(step, i, seen)
    return checker.errors
